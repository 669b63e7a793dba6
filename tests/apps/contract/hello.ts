// The smallest correct app: one status, one header, a one-chunk body.
import type { Application } from '../../../src/gateway/index.js';

export const application: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain; charset=utf-8']]);
  return [new TextEncoder().encode('Hello, world!\n')];
};
