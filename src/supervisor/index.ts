// The supervisor: the arbiter process and its workers.

import { logNotices, type Notice, openLogStream } from '../log.js';
import { Arbiter } from './arbiter.js';
import type { ReadOptions } from './config-reload.js';
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
  const stream = openLogStream(options.errorLogfile, process.stderr);
  const { statsd, logger } = processLog(options, stream);
  logNotices(logger, notices);
  const code = await new Arbiter(options, logger, statsd, readOptions, stream).run();
  await new Promise<void>((resolve) => stream.end(resolve));
  return code;
}
