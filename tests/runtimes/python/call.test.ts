// The response of one Python request as Node hands it to the writer (src/runtimes/python/call.ts): body chunks
// that arrived together go out together.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CallHost, RemoteCall } from '../../../src/runtimes/python/call.js';

const host: CallHost = { abort: () => {}, credit: () => {}, fileReply: () => {} };

function call(): RemoteCall {
  return new RemoteCall(1, Buffer.alloc(0), host, () => {});
}

async function chunksOf(c: RemoteCall): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of c.body()) out.push(chunk);
  return out;
}

test('a body of many small chunks that arrived together is handed over as one chunk', async () => {
  const c = call();
  c.onHeaders(['200 OK']);
  for (let i = 0; i < 1000; i++) c.onBody(Buffer.from([i & 0xff]));
  c.onEnd();
  assert.equal(c.complete, undefined, 'not as an array of 1000 chunks');
  const chunks = await chunksOf(c);
  assert.equal(chunks.length, 1);
  assert.deepEqual(
    [...chunks[0]],
    Array.from({ length: 1000 }, (_, i) => i & 0xff),
  );
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
