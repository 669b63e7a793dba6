// Malformed and oversized requests (RFC 9112, RFC 9110 §15.5) are answered by the server itself: the app is
// never called, the error log says what was wrong, and other connections are untouched.

import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import type { Application } from '../../src/gateway/index.js';
import { clientErrorStatus } from '../../src/http/client-errors.js';
import { echoBody } from '../apps/http/echo-body.js';
import { header, RawConnection, rawRequest } from './support/raw-connection.js';
import { serve, sleep, waitFor } from './support/serve.js';

const bad: Array<{ name: string; request: string; status: number }> = [
  { name: 'a garbage request line', request: 'HELLO THERE\r\n\r\n', status: 400 },
  { name: 'a request line with no version', request: 'GET /\r\nHost: x\r\n\r\n', status: 400 },
  { name: 'a header line with no colon', request: 'GET / HTTP/1.1\r\nHost x\r\n\r\n', status: 400 },
  { name: 'a space before the header colon', request: 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', status: 400 },
  {
    name: 'a control character in a header value',
    request: 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n',
    status: 400,
  },
  { name: 'a bare LF line ending in the head', request: 'GET / HTTP/1.1\nHost: x\n\n', status: 400 },
  {
    name: 'a chunk size that is not hex',
    request: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
    status: 400,
  },
  {
    name: 'a chunk not followed by CRLF',
    request: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n',
    status: 400,
  },
  {
    name: 'Content-Length with Transfer-Encoding: chunked (smuggling)',
    request:
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
    status: 400,
  },
  {
    name: 'two different Content-Length values',
    request: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    status: 400,
  },
  {
    name: 'Transfer-Encoding that does not end in chunked',
    request: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n',
    status: 400,
  },
  {
    name: 'the asterisk-form with a method other than OPTIONS (RFC 9112 §3.2.4)',
    request: 'GET * HTTP/1.1\r\nHost: x\r\n\r\n',
    status: 400,
  },
  {
    name: 'two Host headers (RFC 9112 §3.2)',
    request: 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
    status: 400,
  },
  {
    name: 'two Content-Type headers (a singleton field)',
    request:
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\ncontent-type: text/html\r\nContent-Length: 0\r\n\r\n',
    status: 400,
  },
  {
    name: 'Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1)',
    request: 'POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n',
    status: 400,
  },
  {
    name: 'an obsolete line folding in a header',
    request: 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n',
    status: 400,
  },
  {
    name: 'a request line over --limit-request-line',
    request: `GET /${'a'.repeat(5000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    status: 414,
  },
  {
    name: 'a request line far over the parser limit',
    request: `GET /${'a'.repeat(200_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    status: 414,
  },
  {
    name: 'more header fields than --limit-request-fields',
    request: `GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 100 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`,
    status: 431,
  },
  {
    name: 'a header field over --limit-request-field_size',
    request: `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(9000)}\r\n\r\n`,
    status: 431,
  },
  {
    name: 'a cookie far over the parser limit',
    request: `GET / HTTP/1.1\r\nHost: x\r\nCookie: ${'session=abcdef; '.repeat(12_000)}\r\n\r\n`,
    status: 431,
  },
  {
    name: 'many header fields that are together over the parser limit',
    request: `GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 90 }, (_, i) => `X-H${i}: ${'v'.repeat(8000)}\r\n`).join('')}\r\n`,
    status: 431,
  },
];

describe('malformed and oversized requests', { timeout: 20_000 }, () => {
  for (const { name, request, status } of bad) {
    test(`${name} → ${status}, app not called, logged, other connections unharmed`, async () => {
      const served = await serve(echoBody);
      const healthy = await RawConnection.open(served.port);
      const attacker = await RawConnection.open(served.port);
      try {
        await healthy.send('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok');
        assert.equal((await healthy.readResponse()).body.toString(), 'ok');

        await attacker.send(request).catch(() => {}); // the server may close before it has read everything
        const response = await attacker.readResponse();
        assert.equal(response.status, status, response.statusLine);
        assert.equal(header(response, 'connection'), 'close');
        assert.equal(await attacker.waitForClose(1000), true, 'connection left open after a client error');
        assert.equal(served.calls, 1, 'the bad request reached the app');
        assert.ok(
          served.logger.lines.some((line) => line.includes(`[WARNING] ${status} `)),
          `no log line for the ${status}: ${served.logger.lines.join('\n')}`,
        );

        await healthy.send('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nstill');
        assert.equal((await healthy.readResponse()).body.toString(), 'still');
        assert.equal(served.calls, 2);
      } finally {
        healthy.close();
        attacker.close();
        await served.close();
      }
    });
  }
});

describe('clientErrorStatus', () => {
  const overflow = (packet: string, bytesParsed?: number) =>
    Object.assign(new Error('Parse Error: Header overflow'), {
      code: 'HPE_HEADER_OVERFLOW',
      rawPacket: Buffer.from(packet, 'latin1'),
      bytesParsed,
    });

  test('an overflow inside a request line seen from its start is 414', () => {
    assert.equal(clientErrorStatus(overflow(`GET /${'a'.repeat(100)}`, 50), 4094), 414);
  });

  test('an overflow inside a request line seen up to its end is 414', () => {
    assert.equal(clientErrorStatus(overflow(`${'a'.repeat(100)} HTTP/1.1\r\nHost: x\r\n`, 10), 4094), 414);
  });

  test('an overflow inside a header line seen from its start is 431', () => {
    assert.equal(clientErrorStatus(overflow(`GET / HTTP/1.1\r\nX-Big: ${'b'.repeat(100)}`, 60), 4094), 431);
  });

  test('an overflow in the middle of a line with whitespace (a field value) is 431', () => {
    assert.equal(clientErrorStatus(overflow('a=b; c=d; '.repeat(10), 60), 4094), 431);
  });

  test('an overflow in the middle of a line without whitespace is taken for a request-target: 414', () => {
    // Ambiguous from one packet; a request-target never holds whitespace, a huge field value usually does.
    assert.equal(clientErrorStatus(overflow('a'.repeat(100), 60), 4094), 414);
  });

  test('a timeout is 408 and anything else is 400', () => {
    assert.equal(
      clientErrorStatus(Object.assign(new Error('t'), { code: 'HPE_HEADERS_TIMEOUT' }), 4094),
      408,
    );
    assert.equal(clientErrorStatus(Object.assign(new Error('x'), { code: 'HPE_INVALID_METHOD' }), 4094), 400);
  });
});

describe('after a client error', { timeout: 10_000 }, () => {
  test('a client that keeps its side open is disconnected after a grace period', async () => {
    const served = await serve(echoBody);
    let serverSocketClosed: Promise<number> | undefined;
    served.server.on('connection', (s: Socket) => {
      const since = Date.now();
      serverSocketClosed = new Promise((resolve) => s.once('close', () => resolve(Date.now() - since)));
    });
    const socket = connect({ port: served.port, host: '127.0.0.1', allowHalfOpen: true });
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      let received = '';
      socket.on('data', (d: Buffer) => {
        received += d.toString('latin1');
      });
      socket.write('HELLO THERE\r\n\r\n');
      await waitFor(() => serverSocketClosed !== undefined, 1000, 'the connection');
      const closedAfter = await serverSocketClosed;
      assert.match(received, /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.ok(closedAfter !== undefined && closedAfter < 5000, `closed after ${closedAfter} ms`);
    } finally {
      socket.destroy();
      await served.close();
    }
  });
});

/** Answers after a pause, without reading the body: a response still in flight when the next bytes arrive. */
const slowHello: Application = async (_environ, startResponse) => {
  await sleep(100);
  startResponse('200 OK', [['Content-Length', '5']]);
  return [new TextEncoder().encode('hello')];
};

describe('a bad request behind good ones on the same connection', { timeout: 10_000 }, () => {
  test('the answer to a request still running goes out first, then the 400 for the bad one', async () => {
    const served = await serve(slowHello);
    const client = await RawConnection.open(served.port);
    try {
      await client.send('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
      const first = await client.readResponse();
      assert.equal(first.status, 200);
      assert.equal(first.body.toString(), 'hello');
      const second = await client.readResponse();
      assert.equal(second.status, 400);
      assert.equal(await client.waitForClose(1000), true);
    } finally {
      client.close();
      await served.close();
    }
  });

  test('two pipelined answers go out in order before the 400 for a bad third request', async () => {
    const served = await serve(slowHello);
    const client = await RawConnection.open(served.port);
    try {
      await client.send(
        'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\nX: \x00\r\n\r\n',
      );
      assert.equal((await client.readResponse()).status, 200);
      assert.equal((await client.readResponse()).status, 200);
      assert.equal((await client.readResponse()).status, 400);
    } finally {
      client.close();
      await served.close();
    }
  });

  test('a body cut short after its response went out ends the connection without a stray 400', async () => {
    const served = await serve(slowHello);
    const client = await RawConnection.open(served.port);
    try {
      await client.send('POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhello');
      assert.equal((await client.readResponse()).status, 200);
      client.socket.end(); // the rest of the body never comes
      assert.equal(await client.waitForClose(2000), true);
      assert.doesNotMatch(client.pending.toString('latin1'), /HTTP\/1\.1 400/);
      assert.ok(
        served.logger.lines.some((l) => /bad request body of POST \/read from .* after its response/.test(l)),
      );
    } finally {
      client.close();
      await served.close();
    }
  });
  for (const [kind, head, part] of [
    ['Content-Length', 'Content-Length: 100', 'only part'],
    ['chunked', 'Transfer-Encoding: chunked', '5\r\nhel'],
  ]) {
    test(`a ${kind} body cut short while the app reads it is one warning naming the request and the parser's reason, no stack trace`, async () => {
      const served = await serve(echoBody);
      const client = await RawConnection.open(served.port);
      try {
        await client.send(`POST /upload HTTP/1.1\r\nHost: x\r\n${head}\r\n\r\n${part}`);
        await sleep(20);
        client.socket.end(); // the rest of the body never comes
        assert.equal(await client.waitForClose(2000), true);
        assert.match(client.pending.toString('latin1'), /^HTTP\/1\.1 400 /);
        await sleep(50); // the app's own failure to read the body comes after the parser's
        const warnings = served.logger.lines.filter((l) => l.includes('[WARNING]'));
        assert.equal(warnings.length, 1, warnings.join('\n'));
        assert.match(
          warnings[0],
          /400 Bad Request for POST \/upload from 127\.0\.0\.1: bad request body: HPE_/,
        );
      } finally {
        client.close();
        await served.close();
      }
    });
  }
});

describe('requests node:http does not give the app', { timeout: 10_000 }, () => {
  test('CONNECT is answered 501 and logged: tsgi makes no tunnels', async () => {
    const served = await serve(echoBody);
    try {
      const response = await rawRequest(
        served.port,
        'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
      );
      assert.equal(response.status, 501);
      assert.equal(served.calls, 0);
      assert.ok(
        served.logger.lines.some((l) =>
          /\[WARNING\] 501 Not Implemented to .*CONNECT example\.com:443/.test(l),
        ),
      );
    } finally {
      await served.close();
    }
  });

  test('an unknown method in a well-formed request line is 501 (RFC 9110 §9.1), garbage stays 400', async () => {
    const served = await serve(echoBody);
    try {
      assert.equal((await rawRequest(served.port, 'FOO / HTTP/1.1\r\nHost: x\r\n\r\n')).status, 501);
      assert.equal((await rawRequest(served.port, 'HELLO THERE\r\n\r\n')).status, 400);
    } finally {
      await served.close();
    }
  });

  test('an HTTP/1.1 request without Host is a logged 400', async () => {
    const served = await serve(echoBody);
    try {
      assert.equal((await rawRequest(served.port, 'GET / HTTP/1.1\r\n\r\n')).status, 400);
      assert.ok(served.logger.lines.some((l) => /400 Bad Request .*without a Host header/.test(l)));
      assert.equal(
        (await rawRequest(served.port, 'GET / HTTP/1.0\r\n\r\n')).status,
        200,
        'HTTP/1.0 needs none',
      );
    } finally {
      await served.close();
    }
  });

  test('an Upgrade request is answered and the connection closed, so a request behind it is not lost unsaid', async () => {
    const served = await serve(echoBody);
    const client = await RawConnection.open(served.port);
    try {
      await client.send(
        'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n',
      );
      const response = await client.readResponse();
      assert.equal(response.status, 200);
      assert.equal(header(response, 'connection'), 'close');
      assert.equal(await client.waitForClose(2000), true);
    } finally {
      client.close();
      await served.close();
    }
  });
});

describe('CONNECT behind other requests, or reset', { timeout: 10_000 }, () => {
  test('a GET pipelined before a CONNECT is answered first, then the 501', async () => {
    const served = await serve(slowHello);
    const client = await RawConnection.open(served.port);
    try {
      await client.send(
        'GET /slow HTTP/1.1\r\nHost: x\r\n\r\nCONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n',
      );
      const first = await client.readResponse();
      assert.equal(first.status, 200);
      assert.equal(first.body.toString(), 'hello');
      assert.equal((await client.readResponse()).status, 501);
    } finally {
      client.close();
      await served.close();
    }
  });

  test('a large response still being written before a CONNECT is written whole, then the 501', async () => {
    const big = new Uint8Array(8 * 1024 * 1024).fill(46);
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['Content-Length', String(big.length)]]);
      return [big.subarray(0, big.length / 2), big.subarray(big.length / 2)];
    };
    const served = await serve(app);
    const client = await RawConnection.open(served.port);
    try {
      await client.send(
        'GET /big HTTP/1.1\r\nHost: x\r\n\r\nCONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n',
      );
      const first = await client.readResponse({ timeoutMs: 5000 });
      assert.equal(first.status, 200);
      assert.equal(first.body.length, big.length);
      assert.equal((await client.readResponse()).status, 501);
    } finally {
      client.close();
      await served.close();
    }
  });

  test('a client that resets right after its CONNECT does not take the server down', async () => {
    const served = await serve(slowHello);
    try {
      for (let i = 0; i < 5; i++) {
        const client = await RawConnection.open(served.port);
        await client.send(
          'GET /slow HTTP/1.1\r\nHost: x\r\n\r\nCONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n',
        );
        await sleep(20);
        client.socket.resetAndDestroy();
      }
      await sleep(200); // the held 200s try to go out to the reset connections
      assert.equal((await rawRequest(served.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).status, 200);
    } finally {
      await served.close();
    }
  });
});

test('a request queued behind another, whose body the parser found broken, is answered 400 without running', async () => {
  let runs = 0;
  const app: Application = async (environ, startResponse) => {
    runs++;
    await sleep(100);
    startResponse('200 OK', [['Content-Length', '2']]);
    return [new TextEncoder().encode(String(environ.PATH_INFO).slice(1, 3).padEnd(2))];
  };
  const served = await serve(app);
  const client = await RawConnection.open(served.port);
  try {
    // The second request's body is 5 bytes of a declared 10, then the client half-closes.
    await client.send(
      'GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello',
    );
    client.socket.end();
    assert.equal((await client.readResponse()).status, 200);
    assert.equal((await client.readResponse()).status, 400);
    assert.equal(runs, 1, 'the app ran for the broken request');
  } finally {
    client.close();
    await served.close();
  }
});

test('an Upgrade field without Connection: upgrade is a plain request and keeps the connection', async () => {
  const served = await serve(echoBody);
  const client = await RawConnection.open(served.port);
  try {
    await client.send(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const first = await client.readResponse();
    assert.equal(first.status, 200);
    assert.notEqual(header(first, 'connection'), 'close');
    assert.equal((await client.readResponse()).status, 200);
  } finally {
    client.close();
    await served.close();
  }
});
