// tsgi against Python's own PEP 3333 checker: tests/apps/python/validated.py is wrapped in
// wsgiref.validate.validator, which raises AssertionError (→ 500 and a traceback) or warns (→ the error log)
// when the server breaks the contract. Every request must get its 200 and leave the error log clean.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { header, RawConnection, rawRequest } from '../http/support/raw-connection.js';
import { chunked, payload, sha256 } from './support/multipart.js';
import { type ServerProcess, skipPython, sleep, startTsgi } from './support/server-process.js';

/** What wsgiref.validate (or Python) writes when something is wrong. */
const TROUBLE = /AssertionError|Warning|Exception ignored|Traceback|Error:/;

describe('wsgiref.validate around an app under tsgi', { skip: skipPython, timeout: 60_000 }, () => {
  let tsgi: ServerProcess;
  before(async () => {
    tsgi = await startTsgi('validated:application');
  });
  after(async () => {
    await tsgi?.kill();
  });

  /** Runs `exchange`, then checks that nothing it caused was logged as a validator complaint. */
  async function cleanly(exchange: () => Promise<void>): Promise<void> {
    const from = tsgi.stderr.length;
    await exchange();
    await sleep(150); // a complaint from __del__ (an iterator never closed) comes after the response
    const log = tsgi.stderr.slice(from);
    assert.doesNotMatch(log, TROUBLE, `the validator complained:\n${log}`);
  }

  test('GET passes the validator', { timeout: 10_000 }, () =>
    cleanly(async () => {
      const res = await fetch(`${tsgi.origin}/hello?x=1`);
      assert.equal(res.status, 200, tsgi.tail());
      assert.equal(await res.text(), 'validated hello\n');
      assert.match(tsgi.stderr, /validated: GET \/hello/, 'wsgi.errors reaches the error log');
    }),
  );

  test(
    'a POST body read with readline(), readline(n) and read(n) passes the validator',
    {
      timeout: 10_000,
    },
    () =>
      cleanly(async () => {
        const body = Buffer.concat([Buffer.from('first line\nsecond line\n'), payload(50_000)]);
        const res = await fetch(`${tsgi.origin}/read`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/octet-stream' },
        });
        assert.equal(res.status, 200, tsgi.tail());
        assert.deepEqual(await res.json(), {
          length: body.length,
          sha256: sha256(body),
          first_line: 'first line\n',
          second_read: 'second l',
          read_at_end: '',
        });
      }),
  );

  test('a chunked POST (given CONTENT_LENGTH by tsgi) passes the validator', { timeout: 10_000 }, () =>
    cleanly(async () => {
      const body = Buffer.concat([Buffer.from('line one\nline two\n'), payload(20_000)]);
      const res = await rawRequest(
        tsgi.port,
        Buffer.concat([
          Buffer.from(
            'POST /read HTTP/1.1\r\nHost: h\r\nContent-Type: application/octet-stream\r\n' +
              'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
          ),
          chunked(body, 3000),
        ]),
      );
      assert.equal(res.status, 200, tsgi.tail());
      const result = JSON.parse(res.body.toString());
      assert.equal(result.length, body.length);
      assert.equal(result.sha256, sha256(body));
    }),
  );

  test('a streamed (generator) response passes the validator', { timeout: 10_000 }, () =>
    cleanly(async () => {
      const res = await rawRequest(tsgi.port, 'GET /stream HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
      assert.equal(res.status, 200, tsgi.tail());
      assert.equal(res.framing, 'chunked');
      assert.equal(res.body.toString(), Array.from({ length: 20 }, (_, i) => `part ${i}\n`).join(''));
    }),
  );

  test('a response using write() passes the validator', { timeout: 10_000 }, () =>
    cleanly(async () => {
      const res = await fetch(`${tsgi.origin}/write`);
      assert.equal(res.status, 200, tsgi.tail());
      assert.equal(await res.text(), 'written, then returned\n');
    }),
  );

  test('HEAD passes the validator and gets the headers without the body', { timeout: 10_000 }, () =>
    cleanly(async () => {
      const connection = await RawConnection.open(tsgi.port);
      try {
        await connection.send(
          'HEAD / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
        );
        const head = await connection.readResponse({ method: 'HEAD' });
        assert.equal(head.status, 200, tsgi.tail());
        assert.equal(header(head, 'content-length'), '16');
        // The next response on the same connection starts right after the HEAD's headers: no stray body bytes.
        const get = await connection.readResponse();
        assert.equal(get.status, 200);
        assert.equal(get.body.toString(), 'validated hello\n');
      } finally {
        connection.close();
      }
    }),
  );
});
