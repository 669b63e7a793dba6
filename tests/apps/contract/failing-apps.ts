// Apps that raise at each point of a response.
import type { Application } from '../../../src/gateway/index.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** Raises before calling start_response. */
export const throwsImmediately: Application = () => {
  throw new Error('boom before anything');
};

/** An async app whose promise rejects after start_response. */
export const rejectsAfterStartResponse: Application = async (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  throw new Error('boom in async app');
};

/** Yields only empty chunks, then raises: nothing was sent, so the client still gets a clean 500. */
export const emptyChunksThenThrows: Application = (_environ, startResponse) => {
  startResponse('200 OK', [
    ['Content-Type', 'text/plain'],
    ['X-Not-Sent', 'yes'],
  ]);
  return (function* () {
    yield new Uint8Array(0);
    yield new Uint8Array(0);
    throw new Error('boom after empty chunks');
  })();
};

/** Yields one chunk, then raises: the head went out, so the response can only be aborted. */
export const throwsAfterFirstChunk: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return (function* () {
    yield enc('partial');
    throw new Error('boom after headers');
  })();
};
