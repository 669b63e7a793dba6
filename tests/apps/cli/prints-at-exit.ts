// Prints a line as its worker process exits (for --capture-output: the last words must reach the error log).
import type { Application } from '../../../src/gateway/index.js';

process.on('exit', () => {
  console.error(`last words of worker ${process.pid}`);
});

export const application: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [new TextEncoder().encode('ok')];
};
