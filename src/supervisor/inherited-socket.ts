// A worker serving on a listening socket tsgi was started with (`--bind fd://N`, systemd's socket activation): the
// worker inherited it at fd N (the arbiter's setupPrimary) and listens on it through a handle of its own.
//
// Never through node:cluster: given an fd, the cluster module has the arbiter wrap that very fd in a handle and
// close it, for good, when its last worker exits, so no replacement could listen again. node:net listens on a TCP
// handle in the worker itself (`listen(handle)`), but sends a unix socket's handle to the arbiter all the same; so
// both kinds are listened on here as node:net listens on a handle of its own (`_listen2`, which `listen(handle)`
// calls for TCP), and the arbiter's copy of the fd stays open for the next worker.

import { readFileSync, readlinkSync } from 'node:fs';
import * as net from 'node:net';

interface NetInternals {
  /** node:net's own: a server handle (TCP or pipe) opened on `fd`, or a negative errno. */
  _createServerHandle(address: null, port: null, addressType: null, fd: number): object | number;
}

interface ServerInternals {
  _handle: object | null;
  _listen2(address: null, port: null, addressType: null, backlog: number | undefined): void;
}

/** Listens on the inherited listening socket at `fd`; 'listening' or 'error' follows on `server`, as for listen(). */
export function listenOnInheritedSocket(server: net.Server, fd: number): void {
  const handle = (net as unknown as NetInternals)._createServerHandle(null, null, null, fd);
  if (typeof handle === 'number') {
    const error = new Error(`fd://${fd}: cannot open the socket (errno ${-handle})`);
    process.nextTick(() => server.emit('error', error));
    return;
  }
  const internals = server as unknown as ServerInternals;
  internals._handle = handle;
  // Already bound and listening (by systemd, or whoever started tsgi): listen(2) again only keeps it so.
  internals._listen2(null, null, null, undefined);
}

/**
 * How the log names an inherited socket: `unix:PATH` for a named unix socket (Linux's /proc/net/unix, matched by the
 * socket's inode), else undefined (a TCP socket names itself through server.address()).
 */
export function unixSocketPath(fd: number): string | undefined {
  try {
    const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
    if (inode === undefined) return undefined;
    // Num RefCount Protocol Flags Type St Inode Path
    for (const line of readFileSync('/proc/net/unix', 'latin1').split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (fields[6] === inode && fields[7]) return fields.slice(7).join(' ');
    }
  } catch {
    // No /proc: the log says fd://N instead.
  }
  return undefined;
}
