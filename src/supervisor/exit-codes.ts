// Named exit codes. A worker that cannot boot exits with one of these, and the arbiter halts with it instead of
// respawning in a loop (Gunicorn's WORKER_BOOT_ERROR and APP_LOAD_ERROR have the same values).

export const EXIT_OK = 0;
/** The server could not start: a bad --chdir, a bind path that is not a socket. */
export const EXIT_STARTUP_ERROR = 1;
/** A worker could not start serving: the address is in use, permission denied on a port. */
export const WORKER_BOOT_ERROR = 3;
/** The app could not be loaded: missing file, import error, no such export, Python import failure. */
export const APP_LOAD_ERROR = 4;

export function bootFailureReason(code: number): string | null {
  if (code === WORKER_BOOT_ERROR) return 'Worker failed to boot.';
  if (code === APP_LOAD_ERROR) return 'App failed to load.';
  return null;
}
