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
