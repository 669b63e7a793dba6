// Response framing (RFC 9112 §6): whatever the app declares or sends, every response on a connection ends where
// the client thinks it ends, so the next response is never misread. Proven on the raw bytes.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Application, Body } from '../../src/gateway/index.js';
import { header, RawConnection } from './support/raw-connection.js';
import { serve, waitFor } from './support/serve.js';

const text = (s: string) => new TextEncoder().encode(s);
const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

/** An app that answers `status` with `headers` and the chunks from `body()`, one fresh body per request. */
function app(status: string, headers: Array<[string, string]>, body: () => Body): Application {
  return (_environ, startResponse) => {
    startResponse(status, headers);
    return body();
  };
}

async function* generate(...chunks: string[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield text(c);
}

/** After one response, the connection is either closed or ready for a clean second response: never desynchronised. */
async function assertNotDesynchronised(connection: RawConnection): Promise<void> {
  if (connection.closed) return;
  assert.ok(
    connection.pending.length === 0 || connection.pending.toString('latin1').startsWith('HTTP/1.1 '),
    `stray bytes after the response: ${JSON.stringify(connection.pending.toString('latin1'))}`,
  );
  try {
    await connection.send(GET);
  } catch {
    return; // closed meanwhile
  }
  if (await connection.waitForClose(50)) return;
  const next = await connection.readResponse();
  assert.match(next.statusLine, /^HTTP\/1\.1 \d\d\d /);
}

describe('response framing', { timeout: 10_000 }, () => {
  test('never more than the declared Content-Length: 5 declared, 10 sent → exactly 5 bytes', async () => {
    const served = await serve(app('200 OK', [['Content-Length', '5']], () => generate('01234', '56789')));
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.equal(response.body.toString(), '01234');
      await assertNotDesynchronised(connection);
      assert.ok(served.logger.lines.some((l) => l.includes('more than its Content-Length of 5')));
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('a Content-Length with spaces around its digits frames the body, and is sent without them', async () => {
    const served = await serve(app('200 OK', [['Content-Length', ' 5\t']], () => generate('01', '234')));
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.equal(header(response, 'content-length'), '5');
      assert.equal(header(response, 'transfer-encoding'), undefined);
      assert.equal(response.body.toString(), '01234');
      await assertNotDesynchronised(connection);
      assert.ok(!served.logger.lines.some((l) => l.includes('dropped response header')));
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('never more than the declared Content-Length: one 10-byte chunk for 5 declared → exactly 5 bytes', async () => {
    const served = await serve(app('200 OK', [['Content-Length', '5']], () => [text('0123456789')]));
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.equal(response.body.toString(), '01234');
      await assertNotDesynchronised(connection);
    } finally {
      connection.close();
      await served.close();
    }
  });

  for (const body of ['array', 'stream'] as const) {
    test(`Content-Length: 0 with a${body === 'array' ? 'n array' : ' streamed'} body → the head alone, and the connection serves on`, async () => {
      const served = await serve(
        app('200 OK', [['Content-Length', '0']], () =>
          body === 'array' ? [text('abc')] : generate('a', 'bc'),
        ),
      );
      const connection = await RawConnection.open(served.port);
      try {
        await connection.send(GET);
        const response = await connection.readResponse();
        assert.equal(response.status, 200);
        assert.equal(header(response, 'content-length'), '0');
        assert.equal(response.body.length, 0);
        await assertNotDesynchronised(connection);
      } finally {
        connection.close();
        await served.close();
      }
    });
  }

  test('an endless body past its Content-Length is no longer pulled, and closed', async () => {
    let pulled = 0;
    let closed = false;
    const served = await serve((_environ, startResponse) => {
      startResponse('200 OK', [['Content-Length', '3']]);
      return {
        *[Symbol.iterator]() {
          for (;;) {
            pulled++;
            yield text('abc');
          }
        },
        close() {
          closed = true;
        },
      };
    });
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      assert.equal((await connection.readResponse()).body.toString(), 'abc');
      await waitFor(() => closed, 1000, 'close()');
      // The chunk that fills the length, the one that overflows it, and at most one more pulled before the check.
      assert.ok(pulled <= 3, `pulled ${pulled} chunks`);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('fewer bytes than the declared Content-Length → connection closed, response incomplete', async () => {
    const served = await serve(app('200 OK', [['Content-Length', '10']], () => generate('01234')));
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.equal(response.complete, false);
      assert.equal(response.body.toString(), '01234');
      assert.equal(await connection.waitForClose(1000), true);
      assert.ok(served.logger.lines.some((l) => l.includes('sent 5 of its Content-Length of 10')));
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('no Content-Length on HTTP/1.1 → chunked, and the connection stays usable', async () => {
    const served = await serve(app('200 OK', [], () => generate('ab', 'cd')));
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.equal(response.framing, 'chunked');
      assert.equal(response.complete, true);
      assert.equal(response.body.toString(), 'abcd');
      assert.ok(response.raw.toString('latin1').endsWith('\r\n0\r\n\r\n'));
      await connection.send(GET);
      assert.equal((await connection.readResponse()).body.toString(), 'abcd');
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('an async app returning an array gets a Content-Length, as a sync one does, not chunked framing', async () => {
    const asyncApp: Application = async (_environ, startResponse) => {
      await new Promise((resolve) => setImmediate(resolve));
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return [text('ab'), text('cd')];
    };
    const served = await serve(asyncApp);
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.equal(response.framing, 'content-length');
      assert.equal(header(response, 'content-length'), '4');
      assert.equal(response.body.toString(), 'abcd');
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('no Content-Length on HTTP/1.0 → body delimited by closing the connection', async () => {
    const served = await serve(app('200 OK', [], () => generate('ab', 'cd')));
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('GET / HTTP/1.0\r\n\r\n');
      const response = await connection.readResponse();
      assert.equal(header(response, 'transfer-encoding'), undefined);
      assert.equal(response.framing, 'close');
      assert.equal(response.body.toString(), 'abcd');
      assert.equal(await connection.waitForClose(1000), true);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('HTTP/1.0 with Connection: keep-alive and no length → close-delimited, connection closed', async () => {
    const served = await serve(app('200 OK', [], () => generate('ab', 'cd')));
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
      const response = await connection.readResponse();
      assert.equal(response.framing, 'close');
      assert.equal(response.body.toString(), 'abcd');
      assert.equal(await connection.waitForClose(1000), true);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('HTTP/1.0 with Connection: keep-alive and an array body → kept alive with its Content-Length', async () => {
    const served = await serve(app('200 OK', [], () => [text('abcd')]));
    const connection = await RawConnection.open(served.port);
    try {
      for (let i = 0; i < 2; i++) {
        await connection.send('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
        const response = await connection.readResponse();
        assert.equal(response.framing, 'content-length');
        assert.equal(response.body.toString(), 'abcd');
      }
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('a request pipelined behind a Connection: close response never reaches the app', async () => {
    const served = await serve(app('200 OK', [['Connection', 'close']], () => [text('x')]));
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(`${GET}${GET}`);
      assert.equal((await connection.readResponse()).body.toString(), 'x');
      assert.equal(await connection.waitForClose(1000), true);
      assert.equal(connection.pending.length, 0);
      assert.equal(served.calls, 1);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('an array body gets its Content-Length', async () => {
    const served = await serve(app('200 OK', [], () => [text('ab'), text('cd')]));
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.equal(header(response, 'content-length'), '4');
      assert.equal(response.body.toString(), 'abcd');
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('an empty body gets Content-Length: 0', async () => {
    const served = await serve(app('200 OK', [], () => generate()));
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.equal(header(response, 'content-length'), '0');
      await assertNotDesynchronised(connection);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('HEAD sends no body but keeps the headers and the Content-Length of an array body', async () => {
    const served = await serve(app('200 OK', [['X-Kept', 'yes']], () => [text('hello')]));
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('HEAD / HTTP/1.1\r\nHost: x\r\n\r\n');
      const response = await connection.readResponse({ method: 'HEAD' });
      assert.equal(header(response, 'x-kept'), 'yes');
      assert.equal(header(response, 'content-length'), '5');
      await assertNotDesynchronised(connection);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test("HEAD sends no body for a streamed body, keeping the app's Content-Length", async () => {
    const served = await serve(app('200 OK', [['Content-Length', '4']], () => generate('ab', 'cd')));
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('HEAD / HTTP/1.1\r\nHost: x\r\n\r\n');
      const response = await connection.readResponse({ method: 'HEAD' });
      assert.equal(header(response, 'content-length'), '4');
      await assertNotDesynchronised(connection);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('HEAD of a streamed body without length sends no body and no chunked framing', async () => {
    const served = await serve(app('200 OK', [], () => generate('ab', 'cd')));
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send('HEAD / HTTP/1.1\r\nHost: x\r\n\r\n');
      await connection.readResponse({ method: 'HEAD' });
      await assertNotDesynchronised(connection);
    } finally {
      connection.close();
      await served.close();
    }
  });

  for (const status of ['204 No Content', '304 Not Modified']) {
    test(`${status} sends no body even when the app gives one`, async () => {
      const served = await serve(app(status, [], () => generate('not', 'sent')));
      const connection = await RawConnection.open(served.port);
      try {
        await connection.send(GET);
        const response = await connection.readResponse();
        assert.equal(response.status, Number(status.slice(0, 3)));
        assert.equal(header(response, 'transfer-encoding'), undefined);
        assert.equal(header(response, 'content-length'), undefined);
        await assertNotDesynchronised(connection);
      } finally {
        connection.close();
        await served.close();
      }
    });
  }

  test("204 No Content drops the app's Content-Length (RFC 9110 §8.6: a server must not send one)", async () => {
    const served = await serve(app('204 No Content', [['Content-Length', '19']], () => []));
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.equal(response.status, 204);
      assert.equal(header(response, 'content-length'), undefined);
      await assertNotDesynchronised(connection);
    } finally {
      connection.close();
      await served.close();
    }
  });

  const hopByHop: Array<[string, string]> = [
    ['Transfer-Encoding', 'chunked'],
    ['Connection', 'keep-alive'],
    ['Keep-Alive', 'timeout=999'],
    ['Upgrade', 'websocket'],
    ['TE', 'trailers'],
    ['Trailer', 'X-Checksum'],
    ['Proxy-Authenticate', 'Basic realm="x"'],
  ];
  for (const [name, value] of hopByHop) {
    for (const body of ['array', 'stream'] as const) {
      test(`app header ${name}: ${value} does not break the framing of a${body === 'array' ? 'n array' : ' streamed'} body`, async () => {
        const served = await serve(
          app('200 OK', [[name, value]], () => (body === 'array' ? [text('hello')] : generate('hel', 'lo'))),
        );
        const connection = await RawConnection.open(served.port);
        try {
          for (let i = 0; i < 2; i++) {
            await connection.send(GET);
            const response = await connection.readResponse();
            assert.equal(response.body.toString(), 'hello');
            assert.equal(response.complete, true);
            const head = response.raw.toString('latin1').split('\r\n\r\n')[0];
            // Only the server's own framing headers: one Transfer-Encoding at most, none of the app's others.
            assert.ok(!/^(upgrade|te|trailer|proxy-authenticate):/im.test(head), head);
            assert.ok(!head.includes('timeout=999'), head);
            assert.ok((head.match(/^transfer-encoding:/gim) ?? []).length <= 1, head);
            assert.ok((head.match(/^connection:/gim) ?? []).length <= 1, head);
            assert.ok(!(/^transfer-encoding:/im.test(head) && /^content-length:/im.test(head)), head);
          }
        } finally {
          connection.close();
          await served.close();
        }
      });
    }
  }

  test('app header Connection: keep-alive does not keep a connection open when keepAlive is 0', async () => {
    const served = await serve(
      app('200 OK', [['Connection', 'keep-alive']], () => [text('hello')]),
      {
        keepAlive: 0,
      },
    );
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.equal(header(response, 'connection'), 'close');
      assert.equal(await connection.waitForClose(1000), true);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('app header Connection: close is honoured', async () => {
    const served = await serve(app('200 OK', [['Connection', 'close']], () => generate('bye')));
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.equal(header(response, 'connection'), 'close');
      assert.equal(response.body.toString(), 'bye');
      assert.equal(await connection.waitForClose(1000), true);
    } finally {
      connection.close();
      await served.close();
    }
  });

  test('a repeated Content-Length from the app is sent once (two that disagree: a 500, tests/gateway)', async () => {
    const served = await serve(
      app(
        '200 OK',
        [
          ['Content-Length', '5'],
          ['content-length', '5'],
          ['X-A', 'b'],
        ],
        () => [text('hello')],
      ),
    );
    const connection = await RawConnection.open(served.port);
    try {
      await connection.send(GET);
      const response = await connection.readResponse();
      assert.deepEqual(
        response.headers.filter(([n]) => n.toLowerCase() === 'content-length'),
        [['Content-Length', '5']],
      );
      await assertNotDesynchronised(connection);
    } finally {
      connection.close();
      await served.close();
    }
  });

  for (const status of ['200 OK', '404 Not Found', '200 Fine', '200 OKAY', '299 Custom Thing']) {
    test(`the status line carries the app's own reason phrase: ${status}`, async () => {
      const served = await serve(app(status, [], () => [text('x')]));
      const connection = await RawConnection.open(served.port);
      try {
        await connection.send(GET);
        const response = await connection.readResponse();
        assert.equal(response.statusLine, `HTTP/1.1 ${status}`);
      } finally {
        connection.close();
        await served.close();
      }
    });
  }

  // The small-body fast path sends a whole body as a latin-1 string; every byte value must still arrive as itself.
  for (const size of [256, 4096]) {
    test(`a ${size}-byte body holding every byte value arrives byte for byte`, async () => {
      const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 7 + 3) % 256);
      const served = await serve(app('200 OK', [], () => [bytes]));
      const connection = await RawConnection.open(served.port);
      try {
        await connection.send(GET);
        const response = await connection.readResponse();
        assert.equal(header(response, 'content-length'), String(size));
        assert.deepEqual(new Uint8Array(response.body), bytes);
        await assertNotDesynchronised(connection);
      } finally {
        connection.close();
        await served.close();
      }
    });
  }
});
