// --proxy-protocol side by side with Gunicorn's: the same PROXY header before the same request gives a Python app
// the same REMOTE_ADDR, REMOTE_PORT, PROXY_PROTOCOL, PROXY_ADDR and PROXY_PORT; and curl's --haproxy-protocol
// works through HTTPS, where the header comes before the TLS handshake.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { rawRequest } from '../http/support/raw-connection.js';
import { makeCertificate } from './support/certificate.js';
import { skipPython, startGunicorn, startTsgi } from './support/server-process.js';

const KEYS = ['REMOTE_ADDR', 'REMOTE_PORT', 'PROXY_PROTOCOL', 'PROXY_ADDR', 'PROXY_PORT'];

async function proxied(port: number, header: string): Promise<Record<string, unknown>> {
  const res = await rawRequest(
    port,
    `${header}GET /p HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n`,
  );
  assert.equal(res.status, 200, res.body.toString());
  const environ = JSON.parse(res.body.toString()) as Record<string, unknown>;
  return Object.fromEntries(KEYS.map((k) => [k, environ[k]]));
}

test('a PROXY v1 header gives the app the environ Gunicorn gives it', {
  skip: skipPython,
  timeout: 60_000,
}, async () => {
  // Gunicorn's optional value would swallow the APP after a bare --proxy-protocol; tsgi's takes only a mode.
  const gunicorn = await startGunicorn('environ_echo:application', ['--proxy-protocol', 'v1']);
  const tsgi = await startTsgi('environ_echo:application', ['--proxy-protocol']);
  try {
    for (const header of [
      'PROXY TCP4 203.0.113.7 192.0.2.10 51234 443\r\n',
      'PROXY TCP6 2001:db8::7 2001:db8::1 40000 80\r\n',
    ]) {
      const want = await proxied(gunicorn.port, header);
      assert.equal(want.PROXY_PORT, header.includes('TCP4') ? '443' : '80', 'Gunicorn read the header');
      assert.deepEqual(await proxied(tsgi.port, header), want, header);
    }
  } finally {
    await Promise.all([gunicorn.kill(), tsgi.kill()]);
  }
});

test('curl --haproxy-protocol through HTTPS: the header precedes the handshake', {
  skip: skipPython,
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-proxy-tls-'));
  const { cert, key } = makeCertificate(dir);
  const tsgi = await startTsgi('environ_echo:application', [
    '--proxy-protocol',
    'v1',
    '--certfile',
    cert,
    '--keyfile',
    key,
  ]);
  try {
    const { stdout } = await promisify(execFile)('curl', [
      '-sk',
      '--haproxy-protocol',
      '--max-time',
      '20', // a stalled handshake fails this test, not the whole run
      `https://127.0.0.1:${tsgi.port}/`,
    ]);
    const environ = JSON.parse(stdout) as Record<string, string>;
    assert.equal(environ['wsgi.url_scheme'], 'https');
    assert.equal(environ.PROXY_PROTOCOL, 'TCP4');
    assert.equal(environ.REMOTE_ADDR, '127.0.0.1');
    assert.equal(environ.PROXY_PORT, String(tsgi.port));
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
