// --proxy-protocol: a PROXY header (v1 text, v2 binary) before the first request names the client; read off raw
// sockets, so the header goes out exactly as a proxy sends it.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import type { Application, Environ } from '../../src/gateway/index.js';
import { ipv6Text, parseProxyHeader } from '../../src/http/proxy-protocol.js';
import type { ProxyProtocolSettings } from '../../src/http/server.js';
import { makeCertificate } from '../e2e/support/certificate.js';
import { RawConnection, rawRequest } from './support/raw-connection.js';
import { serve, sleep, waitFor } from './support/serve.js';

const REQUEST = 'GET /who HTTP/1.1\r\nHost: example.test\r\n\r\n';
const V2_SIGNATURE = Buffer.from('\r\n\r\n\0\r\nQUIT\n', 'latin1');

/** A v2 header: PROXY (or LOCAL) over TCP with IPv4 or IPv6 addresses. */
function v2(
  command: 0 | 1,
  family: 1 | 2,
  client: number[],
  proxy: number[],
  ports: [number, number],
): Buffer {
  const addresses = Buffer.from([
    ...client,
    ...proxy,
    ports[0] >> 8,
    ports[0] & 255,
    ports[1] >> 8,
    ports[1] & 255,
  ]);
  const head = Buffer.from([
    0x20 | command,
    (family << 4) | 1,
    addresses.length >> 8,
    addresses.length & 255,
  ]);
  return Buffer.concat([V2_SIGNATURE, head, addresses]);
}

/** Serves an app that answers with the environ keys a proxy header may set, one per line. */
async function whoServer(proxyProtocol: ProxyProtocolSettings) {
  const environs: Environ[] = [];
  const app: Application = (environ, startResponse) => {
    environs.push(environ);
    const keys = ['REMOTE_ADDR', 'REMOTE_PORT', 'PROXY_PROTOCOL', 'PROXY_ADDR', 'PROXY_PORT'];
    const body = keys.map((k) => `${k}=${environ[k] ?? '-'}`).join('\n');
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    return [new TextEncoder().encode(body)];
  };
  return { served: await serve(app, { proxyProtocol }), environs };
}

function lines(body: Buffer): Record<string, string> {
  return Object.fromEntries(
    body
      .toString()
      .split('\n')
      .map((l) => l.split('=') as [string, string]),
  );
}

test('a v1 header sets REMOTE_ADDR/PORT to the client and PROXY_* to what it said', async () => {
  const { served } = await whoServer({ mode: 'auto', allowFrom: ['127.0.0.1'] });
  try {
    const res = await rawRequest(served.port, `PROXY TCP4 203.0.113.7 192.0.2.10 51234 443\r\n${REQUEST}`);
    assert.equal(res.status, 200);
    assert.deepEqual(lines(res.body), {
      REMOTE_ADDR: '203.0.113.7',
      REMOTE_PORT: '51234',
      PROXY_PROTOCOL: 'TCP4',
      PROXY_ADDR: '192.0.2.10',
      PROXY_PORT: '443',
    });
  } finally {
    await served.close();
  }
});

test('every request of a keep-alive connection keeps the client the header named', async () => {
  const { served } = await whoServer({ mode: 'v1', allowFrom: ['127.0.0.1'] });
  const connection = await RawConnection.open(served.port);
  try {
    await connection.send(`PROXY TCP6 2001:db8::7 2001:db8::1 40000 80\r\n${REQUEST}`);
    assert.equal(lines((await connection.readResponse()).body).REMOTE_ADDR, '2001:db8::7');
    await connection.send(REQUEST);
    const second = lines((await connection.readResponse()).body);
    assert.equal(second.REMOTE_ADDR, '2001:db8::7');
    assert.equal(second.PROXY_PROTOCOL, 'TCP6');
  } finally {
    connection.close();
    await served.close();
  }
});

test('a v2 header (binary, IPv4 and IPv6) names the client as a v1 header does', async () => {
  const { served } = await whoServer({ mode: 'v2', allowFrom: ['127.0.0.1'] });
  try {
    const ipv4 = v2(1, 1, [198, 51, 100, 4], [10, 0, 0, 1], [60000, 8080]);
    const res4 = await rawRequest(served.port, Buffer.concat([ipv4, Buffer.from(REQUEST)]));
    assert.deepEqual(lines(res4.body), {
      REMOTE_ADDR: '198.51.100.4',
      REMOTE_PORT: '60000',
      PROXY_PROTOCOL: 'TCP4',
      PROXY_ADDR: '10.0.0.1',
      PROXY_PORT: '8080',
    });
    const client6 = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 9];
    const proxy6 = [...Array(10).fill(0), 0xff, 0xff, 192, 0, 2, 1];
    const res6 = await rawRequest(
      served.port,
      Buffer.concat([v2(1, 2, client6, proxy6, [1, 2]), Buffer.from(REQUEST)]),
    );
    assert.equal(lines(res6.body).REMOTE_ADDR, '2001:db8::9');
    assert.equal(lines(res6.body).PROXY_ADDR, '::ffff:192.0.2.1');
  } finally {
    await served.close();
  }
});

test('a v2 LOCAL header (a health check) keeps the connection’s own address', async () => {
  const { served } = await whoServer({ mode: 'auto', allowFrom: ['127.0.0.1'] });
  try {
    const local = v2(0, 1, [0, 0, 0, 0], [0, 0, 0, 0], [0, 0]);
    const res = await rawRequest(served.port, Buffer.concat([local, Buffer.from(REQUEST)]));
    const seen = lines(res.body);
    assert.equal(seen.REMOTE_ADDR, '127.0.0.1');
    assert.equal(seen.PROXY_PROTOCOL, 'LOCAL');
    assert.equal(seen.PROXY_ADDR, '-');
  } finally {
    await served.close();
  }
});

test('a connection without a header is served as it is (the header is optional, as in Gunicorn)', async () => {
  const { served } = await whoServer({ mode: 'auto', allowFrom: ['127.0.0.1'] });
  try {
    const seen = lines((await rawRequest(served.port, REQUEST)).body);
    assert.equal(seen.REMOTE_ADDR, '127.0.0.1');
    assert.equal(seen.PROXY_PROTOCOL, '-');
  } finally {
    await served.close();
  }
});

test('a header that arrives a few bytes at a time is read whole', async () => {
  const { served } = await whoServer({ mode: 'auto', allowFrom: ['127.0.0.1'] });
  const connection = await RawConnection.open(served.port);
  try {
    const bytes = Buffer.from(`PROXY TCP4 203.0.113.9 192.0.2.10 5000 80\r\n${REQUEST}`);
    for (let i = 0; i < bytes.length; i += 7) {
      await connection.send(bytes.subarray(i, i + 7));
      await sleep(2);
    }
    assert.equal(lines((await connection.readResponse()).body).REMOTE_ADDR, '203.0.113.9');
  } finally {
    connection.close();
    await served.close();
  }
});

test('a header from a peer not in --proxy-allow-from is answered 403 and the app never runs', async () => {
  const { served, environs } = await whoServer({ mode: 'auto', allowFrom: ['10.0.0.0/8'] });
  try {
    const res = await rawRequest(served.port, `PROXY TCP4 203.0.113.7 192.0.2.10 51234 443\r\n${REQUEST}`);
    assert.equal(res.status, 403);
    assert.equal(environs.length, 0);
    assert.ok(
      served.logger.lines.some((l) => /PROXY header from 127\.0\.0\.1, which --proxy-allow-from/.test(l)),
    );
  } finally {
    await served.close();
  }
});

test('a malformed header is answered 400 with the reason in the log', async () => {
  const { served, environs } = await whoServer({ mode: 'auto', allowFrom: ['127.0.0.1'] });
  try {
    const res = await rawRequest(served.port, `PROXY TCP4 203.0.113.7 not-an-ip 1 2\r\n${REQUEST}`);
    assert.equal(res.status, 400);
    assert.equal(environs.length, 0);
    assert.ok(served.logger.lines.some((l) => /invalid PROXY header: .*not IPv4/.test(l)));
  } finally {
    await served.close();
  }
});

test('a connection that never sends its first bytes is closed after the timeout', async () => {
  const { served } = await whoServer({ mode: 'auto', allowFrom: ['127.0.0.1'], timeoutMs: 200 });
  const connection = await RawConnection.open(served.port);
  try {
    await connection.send('PROXY TCP4 ');
    await sleep(500);
    assert.equal(connection.closed, true);
    // The server still serves the next client.
    assert.equal((await rawRequest(served.port, REQUEST)).status, 200);
  } finally {
    connection.close();
    await served.close();
  }
});

test('the parser tells a header, a request, a partial header and a bad one apart', () => {
  assert.deepEqual(parseProxyHeader(Buffer.from('GET / HTTP/1.1\r\n'), 'auto'), { kind: 'none' });
  assert.deepEqual(parseProxyHeader(Buffer.from('PRO'), 'auto'), { kind: 'more' });
  assert.deepEqual(parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 2'), 'v1'), { kind: 'more' });
  assert.deepEqual(parseProxyHeader(V2_SIGNATURE.subarray(0, 5), 'auto'), { kind: 'more' });
  assert.deepEqual(parseProxyHeader(V2_SIGNATURE.subarray(0, 5), 'v1'), { kind: 'none' });
  assert.deepEqual(parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n'), 'v2'), {
    kind: 'none',
  });
  assert.deepEqual(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'), 'v1'), {
    kind: 'header',
    length: 15,
    info: { protocol: 'UNKNOWN' },
  });
  assert.equal(parseProxyHeader(Buffer.from(`PROXY TCP4 ${'9'.repeat(120)}`), 'v1').kind, 'invalid');
  assert.equal(parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n'), 'v1').kind, 'invalid');
  assert.equal(parseProxyHeader(Buffer.from('PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n'), 'v1').kind, 'invalid');
});

test('IPv6 addresses print as inet_ntop prints them (RFC 5952)', () => {
  const bytes = (groups: number[]) => new Uint8Array(groups.flatMap((g) => [g >> 8, g & 255]));
  assert.equal(ipv6Text(bytes([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1])), '2001:db8::1');
  assert.equal(ipv6Text(bytes([0, 0, 0, 0, 0, 0, 0, 1])), '::1');
  assert.equal(ipv6Text(bytes([0, 0, 0, 0, 0, 0, 0, 0])), '::');
  assert.equal(ipv6Text(bytes([0x2001, 0xdb8, 0, 1, 0, 0, 0, 1])), '2001:db8:0:1::1');
  assert.equal(ipv6Text(bytes([0x2001, 0, 0, 1, 0, 0, 0, 1])), '2001:0:0:1::1');
  assert.equal(ipv6Text(bytes([1, 2, 3, 4, 5, 6, 7, 8])), '1:2:3:4:5:6:7:8');
});

test('a connection still waiting for its first bytes does not hold up a graceful stop', async () => {
  const { served } = await whoServer({ mode: 'auto', allowFrom: ['127.0.0.1'] });
  const connection = await RawConnection.open(served.port);
  try {
    await sleep(50);
    const closed = new Promise<void>((resolve) => served.server.close(() => resolve()));
    served.server.closeIdleConnections();
    await closed; // would wait for the 60 s header timeout if the waiting connection were not closed
    await waitFor(() => connection.closed, 2000, 'the client sees the close');
  } finally {
    connection.close();
  }
});

test('a peer that closes before sending anything (a TCP health check) is let go at once', async () => {
  const { served } = await whoServer({ mode: 'auto', allowFrom: ['127.0.0.1'] });
  const connection = await RawConnection.open(served.port);
  try {
    connection.socket.end();
    await waitFor(() => connection.closed, 2000, 'the server closes its side too');
  } finally {
    connection.close();
    await served.close();
  }
});

test('over TLS, a ClientHello that arrives with the PROXY header reaches the handshake (20 of 20)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-proxy-tls-'));
  const { cert, key } = makeCertificate(dir);
  const app: Application = (environ, startResponse) => {
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    return [new TextEncoder().encode(String(environ.REMOTE_ADDR))];
  };
  const served = await serve(app, {
    tls: { cert: readFileSync(cert), key: readFileSync(key) },
    proxyProtocol: { mode: 'v1', allowFrom: ['127.0.0.1'] },
  });
  /** The header, then at once (same tick: one segment, mostly) the TLS handshake and a request. */
  const once = () =>
    new Promise<string>((resolve, reject) => {
      const raw = connect(served.port, '127.0.0.1', () => {
        raw.write('PROXY TCP4 203.0.113.5 192.0.2.1 4000 443\r\n');
        const secure = tlsConnect({ socket: raw, rejectUnauthorized: false }, () =>
          secure.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
        );
        let reply = '';
        secure.on('data', (chunk) => (reply += chunk));
        secure.on('end', () => resolve(reply));
        secure.on('error', reject);
      });
      setTimeout(() => {
        raw.destroy();
        reject(new Error('the handshake stalled'));
      }, 3000);
    });
  try {
    for (let i = 0; i < 20; i++) assert.match(await once(), /^HTTP\/1\.1 200 [\s\S]*203\.0\.113\.5$/);
  } finally {
    await served.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
