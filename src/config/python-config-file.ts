// A Python config file, as Gunicorn reads one (`-c gunicorn.conf.py`, `-c python:myproject.gunicorn_conf`): the
// interpreter runs it (python/tsgi_worker/config_file.py) and reports its top-level names; Gunicorn's setting names
// become tsgi's settings (gunicorn-names.ts). Names that are no setting are the file's own and ignored, as
// Gunicorn ignores them; Gunicorn settings and arbiter hooks that tsgi has no use for are named in a warning. The
// worker hooks (post_fork, pre_request…) are run by a Python app's workers, which read the file again.

import { spawnSync } from 'node:child_process';
import type { Notice } from '../log.js';
import { PYTHON_ROOT } from '../runtimes/python/worker.js';
import {
  GUNICORN_ARBITER_HOOKS,
  GUNICORN_FOREIGN,
  GUNICORN_SETTINGS,
  GUNICORN_WORKER_HOOKS,
} from './gunicorn-names.js';
import { foreignNotice, validateSetting } from './parse-argv.js';
import { settingNamed } from './registry.js';
import { UsageError } from './usage-error.js';

const BOOTSTRAP =
  'import sys;sys.path.insert(0,sys.argv[1]);import tsgi_worker.config_file as m;' +
  'sys.path.remove(sys.argv[1]);m.main(sys.argv)';

/** A config file that runs longer than this (a network call at import?) is reported, not waited on forever. */
const READ_TIMEOUT_MS = 60_000;

/** One top-level name of the file: a plain value, or only the kind of anything else ('function', 'object'…). */
type PythonName = { value: unknown } | { kind: string };

export interface PythonConfig {
  values: Record<string, unknown>;
  notices: Notice[];
  /** The worker hooks the file defines (post_fork…): each Python worker runs the file again only if any. */
  workerHooks: string[];
}

/** Runs the config at `location` (a path, or `python:module`) with `python` in `cwd`; `shown` names it in errors. */
export function loadPythonConfigFile(
  location: string,
  shown: string,
  cwd: string,
  python: string,
): PythonConfig {
  return gunicornSettings(runConfig(location, shown, cwd, python), shown);
}

function runConfig(location: string, shown: string, cwd: string, python: string): Record<string, PythonName> {
  // The report comes on fd 3: what the file prints goes to tsgi's own stdout and stderr, as under Gunicorn.
  const run = spawnSync(python, ['-c', BOOTSTRAP, PYTHON_ROOT, location], {
    cwd,
    stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
    timeout: READ_TIMEOUT_MS,
  });
  const fail = (why: string) => new UsageError('TSGI_BAD_CONFIG_FILE', `--config ${shown}: ${why}`);
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    throw fail(
      code === 'ENOENT'
        ? `a Python config file needs a Python interpreter, and ${python} was not found (pass --python PATH)`
        : code === 'ETIMEDOUT'
          ? `reading it took over ${READ_TIMEOUT_MS / 1000} s; a config file should only set names`
          : `running ${python} failed: ${run.error.message}`,
    );
  }
  const text = run.output[3]?.toString('utf8') ?? '';
  let report: { names?: Record<string, PythonName>; error?: string; invalid?: string };
  try {
    report = JSON.parse(text) as typeof report;
  } catch {
    throw fail(
      `${python} did not read it (exit status ${run.status ?? run.signal}); is it Python 3.9 or later?`,
    );
  }
  if (report.error !== undefined) throw fail(`running it raised ${report.error}`);
  if (report.invalid !== undefined) throw fail(report.invalid);
  return report.names ?? {};
}

/** Gunicorn's names → tsgi's validated settings, plus warnings for what tsgi ignores. */
function gunicornSettings(names: Record<string, PythonName>, shown: string): PythonConfig {
  const values: Record<string, unknown> = {};
  const notices: Notice[] = [];
  const hooks: string[] = [];
  const workerHooks: string[] = [];
  for (const [name, entry] of Object.entries(names)) {
    // Own names only: a config's `constructor = 1` must not find Object.prototype's.
    const target = Object.hasOwn(GUNICORN_SETTINGS, name) ? GUNICORN_SETTINGS[name] : undefined;
    if (target === undefined) {
      const foreign = Object.hasOwn(GUNICORN_FOREIGN, name) ? GUNICORN_FOREIGN[name] : undefined;
      if (isUnset(entry, foreign?.default)) continue;
      if (GUNICORN_ARBITER_HOOKS.has(name)) hooks.push(name);
      else if (GUNICORN_WORKER_HOOKS.has(name)) {
        if ('kind' in entry && entry.kind === 'function') workerHooks.push(name); // run by each Python worker
      } else if (foreign) notices.push(foreignNotice(`'${name}' in ${shown}`, foreign));
      continue; // the file's own names (imports, helpers): Gunicorn ignores them too
    }
    if ('kind' in entry) {
      throw new UsageError(
        'TSGI_BAD_VALUE',
        `'${name}' in ${shown} is a ${entry.kind}; set it to a plain value (a str, int, bool or list)`,
      );
    }
    if (isUnset(entry)) continue;
    values[target] = validateSetting(settingNamed(target)!, entry.value, `'${name}' in ${shown}`);
  }
  if (hooks.length > 0) {
    notices.push({
      level: 'warning',
      message:
        `${shown}: ${hooks.join(', ')} will not be called: ${hooks.length > 1 ? "they are Gunicorn's arbiter hooks" : 'it is a Gunicorn arbiter hook'} and tsgi's arbiter ` +
        'is not Python (the worker hooks post_fork, post_worker_init, pre_request, post_request and worker_exit ' +
        'are run by each Python worker)',
    });
  }
  return { values, notices, workerHooks };
}

/**
 * None is Gunicorn's "not set" for every optional setting, False for a switch; and a value equal to Gunicorn's
 * default (`asgi_loop = "auto"`) asks for nothing either. Each leaves tsgi's default.
 */
function isUnset(entry: PythonName, gunicornDefault?: unknown): boolean {
  return (
    'value' in entry && (entry.value === null || entry.value === false || entry.value === gunicornDefault)
  );
}
