// --log-syslog (Gunicorn's): the error log, and the access log unless --disable-redirect-access-to-syslog, also go
// to a syslog daemon, as Gunicorn sends them through Python's SysLogHandler: one RFC 3164-style message per entry,
// `<PRI>tsgi.PREFIX.error: [pid] message` or `<PRI>tsgi.PREFIX.access: [pid] line` (Gunicorn's syslog_fmt; the level
// is in PRI), ended by a NUL byte, over UDP, TCP or a unix stream socket (Node has no unix datagram sockets).

import { basename } from 'node:path';
import {
  describeError,
  errorMessage,
  LEVELS,
  type Level,
  type Logger,
  type TextSink,
  tapLogger,
} from '../log.js';
import { parseHostPort } from './host-port.js';
import type { Sender } from './sender.js';
import { streamSender } from './stream-sender.js';
import { udpSender } from './udp-sender.js';

/** RFC 5424 §6.2.1 facility codes, by the names Gunicorn's --log-syslog-facility takes. */
export const SYSLOG_FACILITIES: Readonly<Record<string, number>> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  security: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

/** Severity by log level (Python's SysLogHandler.mapPriority). */
const SEVERITY: Record<Level, number> = { critical: 2, error: 3, warning: 4, info: 6, debug: 7 };

export type SyslogAddress =
  | { transport: 'udp' | 'tcp'; host: string; port: number }
  | { transport: 'unix'; path: string };

/**
 * `udp://HOST:PORT`, `tcp://HOST:PORT` (`[v6]:PORT`; port 514 when left out) or `unix://PATH#stream`, as Gunicorn
 * reads --log-syslog-to. Throws with the reason for anything else: a unix socket must say `#stream`, because a plain
 * `unix:///dev/log` is a datagram socket on Linux, which Node cannot write.
 */
export function parseSyslogAddress(text: string): SyslogAddress {
  if (text.startsWith('unix://')) {
    const [path, kind] = text.slice('unix://'.length).split('#', 2);
    if (path === '' || kind !== 'stream')
      throw new Error(
        'a unix socket is written as unix://PATH#stream: a datagram socket such as /dev/log cannot be written from ' +
          "Node (send to rsyslog's udp:// or tcp:// input instead)",
      );
    return { transport: 'unix', path };
  }
  const match = /^(udp|tcp):\/\/(.*)$/.exec(text);
  if (!match) throw new Error('expected udp://HOST:PORT, tcp://HOST:PORT or unix://PATH');
  const { host, port } = parseHostPort(match[2], 514);
  return { transport: match[1] as 'udp' | 'tcp', host: host.toLowerCase() || 'localhost', port };
}

export interface SyslogOptions {
  logSyslog: boolean;
  logSyslogTo: string;
  logSyslogPrefix: string | null;
  logSyslogFacility: string;
  disableRedirectAccessToSyslog: boolean;
  name: string | null;
  app: string;
}

/** Sends messages to one syslog address; never throws, never blocks a request (a lost message is only lost). */
export class Syslog {
  readonly #facility: number;
  readonly #prefix: string;
  readonly #sender: Sender;

  constructor({ address, facility, prefix }: SyslogTarget, onError: (error: Error) => void) {
    this.#facility = facility;
    this.#prefix = prefix;
    this.#sender =
      address.transport === 'udp'
        ? udpSender(address.host, address.port, onError)
        : streamSender(address.transport === 'unix' ? { path: address.path } : address, onError);
  }

  /** One entry of the error or access log, `text` without its trailing newline: `[pid] text`, as Gunicorn's. */
  send(level: Level, name: 'error' | 'access', text: string): void {
    const priority = this.#facility * 8 + SEVERITY[level];
    this.#sender.send(
      Buffer.from(`<${priority}>${this.#prefix}.${name}: [${process.pid}] ${text}\0`, 'utf8'),
    );
  }

  close(): void {
    this.#sender.close();
  }
}

/** An app as a syslog name: `proj.wsgi:application` stays (':' becomes '.'), `src/app.ts` becomes `app`. */
function appIdent(app: string): string {
  return app.includes('/') || /\.[cm]?[jt]s$/.test(app) ? basename(app).replace(/\.[^.]*$/, '') : app;
}

export interface SyslogTarget {
  address: SyslogAddress;
  facility: number;
  /** Gunicorn's ident: `tsgi.` and --log-syslog-prefix, else --name, else the app (appIdent), with ':' as '.'. */
  prefix: string;
}

/**
 * Where --log-syslog sends, or null without it. Throws an Error naming the flag when --log-syslog-to or
 * --log-syslog-facility is unusable (the arbiter checks this at start-up, before any worker).
 */
export function syslogTarget(options: SyslogOptions): SyslogTarget | null {
  if (!options.logSyslog) return null;
  const facility = SYSLOG_FACILITIES[options.logSyslogFacility.toLowerCase()];
  if (facility === undefined) {
    const names = Object.keys(SYSLOG_FACILITIES).join(', ');
    throw new Error(`--log-syslog-facility ${options.logSyslogFacility}: not a facility (${names})`);
  }
  let address: SyslogAddress;
  try {
    address = parseSyslogAddress(options.logSyslogTo);
  } catch (error) {
    throw new Error(`--log-syslog-to ${options.logSyslogTo}: ${errorMessage(error)}`);
  }
  const prefix = `tsgi.${(options.logSyslogPrefix ?? options.name ?? appIdent(options.app)).replaceAll(':', '.')}`;
  return { address, facility, prefix };
}

/** `logger`, also sending each entry at or above its level to syslog (the level in the priority). */
export function loggingToSyslog(logger: Logger, syslog: Syslog): Logger {
  return tapLogger(logger, (kind, message, error) => {
    const level = kind === 'exception' ? 'error' : kind;
    if (LEVELS.indexOf(level) < LEVELS.indexOf(logger.level)) return;
    syslog.send(level, 'error', kind === 'exception' ? `${message}\n${describeError(error)}` : message);
  });
}

/**
 * The access log's sink with --log-syslog: `stream` (--access-logfile), if any, and syslog (Gunicorn sends access
 * lines to syslog even without an access log file, unless --disable-redirect-access-to-syslog).
 */
export function accessToSyslog(stream: TextSink | null, syslog: Syslog): TextSink {
  return {
    write: (text: string) => {
      stream?.write(text);
      syslog.send('info', 'access', text.replace(/\n$/, ''));
      return true;
    },
  };
}
