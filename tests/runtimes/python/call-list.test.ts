// A Python worker's outstanding calls (src/runtimes/python/call-list.ts): in the order sent, found by id, and not
// kept alive by the list once removed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CallHost, RemoteCall } from '../../../src/runtimes/python/call.js';
import { CallList } from '../../../src/runtimes/python/call-list.js';
import { promotedBytes } from '../../support/gc.js';

const host: CallHost = { abort: () => {}, credit: () => {}, fileReply: () => {} };
const call = (id: number) => new RemoteCall(id, Buffer.alloc(0), host, () => {});

test('calls are listed in the order they were sent, the first being the oldest', () => {
  const list = new CallList();
  const calls = [call(7), call(3), call(9)];
  for (const c of calls) list.add(c);
  assert.equal(list.size, 3);
  assert.equal(list.first(), calls[0]);
  assert.deepEqual([...list], calls);
});

test('a call is found by its id until it is removed', () => {
  const list = new CallList();
  const [a, b] = [call(1), call(2)];
  list.add(a);
  list.add(b);
  assert.equal(list.get(2), b);
  list.delete(b);
  assert.equal(list.get(2), undefined);
  assert.equal(list.get(1), a);
  assert.equal(list.get(5), undefined);
});

test('removing a call from the middle keeps the others in order', () => {
  const list = new CallList();
  const calls = [call(1), call(2), call(3), call(4)];
  for (const c of calls) list.add(c);
  list.delete(calls[1]);
  assert.deepEqual([...list], [calls[0], calls[2], calls[3]]);
  assert.equal(list.first(), calls[0]);
});

test('clear() empties the list', () => {
  const list = new CallList();
  list.add(call(1));
  list.clear();
  assert.equal(list.size, 0);
  assert.equal(list.first(), undefined);
});

test('calls that came and went are not promoted to the old generation by the list', () => {
  // A worker's steady state: 32 outstanding, one in and one out per request. A Map here promoted every call
  // through its chain of obsolete tables (~30 MB for these 40,000; ~0.5 MB without it); removed calls must die young.
  const list = new CallList();
  const promoted = promotedBytes(40_000, (id) => {
    list.add(call(id));
    if (list.size > 32) list.delete(list.first() as RemoteCall);
  });
  assert.ok(promoted < 4_000_000, `${promoted} bytes promoted`);
});

test('with a gevent worker’s thousands of outstanding calls, each is found by its id, in and out of any order', () => {
  const list = new CallList();
  const calls = Array.from({ length: 2000 }, (_, i) => call(i * 7 + 1));
  for (const c of calls) list.add(c);
  for (const c of [...calls].reverse()) assert.equal(list.get(c.id), c);
  // Removed from the middle and the ends, down to a few: the rest are still found, and the removed are not.
  for (let i = 0; i < calls.length - 5; i++) list.delete(calls[(i * 37) % calls.length]);
  const left = [...list];
  for (const c of calls) assert.equal(list.get(c.id), left.includes(c) ? c : undefined);
  assert.deepEqual(
    left.map((c) => c.id),
    [...left].sort((a, b) => calls.indexOf(a) - calls.indexOf(b)).map((c) => c.id),
    'still in the order sent',
  );
  list.add(call(99_999));
  assert.equal(list.get(99_999)?.id, 99_999);
});
