// A Python process's stdout or stderr, as log lines.

import type { Logger } from '../../log.js';

/** Output without a newline is logged once the process has written nothing more for this long. */
const PARTIAL_LINE_MS = 200;

/**
 * Call `log` with each line of `stream`. Text without a newline (a progress dot, a prompt) is logged once no more
 * has come for a moment, not held until the next newline, which may never come: Python writes unbuffered
 * (PYTHONUNBUFFERED), as Gunicorn's workers write straight to the log.
 */
export function pipeLines(stream: NodeJS.ReadableStream, log: (line: string) => void): void {
  let partial = '';
  let timer: NodeJS.Timeout | undefined;
  const flushPartial = () => {
    timer = undefined;
    if (partial) log(partial);
    partial = '';
  };
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) log(line);
    if (timer !== undefined) clearTimeout(timer);
    timer = partial ? setTimeout(flushPartial, PARTIAL_LINE_MS).unref() : undefined;
  });
  stream.on('end', () => {
    if (timer !== undefined) clearTimeout(timer);
    flushPartial();
  });
}

/**
 * A Python process's stdout (info) and stderr (error) in the log as `[python PID] line`. Returns its last 20 lines
 * (in `last`, when given: a forked worker's pipes join the lines kept for it), kept up to date, for the message of a
 * process that exits before it is ready.
 */
export function logOutput(
  streams: { stdout: NodeJS.ReadableStream | null; stderr: NodeJS.ReadableStream | null },
  logger: Logger,
  pid: () => number | undefined,
  last: string[] = [],
): string[] {
  const to = (log: (line: string) => void) => (line: string) => {
    log(`[python ${pid()}] ${line}`);
    last.push(line);
    if (last.length > 20) last.shift();
  };
  if (streams.stdout) pipeLines(streams.stdout, to(logger.info));
  if (streams.stderr) pipeLines(streams.stderr, to(logger.error));
  return last;
}

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
 * A Python process's stdout and stderr. 'log' (--capture-output): line by line into the error log
 * (`[python PID] line`, stdout at info level, stderr at error level). 'pass' (the default, as Gunicorn's workers
 * inherit its stdout and stderr): to this process's own stdout and stderr, byte for byte as printed, so that a
 * log pipeline reading the app's JSON lines reads them unchanged; a slow reader slows the Python process, as it
 * would writing there itself. `last` collects the last lines either way (a forked worker's pipes join its list).
 */
export function takeOutput(
  mode: OutputMode,
  streams: { stdout: NodeJS.ReadableStream | null; stderr: NodeJS.ReadableStream | null },
  logger: Logger,
  pid: () => number | undefined,
  last: string[] = [],
): OutputTap {
  if (mode === 'log') {
    logOutput(streams, logger, pid, last);
    return { last, logStderr: () => {} };
  }
  let stderrToLog = false;
  const keep = (line: string) => {
    last.push(line);
    if (last.length > 20) last.shift();
  };
  if (streams.stdout) passThrough(streams.stdout, process.stdout, keep);
  if (streams.stderr)
    passThrough(streams.stderr, process.stderr, keep, () =>
      stderrToLog ? (line) => logger.error(`[python ${pid()}] ${line}`) : undefined,
    );
  return {
    last,
    logStderr: () => {
      stderrToLog = true;
    },
  };
}

/** Copy `from` to `to` as it comes (pausing while `to` is full), noting its lines; or, while `divert()` gives a
 * function, hand that function the lines instead (text without its newline once no more has come for a moment). */
function passThrough(
  from: NodeJS.ReadableStream,
  to: NodeJS.WritableStream,
  keep: (line: string) => void,
  divert: () => ((line: string) => void) | undefined = () => undefined,
): void {
  let partial = '';
  let timer: NodeJS.Timeout | undefined;
  from.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    const diverted = divert();
    for (const line of lines) {
      keep(line);
      diverted?.(line);
    }
    if (diverted) {
      if (timer !== undefined) clearTimeout(timer);
      timer = partial
        ? setTimeout(() => {
            timer = undefined;
            diverted(partial);
            partial = '';
          }, PARTIAL_LINE_MS).unref()
        : undefined;
      return;
    }
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  from.on('end', () => {
    if (timer !== undefined) clearTimeout(timer);
    if (!partial) return;
    keep(partial);
    divert()?.(partial);
  });
}
