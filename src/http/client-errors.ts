// Requests that never reach the app: malformed (400), too slow (408), line too long (414), headers too large
// (431), unsupported version (505). Each gets a short response, a log line that says what was wrong, and a closed
// connection; no other connection is touched.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { reasonPhrase } from '../gateway/index.js';
import type { Logger } from '../log.js';

function plainResponse(status: number): string {
  const body = `${status} ${reasonPhrase(status)}\n`;
  return `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

interface ParserError extends Error {
  code?: string;
  reason?: string;
  rawPacket?: Buffer;
  /** Where in rawPacket the parser stopped. */
  bytesParsed?: number;
}

// A request line (RFC 9112 §3) starts `method SP`; a field line (§5) starts `name:`. Both names are tokens.
const REQUEST_LINE_START = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^ ]/;
const REQUEST_LINE_END = / HTTP\/\d\.\d\r?$/;

/**
 * Which part of the head overflowed node:http's maxHeaderSize: 414 for the request line, 431 for the fields.
 * llhttp reports the overflow at the end of the span (URL or field) that crossed the limit, in the packet being
 * parsed, so the line in progress is the one around `bytesParsed`. Read whichever of its ends the packet shows.
 * When neither shows (one line longer than a whole packet), whitespace decides: a field value may hold spaces, a
 * request-target never does. Every other oversized head was already sorted by the exact checks in server.ts.
 */
function overflowStatus(packet: Buffer | undefined, at: number | undefined): 414 | 431 {
  if (!packet) return 431;
  const pos = Math.min(at ?? packet.length, packet.length);
  const end = packet.indexOf(10, pos);
  if (end !== -1) {
    const lineStart = packet.lastIndexOf(10, pos - 1) + 1;
    return REQUEST_LINE_END.test(packet.subarray(lineStart, end).toString('latin1')) ? 414 : 431;
  }
  const newline = pos > 0 ? packet.lastIndexOf(10, pos - 1) : -1;
  if (newline !== -1) {
    const line = packet.subarray(newline + 1, newline + 1 + 256).toString('latin1');
    return REQUEST_LINE_START.test(line) ? 414 : 431;
  }
  const seen = packet.subarray(0, pos);
  if (REQUEST_LINE_START.test(seen.subarray(0, 256).toString('latin1'))) return 414;
  return seen.includes(32) || seen.includes(9) ? 431 : 414;
}

/** The status for an llhttp error: which part of the request was bad. */
export function clientErrorStatus(error: ParserError, _limitRequestLine?: number): number {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return overflowStatus(error.rawPacket, error.bytesParsed);
    case 'HPE_HEADERS_TIMEOUT':
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    default:
      return 400;
  }
}

/** node:http's 'clientError': the parser refused the bytes (or the connection broke). */
export function rejectClientError(error: ParserError, socket: Duplex, logger: Logger): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = clientErrorStatus(error);
  const peer = (socket as { remoteAddress?: string }).remoteAddress ?? 'unix socket';
  logger.warning(
    `${status} ${reasonPhrase(status)} to ${peer}: ${error.code ?? 'error'} ${error.reason ?? error.message}`,
  );
  // With a response in flight, our own answer goes out only when it answers that very request (the error is in
  // its body) and nothing of that response went out yet. Otherwise it would corrupt the response, or answer an
  // earlier pipelined request with a 400 meant for a later one: then the connection is simply cut.
  const inFlight = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
  if (inFlight && (inFlight.headersSent || inFlight.req.complete)) {
    socket.destroy();
    return;
  }
  // Half-close and let the client read the answer; a client that keeps its side open is cut after a grace period
  // (a parse error leaves no request for node:http's own timeouts to watch).
  socket.end(plainResponse(status), () => {
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
}

const LINGER_MS = 2000;

/** A request that parsed but breaks a configured limit: answered without calling the app. */
export function rejectRequest(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  why: string,
  logger: Logger,
): void {
  logger.warning(`${status} ${reasonPhrase(status)} to ${req.socket.remoteAddress ?? 'unix socket'}: ${why}`);
  const body = `${status} ${reasonPhrase(status)}\n`;
  res.shouldKeepAlive = false;
  res.writeHead(status, reasonPhrase(status), [
    'Content-Type',
    'text/plain',
    'Content-Length',
    String(body.length),
    'Connection',
    'close',
  ]);
  res.end(body);
}
