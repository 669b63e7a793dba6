// start_response (S8–S11) as the one state machine runs it: status and headers, when they go out, calling it
// twice, and excInfo before and after the headers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Application, ContractError } from '../../src/gateway/index.js';
import { TestClient, validator } from '../../src/testing/index.js';
import {
  neverStarts,
  startsTwice,
  withHeaders,
  withStatus,
  yieldsBeforeStarting,
} from '../apps/contract/bad-apps.js';
import { excInfoAfterHeaders, replacesStatusBeforeHeaders } from '../apps/contract/exc-info-apps.js';
import { emptyChunksThenThrows } from '../apps/contract/failing-apps.js';
import { application as hello } from '../apps/contract/hello.js';
import { emptyChunksOnly, startsInFirstIteration } from '../apps/contract/streaming-bodies.js';

function codeOf(error: unknown): string | undefined {
  return error instanceof ContractError ? error.code : undefined;
}

test('status and headers reach the client as the app gave them', async () => {
  const app = validator(hello);
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.equal(response.status, 200);
  assert.equal(response.statusText, 'OK');
  assert.deepEqual(response.headers, [['Content-Type', 'text/plain; charset=utf-8']]);
  assert.equal(response.text(), 'Hello, world!\n');
  assert.equal(response.ended, true);
});

test('start_response may be called on the first iteration of the body', async () => {
  const app = validator(startsInFirstIteration);
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.equal(response.status, 200);
  assert.equal(response.text(), 'one,two');
});

test('headers are not sent before the first non-empty chunk: empty chunks then an error still give a clean 500', async () => {
  const app = validator(emptyChunksThenThrows);
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.equal(response.status, 500);
  assert.equal(response.header('X-Not-Sent'), undefined);
  assert.equal(response.aborted, false);
  assert.equal(response.reported[0].phase, 'before-headers');
  assert.match(response.errors.join('\n'), /boom after empty chunks/);
});

test('a body of only empty chunks sends the head when the body ends', async () => {
  const app = validator(emptyChunksOnly);
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.equal(response.status, 204);
  assert.equal(response.body.length, 0);
  assert.equal(response.ended, true);
});

test('a second start_response without excInfo is an error answered with 500', async () => {
  const response = await new TestClient(startsTwice).get('/');
  assert.equal(response.status, 500);
  assert.equal(codeOf(response.reported[0].error), 'TSGI_START_RESPONSE_TWICE');
});

test('start_response with excInfo before the headers went out replaces status and headers', async () => {
  const app = validator(replacesStatusBeforeHeaders);
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.equal(response.statusLine, '500 Oops');
  assert.deepEqual(response.headers, [['Content-Type', 'text/plain']]);
  assert.equal(response.text(), 'custom error page');
  assert.deepEqual(response.reported, []);
});

test('start_response with excInfo after the headers went out re-raises, and the response is aborted', async () => {
  const app = validator(excInfoAfterHeaders);
  const response = await new TestClient(app).get('/');
  app.assertValid();
  assert.equal(response.status, 200);
  assert.equal(response.text(), 'first chunk');
  assert.equal(response.aborted, true);
  assert.equal(response.ended, false);
  assert.equal(response.reported[0].phase, 'after-headers');
  assert.match(String(response.reported[0].error), /failed mid-body/);
});

test('an invalid status is answered with 500 and TSGI_BAD_STATUS', async () => {
  for (const status of ['200', 'OK', 200, '20 OK', '200 OK\r\nX: y']) {
    const response = await new TestClient(withStatus(status)).get('/');
    assert.equal(response.status, 500, String(status));
    assert.equal(codeOf(response.reported[0].error), 'TSGI_BAD_STATUS', String(status));
  }
});

test('a 1xx status (not final) or one past 599 (RFC 9110 §15) is answered with 500 and TSGI_BAD_STATUS', async () => {
  // Sent as the final status it would be read as interim, and the next response taken for this one's.
  for (const status of [
    '100 Continue',
    '101 Switching Protocols',
    '102 Processing',
    '103 Early Hints',
    '600 Beyond',
    '999 X',
  ]) {
    const response = await new TestClient(withStatus(status)).get('/');
    assert.equal(response.status, 500, status);
    assert.equal(codeOf(response.reported[0].error), 'TSGI_BAD_STATUS', status);
  }
});

test('a write() callable kept past its response raises TSGI_WRITE_AFTER_END, in the later request that calls it', async () => {
  let kept: ((chunk: Uint8Array) => void | Promise<void>) | undefined;
  const app: Application = (environ, startResponse) => {
    const write = startResponse('200 OK', [['Content-Type', 'text/plain']]);
    if (environ.PATH_INFO === '/first') {
      kept = write;
      return [new TextEncoder().encode('first')];
    }
    kept?.(new TextEncoder().encode('stale'));
    return [new TextEncoder().encode('second')];
  };
  const client = new TestClient(app);
  assert.equal((await client.get('/first')).text(), 'first');
  const second = await client.get('/second');
  assert.equal(second.status, 500);
  assert.equal(codeOf(second.reported[0].error), 'TSGI_WRITE_AFTER_END');
  assert.doesNotMatch(second.text(), /stale/);
});

test('two Content-Length headers that disagree are answered with 500 and TSGI_BAD_HEADER; a repeat is not', async () => {
  const app =
    (headers: Array<[string, string]>): Application =>
    (_environ, startResponse) => {
      startResponse('200 OK', headers);
      return [new TextEncoder().encode('abcde')];
    };
  const conflicting = await new TestClient(
    app([
      ['Content-Length', '3'],
      ['Content-Length', '5'],
    ]),
  ).get('/');
  assert.equal(conflicting.status, 500);
  assert.equal(codeOf(conflicting.reported[0].error), 'TSGI_BAD_HEADER');
  assert.match(String(conflicting.reported[0].error), /two Content-Length headers disagree \(3 and 5\)/);
  const repeated = await new TestClient(
    app([
      ['Content-Length', '5'],
      ['content-length', '5'],
    ]),
  ).get('/');
  assert.equal(repeated.status, 200);
});

test('an invalid header is answered with 500 and TSGI_BAD_HEADER', async () => {
  const bad: unknown[] = [
    'Content-Type: text/plain',
    [['Content-Type']],
    [['Bad Name', 'v']],
    [['X-Split', 'a\r\nInjected: yes']],
    [['X-Wide', '€']],
  ];
  for (const headers of bad) {
    const response = await new TestClient(withHeaders(headers)).get('/');
    assert.equal(response.status, 500, JSON.stringify(headers));
    assert.equal(codeOf(response.reported[0].error), 'TSGI_BAD_HEADER', JSON.stringify(headers));
  }
});

test('a body that ends without start_response is answered with 500 and TSGI_NO_START_RESPONSE', async () => {
  const response = await new TestClient(neverStarts).get('/');
  assert.equal(response.status, 500);
  assert.equal(codeOf(response.reported[0].error), 'TSGI_NO_START_RESPONSE');
});

test('body data before start_response is answered with 500 and TSGI_BODY_BEFORE_START_RESPONSE', async () => {
  const response = await new TestClient(yieldsBeforeStarting).get('/');
  assert.equal(response.status, 500);
  assert.equal(codeOf(response.reported[0].error), 'TSGI_BODY_BEFORE_START_RESPONSE');
});

test('the 500 page is generic: the error details go only to the error report', async () => {
  const response = await new TestClient(startsTwice).get('/');
  assert.equal(response.text(), '500 Internal Server Error\n');
  assert.doesNotMatch(response.text(), /start_response/);
  assert.match(response.errors.join('\n'), /start_response was called a second time/);
});

test('a status with characters outside latin-1 is a contract error answered with a clean 500', async () => {
  const response = await new TestClient(withStatus('200 Ωμέγα')).get('/');
  assert.equal(response.status, 500);
  assert.match(response.errors.join('\n'), /TSGI_BAD_STATUS|invalid status/);
});

test('a status without a reason phrase is a contract error', async () => {
  const response = await new TestClient(withStatus('200 ')).get('/');
  assert.equal(response.status, 500);
});

test('a second start_response without excInfo is an error even when the first one raised', async () => {
  let second: unknown;
  const app = (_environ: unknown, startResponse: (s: string, h: Array<[string, string]>) => unknown) => {
    try {
      startResponse('bad status', []);
    } catch {}
    try {
      startResponse('200 OK', []);
    } catch (error) {
      second = error;
    }
    return [];
  };
  await new TestClient(app as never).get('/');
  assert.equal(codeOf(second), 'TSGI_START_RESPONSE_TWICE');
});
