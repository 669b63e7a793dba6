// A Python process's stdout or stderr, as log lines.

import { StringDecoder } from 'node:string_decoder';
import type { Logger } from '../../log.js';

/** Output without a newline is passed on (or logged) once the process has written nothing more for this long. */
const PARTIAL_LINE_MS = 200;
/** A line longer than this (a progress bar redrawn with \r for ever is one endless line) is taken in pieces. */
const MAX_LINE_CHARS = 64 * 1024;
/** Bytes of a line without its newline held back at most before they are written as they are. */
const MAX_HELD_BYTES = 64 * 1024;

/** Where a Python process's stdout and stderr go (WorkerConfig.output). */
export type OutputMode = 'log' | 'pass';

/** A Python process's output as it is being taken: its last lines, and a switch for what follows on stderr. */
export interface OutputTap {
  /** Its last 20 lines, for the message of a process that exits before it is ready. */
  readonly last: string[];
  /** From now on its stderr goes into the error log as lines (the thread stacks a timeout makes it dump). */
  logStderr(): void;
}

/**
 * A Python process's stdout and stderr. 'log' (--capture-output to a file): line by line into the error log
 * (`[python PID] line`, stdout at info level, stderr at error level). 'pass' (the default, as Gunicorn's workers
 * inherit its stdout and stderr): to this process's own stdout and stderr, byte for byte, whole lines at a time
 * so that the lines of several workers never mix (a log pipeline reading the app's JSON lines reads them
 * unchanged); a slow reader slows the Python process, as it would writing there itself. Either way text without
 * its newline (a progress dot, a prompt) goes once no more has come for a moment: Python writes unbuffered
 * (PYTHONUNBUFFERED). `last` collects the last lines (a forked worker's pipes join its list).
 */
export function takeOutput(
  mode: OutputMode,
  streams: { stdout: NodeJS.ReadableStream | null; stderr: NodeJS.ReadableStream | null },
  logger: Logger,
  pid: () => number | undefined,
  last: string[] = [],
): OutputTap {
  const keep = (line: string) => {
    last.push(line);
    if (last.length > 20) last.shift();
  };
  const toLog = (log: (message: string) => void) => (line: string) => log(`[python ${pid()}] ${line}`);
  const pass = (name: 'stdout' | 'stderr') =>
    mode === 'pass' ? destination(process[name], name, logger) : undefined;
  if (streams.stdout) {
    const info = mode === 'log' ? toLog(logger.info) : undefined;
    passThrough(streams.stdout, pass('stdout'), keep, () => info);
  }
  const stderr = streams.stderr;
  let stderrToLog = mode === 'log';
  const error = toLog(logger.error);
  if (stderr) passThrough(stderr, pass('stderr'), keep, () => (stderrToLog ? error : undefined));
  return {
    last,
    logStderr: () => {
      stderrToLog = true;
      stderr?.resume(); // paused behind a slow reader, the stacks would never come
    },
  };
}

/** One of this process's own outputs, shared by every Python process passing its output to it. */
interface Destination {
  write(data: Buffer, from: NodeJS.ReadableStream): void;
}

const destinations = new Map<NodeJS.WritableStream, Destination>();

/**
 * `to`, written to by several sources: a source whose write found it full is paused until it drains (one listener
 * for all); once it fails (its reader closed it: EPIPE), what comes is dropped, said once in the error log, rather
 * than left to throw: under Gunicorn the app's own write would fail, here no worker may wait on it.
 */
function destination(to: NodeJS.WritableStream, name: string, logger: Logger): Destination {
  let found = destinations.get(to);
  if (found) return found;
  let broken = false;
  const paused = new Set<NodeJS.ReadableStream>();
  const resumeAll = () => {
    for (const source of paused) source.resume();
    paused.clear();
  };
  to.on('drain', resumeAll);
  to.on('error', (error: NodeJS.ErrnoException) => {
    if (broken) return;
    broken = true;
    logger.error(
      `tsgi's ${name} failed (${error.code ?? error.message}): what the Python app prints there is dropped from now ` +
        'on (--capture-output sends it into the error log instead)',
    );
    resumeAll();
  });
  found = {
    write(data, from) {
      if (broken) return;
      if (!to.write(data) && !broken) {
        from.pause();
        paused.add(from);
      }
    },
  };
  destinations.set(to, found);
  return found;
}

/**
 * Pass `from` to `to` a whole line (or several) at a time, noting its lines with `keep`; text without its newline
 * goes out as it is once no more has come for a moment, or once there is much of it. While `divert()` gives a
 * function (always, without `to`), the lines go to that function instead.
 */
function passThrough(
  from: NodeJS.ReadableStream,
  to: Destination | undefined,
  keep: (line: string) => void,
  divert: () => ((line: string) => void) | undefined = () => undefined,
): void {
  const decoder = new StringDecoder('utf8');
  let line = ''; // the text of the line not yet ended, for `keep` and `divert`
  let held: Buffer[] = []; // its bytes, not yet written
  let heldBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const release = () => {
    if (heldBytes > 0) to?.write(Buffer.concat(held), from);
    held = [];
    heldBytes = 0;
  };
  const endLine = (text: string, diverted: ((line: string) => void) | undefined) => {
    keep(text);
    diverted?.(text);
  };
  const flushPartial = () => {
    timer = undefined;
    const diverted = divert();
    if (!diverted) release();
    if (line) endLine(line, diverted);
    line = '';
  };
  from.on('data', (chunk: Buffer) => {
    const diverted = divert();
    const text = decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      endLine(line + text.slice(start, nl), diverted);
      line = '';
      start = nl + 1;
    }
    line += text.slice(start);
    if (line.length > MAX_LINE_CHARS) {
      endLine(line, diverted); // its bytes still go out whole below
      line = '';
    }
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (diverted || !to) {
      held = [];
      heldBytes = 0;
    } else {
      const cut = chunk.lastIndexOf(10) + 1; // after the last newline: what is whole goes now
      if (cut > 0) {
        held.push(chunk.subarray(0, cut));
        heldBytes += cut;
        release();
      }
      if (cut < chunk.length) {
        held.push(chunk.subarray(cut));
        heldBytes += chunk.length - cut;
        if (heldBytes > MAX_HELD_BYTES) release();
      }
    }
    if (line || heldBytes > 0) timer = setTimeout(flushPartial, PARTIAL_LINE_MS).unref();
  });
  from.on('end', () => {
    if (timer !== undefined) clearTimeout(timer);
    line += decoder.end();
    flushPartial();
  });
}
