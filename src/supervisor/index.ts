// The supervisor: the arbiter process and its workers.

import { resolve } from 'node:path';
import { errorMessage, type LogStream, logNotices, type Notice, openLogStream } from '../log.js';
import { Arbiter } from './arbiter.js';
import type { ReadOptions } from './config-reload.js';
import { EXIT_STARTUP_ERROR } from './exit-codes.js';
import type { SupervisorOptions } from './options.js';
import { processLog } from './process-log.js';

export { type Bind, formatBind, parseBind } from './binds.js';
export type { ReadOptions } from './config-reload.js';
export { APP_LOAD_ERROR, EXIT_OK, EXIT_STARTUP_ERROR, WORKER_BOOT_ERROR } from './exit-codes.js';
export type { SupervisorOptions } from './options.js';
export { type TargetKind, targetKind } from './target.js';

/**
 * Runs the server until it is stopped; resolves with the process exit code. `notices` (a config file's
 * warnings) are logged first.
 */
export async function runSupervisor(
  options: SupervisorOptions,
  notices: readonly Notice[] = [],
  readOptions: ReadOptions | null = null,
): Promise<number> {
  const stream = openMainErrorLog(options);
  if (stream === null) return EXIT_STARTUP_ERROR;
  const { statsd, logger } = processLog(options, stream);
  logNotices(logger, notices);
  const code = await new Arbiter(options, logger, statsd, readOptions, stream).run();
  await new Promise<void>((resolve) => stream.end(resolve));
  return code;
}

/**
 * The main process's error log; null after printing why it cannot be opened (tsgi then exits EXIT_STARTUP_ERROR). A
 * relative path is taken from --chdir, as the workers take it (they start in that directory) and as Gunicorn does.
 */
export function openMainErrorLog(options: SupervisorOptions): LogStream | null {
  const { errorLogfile, chdir } = options;
  try {
    return openLogStream(
      errorLogfile === '-' || !chdir ? errorLogfile : resolve(chdir, errorLogfile),
      process.stderr,
    );
  } catch (error) {
    process.stderr.write(`tsgi: error: --error-logfile: ${errorMessage(error)}\n`);
    return null;
  }
}
