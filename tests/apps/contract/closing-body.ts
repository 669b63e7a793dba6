// A body with close(), recording what happened to it: how many chunks were pulled and whether it was closed.
import type { Application, Body } from '../../../src/gateway/index.js';

export interface ClosingBodyProbe {
  pulled: number;
  closed: number;
}

export interface ClosingBodyOptions {
  /** Raise when this chunk (0-based) is pulled. */
  throwAt?: number;
  /** Make close() itself raise. */
  closeThrows?: boolean;
}

/** An app answering `chunks` through a sync iterable with close(); `probe` shows what the server did. */
export function closingBodyApp(
  chunks: string[],
  options: ClosingBodyOptions = {},
): { app: Application; probe: ClosingBodyProbe } {
  const probe: ClosingBodyProbe = { pulled: 0, closed: 0 };
  const app: Application = (_environ, startResponse) => {
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    const body: Body = {
      *[Symbol.iterator]() {
        for (const chunk of chunks) {
          if (options.throwAt === probe.pulled) throw new Error(`failed at chunk ${probe.pulled}`);
          probe.pulled++;
          yield new TextEncoder().encode(chunk);
        }
      },
      close() {
        probe.closed++;
        if (options.closeThrows) throw new Error('close failed');
      },
    };
    return body;
  };
  return { app, probe };
}
