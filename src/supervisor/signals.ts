// The arbiter's signal handlers only record the signal and wake the loop; the loop decides what it means.

// SIGUSR1 is Gunicorn's "reopen the log files"; handling it also keeps Node from opening its debugger port on it.
// SIGUSR2 (Gunicorn's binary upgrade) is handled to be refused with a log line: by default it would end tsgi.
export const HANDLED_SIGNALS = [
  'SIGTERM',
  'SIGINT',
  'SIGQUIT',
  'SIGHUP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGUSR1',
  'SIGUSR2',
] as const;
export type HandledSignal = (typeof HANDLED_SIGNALS)[number];

/** Installs the handlers; returns a function that removes them. */
export function queueSignals(onSignal: (signal: HandledSignal) => void): () => void {
  const handlers = HANDLED_SIGNALS.map((signal) => {
    const handler = () => onSignal(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
