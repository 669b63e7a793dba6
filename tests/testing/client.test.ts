// The test client itself: request defaults like a real server's, body framing, the response it returns.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Application } from '../../src/gateway/index.js';
import { makeEnviron, TestClient } from '../../src/testing/index.js';
import { application as echoEnviron } from '../apps/contract/echo-environ.js';
import { echoBody } from '../apps/contract/echo-input.js';
import { application as hello } from '../apps/contract/hello.js';

const environ = async (client: TestClient, ...args: Parameters<TestClient['request']>) =>
  (await client.request(...args)).json() as Record<string, string>;

test('defaults are those of a real server on localhost:80', async () => {
  const env = await environ(new TestClient(echoEnviron), {});
  assert.equal(env.REQUEST_METHOD, 'GET');
  assert.equal(env.PATH_INFO, '/');
  assert.equal(env.SERVER_NAME, 'localhost');
  assert.equal(env.SERVER_PORT, '80');
  assert.equal(env.SERVER_PROTOCOL, 'HTTP/1.1');
  assert.equal(env.REMOTE_ADDR, '127.0.0.1');
  assert.equal(env.HTTP_HOST, 'localhost');
});

test('Host names the port when it is not the default one', async () => {
  const env = await environ(new TestClient(echoEnviron, { serverPort: '8000' }), {});
  assert.equal(env.HTTP_HOST, 'localhost:8000');
});

test('a Host header given by the test is kept', async () => {
  const env = await environ(new TestClient(echoEnviron), { headers: { Host: 'example.com' } });
  assert.equal(env.HTTP_HOST, 'example.com');
});

test('an HTTP/1.0 request gets no Host unless given', async () => {
  const env = await environ(new TestClient(echoEnviron), { httpVersion: '1.0' });
  assert.equal(env.HTTP_HOST, undefined);
});

test('Content-Length is set when a body is given', async () => {
  const env = await environ(new TestClient(echoEnviron), { method: 'POST', body: 'héllo' });
  assert.equal(env.CONTENT_LENGTH, '6');
});

test('Content-Length is not set when no body is given', async () => {
  const env = await environ(new TestClient(echoEnviron), { method: 'GET' });
  assert.equal(env.CONTENT_LENGTH, undefined);
});

test('an empty body still sends Content-Length: 0', async () => {
  const env = await environ(new TestClient(echoEnviron), { method: 'POST', body: '' });
  assert.equal(env.CONTENT_LENGTH, '0');
});

test('a Content-Length or Transfer-Encoding given by the test is not replaced', async () => {
  const client = new TestClient(echoEnviron);
  const given = await environ(client, { method: 'POST', body: 'abc', headers: { 'Content-Length': '3' } });
  assert.equal(given.CONTENT_LENGTH, '3');
  const chunked = await environ(client, {
    method: 'POST',
    body: ['a', 'b'],
    headers: { 'Transfer-Encoding': 'chunked' },
  });
  assert.equal(chunked.CONTENT_LENGTH, undefined);
  assert.equal(chunked.HTTP_TRANSFER_ENCODING, 'chunked');
});

test('a string body is sent as UTF-8', async () => {
  const response = await new TestClient(echoBody).post('/', 'café €');
  assert.deepEqual([...response.body], [...new TextEncoder().encode('café €')]);
});

test('a body given as chunks arrives as one stream', async () => {
  const response = await new TestClient(echoBody).post('/', ['ab', new Uint8Array([0x63]), 'd']);
  assert.equal(response.text(), 'abcd');
});

test('a path with characters outside ASCII is percent-encoded as UTF-8, as a browser does', async () => {
  const env = await environ(new TestClient(echoEnviron), { path: '/café pâte?q=é' });
  assert.equal(env.RAW_URI, '/caf%C3%A9%20p%C3%A2te?q=%C3%A9');
  assert.equal(env.PATH_INFO, '/caf\xc3\xa9 p\xc3\xa2te');
});

test('a path that does not start with / is refused', async () => {
  await assert.rejects(new TestClient(hello).get('relative'), /must start with '\/'/);
});

test('a header value with CR or LF is refused, as the wire would', async () => {
  await assert.rejects(new TestClient(hello).get('/', { 'X-Bad': 'a\r\nInjected: 1' }), TypeError);
});

test('a header name that is not a token is refused', async () => {
  await assert.rejects(new TestClient(hello).get('/', [['Bad Name', 'x']]), /not an HTTP token/);
});

test('a header record with an array value sends the header once per value', async () => {
  const env = await environ(new TestClient(echoEnviron), { headers: { Cookie: ['a=1', 'b=2'] } });
  assert.equal(env.HTTP_COOKIE, 'a=1,b=2');
});

test('get, head, post, put and delete set the method', async () => {
  const client = new TestClient(echoEnviron);
  const methods = await Promise.all([
    client.get('/'),
    client.head('/'),
    client.post('/', 'x'),
    client.put('/', 'x'),
    client.delete('/'),
  ]);
  assert.deepEqual(
    methods.map((r) => r.environ.REQUEST_METHOD),
    ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
  );
  assert.equal(methods[1].body.length, 0, 'a response to HEAD has no body, as on the wire');
});

test('the body is framed as the server frames it: none for HEAD, 204 and 304, nothing past Content-Length', async () => {
  const app =
    (status: string, headers: Array<[string, string]>, body: string): Application =>
    (_environ, startResponse) => {
      startResponse(status, headers);
      return [new TextEncoder().encode(body)];
    };
  const client = (a: Application) => new TestClient(a);
  assert.equal((await client(app('204 No Content', [], 'dropped')).get('/')).body.length, 0);
  assert.equal((await client(app('304 Not Modified', [], 'dropped')).get('/')).body.length, 0);
  const cut = await client(app('200 OK', [['Content-Length', '2']], 'abcdef')).get('/');
  assert.equal(cut.text(), 'ab');
  assert.equal(cut.ended, true);
  const short = await client(app('200 OK', [['Content-Length', '10']], 'abc')).get('/');
  assert.equal(short.ended, false);
  assert.equal(
    short.aborted,
    true,
    'a body shorter than its Content-Length is broken, as the server cuts it',
  );
});

test('text() decodes UTF-8 and json() parses it', async () => {
  const app: Application = (_environ, startResponse) => {
    startResponse('200 OK', [['Content-Type', 'application/json']]);
    return [new TextEncoder().encode('{"word":"café"}')];
  };
  const response = await new TestClient(app).get('/');
  assert.equal(response.text(), '{"word":"café"}');
  assert.deepEqual(response.json(), { word: 'café' });
});

test('header() finds the first value by case-insensitive name', async () => {
  const response = await new TestClient(hello).get('/');
  assert.equal(response.header('content-type'), 'text/plain; charset=utf-8');
  assert.equal(response.header('X-Missing'), undefined);
});

test('errors holds what the app wrote to wsgi.errors', async () => {
  const app: Application = (environ, startResponse) => {
    environ['wsgi.errors'].write('first line\n');
    environ['wsgi.errors'].writelines(['a\n', 'b\n']);
    environ['wsgi.errors'].flush();
    startResponse('200 OK', []);
    return [];
  };
  const response = await new TestClient(app).get('/');
  assert.deepEqual(response.errors, ['first line\n', 'a\n', 'b\n']);
});

test('the app can reuse a chunk buffer after yielding it: the client kept a copy', async () => {
  const app: Application = (_environ, startResponse) => {
    startResponse('200 OK', []);
    const buffer = new Uint8Array(1);
    return (function* () {
      for (const byte of [0x61, 0x62]) {
        buffer[0] = byte;
        yield buffer;
      }
    })();
  };
  assert.equal((await new TestClient(app).get('/')).text(), 'ab');
});

test('a client gone before any byte gets no body and no end', async () => {
  const response = await new TestClient(hello).request({ disconnectAfter: 0 });
  assert.equal(response.body.length, 0);
  assert.equal(response.ended, false);
});

test('a client gone before a streamed body starts gets no head at all', async () => {
  const app: Application = (_environ, startResponse) => {
    startResponse('200 OK', []);
    return (function* () {
      yield new Uint8Array([1]);
    })();
  };
  const response = await new TestClient(app).request({ disconnectAfter: 0 });
  assert.equal(response.status, 0);
  assert.equal(response.statusLine, '');
});

test('hasClose and closeCalls report the body close() protocol', async () => {
  const withoutClose = await new TestClient(hello).get('/');
  assert.equal(withoutClose.hasClose, false);
  assert.equal(withoutClose.closeCalls, 0);
  const app: Application = (_environ, startResponse) => {
    startResponse('200 OK', []);
    return Object.assign([new Uint8Array([1])], { close() {} });
  };
  const withClose = await new TestClient(app).get('/');
  assert.equal(withClose.hasClose, true);
  assert.equal(withClose.closeCalls, 1);
  assert.equal(withClose.knownLength, 1, 'the watched array body keeps its array fast path');
});

test('the response exposes the environ the app was called with', async () => {
  const response = await new TestClient(hello, { scriptName: '/api' }).get('/api/x?y=1');
  assert.equal(response.environ.SCRIPT_NAME, '/api');
  assert.equal(response.environ.PATH_INFO, '/x');
  assert.equal(response.environ.QUERY_STRING, 'y=1');
});

test('makeEnviron builds the environ the client would', async () => {
  const built = makeEnviron({ method: 'POST', path: '/a?b', body: 'xyz' }, { scriptName: '' });
  const sent = (await new TestClient(hello).request({ method: 'POST', path: '/a?b', body: 'xyz' })).environ;
  const cgi = (env: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('wsgi.')));
  assert.deepEqual(cgi(built), cgi(sent));
  assert.deepEqual(await built['wsgi.input'].read(), new TextEncoder().encode('xyz'));
});

test('the test client sends a wrapped file with a path as the server does: from its offset, for its length', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-client-file-'));
  try {
    const path = join(dir, 'data.txt');
    writeFileSync(path, 'HEADER\nline-a\nline-b\n');
    const app: Application = (environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return environ['wsgi.file_wrapper']({
        path,
        offset: 7,
        length: 7,
        read: () => new TextEncoder().encode('not through read()'),
      });
    };
    const response = await new TestClient(app).get('/');
    assert.equal(response.text(), 'line-a\n');
    const missing: Application = (environ, startResponse) => {
      startResponse('200 OK', []);
      return environ['wsgi.file_wrapper']({ path: join(dir, 'missing'), read: () => new Uint8Array(0) });
    };
    assert.equal(
      (await new TestClient(missing).get('/')).status,
      500,
      'as the server answers a file it cannot open',
    );
    const head = await new TestClient(app).head('/');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.aborted, false);
    const gone = await new TestClient(app).request({ disconnectAfter: 0 });
    assert.equal(gone.body.length, 0, 'a client gone before any byte gets none');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
