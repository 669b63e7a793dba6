// The response of one Python request as Node hands it to the writer (src/runtimes/python/call.ts): body chunks
// that arrived together go out together.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CallHost, RemoteCall } from '../../../src/runtimes/python/call.js';
import { collectGarbage } from '../../support/gc.js';

const host: CallHost = { abort: () => {}, credit: () => {}, fileReply: () => {} };

function call(): RemoteCall {
  return new RemoteCall(1, Buffer.alloc(0), host, () => {});
}

async function chunksOf(c: RemoteCall): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of c.body()) out.push(chunk);
  return out;
}

test('a whole response of many small chunks is handed over as one chunk', () => {
  const c = call();
  c.onHeaders(['200 OK']);
  for (let i = 0; i < 1000; i++) c.onBody(Buffer.from([i & 0xff]));
  c.onEnd();
  const complete = c.complete;
  assert.ok(complete);
  assert.equal(complete.length, 1);
  assert.deepEqual(
    [...complete[0]],
    Array.from({ length: 1000 }, (_, i) => i & 0xff),
  );
});

test('small chunks that arrived together while a body streams are sent as one', async () => {
  const c = call();
  c.onHeaders(['200 OK']);
  const got: number[] = [];
  const reading = (async () => {
    for await (const chunk of c.body()) got.push(chunk.length);
  })();
  await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 1000; i++) c.onBody(Buffer.from([i & 0xff]));
  c.onEnd();
  await reading;
  assert.deepEqual(got, [1000]);
});

test('after COMPLETE the body ends and the worker is not told to stop (it is running close())', async () => {
  const aborted: number[] = [];
  const c = new RemoteCall(1, Buffer.alloc(0), { ...host, abort: (x) => aborted.push(x.id) }, () => {});
  c.onHeaders(['200 OK']);
  c.onBody(Buffer.from('whole'));
  const reading = (async () => {
    const out: string[] = [];
    for await (const chunk of c.body()) out.push(Buffer.from(chunk).toString());
    return out.join('');
  })();
  await new Promise((resolve) => setImmediate(resolve));
  c.onComplete();
  assert.equal(await reading, 'whole');
  c.close();
  assert.deepEqual(aborted, []);
  assert.equal(c.settled, false, 'END has not come yet');
});

test('a failure after COMPLETE goes to lateFailure, not into the finished body', async () => {
  const late: string[] = [];
  const c = call();
  c.lateFailure = (error) => late.push(error.message);
  c.onHeaders(['200 OK']);
  c.onBody(Buffer.from('whole'));
  c.onComplete();
  assert.deepEqual(
    c.complete?.map((b) => Buffer.from(b).toString()),
    ['whole'],
  );
  c.fail(new Error('close() ran past --timeout'));
  assert.deepEqual(late, ['close() ran past --timeout']);
});

test('a long stream that never drains whole does not keep the chunks already sent', async () => {
  // The worker keeps the queue a window deep while the client reads: it never empties, so its taken slots must not
  // hold what was sent (a 2 GB export to a slow client would stay in memory).
  const c = call();
  c.onHeaders(['200 OK']);
  const body = (c.body() as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const refs: Array<WeakRef<object>> = [];
  const add = (round: number) => {
    for (let k = 0; k < 8; k++) {
      const chunk = Buffer.alloc(8192, round & 0xff);
      if (k === 0 && (round === 10 || round === 600 || round === 1900)) refs.push(new WeakRef(chunk));
      c.onBody(chunk);
    }
  };
  for (let round = 0; round < 4; round++) add(round); // 32 chunks of 8 KiB queued
  for (let round = 4; round < 2000; round++) {
    await body.next(); // takes 64 KiB: 8 chunks
    add(round);
  }
  await new Promise((resolve) => setImmediate(resolve)); // WeakRefs made in a job hold until it ends
  collectGarbage();
  assert.deepEqual(
    refs.map((ref) => ref.deref() === undefined),
    [true, true, true],
  );
  c.onEnd();
});

test('chunks are joined up to 64 KiB at a time, in order', async () => {
  const c = call();
  c.onHeaders(['200 OK']);
  const sent = Buffer.alloc(200_000);
  for (let i = 0; i < sent.length; i += 100) {
    sent.fill(i / 100, i, i + 100);
    c.onBody(sent.subarray(i, i + 100));
  }
  c.onEnd();
  const chunks = await chunksOf(c);
  assert.ok(chunks.length >= 3 && chunks.length <= 4, `${chunks.length} chunks`);
  assert.ok(chunks.every((chunk) => chunk.length <= 64 * 1024 + 100));
  assert.deepEqual(Buffer.concat(chunks), sent);
});

test('a few chunks of a complete response are handed over as they are, without copying', () => {
  const c = call();
  c.onHeaders(['200 OK']);
  const parts = [Buffer.from('Hello, '), Buffer.from('World!')];
  for (const part of parts) c.onBody(part);
  c.onEnd();
  const complete = c.complete;
  assert.ok(complete);
  assert.equal(complete.length, 2);
  assert.equal(complete[0], parts[0]);
});

test('chunks that arrive while the body is being sent are taken as they come', async () => {
  const c = call();
  c.onHeaders(['200 OK']);
  c.onBody(Buffer.from('a'));
  const got: string[] = [];
  const reading = (async () => {
    for await (const chunk of c.body()) got.push(Buffer.from(chunk).toString());
  })();
  await new Promise((resolve) => setImmediate(resolve));
  c.onBody(Buffer.from('b'));
  c.onBody(Buffer.from('c'));
  c.onEnd();
  await reading;
  assert.equal(got.join(''), 'abc');
  assert.equal(got[0], 'a');
});
