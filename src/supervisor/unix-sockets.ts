// Unix socket files: a stale one (left by a crash) is removed before binding, as Gunicorn does; ours are removed
// on exit.

import { lstatSync, unlinkSync } from 'node:fs';

export class SocketPathError extends Error {
  readonly code = 'TSGI_BIND_NOT_A_SOCKET';
}

export function removeStaleSocket(path: string): void {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch {
    return; // nothing there
  }
  if (!stat.isSocket()) {
    throw new SocketPathError(
      `cannot bind unix:${path}: a file that is not a socket is there; remove it or choose another path`,
    );
  }
  unlinkSync(path);
}

export function removeSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // already gone
  }
}
