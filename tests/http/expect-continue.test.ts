// Expect: 100-continue (RFC 9110 §10.1.1, PEP 3333 S16): `100 Continue` goes out only when the app first reads
// wsgi.input; an app that answers without reading never invites the body.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Application } from '../../src/gateway/index.js';
import { echoBody } from '../apps/http/echo-body.js';
import { header, RawConnection } from './support/raw-connection.js';
import { serve, sleep } from './support/serve.js';

const UPLOAD = 'POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n';

describe('Expect: 100-continue', { timeout: 10_000 }, () => {
  test('an app that reads wsgi.input gets the upload after 100 Continue is sent', async () => {
    const served = await serve(echoBody);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(UPLOAD);
      const interim = await connection.readResponse();
      assert.equal(interim.statusLine, 'HTTP/1.1 100 Continue');
      await connection.send('hello');
      const final = await connection.readResponse();
      assert.equal(final.status, 200);
      assert.equal(final.body.toString(), 'hello');
      // The body was invited and read: the connection carries on.
      await connection.send('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok');
      assert.equal((await connection.readResponse()).body.toString(), 'ok');
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('an app that answers without reading never sends 100 Continue, and its answer needs no body', async () => {
    const refuse: Application = (_environ, startResponse) => {
      startResponse('413 Content Too Large', [['Content-Type', 'text/plain']]);
      return [new TextEncoder().encode('too big')];
    };
    const served = await serve(refuse);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(UPLOAD);
      const final = await connection.readResponse(); // the body was never sent
      assert.equal(final.status, 413);
      assert.equal(final.body.toString(), 'too big');
      assert.ok(!final.raw.toString().includes('100 Continue'));
      // Whether the body follows is unknown, so the connection cannot be reused.
      assert.equal(header(final, 'connection'), 'close');
      assert.equal(await connection.waitForClose(1000), true);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('an app that reads late still gets the body: 100 Continue waits for the first read', async () => {
    const late: Application = async (environ, startResponse) => {
      await sleep(100);
      const body = await environ['wsgi.input'].read();
      startResponse('200 OK', []);
      return [body];
    };
    const served = await serve(late);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(UPLOAD);
      await sleep(50);
      assert.equal(connection.pending.length, 0, 'something was sent before the app read');
      assert.equal((await connection.readResponse()).status, 100);
      await connection.send('hello');
      assert.equal((await connection.readResponse()).body.toString(), 'hello');
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('a client that sends the body without waiting is read normally', async () => {
    const served = await serve(echoBody);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(`${UPLOAD}hello`);
      assert.equal((await connection.readResponse()).status, 100);
      assert.equal((await connection.readResponse()).body.toString(), 'hello');
    } finally {
      connection.close();
      await served.close();
    }
  });
});
