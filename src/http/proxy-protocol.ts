// The PROXY protocol (HAProxy's, v1 text and v2 binary): a proxy that forwards plain TCP (HAProxy in tcp mode, an
// AWS Network Load Balancer, stunnel) sends the client's address before the first request of each connection.
// With --proxy-protocol (Gunicorn's), REMOTE_ADDR and REMOTE_PORT are that client, and PROXY_PROTOCOL, PROXY_ADDR
// and PROXY_PORT say what the header said, as Gunicorn sets them. As in Gunicorn the header is optional (a
// connection that starts with a request is served as it is), only peers in --proxy-allow-from may send one
// (403 otherwise), and a malformed one is answered 400.
// Spec: https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt (section numbers below).

import type { Server } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import type { Logger } from '../log.js';
import { SocketSet } from './socket-set.js';

export type ProxyMode = 'off' | 'v1' | 'v2' | 'auto';

/** What a PROXY header said. */
export interface ProxyInfo {
  /**
   * TCP4 or TCP6 with the addresses below; or, with none (the connection's own stay): UNKNOWN (v1 §2.1), LOCAL (v2:
   * the proxy's own health check) or UNSPEC (v2, no address family).
   */
  protocol: string;
  clientAddress?: string;
  clientPort?: string;
  proxyAddress?: string;
  proxyPort?: string;
}

export type ProxyParse =
  /** Not a PROXY header: the connection starts with HTTP. */
  | { kind: 'none' }
  /** Too few bytes yet to tell or to finish the header. */
  | { kind: 'more' }
  | { kind: 'invalid'; reason: string }
  /** A whole header of `length` bytes. */
  | { kind: 'header'; length: number; info: ProxyInfo };

const V2_SIGNATURE = Buffer.from('\r\n\r\n\0\r\nQUIT\n', 'latin1');
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** §2.1: the longest v1 line, CRLF included. */
const V1_MAX_LENGTH = 107;
const MORE: ProxyParse = { kind: 'more' };
const NONE: ProxyParse = { kind: 'none' };

/** Whether `data` starts like `prefix` as far as either goes: 1 yes, 0 not yet known, -1 no. */
function startsLike(data: Buffer, prefix: Buffer): 1 | 0 | -1 {
  const n = Math.min(data.length, prefix.length);
  if (data.compare(prefix, 0, n, 0, n) !== 0) return -1;
  return n === prefix.length ? 1 : 0;
}

/** Reads a PROXY header at the start of `data`, the first bytes of a connection. */
export function parseProxyHeader(data: Buffer, mode: ProxyMode): ProxyParse {
  if (mode === 'v2' || mode === 'auto') {
    const v2 = startsLike(data, V2_SIGNATURE);
    if (v2 === 1) return parseV2(data);
    if (v2 === 0) return MORE;
  }
  if (mode === 'v1' || mode === 'auto') {
    const v1 = startsLike(data, V1_PREFIX);
    if (v1 === 1) return parseV1(data);
    if (v1 === 0) return MORE;
  }
  return NONE;
}

function invalid(reason: string): ProxyParse {
  return { kind: 'invalid', reason };
}

function port(text: string): string | null {
  return /^\d{1,5}$/.test(text) && Number(text) <= 65535 ? String(Number(text)) : null;
}

/** §2.1: `PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n`. */
function parseV1(data: Buffer): ProxyParse {
  const end = data.indexOf('\r\n');
  if (end === -1 || end + 2 > V1_MAX_LENGTH) {
    return end === -1 && data.length < V1_MAX_LENGTH
      ? MORE
      : invalid(`v1 line longer than ${V1_MAX_LENGTH} bytes`);
  }
  const line = data.toString('latin1', 0, end);
  const fields = line.split(' ');
  // §2.1: a proxy that does not know the client says UNKNOWN (anything may follow); the connection's own stay.
  if (fields[1] === 'UNKNOWN') return { kind: 'header', length: end + 2, info: { protocol: 'UNKNOWN' } };
  if (fields.length !== 6) return invalid(`v1 line ${JSON.stringify(line)} does not have 6 fields`);
  const [, protocol, client, proxy, clientPortText, proxyPortText] = fields;
  if (protocol !== 'TCP4' && protocol !== 'TCP6') return invalid(`v1 protocol ${JSON.stringify(protocol)}`);
  const family = protocol === 'TCP4' ? 4 : 6;
  if (isIP(client) !== family || isIP(proxy) !== family)
    return invalid(
      `v1 line ${JSON.stringify(line)} has an address that is not ${protocol === 'TCP4' ? 'IPv4' : 'IPv6'}`,
    );
  const clientPort = port(clientPortText);
  const proxyPort = port(proxyPortText);
  if (clientPort === null || proxyPort === null)
    return invalid(`v1 line ${JSON.stringify(line)} has a bad port`);
  return {
    kind: 'header',
    length: end + 2,
    info: { protocol, clientAddress: client, clientPort, proxyAddress: proxy, proxyPort },
  };
}

/** §2.2: signature, version/command, family/transport, length, addresses. */
function parseV2(data: Buffer): ProxyParse {
  if (data.length < 16) return MORE;
  const version = data[12] >> 4;
  const command = data[12] & 0x0f;
  if (version !== 2) return invalid(`v2 version ${version}`);
  if (command > 1) return invalid(`v2 command ${command}`);
  const length = 16 + data.readUInt16BE(14);
  if (data.length < length) return MORE;
  // LOCAL: the proxy speaking for itself (a health check); the connection's own addresses stay.
  if (command === 0) return { kind: 'header', length, info: { protocol: 'LOCAL' } };
  const family = data[13] >> 4;
  const transport = data[13] & 0x0f;
  if (family === 0) return { kind: 'header', length, info: { protocol: 'UNSPEC' } };
  if (transport !== 1) return invalid('v2 transport other than TCP (STREAM)');
  const body = data.subarray(16, length);
  if (family === 1) {
    if (body.length < 12) return invalid('v2 IPv4 addresses cut short');
    return {
      kind: 'header',
      length,
      info: {
        protocol: 'TCP4',
        clientAddress: body.subarray(0, 4).join('.'),
        proxyAddress: body.subarray(4, 8).join('.'),
        clientPort: String(body.readUInt16BE(8)),
        proxyPort: String(body.readUInt16BE(10)),
      },
    };
  }
  if (family === 2) {
    if (body.length < 36) return invalid('v2 IPv6 addresses cut short');
    return {
      kind: 'header',
      length,
      info: {
        protocol: 'TCP6',
        clientAddress: ipv6Text(body.subarray(0, 16)),
        proxyAddress: ipv6Text(body.subarray(16, 32)),
        clientPort: String(body.readUInt16BE(32)),
        proxyPort: String(body.readUInt16BE(34)),
      },
    };
  }
  return invalid(`v2 address family ${family}`);
}

/** 16 bytes as RFC 5952 text (what inet_ntop gives): lowercase, the longest run of two or more zero groups as ::. */
export function ipv6Text(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  // §5: an IPv4-mapped address keeps its dotted quad (::ffff:192.0.2.1).
  if (bestStart === 0 && bestLength === 5 && groups[5] === 0xffff)
    return `::ffff:${bytes.subarray(12).join('.')}`;
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  return bestStart === -1 ? hex(0, 8) : `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

const proxyKey = Symbol('tsgi.proxy');
type ProxiedSocket = Socket & { [proxyKey]?: ProxyInfo; _parent?: ProxiedSocket };

/** What the PROXY header of this connection said, if it had one (a TLS socket asks the TCP socket under it). */
export function proxyInfoOf(socket: Socket): ProxyInfo | undefined {
  const s = socket as ProxiedSocket;
  return s[proxyKey] ?? s._parent?.[proxyKey];
}

export interface ProxyProtocolOptions {
  mode: Exclude<ProxyMode, 'off'>;
  /** May the TCP peer at this address send a PROXY header? (--proxy-allow-from; a UNIX socket's peer may.) */
  allowed: (address: string) => boolean;
  logger: Logger;
  /** How long a new connection may take to send the bytes that decide; then it is closed. */
  timeoutMs: number;
}

/**
 * Puts a PROXY header reader in front of `server`'s own connection handling: each new connection's first bytes are
 * read here, a header is taken off (and remembered for proxyInfoOf), and the rest goes to node:http (or TLS) as
 * if it had arrived that way. `server` keeps listening, counting and closing its connections as before.
 */
export function acceptProxyProtocol(server: Server, options: ProxyProtocolOptions): void {
  const { mode, allowed, logger, timeoutMs } = options;
  const handlers = server.listeners('connection') as Array<(socket: Socket) => void>;
  const tlsServer = server instanceof TlsServer;
  server.removeAllListeners('connection');
  // Connections still here are not node:http's yet: its closeIdleConnections()/closeAllConnections() (a graceful
  // stop) would not see them, so they are closed with its idle ones (none has a request yet).
  const pending = new SocketSet<Socket>();
  const closeIdle = server.closeIdleConnections.bind(server);
  const closeAll = server.closeAllConnections.bind(server);
  const closePending = () => {
    for (const socket of pending) socket.destroy();
  };
  server.closeIdleConnections = () => {
    closePending();
    closeIdle();
  };
  server.closeAllConnections = () => {
    closePending();
    closeAll();
  };
  server.on('connection', (socket: ProxiedSocket) => {
    pending.add(socket);
    let data: Buffer = Buffer.alloc(0);
    const stop = () => {
      clearTimeout(timer);
      pending.delete(socket);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
    };
    // Until node:http takes the socket: its errors (a reset) end it here; node:http brings its own handler.
    const onError = () => socket.destroy();
    // A peer that closes before it decided anything (a load balancer's TCP check) is done: node:http keeps
    // half-open connections (allowHalfOpen), which would hold this one until the timeout.
    const onEnd = () => socket.destroy();
    const refuse = (status: 400 | 403, why: string) => {
      stop();
      logger.warning(`${status} to ${socket.remoteAddress ?? 'unix socket'}: ${why}`);
      const reason = status === 400 ? 'Bad Request' : 'Forbidden';
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroySoon();
    };
    const onData = (chunk: Buffer) => {
      data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
      const parsed = parseProxyHeader(data, mode);
      if (parsed.kind === 'more') return;
      if (parsed.kind === 'invalid') return refuse(400, `invalid PROXY header: ${parsed.reason}`);
      let rest = data;
      if (parsed.kind === 'header') {
        // Only a trusted proxy may say who the client is (a TCP peer with no address is not one).
        const peer = socket.remoteAddress;
        const local = typeof server.address() === 'string';
        if (!local && (peer === undefined || !allowed(peer)))
          return refuse(
            403,
            `PROXY header from ${peer ?? 'an unknown peer'}, which --proxy-allow-from does not list`,
          );
        socket[proxyKey] = parsed.info;
        rest = data.subarray(parsed.length);
      }
      stop();
      socket.off('error', onError);
      if (rest.length > 0) socket.unshift(rest);
      for (const handler of handlers) handler.call(server, socket);
      // node:http listens for 'data' but does not resume a socket paused here. Over TLS the TLS socket reads what
      // was left in this one's buffer itself and then the connection directly: resuming this one would take the
      // bytes that arrived with the PROXY header (the ClientHello) away from it, and the handshake would stall.
      if (!tlsServer) socket.resume();
    };
    const timer = setTimeout(() => {
      socket.off('data', onData);
      socket.destroy();
    }, timeoutMs);
    timer.unref();
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.once('close', () => {
      clearTimeout(timer);
      pending.delete(socket);
    });
    socket.on('error', onError);
  });
}
