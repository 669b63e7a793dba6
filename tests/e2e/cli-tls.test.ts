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
import { makeCertificate, makeClientCertificates } from './support/certificate.js';
import { skipPython, startTsgi as startPythonTsgi } from './support/server-process.js';

let dir: string;
let cert: string;
let key: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsgi-tls-'));
  ({ cert, key } = makeCertificate(dir));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** GET over HTTPS, trusting only the test's own certificate; `client` presents a client certificate. */
function getTls(
  port: number,
  path = '/',
  client?: { cert: string; key: string },
): Promise<{ status: number; body: string }> {
  const identity = client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {};
  return new Promise((resolve, reject) => {
    httpsGet({ host: '127.0.0.1', port, path, ca: readFileSync(cert), ...identity }, (res) => {
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

/** tsgi over HTTPS asking for client certificates (`--cert-reqs level`) from a CA made for the test. */
async function startMutualTls(level: '1' | '2') {
  const clients = makeClientCertificates(dir);
  const port = await freePort();
  const tls = ['--certfile', cert, '--keyfile', key, '--ca-certs', clients.ca, '--cert-reqs', level];
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`, ...tls]);
  return { tsgi, port, clients };
}

test('--cert-reqs 2 with --ca-certs: a client certificate from that CA is served, none gets no connection', {
  timeout: 30_000,
}, async () => {
  const { tsgi, port, clients } = await startMutualTls('2');
  try {
    assert.equal((await getTls(port, '/', clients.client)).status, 200);
    await assert.rejects(getTls(port, '/'), 'no client certificate');
    await assert.rejects(getTls(port, '/', clients.stranger), 'a certificate the CA did not sign');
    assert.equal((await getTls(port, '/', clients.client)).status, 200, 'the server is unharmed');
  } finally {
    await tsgi.kill();
  }
});

test('--cert-reqs 1: no client certificate is fine, one that does not verify is refused and logged', {
  timeout: 30_000,
}, async () => {
  const { tsgi, port, clients } = await startMutualTls('1');
  try {
    assert.equal((await getTls(port, '/')).status, 200);
    assert.equal((await getTls(port, '/', clients.client)).status, 200);
    await assert.rejects(getTls(port, '/', clients.stranger));
    await tsgi.waitForOutput(/\[WARNING\] TLS client certificate from 127\.0\.0\.1 refused: /);
  } finally {
    await tsgi.kill();
  }
});

test('--ciphers with a list OpenSSL does not know, or --cert-reqs without --certfile, stops tsgi at start-up', {
  timeout: 15_000,
}, async () => {
  const bad = await runTsgi([
    `${APPS}/pid-echo.ts`,
    '--certfile',
    cert,
    '--keyfile',
    key,
    '--ciphers',
    'NO-SUCH',
  ]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /\[ERROR\] --ciphers NO-SUCH: .*an OpenSSL cipher list is expected/);
  const lone = await runTsgi([`${APPS}/pid-echo.ts`, '--cert-reqs', '2']);
  assert.equal(lone.code, 1);
  assert.match(lone.stderr, /\[ERROR\] --cert-reqs needs --certfile/);
});

test('--ciphers limits the suites: a TLS 1.2 client gets the one cipher offered', {
  timeout: 15_000,
}, async () => {
  const port = await freePort();
  const only = 'ECDHE-RSA-CHACHA20-POLY1305'; // a client with the defaults picks another first
  const args = ['-b', `127.0.0.1:${port}`, '--certfile', cert, '--keyfile', key, '--ciphers', only];
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, ...args]);
  try {
    const negotiated = await new Promise<string>((resolve, reject) => {
      const options = { host: '127.0.0.1', port, ca: readFileSync(cert), maxVersion: 'TLSv1.2' as const };
      httpsGet(options, (res) => {
        resolve((res.socket as import('node:tls').TLSSocket).getCipher().standardName);
        res.resume();
      }).on('error', reject);
    });
    assert.equal(negotiated, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256');
  } finally {
    await tsgi.kill();
  }
});
