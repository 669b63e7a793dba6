// The IPC messages between the arbiter and its workers (over node:cluster's channel).

/** Worker → arbiter. */
export type WorkerMessage =
  /** Still alive: the event loop turned. Sent every ~timeout/4. */
  | { tsgi: 'heartbeat' }
  /** Listening on every bind; `addresses` as the log prints them. */
  | { tsgi: 'ready'; addresses: string[] }
  /** Served --max-requests: start my replacement, then tell me to stop. */
  | { tsgi: 'retire'; served: number };

/** Arbiter → worker. */
export type ArbiterMessage = { tsgi: 'stop' };

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return typeof message === 'object' && message !== null && 'tsgi' in message;
}

export function isStopMessage(message: unknown): message is ArbiterMessage {
  return isWorkerMessage(message) && (message as { tsgi: string }).tsgi === 'stop';
}
