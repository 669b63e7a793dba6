// SIGUSR1 reopens the log files, as Gunicorn's USR1 does after logrotate has moved them: the arbiter and every
// worker write to the new files from then on. And SIGUSR1 never opens Node's debugger port.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor } from '../support/async.js';
import { APPS, captureToFile, freePort, get, sleep, spawnTsgi } from './cli-harness.js';
import { pythonWorkerPids, skipPython, startTsgi as startPythonTsgi } from './support/server-process.js';

const contains = (path: string, text: string) =>
  existsSync(path) && readFileSync(path, 'utf8').includes(text);

test('SIGUSR1 after the log files were moved: new lines go to new files at the same paths', {
  timeout: 30_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-logrotate-'));
  const errorLog = join(dir, 'error.log');
  const accessLog = join(dir, 'access.log');
  const port = await freePort();
  const logs = ['--error-logfile', errorLog, '--access-logfile', accessLog];
  const tsgi = spawnTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`, '-w', '2', ...logs]);
  try {
    await waitFor(() => contains(errorLog, 'Listening at:'), 15_000);
    assert.equal((await get(port, '/before')).status, 200);
    await waitFor(() => contains(accessLog, '/before'), 5000);
    renameSync(errorLog, `${errorLog}.1`);
    renameSync(accessLog, `${accessLog}.1`);
    tsgi.send('SIGUSR1');
    await waitFor(() => contains(errorLog, 'Reopened the log files'), 5000);
    assert.match(readFileSync(`${errorLog}.1`, 'utf8'), /Handling signal: usr1/);
    // Both workers reopen theirs: every request from here on lands in the new access log.
    await sleep(200);
    for (let i = 0; i < 10; i++) assert.equal((await get(port, `/after-${i}`)).status, 200);
    // Two workers write their lines each on its own: wait for all ten (the last request's line may come first).
    const all = () =>
      Array.from({ length: 10 }, (_, i) => `/after-${i} `).every((line) => contains(accessLog, line));
    await waitFor(all, 5000, 'every request in the new access log');
    assert.doesNotMatch(readFileSync(`${accessLog}.1`, 'utf8'), /\/after/);
    assert.doesNotMatch(tsgi.output, /Debugger listening/);
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--capture-output: after SIGUSR1 the workers' prints go to the new error log file too", {
  timeout: 30_000,
}, async () => {
  const { tsgi, port, errorLog, log, done } = await captureToFile(`${APPS}/prints.ts`);
  try {
    assert.equal((await get(port, '/before')).status, 200);
    await waitFor(() => log().includes('printed to stderr for /before'), 5000);
    renameSync(errorLog, `${errorLog}.1`);
    tsgi.send('SIGUSR1');
    await waitFor(() => log().includes('Reopened the log files'), 5000);
    assert.equal((await get(port, '/after')).status, 200);
    await waitFor(() => log().includes('printed to stderr for /after'), 5000);
    assert.match(log(), /printed to stdout for \/after/);
    assert.doesNotMatch(readFileSync(`${errorLog}.1`, 'utf8'), /\/after/);
  } finally {
    await done();
  }
});

test('--capture-output: what a worker prints as it exits reaches the error log file before tsgi ends', {
  timeout: 30_000,
}, async () => {
  const { tsgi, port, log, done } = await captureToFile(`${APPS}/prints-at-exit.ts`);
  try {
    assert.equal((await get(port)).status, 200);
    assert.equal((await tsgi.signal('SIGTERM', 15_000)).code, 0);
    assert.match(log(), /last words of worker \d+/);
    assert.doesNotMatch(log() + tsgi.output, /write after end|cannot write/);
  } finally {
    await done();
  }
});

test("SIGUSR2 (Gunicorn's binary upgrade) is refused with a warning, and the server serves on", {
  timeout: 20_000,
}, async () => {
  const port = await freePort();
  const tsgi = spawnTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`]);
  try {
    await tsgi.waitForOutput(/Listening at: /, 15_000);
    tsgi.sendGroup('SIGUSR2');
    await tsgi.waitForOutput(
      /\[WARNING\] SIGUSR2 \(Gunicorn's upgrade to a new master\) is not supported: send SIGHUP/,
    );
    assert.equal((await get(port)).status, 200);
    assert.equal(tsgi.count(/Booting worker with pid/), 1, 'the worker was not killed by it either');
  } finally {
    await tsgi.kill();
  }
});

test("SIGUSR2 or SIGHUP to the whole group leaves a Python app's worker processes running", {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  const tsgi = await startPythonTsgi('hello:application');
  try {
    const before = pythonWorkerPids(tsgi);
    assert.equal(before.length, 1);
    tsgi.sendGroup('SIGUSR2');
    await tsgi.waitForOutput(/\[WARNING\] SIGUSR2/);
    await sleep(300);
    assert.deepEqual(pythonWorkerPids(tsgi), before, 'the Python worker ignored SIGUSR2');
    tsgi.sendGroup('SIGHUP');
    await tsgi.waitForOutput(/Hang up: Master/);
    assert.equal((await fetch(`${tsgi.origin}/`)).status, 200);
    assert.doesNotMatch(tsgi.output, /Python worker .* (exited|killed)/);
  } finally {
    await tsgi.kill();
  }
});
