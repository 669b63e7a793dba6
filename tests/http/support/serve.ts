// Starts createHttpServer on 127.0.0.1, port 0, with a memory logger; close() ends every connection too.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Application } from '../../../src/gateway/index.js';
import { createHttpServer, type HttpServerOptions } from '../../../src/http/server.js';
import { memoryLogger } from '../../../src/log.js';
import { waitFor as waitUntil } from '../../support/async.js';

export interface Served {
  server: Server;
  port: number;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  logger: ReturnType<typeof memoryLogger>;
  /** How many times the app was called. */
  readonly calls: number;
  close(): Promise<void>;
}

export async function serve(app: Application, options: Partial<HttpServerOptions> = {}): Promise<Served> {
  const logger = memoryLogger();
  let calls = 0;
  const counted: Application = (environ, startResponse) => {
    calls++;
    return app(environ, startResponse);
  };
  const server = createHttpServer(counted, { logger, keepAlive: 5, ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    logger,
    get calls() {
      return calls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export { sleep } from '../../support/async.js';

/** Polls `check` every 5 ms until it is true; rejects after `ms`. */
export function waitFor(check: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  return waitUntil(check, ms, what, 5);
}
