// Requests that never reach the app: malformed (400), too slow (408), line too long (414), headers too large
// (431). Each gets a short response, a log line that says what was wrong, and a closed connection; no other
// connection is touched.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log.js';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

function plainResponse(status: number): string {
  const body = `${status} ${REASONS[status]}\n`;
  return `HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

interface ParserError extends Error {
  code?: string;
  reason?: string;
  rawPacket?: Buffer;
}

/** The status for an llhttp error: which part of the request was bad. */
export function clientErrorStatus(error: ParserError, limitRequestLine: number): number {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW': {
      // The head passed the size limit. If its first line alone is over the request-line limit, the URI is to blame.
      const packet = error.rawPacket;
      const firstLineEnd = packet ? packet.indexOf(10) : -1;
      return firstLineEnd === -1 || firstLineEnd > limitRequestLine ? 414 : 431;
    }
    case 'HPE_HEADERS_TIMEOUT':
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    default:
      return 400;
  }
}

/** node:http's 'clientError': the parser refused the bytes (or the connection broke) before a request formed. */
export function rejectClientError(
  error: ParserError,
  socket: Duplex,
  limitRequestLine: number,
  logger: Logger,
): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = clientErrorStatus(error, limitRequestLine);
  const peer = (socket as { remoteAddress?: string }).remoteAddress ?? 'unix socket';
  logger.warning(
    `${status} ${REASONS[status]} to ${peer}: ${error.code ?? 'error'} ${error.reason ?? error.message}`,
  );
  socket.end(plainResponse(status));
}

/** A request that parsed but breaks a configured limit: answered without calling the app. */
export function rejectRequest(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  why: string,
  logger: Logger,
): void {
  logger.warning(`${status} ${REASONS[status]} to ${req.socket.remoteAddress ?? 'unix socket'}: ${why}`);
  const body = `${status} ${REASONS[status]}\n`;
  res.shouldKeepAlive = false;
  res.writeHead(status, REASONS[status], [
    'Content-Type',
    'text/plain',
    'Content-Length',
    String(body.length),
    'Connection',
    'close',
  ]);
  res.end(body);
}
