// `/?ms=N` answers "done after N ms" after waiting N milliseconds (asynchronously: the event loop stays free).
import type { Application } from '../../../src/gateway/index.js';

export const application: Application = async (environ, startResponse) => {
  const ms = Number(/(?:^|&)ms=(\d+)/.exec(environ.QUERY_STRING)?.[1] ?? 0);
  await new Promise((resolve) => setTimeout(resolve, ms));
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [new TextEncoder().encode(`done after ${ms} ms`)];
};
