// What statsd and syslog send through: a fire-and-forget destination (udp-sender.ts, stream-sender.ts).

export interface Sender {
  send(data: string | Buffer): void;
  close(): void;
}

/** Least time between two attempts to reach a destination that failed (a lookup, a refused connection). */
export const RETRY_MS = 30_000;
