// Requests that never reach the app: malformed (400), too slow (408), line too long (414), headers too large
// (431), an unknown method or CONNECT (501), unsupported version (505). Each gets a short response, a log line
// that says what was wrong, and a closed connection; requests before it on the same connection are answered
// first, and no other connection is touched.

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

// RFC 9110 §9.1: a method the server does not know is answered 501, when the line is a request line at all.
const UNKNOWN_METHOD_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^ \r\n]+ HTTP\/\d\.\d\r?\n/;

/** The status for an llhttp error: which part of the request was bad. */
export function clientErrorStatus(error: ParserError, _limitRequestLine?: number): number {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return overflowStatus(error.rawPacket, error.bytesParsed);
    case 'HPE_HEADERS_TIMEOUT':
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    case 'HPE_INVALID_METHOD': {
      const at = error.rawPacket?.subarray(error.bytesParsed ?? 0, (error.bytesParsed ?? 0) + 8192);
      return at && UNKNOWN_METHOD_LINE.test(at.toString('latin1')) ? 501 : 400;
    }
    default:
      return 400;
  }
}

const rejected: unique symbol = Symbol('tsgi.rejected');

/** node:http's own fields of a server connection that this module reads. */
type ClientSocket = Duplex & {
  remoteAddress?: string;
  /** The response being written (node:http writes one at a time; later ones wait their turn). */
  _httpMessage?: ServerResponse | null;
  /** `incoming`: the request whose head or body the parser read last (null before the first, or once done). */
  parser?: { incoming?: IncomingMessage | null } | null;
  [rejected]?: true;
};

const bodyErrorLogged: unique symbol = Symbol('tsgi.bodyErrorLogged');
type LoggedRequest = IncomingMessage & { [bodyErrorLogged]?: true };

/**
 * True when the parser's failure in the body of `req` has been logged here: the app's own report of the body it
 * could not read (TSGI_BODY_INCOMPLETE) would say it a second time.
 */
export function bodyErrorReported(req: IncomingMessage): boolean {
  return (req as LoggedRequest)[bodyErrorLogged] === true;
}

/**
 * True when the connection's parser failed in the body of `req`: its app must not be started when its turn comes
 * (it would run on a body known to be broken); the error is its answer (rejectClientError).
 */
export function bodyRejected(req: IncomingMessage): boolean {
  const client = req.socket as ClientSocket;
  return client[rejected] === true && !req.complete;
}

/** node:http's 'clientError': the parser refused the bytes (or the connection broke). */
export function rejectClientError(error: ParserError, socket: Duplex, logger: Logger): void {
  const client = socket as ClientSocket;
  // A parser in error reports again for every later packet: the first report decides.
  if (client[rejected]) return;
  client[rejected] = true;
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = clientErrorStatus(error);
  const what = `${error.code ?? 'error'} ${error.reason ?? error.message}`;
  const peer = peerName(client);
  const last = client.parser?.incoming ?? undefined;
  if (last !== undefined && !last.complete) {
    // The error is in the body of the request parsed last. The answers to the requests before it go out first;
    // then, if its own response has not begun, the error is its answer; if it has, the connection is cut (the
    // client cannot take the response for whole); if it went out whole already, the connection just ends.
    const request = `${last.method} ${last.url}`;
    untilAnswering(client, last, (response) => {
      (last as LoggedRequest)[bodyErrorLogged] = true;
      if (response === undefined) {
        logger.warning(
          `bad request body of ${request} from ${peer} after its response: ${what}; connection closed`,
        );
        socket.end();
      } else if (response.headersSent) {
        logger.warning(
          `bad request body of ${request} from ${peer} during its response: ${what}; connection cut`,
        );
        socket.destroy();
      } else {
        logger.warning(
          `${status} ${reasonPhrase(status)} for ${request} from ${peer}: bad request body: ${what}`,
        );
        answer(socket, status);
      }
    });
    return;
  }
  // The error is in a new request's head. Requests before it that are still being answered (pipelined, or an
  // app still running) get their answers first, in order, then this one: nothing already accepted is lost.
  logger.warning(`${status} ${reasonPhrase(status)} to ${peer}: ${what}`);
  untilAnswering(client, undefined, () => answer(socket, status));
}

/**
 * Calls `then` with the response being written for `request` once every response before it has gone out, or with
 * undefined once no response is being written at all (node:http writes a connection's responses one at a time).
 */
function untilAnswering(
  socket: ClientSocket,
  request: IncomingMessage | undefined,
  then: (response: ServerResponse | undefined) => void,
): void {
  const current = socket._httpMessage ?? undefined;
  if (current === undefined || current.req === request) {
    then(current);
    return;
  }
  // 'close' comes after node:http has handed the connection to the next queued response, if there is one.
  current.once('close', () => {
    if (!socket.destroyed && socket.writable) untilAnswering(socket, request, then);
  });
}

/** Who a log line names: the client's address, or the unix socket it came through (which has none). */
function peerName(socket: Duplex): string {
  return (socket as ClientSocket).remoteAddress ?? 'unix socket';
}

/** The plain error response, then the connection's end. */
function answer(socket: Duplex, status: number): void {
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
  logger.warning(`${status} ${reasonPhrase(status)} to ${peerName(req.socket)}: ${why}`);
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

/**
 * A method node:http does not give the app (CONNECT): 501, logged, and the connection's end, after the answers to
 * the requests before it. node:http hands the socket over without its error listener: a reset must not be an
 * unhandled 'error' that ends the worker.
 */
export function rejectMethod(req: IncomingMessage, socket: Duplex, logger: Logger): void {
  socket.on('error', () => socket.destroy());
  // ... and without its 'drain' relay: a response still being written before the 501 waits for its socket to
  // drain (response-writer.ts), which only this passes on.
  socket.on('drain', () => {
    const response = (socket as ClientSocket)._httpMessage;
    if (response?.writableNeedDrain) response.emit('drain');
  });
  const peer = peerName(socket);
  logger.warning(
    `501 ${reasonPhrase(501)} to ${peer}: ${req.method} ${req.url} (tsgi serves apps; it is not a proxy)`,
  );
  untilAnswering(socket as ClientSocket, undefined, () => answer(socket, 501));
}
