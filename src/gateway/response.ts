// THE response state machine (S8–S14): start_response, write, excInfo, body iteration, close().
// Every server of the contract (HTTP server, test client, adapters) drives an app through runApplication.

import { byteStringToBytes } from './bytes.js';
import { contractErrors, statusOf } from './errors.js';
import { StringSlots } from './string-slots.js';
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
  /**
   * Optional fast path for `wsgi.file_wrapper` bodies whose file has a path (S15). Calls `sendHead` once the file
   * is open and before its first byte: a file that cannot be opened rejects with the head unsent (a clean 500).
   */
  sendFile?(file: FileLike & { path: string }, sendHead: () => void): Promise<void>;
}

/**
 * Called for every error the app raises or the contract detects, with the request's environ (one reporter can
 * serve every request). `phase` says what the client saw.
 */
export type ErrorReporter = (
  error: unknown,
  phase: 'before-headers' | 'after-headers' | 'close',
  environ: Environ,
) => void;

// RFC 9112 §4: status-code SP reason-phrase, the reason being visible latin-1 text (PEP 3333 S9 asks for one).
const STATUS_LINE = /^[2-5]\d\d [^\x00-\x1f\x7f\u0100-\uffff]*[^\s\x00-\x1f\x7f\u0100-\uffff]$/;
// RFC 9110 §5.1 token; §5.5 field value without CR/LF/NUL.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 §5.5: whitespace around a field value is not part of it.
const LENGTH_DIGITS = /^[ \t]*(\d+)[ \t]*$/;
// Control characters but TAB, and anything above U+00FF (not a byte string, S3): one scan per value.
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f\u0100-\uffff]/;

// Reason phrases (RFC 9110 §15) of the statuses tsgi itself answers with; the one table for every layer.
const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

/**
 * S17: hop-by-hop headers (RFC 9110 §7.6.1, and RFC 2616 §13.5.1 as PEP 3333 cites it, with their relatives):
 * the HTTP server drops them from an app's response, the validator reports them. Lower-case names.
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
]);

/**
 * RFC 9110 §9.3.2, §15.3.5, §15.4.5: a response to HEAD, a 204 and a 304 have no body, whatever the app gives.
 * (A 1xx is never an app's final status: validateStatus refuses it.)
 */
export function hasNoBody(method: string | undefined, code: number): boolean {
  return method === 'HEAD' || code < 200 || code === 204 || code === 304;
}

/** The reason phrase for a status tsgi answers with itself ('Error' for any other). */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Error';
}

/** The generic page sent when the app fails before its headers went out. The details go to the error log. */
export function errorResponse(status: number): {
  status: string;
  headers: Array<[string, string]>;
  body: Uint8Array;
} {
  const reason = reasonPhrase(status);
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

// Fast path: apps send the same few statuses and header lines on every request. Strings already checked are
// remembered (the recent ones, bounded), so the regular expressions run once per distinct string, not per request.
const knownStatuses = new StringSlots<true>(512, 256);
const knownNames = new StringSlots<true>(512, 256);
const knownValues = new StringSlots<true>(512, 256);

export function validateStatus(status: unknown): asserts status is string {
  if (typeof status === 'string' && knownStatuses.get(status)) return;
  if (typeof status !== 'string' || !STATUS_LINE.test(status)) throw contractErrors.badStatus(status);
  knownStatuses.set(status, true);
}

export function validateHeaders(headers: unknown): asserts headers is Array<[string, string]> {
  if (!Array.isArray(headers))
    throw contractErrors.badHeader('headers must be an array of [name, value] pairs');
  let length: string | undefined;
  for (const h of headers) {
    if (!Array.isArray(h) || h.length !== 2 || typeof h[0] !== 'string' || typeof h[1] !== 'string') {
      throw contractErrors.badHeader(`${JSON.stringify(h)} is not a [name, value] pair of strings`);
    }
    const [name, value] = h;
    if (!knownNames.get(name)) {
      if (!TOKEN.test(name))
        throw contractErrors.badHeader(`name ${JSON.stringify(name)} is not an HTTP token`);
      knownNames.set(name, true);
    }
    if (!knownValues.get(value)) {
      if (BAD_VALUE.test(value)) {
        throw contractErrors.badHeader(`value of ${name} has CR, LF, NUL or a character above U+00FF`);
      }
      knownValues.set(value, true);
    }
    // RFC 9110 §8.6: one length. Two numbers that disagree cannot both frame the body (a repeat of the same is
    // dropped, and so is a value that is not a number, with a warning, by the sink).
    const digits = lengthDigits(name, value);
    if (digits !== undefined) {
      if (length !== undefined && Number(length) !== Number(digits))
        throw contractErrors.badHeader(`two Content-Length headers disagree (${length} and ${digits})`);
      length = digits;
    }
  }
}

/**
 * The digits of a Content-Length header that frames the body, without the whitespace around them (RFC 9110 §5.5);
 * undefined for another header, or a value that is not a number (dropped, with a warning, by the sink).
 */
export function lengthDigits(name: string, value: string): string | undefined {
  if (name.length !== 14 || name.toLowerCase() !== 'content-length') return undefined;
  return LENGTH_DIGITS.exec(value)?.[1];
}

/** The body length an app declared: its first numeric Content-Length (validateHeaders refuses two that differ), or -1. */
export function declaredLength(headers: ReadonlyArray<readonly [string, string]>): number {
  for (const [name, value] of headers) {
    const digits = lengthDigits(name, value);
    if (digits !== undefined) return Number(digits);
  }
  return -1;
}

/**
 * Run one request through an app and into a sink, keeping every rule of S8–S14. Never throws and never
 * rejects: app errors go to `report` and become a 500 (before headers) or an aborted response (after headers).
 * Returns nothing when the whole response completed synchronously (fast path: an app returning an array to a
 * sink that never waits), else a promise for its completion.
 */
export function runApplication(
  app: Application,
  environ: Environ,
  sink: ResponseSink,
  report: ErrorReporter,
): void | Promise<void> {
  const run = new ResponseRun(sink, report, environ);
  let result: Body | Promise<Body>;
  try {
    result = app(environ, run.startResponse);
  } catch (error) {
    return run.fail(error, undefined);
  }
  if (Array.isArray(result)) return run.sendArray(result);
  return run.sendAsync(result);
}

/** The state of one response: what start_response set and whether the head went out. */
class ResponseRun {
  #sink: ResponseSink;
  #report: ErrorReporter;
  #environ: Environ;
  #status: string | undefined;
  /** Set together with #status by start_response (no placeholder array per request). */
  #headers: Array<[string, string]> | undefined;
  #headersSent = false;
  #startCalled = false;
  /** The response is over (its body ended, or failed): the write callable kept by the app is dead with it. */
  #finished = false;

  constructor(sink: ResponseSink, report: ErrorReporter, environ: Environ) {
    this.#sink = sink;
    this.#report = report;
    this.#environ = environ;
  }

  #sendHead(bodyLength?: number): void {
    const status = this.#status;
    const headers = this.#headers;
    if (status === undefined || headers === undefined) throw contractErrors.bodyBeforeStartResponse();
    // Marked sent only once the sink took the head: a head it refused can still become a clean 500.
    this.#sink.head(status, headers, bodyLength);
    this.#headersSent = true;
  }

  #send(chunk: unknown): void | Promise<void> {
    if (!(chunk instanceof Uint8Array)) throw contractErrors.badChunk(chunk);
    // S11: headers wait for the first non-empty chunk, so an empty chunk sends nothing.
    if (chunk.length === 0 || this.#sink.closed) return;
    if (!this.#headersSent) this.#sendHead();
    return this.#sink.write(chunk);
  }

  /** S12: the write() callable returned by start_response, valid while its response runs. */
  readonly write: Write = (chunk) => {
    if (this.#finished) throw contractErrors.writeAfterEnd();
    return this.#send(chunk);
  };

  readonly startResponse: StartResponse = (status, headers, excInfo) => {
    if (excInfo !== undefined && excInfo !== null) {
      // S10: with exc_info after the headers went out, re-raise; before, replace status and headers.
      if (this.#headersSent) throw excInfo;
    } else if (this.#startCalled) {
      // S10: a second call without exc_info is fatal, even when the first call raised.
      throw contractErrors.startResponseTwice();
    }
    this.#startCalled = true;
    validateStatus(status);
    validateHeaders(headers);
    this.#status = status;
    this.#headers = headers;
    return this.write;
  };

  /** The body ended: an empty body still needs its head (S8: start_response must have been called). */
  #finishHead(): void {
    if (this.#headersSent || this.#sink.closed) return;
    if (this.#status === undefined) throw contractErrors.noStartResponse();
    this.#sendHead(0);
  }

  /** Fast path: an array body is known in full, so its length is too; all synchronous unless the sink waits. */
  sendArray(body: Uint8Array[]): void | Promise<void> {
    try {
      let length = 0;
      for (let i = 0; i < body.length; i++) {
        const chunk = body[i];
        if (!(chunk instanceof Uint8Array)) throw contractErrors.badChunk(chunk);
        length += chunk.length;
      }
      if (!this.#headersSent && length > 0 && !this.#sink.closed) this.#sendHead(length);
      for (let i = 0; i < body.length; i++) {
        if (this.#sink.closed) break;
        const waiting = this.#send(body[i]);
        if (waiting) return this.sendAsync(body.slice(i + 1), waiting, body);
      }
      this.#finishHead();
      if (!this.#sink.closed) {
        const ending = this.#sink.end();
        if (ending)
          return ending.then(
            () => this.#close(body),
            (error) => this.fail(error, body),
          );
      }
    } catch (error) {
      return this.fail(error, body);
    }
    return this.#close(body);
  }

  /** The general path: a promised body, any iterable, file bodies, a sink that applies backpressure. */
  async sendAsync(result: Body | Promise<Body>, waiting?: Promise<void>, closeable?: Body): Promise<void> {
    let body: Body | undefined = closeable;
    try {
      if (waiting) await waiting;
      const resolved = await result;
      // An async app's array: known in full as a sync app's is, so it gets a length the same way (not chunked).
      if (waiting === undefined && Array.isArray(resolved)) return this.sendArray(resolved);
      body ??= resolved;
      // A bare Uint8Array is iterable (of numbers): refuse it by name rather than as a bad chunk.
      if (resolved === null || typeof resolved !== 'object' || ArrayBuffer.isView(resolved)) {
        throw contractErrors.badBody(resolved);
      }
      const sink = this.#sink;
      if (isFileBody(resolved) && sink.sendFile && resolved.file.path !== undefined) {
        await sink.sendFile(resolved.file as FileLike & { path: string }, () => {
          if (!this.#headersSent) this.#sendHead();
        });
      } else if (Symbol.iterator in resolved) {
        for (const chunk of resolved as Iterable<Uint8Array>) {
          const wait = this.#send(chunk);
          if (wait) await wait;
          // Checked after the write, before the loop pulls another chunk from the app.
          if (sink.closed) break;
        }
      } else if (Symbol.asyncIterator in resolved) {
        for await (const chunk of resolved as AsyncIterable<Uint8Array>) {
          const wait = this.#send(chunk);
          if (wait) await wait;
          if (sink.closed) break;
        }
      } else {
        throw contractErrors.badBody(resolved);
      }
      this.#finishHead();
      if (!sink.closed) await sink.end();
    } catch (error) {
      return this.fail(error, body);
    }
    return this.#close(body);
  }

  /** The app (or the contract) failed: a generic error page before the head went out, else abort. */
  async fail(error: unknown, body: Body | undefined): Promise<void> {
    const sink = this.#sink;
    try {
      if (!this.#headersSent) {
        this.#report(error, 'before-headers', this.#environ);
        if (!sink.closed) {
          const page = errorResponse(statusOf(error));
          this.#headersSent = true;
          sink.head(page.status, page.headers, page.body.length);
          await sink.write(page.body);
          await sink.end();
        }
      } else {
        this.#report(error, 'after-headers', this.#environ);
        sink.abort(error);
      }
    } catch (sinkError) {
      this.#report(sinkError, 'after-headers', this.#environ);
      sink.abort(sinkError);
    }
    return this.#close(body);
  }

  /** S14: close() is called whatever happened: success, app error, client gone. */
  #close(body: Body | undefined): void | Promise<void> {
    this.#finished = true;
    if (!body || typeof body.close !== 'function') return;
    try {
      const closing = body.close();
      if (closing) return closing.then(undefined, (error) => this.#report(error, 'close', this.#environ));
    } catch (error) {
      this.#report(error, 'close', this.#environ);
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
