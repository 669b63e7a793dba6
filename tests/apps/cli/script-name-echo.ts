// Answers "SCRIPT_NAME PATH_INFO" from the environ.
import type { Application } from '../../../src/gateway/index.js';

export const application: Application = (environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [new TextEncoder().encode(`${environ.SCRIPT_NAME} ${environ.PATH_INFO}`)];
};
