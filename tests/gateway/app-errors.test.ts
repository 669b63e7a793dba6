// What the client and the error report get when an app raises (PEP 3333 "Error Handling", S19): a generic 500
// before the headers, an aborted response after them; the stack always goes to the error report.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClient, validator } from '../../src/testing/index.js';
import {
  emptyChunksThenThrows,
  rejectsAfterStartResponse,
  throwsAfterFirstChunk,
  throwsImmediately,
} from '../apps/contract/failing-apps.js';

test('an app error before the headers gives a generic 500 page and the stack in the error report', async () => {
  const app = validator(throwsImmediately);
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.equal(response.statusLine, '500 Internal Server Error');
  assert.deepEqual(response.headers, [
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Length', '26'],
  ]);
  assert.equal(response.text(), '500 Internal Server Error\n');
  assert.equal(response.reported[0].phase, 'before-headers');
  assert.match(response.errors.join('\n'), /\[before-headers\] Error: boom before anything\n\s+at /);
});

test('a rejected async app gives a generic 500 page', async () => {
  const app = validator(rejectsAfterStartResponse);
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.equal(response.status, 500);
  assert.match(response.errors.join('\n'), /boom in async app/);
});

test('an app error after empty chunks is still before the headers', async () => {
  const response = await new TestClient(validator(emptyChunksThenThrows)).get('/');
  assert.equal(response.status, 500);
  assert.equal(response.aborted, false);
});

test('an app error after the headers aborts the response and reports the stack', async () => {
  const app = validator(throwsAfterFirstChunk);
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.equal(response.status, 200);
  assert.equal(response.text(), 'partial');
  assert.equal(response.aborted, true);
  assert.equal(response.ended, false);
  assert.match(String(response.abortError), /boom after headers/);
  assert.equal(response.reported[0].phase, 'after-headers');
  assert.match(response.errors.join('\n'), /\[after-headers\] Error: boom after headers\n\s+at /);
});
