// Python targets: one Node front end owning a pool of Python processes.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, get, ROOT, runTsgi, startTsgi } from './cli-harness.js';

const PYTHON = join(ROOT, '.venv/bin/python');
const skip = existsSync(PYTHON) ? false : 'no .venv: run `bash scripts/setup-python.sh`';
const pythonArgs = ['--python', PYTHON, '--chdir', join(ROOT, 'tests/apps/python')];

test('serves a Python WSGI app named as module:callable', { timeout: 30_000, skip }, async () => {
  const port = await freePort();
  const tsgi = await startTsgi(['hello:application', '-b', `127.0.0.1:${port}`, ...pythonArgs]);
  try {
    const reply = await get(port);
    assert.equal(reply.status, 200);
    assert.equal(reply.body, 'Hello, World!\n');
    assert.match(tsgi.output, /Using worker: python pool \(1 process × 1 thread\)/);
    tsgi.send('SIGTERM');
    assert.equal((await tsgi.waitForExit(15_000)).code, 0);
  } finally {
    await tsgi.kill();
  }
});

test('-w and --threads size the Python pool behind one front end', { timeout: 30_000, skip }, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([
    'hello:create_app("Hi")',
    '-b',
    `127.0.0.1:${port}`,
    '-w',
    '2',
    '--threads',
    '2',
    ...pythonArgs,
  ]);
  try {
    assert.equal((await get(port)).body, 'Hi\n');
    assert.match(tsgi.output, /Using worker: python pool \(2 processes × 2 threads\)/);
    assert.equal(tsgi.count(/Booting worker with pid/), 1, 'one Node front end');
  } finally {
    await tsgi.kill();
  }
});

test('a Python app that fails to import exits 4 with the message', { timeout: 30_000, skip }, async () => {
  const { code, stderr } = await runTsgi([
    'import_failing',
    '-b',
    `127.0.0.1:${await freePort()}`,
    ...pythonArgs,
  ]);
  assert.equal(code, 4);
  assert.match(stderr, /tsgi_no_such_module/);
  assert.match(stderr, /App failed to load\./);
});

test('--check-config imports a Python app in one worker and exits 0', { timeout: 30_000, skip }, async () => {
  // A relative --python is taken from where tsgi started, not from --chdir (as when serving).
  const args = ['--python', '.venv/bin/python', '--chdir', 'tests/apps/python', '-w', '4', '--check-config'];
  const { code, stderr } = await runTsgi(['hello:application', ...args]);
  assert.equal(code, 0, stderr);
  assert.equal((stderr.match(/Booted Python worker/g) ?? []).length, 1);
  assert.match(stderr, /--check-config: the settings are valid and hello:application loads/);
});

test('--check-config exits 1 naming the import error of a Python app', {
  timeout: 30_000,
  skip,
}, async () => {
  const { code, stderr } = await runTsgi(['import_failing', ...pythonArgs, '--check-config']);
  assert.equal(code, 1);
  assert.match(stderr, /\[ERROR\] --check-config: import_failing would not start: .*tsgi_no_such_module/);
});
