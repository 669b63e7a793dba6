// --check-config (Gunicorn's): what a start would check, without binding a socket or serving a request.

import { createLogger, errorMessage, logNotices, type Notice } from '../log.js';
import { EXIT_OK, EXIT_STARTUP_ERROR } from './exit-codes.js';
import { openMainErrorLog } from './index.js';
import { IDLE_CLOSE_MS, loadTarget } from './load-target.js';
import type { SupervisorOptions } from './options.js';
import { setUpProcess } from './process-setup.js';

/** 0 when tsgi would start with these settings and the app loads; 1 (after logging why) when it would not. */
export async function checkConfig(
  options: SupervisorOptions,
  notices: readonly Notice[] = [],
): Promise<number> {
  const stream = openMainErrorLog(options);
  if (stream === null) return EXIT_STARTUP_ERROR;
  const logger = createLogger(stream, options.logLevel);
  logNotices(logger, notices);
  try {
    const checked = setUpProcess(options);
    // One Python worker is enough to know that the app imports.
    const loaded = await loadTarget({ ...checked, workers: 1, maxRequests: 0 }, logger);
    await loaded.close(IDLE_CLOSE_MS);
  } catch (error) {
    logger.error(`--check-config: ${options.app} would not start: ${errorMessage(error)}`);
    return 1;
  }
  logger.info(`--check-config: the settings are valid and ${options.app} loads`);
  return EXIT_OK;
}
