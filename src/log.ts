// The error log, in Gunicorn's line format: `[2026-11-29 14:20:52 +0000] [pid] [LEVEL] message`.
// Imports nothing of ours, so every layer may use it.

import { createWriteStream, openSync, type WriteStream } from 'node:fs';

export const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  critical(message: string): void;
  /** An error with its stack, at level error. */
  exception(message: string, error: unknown): void;
  readonly level: Level;
  /** Changes the least severe level written (SIGHUP with a new --log-level); a wrapper passes it on. */
  setLevel(level: Level): void;
}

/** A message decided before the log was open (a config file's warning), logged as soon as it is. */
export interface Notice {
  readonly level: Level;
  readonly message: string;
}

/** Logs what was decided before the log was open, each at its level. */
export function logNotices(logger: Logger, notices: readonly Notice[]): void {
  for (const { level, message } of notices) logger[level](message);
}

/** Two digits, for log timestamps (also the access log's). */
export function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `2026-11-29 14:20:52 +0000` in UTC, as Gunicorn prints with TZ=UTC. */
export function logTimestamp(d = new Date()): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** An error's message alone (a thrown non-Error as text): for one-line log entries. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/** Anything with write(text): a stream, or a collector in tests. */
export interface TextSink {
  write(text: string): unknown;
}

/** A log destination that SIGUSR1 reopens (after logrotate moved the file), as Gunicorn's USR1 does. */
export interface LogStream extends TextSink {
  /** Text, or bytes as they are (what --capture-output copies from a worker). */
  write(data: string | Uint8Array): unknown;
  /** Flushes and closes a file; for stdout/stderr, only calls back. */
  end(callback: () => void): void;
  /** Opens the file again by its path (a new one if it was moved away), then calls back; stdout/stderr at once. */
  reopen(callback?: () => void): void;
}

/** After a failed write (a full disk), how long a log file waits before it is opened again for the next line. */
export const LOG_RETRY_MS = 10_000;

/**
 * Where log text goes: '-' = `dash` (stderr for the error log, stdout for the access log), else a file path, opened
 * here and now so that a path that cannot be written is an Error naming it (`cannot open …: EACCES …`), not a
 * crash later. A write that fails afterwards (a full disk) is reported on `dash` once, never thrown; the lines
 * after it are lost until the file takes writes again, tried by opening it anew at most every LOG_RETRY_MS.
 */
export function openLogStream(
  target: string,
  dash: NodeJS.WritableStream,
  retryMs = LOG_RETRY_MS,
): LogStream {
  if (target === '-')
    return {
      write: (text) => dash.write(text),
      end: (callback) => callback(),
      reopen: (callback) => callback?.(),
    };
  // Opened here and now (also on SIGUSR1 and after a failure): a path that cannot be written is an Error at once.
  const open = () => createWriteStream(target, { fd: openSync(target, 'a'), flags: 'a' });
  const line = (what: string, error: Error) =>
    `[${logTimestamp()}] [${process.pid}] [ERROR] cannot ${what} ${target}: ${errorMessage(error)}\n`;
  let reported = false;
  /** When the stream in use failed a write (it is then closed for good), or 0. */
  let failedAt = 0;
  // Every error of a stream is listened to (an unheard one ends the process).
  const watched = (stream: WriteStream) =>
    stream.on('error', (error) => {
      if (stream !== file) return; // an old stream's late error
      if (failedAt === 0) failedAt = Date.now();
      if (!reported)
        dash.write(line('write', error).replace(/\n$/, '; lines are lost until it takes writes again\n'));
      reported = true;
    });
  let file: WriteStream;
  try {
    file = watched(open());
  } catch (error) {
    throw new Error(`cannot open ${target}: ${errorMessage(error)}`);
  }
  /** The file opened again by its path (a new one if it was moved away); the error if it cannot be. */
  const reopen = (): Error | undefined => {
    let next: WriteStream;
    try {
      next = open();
    } catch (error) {
      return error as Error;
    }
    const old = file;
    file = watched(next);
    failedAt = 0;
    reported = false; // a new file: its own failure is news
    old.end();
    return undefined;
  };
  return {
    write: (text) => {
      if (failedAt !== 0 && Date.now() - failedAt >= retryMs) {
        // The failed stream is closed for good: a new one, so that this very line goes to it if it can.
        failedAt = Date.now();
        reopen();
      }
      return file.write(text);
    },
    end: (callback) => file.end(callback),
    reopen: (callback) => {
      // SIGUSR1. A file that cannot be opened again (a directory this worker's --user may not write in) leaves the
      // old one in use, and the failure is written there.
      const error = reopen();
      if (error) file.write(line('reopen', error));
      callback?.();
    },
  };
}

export function createLogger(stream: TextSink, level: Level = 'info'): Logger {
  let threshold = LEVELS.indexOf(level);
  const emit = (lvl: Level, message: string) => {
    if (LEVELS.indexOf(lvl) < threshold) return;
    stream.write(`[${logTimestamp()}] [${process.pid}] [${lvl.toUpperCase()}] ${message}\n`);
  };
  return {
    get level() {
      return LEVELS[threshold];
    },
    setLevel(next) {
      threshold = LEVELS.indexOf(next);
    },
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warning: (m) => emit('warning', m),
    error: (m) => emit('error', m),
    critical: (m) => emit('critical', m),
    exception: (m, e) => emit('error', `${m}\n${describeError(e)}`),
  };
}

/**
 * `logger`, also handing every entry to `tap` after logging it, whatever the level (the tap filters): `kind` is the
 * level, or `exception` for exception() (with the error). Syslog and statsd's counts hang on the log this way.
 */
export function tapLogger(
  logger: Logger,
  tap: (kind: Level | 'exception', message: string, error?: unknown) => void,
): Logger {
  const entry = (level: Level) => (message: string) => {
    logger[level](message);
    tap(level, message);
  };
  return {
    get level() {
      return logger.level;
    },
    setLevel: (level) => logger.setLevel(level),
    debug: entry('debug'),
    info: entry('info'),
    warning: entry('warning'),
    error: entry('error'),
    critical: entry('critical'),
    exception: (message, error) => {
      logger.exception(message, error);
      tap('exception', message, error);
    },
  };
}

/** A logger that keeps its lines in memory (test client, tests). */
export function memoryLogger(level: Level = 'debug'): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ write: (s: string) => lines.push(s.trimEnd()) }, level);
  return Object.assign(logger, { lines });
}
