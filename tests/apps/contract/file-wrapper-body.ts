// Returns an in-memory file through environ['wsgi.file_wrapper'] (S15); the file records its close().
import type { Application, FileLike } from '../../../src/gateway/index.js';

export function fileWrapperApp(
  content: string,
  blockSize: number,
): { app: Application; file: { closed: boolean } } {
  const state = { closed: false };
  const app: Application = (environ, startResponse) => {
    const data = new TextEncoder().encode(content);
    let position = 0;
    const file: FileLike = {
      read(size = data.length) {
        const chunk = data.subarray(position, position + size);
        position += chunk.length;
        return chunk;
      },
      close() {
        state.closed = true;
      },
    };
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    return environ['wsgi.file_wrapper'](file, blockSize);
  };
  return { app, file: state };
}
