// The access log line, in Gunicorn's default format: h l u t "r" s b "f" "a".

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Application } from '../../src/gateway/index.js';
import { AccessLog, accessTimestamp } from '../../src/http/access-log.js';
import { hello } from '../apps/http/hello.js';
import { RawConnection } from './support/raw-connection.js';
import { serve, waitFor } from './support/serve.js';

const LINE =
  /^127\.0\.0\.1 - (\S+) \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"\n$/;

async function logFor(app: Application, request: string, method?: string): Promise<RegExpExecArray> {
  const lines: string[] = [];
  const served = await serve(app, { accessLog: new AccessLog({ write: (s: string) => lines.push(s) }) });
  const connection = await RawConnection.open(served.port);
  try {
    await connection.send(request);
    await connection.readResponse({ method });
    await waitFor(() => lines.length === 1, 1000, 'the access log line');
    const match = LINE.exec(lines[0]);
    assert.ok(match, `not Gunicorn's format: ${JSON.stringify(lines[0])}`);
    return match;
  } finally {
    connection.close();
    await served.close();
  }
}

describe('access log', { timeout: 10_000 }, () => {
  test("a request is logged in Gunicorn's format", async () => {
    const [, user, requestLine, status, bytes, referer, agent] = await logFor(
      hello,
      'GET /x?y=1 HTTP/1.1\r\nHost: x\r\nReferer: http://r/\r\nUser-Agent: curl/8.0\r\n\r\n',
    );
    assert.deepEqual(
      [user, requestLine, status, bytes, referer, agent],
      ['-', 'GET /x?y=1 HTTP/1.1', '200', '5', 'http://r/', 'curl/8.0'],
    );
  });

  test('the user of Basic authentication is logged, and an empty body as "-"', async () => {
    const noContent: Application = (_environ, startResponse) => {
      startResponse('204 No Content', []);
      return [];
    };
    const auth = Buffer.from('alice:secret').toString('base64');
    const [, user, , status, bytes, referer, agent] = await logFor(
      noContent,
      `DELETE /item HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\n\r\n`,
    );
    assert.deepEqual([user, status, bytes, referer, agent], ['alice', '204', '-', '-', '-']);
  });

  test('a 500 from a failing app is logged with its status', async () => {
    const [, , , status] = await logFor(() => {
      throw new Error('boom');
    }, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(status, '500');
  });

  test('the timestamp is in UTC, as Apache common log time', () => {
    assert.equal(accessTimestamp(new Date(Date.UTC(2026, 10, 29, 4, 5, 6))), '[29/Nov/2026:04:05:06 +0000]');
  });
});
