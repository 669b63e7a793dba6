// 200 "hello" with a known length: the smallest well-behaved app.
import type { Application } from '../../../src/gateway/index.js';

const body = new TextEncoder().encode('hello');

export const hello: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [body];
};
