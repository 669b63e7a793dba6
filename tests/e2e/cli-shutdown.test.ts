// Stopping and restarting: in-flight requests finish, the process exits 0, SIGHUP swaps the workers.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { header, RawConnection } from '../http/support/raw-connection.js';
import { waitFor } from '../support/async.js';
import { APPS, freePort, get, sleep, spawnTsgi, startTsgi } from './cli-harness.js';

/**
 * Busy keep-alive clients, as a proxy's pooled connections are: each sends its next request as soon as the last
 * response is in, on the same connection unless the server said `Connection: close`. Counts what failed.
 */
async function keepAliveClients(port: number, clients: number, done: () => boolean) {
  let ok = 0;
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      let connection = await RawConnection.open(port);
      while (!done()) {
        try {
          await connection.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
          const response = await connection.readResponse();
          if (response.status === 200 && response.complete) ok++;
          else failures.push(`status ${response.status}`);
          if (header(response, 'connection')?.toLowerCase() !== 'close') continue;
        } catch (error) {
          failures.push((error as Error).message.slice(0, 80));
        }
        connection.close();
        connection = await RawConnection.open(port);
      }
      connection.close();
    }),
  );
  return { ok, failures };
}

test('SIGTERM lets an in-flight slow request finish, then exits 0', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/slow.ts`, '-b', `127.0.0.1:${port}`, '--graceful-timeout', '10']);
  try {
    const slow = get(port, '/?ms=1500');
    await sleep(300);
    const stoppedAt = Date.now();
    tsgi.send('SIGTERM');
    const reply = await slow;
    assert.equal(reply.status, 200);
    assert.equal(reply.body, 'done after 1500 ms');
    const exit = await tsgi.waitForExit(10_000);
    assert.equal(exit.code, 0);
    assert.ok(Date.now() - stoppedAt < 10_000, 'within --graceful-timeout');
  } finally {
    await tsgi.kill();
  }
});

test('SIGTERM while tsgi is still starting (reading a slow config file) exits 0 at once', {
  timeout: 30_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-early-'));
  const config = join(dir, 'slow.config.mjs');
  const reading = join(dir, 'reading');
  writeFileSync(
    config,
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(reading)}, '');\n` +
      'await new Promise((resolve) => setTimeout(resolve, 3000));\nexport const workers = 1;\n',
  );
  const tsgi = spawnTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${await freePort()}`, '-c', config]);
  try {
    await waitFor(() => existsSync(reading), 10_000, 'tsgi to be reading its config file');
    const sentAt = Date.now();
    const exit = await tsgi.signal('SIGTERM');
    assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}`);
    assert.ok(Date.now() - sentAt < 1500, 'without waiting for the config file');
    assert.doesNotMatch(tsgi.output, /Listening at/);
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGTERM to the whole process group also finishes the request and exits 0', {
  timeout: 30_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/slow.ts`, '-b', `127.0.0.1:${port}`, '-w', '2']);
  try {
    const slow = get(port, '/?ms=1000');
    await sleep(300);
    tsgi.sendGroup('SIGTERM');
    assert.equal((await slow).body, 'done after 1000 ms');
    assert.equal((await tsgi.waitForExit(10_000)).code, 0);
  } finally {
    await tsgi.kill();
  }
});

test('SIGINT to the process group (Ctrl-C) exits 0', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/slow.ts`, '-b', `127.0.0.1:${port}`, '-w', '2']);
  try {
    tsgi.sendGroup('SIGINT');
    assert.equal((await tsgi.waitForExit(10_000)).code, 0);
    assert.match(tsgi.output, /Shutting down: Master/);
  } finally {
    await tsgi.kill();
  }
});

test('the stop does not wait past --graceful-timeout for a request that will not finish', {
  timeout: 30_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/slow.ts`, '-b', `127.0.0.1:${port}`, '--graceful-timeout', '1']);
  try {
    const endless = get(port, '/?ms=60000').catch(() => 'cut');
    await sleep(300);
    const stoppedAt = Date.now();
    tsgi.send('SIGTERM');
    assert.equal((await tsgi.waitForExit(8_000)).code, 0);
    assert.equal(await endless, 'cut');
    assert.ok(Date.now() - stoppedAt < 5_000);
  } finally {
    await tsgi.kill();
  }
});

test('SIGHUP replaces every worker with a new one, without a failed request', {
  timeout: 30_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`, '-w', '2']);
  try {
    await tsgi.waitForOutput(/(?:Booting worker with pid: \d+[\s\S]*){2}/);
    const before = [...tsgi.output.matchAll(/Booting worker with pid: (\d+)/g)].map((m) => m[1]);
    tsgi.send('SIGHUP');
    let failures = 0;
    const deadline = Date.now() + 10_000;
    while (tsgi.count(/Worker exited \(pid:\d+\)/) < 2 && Date.now() < deadline) {
      const reply = await get(port).catch(() => null);
      if (reply?.status !== 200) failures++;
    }
    assert.equal(tsgi.count(/Worker exited \(pid:\d+\)/), 2);
    assert.equal(failures, 0);
    const reply = await get(port);
    assert.ok(!before.includes(reply.body), `served by ${reply.body}, one of the old workers ${before}`);
  } finally {
    await tsgi.kill();
  }
});

test('SIGHUP under busy keep-alive connections loses no request (the old workers close each after a response)', {
  timeout: 30_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`, '-w', '2']);
  try {
    await tsgi.waitForOutput(/(?:Booting worker with pid: \d+[\s\S]*){2}/);
    let replaced = false;
    const load = keepAliveClients(port, 8, () => replaced);
    await sleep(300);
    tsgi.send('SIGHUP');
    await tsgi.waitForOutput(/(?:Worker exited \(pid:\d+\)[\s\S]*){2}/, 15_000);
    await sleep(200);
    replaced = true;
    const { ok, failures } = await load;
    assert.deepEqual(failures, [], `${failures.length} failed of ${ok + failures.length}`);
    assert.ok(ok > 100, `${ok} requests`);
  } finally {
    await tsgi.kill();
  }
});

test('a stop does not wait for a client that sent half a request head, nor for an idle keep-alive one', {
  timeout: 30_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([
    `${APPS}/pid-echo.ts`,
    '-b',
    `127.0.0.1:${port}`,
    '--graceful-timeout',
    '20',
  ]);
  const stalled = await RawConnection.open(port);
  const idle = await RawConnection.open(port);
  try {
    await stalled.send('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: '); // and nothing more
    await idle.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal((await idle.readResponse()).status, 200);
    const stoppedAt = Date.now();
    tsgi.send('SIGTERM');
    assert.equal((await tsgi.waitForExit(15_000)).code, 0);
    assert.ok(Date.now() - stoppedAt < 10_000, `took ${Date.now() - stoppedAt} ms of the 20 s grace`);
    assert.doesNotMatch(tsgi.output, /graceful-timeout 20s passed/);
  } finally {
    stalled.close();
    idle.close();
    await tsgi.kill();
  }
});

test('a second SIGINT stops at once, without waiting for in-flight requests', {
  timeout: 30_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/slow.ts`, '-b', `127.0.0.1:${port}`, '--graceful-timeout', '30']);
  try {
    const endless = get(port, '/?ms=60000').catch(() => 'cut');
    await sleep(300);
    tsgi.send('SIGINT');
    await tsgi.waitForOutput(/Handling signal: int/);
    tsgi.send('SIGINT');
    assert.equal((await tsgi.waitForExit(5_000)).code, 0);
    assert.equal(await endless, 'cut');
  } finally {
    await tsgi.kill();
  }
});

test('SIGQUIT stops at once, and the workers it kills are logged as stopped, not as crashes', {
  timeout: 30_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`, '-w', '2']);
  try {
    await tsgi.waitForOutput(/(?:Booting worker with pid: \d+[\s\S]*){2}/);
    assert.equal((await tsgi.signal('SIGQUIT')).code, 0);
    assert.equal(tsgi.count(/Worker exited \(pid:\d+\) on SIGKILL/), 2);
    assert.doesNotMatch(tsgi.output, /\[ERROR\]|Perhaps out of memory/);
  } finally {
    await tsgi.kill();
  }
});

test('SIGHUP with a broken app keeps the running workers serving the previous code', {
  timeout: 30_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-hup-'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const app = join(dir, 'app.ts');
  writeFileSync(
    app,
    "export const application = (_e: unknown, start: (s: string, h: [string, string][]) => void) => {\n  start('200 OK', []);\n  return [new TextEncoder().encode('old')];\n};\n",
  );
  const port = await freePort();
  const tsgi = await startTsgi([app, '-b', `127.0.0.1:${port}`]);
  try {
    writeFileSync(app, "throw new Error('broken deploy');\n");
    tsgi.send('SIGHUP');
    await tsgi.waitForOutput(/App failed to load\. Keeping the 1 running worker/);
    assert.equal((await get(port)).body, 'old');
    assert.equal(tsgi.child.exitCode, null);
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGTTIN adds a worker and SIGTTOU retires one', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`]);
  try {
    tsgi.send('SIGTTIN');
    await tsgi.waitForOutput(/Number of workers: 2/);
    await tsgi.waitForOutput(/(?:Booting worker with pid: \d+[\s\S]*){2}/);
    tsgi.send('SIGTTOU');
    await tsgi.waitForOutput(/Number of workers: 1/);
    await tsgi.waitForOutput(/Worker exited \(pid:\d+\)/);
    assert.equal((await get(port)).status, 200);
  } finally {
    await tsgi.kill();
  }
});
