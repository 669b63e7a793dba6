// How the pool spreads requests over its Python workers: deep queues for workers that answer fast (many requests
// per wake-up), none behind a request that runs long (docs/wire.md, "Queueing").
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import {
  MAX_QUEUE,
  MIN_QUEUE,
  QUEUE_BUDGET_MS,
  queueDepth,
  STALL_MS,
} from '../../../src/runtimes/python/pool.js';
import { servePython, skipPython, sleep } from './support/python-server.js';

describe('queueDepth', () => {
  test('a worker without a pace yet gets the short queue', () => {
    assert.equal(queueDepth(1, undefined, 0), MIN_QUEUE);
  });

  test('a fast worker gets as many as it drains within the budget, up to the maximum', () => {
    assert.equal(queueDepth(1, QUEUE_BUDGET_MS / 10, 0), 10);
    assert.equal(queueDepth(1, 0.001, 0), MAX_QUEUE);
  });

  test('more threads drain a queue faster, so they may hold more', () => {
    assert.equal(queueDepth(4, QUEUE_BUDGET_MS / 5, 0), 20);
  });

  test('a slow worker still gets the short queue', () => {
    assert.equal(queueDepth(1, QUEUE_BUDGET_MS * 10, 0), MIN_QUEUE);
  });

  test('a worker whose oldest request runs past the stall limit gets nothing queued', () => {
    assert.equal(queueDepth(1, 0.01, STALL_MS + 1), 0);
    assert.equal(queueDepth(1, undefined, STALL_MS + 1), 0);
  });
});

describe('dispatch over real Python workers', { skip: skipPython, timeout: 20_000 }, () => {
  test('requests arriving while one worker runs a long request never wait behind it', async () => {
    const s = await servePython('slow', { workers: 2 });
    try {
      const long = fetch(`${s.origin}/sleep?2`).then(async (r) => ({
        status: r.status,
        text: await r.text(),
      }));
      await sleep(200); // the long request is now past STALL_MS
      const t0 = Date.now();
      const quick = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const r = await fetch(`${s.origin}/sleep?0.01`);
          await r.arrayBuffer();
          return { status: r.status, ms: Date.now() - t0 };
        }),
      );
      for (const q of quick) assert.equal(q.status, 200);
      const slowest = Math.max(...quick.map((q) => q.ms));
      assert.ok(slowest < 1500, `a quick request took ${slowest} ms: it waited behind the long one`);
      assert.equal((await long).status, 200);
    } finally {
      await s.close();
    }
  });

  /** A connected raw socket to the server. */
  async function open(origin: string): Promise<Socket> {
    const { hostname, port } = new URL(origin);
    const socket = connect(Number(port), hostname);
    socket.on('error', () => {});
    await once(socket, 'connect');
    return socket;
  }

  /** The whole response text once it contains `until`. */
  function readUntil(socket: Socket, until: string): Promise<string> {
    return new Promise((resolve) => {
      let text = '';
      socket.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        if (text.includes(until)) resolve(text);
      });
    });
  }

  const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

  const ran = (s: { logger: { lines: string[] } }, name: string) =>
    s.logger.lines.some((l) => l.includes(`ran ${name}`));

  test('requests queued to a worker just before its request turned slow are given back and served by another', async () => {
    const s = await servePython('slow', { workers: 2 });
    const sockets = await Promise.all(Array.from({ length: 7 }, () => open(s.origin)));
    try {
      // Written in one turn, they reach the pool together: the long one and, queued behind it on the same worker
      // (no pace yet: the short queue), some of the quick ones; the others go to the second worker.
      const answers = sockets.map((socket) => readUntil(socket, '\r\n\r\n'));
      const t0 = Date.now();
      sockets[0].write(get('/sleep?3'));
      for (const socket of sockets.slice(1)) socket.write(get('/sleep?0.01'));
      const quick = await Promise.all(
        answers.slice(1).map((a) => a.then((text) => ({ text, ms: Date.now() - t0 }))),
      );
      for (const q of quick) assert.match(q.text, /^HTTP\/1\.1 200 /);
      const slowest = Math.max(...quick.map((q) => q.ms));
      assert.ok(slowest < 1500, `a quick request took ${slowest} ms: it waited behind the long one`);
      assert.match(await answers[0], /^HTTP\/1\.1 200 /);
    } finally {
      for (const socket of sockets) socket.destroy();
      await s.close();
    }
  });

  test("a request whose client leaves while it waits in a worker's queue is never run", async () => {
    const s = await servePython('marks', { workers: 1 });
    const [x, a, left] = await Promise.all([open(s.origin), open(s.origin), open(s.origin)]);
    try {
      // All three at once: x runs, a and left are queued to the worker behind it (not yet stalled) and reach it
      // together when x ends; left's client leaves while a runs, so its ABORT comes after its REQUEST was read.
      const answers = [readUntil(x, 'done'), readUntil(a, 'done')];
      x.write(get('/?s=0.3&m=x'));
      a.write(get('/?s=0.3&m=a'));
      left.write(get('/?m=left'));
      await sleep(450);
      left.destroy();
      for (const answer of await Promise.all(answers)) assert.match(answer, /^HTTP\/1\.1 200 /);
      const after = await fetch(`${s.origin}/?m=after`);
      assert.equal(await after.text(), 'done');
      assert.ok(ran(s, 'x') && ran(s, 'a') && ran(s, 'after'));
      assert.ok(!ran(s, 'left'), 'the abandoned request ran');
    } finally {
      x.destroy();
      a.destroy();
      await s.close();
    }
  });

  test('a request whose client leaves while it waits in the pool is never run', async () => {
    const s = await servePython('marks', { workers: 1 });
    const left = await open(s.origin);
    try {
      const running = fetch(`${s.origin}/?s=0.6&m=first`).then((r) => r.text());
      await sleep(150); // the worker is stalled now: the next request waits in the pool
      left.write(get('/?m=left'));
      await sleep(100);
      left.destroy();
      assert.equal(await running, 'done');
      const after = await fetch(`${s.origin}/?m=after`);
      assert.equal(await after.text(), 'done');
      assert.ok(!ran(s, 'left'), 'the abandoned request ran');
    } finally {
      await s.close();
    }
  });
});
