// A server's client connections, for a graceful stop: which ones have no request in progress (idle between
// keep-alive requests, or still sending a request's head), so that they can be closed without losing one.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { SocketSet } from './socket-set.js';

/** node:http's own fields of a server connection that this module reads. */
export type ClientSocket = Socket & {
  /** The response being written (node:http writes a connection's responses one at a time). */
  _httpMessage?: ServerResponse | null;
  /** `incoming`: the request whose head or body the parser read last (null before the first). */
  parser?: { incoming?: IncomingMessage | null } | null;
};

const tracked = new WeakMap<Server, SocketSet<ClientSocket>>();

/**
 * Keeps the set of `server`'s open connections. Over TLS, the connection as HTTP sees it (after the handshake:
 * one still shaking hands has no request to lose, and the grace period's end cuts it).
 */
export function trackConnections(server: Server, secure: boolean): void {
  const sockets = new SocketSet<ClientSocket>();
  tracked.set(server, sockets);
  server.on(secure ? 'secureConnection' : 'connection', (socket: ClientSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
}

/** The open connections of a server whose connections are tracked (none otherwise). */
export function connectionsOf(server: Server): Iterable<ClientSocket> {
  return tracked.get(server) ?? [];
}

/** No response being written and no request being received: between keep-alive requests, or still in a head. */
function hasNoRequest(socket: ClientSocket): boolean {
  if (socket._httpMessage) return false;
  const incoming = socket.parser?.incoming;
  return incoming == null || incoming.complete;
}

/**
 * Closes the connections that have no request in progress. A request on its way from the client, unseen yet, is
 * lost with its connection (the race every keep-alive close has): callers wait a moment after they stopped
 * keep-alive first, so that those arrive and are answered (with `Connection: close`) instead.
 */
export function closeConnectionsWithoutRequest(server: Server): void {
  for (const socket of connectionsOf(server)) if (hasNoRequest(socket)) socket.destroy();
}

/**
 * Stops accepting; `done` runs once every connection has closed. node:http's own close() also closes the idle
 * connections at once, which would reset those whose next request is already on its way.
 */
export function stopAccepting(server: Server, done: () => void): void {
  NetServer.prototype.close.call(server, () => done());
}
