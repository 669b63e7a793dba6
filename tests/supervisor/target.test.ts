// The routing rule: script extensions or a '/' mean a script; anything else is a Python module.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { targetKind, watchRoot } from '../../src/supervisor/target.js';

test('a file ending in a script extension is a script, with or without :NAME', () => {
  for (const target of [
    'app.ts',
    'app.mts',
    'app.js:handler',
    'server.mjs',
    'legacy.cjs:app',
    'src/app.ts:api',
  ]) {
    assert.equal(targetKind(target), 'script', target);
  }
});

test('a target containing a slash is a script', () => {
  assert.equal(targetKind('dist/server'), 'script');
  assert.equal(targetKind('./app'), 'script');
});

test('anything else is a Python module', () => {
  for (const target of [
    'proj.wsgi:application',
    'hello',
    'app:create_app()',
    'pkg.mod',
    'proj.wsgi',
    "proj.wsgi:make('x')",
    'a_b.c:obj.app',
    "mod:factory('static/app.js')",
  ]) {
    assert.equal(targetKind(target), 'python', target);
  }
});

test("--reload watches a script's directory, or the working directory for Python", () => {
  assert.equal(watchRoot('src/app.ts:api', '/srv'), '/srv/src');
  assert.equal(watchRoot('proj.wsgi:application', '/srv'), '/srv');
});
