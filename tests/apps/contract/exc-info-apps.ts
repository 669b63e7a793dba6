// Apps that change their mind with start_response(status, headers, excInfo) from an error handler (S10).
import type { Application } from '../../../src/gateway/index.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** Fails while building its buffered body and replaces 200 by its own 500 page: nothing was sent yet. */
export const replacesStatusBeforeHeaders: Application = (_environ, startResponse) => {
  startResponse('200 OK', [
    ['Content-Type', 'text/html'],
    ['X-Original', 'yes'],
  ]);
  try {
    throw new Error('rendering failed');
  } catch (error) {
    startResponse('500 Oops', [['Content-Type', 'text/plain']], error);
    return [enc('custom error page')];
  }
};

/** Fails after its first chunk went out; start_response with excInfo re-raises, and the app lets it. */
export const excInfoAfterHeaders: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return (function* () {
    yield enc('first chunk');
    try {
      throw new Error('failed mid-body');
    } catch (error) {
      startResponse('500 Oops', [['Content-Type', 'text/plain']], error);
      yield enc('never sent');
    }
  })();
};
