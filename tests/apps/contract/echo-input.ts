// Reads wsgi.input the way a test asks and answers with the parts it got, as JSON byte strings.
import type { Application, Input } from '../../../src/gateway/index.js';
import { bytesToByteString } from '../../../src/gateway/index.js';

export function inputEcho(read: (input: Input) => Promise<Uint8Array[]>): Application {
  return async (environ, startResponse) => {
    const parts = await read(environ['wsgi.input']);
    startResponse('200 OK', [['Content-Type', 'application/json']]);
    return [new TextEncoder().encode(JSON.stringify(parts.map(bytesToByteString)))];
  };
}

/** Reads the whole body with read() and echoes it back as is. */
export const echoBody: Application = async (environ, startResponse) => {
  const body = await environ['wsgi.input'].read();
  startResponse('200 OK', [['Content-Type', 'application/octet-stream']]);
  return [body];
};
