// The arbiter's wake-up queue: an event wakes the loop at once; otherwise the tick does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventQueue } from '../../src/supervisor/wakeup.js';

test('queued events are handed over in order, all at once', async () => {
  const queue = new EventQueue<number>();
  queue.push(1);
  queue.push(2);
  assert.deepEqual(await queue.next(1000), [1, 2]);
});

test('a push wakes a waiting loop before the tick', async () => {
  const queue = new EventQueue<string>();
  const started = Date.now();
  setTimeout(() => queue.push('signal'), 20);
  assert.deepEqual(await queue.next(5000), ['signal']);
  assert.ok(Date.now() - started < 1000);
});

test('with nothing queued, the tick returns an empty batch', async () => {
  assert.deepEqual(await new EventQueue<string>().next(10), []);
});
