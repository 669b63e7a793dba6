// `/block` holds the event loop forever (a hung worker); any other path answers with the worker's pid.
import type { Application } from '../../../src/gateway/index.js';

export const application: Application = (environ, startResponse) => {
  if (environ.PATH_INFO === '/block') {
    for (;;) {
      // never yields: heartbeats stop, and the arbiter's --timeout must kill this worker
    }
  }
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [new TextEncoder().encode(String(process.pid))];
};
