// Streams 1 KiB chunks forever (until the client goes away), counting chunks and recording close().
import type { Application } from '../../../src/gateway/index.js';

export interface EndlessStream {
  app: Application;
  readonly chunks: number;
  readonly closed: boolean;
}

export function endlessStream(chunkSize = 1024): EndlessStream {
  let chunks = 0;
  let closed = false;
  const chunk = new Uint8Array(chunkSize).fill(0x61);
  const app: Application = (_environ, startResponse) => {
    startResponse('200 OK', [['Content-Type', 'application/octet-stream']]);
    return {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          chunks++;
          yield chunk;
        }
      },
      close() {
        closed = true;
      },
    };
  };
  return {
    app,
    get chunks() {
      return chunks;
    },
    get closed() {
      return closed;
    },
  };
}
