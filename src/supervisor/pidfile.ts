// --pid FILE: the arbiter's pid for service managers and scripts, as Gunicorn writes it. A file naming a process
// that is still alive means another server owns it: refuse to start rather than take it over. One naming a dead
// process (left by a crash or kill -9) is stale and replaced.

import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';

export class PidFileError extends Error {
  readonly code = 'TSGI_PID_FILE_IN_USE';
}

/** The pid a pid file holds, or null when there is no file or no number in it. */
function readPid(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which still means the file is not stale.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes `pid` to `path`, whole or not at all: a new temporary file (an unguessable name, created exclusively, so
 * never through a link someone planted), mode 0644 as Gunicorn's, renamed over the path.
 */
export function writePidFile(path: string, pid = process.pid): void {
  const previous = readPid(path);
  if (previous !== null && previous !== pid && isRunning(previous)) {
    throw new PidFileError(
      `--pid ${path}: process ${previous} is running and owns it; stop that server or choose another file`,
    );
  }
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, `${pid}\n`, { flag: 'wx', mode: 0o644 });
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {}
    throw new Error(`--pid ${path}: ${(error as Error).message}`);
  }
}

/** Removes the pid file if it still names `pid` (a later server may have taken the path over). */
export function removePidFile(path: string, pid = process.pid): void {
  if (readPid(path) !== pid) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
