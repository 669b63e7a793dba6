// validator(app): checks BOTH sides of the contract around one app, like Python's wsgiref.validate. The server
// side (environ, wsgi.input, wsgi.errors, close()) and the application side (start_response, headers, body, write,
// input reads) each throw a ValidationError naming the PEP 3333 rule they break (numbered in docs/pep3333.md).
// Every violation is also recorded on the validated app, so a test can assert on ones no caller could catch
// (close() never called is found only after the request, by assertValid() or when the body is garbage-collected).

import {
  type Application,
  type Body,
  type Environ,
  type Errors,
  type Input,
  isByteString,
  type StartResponse,
  TsgiError,
  type Write,
} from '../gateway/index.js';

/** Which side of the contract broke the rule: the server (or middleware acting as one) or the application. */
export type ContractSide = 'server' | 'application';

/** A broken PEP 3333 rule, found by the validator. `rule` is its number in docs/pep3333.md. */
export class ValidationError extends TsgiError {
  readonly code: string;
  readonly status = 500;
  readonly side: ContractSide;
  readonly rule: string;
  constructor(code: string, side: ContractSide, rule: string, message: string) {
    super(`${message} (PEP 3333 ${rule}, broken by the ${side})`);
    this.code = code;
    this.side = side;
    this.rule = rule;
  }
}

const server = (code: string, rule: string, message: string) =>
  new ValidationError(code, 'server', rule, message);
const application = (code: string, rule: string, message: string) =>
  new ValidationError(code, 'application', rule, message);

/** The validator's catalog: one code per rule it checks. docs/errors.md lists them all. */
export const validationErrors = {
  // --- server side ---
  environNotObject: (got: unknown) =>
    server(
      'TSGI_VALIDATE_ENVIRON',
      'S2',
      `the environ must be a plain object of CGI and wsgi.* keys; got ${show(got)}`,
    ),
  environMissing: (key: string) =>
    server(
      'TSGI_VALIDATE_ENVIRON_MISSING',
      key.startsWith('wsgi.') ? 'S7' : 'S2',
      `the environ has no ${key}, or it is empty; a server must always provide it`,
    ),
  notByteString: (key: string, value: unknown) =>
    server(
      'TSGI_VALIDATE_NOT_BYTE_STRING',
      'S3',
      `environ ${key} is ${show(value)}; every CGI variable must be a byte string (a string with no character above U+00FF)`,
    ),
  requestMethod: (value: string) =>
    server(
      'TSGI_VALIDATE_REQUEST_METHOD',
      'S2',
      `REQUEST_METHOD ${JSON.stringify(value)} is not an HTTP method token; it can never be empty`,
    ),
  path: (key: string, value: string) =>
    server(
      'TSGI_VALIDATE_PATH',
      'S4',
      `${key} ${JSON.stringify(value)} must be empty or start with '/'` +
        (key === 'SCRIPT_NAME'
          ? " (and SCRIPT_NAME is never '/': the root is SCRIPT_NAME '' with PATH_INFO '/')"
          : ''),
    ),
  contentLength: (value: string) =>
    server(
      'TSGI_VALIDATE_CONTENT_LENGTH',
      'S2',
      `CONTENT_LENGTH ${JSON.stringify(value)} is not a decimal number of bytes (leave it out when unknown)`,
    ),
  httpContentHeader: (key: string) =>
    server(
      'TSGI_VALIDATE_HTTP_CONTENT_HEADER',
      'S2',
      `the environ has ${key}; Content-Type and Content-Length go in CONTENT_TYPE and CONTENT_LENGTH, without the HTTP_ prefix`,
    ),
  wsgiKey: (key: string, expected: string, got: unknown) =>
    server('TSGI_VALIDATE_WSGI_KEY', 'S7', `environ ${key} must be ${expected}; got ${show(got)}`),
  inputStream: (detail: string) => server('TSGI_VALIDATE_INPUT_STREAM', 'S5', `wsgi.input ${detail}`),
  errorsStream: (detail: string) => server('TSGI_VALIDATE_ERRORS_STREAM', 'S6', `wsgi.errors ${detail}`),
  startResponseReturn: (got: unknown) =>
    server(
      'TSGI_VALIDATE_WRITE_CALLABLE',
      'S12',
      `start_response returned ${show(got)}; it must return the write callable`,
    ),
  closeTwice: () =>
    server(
      'TSGI_VALIDATE_CLOSE_TWICE',
      'S14',
      'the server called close() on the response body a second time',
    ),
  closeNotCalled: (request: string) =>
    server(
      'TSGI_VALIDATE_CLOSE_NOT_CALLED',
      'S14',
      `the server never called close() on the body of ${request}; it must, however the request ended`,
    ),
  iteratedAfterClose: () =>
    server(
      'TSGI_VALIDATE_ITERATED_AFTER_CLOSE',
      'S14',
      'the server iterated the response body after calling its close()',
    ),
  // --- application side ---
  status: (status: unknown, why: string) =>
    application(
      'TSGI_VALIDATE_STATUS',
      'S9',
      `status ${show(status)} ${why}; it must be a three-digit code, one space and a reason phrase, e.g. '200 OK'`,
    ),
  headers: (detail: string) =>
    application(
      'TSGI_VALIDATE_HEADERS',
      'S9',
      `response headers: ${detail}; they must be an array of [name, value] byte-string pairs`,
    ),
  hopByHop: (name: string) =>
    application(
      'TSGI_VALIDATE_HOP_BY_HOP',
      'S17',
      `the app set the hop-by-hop header ${name}; connection handling and transfer codings belong to the server`,
    ),
  startResponseTwice: () =>
    application(
      'TSGI_VALIDATE_START_RESPONSE_TWICE',
      'S10',
      'start_response was called again without excInfo; only an error handler may call it again, passing the caught error',
    ),
  noStartResponse: () =>
    application(
      'TSGI_VALIDATE_NO_START_RESPONSE',
      'S8',
      'the body ended and start_response was never called',
    ),
  bodyBeforeStartResponse: () =>
    application(
      'TSGI_VALIDATE_BODY_BEFORE_START_RESPONSE',
      'S8',
      'the body yielded a non-empty chunk before start_response was called',
    ),
  body: (got: unknown) =>
    application(
      'TSGI_VALIDATE_BODY',
      'S13',
      `the app returned ${show(got)}; it must return an iterable or async iterable of Uint8Array, e.g. [bytes]`,
    ),
  chunk: (where: string, got: unknown) =>
    application(
      'TSGI_VALIDATE_CHUNK',
      'S13',
      `${where} got ${show(got)}; body data must be Uint8Array (encode text with new TextEncoder().encode(s))`,
    ),
  writeAfterClose: () =>
    application(
      'TSGI_VALIDATE_WRITE_AFTER_CLOSE',
      'S12',
      'write() was called after the response body was closed',
    ),
  writeFromBody: () =>
    application(
      'TSGI_VALIDATE_WRITE_FROM_BODY',
      'S12',
      'write() was called while the server was iterating the body; yield the chunk from the body instead',
    ),
  inputArgument: (method: string, got: unknown) =>
    application(
      'TSGI_VALIDATE_INPUT_ARGUMENT',
      'S5',
      `wsgi.input.${method}() got ${show(got)}; its argument must be omitted or an integer`,
    ),
  inputPastEnd: (contentLength: number) =>
    application(
      'TSGI_VALIDATE_INPUT_PAST_END',
      'S5',
      `the app read wsgi.input again after all ${contentLength} bytes of CONTENT_LENGTH; without wsgi.input_terminated it must stop there`,
    ),
  errorsNotText: (method: string, got: unknown) =>
    application(
      'TSGI_VALIDATE_ERRORS_TEXT',
      'S6',
      `wsgi.errors.${method}() got ${show(got)}; it takes strings`,
    ),
};

function show(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${value}`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') return `an object of type ${value.constructor?.name ?? 'Object'}`;
  return `a ${typeof value}`;
}

// RFC 9110 §5.6.2 token (header names, methods).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CONTROL = /[\x00-\x1f\x7f]/;
// Hop-by-hop headers (RFC 9110 §7.6.1, RFC 2616 §13.5.1) and their relatives.
const HOP_BY_HOP = new Set([
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

/** S2–S7: everything a server must put in the environ, with the types and shapes the PEP gives them. */
export function checkEnviron(environ: unknown): asserts environ is Environ {
  if (typeof environ !== 'object' || environ === null || Array.isArray(environ)) {
    throw validationErrors.environNotObject(environ);
  }
  const env = environ as Record<string, unknown>;
  // S3: every CGI variable (a key without a '.') is a byte string.
  for (const key of Object.keys(env)) {
    if (key.includes('.')) continue;
    const value = env[key];
    if (typeof value !== 'string' || !isByteString(value)) throw validationErrors.notByteString(key, value);
  }
  for (const key of ['REQUEST_METHOD', 'SERVER_NAME', 'SERVER_PORT', 'SERVER_PROTOCOL']) {
    if (!env[key]) throw validationErrors.environMissing(key);
  }
  const method = env.REQUEST_METHOD as string;
  if (!TOKEN.test(method)) throw validationErrors.requestMethod(method);
  const scriptName = (env.SCRIPT_NAME as string | undefined) ?? '';
  const pathInfo = (env.PATH_INFO as string | undefined) ?? '';
  if (scriptName === '/' || (scriptName !== '' && scriptName[0] !== '/')) {
    throw validationErrors.path('SCRIPT_NAME', scriptName);
  }
  // `OPTIONS *` targets the server itself, not a path: PATH_INFO '*' is how it reaches an app.
  const asterisk = pathInfo === '*' && method === 'OPTIONS' && scriptName === '';
  if (pathInfo !== '' && pathInfo[0] !== '/' && !asterisk) throw validationErrors.path('PATH_INFO', pathInfo);
  const contentLength = env.CONTENT_LENGTH as string | undefined;
  if (contentLength !== undefined && contentLength !== '' && !/^\d+$/.test(contentLength)) {
    throw validationErrors.contentLength(contentLength);
  }
  for (const key of ['HTTP_CONTENT_TYPE', 'HTTP_CONTENT_LENGTH']) {
    if (key in env) throw validationErrors.httpContentHeader(key);
  }
  // S7: the wsgi.* keys.
  for (const key of [
    'wsgi.version',
    'wsgi.url_scheme',
    'wsgi.input',
    'wsgi.errors',
    'wsgi.multithread',
    'wsgi.multiprocess',
    'wsgi.run_once',
  ]) {
    if (!(key in env)) throw validationErrors.environMissing(key);
  }
  const version = env['wsgi.version'];
  if (!Array.isArray(version) || version.length !== 2 || version[0] !== 1 || version[1] !== 0) {
    throw validationErrors.wsgiKey('wsgi.version', '[1, 0]', version);
  }
  const scheme = env['wsgi.url_scheme'];
  if (scheme !== 'http' && scheme !== 'https')
    throw validationErrors.wsgiKey('wsgi.url_scheme', "'http' or 'https'", scheme);
  for (const key of ['wsgi.multithread', 'wsgi.multiprocess', 'wsgi.run_once']) {
    if (typeof env[key] !== 'boolean') throw validationErrors.wsgiKey(key, 'a boolean', env[key]);
  }
  if ('wsgi.input_terminated' in env && typeof env['wsgi.input_terminated'] !== 'boolean') {
    throw validationErrors.wsgiKey('wsgi.input_terminated', 'a boolean', env['wsgi.input_terminated']);
  }
  if ('wsgi.file_wrapper' in env && typeof env['wsgi.file_wrapper'] !== 'function') {
    throw validationErrors.wsgiKey(
      'wsgi.file_wrapper',
      'a function (file, blockSize?) => Body',
      env['wsgi.file_wrapper'],
    );
  }
  const input = env['wsgi.input'] as Record<string | symbol, unknown> | null;
  for (const method of ['read', 'readline', 'readlines', Symbol.asyncIterator] as const) {
    if (typeof input?.[method] !== 'function') {
      throw validationErrors.inputStream(
        `has no ${String(method)} method (S5 requires read, readline, readlines, iteration)`,
      );
    }
  }
  const errors = env['wsgi.errors'] as Record<string, unknown> | null;
  for (const method of ['write', 'writelines', 'flush']) {
    if (typeof errors?.[method] !== 'function') {
      throw validationErrors.errorsStream(`has no ${method} method (S6 requires write, writelines, flush)`);
    }
  }
}

/** S9: the status line an app passes to start_response. */
export function checkStatus(status: unknown): asserts status is string {
  if (typeof status !== 'string') throw validationErrors.status(status, 'is not a string');
  if (!/^[1-9]\d\d /.test(status))
    throw validationErrors.status(status, 'does not start with a three-digit code and a space');
  if (CONTROL.test(status)) throw validationErrors.status(status, 'contains a control character');
  if (!isByteString(status)) throw validationErrors.status(status, 'has a character above U+00FF');
  if (status.length === 4 || status !== status.trim() || status[4] === ' ') {
    throw validationErrors.status(status, 'has no reason phrase, or whitespace around it');
  }
}

/** S9 and S17: the headers an app passes to start_response. */
export function checkHeaders(headers: unknown): asserts headers is Array<[string, string]> {
  if (!Array.isArray(headers)) throw validationErrors.headers(`got ${show(headers)}, not an array`);
  for (const header of headers as unknown[]) {
    if (!Array.isArray(header) || header.length !== 2) {
      throw validationErrors.headers(`${show(header)} is not a [name, value] pair`);
    }
    const [name, value] = header as unknown[];
    if (typeof name !== 'string' || !TOKEN.test(name)) {
      throw validationErrors.headers(
        `name ${show(name)} is not an HTTP token (no spaces, colons or control characters)`,
      );
    }
    const lower = name.toLowerCase();
    // wsgiref.validate's rule: a CGI gateway would read 'Status' as the status line.
    if (lower === 'status')
      throw validationErrors.headers("'Status' is not a header; the status goes in the first argument");
    if (HOP_BY_HOP.has(lower)) throw validationErrors.hopByHop(name);
    if (typeof value !== 'string')
      throw validationErrors.headers(`value of ${name} is ${show(value)}, not a string`);
    if (CONTROL.test(value))
      throw validationErrors.headers(`value of ${name} contains a control character (CR, LF, …)`);
    if (!isByteString(value)) throw validationErrors.headers(`value of ${name} has a character above U+00FF`);
  }
}

function isSize(size: unknown): boolean {
  return size === undefined || size === null || (typeof size === 'number' && Number.isInteger(size));
}

/** Per-request bookkeeping, shared by the wrappers of one call. Holds no reference to the body. */
interface CallState {
  request: string;
  /** start_response was called (even if that call then threw). */
  startCalled: boolean;
  /** start_response returned: the status and headers are stored. */
  started: boolean;
  /** The server has started iterating the body. */
  iterating: boolean;
  closed: boolean;
}

export interface ValidatorOptions {
  /**
   * Called with every violation as it is found. Violations found when nothing can throw (a body garbage-collected
   * without close()) reach only this; by default they become a process warning.
   */
  onViolation?: (error: ValidationError) => void;
}

/** An app wrapped by validator(): an Application that also remembers what it found. */
export interface ValidatedApplication extends Application {
  /** Every violation found so far, in order. Each was also thrown where it was found. */
  readonly violations: readonly ValidationError[];
  /** How many returned bodies the server has not closed yet. */
  readonly unclosed: number;
  /**
   * Throws the first violation found, or TSGI_VALIDATE_CLOSE_NOT_CALLED when a body the app returned was never
   * closed. Call it once the server (e.g. the test client) has finished with every request.
   */
  assertValid(): void;
}

export function validator(app: Application, options: ValidatorOptions = {}): ValidatedApplication {
  const violations: ValidationError[] = [];
  const open = new Set<CallState>();
  const report = (error: ValidationError) => {
    violations.push(error);
    options.onViolation?.(error);
  };
  const fail = (error: ValidationError): never => {
    report(error);
    throw error;
  };
  const collected = new FinalizationRegistry<CallState>((state) => {
    if (state.closed || !open.delete(state)) return;
    const error = validationErrors.closeNotCalled(state.request);
    violations.push(error);
    if (options.onViolation) options.onViolation(error);
    else process.emitWarning(error.message, { code: error.code });
  });

  const validated = ((environ: Environ, startResponse: StartResponse) => {
    try {
      checkEnviron(environ);
    } catch (error) {
      if (error instanceof ValidationError) fail(error);
      throw error;
    }
    const state: CallState = {
      request: `${environ.REQUEST_METHOD} ${environ.SCRIPT_NAME ?? ''}${environ.PATH_INFO ?? ''}`,
      startCalled: false,
      started: false,
      iterating: false,
      closed: false,
    };
    environ['wsgi.input'] = checkedInput(environ['wsgi.input'], environ, fail);
    environ['wsgi.errors'] = checkedErrors(environ['wsgi.errors'], fail);

    const checkedStart: StartResponse = (status, headers, excInfo) => {
      const hasExcInfo = excInfo !== undefined && excInfo !== null;
      // S10: even a first call that raised counts; only an error handler (with excInfo) may call again.
      if (state.startCalled && !hasExcInfo) fail(validationErrors.startResponseTwice());
      state.startCalled = true;
      try {
        checkStatus(status);
        checkHeaders(headers);
      } catch (error) {
        if (error instanceof ValidationError) fail(error);
        throw error;
      }
      const write = startResponse(status, headers, excInfo);
      if (typeof write !== 'function') fail(validationErrors.startResponseReturn(write));
      state.started = true;
      const checkedWrite: Write = (chunk) => {
        if (state.closed) fail(validationErrors.writeAfterClose());
        if (state.iterating) fail(validationErrors.writeFromBody());
        if (!(chunk instanceof Uint8Array)) fail(validationErrors.chunk('write()', chunk));
        return write(chunk);
      };
      return checkedWrite;
    };

    const checkBody = (body: Body): Body => {
      const ok =
        typeof body === 'object' &&
        body !== null &&
        !(body instanceof Uint8Array) &&
        (Symbol.iterator in body || Symbol.asyncIterator in body);
      if (!ok) fail(validationErrors.body(body));
      const wrapped = checkedBody(body, state, fail, () => {
        open.delete(state);
        collected.unregister(state);
      });
      open.add(state);
      collected.register(wrapped, state, state);
      return wrapped;
    };

    const result = app(environ, checkedStart);
    return result instanceof Promise ? result.then(checkBody) : checkBody(result);
  }) as ValidatedApplication;

  Object.defineProperties(validated, {
    violations: { get: () => violations },
    unclosed: { get: () => open.size },
    assertValid: {
      value: () => {
        if (violations.length > 0) throw violations[0];
        for (const state of open) throw validationErrors.closeNotCalled(state.request);
      },
    },
  });
  return validated;
}

type Fail = (error: ValidationError) => never;

/**
 * The body as the server sees it: the same object (a Proxy keeps Array.isArray and file-wrapper identity), but
 * every chunk is checked (S8, S13) and close() is always there and counted (S14).
 */
function checkedBody(body: Body, state: CallState, fail: Fail, onClose: () => void): Body {
  const check = (chunk: unknown): void => {
    if (!(chunk instanceof Uint8Array)) fail(validationErrors.chunk('the body iterator', chunk));
    if (chunk.length > 0 && !state.started) fail(validationErrors.bodyBeforeStartResponse());
  };
  const step = (): void => {
    if (state.closed) fail(validationErrors.iteratedAfterClose());
    state.iterating = true;
  };
  const done = (): void => {
    state.iterating = false;
    if (!state.startCalled) fail(validationErrors.noStartResponse());
  };
  const close = (): void | Promise<void> => {
    if (state.closed) fail(validationErrors.closeTwice());
    state.closed = true;
    state.iterating = false;
    onClose();
    return body.close?.call(body);
  };
  const syncIterator = (): Iterator<Uint8Array> => {
    const it = (body as Iterable<Uint8Array>)[Symbol.iterator]();
    return {
      next: () => {
        step();
        const r = it.next();
        if (r.done) done();
        else check(r.value);
        state.iterating = !r.done;
        return r;
      },
      return: (value?: unknown) => {
        state.iterating = false;
        return it.return ? it.return(value) : { done: true, value };
      },
    };
  };
  const asyncIterator = (): AsyncIterator<Uint8Array> => {
    const it = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    return {
      next: async () => {
        step();
        const r = await it.next();
        if (r.done) done();
        else check(r.value);
        state.iterating = !r.done;
        return r;
      },
      return: async (value?: unknown) => {
        state.iterating = false;
        return it.return ? it.return(value) : { done: true, value };
      },
    };
  };
  if (Array.isArray(body)) {
    // An array is complete when returned: start_response had its only chance before the return. Servers may
    // index it instead of iterating (the gateway's fast path does), so its chunks are checked now.
    try {
      for (const chunk of body as unknown[]) check(chunk);
      done();
    } catch (error) {
      // The server never gets this body, so its close() is ours to call (S14).
      Promise.resolve((body as Body).close?.call(body)).catch(() => {});
      throw error;
    }
  }
  const isIndex = (prop: string | symbol) => typeof prop === 'string' && /^\d+$/.test(prop);
  return new Proxy(body, {
    get(target, prop) {
      if (prop === 'close') return close;
      if (state.closed && Array.isArray(target) && isIndex(prop)) fail(validationErrors.iteratedAfterClose());
      if (prop === Symbol.iterator && Symbol.iterator in target) return syncIterator;
      if (prop === Symbol.asyncIterator && Symbol.asyncIterator in target) return asyncIterator;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
    has(target, prop) {
      return prop === 'close' || Reflect.has(target, prop);
    },
  });
}

/** wsgi.input as the app sees it: argument checks (app side) and result checks (server side), S5. */
function checkedInput(input: Input, environ: Environ, fail: Fail): Input {
  const declared = environ.CONTENT_LENGTH ? Number(environ.CONTENT_LENGTH) : undefined;
  // Without wsgi.input_terminated, CONTENT_LENGTH (absent: 0) is all an app may ask for.
  const limit = environ['wsgi.input_terminated'] === true ? Number.POSITIVE_INFINITY : (declared ?? 0);
  let returned = 0;
  const before = (method: string, size: unknown): void => {
    if (!isSize(size)) fail(validationErrors.inputArgument(method, size));
    if (size !== 0 && returned >= limit) fail(validationErrors.inputPastEnd(limit));
  };
  const bytes = (method: string, data: unknown, max?: number | null): Uint8Array => {
    if (!(data instanceof Uint8Array))
      fail(validationErrors.inputStream(`.${method}() returned ${show(data)}, not a Uint8Array`));
    if (typeof max === 'number' && max >= 0 && data.length > max) {
      fail(validationErrors.inputStream(`.${method}(${max}) returned ${data.length} bytes`));
    }
    returned += data.length;
    if (declared !== undefined && returned > declared) {
      fail(validationErrors.inputStream(`returned ${returned} bytes, more than CONTENT_LENGTH ${declared}`));
    }
    return data;
  };
  const promised = <T>(method: string, value: Promise<T>): Promise<T> => {
    if (!(value instanceof Promise))
      fail(validationErrors.inputStream(`.${method}() did not return a Promise`));
    return value;
  };
  return {
    async read(size?: number) {
      before('read', size);
      return bytes('read', await promised('read', input.read(size)), size);
    },
    async readline(size?: number) {
      before('readline', size);
      return bytes('readline', await promised('readline', input.readline(size)), size);
    },
    async readlines(hint?: number) {
      before('readlines', hint);
      const lines = await promised('readlines', input.readlines(hint));
      if (!Array.isArray(lines))
        fail(validationErrors.inputStream(`.readlines() returned ${show(lines)}, not an array`));
      for (const line of lines) bytes('readlines', line);
      return lines;
    },
    async *[Symbol.asyncIterator]() {
      before('[Symbol.asyncIterator]', undefined);
      for await (const line of input) yield bytes('[Symbol.asyncIterator]', line);
    },
  };
}

/** wsgi.errors as the app sees it: text only (S6). */
function checkedErrors(errors: Errors, fail: Fail): Errors {
  return {
    write(s: string) {
      if (typeof s !== 'string') fail(validationErrors.errorsNotText('write', s));
      errors.write(s);
    },
    writelines(lines: Iterable<string>) {
      const all = Array.from(lines);
      for (const line of all)
        if (typeof line !== 'string') fail(validationErrors.errorsNotText('writelines', line));
      errors.writelines(all);
    },
    flush() {
      errors.flush();
    },
  };
}
