// The test client: calls an Application with a request and no socket. It builds the environ with THE environ
// builder and drives the app through THE response state machine (gateway/), into an in-memory sink, so what a
// test sees is what the HTTP server would put on the wire.

import { open } from 'node:fs/promises';
import {
  type Application,
  type Body,
  BodyInput,
  buildEnviron,
  bytesSource,
  declaredLength,
  type Environ,
  type Errors,
  type FileLike,
  fileWrapper,
  hasNoBody,
  isByteString,
  type RequestHead,
  type ResponseSink,
  runApplication,
  type ServerContext,
} from '../gateway/index.js';

/** A request body: bytes, text (sent as UTF-8), or chunks of either (each chunk one read of the socket). */
export type RequestBody = Uint8Array | string | Iterable<Uint8Array | string>;

/** Request headers: `[name, value]` pairs in wire order, or a record (an array value repeats the header). */
export type RequestHeaders = ReadonlyArray<readonly [string, string]> | Record<string, string | string[]>;

export interface TestClientOptions {
  /** SCRIPT_NAME: the mount point stripped from the path (S4). Default ''. */
  scriptName?: string;
  /** wsgi.url_scheme. Default 'http'. */
  urlScheme?: 'http' | 'https';
  /** wsgi.multiprocess. Default false. */
  multiprocess?: boolean;
  /** wsgi.multithread. Default false. */
  multithread?: boolean;
  /** wsgi.run_once. Default false. */
  runOnce?: boolean;
  /** SERVER_NAME. Default 'localhost'. */
  serverName?: string;
  /** SERVER_PORT. Default '80', or '443' for https. */
  serverPort?: string;
  /** REMOTE_ADDR. Default '127.0.0.1'. */
  remoteAddress?: string;
  /** REMOTE_PORT, when given. */
  remotePort?: number;
  /** wsgi.input_terminated. Default true, as the HTTP server gives. */
  inputTerminated?: boolean;
}

export interface TestRequest {
  /** Default 'GET'. */
  method?: string;
  /**
   * The raw request-target as a client sends it: `/path?query`, `%XX` escapes kept as they are. Characters outside
   * printable ASCII are percent-encoded as UTF-8 first, as a browser does. Default '/'.
   */
  path?: string;
  headers?: RequestHeaders;
  /** When given, Content-Length is set to its size unless the headers carry Content-Length or Transfer-Encoding. */
  body?: RequestBody;
  /** Default '1.1'. */
  httpVersion?: '1.0' | '1.1';
  /** Simulates a client that goes away once it has received this many body bytes (0: before any byte). */
  disconnectAfter?: number;
}

/** One error the state machine reported, with what the client had seen by then. */
export interface ReportedError {
  error: unknown;
  phase: 'before-headers' | 'after-headers' | 'close';
}

export interface TestResponse {
  /** The status code, or 0 when no head was sent (the client went away first). */
  readonly status: number;
  /** The reason phrase: '200 OK' → 'OK'. */
  readonly statusText: string;
  /** The whole status line as the app gave it: '200 OK'. */
  readonly statusLine: string;
  /** Response headers exactly as the app gave them, in order. */
  readonly headers: Array<[string, string]>;
  /** The body length the state machine knew before the first byte (an array body), if any. */
  readonly knownLength: number | undefined;
  readonly body: Uint8Array;
  /** True when the sink's end() ran: the body is complete. */
  readonly ended: boolean;
  /** True when the response was aborted after its head went out (the client would see a broken connection). */
  readonly aborted: boolean;
  readonly abortError: unknown;
  /** How many times the server called the body's close() (0 when the body has none). */
  readonly closeCalls: number;
  /** Whether the body the app returned had a close() method. */
  readonly hasClose: boolean;
  /** True once the app started reading wsgi.input (where a server sends `100 Continue`, S16). */
  readonly inputRead: boolean;
  /** What went to wsgi.errors, then one entry per reported error: `[phase] stack`. In order. */
  readonly errors: string[];
  /** The errors the state machine reported, as objects. */
  readonly reported: ReportedError[];
  /** The environ the app was called with. */
  readonly environ: Environ;
  /** The first value of a header, by case-insensitive name. */
  header(name: string): string | undefined;
  /** The body decoded as UTF-8. */
  text(): string;
  /** The body parsed as JSON. */
  json(): unknown;
}

const SERVER_SOFTWARE = 'tsgi-testing/0.1.0';
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_FIELD_VALUE = /[\r\n\0]/;

/** Encodes what a client could not send raw: characters outside printable ASCII, as UTF-8 `%XX`. */
function encodeTarget(path: string): string {
  return path.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
}

function bodyChunks(body: RequestBody | undefined): Uint8Array[] | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return [toBytes(body)];
  return Array.from(body, toBytes);
}

function headerPairs(headers: RequestHeaders | undefined): Array<[string, string]> {
  if (headers === undefined) return [];
  const pairs: Array<[string, string]> = [];
  if (Array.isArray(headers)) {
    for (const [name, value] of headers as ReadonlyArray<readonly [string, string]>)
      pairs.push([name, value]);
  } else {
    for (const [name, value] of Object.entries(headers as Record<string, string | string[]>)) {
      for (const v of Array.isArray(value) ? value : [value]) pairs.push([name, v]);
    }
  }
  for (const [name, value] of pairs) {
    // What node:http would refuse to parse cannot reach an app: refuse it here too.
    if (!TOKEN.test(name))
      throw new TypeError(`request header name ${JSON.stringify(name)} is not an HTTP token`);
    if (BAD_FIELD_VALUE.test(value) || !isByteString(value)) {
      throw new TypeError(
        `request header ${name} has CR, LF, NUL or a character above U+00FF; encode the value as bytes first`,
      );
    }
  }
  return pairs;
}

/** Everything the client sends, resolved: the head, the body chunks and the server context. */
interface PreparedRequest {
  head: RequestHead;
  context: ServerContext;
  chunks: Uint8Array[];
  inputTerminated: boolean;
}

function prepare(request: TestRequest, options: TestClientOptions): PreparedRequest {
  const urlScheme = options.urlScheme ?? 'http';
  const serverName = options.serverName ?? 'localhost';
  const serverPort = options.serverPort ?? (urlScheme === 'https' ? '443' : '80');
  const httpVersion = request.httpVersion ?? '1.1';
  const target = encodeTarget(request.path ?? '/');
  if (target[0] !== '/' && target !== '*' && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(target)) {
    throw new TypeError(`request path ${JSON.stringify(target)} must start with '/' (or be '*' or absolute)`);
  }
  const pairs = headerPairs(request.headers);
  const has = (name: string) => pairs.some(([n]) => n.toLowerCase() === name);
  const chunks = bodyChunks(request.body);
  // Like a real client: HTTP/1.1 always names the host; a body always has its framing.
  if (httpVersion === '1.1' && !has('host')) {
    const defaultPort = urlScheme === 'https' ? '443' : '80';
    pairs.unshift(['Host', serverPort === defaultPort ? serverName : `${serverName}:${serverPort}`]);
  }
  if (chunks !== undefined && !has('content-length') && !has('transfer-encoding')) {
    pairs.push(['Content-Length', String(chunks.reduce((n, c) => n + c.length, 0))]);
  }
  return {
    head: {
      method: request.method ?? 'GET',
      target,
      httpVersion,
      rawHeaders: pairs.flat(),
      remoteAddress: options.remoteAddress ?? '127.0.0.1',
      remotePort: options.remotePort,
    },
    context: {
      serverName,
      serverPort,
      urlScheme,
      scriptName: options.scriptName ?? '',
      multithread: options.multithread ?? false,
      multiprocess: options.multiprocess ?? false,
      runOnce: options.runOnce ?? false,
      serverSoftware: SERVER_SOFTWARE,
      fileWrapper,
    },
    chunks: chunks ?? [],
    inputTerminated: options.inputTerminated ?? true,
  };
}

/** A wsgi.errors that keeps what was written, for assertions. */
function collectingErrors(into: string[]): Errors {
  return {
    write: (s) => {
      into.push(String(s));
    },
    writelines: (lines) => {
      for (const line of lines) into.push(String(line));
    },
    flush: () => {},
  };
}

/**
 * The environ a request would get, built by the one environ builder, for tests that call an app (or a validator)
 * directly. `errors` collects what is written to wsgi.errors.
 */
export function makeEnviron(
  request: TestRequest = {},
  options: TestClientOptions = {},
  errors: string[] = [],
): Environ {
  const prepared = prepare(request, options);
  return buildEnviron(prepared.head, prepared.context, {
    input: new BodyInput(bytesSource(prepared.chunks)),
    errors: collectingErrors(errors),
    inputTerminated: prepared.inputTerminated,
  });
}

/**
 * Collects the response in memory, framed as the HTTP server frames it on the wire: no body for HEAD, 204 and 304,
 * nothing past the app's Content-Length, and a body shorter than it is a broken response. The state machine must
 * call head() once, before any write().
 */
class MemorySink implements ResponseSink {
  closed = false;
  statusLine: string | undefined;
  headers: Array<[string, string]> = [];
  knownLength: number | undefined;
  chunks: Uint8Array[] = [];
  bytes = 0;
  ended = false;
  aborted = false;
  abortError: unknown;
  #disconnectAfter: number | undefined;
  readonly #method: string;
  #noBody = false;
  /** The app's Content-Length as the server takes it (its first numeric one), or -1. */
  #declared = -1;

  constructor(disconnectAfter: number | undefined, method: string) {
    this.#disconnectAfter = disconnectAfter;
    this.#method = method;
    if (disconnectAfter !== undefined && disconnectAfter <= 0) this.closed = true;
  }

  head(status: string, headers: Array<[string, string]>, bodyLength?: number): void {
    if (this.statusLine !== undefined) throw new Error('test client: ResponseSink.head() called twice');
    this.statusLine = status;
    this.headers = headers.map(([n, v]) => [n, v]);
    this.knownLength = bodyLength;
    this.#noBody = hasNoBody(this.#method, Number(status.slice(0, 3)));
    this.#declared = declaredLength(headers);
    if (this.#noBody) {
      // The head is the whole response: the server ends it and stops pulling the body (a long one is never iterated).
      this.ended = true;
      this.closed = true;
    }
  }

  write(chunk: Uint8Array): void {
    if (this.statusLine === undefined) throw new Error('test client: ResponseSink.write() before head()');
    if (this.ended) throw new Error('test client: ResponseSink.write() after end()');
    if (this.#noBody) return;
    if (this.#declared !== -1 && this.bytes + chunk.length >= this.#declared) {
      // The server sends nothing past the declared length, and stops pulling the body there.
      chunk = chunk.subarray(0, this.#declared - this.bytes);
      this.closed = true;
    }
    // Copy: a server hands the bytes to the socket at once, so the app may reuse its buffer afterwards.
    this.chunks.push(chunk.slice());
    this.bytes += chunk.length;
    if (this.#disconnectAfter !== undefined && this.bytes >= this.#disconnectAfter) this.closed = true;
    if (this.bytes === this.#declared) this.ended = true;
  }

  end(): void {
    if (this.statusLine === undefined) throw new Error('test client: ResponseSink.end() before head()');
    if (!this.#noBody && this.#declared !== -1 && this.bytes < this.#declared) {
      // The server closes the connection instead: a body shorter than its Content-Length must not look whole.
      this.abort(new Error(`the app sent ${this.bytes} of its Content-Length of ${this.#declared} bytes`));
      return;
    }
    this.ended = true;
  }

  abort(error: unknown): void {
    this.aborted = true;
    this.abortError = error;
    this.closed = true;
  }

  /** S15: a wrapped file with a path is read as the HTTP server sends it: from `offset`, for `length`. */
  async sendFile(file: FileLike & { path: string }, sendHead: () => void): Promise<void> {
    const handle = await open(file.path, 'r');
    try {
      if (this.closed) return; // the client left before any byte
      sendHead();
      const start = file.offset ?? 0;
      const size = (await handle.stat()).size;
      const end = file.length === undefined ? size : Math.min(size, start + file.length);
      // In blocks, as the server streams it: a client that leaves mid-body (disconnectAfter) stops it.
      for (let position = start; position < end && !this.closed; ) {
        const block = new Uint8Array(Math.min(64 * 1024, end - position));
        const { bytesRead } = await handle.read(block, 0, block.length, position);
        if (bytesRead === 0) break;
        this.write(block.subarray(0, bytesRead));
        position += bytesRead;
      }
    } finally {
      await handle.close();
    }
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/** Watches the body the app returns for close() calls, without changing what the state machine sees. */
function watchClose(app: Application, seen: { hasClose: boolean; closeCalls: number }): Application {
  const watch = (body: Body): Body => {
    if (typeof body !== 'object' || body === null || typeof body.close !== 'function') return body;
    seen.hasClose = true;
    // A Proxy keeps the body's identity for every check the state machine makes (Array.isArray, file bodies).
    return new Proxy(body, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop === 'close') {
          return () => {
            seen.closeCalls++;
            return (value as () => unknown).call(target);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return (environ, startResponse) => {
    const result = app(environ, startResponse);
    return result instanceof Promise ? result.then(watch) : watch(result);
  };
}

export class TestClient {
  readonly #app: Application;
  readonly #options: TestClientOptions;

  constructor(app: Application, options: TestClientOptions = {}) {
    this.#app = app;
    this.#options = options;
  }

  async request(request: TestRequest = {}): Promise<TestResponse> {
    const prepared = prepare(request, this.#options);
    const errors: string[] = [];
    const reported: ReportedError[] = [];
    let inputRead = false;
    const input = new BodyInput(bytesSource(prepared.chunks), () => {
      inputRead = true;
    });
    const environ = buildEnviron(prepared.head, prepared.context, {
      input,
      errors: collectingErrors(errors),
      inputTerminated: prepared.inputTerminated,
    });
    const sink = new MemorySink(request.disconnectAfter, prepared.head.method);
    const seen = { hasClose: false, closeCalls: 0 };
    await runApplication(watchClose(this.#app, seen), environ, sink, (error, phase) => {
      reported.push({ error, phase });
      errors.push(`[${phase}] ${describe(error)}`);
    });
    const statusLine = sink.statusLine ?? '';
    const body = concat(sink.chunks, sink.bytes);
    const headers = sink.headers;
    return {
      status: statusLine ? Number(statusLine.slice(0, 3)) : 0,
      statusText: statusLine.slice(4),
      statusLine,
      headers,
      knownLength: sink.knownLength,
      body,
      ended: sink.ended,
      aborted: sink.aborted,
      abortError: sink.abortError,
      closeCalls: seen.closeCalls,
      hasClose: seen.hasClose,
      inputRead,
      errors,
      reported,
      environ,
      header(name: string) {
        const lower = name.toLowerCase();
        return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
      },
      text: () => new TextDecoder().decode(body),
      json: () => JSON.parse(new TextDecoder().decode(body)) as unknown,
    };
  }

  get(path: string, headers?: RequestHeaders): Promise<TestResponse> {
    return this.request({ method: 'GET', path, headers });
  }

  head(path: string, headers?: RequestHeaders): Promise<TestResponse> {
    return this.request({ method: 'HEAD', path, headers });
  }

  post(path: string, body?: RequestBody, headers?: RequestHeaders): Promise<TestResponse> {
    return this.request({ method: 'POST', path, body: body ?? '', headers });
  }

  put(path: string, body?: RequestBody, headers?: RequestHeaders): Promise<TestResponse> {
    return this.request({ method: 'PUT', path, body: body ?? '', headers });
  }

  delete(path: string, headers?: RequestHeaders): Promise<TestResponse> {
    return this.request({ method: 'DELETE', path, headers });
  }
}
