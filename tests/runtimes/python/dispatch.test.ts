// How the pool spreads requests over its Python workers: deep queues for workers that answer fast (many requests
// per wake-up), none behind a request that runs long (docs/wire.md, "Queueing").
import assert from 'node:assert/strict';
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
});
