import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPythonTarget } from '../../../src/runtimes/python/index.js';

test('module targets in Gunicorn syntax are Python', () => {
  for (const t of ['pkg.mod:app', 'mod', 'mod:create_app()', "proj.wsgi:make('x')", 'a_b.c:obj.app']) {
    assert.equal(isPythonTarget(t), true, t);
  }
});

test('file paths and script extensions are TypeScript/JavaScript', () => {
  for (const t of ['x.ts:app', './x.js', 'x.mjs', 'src/app.ts', 'dir/mod:app', 'app.cjs:handler']) {
    assert.equal(isPythonTarget(t), false, t);
  }
});
