// The access log line, in Gunicorn's default format (h l u t "r" s b "f" "a") and in a format of one's own
// (--access-logformat, Gunicorn's atoms).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Application } from '../../src/gateway/index.js';
import { AccessLog, accessTimestamp } from '../../src/http/access-log.js';
import { hello } from '../apps/http/hello.js';
import { RawConnection } from './support/raw-connection.js';
import { serve, sleep, waitFor } from './support/serve.js';

const LINE =
  /^127\.0\.0\.1 - (\S+) \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"\n$/;

/** The one access log line a request makes, in `format` (Gunicorn's default when not given). */
async function lineFor(app: Application, request: string, method?: string, format?: string): Promise<string> {
  const lines: string[] = [];
  const served = await serve(app, {
    accessLog: new AccessLog({ write: (s: string) => lines.push(s) }, format),
  });
  const connection = await RawConnection.open(served.port);
  try {
    await connection.send(request);
    await connection.readResponse({ method });
    await waitFor(() => lines.length === 1, 1000, 'the access log line');
    return lines[0];
  } finally {
    connection.close();
    await served.close();
  }
}

async function logFor(app: Application, request: string, method?: string): Promise<RegExpExecArray> {
  const line = await lineFor(app, request, method);
  const match = LINE.exec(line);
  assert.ok(match, `not Gunicorn's format: ${JSON.stringify(line)}`);
  return match;
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

  test('the user of Basic authentication is logged, and an empty body as 0 (as Gunicorn does)', async () => {
    const noContent: Application = (_environ, startResponse) => {
      startResponse('204 No Content', []);
      return [];
    };
    const auth = Buffer.from('alice:secret').toString('base64');
    const [, user, , status, bytes, referer, agent] = await logFor(
      noContent,
      `DELETE /item HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\n\r\n`,
    );
    assert.deepEqual([user, status, bytes, referer, agent], ['alice', '204', '0', '-', '-']);
  });

  test('a 500 from a failing app is logged with its status', async () => {
    const [, , , status] = await logFor(() => {
      throw new Error('boom');
    }, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(status, '500');
  });

  test('a client that leaves before the response began is logged as 499, with a debug line that says so', async () => {
    const lines: string[] = [];
    let answered!: () => void;
    const done = new Promise<void>((resolve) => {
      answered = resolve;
    });
    const slow: Application = async (_environ, startResponse) => {
      await sleep(150);
      startResponse('200 OK', []);
      answered();
      return [new TextEncoder().encode('late')];
    };
    const served = await serve(slow, { accessLog: new AccessLog({ write: (s: string) => lines.push(s) }) });
    try {
      const connection = await RawConnection.open(served.port);
      await connection.send('GET /gone?q=1 HTTP/1.1\r\nHost: x\r\n\r\n');
      connection.close();
      await done;
      await waitFor(() => lines.length === 1, 1000, 'the access log line');
      const match = LINE.exec(lines[0]);
      assert.ok(match, lines[0]);
      assert.equal(match[3], '499');
      assert.ok(
        served.logger.lines.some((line) =>
          line.includes('[DEBUG] client of GET /gone?q=1 went away before the response began'),
        ),
        served.logger.lines.join('\n'),
      );
    } finally {
      await served.close();
    }
  });

  test('the timestamp is in UTC, as Apache common log time', () => {
    assert.equal(accessTimestamp(new Date(Date.UTC(2026, 10, 29, 4, 5, 6))), '[29/Nov/2026:04:05:06 +0000]');
  });

  test('--access-logformat prints the atoms it names: request, response and environ values', async () => {
    const app: Application = (_environ, startResponse) => {
      startResponse('201 Created', [
        ['Content-Type', 'text/plain'],
        ['X-Out', 'a'],
        ['x-out', 'b'],
      ]);
      return [new TextEncoder().encode('made')];
    };
    const line = await lineFor(
      app,
      'PUT /p/%41?x=1 HTTP/1.1\r\nHost: h\r\nX-Req: r1\r\nContent-Length: 0\r\n\r\n',
      undefined,
      '%(m)s %(U)s %(q)s %(H)s %(s)s %(B)s %({x-req}i)s %({X-Out}o)s %({path_info}e)s %({X-REQ}I)s %({missing}i)s %(p)s %(zz)s 100%%',
    );
    // As in Gunicorn: a response header's last value, names and the i/o/e letter in any case.
    assert.equal(line, `PUT /p/A x=1 HTTP/1.1 201 4 r1 b /p/A r1 - <${process.pid}> - 100%\n`);
  });

  test('the timing atoms agree: D microseconds, M milliseconds, L seconds, T whole seconds', async () => {
    const slow: Application = async (_environ, startResponse) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      startResponse('200 OK', []);
      return [];
    };
    const line = await lineFor(
      slow,
      'GET / HTTP/1.1\r\nHost: h\r\n\r\n',
      undefined,
      '%(D)s %(M)s %(L)s %(T)s',
    );
    const [micros, millis, seconds, whole] = line.trim().split(' ');
    // libuv's timers count whole milliseconds from the loop's cached clock: a 30 ms timer may fire up to 1 ms before
    // 30 ms have passed by the high-resolution clock the access log reads.
    assert.ok(Number(micros) >= 29_000, `D ${micros}`);
    assert.equal(Number(millis), Math.floor(Number(micros) / 1000));
    assert.match(seconds, /^0\.\d{6}$/);
    assert.ok(Math.abs(Number(seconds) * 1e6 - Number(micros)) < 2, `L ${seconds} vs D ${micros}`);
    assert.equal(whole, '0');
  });

  test('a " in a value is escaped, so a client cannot forge the quoted fields', async () => {
    const line = await lineFor(hello, 'GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: x" 200 "forged\r\n\r\n');
    assert.ok(line.endsWith(' "-" "x\\" 200 \\"forged"\n'), line);
  });

  test('an atom named like an object property prints "-" and the server keeps serving', async () => {
    const line = await lineFor(
      hello,
      'GET / HTTP/1.1\r\nHost: h\r\n\r\n',
      undefined,
      '%(valueOf)s %(__proto__)s %(constructor)s %(toString)s %(s)s',
    );
    assert.equal(line, '- - - - 200\n');
  });
});
