// environ['wsgi.early_hints'] (Gunicorn >= 23): a Python app's hints reach the client as 103 Early Hints before
// the final response (RFC 8297), read off a raw socket so the interim responses are seen as sent.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { header, headerValues, RawConnection, rawRequest } from '../http/support/raw-connection.js';
import { type ServerProcess, skipPython, startTsgi } from './support/server-process.js';

describe('wsgi.early_hints under the tsgi CLI', { skip: skipPython, timeout: 60_000 }, () => {
  let tsgi: ServerProcess;
  before(async () => {
    tsgi = await startTsgi('early_hints:application');
  });
  after(async () => {
    await tsgi?.kill();
  });

  test('each call sends a 103 with its Link headers, before the final response', async () => {
    const connection = await RawConnection.open(tsgi.port);
    try {
      await connection.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      const first = await connection.readResponse();
      assert.equal(first.statusLine, 'HTTP/1.1 103 Early Hints', tsgi.tail());
      assert.deepEqual(headerValues(first, 'link'), ['</style.css>; rel=preload; as=style']);
      const second = await connection.readResponse();
      assert.equal(second.status, 103);
      assert.equal(
        header(second, 'link'),
        '</app.js>; rel=preload; as=script, </font.woff2>; rel=preload; as=font',
      );
      const final = await connection.readResponse();
      assert.equal(final.status, 200);
      assert.equal(final.body.toString(), 'ok\n');
    } finally {
      connection.close();
    }
  });

  test('an HTTP/1.0 client gets no 103 (HTTP/1.0 has no interim responses)', async () => {
    const res = await rawRequest(tsgi.port, 'GET / HTTP/1.0\r\nHost: x\r\n\r\n');
    assert.equal(res.status, 200, tsgi.tail());
    assert.equal(res.body.toString(), 'ok\n');
  });

  test('a hint after the response has begun is ignored and the response stays whole', async () => {
    const res = await rawRequest(tsgi.port, 'GET /late HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(res.status, 200, tsgi.tail());
    assert.equal(res.body.toString(), 'first\nsecond\n');
    assert.ok(!res.raw.includes('103'), res.raw.toString('latin1'));
  });

  test('a header name that is not a token raises ValueError in the app', async () => {
    const res = await rawRequest(tsgi.port, 'GET /bad-name HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(res.status, 200, tsgi.tail());
    assert.equal(res.body.toString(), 'ValueError');
  });

  test('hints without a Link header send no 103', async () => {
    const res = await rawRequest(tsgi.port, 'GET /no-link HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(res.status, 200, tsgi.tail());
    assert.equal(res.body.toString(), 'ok\n');
  });
});
