// What the client sees when the app fails (PEP 3333 S10, S14): a generic 500 before the headers, a broken
// connection after them, and close() whatever happened. The server itself keeps serving.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Application } from '../../src/gateway/index.js';
import { endlessStream } from '../apps/http/endless-stream.js';
import { header, RawConnection } from './support/raw-connection.js';
import { serve, waitFor } from './support/serve.js';

const text = (s: string) => new TextEncoder().encode(s);
const GET = 'GET /boom HTTP/1.1\r\nHost: x\r\n\r\n';

describe('app errors', { timeout: 10_000 }, () => {
  test('an app that throws before its headers → generic 500 page, stack in the log', async () => {
    const served = await serve(() => {
      throw new Error('secret detail');
    });
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.equal(response.status, 500);
      assert.equal(response.body.toString(), '500 Internal Server Error\n');
      assert.ok(!response.raw.toString().includes('secret'), 'error detail leaked to the client');
      const log = served.logger.lines.join('\n');
      assert.match(log, /\[ERROR\] error handling GET \/boom\nError: secret detail\n\s+at /);
      // The 500 is a complete response: the connection stays usable.
      await connection.send(GET);
      assert.equal((await connection.readResponse()).status, 500);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('an async app that rejects before its headers → 500', async () => {
    const served = await serve(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('later');
    });
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      assert.equal((await connection.readResponse()).status, 500);
      assert.ok(served.logger.lines.some((l) => l.includes('Error: later')));
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('a body that throws after its first chunk → connection cut, no terminating 0 chunk', async () => {
    let closed = false;
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', []);
      return {
        async *[Symbol.asyncIterator]() {
          yield text('first');
          await new Promise((resolve) => setTimeout(resolve, 5));
          throw new Error('mid-body failure');
        },
        close() {
          closed = true;
        },
      };
    };
    const served = await serve(app);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.equal(response.framing, 'chunked');
      assert.equal(response.complete, false);
      assert.equal(response.body.toString(), 'first');
      assert.ok(!response.raw.toString('latin1').includes('\r\n0\r\n\r\n'));
      assert.equal(await connection.waitForClose(1000), true);
      assert.equal(closed, true);
      assert.ok(served.logger.lines.some((l) => l.includes('connection aborted')));
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('a close-delimited HTTP/1.0 body that throws → connection reset, never a clean end', async () => {
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', []);
      return (async function* () {
        yield text('first');
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error('mid-body failure');
      })();
    };
    const served = await serve(app);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('GET / HTTP/1.0\r\n\r\n');
      await connection.waitForClose(1000);
      assert.equal((connection.error as NodeJS.ErrnoException | undefined)?.code, 'ECONNRESET');
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('close() is called when the client disconnects mid-body, and the server serves the next request', async () => {
    const stream = endlessStream();
    const served = await serve(stream.app);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      await connection.waitForText('aaaa');
      connection.close();
      await waitFor(() => stream.closed, 2000, 'close()');
      const chunksAtClose = stream.chunks;
      const next = await RawConnection.open(served.port);
      try {
        await next.send('HEAD / HTTP/1.1\r\nHost: x\r\n\r\n');
        assert.equal((await next.readResponse({ method: 'HEAD' })).status, 200);
      } finally {
        next.close();
      }
      assert.ok(stream.chunks - chunksAtClose <= 1, 'body still pulled after close()');
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('an error in close() is logged and the response is still complete', async () => {
    const served = await serve((_environ, startResponse) => {
      startResponse('200 OK', []);
      return Object.assign([text('ok')], {
        close() {
          throw new Error('close failed');
        },
      });
    });
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.equal(response.body.toString(), 'ok');
      await waitFor(() => served.logger.lines.some((l) => l.includes('close failed')), 1000, 'log line');
      assert.equal(header(response, 'content-length'), '2');
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('a contract error (text instead of bytes) → 500 with the catalog message in the log', async () => {
    const served = await serve((_environ, startResponse) => {
      startResponse('200 OK', []);
      return ['not bytes' as unknown as Uint8Array];
    });
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      assert.equal((await connection.readResponse()).status, 500);
      assert.ok(served.logger.lines.some((l) => l.includes('TextEncoder')));
    } finally {
      connection.close();
      await served.close();
    }
  });
});
