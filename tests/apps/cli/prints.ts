// Prints one line to stdout and one to stderr for every request, naming the path (for --capture-output).
import type { Application } from '../../../src/gateway/index.js';

export const application: Application = (environ, startResponse) => {
  console.log(`printed to stdout for ${environ.PATH_INFO}`);
  console.error(`printed to stderr for ${environ.PATH_INFO}`);
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [new TextEncoder().encode('ok')];
};
