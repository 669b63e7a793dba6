// Stopping HTTP servers gracefully: stop accepting, let in-flight requests finish with `Connection: close`,
// close keep-alive connections as they fall idle, and cut whatever remains when the grace period ends.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';

const IDLE_SWEEP_MS = 50;

export class GracefulServers {
  readonly #servers: readonly Server[];
  readonly #inflight = new Set<ServerResponse>();
  #noKeepAlive = false;

  constructor(servers: readonly Server[]) {
    this.#servers = servers;
    // Prepended, so this runs before the app's handler writes anything.
    const track = (_req: IncomingMessage, res: ServerResponse) => {
      if (this.#noKeepAlive) res.shouldKeepAlive = false;
      this.#inflight.add(res);
      res.once('close', () => this.#inflight.delete(res));
    };
    for (const server of servers) {
      server.prependListener('request', track);
      server.prependListener('checkContinue', track);
    }
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  /** From now on every response closes its connection (a retiring or stopping worker). */
  endKeepAlive(): void {
    this.#noKeepAlive = true;
    for (const res of this.#inflight) if (!res.headersSent) res.shouldKeepAlive = false;
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
