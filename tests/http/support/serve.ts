// Starts createHttpServer on 127.0.0.1, port 0, with a memory logger; close() ends every connection too.

import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Application, Environ } from '../../../src/gateway/index.js';
import { createHttpServer, type HttpServerOptions } from '../../../src/http/server.js';
import { memoryLogger } from '../../../src/log.js';
import { waitFor as waitUntil } from '../../support/async.js';
import { RawConnection } from './raw-connection.js';

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

/** Send `request` on a raw socket to a fresh server and return the environ its app saw. */
export async function environFor(
  request: string,
  options: Partial<HttpServerOptions> = {},
): Promise<Environ> {
  let seen: Environ | undefined;
  const app: Application = (environ, startResponse) => {
    seen = environ;
    startResponse('204 No Content', []);
    return [];
  };
  const served = await serve(app, options);
  const connection = await RawConnection.open(served.port);
  try {
    await connection.send(request);
    assert.equal((await connection.readResponse()).status, 204);
    assert.ok(seen);
    return seen;
  } finally {
    connection.close();
    await served.close();
  }
}

export { sleep } from '../../support/async.js';

/** Polls `check` every 5 ms until it is true; rejects after `ms`. */
export function waitFor(check: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  return waitUntil(check, ms, what, 5);
}
