// The worker's pulse. A worker sends a heartbeat every ~timeout/4 from its event loop; the arbiter kills one
// that stays silent for longer than --timeout (its event loop is blocked), like Gunicorn's WorkerTmp.

import type { WorkerMessage } from './messages.js';

export function heartbeatInterval(timeoutSeconds: number): number {
  return Math.max(100, Math.min(5_000, (timeoutSeconds * 1000) / 4));
}

/** Starts the worker's heartbeat; returns a function that stops it. Never keeps the process alive on its own. */
export function startHeartbeat(timeoutSeconds: number, send: (message: WorkerMessage) => void): () => void {
  const beat = () => send({ tsgi: 'heartbeat' });
  beat();
  const timer = setInterval(beat, heartbeatInterval(timeoutSeconds));
  timer.unref();
  return () => clearInterval(timer);
}

/** True when a worker last heard from at `lastBeat` has been silent for longer than the timeout. */
export function isOverdue(lastBeat: number, timeoutSeconds: number, now: number): boolean {
  return timeoutSeconds > 0 && now - lastBeat > timeoutSeconds * 1000;
}
