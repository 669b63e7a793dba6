// --forwarded-allow-ips: a trusted proxy's X-Forwarded-Proto (-Protocol, -Ssl) sets wsgi.url_scheme, as in
// Gunicorn; anyone else's does not. Over real sockets from 127.0.0.1.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Environ } from '../../src/gateway/index.js';
import { createHttpServer } from '../../src/http/server.js';
import { memoryLogger } from '../../src/log.js';
import { rawRequest } from './support/raw-connection.js';
import { environFor, serve, waitFor } from './support/serve.js';

const get = (headers: string) => `GET / HTTP/1.1\r\nHost: h\r\n${headers}Connection: close\r\n\r\n`;

describe('the scheme a proxy forwards', { timeout: 10_000 }, () => {
  test('X-Forwarded-Proto: https from loopback (trusted by default) makes wsgi.url_scheme https', async () => {
    const environ = await environFor(get('X-Forwarded-Proto: https\r\n'));
    assert.equal(environ['wsgi.url_scheme'], 'https');
  });

  test('each of the three scheme headers with its https value gives https; any other value gives http', async () => {
    const cases: Array<[string, string]> = [
      ['X-Forwarded-Proto: https', 'https'],
      ['X-Forwarded-Protocol: ssl', 'https'],
      ['X-Forwarded-Ssl: on', 'https'],
      ['X-Forwarded-Proto: http', 'http'],
      ['x-forwarded-proto: HTTPS', 'http'],
      ['X-Forwarded-Ssl: off', 'http'],
    ];
    for (const [header, scheme] of cases) {
      const environ = await environFor(get(`${header}\r\n`), {
        urlScheme: scheme === 'http' ? 'https' : 'http',
      });
      assert.equal(environ['wsgi.url_scheme'], scheme, header);
    }
  });

  test('from a peer not in --forwarded-allow-ips the header reaches the app but the scheme stays', async () => {
    const environ = await environFor(get('X-Forwarded-Proto: https\r\n'), {
      forwardedAllowIps: ['10.0.0.1'],
    });
    assert.equal(environ['wsgi.url_scheme'], 'http');
    assert.equal(environ.HTTP_X_FORWARDED_PROTO, 'https');
  });

  test('a network and * in --forwarded-allow-ips trust the peer', async () => {
    for (const allowed of [['127.0.0.0/8'], ['*'], ['::ffff:0:0/96', '127.0.0.1']]) {
      const environ = await environFor(get('X-Forwarded-Proto: https\r\n'), { forwardedAllowIps: allowed });
      assert.equal(environ['wsgi.url_scheme'], 'https', allowed.join(','));
    }
  });

  test('scheme headers that disagree are answered 400 and never reach the app', async () => {
    const served = await serve((_environ, startResponse) => {
      startResponse('200 OK', []);
      return [];
    });
    try {
      const response = await rawRequest(
        served.port,
        get('X-Forwarded-Proto: https\r\nX-Forwarded-Ssl: off\r\n'),
      );
      assert.equal(response.status, 400);
      assert.equal(served.calls, 0);
      assert.match(served.logger.lines.join('\n'), /contradictory scheme headers/);
    } finally {
      await served.close();
    }
  });

  test('secureSchemeHeaders replaces the three: only the headers it names, with their own values', async () => {
    const secureSchemeHeaders = { 'X-Scheme': 'secure', 'Front-End-Https': 'on' };
    const cases: Array<[string, string]> = [
      ['X-Scheme: secure', 'https'],
      ['front-end-https: on', 'https'],
      ['X-Scheme: plain', 'http'],
      ['X-Forwarded-Proto: https', 'http'],
    ];
    for (const [header, scheme] of cases) {
      const environ = await environFor(get(`${header}\r\n`), { secureSchemeHeaders });
      assert.equal(environ['wsgi.url_scheme'], scheme, header);
    }
  });

  test('an empty secureSchemeHeaders trusts no scheme header', async () => {
    const environ = await environFor(get('X-Forwarded-Proto: https\r\n'), { secureSchemeHeaders: {} });
    assert.equal(environ['wsgi.url_scheme'], 'http');
  });

  test('the same disagreement from an untrusted peer is not ours to judge: the app gets the request', async () => {
    const environ = await environFor(get('X-Forwarded-Proto: https\r\nX-Forwarded-Ssl: off\r\n'), {
      forwardedAllowIps: [],
    });
    assert.equal(environ['wsgi.url_scheme'], 'http');
  });

  test('a TCP peer that resets at once (its address unknown by then) is not trusted', async () => {
    const schemes: string[] = [];
    const served = await serve(
      (environ, startResponse) => {
        schemes.push(String(environ['wsgi.url_scheme']));
        startResponse('204 No Content', []);
        return [];
      },
      { forwardedAllowIps: ['10.9.9.9'] },
    );
    try {
      for (let i = 0; i < 10; i++) {
        const socket = connect(served.port, '127.0.0.1');
        await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        socket.write(get('X-Forwarded-Proto: https\r\n'));
        socket.resetAndDestroy();
      }
      await waitFor(() => served.calls === 10, 3000, 'the app to see every request');
      assert.deepEqual(new Set(schemes), new Set(['http']));
    } finally {
      await served.close();
    }
  });

  test('behind a UNIX socket the proxy is trusted, and a forwarded https makes the default port 443', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgi-forwarded-'));
    const path = join(dir, 'sock');
    let seen: Environ | undefined;
    const server = createHttpServer(
      (environ, startResponse) => {
        seen = environ;
        startResponse('204 No Content', []);
        return [];
      },
      { logger: memoryLogger(), keepAlive: 0, forwardedAllowIps: [] },
    );
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const status = await new Promise<number | undefined>((resolve, reject) => {
        request(
          { socketPath: path, headers: { Host: 'example.com', 'X-Forwarded-Proto': 'https' } },
          (res) => {
            res.resume();
            resolve(res.statusCode);
          },
        )
          .on('error', reject)
          .end();
      });
      assert.equal(status, 204);
      assert.equal(seen?.['wsgi.url_scheme'], 'https');
      assert.equal(seen?.SERVER_NAME, 'example.com');
      assert.equal(seen?.SERVER_PORT, '443');
    } finally {
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
