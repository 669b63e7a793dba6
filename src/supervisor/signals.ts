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

const early = new Map<HandledSignal, () => void>();

/**
 * Until the arbiter handles signals, from the command's first line: a stop asked for ends tsgi at once with exit
 * 0 (nothing has started that needs draining, and the default action would be exit 143); the others are ignored
 * (nothing to reload or reopen yet; SIGUSR1 would open Node's debugger port, SIGUSR2 end the process).
 */
export function stopOnEarlySignals(): void {
  for (const signal of HANDLED_SIGNALS) {
    const stop = signal === 'SIGTERM' || signal === 'SIGINT' || signal === 'SIGQUIT';
    const handler = stop ? () => process.exit(0) : () => {};
    early.set(signal, handler);
    process.on(signal, handler);
  }
}

/** Back to the default actions: for a run that must not end 0 when interrupted (--check-config). */
export function releaseEarlySignals(): void {
  for (const [signal, handler] of early) process.off(signal, handler);
  early.clear();
}

/** Installs the handlers (replacing the early ones); returns a function that removes them. */
export function queueSignals(onSignal: (signal: HandledSignal) => void): () => void {
  releaseEarlySignals();
  const handlers = HANDLED_SIGNALS.map((signal) => {
    const handler = () => onSignal(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
