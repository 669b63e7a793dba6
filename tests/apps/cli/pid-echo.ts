// Answers with the pid of the worker process that served the request. `?spin=MS` first busy-waits MS
// milliseconds (holding the event loop, so other workers must take the next connections).
import type { Application } from '../../../src/gateway/index.js';

export const application: Application = (environ, startResponse) => {
  const spin = Number(/(?:^|&)spin=(\d+)/.exec(environ.QUERY_STRING)?.[1] ?? 0);
  const until = Date.now() + spin;
  while (Date.now() < until) {
    // busy: the event loop is held on purpose
  }
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [new TextEncoder().encode(String(process.pid))];
};
