// What every start does to the main process before anything is bound, shared by a real start (the arbiter) and
// --check-config.

import { resolve } from 'node:path';
import { errorMessage, openLogStream } from '../log.js';
import { resolveCredentials } from './credentials.js';
import type { SupervisorOptions } from './options.js';
import { syslogTarget } from './syslog.js';
import { readTlsFiles } from './tls-files.js';

/**
 * The interpreter path taken where tsgi was started, then --chdir, -e and --umask applied to this process (its
 * workers inherit them), then the checks that need them: the TLS files, the syslog address and --user/--group.
 * Returns the options with the interpreter path and the numeric ids filled in; throws an Error that names the
 * setting that is wrong.
 */
export function setUpProcess(options: SupervisorOptions): SupervisorOptions {
  const { chdir, env, python } = options;
  // An interpreter path is a command typed where tsgi started, not inside --chdir.
  const interpreter = python?.includes('/') ? resolve(python) : python;
  if (chdir) {
    try {
      process.chdir(chdir);
    } catch (error) {
      throw new Error(`--chdir ${chdir}: ${errorMessage(error)}`);
    }
  }
  applyEnvironment(env);
  // Before any socket or file is created.
  if (options.umask !== null) process.umask(options.umask);
  // A missing or mismatched certificate stops tsgi here, once, instead of in every worker.
  readTlsFiles(options);
  syslogTarget(options);
  checkAccessLog(options.accessLogfile);
  const { uid, gid } = resolveCredentials(options.user, options.group, options.initgroups);
  return { ...options, python: interpreter, uid, gid };
}

/** --access-logfile can be opened (each worker opens its own): checked once here, not by a crashing worker. */
function checkAccessLog(accessLogfile: string | null): void {
  if (accessLogfile === null) return;
  try {
    openLogStream(accessLogfile, process.stdout).end(() => {});
  } catch (error) {
    throw new Error(`--access-logfile: ${errorMessage(error)}`);
  }
}

/** -e KEY=VALUE: set in this process's environment, which its workers (and a Python app's processes) inherit. */
export function applyEnvironment(env: ReadonlyArray<readonly [string, string]>): void {
  for (const [key, value] of env) process.env[key] = value;
}
