// Walks every setting: its declaration is coherent, its flags parse, its default validates, and --help and
// docs/settings.md both show it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allSettings,
  defaultConfig,
  helpText,
  parseArgv,
  printConfigText,
  renderSettingsDoc,
} from '../../src/config/index.js';
import { SECTIONS } from '../../src/config/setting.js';

const settings = allSettings();
const help = helpText();
const doc = renderSettingsDoc();

test('setting names are unique and every setting has help, an expectation and a known section', () => {
  assert.equal(new Set(settings.map((s) => s.name)).size, settings.length);
  for (const s of settings) {
    assert.ok(s.help.length > 10, `${s.name}: help`);
    assert.ok(s.expected.length > 0, `${s.name}: expected`);
    assert.ok(SECTIONS.includes(s.section), `${s.name}: section ${s.section}`);
  }
});

test('every flagged setting is named after its first long flag in camelCase', () => {
  for (const s of settings.filter((s) => !s.positional && !s.configFileOnly)) {
    const long = s.flags.find((f) => f.startsWith('--'));
    assert.ok(long, `${s.name} has a long flag`);
    const camel = long.slice(2).replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());
    assert.equal(s.name, camel);
  }
});

test('every default is a valid value of its setting', () => {
  for (const s of settings) {
    if (s.default === null) continue; // unset: validators take what a user gives, never null from argv
    assert.deepEqual(s.validate(s.default), s.default, s.name);
  }
});

test("every flag of every setting parses the setting's example", () => {
  for (const s of settings) {
    if (s.positional) {
      assert.equal(parseArgv([s.example]).values[s.name], s.example);
      continue;
    }
    for (const flag of s.flags) {
      const args = s.boolean ? [flag] : [flag, s.example];
      const value = parseArgv(args).values[s.name];
      assert.deepEqual(value, s.validate(s.boolean ? true : s.example), `${flag} ${s.example}`);
      assert.notDeepEqual(value, undefined, flag);
    }
  }
});

test('every setting appears in --help with all its flags', () => {
  for (const s of settings) {
    for (const flag of s.flags) assert.match(help, new RegExp(`(^|[ ,])${flag}[ ,\\n]`), flag);
  }
  assert.match(help, / APP /);
});

test('every setting has a section in docs/settings.md with its flags and default', () => {
  for (const s of settings) {
    const start = doc.indexOf(`### \`${s.name}\``);
    assert.ok(start >= 0, s.name);
    const end = doc.indexOf('\n### ', start + 1);
    const section = doc.slice(start, end < 0 ? undefined : end);
    for (const flag of s.flags) assert.ok(section.includes(flag), `${s.name}: ${flag}`);
    assert.match(section, /- Default: `/);
  }
});

test("the defaults are Gunicorn's where Gunicorn has the setting", () => {
  const d = defaultConfig();
  assert.deepEqual(d.bind, ['127.0.0.1:8000']);
  assert.equal(d.workers, 1);
  assert.equal(d.threads, 1);
  assert.equal(d.timeout, 30);
  assert.equal(d.gracefulTimeout, 30);
  assert.equal(d.keepAlive, 2);
  assert.equal(d.backlog, 2048);
  assert.equal(d.workerClass, 'sync');
  assert.equal(d.preload, false);
  assert.equal(d.captureOutput, false);
  assert.equal(d.user, null);
  assert.equal(d.name, null, 'the processes keep their command lines unless named');
  assert.equal(d.checkConfig, false);
  assert.equal(d.statsdHost, null);
  assert.equal(d.statsdPrefix, '');
  assert.equal(d.group, null);
  assert.equal(d.umask, null, 'tsgi keeps the inherited umask (Gunicorn sets 0)');
  assert.equal(d.maxRequests, 0);
  assert.equal(d.maxRequestsJitter, 0);
  assert.equal(d.accessLogfile, null);
  assert.equal(d.errorLogfile, '-');
  assert.equal(d.logLevel, 'info');
  assert.equal(d.limitRequestLine, 4094);
  assert.equal(d.limitRequestFields, 100);
  assert.equal(d.limitRequestFieldSize, 8190);
});

test('--print-config shows every default as readable text', () => {
  const text = printConfigText(defaultConfig());
  assert.doesNotMatch(text, /\[object /);
  assert.match(
    text,
    /secureSchemeHeaders\s+= X-FORWARDED-PROTOCOL: ssl, X-FORWARDED-PROTO: https, X-FORWARDED-SSL: on/,
  );
});
