// The error log of a tsgi process (the arbiter, a worker): lines to --error-logfile, and with --log-syslog to
// syslog too, and with --statsd-host the warning/error counts to statsd. One place builds it for every process.

import { createLogger, errorMessage, type Logger, type TextSink } from '../log.js';
import type { SupervisorOptions } from './options.js';
import { RETRY_MS } from './sender.js';
import { instrument, type Statsd } from './statsd.js';
import { loggingToSyslog, Syslog, syslogTarget } from './syslog.js';

export interface ProcessLog {
  logger: Logger;
  statsd: Statsd | null;
  /** For the access log (accessToSyslog); null without --log-syslog or with --disable-redirect-access-to-syslog. */
  accessSyslog: Syslog | null;
}

export function processLog(options: SupervisorOptions, stream: TextSink): ProcessLog {
  const base = createLogger(stream, options.logLevel);
  let logger = base;
  let syslog: Syslog | null = null;
  let target: ReturnType<typeof syslogTarget> = null;
  try {
    target = syslogTarget(options);
  } catch {
    // Unusable settings: the arbiter's start-up check (process-setup.ts) says why and stops.
  }
  if (target) {
    syslog = new Syslog(target, (error) =>
      base.warning(
        `--log-syslog-to ${options.logSyslogTo}: ${errorMessage(error)}; messages to syslog are lost until it answers again (tried every ${RETRY_MS / 1000} s)`,
      ),
    );
    logger = loggingToSyslog(base, syslog);
  }
  const { statsd, logger: counted } = instrument(options, logger);
  return { logger: counted, statsd, accessSyslog: options.disableRedirectAccessToSyslog ? null : syslog };
}
