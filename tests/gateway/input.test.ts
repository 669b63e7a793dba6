// environ['wsgi.input'] (S5), through the test client and the validator: every read method, chunk boundaries,
// end of body; and S16: reading is what would send `100 Continue`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Input } from '../../src/gateway/index.js';
import { BodyInput, bytesSource } from '../../src/gateway/index.js';
import { TestClient, type TestRequest, validator } from '../../src/testing/index.js';
import { echoBody, inputEcho } from '../apps/contract/echo-input.js';
import { application as hello } from '../apps/contract/hello.js';

async function partsRead(
  body: TestRequest['body'],
  read: (input: Input) => Promise<Uint8Array[]>,
): Promise<string[]> {
  const app = validator(inputEcho(read));
  const response = await new TestClient(app).request({ method: 'POST', body });
  app.assertValid();
  assert.equal(response.status, 200, response.errors.join('\n'));
  return response.json() as string[];
}

const enc = (s: string) => new TextEncoder().encode(s);

test('read() returns the whole body', async () => {
  assert.deepEqual(await partsRead('hello body', async (i) => [await i.read()]), ['hello body']);
});

test('read() returns bytes exactly, including non-UTF-8 ones', async () => {
  const app = validator(echoBody);
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
  const response = await new TestClient(app).post('/', bytes);
  app.assertValid();
  assert.deepEqual(response.body, bytes);
});

test('read(n) returns at most n bytes and continues where it stopped', async () => {
  const parts = await partsRead('abcdefg', async (i) => [await i.read(3), await i.read(3), await i.read(3)]);
  assert.deepEqual(parts, ['abc', 'def', 'g']);
});

test('read(0) returns empty bytes and consumes nothing', async () => {
  assert.deepEqual(await partsRead('abc', async (i) => [await i.read(0), await i.read()]), ['', 'abc']);
});

test('read() at the end of the body returns empty bytes, every time', async () => {
  const parts = await partsRead('abc', async (i) => [await i.read(), await i.read(), await i.read(10)]);
  assert.deepEqual(parts, ['abc', '', '']);
});

test('read() of a request without a body returns empty bytes', async () => {
  const app = validator(inputEcho(async (i) => [await i.read()]));
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.deepEqual(response.json(), ['']);
});

test('read(n) crosses chunk boundaries as one stream', async () => {
  const parts = await partsRead(['ab', 'cd', 'ef'], async (i) => [await i.read(), await i.read()]);
  assert.deepEqual(parts, ['abcdef', '']);
});

test('readline() returns one line including its newline', async () => {
  const parts = await partsRead('one\ntwo\n', async (i) => [await i.readline(), await i.readline()]);
  assert.deepEqual(parts, ['one\n', 'two\n']);
});

test('readline() returns a last line without newline, then empty bytes', async () => {
  const parts = await partsRead('one\nlast', async (i) => [
    await i.readline(),
    await i.readline(),
    await i.readline(),
  ]);
  assert.deepEqual(parts, ['one\n', 'last', '']);
});

test('readline(n) stops after n bytes and the rest of the line follows', async () => {
  const parts = await partsRead('abcdef\nx', async (i) => [
    await i.readline(4),
    await i.readline(),
    await i.readline(4),
  ]);
  assert.deepEqual(parts, ['abcd', 'ef\n', 'x']);
});

test('readline() finds a newline across chunks', async () => {
  const parts = await partsRead(['ab', 'c\nd', 'e\n'], async (i) => [await i.readline(), await i.readline()]);
  assert.deepEqual(parts, ['abc\n', 'de\n']);
});

test('readlines() returns every line', async () => {
  assert.deepEqual(await partsRead('a\nbb\nccc', async (i) => i.readlines()), ['a\n', 'bb\n', 'ccc']);
});

test('readlines(hint) stops once hint bytes have been read', async () => {
  const parts = await partsRead('aa\nbb\ncc\n', async (i) => [
    ...(await i.readlines(4)),
    enc('|'),
    await i.read(),
  ]);
  assert.deepEqual(parts, ['aa\n', 'bb\n', '|', 'cc\n']);
});

test('async iteration over wsgi.input yields lines', async () => {
  const parts = await partsRead(['x\ny', '\nz'], async (i) => {
    const lines: Uint8Array[] = [];
    for await (const line of i) lines.push(line);
    return lines;
  });
  assert.deepEqual(parts, ['x\n', 'y\n', 'z']);
});

test('an app that reads wsgi.input marks the request read (where 100 Continue is sent)', async () => {
  const response = await new TestClient(echoBody).request({
    method: 'POST',
    body: 'data',
    headers: { Expect: '100-continue' },
  });
  assert.equal(response.inputRead, true);
});

test('an app that never reads wsgi.input leaves the request unread (no 100 Continue)', async () => {
  const response = await new TestClient(hello).request({
    method: 'POST',
    body: 'data',
    headers: { Expect: '100-continue' },
  });
  assert.equal(response.inputRead, false);
});

test('BodyInput runs its first-read hook once, before the first read of any kind', async () => {
  let calls = 0;
  const input = new BodyInput(bytesSource([enc('a\nb')]), () => calls++);
  assert.equal(calls, 0);
  await input.readline();
  await input.read();
  await input.readlines();
  assert.equal(calls, 1);
});

test('BodyInput skips empty chunks from its source', async () => {
  const input = new BodyInput(bytesSource([new Uint8Array(0), enc('ab'), new Uint8Array(0), enc('c')]));
  assert.deepEqual(await input.read(5), enc('ab'));
  assert.deepEqual(await input.read(5), enc('c'));
  assert.deepEqual(await input.read(5), new Uint8Array(0));
});

test('read() and readline() refuse a fractional size instead of losing a byte', async () => {
  const input = new BodyInput(bytesSource([enc('abcdef')]));
  await assert.rejects(input.read(1.5), TypeError);
  await assert.rejects(input.readline(2.5), TypeError);
  assert.equal(new TextDecoder().decode(await input.read()), 'abcdef');
});

test('emptyInput (a request without a body) is at its end for every read method', async () => {
  const { emptyInput } = await import('../../src/gateway/index.js');
  assert.equal((await emptyInput.read()).length, 0);
  assert.equal((await emptyInput.read(10)).length, 0);
  assert.equal((await emptyInput.readline()).length, 0);
  assert.deepEqual(await emptyInput.readlines(), []);
  for await (const _line of emptyInput) assert.fail('no lines expected');
});
