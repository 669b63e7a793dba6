// validator(app): checks BOTH sides of the contract around one app, like Python's wsgiref.validate. The server
// side (environ, wsgi.input, wsgi.errors, close()) and the application side (start_response, headers, body, write,
// input reads) each throw a ValidationError naming the PEP 3333 rule they break (numbered in docs/pep3333.md).
// Every violation is also recorded on the validated app, so a test can assert on ones no caller could catch
// (close() never called is found only after the request, by assertValid() or when the body is garbage-collected).

import type { Application, Body, Environ, Errors, Input, StartResponse, Write } from '../gateway/index.js';
import { checkEnviron, checkHeaders, checkStatus } from './checks.js';
import { show, ValidationError, validationErrors } from './validation-errors.js';

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
