// --reload's watcher: which files count, and one callback per burst of changes.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isWatchedFile, watchForChanges } from '../../src/supervisor/reloader.js';

test('source files count; dependency trees, caches and other files do not', () => {
  for (const path of ['app.ts', 'lib/x.mjs', 'pkg/views.py', 'config.json', 'a.cjs', 'b.js']) {
    assert.ok(isWatchedFile(path), path);
  }
  for (const path of [
    'node_modules/x/index.js',
    '.git/config.json',
    'pkg/__pycache__/v.py',
    'dist/app.js',
    'notes.md',
    'a.pyc',
  ]) {
    assert.ok(!isWatchedFile(path), path);
  }
});

test('a burst of changes to watched files calls back once, with a changed file', {
  timeout: 10_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-watch-'));
  mkdirSync(join(dir, 'lib'));
  const changes: string[] = [];
  const reloader = watchForChanges(dir, (path) => changes.push(path));
  try {
    await new Promise((resolve) => setTimeout(resolve, 100));
    writeFileSync(join(dir, 'lib', 'a.ts'), '1');
    writeFileSync(join(dir, 'lib', 'a.ts'), '2');
    writeFileSync(join(dir, 'README.md'), 'not watched');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(changes, [join(dir, 'lib', 'a.ts')]);
  } finally {
    reloader.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
