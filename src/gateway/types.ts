// The tsgi contract: PEP 3333 made natural for Node. Pure types; imports nothing.
// Rule numbers (S1, S2 …) refer to docs/pep3333.md.

/** A PEP 3333 "byte string": every character is one byte (latin-1 of the wire bytes). S3 */
export type ByteString = string;

/** `start_response`'s `write` callable (S12). Awaiting it applies backpressure. */
export type Write = (chunk: Uint8Array) => void | Promise<void>;

/**
 * `start_response(status, headers, excInfo?)` (S8–S11). `status` is e.g. `'200 OK'`; header names and values
 * are byte strings. `excInfo` is the caught error, passed only from an error handler.
 */
export type StartResponse = (status: string, headers: Array<[string, string]>, excInfo?: unknown) => Write;

/** The response body: any sync or async iterable of byte chunks, with an optional `close()` (S13, S14). */
export type Body = (Iterable<Uint8Array> | AsyncIterable<Uint8Array>) & { close?(): void | Promise<void> };

/** A WSGI application (S1). */
export type Application = (environ: Environ, startResponse: StartResponse) => Body | Promise<Body>;

/** `environ['wsgi.input']` (S5): the request body, never read past its end. */
export interface Input {
  /** Up to `size` bytes (all that remain when omitted or negative); an empty array at end of body. */
  read(size?: number): Promise<Uint8Array>;
  /** One line including its `\n`, at most `size` bytes. */
  readline(size?: number): Promise<Uint8Array>;
  /** Lines until end of body, or until their total length reaches `hint`. */
  readlines(hint?: number): Promise<Uint8Array[]>;
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array>;
}

/** `environ['wsgi.errors']` (S6): text written here goes to the server's error log. */
export interface Errors {
  write(s: string): void;
  writelines(lines: Iterable<string>): void;
  flush(): void;
}

/** An object with a readable file behind it, for `wsgi.file_wrapper` (S15). */
export interface FileLike {
  /** Path of the file on disk, when it has one; lets a server send it without copying through the app. */
  readonly path?: string;
  /** Where the body starts in the file at `path` (default 0). */
  readonly offset?: number;
  /** How many bytes to send from `offset` (default: to the end of the file). */
  readonly length?: number;
  read(size?: number): Uint8Array | Promise<Uint8Array>;
  close?(): void | Promise<void>;
}

/** `environ['wsgi.file_wrapper'](file, blockSize)`: a Body that a server may send by a faster route (S15). */
export type FileWrapper = (file: FileLike, blockSize?: number) => Body & { readonly file: FileLike };

/** The environ (S2–S7). CGI keys are byte strings; `wsgi.*` keys carry the objects below. */
export interface Environ {
  REQUEST_METHOD: ByteString;
  SCRIPT_NAME: ByteString;
  PATH_INFO: ByteString;
  QUERY_STRING: ByteString;
  CONTENT_TYPE?: ByteString;
  CONTENT_LENGTH?: ByteString;
  SERVER_NAME: ByteString;
  SERVER_PORT: ByteString;
  SERVER_PROTOCOL: ByteString;
  REMOTE_ADDR?: ByteString;
  REMOTE_PORT?: ByteString;
  RAW_URI?: ByteString;
  'wsgi.version': [1, 0];
  'wsgi.url_scheme': 'http' | 'https';
  'wsgi.input': Input;
  'wsgi.errors': Errors;
  'wsgi.multithread': boolean;
  'wsgi.multiprocess': boolean;
  'wsgi.run_once': boolean;
  'wsgi.input_terminated': boolean;
  'wsgi.file_wrapper': FileWrapper;
  /** tsgi's extension (S7 allows server keys): learn when the client goes away. Absent without a connection. */
  'tsgi.client'?: ClientWatch;
  [key: string]: unknown;
}

/** environ['tsgi.client']: the HTTP server's view of the connection a request came on. */
export interface ClientWatch {
  /** Calls `listener` once if the client goes away before its response has been sent in full. */
  onClientGone(listener: () => void): void;
  /**
   * Send a `103 Early Hints` (RFC 8297) now, before the final response: Gunicorn's `wsgi.early_hints`. Nothing is
   * sent once the final head went out or to an HTTP/1.0 client.
   */
  earlyHints?(headers: Array<[string, string]>): void;
}
