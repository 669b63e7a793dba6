// wsgi.input over real sockets (PEP 3333 S5): Content-Length and chunked bodies, large uploads pulled with
// bounded memory, and a client that leaves mid-body.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { describe, test } from 'node:test';
import { type Application, ClientError } from '../../src/gateway/index.js';
import { echoBody } from '../apps/http/echo-body.js';
import { RawConnection } from './support/raw-connection.js';
import { serve, sleep, waitFor } from './support/serve.js';

describe('wsgi.input over HTTP', { timeout: 20_000 }, () => {
  test('a Content-Length body is read whole', async () => {
    const served = await serve(echoBody);
    try {
      const response = await fetch(served.origin, { method: 'POST', body: 'name=caf\u00e9' });
      assert.equal(await response.text(), 'name=caf\u00e9');
    } finally {
      await served.close();
    }
  });

  test('a chunked body is read to its end, with wsgi.input_terminated set', async () => {
    let terminated: unknown;
    let contentLength: unknown = 'unset';
    const app: Application = async (environ, startResponse) => {
      terminated = environ['wsgi.input_terminated'];
      contentLength = environ.CONTENT_LENGTH;
      const body = await environ['wsgi.input'].read();
      startResponse('200 OK', []);
      return [body];
    };
    const served = await serve(app);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
      await sleep(20);
      await connection.send('6\r\n world\r\n0\r\n\r\n');
      const response = await connection.readResponse();
      assert.equal(response.body.toString(), 'hello world');
      assert.equal(terminated, true);
      assert.equal(contentLength, undefined);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('readline and iteration work across packet boundaries', async () => {
    const app: Application = async (environ, startResponse) => {
      const lines: string[] = [];
      for await (const line of environ['wsgi.input']) lines.push(Buffer.from(line).toString());
      startResponse('200 OK', []);
      return [new TextEncoder().encode(JSON.stringify(lines))];
    };
    const served = await serve(app);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\nab\ncd');
      await sleep(20);
      await connection.send('e\nfgh\n\n');
      const response = await connection.readResponse();
      assert.deepEqual(JSON.parse(response.body.toString()), ['ab\n', 'cde\n', 'fgh\n', '\n']);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('an app that never reads the body still answers, and the connection stays in step', async () => {
    const app: Application = (environ, startResponse) => {
      startResponse('200 OK', []);
      return [new TextEncoder().encode(environ.PATH_INFO)];
    };
    const served = await serve(app);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(
        `POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n${'x'.repeat(10000)}`,
      );
      assert.equal((await connection.readResponse()).body.toString(), '/a');
      await connection.send('GET /b HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.equal((await connection.readResponse()).body.toString(), '/b');
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('a 20 MiB upload is pulled in pieces: the server reads ahead only as far as the app reads', async () => {
    const total = 20 * 1024 * 1024;
    let consumed = 0;
    let serverSocket: Socket | undefined;
    let maxAhead = 0;
    let stalled: (() => void) | undefined;
    const stall = new Promise<void>((resolve) => {
      stalled = resolve;
    });
    let resume: (() => void) | undefined;
    const resumed = new Promise<void>((resolve) => {
      resume = resolve;
    });
    const app: Application = async (environ, startResponse) => {
      const hash = createHash('sha256');
      const input = environ['wsgi.input'];
      for (;;) {
        const piece = await input.read(64 * 1024);
        if (piece.length === 0) break;
        assert.ok(piece.length <= 64 * 1024);
        hash.update(piece);
        consumed += piece.length;
        if (serverSocket) maxAhead = Math.max(maxAhead, serverSocket.bytesRead - consumed);
        if (consumed >= 1024 * 1024 && stalled) {
          stalled();
          stalled = undefined;
          await resumed;
        }
      }
      startResponse('200 OK', []);
      return [new TextEncoder().encode(`${consumed} ${hash.digest('hex')}`)];
    };
    const served = await serve(app);
    served.server.on('connection', (s: Socket) => {
      serverSocket = s;
    });
    const connection = await RawConnection.open(served.port);
    try {
      const block = Buffer.alloc(256 * 1024);
      const expected = createHash('sha256');
      await connection.send(`PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: ${total}\r\n\r\n`);
      const sending = (async () => {
        for (let sent = 0; sent < total; sent += block.length) {
          block.fill(sent / block.length);
          expected.update(block);
          await connection.send(block);
        }
      })();
      await stall;
      await sleep(200); // the app has stopped reading: what does the server take in meanwhile?
      const aheadWhileStalled = (serverSocket?.bytesRead ?? 0) - consumed;
      assert.ok(aheadWhileStalled < 1024 * 1024, `server read ${aheadWhileStalled} bytes ahead of the app`);
      resume?.();
      await sending;
      const response = await connection.readResponse({ timeoutMs: 10_000 });
      assert.equal(response.body.toString(), `${total} ${expected.digest('hex')}`);
      assert.ok(maxAhead < 1024 * 1024, `server read up to ${maxAhead} bytes ahead of the app`);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('a client that disconnects mid-body → read rejects with the catalog ClientError, server survives', async () => {
    let failure: unknown;
    const app: Application = async (environ, startResponse) => {
      try {
        await environ['wsgi.input'].read();
      } catch (error) {
        failure = error;
        throw error;
      }
      startResponse('200 OK', []);
      return [];
    };
    const served = await serve(app);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part');
      await sleep(20);
      connection.close();
      await waitFor(() => failure !== undefined, 2000, 'the read to fail');
      assert.ok(failure instanceof ClientError);
      assert.equal(failure.code, 'TSGI_BODY_INCOMPLETE');
      assert.equal(failure.status, 400);
      const response = await fetch(served.origin, { method: 'POST', body: 'x' });
      assert.equal(response.status, 200);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('a read after the client already left rejects at once (does not wait for events that have passed)', async () => {
    let failure: unknown;
    let firstRead = '';
    const app: Application = async (environ, startResponse) => {
      const input = environ['wsgi.input'];
      firstRead = Buffer.from(await input.read(4)).toString();
      await sleep(150); // the client leaves meanwhile
      try {
        await input.read();
      } catch (error) {
        failure = error;
      }
      startResponse('200 OK', []);
      return [];
    };
    const served = await serve(app);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nsome');
      await waitFor(() => firstRead === 'some', 1000, 'the first read');
      connection.close();
      await waitFor(() => failure !== undefined, 2000, 'the second read to fail');
      assert.ok(failure instanceof ClientError);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('a client that disconnects mid-chunked-body → read rejects with the catalog ClientError', async () => {
    let failure: unknown;
    const app: Application = async (environ, startResponse) => {
      try {
        await environ['wsgi.input'].read();
      } catch (error) {
        failure = error;
      }
      startResponse('200 OK', []);
      return [];
    };
    const served = await serve(app);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel');
      await sleep(20);
      connection.close();
      await waitFor(() => failure !== undefined, 2000, 'the read to fail');
      assert.ok(failure instanceof ClientError);
      assert.equal(failure.code, 'TSGI_BODY_INCOMPLETE');
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('a bad chunk after the app started reading → read rejects, client gets 400, connection closed', async () => {
    let failure: unknown;
    const app: Application = async (environ, startResponse) => {
      try {
        await environ['wsgi.input'].read();
      } catch (error) {
        failure = error;
        throw error;
      }
      startResponse('200 OK', []);
      return [];
    };
    const served = await serve(app);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
      await sleep(30);
      assert.equal(served.calls, 1);
      await connection.send('zz\r\n');
      const response = await connection.readResponse();
      assert.equal(response.status, 400);
      assert.equal(await connection.waitForClose(1000), true);
      await waitFor(() => failure !== undefined, 2000, 'the read to fail');
      assert.ok(failure instanceof ClientError);
      assert.equal((await fetch(served.origin)).status, 200);
    } finally {
      connection.close();
      await served.close();
    }
  });
});
