// The access log in Gunicorn's default format:
//   %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"
//   127.0.0.1 - - [29/Nov/2026:14:20:52 +0000] "GET /x?y=1 HTTP/1.1" 200 12 "-" "curl/7.88.1"

import type { IncomingMessage } from 'node:http';
import { pad, type TextSink } from '../log.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `[29/Nov/2026:14:20:52 +0000]`, Apache's common log time, in UTC. */
export function accessTimestamp(d = new Date()): string {
  return `[${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000]`;
}

/** The user from `Authorization: Basic …`, as Gunicorn's %(u)s; '-' when absent. */
function basicUser(auth: string | undefined): string {
  if (!auth || !/^basic /i.test(auth)) return '-';
  const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  return colon > 0 ? decoded.slice(0, colon) : '-';
}

export interface AccessEntry {
  req: IncomingMessage;
  status: number;
  bytes: number;
}

export function formatAccessLine({ req, status, bytes }: AccessEntry): string {
  const h = req.headers;
  const remote = req.socket.remoteAddress ?? '-';
  const requestLine = `${req.method} ${req.url} HTTP/${req.httpVersion}`;
  return `${remote} - ${basicUser(h.authorization)} ${accessTimestamp()} "${requestLine}" ${status} ${bytes > 0 ? bytes : '-'} "${h.referer ?? '-'}" "${h['user-agent'] ?? '-'}"\n`;
}

export class AccessLog {
  #sink: TextSink;
  constructor(sink: TextSink) {
    this.#sink = sink;
  }
  log(entry: AccessEntry): void {
    this.#sink.write(formatAccessLine(entry));
  }
}
