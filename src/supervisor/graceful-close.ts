// Stopping HTTP servers gracefully: stop accepting, let in-flight requests finish with `Connection: close`,
// close keep-alive connections as they fall idle, and cut whatever remains when the grace period ends.

import type { Server } from 'node:http';
import { endKeepAlive } from '../http/server.js';

const IDLE_SWEEP_MS = 50;

export class GracefulServers {
  readonly #servers: readonly Server[];

  constructor(servers: readonly Server[]) {
    this.#servers = servers;
  }

  /** From now on every response closes its connection (a retiring or stopping worker). */
  endKeepAlive(): void {
    for (const server of this.#servers) endKeepAlive(server);
  }

  /** Stops accepting and resolves true once every connection closed, or false if `graceMs` ran out first. */
  close(graceMs: number): Promise<boolean> {
    this.endKeepAlive();
    const closed = this.#servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          if (!server.listening) {
            resolve();
            return;
          }
          server.close(() => resolve());
        }),
    );
    return new Promise((resolve) => {
      const sweep = setInterval(() => {
        for (const server of this.#servers) server.closeIdleConnections();
      }, IDLE_SWEEP_MS);
      const deadline = setTimeout(() => {
        clearInterval(sweep);
        for (const server of this.#servers) server.closeAllConnections();
        resolve(false);
      }, graceMs);
      void Promise.all(closed).then(() => {
        clearInterval(sweep);
        clearTimeout(deadline);
        resolve(true);
      });
    });
  }
}
