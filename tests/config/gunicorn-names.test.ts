// Every setting of the Gunicorn release in .venv is accounted for: mapped to a tsgi setting with the same
// command-line flags, a server hook, or listed with what tsgi does instead — and its flags parse as Gunicorn's do.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import {
  GUNICORN_ARBITER_HOOKS,
  GUNICORN_FOREIGN,
  GUNICORN_SETTINGS,
  GUNICORN_WORKER_HOOKS,
} from '../../src/config/gunicorn-names.js';
import { settingNamed } from '../../src/config/registry.js';
import { PYTHON, skipPython } from '../runtimes/python/support/python-server.js';

interface GunicornSetting {
  name: string;
  cli: string[];
  takes: 'value' | 'switch' | 'optional';
}

function gunicornSettings(): GunicornSetting[] {
  const script = [
    'import json, gunicorn.config as c',
    'out = []',
    'for s in c.KNOWN_SETTINGS:',
    '    takes = "switch" if s.action in ("store_true", "store_const") else "optional" if s.nargs == "?" else "value"',
    '    out.append({"name": s.name, "cli": list(s.cli or []), "takes": takes})',
    'print(json.dumps(out))',
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as GunicornSetting[];
}

test("every Gunicorn setting is mapped, a hook, or listed with tsgi's answer", { skip: skipPython }, () => {
  const unaccounted = gunicornSettings()
    .map((s) => s.name)
    .filter(
      (name) =>
        name !== 'config' &&
        !(name in GUNICORN_SETTINGS) &&
        !GUNICORN_WORKER_HOOKS.has(name) &&
        !GUNICORN_ARBITER_HOOKS.has(name) &&
        !(name in GUNICORN_FOREIGN),
    );
  assert.deepEqual(unaccounted, []);
});

test("a mapped Gunicorn setting's flags are flags of its tsgi setting, switch for switch", {
  skip: skipPython,
}, () => {
  for (const gunicorn of gunicornSettings()) {
    const target = GUNICORN_SETTINGS[gunicorn.name];
    if (!target || target === 'app') continue;
    const setting = settingNamed(target)!;
    for (const flag of gunicorn.cli)
      assert.ok(setting.flags.includes(flag), `${flag} (${gunicorn.name}) → ${target}`);
    assert.equal(Boolean(setting.boolean), gunicorn.takes === 'switch', gunicorn.name);
  }
});

test("a listed Gunicorn setting has Gunicorn's flags and takes a value as Gunicorn's does", {
  skip: skipPython,
}, () => {
  for (const gunicorn of gunicornSettings()) {
    const foreign = GUNICORN_FOREIGN[gunicorn.name];
    if (!foreign) continue;
    assert.deepEqual(foreign.flags ?? [], gunicorn.cli, gunicorn.name);
    if (gunicorn.cli.length > 0) assert.equal(foreign.takes, gunicorn.takes, gunicorn.name);
  }
});
