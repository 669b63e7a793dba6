// Differential test: the same raw requests to tsgi and to Gunicorn 27 (sync worker), both serving
// tests/apps/python/environ_body_echo.py, must give the app the same environ key by key. The only exceptions are
// IGNORED (keys that differ between any two servers or any two runs) and DELIBERATE (documented in
// docs/python.md, "Differences from Gunicorn"). A difference that is neither is a bug in tsgi.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RawConnection, rawRequest } from '../http/support/raw-connection.js';
import { type ServerProcess, skipPython, startGunicorn, startTsgi } from './support/server-process.js';

const APP = 'environ_body_echo:application';

/** Keys whose values legitimately differ between two servers (or two runs of one), with the reason. */
export const IGNORED: Record<string, string> = {
  SERVER_SOFTWARE: "each server's own name and version",
  SERVER_PORT: 'the two servers listen on different ports',
  REMOTE_PORT: "the client's ephemeral port differs per connection",
  'gunicorn.socket':
    "Gunicorn's own extension (the raw client socket); tsgi's Python worker never sees the socket",
};

/** Keys present in both whose values are objects: only their presence is compared (types differ per server). */
const OBJECTS = ['wsgi.input', 'wsgi.errors', 'wsgi.file_wrapper', 'wsgi.early_hints'];

interface Echo {
  status: number;
  environ: Record<string, unknown>;
  body: { length: number; sha256: string };
}

async function echo(port: number, request: string | Buffer): Promise<Echo> {
  const res = await rawRequest(port, request, { timeoutMs: 5000 });
  if (res.status !== 200) return { status: res.status, environ: {}, body: { length: 0, sha256: '' } };
  const parsed = JSON.parse(res.body.toString('latin1')) as Omit<Echo, 'status'>;
  return { status: res.status, ...parsed };
}

/**
 * The differences between two environs, one line per key, leaving out IGNORED keys and the `deliberate` ones
 * (each of which must really differ, or the documented difference is stale).
 */
function differences(tsgi: Echo, gunicorn: Echo, deliberate: string[] = []): string[] {
  const out: string[] = [];
  const keys = new Set([...Object.keys(tsgi.environ), ...Object.keys(gunicorn.environ)]);
  for (const key of [...keys].sort()) {
    if (key in IGNORED || deliberate.includes(key)) continue;
    const a = tsgi.environ[key];
    const b = gunicorn.environ[key];
    if (OBJECTS.includes(key)) {
      if (
        typeof a !== 'string' ||
        !a.startsWith('<object') ||
        typeof b !== 'string' ||
        !b.startsWith('<object')
      )
        out.push(`${key}: tsgi ${JSON.stringify(a)}, gunicorn ${JSON.stringify(b)}`);
      continue;
    }
    if (JSON.stringify(a) !== JSON.stringify(b))
      out.push(`${key}: tsgi ${JSON.stringify(a)}, gunicorn ${JSON.stringify(b)}`);
  }
  for (const key of deliberate) {
    if (JSON.stringify(tsgi.environ[key]) === JSON.stringify(gunicorn.environ[key]))
      out.push(
        `${key}: documented as a deliberate difference, but both servers give ${JSON.stringify(tsgi.environ[key])}`,
      );
  }
  if (JSON.stringify(tsgi.body) !== JSON.stringify(gunicorn.body))
    out.push(`body read: tsgi ${JSON.stringify(tsgi.body)}, gunicorn ${JSON.stringify(gunicorn.body)}`);
  return out;
}

describe('the environ under tsgi and under Gunicorn 27', { skip: skipPython, timeout: 60_000 }, () => {
  let tsgi: ServerProcess;
  let gunicorn: ServerProcess;
  let tsgiMounted: ServerProcess;
  let gunicornMounted: ServerProcess;

  before(async () => {
    [tsgi, gunicorn, tsgiMounted, gunicornMounted] = await Promise.all([
      startTsgi(APP),
      startGunicorn(APP),
      startTsgi(APP, ['--root-path', '/mnt']),
      startGunicorn(APP, [], { env: { SCRIPT_NAME: '/mnt' } }),
    ]);
  });
  after(async () => {
    await Promise.all([tsgi?.kill(), gunicorn?.kill(), tsgiMounted?.kill(), gunicornMounted?.kill()]);
  });

  /** Sends `request` (with `{HOST}` replaced by a Host header value) to both and compares. */
  async function same(request: string, deliberate: string[] = []): Promise<Echo> {
    const a = await echo(tsgi.port, request);
    const b = await echo(gunicorn.port, request);
    assert.equal(a.status, 200, `tsgi answered ${a.status}\n${tsgi.tail()}`);
    assert.equal(b.status, 200, `gunicorn answered ${b.status}\n${gunicorn.tail()}`);
    assert.deepEqual(differences(a, b, deliberate), []);
    return a;
  }

  test('a GET with a query string', { timeout: 10_000 }, async () => {
    const e = await same(
      'GET /search?q=a+b&x=%20&empty= HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n',
    );
    assert.equal(e.environ.QUERY_STRING, 'q=a+b&x=%20&empty=');
  });

  test('a percent-encoded UTF-8 path with an encoded slash', { timeout: 10_000 }, async () => {
    const e = await same('GET /caf%C3%A9/x%2Fy HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    assert.equal(e.environ.PATH_INFO, '/caf\xc3\xa9/x/y');
    assert.equal(e.environ.RAW_URI, '/caf%C3%A9/x%2Fy');
  });

  test('a path with empty segments, a semicolon and invalid escapes', { timeout: 10_000 }, async () => {
    await same('GET //a//b;c/%zz%4?x=%zz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
  });

  test("repeated headers joined with ',' in wire order", { timeout: 10_000 }, async () => {
    const e = await same(
      'GET / HTTP/1.1\r\nHost: h\r\nX-Rep: 1\r\nAccept: a/b\r\nx-rep: 2\r\nCookie: a=1\r\nCookie: b=2\r\nConnection: close\r\n\r\n',
    );
    assert.equal(e.environ.HTTP_X_REP, '1,2');
    assert.equal(e.environ.HTTP_COOKIE, 'a=1,b=2');
  });

  test('X-Forwarded-Proto: https from a trusted proxy (loopback, the default) makes wsgi.url_scheme https', {
    timeout: 10_000,
  }, async () => {
    const e = await same(
      'GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n',
    );
    assert.equal(e.environ['wsgi.url_scheme'], 'https');
  });

  test('X-Forwarded-Ssl: on means https too; any other value of a scheme header means http', {
    timeout: 10_000,
  }, async () => {
    const on = await same('GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-Ssl: on\r\nConnection: close\r\n\r\n');
    assert.equal(on.environ['wsgi.url_scheme'], 'https');
    const other = await same(
      'GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-Proto: HTTPS\r\nConnection: close\r\n\r\n',
    );
    assert.equal(other.environ['wsgi.url_scheme'], 'http');
  });

  test('a header whose name contains an underscore is dropped', { timeout: 10_000 }, async () => {
    const e = await same(
      'GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 1.2.3.4\r\nX_Forwarded_For: 6.6.6.6\r\nConnection: close\r\n\r\n',
    );
    assert.equal(e.environ.HTTP_X_FORWARDED_FOR, '1.2.3.4');
  });

  test('empty and padded header values', { timeout: 10_000 }, async () => {
    await same(
      'GET / HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX-Padded: \t padded value \t\r\nConnection: close\r\n\r\n',
    );
  });

  test('a POST with Content-Type and Content-Length', { timeout: 10_000 }, async () => {
    const e = await same(
      'POST /form HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 12\r\nConnection: close\r\n\r\na=1&b=%C3%A9',
    );
    assert.equal(e.environ.CONTENT_TYPE, 'application/x-www-form-urlencoded');
    assert.equal(e.environ.CONTENT_LENGTH, '12');
    assert.equal(e.environ.HTTP_CONTENT_TYPE, undefined);
    assert.equal(e.body.length, 12);
  });

  test('a POST with Content-Length: 0', { timeout: 10_000 }, async () => {
    await same('POST /empty HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });

  test('latin-1 and UTF-8 bytes in header values arrive one character per byte', {
    timeout: 10_000,
  }, async () => {
    const e = await same(
      'GET / HTTP/1.1\r\nHost: h\r\nX-Latin: \xe9t\xe9\r\nX-Utf8: \xc3\xbc\r\nConnection: close\r\n\r\n',
    );
    assert.equal(e.environ.HTTP_X_LATIN, '\xe9t\xe9');
    assert.equal(e.environ.HTTP_X_UTF8, '\xc3\xbc');
  });

  test('an absolute-form request target', { timeout: 10_000 }, async () => {
    const e = await same(
      'GET http://other.example:81/abs/p%20q?x=1 HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n',
    );
    assert.equal(e.environ.PATH_INFO, '/abs/p q');
    assert.equal(e.environ.QUERY_STRING, 'x=1');
    assert.equal(e.environ.HTTP_HOST, 'example.com');
  });

  test('a fragment in the target is not part of PATH_INFO or QUERY_STRING', { timeout: 10_000 }, async () => {
    await same('GET /a?b=1#frag HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
  });

  test('OPTIONS *', { timeout: 10_000 }, async () => {
    await same('OPTIONS * HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
  });

  test('an HTTP/1.0 request without a Host header', { timeout: 10_000 }, async () => {
    const e = await same('GET /old HTTP/1.0\r\n\r\n');
    assert.equal(e.environ.SERVER_PROTOCOL, 'HTTP/1.0');
    assert.equal(e.environ.HTTP_HOST, undefined);
  });

  test('Expect: 100-continue', { timeout: 10_000 }, async () => {
    const results: Echo[] = [];
    for (const server of [tsgi, gunicorn]) {
      const connection = await RawConnection.open(server.port);
      try {
        await connection.send(
          'POST /upload HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\nConnection: close\r\n\r\n',
        );
        const interim = await connection.readResponse({ timeoutMs: 5000 });
        assert.equal(interim.status, 100);
        await connection.send('abc');
        const res = await connection.readResponse({ timeoutMs: 5000 });
        assert.equal(res.status, 200);
        results.push({ status: 200, ...JSON.parse(res.body.toString('latin1')) });
      } finally {
        connection.close();
      }
    }
    assert.deepEqual(differences(results[0], results[1]), []);
  });

  test('SCRIPT_NAME from --root-path (tsgi) and the SCRIPT_NAME variable (Gunicorn)', {
    timeout: 10_000,
  }, async () => {
    for (const target of ['/mnt/app/x?y=1', '/mnt', 'http://h/mnt/abs']) {
      const request = `GET ${target} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`;
      const a = await echo(tsgiMounted.port, request);
      const b = await echo(gunicornMounted.port, request);
      assert.equal(a.status, 200, tsgiMounted.tail());
      assert.equal(b.status, 200, gunicornMounted.tail());
      assert.deepEqual(differences(a, b), [], target);
      assert.equal(a.environ.SCRIPT_NAME, '/mnt');
    }
  });

  test('wsgi.multiprocess and wsgi.multithread with -w 2 --threads 2 (Gunicorn: gthread)', {
    timeout: 20_000,
  }, async () => {
    const [t, g] = await Promise.all([
      startTsgi(APP, ['--workers', '2', '--threads', '2']),
      startGunicorn(APP, ['--workers', '2', '--threads', '2']),
    ]);
    try {
      const request = 'GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n';
      const a = await echo(t.port, request);
      const b = await echo(g.port, request);
      assert.deepEqual(differences(a, b), []);
      assert.equal(a.environ['wsgi.multiprocess'], true);
      assert.equal(a.environ['wsgi.multithread'], true);
    } finally {
      await Promise.all([t.kill(), g.kill()]);
    }
  });

  test('the environ of a GET and of a POST under -k gevent (both servers: gevent workers)', {
    timeout: 20_000,
  }, async () => {
    const [t, g] = await Promise.all([
      startTsgi(APP, ['-k', 'gevent']),
      startGunicorn(APP, ['-k', 'gevent']),
    ]);
    try {
      for (const request of [
        'GET /a?b=c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
        'POST /form HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
      ]) {
        const a = await echo(t.port, request);
        const b = await echo(g.port, request);
        assert.deepEqual(differences(a, b), []);
        assert.equal(a.environ['wsgi.multithread'], true);
      }
    } finally {
      await Promise.all([t.kill(), g.kill()]);
    }
  });

  test('a non-ASCII --root-path matches the percent-encoded path, as SCRIPT_NAME=/caf%C3%A9 does in Gunicorn', {
    timeout: 20_000,
  }, async () => {
    const [t, g] = await Promise.all([
      startTsgi(APP, ['--root-path', '/caf\u00e9']),
      startGunicorn(APP, [], { env: { SCRIPT_NAME: '/caf%C3%A9' } }),
    ]);
    try {
      const request = 'GET /caf%C3%A9/app HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n';
      const a = await echo(t.port, request);
      const b = await echo(g.port, request);
      assert.deepEqual([b.environ.SCRIPT_NAME, b.environ.PATH_INFO], ['/caf%C3%A9', '/app']);
      // PEP 3333 S4: SCRIPT_NAME is decoded like PATH_INFO (bytes as latin-1); Gunicorn passes its setting raw.
      assert.deepEqual([a.environ.SCRIPT_NAME, a.environ.PATH_INFO], ['/caf\xc3\xa9', '/app']);
    } finally {
      await Promise.all([t.kill(), g.kill()]);
    }
  });

  test('deliberate: a chunked POST arrives with CONTENT_LENGTH (tsgi buffered it whole)', {
    timeout: 10_000,
  }, async () => {
    const e = await same(
      'POST /chunked HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
        '5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n',
      ['CONTENT_LENGTH'],
    );
    assert.equal(e.environ.CONTENT_LENGTH, '11');
    assert.equal(e.environ.HTTP_TRANSFER_ENCODING, 'chunked');
    assert.equal(e.body.length, 11);
  });

  test('deliberate: SCRIPT_NAME and PATH_INFO request headers are dropped (Gunicorn trusts them from loopback)', {
    timeout: 10_000,
  }, async () => {
    const request =
      'GET /mnt/x HTTP/1.1\r\nHost: h\r\nSCRIPT_NAME: /mnt\r\nPATH_INFO: /y\r\nConnection: close\r\n\r\n';
    const a = await echo(tsgi.port, request);
    const b = await echo(gunicorn.port, request);
    assert.deepEqual(
      [a.environ.SCRIPT_NAME, a.environ.PATH_INFO, a.environ.HTTP_PATH_INFO],
      ['', '/mnt/x', undefined],
    );
    assert.deepEqual(
      [b.environ.SCRIPT_NAME, b.environ.PATH_INFO, b.environ.HTTP_PATH_INFO],
      ['/mnt', '/x', '/y'],
    );
    assert.deepEqual(
      differences(a, b, ['SCRIPT_NAME', 'PATH_INFO', 'HTTP_SCRIPT_NAME', 'HTTP_PATH_INFO']),
      [],
    );
  });

  test('deliberate: --root-path matches whole segments only (/mntx is not under /mnt)', {
    timeout: 10_000,
  }, async () => {
    const request = 'GET /mntx HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n';
    const a = await echo(tsgiMounted.port, request);
    const b = await echo(gunicornMounted.port, request);
    assert.deepEqual([a.environ.SCRIPT_NAME, a.environ.PATH_INFO], ['', '/mntx']);
    assert.deepEqual([b.environ.SCRIPT_NAME, b.environ.PATH_INFO], ['/mnt', 'x']);
    assert.deepEqual(differences(a, b, ['SCRIPT_NAME', 'PATH_INFO']), []);
  });

  test('deliberate: a path outside --root-path reaches the app with SCRIPT_NAME empty (Gunicorn: 500)', {
    timeout: 10_000,
  }, async () => {
    const request = 'GET /other HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n';
    const a = await echo(tsgiMounted.port, request);
    assert.equal(a.status, 200);
    assert.deepEqual([a.environ.SCRIPT_NAME, a.environ.PATH_INFO], ['', '/other']);
    const b = await rawRequest(gunicornMounted.port, request);
    assert.equal(b.status, 500);
    assert.match(b.body.toString(), /does not start with SCRIPT_NAME/);
  });

  test('deliberate: --root-path is matched against the decoded path (/m%6Et/a is under /mnt)', {
    timeout: 10_000,
  }, async () => {
    const request = 'GET /m%6Et/a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n';
    const a = await echo(tsgiMounted.port, request);
    assert.deepEqual([a.environ.SCRIPT_NAME, a.environ.PATH_INFO], ['/mnt', '/a']);
    const b = await rawRequest(gunicornMounted.port, request);
    assert.equal(b.status, 500);
  });
  /** The statuses tsgi and Gunicorn answer `request` with. */
  async function statuses(request: string): Promise<[number, number]> {
    const a = await rawRequest(tsgi.port, request, { timeoutMs: 5000 });
    const b = await rawRequest(gunicorn.port, request, { timeoutMs: 5000 });
    return [a.status, b.status];
  }

  test('deliberate: an HTTP/1.1 request without Host is refused with 400 (RFC 9112 §3.2; Gunicorn serves it)', {
    timeout: 10_000,
  }, async () => {
    assert.deepEqual(await statuses('GET / HTTP/1.1\r\nConnection: close\r\n\r\n'), [400, 200]);
  });

  test('two Host headers are refused with 400 (RFC 9112 §3.2), as Gunicorn does', {
    timeout: 10_000,
  }, async () => {
    assert.deepEqual(
      await statuses('GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n'),
      [400, 400],
    );
  });

  test('two Content-Type headers are refused with 400 (RFC 9110 §5.3: a singleton field), as Gunicorn does', {
    timeout: 10_000,
  }, async () => {
    const request =
      'POST / HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Type: text/html\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
    assert.deepEqual(await statuses(request), [400, 400]);
  });

  test('an HTTP/1.0 request with Transfer-Encoding is refused with 400 (RFC 9112 §6.1), as Gunicorn does', {
    timeout: 10_000,
  }, async () => {
    const request = 'POST / HTTP/1.0\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
    assert.deepEqual(await statuses(request), [400, 400]);
  });

  test('scheme headers that disagree are refused with 400, as Gunicorn does', {
    timeout: 10_000,
  }, async () => {
    const request =
      'GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Ssl: off\r\nConnection: close\r\n\r\n';
    assert.deepEqual(await statuses(request), [400, 400]);
  });
});
