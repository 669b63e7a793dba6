// -D/--daemon (Gunicorn's): detach from the terminal and run in the background. Node cannot fork, so tsgi starts
// itself again, with the same arguments, environment and directory, as the leader of a new session (setsid, through
// spawn's `detached`), with stdin, stdout and stderr on /dev/null unless -R/--enable-stdio-inheritance; the command
// itself then returns 0 at once. The detached copy runs the server and writes --pid; from then on errors go to
// --error-logfile only (with the default, stderr, they are lost, as under Gunicorn).

import { spawn } from 'node:child_process';

/** Set in the detached copy's environment, so that it serves instead of detaching again; removed on start. */
const DETACHED_ENV = 'TSGI_DETACHED';

/** True in the copy that `detach` started (and removes the marker from the environment the app will see). */
export function isDetachedCopy(): boolean {
  const detached = process.env[DETACHED_ENV] === '1';
  delete process.env[DETACHED_ENV];
  return detached;
}

/** Starts the detached copy of this command; returns its pid. */
export function detach(inheritStdio: boolean): number | undefined {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    detached: true,
    stdio: inheritStdio ? 'inherit' : 'ignore',
    env: { ...process.env, [DETACHED_ENV]: '1' },
  });
  child.unref();
  return child.pid;
}
