// Reads wsgi.input to its end and sends it back.
import type { Application } from '../../../src/gateway/index.js';

export const echoBody: Application = async (environ, startResponse) => {
  const body = await environ['wsgi.input'].read();
  startResponse('200 OK', [['Content-Type', 'application/octet-stream']]);
  return [body];
};
