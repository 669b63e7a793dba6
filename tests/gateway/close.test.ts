// S14: the server calls the body's close() exactly once, however the request ended.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClient, validator } from '../../src/testing/index.js';
import { closingBodyApp } from '../apps/contract/closing-body.js';
import { throwsAfterFirstChunk } from '../apps/contract/failing-apps.js';

test('close() is called once after a complete response', async () => {
  const { app, probe } = closingBodyApp(['a', 'b']);
  const checked = validator(app);
  const response = await new TestClient(checked).get('/');
  checked.assertValid();
  assert.equal(response.text(), 'ab');
  assert.equal(probe.closed, 1);
  assert.equal(response.closeCalls, 1);
});

test('close() is called when the app raises before the headers', async () => {
  const { app, probe } = closingBodyApp(['a', 'b'], { throwAt: 0 });
  const checked = validator(app);
  const response = await new TestClient(checked).get('/');
  checked.assertValid();
  assert.equal(response.status, 500);
  assert.equal(probe.closed, 1);
});

test('close() is called when the app raises after the headers', async () => {
  const { app, probe } = closingBodyApp(['a', 'b', 'c'], { throwAt: 1 });
  const checked = validator(app);
  const response = await new TestClient(checked).get('/');
  checked.assertValid();
  assert.equal(response.aborted, true);
  assert.equal(probe.closed, 1);
});

test('close() is called, and iteration stops, when the client goes away mid-body', async () => {
  const { app, probe } = closingBodyApp(['a', 'b', 'c', 'd']);
  const checked = validator(app);
  const response = await new TestClient(checked).request({ disconnectAfter: 2 });
  checked.assertValid();
  assert.equal(response.text(), 'ab');
  // The state machine checks for a closed sink before each send, so it may pull one chunk it then drops.
  assert.ok(probe.pulled <= 3, `pulled ${probe.pulled} of 4 chunks`);
  assert.equal(probe.closed, 1);
  assert.equal(response.ended, false);
});

test('a generator body is finalised when the client goes away mid-body', async () => {
  let finalised = false;
  const app = validator((_environ, startResponse) => {
    startResponse('200 OK', []);
    return (function* () {
      try {
        for (;;) yield new Uint8Array([0x2e]);
      } finally {
        finalised = true;
      }
    })();
  });
  const response = await new TestClient(app).request({ disconnectAfter: 3 });
  app.assertValid();
  assert.equal(response.body.length, 3);
  assert.equal(finalised, true);
});

test('an error raised by close() is reported and does not change the response', async () => {
  const { app, probe } = closingBodyApp(['ok'], { closeThrows: true });
  const response = await new TestClient(app).get('/');
  assert.equal(response.status, 200);
  assert.equal(response.text(), 'ok');
  assert.equal(response.ended, true);
  assert.equal(probe.closed, 1);
  assert.equal(response.reported[0].phase, 'close');
  assert.match(response.errors.join('\n'), /\[close\] Error: close failed/);
});

test('the validator records that the server closed every body it was given', async () => {
  const checked = validator(throwsAfterFirstChunk);
  await new TestClient(checked).get('/');
  assert.equal(checked.unclosed, 0);
  checked.assertValid();
});
