// The environ an app gets over a real socket (PEP 3333 S2–S4): byte strings exactly as on the wire.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Environ } from '../../src/gateway/index.js';
import { RawConnection } from './support/raw-connection.js';
import { environFor, serve } from './support/serve.js';

describe('environ over HTTP', { timeout: 10_000 }, () => {
  test('PATH_INFO is the percent-decoded path as bytes; QUERY_STRING stays encoded', async () => {
    const environ = await environFor('GET /caf%C3%A9?q=%20 HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(environ.PATH_INFO, '/caf\xc3\xa9');
    assert.equal(environ.QUERY_STRING, 'q=%20');
    assert.equal(environ.RAW_URI, '/caf%C3%A9?q=%20');
    assert.equal(environ.SCRIPT_NAME, '');
  });

  test('REQUEST_METHOD, SERVER_PROTOCOL and wsgi.url_scheme', async () => {
    const environ = await environFor('DELETE /x HTTP/1.0\r\n\r\n');
    assert.equal(environ.REQUEST_METHOD, 'DELETE');
    assert.equal(environ.SERVER_PROTOCOL, 'HTTP/1.0');
    assert.equal(environ['wsgi.url_scheme'], 'http');
    assert.deepEqual(environ['wsgi.version'], [1, 0]);
  });

  test('REMOTE_ADDR, REMOTE_PORT, SERVER_NAME and SERVER_PORT come from the socket', async () => {
    let seen: Environ | undefined;
    const served = await serve((environ, startResponse) => {
      seen = environ;
      startResponse('204 No Content', []);
      return [];
    });
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n');
      await connection.readResponse();
      assert.equal(seen?.REMOTE_ADDR, '127.0.0.1');
      assert.equal(seen?.REMOTE_PORT, String(connection.socket.localPort));
      assert.equal(seen?.SERVER_NAME, '127.0.0.1');
      assert.equal(seen?.SERVER_PORT, String(served.port));
      assert.equal(seen?.HTTP_HOST, 'example.com:8080');
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('repeated headers are joined with "," in wire order', async () => {
    const environ = await environFor(
      'GET / HTTP/1.1\r\nHost: x\r\nX-Tag: a\r\nAccept: */*\r\nX-Tag: b, c\r\n\r\n',
    );
    assert.equal(environ.HTTP_X_TAG, 'a,b, c');
  });

  test('Content-Type and Content-Length carry no HTTP_ prefix', async () => {
    const environ = await environFor(
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi',
    );
    assert.equal(environ.CONTENT_TYPE, 'text/plain');
    assert.equal(environ.CONTENT_LENGTH, '2');
    assert.equal(environ.HTTP_CONTENT_TYPE, undefined);
    assert.equal(environ.HTTP_CONTENT_LENGTH, undefined);
  });

  test('a header name with an underscore is dropped (it could pose as its dashed twin)', async () => {
    const environ = await environFor('GET / HTTP/1.1\r\nHost: x\r\nX_Forwarded_For: 6.6.6.6\r\n\r\n');
    assert.equal(environ.HTTP_X_FORWARDED_FOR, undefined);
  });

  test('a latin-1 byte in a header value arrives as that one byte', async () => {
    const environ = await environFor('GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf\xe9\r\n\r\n');
    assert.equal(environ.HTTP_X_NAME, 'caf\xe9');
  });

  test('raw UTF-8 bytes in a header value arrive as a byte string, one character per byte', async () => {
    const utf8 = Buffer.from('café ☕', 'utf8').toString('latin1');
    const environ = await environFor(`GET / HTTP/1.1\r\nHost: x\r\nX-Name: ${utf8}\r\n\r\n`);
    assert.equal(environ.HTTP_X_NAME, 'caf\xc3\xa9 \xe2\x98\x95');
  });

  test('an absolute-form request target gives the path and query, not the authority', async () => {
    const environ = await environFor(
      'GET http://example.com:81/a%20b?x=1 HTTP/1.1\r\nHost: example.com:81\r\n\r\n',
    );
    assert.equal(environ.PATH_INFO, '/a b');
    assert.equal(environ.QUERY_STRING, 'x=1');
    assert.equal(environ.RAW_URI, 'http://example.com:81/a%20b?x=1');
  });

  test('the scriptName option moves the mount point from PATH_INFO to SCRIPT_NAME', async () => {
    const environ = await environFor('GET /app/users/1 HTTP/1.1\r\nHost: x\r\n\r\n', { scriptName: '/app' });
    assert.equal(environ.SCRIPT_NAME, '/app');
    assert.equal(environ.PATH_INFO, '/users/1');
  });

  test('the scriptName option matches only on a segment boundary', async () => {
    const environ = await environFor('GET /application HTTP/1.1\r\nHost: x\r\n\r\n', { scriptName: '/app' });
    assert.equal(environ.SCRIPT_NAME, '');
    assert.equal(environ.PATH_INFO, '/application');
  });

  test('a request for exactly the mount point has an empty PATH_INFO', async () => {
    const environ = await environFor('GET /app HTTP/1.1\r\nHost: x\r\n\r\n', { scriptName: '/app' });
    assert.equal(environ.SCRIPT_NAME, '/app');
    assert.equal(environ.PATH_INFO, '');
  });

  test('wsgi.input_terminated is set, and wsgi.multithread/multiprocess follow the options', async () => {
    const environ = await environFor('GET / HTTP/1.1\r\nHost: x\r\n\r\n', { multiprocess: true });
    assert.equal(environ['wsgi.input_terminated'], true);
    assert.equal(environ['wsgi.multiprocess'], true);
    assert.equal(environ['wsgi.multithread'], false);
    assert.equal(environ['wsgi.run_once'], false);
  });

  test('on a UNIX socket, SERVER_NAME and SERVER_PORT come from Host', async () => {
    const { createHttpServer } = await import('../../src/http/server.js');
    const { memoryLogger } = await import('../../src/log.js');
    const { request } = await import('node:http');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const seen: Environ[] = [];
    const server = createHttpServer(
      (environ, startResponse) => {
        seen.push(environ);
        startResponse('204 No Content', []);
        return [];
      },
      { logger: memoryLogger(), keepAlive: 5 },
    );
    const socketPath = join(tmpdir(), `tsgi-http-${process.pid}-${Date.now()}.sock`);
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const get = (host: string) =>
      new Promise<void>((resolve, reject) => {
        request({ socketPath, path: '/', headers: { host } }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
          .on('error', reject)
          .end();
      });
    try {
      await get('example.com:8080');
      await get('[::1]');
      assert.deepEqual(
        seen.map((e) => [e.SERVER_NAME, e.SERVER_PORT]),
        [
          ['example.com', '8080'],
          ['[::1]', '80'],
        ],
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
