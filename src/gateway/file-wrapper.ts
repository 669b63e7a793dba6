// environ['wsgi.file_wrapper'] (S15): wraps a file-like object as a body. A server that can send the file by
// path (sendfile-style streaming) does; any other server simply iterates it.

import { fileBodyMark } from './response.js';
import type { Body, FileLike, FileWrapper } from './types.js';

export const fileWrapper: FileWrapper = (file: FileLike, blockSize = 64 * 1024) => {
  const body = {
    file,
    [fileBodyMark]: true as const,
    async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      for (;;) {
        const chunk = await file.read(blockSize);
        if (chunk.length === 0) return;
        yield chunk;
      }
    },
    // S15: close() of the wrapper closes the file.
    async close(): Promise<void> {
      await file.close?.();
    },
  };
  return body as Body & { readonly file: FileLike };
};
