// The validator around an app served by the real HTTP server: the server side of the contract (environ,
// wsgi.input, close()) holds on the wire too, not only in the test client.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Application } from '../../src/gateway/index.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { type ValidatedApplication, validator } from '../../src/testing/index.js';
import { closingBodyApp } from '../apps/contract/closing-body.js';
import { echoBody } from '../apps/contract/echo-input.js';
import { application as hello } from '../apps/contract/hello.js';

const logged: string[] = [];
const logger = createLogger({ write: (s: string) => logged.push(s) }, 'debug');

let current: Application = hello;
const server = createHttpServer((environ, startResponse) => current(environ, startResponse), {
  logger,
  keepAlive: 0,
});
let port = 0;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function send(
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** close() runs just after the last byte goes out: give it a moment before asserting. */
async function settled(checked: ValidatedApplication): Promise<void> {
  for (let i = 0; i < 50 && checked.unclosed > 0; i++) await new Promise((r) => setTimeout(r, 2));
  checked.assertValid();
}

test('the HTTP server passes the validator for a GET with query and repeated headers', async () => {
  const checked = validator(hello);
  current = checked;
  const response = await send('GET', '/caf%C3%A9/x?q=1&q=2', {
    'X-Forwarded-For': ['a', 'b'],
    Cookie: 'c=1',
  });
  assert.equal(response.status, 200);
  await settled(checked);
});

test('the HTTP server passes the validator for a POST whose body the app reads', async () => {
  const checked = validator(echoBody);
  current = checked;
  const response = await send('POST', '/upload', { 'Content-Type': 'text/plain' }, 'payload bytes');
  assert.equal(response.body, 'payload bytes');
  await settled(checked);
});

test('the HTTP server passes the validator for a chunked upload', async () => {
  const checked = validator(echoBody);
  current = checked;
  const response = await send('POST', '/upload', { 'Transfer-Encoding': 'chunked' }, 'chunked payload');
  assert.equal(response.body, 'chunked payload');
  await settled(checked);
});

test('the HTTP server calls close() exactly once, as the validator checks', async () => {
  const { app, probe } = closingBodyApp(['a', 'b', 'c']);
  const checked = validator(app);
  current = checked;
  const response = await send('GET', '/');
  assert.equal(response.body, 'abc');
  await settled(checked);
  assert.equal(probe.closed, 1);
});
