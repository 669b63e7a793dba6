// systemd socket activation (sd_listen_fds(3)), as Gunicorn supports it: started by a .socket unit, tsgi gets its
// listening sockets as fds 3, 4, … with LISTEN_FDS=n and LISTEN_PID=its pid, and serves on those instead of --bind.
// The variables are then removed, so that the workers (and the app) do not take them for their own.

import { fstatSync } from 'node:fs';
import { errorMessage } from '../log.js';
import { MAX_FD } from './binds.js';

/** sd_listen_fds(3): the first passed fd. */
export const SD_LISTEN_FDS_START = 3;

/** The binds for the sockets systemd passed to this process (`fd://3`…), or null when it passed none. */
export function systemdBinds(env: NodeJS.ProcessEnv = process.env): string[] | null {
  const count = Number(env.LISTEN_FDS);
  const forUs = env.LISTEN_PID === String(process.pid);
  delete env.LISTEN_FDS;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDNAMES;
  if (!forUs || !Number.isInteger(count) || count < 1) return null;
  if (count > MAX_FD - SD_LISTEN_FDS_START + 1)
    throw new Error(`LISTEN_FDS=${count} is more sockets than there are fds`);
  return Array.from({ length: count }, (_, i) => `fd://${SD_LISTEN_FDS_START + i}`);
}

/**
 * An fd:// bind must name a socket this process was started with (by systemd, or a supervisor that bound it): an
 * open fd that is a socket. Anything else (a typo naming one of Node's own descriptors) would fail in every worker,
 * or worse; throws an Error naming the bind.
 */
export function checkInheritedSocket(fd: number): void {
  let socket: boolean;
  try {
    socket = fstatSync(fd).isSocket();
  } catch (error) {
    throw new Error(
      `--bind fd://${fd}: no such descriptor in this process (${errorMessage(error)}); tsgi must be started with it open`,
    );
  }
  if (!socket)
    throw new Error(
      `--bind fd://${fd}: descriptor ${fd} is not a socket; tsgi must be started with a listening socket there`,
    );
}
