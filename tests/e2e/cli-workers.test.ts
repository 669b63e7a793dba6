// The arbiter keeps its workers: replaces the dead, recycles after --max-requests, kills the hung.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { WORKER_SEMI_SPACE_MIB } from '../../src/supervisor/worker-heap.js';
import { APPS, freePort, get, sleep, startTsgi } from './cli-harness.js';

/** Sends rounds of concurrent requests (each holding its worker 50 ms) until `count` worker pids answered. */
async function pidsServing(port: number, count: number): Promise<Set<string>> {
  const pids = new Set<string>();
  for (let round = 0; round < 50 && pids.size < count; round++) {
    const replies = await Promise.all(
      Array.from({ length: 4 }, () => get(port, '/?spin=50').catch(() => null)),
    );
    for (const reply of replies) if (reply?.status === 200) pids.add(reply.body);
  }
  return pids;
}

test('a worker killed with kill -9 is replaced and requests keep succeeding', {
  timeout: 30_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`, '-w', '2']);
  try {
    const [victim, survivor] = await pidsServing(port, 2);
    process.kill(Number(victim), 'SIGKILL');
    await tsgi.waitForOutput(new RegExp(`Worker \\(pid:${victim}\\) was sent SIGKILL`));
    // The other worker still holds the listening socket: nothing fails while the replacement boots.
    for (let i = 0; i < 10; i++) {
      const reply = await get(port);
      assert.equal(reply.status, 200);
      assert.notEqual(reply.body, victim);
    }
    const pids = await pidsServing(port, 2);
    assert.ok(pids.has(survivor) && pids.size === 2 && !pids.has(victim), `now served by ${[...pids]}`);
  } finally {
    await tsgi.kill();
  }
});

test('--max-requests 5 recycles the worker without a failed request', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`, '--max-requests', '5']);
  try {
    // The retiring worker serves until its replacement listens, so keep asking until three workers answered.
    const pids = new Set<string>();
    const deadline = Date.now() + 20_000;
    for (let i = 0; pids.size < 3 && Date.now() < deadline; i++) {
      const reply = await get(port);
      assert.equal(reply.status, 200, `request ${i}`);
      pids.add(reply.body);
    }
    assert.equal(pids.size, 3);
    assert.match(tsgi.output, /Autorestarting worker after 5 requests/);
  } finally {
    await tsgi.kill();
  }
});

test('--max-requests keeps answering a steady stream of concurrent clients', {
  timeout: 30_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([
    `${APPS}/pid-echo.ts`,
    '-b',
    `127.0.0.1:${port}`,
    '-w',
    '2',
    '--max-requests',
    '10',
  ]);
  try {
    const failures: string[] = [];
    const client = async () => {
      for (let i = 0; i < 25; i++) {
        const reply = await get(port).catch((error: Error) => ({ status: 0, body: error.message }));
        if (reply.status !== 200) failures.push(`${reply.status} ${reply.body}`);
      }
    };
    await Promise.all([client(), client(), client(), client()]);
    assert.deepEqual(failures, []);
  } finally {
    await tsgi.kill();
  }
});

test('--timeout kills a worker whose event loop is blocked, and the server recovers', {
  timeout: 30_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/event-loop-blocker.ts`, '-b', `127.0.0.1:${port}`, '-t', '1']);
  try {
    const [, pid] = await tsgi.waitForOutput(/Booting worker with pid: (\d+)/);
    const blocked = get(port, '/block').then(
      (reply) => reply.status,
      () => 'connection lost',
    );
    await tsgi.waitForOutput(new RegExp(`WORKER TIMEOUT \\(pid:${pid}\\)`), 5_000);
    assert.equal(await blocked, 'connection lost');
    await tsgi.waitForOutput(/(?:Booting worker with pid: \d+[\s\S]*){2}/);
    let reply = await get(port).catch(() => null);
    for (let i = 0; i < 20 && reply?.status !== 200; i++) {
      await sleep(100);
      reply = await get(port).catch(() => null);
    }
    assert.equal(reply?.status, 200);
    assert.notEqual(reply?.body, pid);
  } finally {
    await tsgi.kill();
  }
});

for (const [path, logged] of [
  [
    '/throw',
    /uncaught exception in the app, outside any request; replacing this worker[\s\S]*stray throw from a timer/,
  ],
  [
    '/reject',
    /unhandled promise rejection in the app, outside any request; replacing this worker[\s\S]*stray rejection/,
  ],
] as const) {
  test(`an app error outside any request (${path}) is logged and the worker replaced, its requests finishing`, {
    timeout: 30_000,
  }, async () => {
    const port = await freePort();
    const tsgi = await startTsgi([`${APPS}/stray-error.ts`, '-b', `127.0.0.1:${port}`]);
    try {
      const slow = get(port, '/?ms=1500'); // in flight on the same worker when the error comes
      await sleep(200);
      const first = await get(port, path);
      assert.equal(first.status, 200);
      await tsgi.waitForOutput(logged);
      const reply = await slow;
      assert.equal(reply.status, 200, 'the request in flight finished');
      assert.match(reply.body, /done after 1500 ms/);
      await tsgi.waitForOutput(/(?:Booting worker with pid: \d+[\s\S]*){2}/);
      await tsgi.waitForOutput(/Worker exited \(pid:\d+\)/);
      const after = await get(port);
      assert.equal(after.status, 200);
      assert.notEqual(after.body.split(' ')[0], first.body.split(' ')[0], 'served by the replacement');
      assert.doesNotMatch(tsgi.output, /exited with code/);
    } finally {
      await tsgi.kill();
    }
  });
}

test('workers run with the larger young generation (docs/benchmarks.md)', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`, '-w', '1']);
  try {
    const [pid] = await pidsServing(port, 1);
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.ok(argv.includes(`--max-semi-space-size=${WORKER_SEMI_SPACE_MIB}`), argv.join(' '));
  } finally {
    await tsgi.kill();
  }
});
