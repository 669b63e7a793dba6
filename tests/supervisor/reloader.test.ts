// --reload's watcher: which files count, and one callback per burst of changes.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
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

test('a source file saved by renaming a new file over it is seen at every save, not only the first', {
  timeout: 10_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-watch-'));
  mkdirSync(join(dir, 'pkg'));
  const file = join(dir, 'pkg', 'urls.py');
  writeFileSync(file, 'v = 0');
  const changes: string[] = [];
  const reloader = watchForChanges(dir, (path) => changes.push(path));
  try {
    await sleep(100);
    for (let save = 1; save <= 3; save++) {
      // What sed -i and many editors do: write a temporary file, rename it over the original.
      writeFileSync(join(dir, 'pkg', `.urls.py.tmp${save}`), `v = ${save}`);
      renameSync(join(dir, 'pkg', `.urls.py.tmp${save}`), file);
      await sleep(400);
      assert.equal(changes.length, save, `save ${save} was not seen`);
    }
    writeFileSync(file, 'v = 4'); // and in place, after them
    await sleep(400);
    assert.deepEqual(changes, [file, file, file, file]);
  } finally {
    reloader.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a directory created after the watch began is watched too', { timeout: 10_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-watch-'));
  const changes: string[] = [];
  const reloader = watchForChanges(dir, (path) => changes.push(path));
  try {
    await sleep(100);
    mkdirSync(join(dir, 'newapp', 'views'), { recursive: true });
    await sleep(200);
    writeFileSync(join(dir, 'newapp', 'views', 'home.py'), 'x = 1');
    await sleep(400);
    assert.deepEqual(changes, [join(dir, 'newapp', 'views', 'home.py')]);
  } finally {
    reloader.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an extra file of any name, outside the root, counts; even when an editor replaces it', {
  timeout: 10_000,
}, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tsgi-watch-root-'));
  const other = mkdtempSync(join(tmpdir(), 'tsgi-watch-extra-'));
  const template = join(other, 'base.html');
  writeFileSync(template, 'v1');
  const changes: string[] = [];
  const reloader = watchForChanges(root, (path) => changes.push(path), [template]);
  try {
    await new Promise((resolve) => setTimeout(resolve, 100));
    writeFileSync(join(other, 'unrelated.html'), 'x');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(changes, [], 'another file in that directory does not count');
    // Save as editors do: write a temporary file, rename it over the original.
    writeFileSync(join(other, '.base.html.swp'), 'v2');
    renameSync(join(other, '.base.html.swp'), template);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(changes, [template]);
    writeFileSync(template, 'v3');
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(changes, [template, template], 'still watched after the replacement');
  } finally {
    reloader.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});

test('an extra file in a directory that does not exist is reported, and the rest is watched', () => {
  const root = mkdtempSync(join(tmpdir(), 'tsgi-watch-root-'));
  const failures: string[] = [];
  const reloader = watchForChanges(
    root,
    () => {},
    ['/no/such/dir/x.html'],
    (dir) => failures.push(dir),
  );
  reloader.close();
  rmSync(root, { recursive: true, force: true });
  assert.deepEqual(failures, ['/no/such/dir']);
});
