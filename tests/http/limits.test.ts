// The request limits, as Gunicorn documents them: --limit-request-line (414), --limit-request-fields and
// --limit-request-field_size (431); each counts the bytes of the line without its CRLF, and 0 means unlimited.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HttpServerOptions } from '../../src/http/server.js';
import { echoBody } from '../apps/http/echo-body.js';
import { hello } from '../apps/http/hello.js';
import { rawRequest } from './support/raw-connection.js';
import { serve } from './support/serve.js';

async function statusFor(request: string, options: Partial<HttpServerOptions>): Promise<number> {
  const served = await serve(hello, options);
  try {
    return (await rawRequest(served.port, request)).status;
  } finally {
    await served.close();
  }
}

/** A request line of exactly `length` bytes (without CRLF). */
function requestLine(length: number): string {
  const fixed = 'GET / HTTP/1.1'.length;
  return `GET /${'a'.repeat(length - fixed)} HTTP/1.1`;
}

/** `count` header fields (Host included). */
function fields(count: number): string {
  return ['Host: x', ...Array.from({ length: count - 1 }, (_, i) => `X-F${i}: v`)].join('\r\n');
}

describe('request limits', { timeout: 20_000 }, () => {
  test('limitRequestLine: a line of exactly the limit passes, one byte more is 414', async () => {
    assert.equal(await statusFor(`${requestLine(100)}\r\nHost: x\r\n\r\n`, { limitRequestLine: 100 }), 200);
    assert.equal(await statusFor(`${requestLine(101)}\r\nHost: x\r\n\r\n`, { limitRequestLine: 100 }), 414);
  });

  test('limitRequestLine defaults to 4094', async () => {
    assert.equal(await statusFor(`${requestLine(4094)}\r\nHost: x\r\n\r\n`, {}), 200);
    assert.equal(await statusFor(`${requestLine(4095)}\r\nHost: x\r\n\r\n`, {}), 414);
  });

  test('limitRequestLine 0 is unlimited (up to the parser backstop of 64 KiB)', async () => {
    assert.equal(await statusFor(`${requestLine(60_000)}\r\nHost: x\r\n\r\n`, { limitRequestLine: 0 }), 200);
  });

  test('limitRequestLine above 64 KiB raises the parser backstop with it', async () => {
    const options = { limitRequestLine: 100_000 };
    assert.equal(await statusFor(`${requestLine(90_000)}\r\nHost: x\r\n\r\n`, options), 200);
    assert.equal(await statusFor(`${requestLine(100_001)}\r\nHost: x\r\n\r\n`, options), 414);
  });

  test('limitRequestFields: exactly the limit passes, one more is 431', async () => {
    assert.equal(await statusFor(`GET / HTTP/1.1\r\n${fields(5)}\r\n\r\n`, { limitRequestFields: 5 }), 200);
    assert.equal(await statusFor(`GET / HTTP/1.1\r\n${fields(6)}\r\n\r\n`, { limitRequestFields: 5 }), 431);
  });

  test('limitRequestFields defaults to 100', async () => {
    assert.equal(await statusFor(`GET / HTTP/1.1\r\n${fields(100)}\r\n\r\n`, {}), 200);
    assert.equal(await statusFor(`GET / HTTP/1.1\r\n${fields(101)}\r\n\r\n`, {}), 431);
  });

  test('limitRequestFields 0 is unlimited, beyond node:http’s default of 2000', async () => {
    assert.equal(
      await statusFor(`GET / HTTP/1.1\r\n${fields(2500)}\r\n\r\n`, { limitRequestFields: 0 }),
      200,
    );
  });

  test('limitRequestFieldSize: a field line of exactly the limit passes, one byte more is 431', async () => {
    const field = (n: number) => `X-A: ${'v'.repeat(n - 'X-A: '.length)}`;
    const options = { limitRequestFieldSize: 50 };
    assert.equal(await statusFor(`GET / HTTP/1.1\r\nHost: x\r\n${field(50)}\r\n\r\n`, options), 200);
    assert.equal(await statusFor(`GET / HTTP/1.1\r\nHost: x\r\n${field(51)}\r\n\r\n`, options), 431);
  });

  test('limitRequestFieldSize defaults to 8190', async () => {
    const field = (n: number) => `X-A: ${'v'.repeat(n - 'X-A: '.length)}`;
    assert.equal(await statusFor(`GET / HTTP/1.1\r\nHost: x\r\n${field(8190)}\r\n\r\n`, {}), 200);
    assert.equal(await statusFor(`GET / HTTP/1.1\r\nHost: x\r\n${field(8191)}\r\n\r\n`, {}), 431);
  });

  test('limitRequestFieldSize 0 is unlimited (up to the parser backstop)', async () => {
    const big = `X-A: ${'v'.repeat(30_000)}`;
    assert.equal(
      await statusFor(`GET / HTTP/1.1\r\nHost: x\r\n${big}\r\n\r\n`, { limitRequestFieldSize: 0 }),
      200,
    );
  });

  test('limitRequestBody: a declared Content-Length over the limit is 413 before the app runs', async () => {
    let calls = 0;
    const counting: typeof echoBody = (environ, startResponse) => {
      calls++;
      return echoBody(environ, startResponse);
    };
    const served = await serve(counting, { limitRequestBody: 10 });
    try {
      const ok = await rawRequest(
        served.port,
        'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789',
      );
      assert.equal(ok.status, 200);
      const big = await rawRequest(
        served.port,
        'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n0123456789A',
      );
      assert.equal(big.status, 413);
      assert.equal(calls, 1);
    } finally {
      await served.close();
    }
  });

  test('limitRequestBody: a chunked body growing past the limit is 413 when the app reads it', async () => {
    const chunked = (body: string) =>
      `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    assert.equal(await statusFor(chunked('0123456789'), { limitRequestBody: 10 }), 200);
    const served = await serve(echoBody, { limitRequestBody: 10 });
    try {
      assert.equal((await rawRequest(served.port, chunked('0123456789A'))).status, 413);
      assert.match(served.logger.lines.join('\n'), /TSGI_BODY_TOO_LARGE|larger than the limit of 10 bytes/);
    } finally {
      await served.close();
    }
  });

  test('limitRequestBody defaults to 0: unlimited, as in Gunicorn', async () => {
    const body = 'x'.repeat(200_000);
    assert.equal(
      await statusFor(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`, {}),
      200,
    );
  });
});
