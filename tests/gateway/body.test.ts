// The response body (S12, S13, S15): every kind of body an app may return, write(), bad chunks, file wrappers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContractError } from '../../src/gateway/index.js';
import { TestClient, validator } from '../../src/testing/index.js';
import { returnsBareBytes, returnsString, yieldsString } from '../apps/contract/bad-apps.js';
import { fileWrapperApp } from '../apps/contract/file-wrapper-body.js';
import { application as hello } from '../apps/contract/hello.js';
import {
  asyncGeneratorBody,
  generatorBody,
  promiseBody,
  writesOnly,
  writesThenYields,
} from '../apps/contract/streaming-bodies.js';

test('an array body is sent whole, its length known before the first byte', async () => {
  const app = validator(hello);
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.equal(response.text(), 'Hello, world!\n');
  assert.equal(response.knownLength, 14);
});

test('a generator body is sent chunk by chunk, in order', async () => {
  const app = validator(generatorBody);
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.equal(response.text(), 'abc');
  assert.equal(response.knownLength, undefined);
});

test('an async generator body is sent chunk by chunk, in order', async () => {
  const app = validator(asyncGeneratorBody);
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.equal(response.text(), 'xy');
});

test('an async app returning a Promise of its body is awaited', async () => {
  const app = validator(promiseBody);
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.equal(response.statusLine, '201 Created');
  assert.equal(response.text(), 'made');
  assert.equal(
    response.knownLength,
    4,
    'an array known in full has a length, resolved from a promise or not',
  );
});

test('write() sends its bytes as part of the body', async () => {
  const app = validator(writesOnly);
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.equal(response.status, 200);
  assert.equal(response.text(), 'first,second');
});

test('bytes passed to write() go out before the ones the body yields', async () => {
  const app = validator(writesThenYields);
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.equal(response.text(), 'written,yielded');
});

test('a string chunk is answered with 500 and the catalog message', async () => {
  const response = await new TestClient(yieldsString).get('/');
  assert.equal(response.status, 500);
  const error = response.reported[0].error;
  assert.ok(error instanceof ContractError);
  assert.equal(error.code, 'TSGI_BAD_CHUNK');
  assert.match(error.message, /the body yielded a string \("not bytes"\).*must be Uint8Array \(PEP 3333 S13/);
});

test('a string returned as the body is answered with 500 and TSGI_BAD_BODY', async () => {
  const response = await new TestClient(returnsString).get('/');
  assert.equal(response.status, 500);
  const error = response.reported[0].error;
  assert.ok(error instanceof ContractError);
  assert.equal(error.code, 'TSGI_BAD_BODY');
});

test('bare bytes returned as the body are answered with 500, not sent', async () => {
  const response = await new TestClient(returnsBareBytes).get('/');
  assert.equal(response.status, 500);
  assert.ok(response.reported[0].error instanceof ContractError);
});

test('a wsgi.file_wrapper body is iterated in blocks when the server has no file fast path', async () => {
  const { app, file } = fileWrapperApp('0123456789', 4);
  const checked = validator(app);
  const response = await new TestClient(checked).get('/');
  checked.assertValid();
  assert.equal(response.text(), '0123456789');
  assert.equal(file.closed, true);
});

test('a bare Uint8Array body is refused by name, with the fix in the message', async () => {
  const response = await new TestClient(returnsBareBytes).get('/');
  assert.equal(response.status, 500);
  assert.match(response.errors.join('\n'), /bare Uint8Array \(wrap it in an array: \[bytes\]\)/);
});
