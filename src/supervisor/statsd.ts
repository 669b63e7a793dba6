// Gunicorn's statsd instrumentation (--statsd-host, --statsd-prefix, --dogstatsd-tags): the same metric names and
// line format, so dashboards built for Gunicorn keep working. Fire-and-forget UDP; a lost datagram is a lost sample.

import type { RequestMetrics } from '../http/server.js';
import { errorMessage, type Logger, tapLogger } from '../log.js';
import { parseHostPort } from './host-port.js';
import type { SupervisorOptions } from './options.js';
import { RETRY_MS } from './sender.js';
import { udpSender } from './udp-sender.js';

/** A statsd client: counters, timers (ms) and gauges. */
export interface Statsd {
  increment(name: string, value?: number): void;
  timer(name: string, ms: number): void;
  gauge(name: string, value: number): void;
}

/** `HOST:PORT` or `[IPv6]:PORT`; the port defaults to 8125, statsd's. Throws on anything else. */
export function parseStatsdHost(text: string): { host: string; port: number } {
  try {
    const address = parseHostPort(text.trim(), 8125);
    if (address.host) return address;
  } catch {
    // said below, as for an empty host
  }
  throw new Error(`not HOST:PORT: ${text}`);
}

/** Gunicorn's rule: a non-empty prefix ends with exactly one dot. */
export function normalizePrefix(prefix: string): string {
  const bare = prefix.replace(/\.+$/, '');
  return bare === '' ? '' : `${bare}.`;
}

/** `onLookupError` hears once that the host name did not resolve (it is looked up again later, udp-sender.ts). */
export function createStatsd(
  target: string,
  prefix = '',
  tags = '',
  onLookupError: (error: Error) => void = () => {},
): Statsd {
  const { host, port } = parseStatsdHost(target);
  // No statsd listening (a refused datagram) is not an error of the server's; a name that does not resolve is
  // a setting to check.
  const udp = udpSender(host, port, (error) => {
    if ((error as NodeJS.ErrnoException).syscall === 'getaddrinfo') onLookupError(error);
  });
  const head = normalizePrefix(prefix);
  const tail = tags ? `|#${tags}` : '';
  const send = (line: string) => udp.send(`${head}${line}${tail}`);
  return {
    increment: (name, value = 1) => send(`${name}:${value}|c|@1.0`),
    timer: (name, ms) => send(`${name}:${ms}|ms`),
    gauge: (name, value) => send(`${name}:${value}|g`),
  };
}

/**
 * --statsd-host in a process (the arbiter, a worker): the client, or null without the setting, and the logger to
 * use, which also counts the warning, error, critical and exception lines as Gunicorn's statsd logger does.
 */
export function instrument(
  options: SupervisorOptions,
  logger: Logger,
): { statsd: Statsd | null; logger: Logger } {
  if (options.statsdHost === null) return { statsd: null, logger };
  const statsd = createStatsd(options.statsdHost, options.statsdPrefix, options.dogstatsdTags, (error) =>
    logger.warning(
      `--statsd-host ${options.statsdHost}: ${errorMessage(error)}; metrics are not sent until it resolves (looked up again every ${RETRY_MS / 1000} s)`,
    ),
  );
  // Gunicorn's statsd logger counts these whatever the log level.
  const counted = new Set(['warning', 'error', 'critical', 'exception']);
  return {
    statsd,
    logger: tapLogger(logger, (kind) => {
      if (counted.has(kind)) statsd.increment(`gunicorn.log.${kind}`);
    }),
  };
}

/** The HTTP server's per-response figures as Gunicorn sends them (its access-log hook): duration, count, status. */
export function requestMetrics(statsd: Statsd): RequestMetrics {
  return {
    response(status, durationMs) {
      statsd.timer('gunicorn.request.duration', Math.round(durationMs * 1000) / 1000);
      statsd.increment('gunicorn.requests');
      statsd.increment(`gunicorn.request.status.${status}`);
    },
  };
}
