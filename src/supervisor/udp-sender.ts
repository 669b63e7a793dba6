// One UDP destination, for statsd and syslog: the socket is connected once, so a host name is looked up once rather
// than for every datagram; what is sent before the connection is up waits (a bounded few). Fire and forget: a lost
// datagram is a lost sample or log line, never a fault of the server's.

import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

export interface UdpSender {
  send(data: string | Buffer): void;
  close(): void;
}

const MAX_WAITING = 256;

/** `onError` hears about a failed lookup or an unreachable port (called once, then quiet). */
export function udpSender(host: string, port: number, onError: (error: Error) => void = () => {}): UdpSender {
  const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  let connected = false;
  let reported = false;
  const waiting: Array<string | Buffer> = [];
  socket.on('error', (error) => {
    if (!reported) onError(error);
    reported = true;
  });
  socket.connect(port, host, () => {
    connected = true;
    for (const data of waiting.splice(0)) socket.send(data);
  });
  socket.unref();
  return {
    send(data) {
      if (connected) socket.send(data);
      else if (waiting.length < MAX_WAITING) waiting.push(data);
    },
    close() {
      socket.close();
    },
  };
}
