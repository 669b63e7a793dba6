// `/throw` and `/reject` answer at once and, a moment later, throw from a timer or reject a promise nobody awaits:
// errors of the app's outside any request. `/?ms=N` answers "done after N ms" after waiting N milliseconds.
import type { Application } from '../../../src/gateway/index.js';

export const application: Application = async (environ, startResponse) => {
  const path = environ.PATH_INFO;
  if (path === '/throw')
    setTimeout(() => {
      throw new Error('stray throw from a timer');
    }, 20);
  if (path === '/reject') setTimeout(() => void Promise.reject(new Error('stray rejection')), 20);
  const ms = Number(/(?:^|&)ms=(\d+)/.exec(environ.QUERY_STRING)?.[1] ?? 0);
  await new Promise((resolve) => setTimeout(resolve, ms));
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [new TextEncoder().encode(`${process.pid} done after ${ms} ms`)];
};
