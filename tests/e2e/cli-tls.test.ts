// --certfile / --keyfile (Gunicorn's): HTTPS on every bind, for a TypeScript app and a Python app, with a
// self-signed certificate made by openssl for the test and trusted explicitly by the client.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { APPS, freePort, runTsgi, startTsgi } from './cli-harness.js';
import { makeCertificate } from './support/certificate.js';
import { skipPython, startTsgi as startPythonTsgi } from './support/server-process.js';

let dir: string;
let cert: string;
let key: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsgi-tls-'));
  ({ cert, key } = makeCertificate(dir));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** GET over HTTPS, trusting only the test's own certificate. */
function getTls(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpsGet({ host: '127.0.0.1', port, path, ca: readFileSync(cert) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

test('a TypeScript app is served over HTTPS and the log says https://', { timeout: 20_000 }, async () => {
  const port = await freePort();
  const tls = ['--certfile', cert, '--keyfile', key];
  const tsgi = await startTsgi([`${APPS}/script-name-echo.ts`, '-b', `127.0.0.1:${port}`, ...tls]);
  try {
    assert.deepEqual(await getTls(port, '/tls'), { status: 200, body: ' /tls' });
    assert.match(tsgi.stderr, new RegExp(`Listening at: https://127\\.0\\.0\\.1:${port} `));
  } finally {
    await tsgi.kill();
  }
});

test('a Python app behind --certfile sees wsgi.url_scheme https', {
  timeout: 30_000,
  skip: skipPython,
}, async () => {
  const tsgi = await startPythonTsgi('environ_echo:application', ['--certfile', cert, '--keyfile', key]);
  try {
    const res = await getTls(Number(new URL(tsgi.origin).port), '/x');
    assert.equal(res.status, 200, tsgi.tail());
    const environ = JSON.parse(res.body);
    assert.equal(environ['wsgi.url_scheme'], 'https');
    assert.equal(environ.PATH_INFO, '/x');
  } finally {
    await tsgi.kill();
  }
});

test('--keyfile without --certfile stops tsgi at start-up', { timeout: 15_000 }, async () => {
  const { code, stderr } = await runTsgi([`${APPS}/pid-echo.ts`, '--keyfile', key]);
  assert.equal(code, 1);
  assert.match(stderr, /\[ERROR\] --keyfile needs --certfile/);
});

test("a key that is not the certificate's stops tsgi at start-up, naming both files", {
  timeout: 15_000,
}, async () => {
  const other = join(dir, 'other.pem');
  execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-out', other], { stdio: 'ignore' });
  const { code, stderr } = await runTsgi([`${APPS}/pid-echo.ts`, '--certfile', cert, '--keyfile', other]);
  assert.equal(code, 1);
  assert.match(
    stderr,
    /\[ERROR\] --certfile .*cert\.pem with --keyfile .*other\.pem is not a PEM certificate and its private key/,
  );
});
