// Prints a line as its worker process exits (for --capture-output: the last words must reach the error log).
import type { Application } from '../../../src/gateway/index.js';

// A megabyte first: more than a pipe holds, so the last line is still in the pipe when the process has exited.
process.on('exit', () => {
  process.stderr.write(`${'.'.repeat(1024 * 1024)}\nlast words of worker ${process.pid}\n`);
});

export const application: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [new TextEncoder().encode('ok')];
};
