// One UDP destination (a Sender, sender.ts), for statsd and syslog: the socket is connected once, so a host name is
// looked up once rather than for every datagram; what is sent before the connection is up waits (a bounded few).
// Fire and forget: a lost datagram is a lost sample or log line, never a fault of the server's. A host name that
// does not resolve (DNS not up yet at boot) is looked up again, at most every RETRY_MS, when there is something to
// send.

import { createSocket, type SocketOptions } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { RETRY_MS, type Sender } from './sender.js';

const MAX_WAITING = 256;

export interface UdpSenderOptions {
  /** Least time between two lookups of a host name that did not resolve (default RETRY_MS). */
  retryMs?: number;
  /** The resolver (default dns.lookup), as node:dgram takes it. */
  lookup?: SocketOptions['lookup'];
}

/** `onError` hears about the first failure (a failed lookup, an unreachable port), then nothing more. */
export function udpSender(
  host: string,
  port: number,
  onError: (error: Error) => void = () => {},
  { retryMs = RETRY_MS, lookup }: UdpSenderOptions = {},
): Sender {
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', ...(lookup ? { lookup } : {}) });
  let state: 'connecting' | 'connected' | 'failed' | 'closed' = 'connecting';
  let failedAt = 0;
  let reported = false;
  const waiting: Array<string | Buffer> = [];
  const report = (error: Error) => {
    if (!reported) onError(error);
    reported = true;
  };
  const connect = () => {
    state = 'connecting';
    // The callback hears the lookup's or the connect's failure; the socket stays unconnected and may try again.
    socket.connect(port, host, (error?: Error) => {
      if (state === 'closed') return;
      if (error) {
        state = 'failed';
        failedAt = Date.now();
        // Dropped, not kept for later: sent after an outage, old lines would look new (syslog stamps them then).
        waiting.length = 0;
        report(error);
        return;
      }
      state = 'connected';
      for (const data of waiting.splice(0)) socket.send(data);
    });
  };
  socket.on('error', report);
  socket.unref();
  connect();
  return {
    send(data) {
      if (state === 'connected') {
        socket.send(data);
        return;
      }
      if (state === 'closed') return;
      if (state === 'failed') {
        if (Date.now() - failedAt < retryMs) return;
        connect();
      }
      if (waiting.length < MAX_WAITING) waiting.push(data);
    },
    close() {
      if (state === 'closed') return;
      state = 'closed';
      socket.close();
    },
  };
}
