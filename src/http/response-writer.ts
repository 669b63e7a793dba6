// The HTTP side of a response: turns the gateway's head/write/end into node:http calls with correct framing.
// Framing rules: never more than the app's Content-Length (RFC 9112 §6.3); no length → chunked on HTTP/1.1 and
// close-delimited on HTTP/1.0 (node:http does both); HEAD, 1xx, 204 and 304 carry no body (RFC 9110 §6.4.1).

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import {
  bytesToByteString,
  type FileLike,
  HOP_BY_HOP_HEADERS,
  hasNoBody,
  lengthDigits,
  type ResponseSink,
} from '../gateway/index.js';
import type { Logger } from '../log.js';

/** Bodies up to this size, sent whole in one chunk, take the one-string fast path in write(). */
const SMALL_BODY = 1024;

/** `200 OK`, `404 Not Found`…: node:http's status lines, indexed by code (sparse). */
const STANDARD_STATUS_LINES: string[] = [];
for (const [code, reason] of Object.entries(STATUS_CODES))
  STANDARD_STATUS_LINES[Number(code)] = `${code} ${reason}`;

/** The same for every response of a server. */
export interface WriterContext {
  serverHeader: string;
  logger: Logger;
  /** Set when the server is draining (shutdown, restart): every response from now on closes its connection. */
  draining: boolean;
}

/** `C`: the per-server context, which a subclass may extend with what it needs too. */
export class HttpResponseSink<C extends WriterContext = WriterContext> implements ResponseSink {
  status = 0;
  bytesSent = 0;
  /** The headers the app gave, once the head went out (the access log's %({name}o)s). */
  responseHeaders: Array<[string, string]> | undefined;
  protected readonly req: IncomingMessage;
  protected readonly res: ServerResponse;
  protected readonly ctx: C;
  #noBody = false;
  /** The app's declared Content-Length, or -1. */
  #declared = -1;
  #ended = false;
  /** Nothing more of the body can go out (past its Content-Length, or a response without a body): stop pulling. */
  #done = false;

  constructor(req: IncomingMessage, res: ServerResponse, ctx: C) {
    this.req = req;
    this.res = res;
    this.ctx = ctx;
  }

  /** Asked when the head goes out: true forces `Connection: close` (e.g. an unread body after Expect: 100-continue). */
  protected mustClose(): boolean {
    return false;
  }

  /** The client is gone (node:http marks the response destroyed when its socket closes), or more is pointless. */
  get closed(): boolean {
    return this.#done || this.res.destroyed;
  }

  head(status: string, headers: Array<[string, string]>, bodyLength?: number): void {
    const code =
      (status.charCodeAt(0) - 48) * 100 + (status.charCodeAt(1) - 48) * 10 + (status.charCodeAt(2) - 48);
    this.status = code;
    this.responseHeaders = headers;
    this.#noBody = hasNoBody(this.req.method, code);
    const flat: string[] = [];
    let hasServer = false;
    let closeRequested = false;
    for (let i = 0; i < headers.length; i++) {
      const [name, value] = headers[i];
      // Fast path: only names of these lengths can be one we act on (content-length, connection, keep-alive,
      // transfer-encoding, te, trailer(s), upgrade, proxy-connection, proxy-authenticate, proxy-authorization,
      // server); the rest pass without lowercasing.
      const n = name.length;
      if (
        n !== 14 &&
        n !== 10 &&
        n !== 17 &&
        n !== 2 &&
        n !== 7 &&
        n !== 8 &&
        n !== 16 &&
        n !== 18 &&
        n !== 19 &&
        n !== 6
      ) {
        flat.push(name, value);
        continue;
      }
      const lower = name.toLowerCase();
      if (lower === 'content-length') {
        // RFC 9110 §5.5: whitespace around a field value is not part of it (Gunicorn strips it too).
        const digits = lengthDigits(name, value);
        if (this.#declared !== -1 || digits === undefined) {
          this.ctx.logger.warning(
            `dropped response header Content-Length: ${value} (duplicate or not a number)`,
          );
          continue;
        }
        this.#declared = Number(digits);
        // RFC 9110 §8.6: a server must not send Content-Length with a 204 (nor a 1xx, which no app sends).
        if (code === 204) continue;
        flat.push(name, digits);
        continue;
      } else if (HOP_BY_HOP_HEADERS.has(lower)) {
        // They belong to the connection, which is ours (PEP 3333 S17): dropped so they can never break framing.
        if (lower === 'connection' && /\bclose\b/i.test(value)) closeRequested = true;
        else this.ctx.logger.debug(`dropped hop-by-hop response header ${name} (PEP 3333 S17)`);
        continue;
      } else if (lower === 'server') {
        hasServer = true;
      }
      flat.push(name, value);
    }
    // A body known in full gets its length, so keep-alive works without chunking (fast path).
    if (this.#declared === -1 && bodyLength !== undefined && code >= 200 && code !== 204 && code !== 304) {
      this.#declared = bodyLength;
      flat.push('Content-Length', String(bodyLength));
    }
    if (!hasServer) flat.push('Server', this.ctx.serverHeader);
    if (closeRequested || this.ctx.draining || this.mustClose()) {
      this.res.shouldKeepAlive = false;
      flat.push('Connection', 'close');
    }
    // Fast path: a standard reason phrase is node:http's own; passing none skips its re-validation.
    if (status === STANDARD_STATUS_LINES[code]) this.res.writeHead(code, flat);
    else this.res.writeHead(code, status.slice(4), flat);
    if (this.#noBody) {
      // RFC 9110 §9.3.2, §15.3.5, §15.4.5: the head is the whole response. End it now and stop pulling the body:
      // iterating a long (or endless) body only to discard it would hold the event loop.
      this.#done = true;
      this.#ended = true;
      this.res.end();
    }
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.#noBody || this.closed) return;
    if (this.#declared !== -1) {
      const room = this.#declared - this.bytesSent;
      if (chunk.length > room) {
        // RFC 9112 §6.3: the declared length frames the message; a byte more would be read as the next response.
        this.ctx.logger.warning(
          `app sent more than its Content-Length of ${this.#declared} for ${this.req.method} ${this.req.url}; the excess was dropped`,
        );
        this.#done = true;
        if (room <= 0) {
          // Nothing of it fits: the response is whole as it is (a Content-Length of 0 was never ended by a last
          // byte, and its head would otherwise wait in node:http's buffer for good).
          if (!this.#ended) {
            this.#ended = true;
            this.res.end();
          }
          return;
        }
        chunk = chunk.subarray(0, room);
      }
      this.bytesSent += chunk.length;
      if (this.bytesSent === this.#declared) {
        // Fast path: the last byte the app declared; end with it, one write for head + body + end.
        this.#ended = true;
        // A small body in one chunk goes out as a latin-1 string (exactly its bytes): node:http then joins it to
        // the head and writes one buffer, cheaper per request than the head and a Uint8Array written together.
        if (chunk.length === this.bytesSent && chunk.length <= SMALL_BODY)
          this.res.end(bytesToByteString(chunk), 'latin1');
        else this.res.end(chunk);
        return;
      }
    } else {
      this.bytesSent += chunk.length;
    }
    if (!this.res.write(chunk)) return this.#drain();
  }

  #drain(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (!this.#noBody && this.#declared !== -1 && this.bytesSent < this.#declared) {
      // A body shorter than its Content-Length must not look complete: close the connection instead.
      this.ctx.logger.error(
        `app sent ${this.bytesSent} of its Content-Length of ${this.#declared} bytes for ${this.req.method} ${this.req.url}; connection closed`,
      );
      this.#cut();
      return;
    }
    this.res.end();
  }

  abort(_error: unknown): void {
    // A response already complete on the wire (its last declared byte, or a head without body) stays complete.
    if (this.#ended) return;
    // After the head went out, the only honest signal is a broken connection (never a clean end).
    this.#ended = true;
    this.#cut();
  }

  /**
   * End the connection so the client sees the response as broken. With a Content-Length or chunked framing a
   * closed connection before the end says so; flush what was written first (node:http corks the socket until the
   * next tick). A close-delimited body (HTTP/1.0, no length) would look complete after a FIN, so reset instead.
   */
  #cut(): void {
    const socket = this.res.socket;
    if (!socket || socket.destroyed) {
      this.res.destroy();
      return;
    }
    if (this.#declared === -1 && !this.res.chunkedEncoding && !this.#noBody) {
      socket.resetAndDestroy();
      return;
    }
    while (socket.writableCorked > 0) socket.uncork();
    this.res.destroy();
  }

  async sendFile(file: FileLike & { path: string }, sendHead: () => void): Promise<void> {
    // Opened before the head goes out: a file that is not there is the app's error, answered with a 500, rather
    // than a 200 cut off with nothing after it.
    const handle = await open(file.path, 'r');
    try {
      sendHead();
    } catch (error) {
      await handle.close();
      throw error;
    }
    const start = file.offset ?? 0;
    const end = file.length === undefined ? undefined : start + file.length - 1;
    if (this.#noBody || (end !== undefined && end < start)) {
      await handle.close();
      return;
    }
    const stream = createReadStream(file.path, { fd: handle, start, end, highWaterMark: 256 * 1024 });
    for await (const chunk of stream) {
      if (this.closed) {
        stream.destroy();
        break;
      }
      const waiting = this.write(chunk as Buffer);
      if (waiting) await waiting;
    }
  }
}
