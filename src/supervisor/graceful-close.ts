// Stopping HTTP servers gracefully: stop accepting, let in-flight requests finish with `Connection: close`,
// close the connections that have no request once a request already on its way had time to arrive, and cut
// whatever remains when the grace period ends.

import type { Server } from 'node:http';
import { closeConnectionsWithoutRequest, stopAccepting } from '../http/connections.js';
import { endKeepAlive } from '../http/server.js';

const IDLE_SWEEP_MS = 50;
/**
 * How long a connection without a request is kept after keep-alive ended: a client that sent its next request
 * just before (a busy keep-alive connection, a proxy's pooled one) gets it answered, with `Connection: close`,
 * instead of a reset. Connections idle longer than the keep-alive timeout were closed by node:http already.
 */
export const IDLE_GRACE_MS = 1000;

export class GracefulServers {
  readonly #servers: readonly Server[];

  constructor(servers: readonly Server[]) {
    this.#servers = servers;
  }

  /** From now on every response closes its connection (a retiring or stopping worker). */
  endKeepAlive(): void {
    for (const server of this.#servers) endKeepAlive(server);
  }

  /**
   * Stops accepting and resolves true once every connection closed, or false if `graceMs` ran out first: then
   * `beforeCut` runs (it may answer what it can) and the remaining connections are closed.
   */
  close(graceMs: number, beforeCut?: () => Promise<void>): Promise<boolean> {
    this.endKeepAlive();
    const closed = this.#servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          if (!server.listening) {
            resolve();
            return;
          }
          stopAccepting(server, resolve);
        }),
    );
    return new Promise((resolve) => {
      let sweep: NodeJS.Timeout | undefined;
      const closeIdle = () => {
        for (const server of this.#servers) {
          closeConnectionsWithoutRequest(server);
          // node:http's own idle ones too, and (through the PROXY protocol's wrapper) connections still waiting
          // for their PROXY header, which node:http has not seen yet.
          server.closeIdleConnections();
        }
      };
      const grace = setTimeout(
        () => {
          sweep = setInterval(closeIdle, IDLE_SWEEP_MS);
          closeIdle();
        },
        Math.min(IDLE_GRACE_MS, graceMs),
      );
      const deadline = setTimeout(async () => {
        clearTimeout(grace);
        clearInterval(sweep);
        // Whatever beforeCut does, the connections are closed (a timer callback has nobody to reject to).
        await beforeCut?.().catch(() => {});
        // One turn of the loop: the answers that beforeCut gave are written before their connections close.
        setImmediate(() => {
          for (const server of this.#servers) server.closeAllConnections();
          resolve(false);
        });
      }, graceMs);
      void Promise.all(closed).then(() => {
        clearTimeout(grace);
        clearInterval(sweep);
        clearTimeout(deadline);
        resolve(true);
      });
    });
  }
}
