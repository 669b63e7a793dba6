// THE response state machine (S8–S14): start_response, write, excInfo, body iteration, close().
// Every server of the contract (HTTP server, test client, adapters) drives an app through runApplication.

import { byteStringToBytes } from './bytes.js';
import { contractErrors, statusOf } from './errors.js';
import type { Application, Body, Environ, FileLike, StartResponse, Write } from './types.js';

/** Where a response goes. The HTTP server writes to a socket; the test client collects into memory. */
export interface ResponseSink {
  /**
   * Status and headers, exactly once, just before the first body byte or at the end of an empty body (S11).
   * `bodyLength` is the whole body's size when it is known before the first byte (an array body).
   */
  head(status: string, headers: Array<[string, string]>, bodyLength?: number): void;
  /** One non-empty chunk. A returned promise means "wait": backpressure. */
  write(chunk: Uint8Array): void | Promise<void>;
  /** The body is complete. */
  end(): void | Promise<void>;
  /** The body broke after the head went out: end the response so the client cannot mistake it for whole. */
  abort(error: unknown): void;
  /** True once the client has gone away: stop producing the body. */
  readonly closed: boolean;
  /** Optional fast path for `wsgi.file_wrapper` bodies whose file has a path (S15). */
  sendFile?(file: FileLike & { path: string }): Promise<void>;
}

/** Called for every error the app raises or the contract detects. `phase` says what the client saw. */
export type ErrorReporter = (error: unknown, phase: 'before-headers' | 'after-headers' | 'close') => void;

const STATUS_LINE = /^[1-9]\d\d [^\r\n]*$/;
// RFC 9110 §5.1 token; §5.5 field value without CR/LF/NUL.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  413: 'Content Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The generic page sent when the app fails before its headers went out. The details go to the error log. */
export function errorResponse(status: number): {
  status: string;
  headers: Array<[string, string]>;
  body: Uint8Array;
} {
  const reason = REASONS[status] ?? 'Error';
  const body = byteStringToBytes(`${status} ${reason}\n`);
  return {
    status: `${status} ${reason}`,
    headers: [
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Content-Length', String(body.length)],
    ],
    body,
  };
}

export function validateStatus(status: unknown): asserts status is string {
  if (typeof status !== 'string' || !STATUS_LINE.test(status)) throw contractErrors.badStatus(status);
}

export function validateHeaders(headers: unknown): asserts headers is Array<[string, string]> {
  if (!Array.isArray(headers))
    throw contractErrors.badHeader('headers must be an array of [name, value] pairs');
  for (const h of headers) {
    if (!Array.isArray(h) || h.length !== 2 || typeof h[0] !== 'string' || typeof h[1] !== 'string') {
      throw contractErrors.badHeader(`${JSON.stringify(h)} is not a [name, value] pair of strings`);
    }
    if (!TOKEN.test(h[0]))
      throw contractErrors.badHeader(`name ${JSON.stringify(h[0])} is not an HTTP token`);
    if (BAD_VALUE.test(h[1]) || /[^\u0000-\u00ff]/.test(h[1])) {
      throw contractErrors.badHeader(`value of ${h[0]} has CR, LF, NUL or a character above U+00FF`);
    }
  }
}

/**
 * Run one request through an app and into a sink, keeping every rule of S8–S14. Never throws: app errors go
 * to `report` and become a 500 (before headers) or an aborted response (after headers).
 */
export async function runApplication(
  app: Application,
  environ: Environ,
  sink: ResponseSink,
  report: ErrorReporter,
): Promise<void> {
  let status: string | undefined;
  let headers: Array<[string, string]> = [];
  let headersSent = false;
  let body: Body | undefined;

  const sendHead = (bodyLength?: number): void => {
    if (status === undefined) throw contractErrors.bodyBeforeStartResponse();
    headersSent = true;
    sink.head(status, headers, bodyLength);
  };

  const send = (chunk: unknown): void | Promise<void> => {
    if (!(chunk instanceof Uint8Array)) throw contractErrors.badChunk(chunk);
    // S11: headers wait for the first non-empty chunk, so an empty chunk sends nothing.
    if (chunk.length === 0) return;
    if (!headersSent) sendHead();
    return sink.write(chunk);
  };

  const write: Write = (chunk) => send(chunk);

  const startResponse: StartResponse = (newStatus, newHeaders, excInfo) => {
    if (excInfo !== undefined && excInfo !== null) {
      // S10: with exc_info after the headers went out, re-raise; before, replace status and headers.
      if (headersSent) throw excInfo;
    } else if (status !== undefined) {
      throw contractErrors.startResponseTwice();
    }
    validateStatus(newStatus);
    validateHeaders(newHeaders);
    status = newStatus;
    headers = newHeaders;
    return write;
  };

  try {
    body = await app(environ, startResponse);
    if (body === null || body === undefined || typeof body === 'string' || typeof body !== 'object') {
      throw contractErrors.badBody(body);
    }
    if (Array.isArray(body)) {
      // Fast path: the whole body is known, so its length is too.
      let length = 0;
      for (const chunk of body) {
        if (!(chunk instanceof Uint8Array)) throw contractErrors.badChunk(chunk);
        length += chunk.length;
      }
      if (!headersSent && length > 0) sendHead(length);
      for (const chunk of body) {
        if (sink.closed) break;
        const waiting = send(chunk);
        if (waiting) await waiting;
      }
    } else if (isFileBody(body) && sink.sendFile && body.file.path !== undefined) {
      if (!headersSent) sendHead();
      await sink.sendFile(body.file as FileLike & { path: string });
    } else if (Symbol.iterator in body) {
      for (const chunk of body as Iterable<Uint8Array>) {
        if (sink.closed) break;
        const waiting = send(chunk);
        if (waiting) await waiting;
      }
    } else if (Symbol.asyncIterator in body) {
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        if (sink.closed) break;
        const waiting = send(chunk);
        if (waiting) await waiting;
      }
    } else {
      throw contractErrors.badBody(body);
    }
    if (!headersSent && !sink.closed) {
      if (status === undefined) throw contractErrors.noStartResponse();
      sendHead(0);
    }
    if (!sink.closed) await sink.end();
  } catch (error) {
    if (!headersSent) {
      report(error, 'before-headers');
      if (!sink.closed) {
        const page = errorResponse(statusOf(error));
        headersSent = true;
        sink.head(page.status, page.headers, page.body.length);
        await sink.write(page.body);
        await sink.end();
      }
    } else {
      report(error, 'after-headers');
      sink.abort(error);
    }
  } finally {
    // S14: close() is called whatever happened: success, app error, client gone.
    if (body && typeof body.close === 'function') {
      try {
        await body.close();
      } catch (error) {
        report(error, 'close');
      }
    }
  }
}

function isFileBody(body: Body): body is Body & { file: FileLike } {
  return (
    (body as { file?: unknown }).file !== undefined &&
    (body as { [fileBodyMark]?: true })[fileBodyMark] === true
  );
}

/** Marks bodies made by our `wsgi.file_wrapper`, so only they take the sendFile fast path. */
export const fileBodyMark: unique symbol = Symbol('tsgi.fileBody');
