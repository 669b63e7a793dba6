// Apps that break the contract, one rule each: the state machine must answer them safely, and the validator
// must name the rule.
import type { Application, Body } from '../../../src/gateway/index.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** Yields a string instead of bytes (S13). */
export const yieldsString: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return ['not bytes'] as unknown as Body;
};

/** Returns a string as the whole body (S13). */
export const returnsString: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return 'not a body' as unknown as Body;
};

/** Returns bytes without wrapping them in an iterable of chunks (S13). */
export const returnsBareBytes: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return enc('bare') as unknown as Body;
};

/** Calls start_response twice without excInfo (S10). */
export const startsTwice: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  startResponse('404 Not Found', [['Content-Type', 'text/plain']]);
  return [enc('which?')];
};

/** Returns an empty body without ever calling start_response (S8). */
export const neverStarts: Application = () => [];

/** Yields a body chunk before calling start_response (S8). */
export const yieldsBeforeStarting: Application = (_environ, startResponse) =>
  (function* () {
    yield enc('too early');
    startResponse('200 OK', []);
  })();

/** Passes a status without a reason phrase (S9). */
export function withStatus(status: unknown): Application {
  return (_environ, startResponse) => {
    startResponse(status as string, [['Content-Type', 'text/plain']]);
    return [enc('status test')];
  };
}

/** Passes the given headers (S9, S17). */
export function withHeaders(headers: unknown): Application {
  return (_environ, startResponse) => {
    startResponse('200 OK', headers as Array<[string, string]>);
    return [enc('headers test')];
  };
}

/** Calls write() with a string (S12, S13). */
export const writesString: Application = (_environ, startResponse) => {
  const write = startResponse('200 OK', []);
  write('text' as unknown as Uint8Array);
  return [];
};

/** Calls write() from inside its body iterable (S12). */
export const writesFromBody: Application = (_environ, startResponse) => {
  const write = startResponse('200 OK', []);
  return (function* () {
    write(enc('from inside'));
    yield enc('yielded');
  })();
};

/** Keeps write() and calls it after the server closed the body (S12). */
export function writesAfterClose(): { app: Application; later: () => unknown } {
  let write: ((chunk: Uint8Array) => unknown) | undefined;
  const app: Application = (_environ, startResponse) => {
    write = startResponse('200 OK', []);
    return [enc('done')];
  };
  return { app, later: () => write?.(enc('too late')) };
}

/** Reads wsgi.input with a size that is not an integer (S5). */
export const readsFractionalSize: Application = async (environ, startResponse) => {
  await environ['wsgi.input'].read(2.5);
  startResponse('200 OK', []);
  return [];
};

/** Reads wsgi.input until it returns empty bytes, past CONTENT_LENGTH (S5). */
export const readsUntilEmpty: Application = async (environ, startResponse) => {
  const input = environ['wsgi.input'];
  while ((await input.read(4)).length > 0) {}
  startResponse('200 OK', []);
  return [];
};

/** Writes bytes, not text, to wsgi.errors (S6). */
export const writesBytesToErrors: Application = (environ, startResponse) => {
  environ['wsgi.errors'].write(enc('bytes') as unknown as string);
  startResponse('200 OK', []);
  return [];
};
