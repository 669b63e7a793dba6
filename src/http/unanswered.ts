// Requests a Node app has not begun to answer after --timeout seconds: each is logged once, naming it, so that an
// await that never settles shows up in the log instead of only as a client that waits. Nothing is cut: the
// worker's event loop is fine (its heartbeat says so), and a Node app may legitimately hold a request (a long
// poll), as under Gunicorn's async workers, which do not time requests out either. A response whose head went out
// (a stream, a long download to a slow client) is under way and not reported. Python apps are not watched here:
// their pool answers 504 past --timeout (src/runtimes/python/pool.ts).

import type { Server } from 'node:http';
import type { Logger } from '../log.js';
import { type ClientSocket, connectionsOf } from './connections.js';

/** When the connection's latest request began, in the watch's seconds. */
const startedKey = Symbol('tsgi.requestStarted');
/** The start of the request already reported on this connection. */
const reportedKey = Symbol('tsgi.requestReported');
type Watched = ClientSocket & { [startedKey]?: number; [reportedKey]?: number };

export class UnansweredRequests {
  /** Seconds since the watch began: a clock one interval ticks, so stamping a request costs no clock read. */
  #now = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(server: Server, seconds: number, logger: Logger) {
    this.#timer = setInterval(() => {
      this.#now++;
      this.#sweep(server, seconds, logger);
    }, 1000).unref();
    server.once('close', () => clearInterval(this.#timer));
  }

  /** A request begins on `socket` (the handler calls this for each). */
  began(socket: ClientSocket): void {
    (socket as Watched)[startedKey] = this.#now;
  }

  #sweep(server: Server, seconds: number, logger: Logger): void {
    for (const socket of connectionsOf(server) as Iterable<Watched>) {
      const res = socket._httpMessage;
      const started = socket[startedKey];
      if (!res || res.headersSent || started === undefined || socket[reportedKey] === started) continue;
      const waited = this.#now - started;
      if (waited < seconds) continue;
      socket[reportedKey] = started;
      const { method, url } = res.req;
      logger.warning(
        `${method} ${url} from ${socket.remoteAddress ?? 'a UNIX socket'} has had no response for ${waited} s ` +
          `(--timeout ${seconds}): nothing of it has gone out yet; an await in the app that never settles? ` +
          'Logged once, the request is not cut; raise --timeout if requests wait this long by design (a long poll)',
      );
    }
  }
}
