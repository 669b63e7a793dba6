// environ['tsgi.client'].earlyHints (RFC 8297): a 103 Early Hints before the final response, never after its head
// and never to an HTTP/1.0 client. Python apps reach it through wsgi.early_hints (tests/e2e/python-early-hints).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Application } from '../../src/gateway/index.js';
import { headerValues, RawConnection, rawRequest } from './support/raw-connection.js';
import { serve } from './support/serve.js';

const hinting: Application = (environ, startResponse) => {
  environ['tsgi.client']?.earlyHints?.([['Link', '</a.css>; rel=preload; as=style']]);
  startResponse('200 OK', [['Content-Length', '2']]);
  return [new TextEncoder().encode('ok')];
};

describe('103 Early Hints', { timeout: 10_000 }, () => {
  test('hints sent before the head arrive as a 103 ahead of the response', async () => {
    const served = await serve(hinting);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      const interim = await connection.readResponse();
      assert.equal(interim.statusLine, 'HTTP/1.1 103 Early Hints');
      assert.deepEqual(headerValues(interim, 'link'), ['</a.css>; rel=preload; as=style']);
      assert.equal((await connection.readResponse()).status, 200);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('an HTTP/1.0 request gets the response without a 103', async () => {
    const served = await serve(hinting);
    try {
      const res = await rawRequest(served.port, 'GET / HTTP/1.0\r\n\r\n');
      assert.equal(res.status, 200);
    } finally {
      await served.close();
    }
  });

  test('a header that breaks the rules is dropped with a warning, and the response is unharmed', async () => {
    const bad: Application = (environ, startResponse) => {
      environ['tsgi.client']?.earlyHints?.([['Link', '</a>\r\nX-Injected: 1']]);
      startResponse('200 OK', [['Content-Length', '2']]);
      return [new TextEncoder().encode('ok')];
    };
    const served = await serve(bad);
    try {
      const res = await rawRequest(served.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.equal(res.status, 200);
      assert.ok(!res.raw.toString('latin1').includes('X-Injected'));
      assert.match(served.logger.lines.join('\n'), /WARNING.*early hints for GET \/ dropped/);
    } finally {
      await served.close();
    }
  });
});
