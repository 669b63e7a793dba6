// Python targets: one Node front end owning a pool of Python processes.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor } from '../support/async.js';
import { freePort, get, ROOT, runTsgi, sleep, startTsgi } from './cli-harness.js';
import { descendantsOf, isAlive } from './support/server-process.js';

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

/**
 * `app` with -w 3 --front-ends 2, on a free port, once both front ends have booted their Python processes
 * (the master logs `Listening at:` before it forks them).
 */
async function twoFrontEnds(app: string) {
  const port = await freePort();
  const args = [app, '-b', `127.0.0.1:${port}`, '-w', '3', '--front-ends', '2', ...pythonArgs];
  const tsgi = await startTsgi(args);
  try {
    await waitFor(
      () => {
        const fronts = frontEndPids(tsgi.output);
        return fronts.length === 2 && fronts.reduce((sum, pid) => sum + descendantsOf(pid).length, 0) === 3;
      },
      10_000,
      'two front ends with their 3 Python processes',
    );
  } catch (error) {
    await tsgi.kill();
    throw error;
  }
  return { port, tsgi };
}

/** The pids in the log's `Booting worker with pid: N` lines: the Node front ends, in start order. */
function frontEndPids(output: string): number[] {
  return [...output.matchAll(/Booting worker with pid: (\d+)/g)].map((m) => Number(m[1]));
}

test('--front-ends 2 -w 3: two front ends on one socket, the Python processes shared 2 + 1', {
  timeout: 30_000,
  skip,
}, async () => {
  const { port, tsgi } = await twoFrontEnds('environ_echo');
  try {
    assert.match(tsgi.output, /Using worker: python pool \(3 processes × 1 thread behind 2 front ends\)/);
    const fronts = frontEndPids(tsgi.output);
    assert.equal(fronts.length, 2);
    const pools = fronts.map((pid) => descendantsOf(pid));
    assert.deepEqual(pools.map((p) => p.length).sort(), [1, 2]);
    const pythonPids = new Set(pools.flat());
    // Concurrent requests: each answered by one of the three, every one of them told it is one of several.
    const replies = await Promise.all(Array.from({ length: 24 }, () => get(port)));
    for (const reply of replies) {
      const environ = JSON.parse(reply.body);
      assert.equal(environ['wsgi.multiprocess'], true);
      assert.ok(pythonPids.has(environ._pid), `pid ${environ._pid} is one of ${[...pythonPids]}`);
    }
    tsgi.send('SIGTERM');
    assert.equal((await tsgi.waitForExit(15_000)).code, 0);
  } finally {
    await tsgi.kill();
  }
});

test('a front end that dies is replaced by one with the same share of the Python processes', {
  timeout: 30_000,
  skip,
}, async () => {
  const { port, tsgi } = await twoFrontEnds('hello');
  try {
    const [first, second] = frontEndPids(tsgi.output);
    const killed = descendantsOf(first).length === 2 ? first : second;
    const orphans = descendantsOf(killed);
    process.kill(killed, 'SIGKILL');
    await waitFor(() => frontEndPids(tsgi.output).length === 3, 10_000, 'a replacement front end');
    const replacement = frontEndPids(tsgi.output)[2];
    await waitFor(
      () => descendantsOf(replacement).length === 2,
      10_000,
      'the replacement to boot its 2 processes',
    );
    await waitFor(
      () => orphans.every((pid) => !isAlive(pid)),
      10_000,
      "the dead front end's Python processes to exit",
    );
    assert.equal((await get(port)).status, 200);
  } finally {
    await tsgi.kill();
  }
});

test('SIGTTIN and SIGTTOU leave a Python pool as it is, and say so', { timeout: 30_000, skip }, async () => {
  const port = await freePort();
  const tsgi = await startTsgi(['hello', '-b', `127.0.0.1:${port}`, ...pythonArgs]);
  try {
    tsgi.send('SIGTTIN');
    await tsgi.waitForOutput(/SIGTTIN ignored: a Python app's processes are --workers/);
    tsgi.send('SIGTTOU');
    await tsgi.waitForOutput(/SIGTTOU ignored/);
    assert.equal(tsgi.count(/Booting worker with pid/), 1);
    assert.equal((await get(port)).status, 200);
  } finally {
    await tsgi.kill();
  }
});

test('clients that leave before their Python response began are logged as 499 (one running, one waiting for the worker)', {
  timeout: 30_000,
  skip,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([
    'slow',
    '-b',
    `127.0.0.1:${port}`,
    '--access-logfile',
    '-',
    '--log-level',
    'debug',
    ...pythonArgs,
  ]);
  try {
    // The first runs for 0.5 s; the second waits behind it, and its client is gone before it can start.
    for (const path of ['/ran?0.5', '/dropped?0.5']) {
      const socket = connect(port, '127.0.0.1');
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await sleep(100);
      socket.destroy();
    }
    // The dropped one is logged at once; the one that ran when its app returns.
    await tsgi.waitForOutput(/GET \/ran\?0\.5 HTTP\/1\.1" \d+/);
    assert.match(tsgi.output, /"GET \/ran\?0\.5 HTTP\/1\.1" 499 /);
    assert.match(tsgi.output, /"GET \/dropped\?0\.5 HTTP\/1\.1" 499 /);
    assert.equal(tsgi.count(/\[DEBUG\] client of GET \/\w+\?0\.5 went away before the response began/), 2);
    assert.equal((await get(port, '/pid')).status, 200, 'the worker serves on');
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
  assert.doesNotMatch(stderr, /WARNING|killing/, 'the idle worker exits by itself');
});

test('--check-config exits 1 naming the import error of a Python app', {
  timeout: 30_000,
  skip,
}, async () => {
  const { code, stderr } = await runTsgi(['import_failing', ...pythonArgs, '--check-config']);
  assert.equal(code, 1);
  assert.match(stderr, /\[ERROR\] --check-config: import_failing would not start: .*tsgi_no_such_module/);
});
