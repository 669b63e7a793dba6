// The smallest tsgi app: `tsgi examples/hello.ts` serves it on http://127.0.0.1:8000
import type { Application } from 'tsgi';

const body = new TextEncoder().encode('Hello, World!\n');

export const application: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain; charset=utf-8']]);
  return [body];
};
