// Persistent connections (RFC 9112 §9.3) and the headers every response carries.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Application } from '../../src/gateway/index.js';
import { hello } from '../apps/http/hello.js';
import { header, headerValues, RawConnection } from './support/raw-connection.js';
import { serve } from './support/serve.js';

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

describe('keep-alive', { timeout: 10_000 }, () => {
  test('two requests on one socket get two responses', async () => {
    const served = await serve(hello);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const first = await connection.readResponse();
      await connection.send(GET);
      const second = await connection.readResponse();
      assert.equal(first.body.toString(), 'hello');
      assert.equal(second.body.toString(), 'hello');
      assert.equal(connection.closed, false);
      assert.equal(served.calls, 2);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('two pipelined requests sent at once get two responses in order', async () => {
    const app: Application = (environ, startResponse) => {
      startResponse('200 OK', []);
      return [new TextEncoder().encode(environ.PATH_INFO)];
    };
    const served = await serve(app);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.equal((await connection.readResponse()).body.toString(), '/one');
      assert.equal((await connection.readResponse()).body.toString(), '/two');
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('pipelined requests run one at a time, in order', async () => {
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const app: Application = async (environ, startResponse) => {
      running++;
      most = Math.max(most, running);
      order.push(environ.PATH_INFO);
      await new Promise((resolve) => setTimeout(resolve, 10));
      running--;
      startResponse('200 OK', []);
      return [new TextEncoder().encode(environ.PATH_INFO)];
    };
    const served = await serve(app);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(['/1', '/2', '/3'].map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
      for (const p of ['/1', '/2', '/3']) assert.equal((await connection.readResponse()).body.toString(), p);
      assert.deepEqual(order, ['/1', '/2', '/3']);
      assert.equal(most, 1);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test("a request pipelined after the client's Connection: close is never processed", async () => {
    const served = await serve(hello);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(`GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n${GET}`);
      assert.equal((await connection.readResponse()).body.toString(), 'hello');
      assert.equal(await connection.waitForClose(1000), true);
      assert.equal(connection.pending.length, 0);
      assert.equal(served.calls, 1);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('keepAlive 0 closes the connection after each response', async () => {
    const served = await serve(hello, { keepAlive: 0 });
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.equal(response.body.toString(), 'hello');
      assert.equal(header(response, 'connection'), 'close');
      assert.equal(await connection.waitForClose(1000), true);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('an idle keep-alive connection is closed after keepAlive seconds', async () => {
    const served = await serve(hello, { keepAlive: 0.3 });
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      await connection.readResponse();
      const idleSince = Date.now();
      assert.equal(await connection.waitForClose(200), false, 'closed before the keep-alive timeout');
      assert.equal(await connection.waitForClose(3000), true, 'still open long after the keep-alive timeout');
      const idle = Date.now() - idleSince;
      assert.ok(idle >= 250 && idle < 3000, `closed after ${idle} ms`);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('an HTTP/1.0 request without Connection: keep-alive is answered and closed', async () => {
    const served = await serve(hello);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('GET / HTTP/1.0\r\n\r\n');
      const response = await connection.readResponse();
      assert.equal(response.body.toString(), 'hello');
      assert.equal(await connection.waitForClose(1000), true);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('every response carries Date and Server: tsgi', async () => {
    const served = await serve(hello);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.deepEqual(headerValues(response, 'server'), ['tsgi']);
      const date = header(response, 'date');
      assert.ok(
        date && /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/.test(date),
        `Date: ${date}`,
      );
    } finally {
      connection.close();
      await served.close();
    }
  });

  test("the app's own Server header wins", async () => {
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['Server', 'my-app/1.0']]);
      return [];
    };
    const served = await serve(app);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.deepEqual(headerValues(response, 'server'), ['my-app/1.0']);
    } finally {
      connection.close();
      await served.close();
    }
  });
});
