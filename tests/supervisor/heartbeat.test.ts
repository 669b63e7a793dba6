// The heartbeat: how often a worker beats, and when the arbiter considers it hung.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heartbeatInterval, isOverdue, startHeartbeat } from '../../src/supervisor/heartbeat.js';

test('a worker beats about four times per --timeout, at least every 5 s and at most every 100 ms', () => {
  assert.equal(heartbeatInterval(2), 500);
  assert.equal(heartbeatInterval(30), 5000);
  assert.equal(heartbeatInterval(0), 100);
});

test('a worker is overdue only after more than --timeout seconds of silence', () => {
  assert.equal(isOverdue(0, 30, 30_000), false);
  assert.equal(isOverdue(0, 30, 30_001), true);
});

test('--timeout 0 disables the check', () => {
  assert.equal(isOverdue(0, 0, 1e12), false);
});

test('starting the heartbeat beats at once, then on the interval until stopped', {
  timeout: 5_000,
}, async () => {
  let beats = 0;
  const stop = startHeartbeat(0.4, () => beats++);
  assert.equal(beats, 1);
  await new Promise((resolve) => setTimeout(resolve, 350));
  stop();
  const seen = beats;
  assert.ok(seen >= 3, `${seen} beats`);
  await new Promise((resolve) => setTimeout(resolve, 250));
  assert.equal(beats, seen);
});
