// One stream destination (TCP, or a unix stream socket), for syslog: connected lazily on the first message, kept
// open. A broken connection (the daemon restarted) is reported once; the messages meanwhile are dropped (the log
// files still have them), and the next message after RETRY_MS connects again.

import { connect, type Socket } from 'node:net';
import { RETRY_MS, type Sender } from './sender.js';

/** Bytes that may wait for a connection that is slow to come up or to drain; more is dropped. */
const MAX_BUFFERED = 1024 * 1024;

export type StreamTarget = { host: string; port: number } | { path: string };

/** `onError` hears about the first failure (refused, reset, closed by the peer), then nothing more. */
export function streamSender(
  target: StreamTarget,
  onError: (error: Error) => void = () => {},
  retryMs = RETRY_MS,
): Sender {
  let socket: Socket | null = null;
  let brokenAt = -1;
  let reported = false;
  let closed = false;
  const broken = (s: Socket, error: Error) => {
    if (socket !== s) return; // an old connection's late event
    if (!reported) onError(error);
    reported = true;
    brokenAt = Date.now();
    socket = null;
    s.destroy();
  };
  const open = () => {
    const s = 'path' in target ? connect(target.path) : connect(target.port, target.host);
    socket = s;
    s.on('error', (error) => broken(s, error));
    // The peer closing is a break too: what is written after it would be lost without a word.
    s.on('end', () => broken(s, new Error('the syslog daemon closed the connection')));
    s.unref();
    return s;
  };
  return {
    send(data) {
      if (closed) return;
      if (socket === null) {
        if (brokenAt >= 0 && Date.now() - brokenAt < retryMs) return;
        open();
      }
      // A connection that hangs (a firewall dropping packets) holds what is written: a bounded amount.
      if (socket !== null && socket.writableLength < MAX_BUFFERED) socket.write(data);
    },
    close() {
      closed = true;
      const s = socket;
      socket = null;
      s?.end();
    },
  };
}
