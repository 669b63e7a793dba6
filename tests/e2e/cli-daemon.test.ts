// -D/--daemon: the command returns at once and the server runs on, detached, as the leader of its own session,
// writing its pid file and its error log file; SIGTERM to that pid stops it and removes the pid file.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor } from '../support/async.js';
import { APPS, freePort, get, runTsgi } from './cli-harness.js';

/** The session id of a process (field 6 of /proc/PID/stat). */
function sessionOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('-D returns at once; the detached server serves, logs to its file and stops on SIGTERM', {
  timeout: 30_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-daemon-'));
  const pidFile = join(dir, 'tsgi.pid');
  const logFile = join(dir, 'error.log');
  const port = await freePort();
  let pid = 0;
  try {
    const args = [
      `${APPS}/pid-echo.ts`,
      '-D',
      '-p',
      pidFile,
      '--error-logfile',
      logFile,
      '-b',
      `127.0.0.1:${port}`,
    ];
    const started = Date.now();
    // Started with umask 077: the detached server takes 022, as Gunicorn's daemonize() sets.
    const umask = process.umask(0o077);
    const { code, stdout, stderr } = await runTsgi(args).finally(() => process.umask(umask));
    assert.equal(code, 0, stderr);
    assert.equal(stdout + stderr, '', 'nothing on the terminal');
    assert.ok(Date.now() - started < 10_000);
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 10_000);
    pid = Number(readFileSync(pidFile, 'utf8'));
    assert.equal(sessionOf(pid), pid, 'the server leads its own session (setsid)');
    for (const fd of [0, 1, 2]) assert.equal(readlinkSync(`/proc/${pid}/fd/${fd}`), '/dev/null', `fd ${fd}`);
    assert.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /^Umask:\s+0022$/m);
    // The log file is opened asynchronously: it may appear after the pid file.
    await waitFor(
      () => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('Listening at:'),
      10_000,
    );
    assert.equal((await get(port)).status, 200);
    process.kill(pid, 'SIGTERM');
    await waitFor(() => !alive(pid), 10_000);
    assert.equal(existsSync(pidFile), false, 'the pid file is removed');
    assert.match(readFileSync(logFile, 'utf8'), /\[INFO\] Shutting down: Master/);
  } finally {
    if (pid > 0 && alive(pid)) process.kill(-pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-D with an error log it cannot open says so and exits 1 instead of detaching into silence', {
  timeout: 15_000,
}, async () => {
  const port = await freePort();
  const { code, stderr } = await runTsgi([
    `${APPS}/pid-echo.ts`,
    '-D',
    '-b',
    `127.0.0.1:${port}`,
    '--error-logfile',
    '/nonexistent-dir/error.log',
  ]);
  assert.equal(code, 1);
  assert.match(stderr, /^tsgi: error: --error-logfile: cannot open \/nonexistent-dir\/error\.log: ENOENT/);
  await assert.rejects(get(port), 'nothing was left serving');
});
