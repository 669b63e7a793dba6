// The access log, in Gunicorn's format language (--access-logformat): `%(atom)s` placeholders, Gunicorn's default
//   %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"
//   127.0.0.1 - - [29/Nov/2026:14:20:52 +0000] "GET /x?y=1 HTTP/1.1" 200 12 "-" "curl/7.88.1"
// The format is compiled once into a list of pieces; an atom Gunicorn does not know prints '-', and a `"` inside a
// value is escaped as `\"` (so a client cannot forge the quoted fields), both as in Gunicorn's SafeAtoms.

import type { IncomingMessage } from 'node:http';
import type { Environ } from '../gateway/index.js';
import { pad, type TextSink } from '../log.js';

export const DEFAULT_ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `[29/Nov/2026:14:20:52 +0000]`, Apache's common log time, in UTC. */
export function accessTimestamp(d = new Date()): string {
  return `[${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000]`;
}

/** The user from `Authorization: Basic …`, as Gunicorn's %(u)s: the UTF-8 text before ':'; '-' when absent. */
function basicUser(auth: string | undefined): string {
  if (!auth || !/^basic /i.test(auth)) return '-';
  const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? decoded || '-' : decoded.slice(0, colon) || '-';
}

export interface AccessEntry {
  req: IncomingMessage;
  status: number;
  /** Body bytes sent. */
  bytes: number;
  /** How long the request took, in milliseconds (for %(T)s, %(D)s, %(M)s, %(L)s). */
  durationMs: number;
  /** The response headers as the app gave them (for %({name}o)s). */
  responseHeaders: ReadonlyArray<readonly [string, string]> | undefined;
  /** The request's environ (%(U)s, %(q)s, %({name}e)s). */
  environ: Environ;
}

type Piece = string | ((entry: AccessEntry) => string);

const orDash = (value: string | number | undefined | null): string =>
  value === undefined || value === null || value === '' ? '-' : String(value);

/** Gunicorn's atoms (gunicorn/glogging.py, `Logger.atoms`); a Map, so `%(constructor)s` is just unknown. */
const ATOMS = new Map<string, (entry: AccessEntry) => string>(
  Object.entries({
    // REMOTE_ADDR, as Gunicorn: with --proxy-protocol, the client the proxy named.
    h: ({ environ }) => (environ.REMOTE_ADDR as string | undefined) ?? '-',
    l: () => '-',
    u: ({ req }) => basicUser(req.headers.authorization),
    t: () => accessTimestamp(),
    r: ({ req }) => `${req.method} ${req.url} HTTP/${req.httpVersion}`,
    s: ({ status }) => String(status),
    m: ({ req }) => req.method ?? '-',
    U: ({ environ }) => orDash(environ.PATH_INFO),
    q: ({ environ }) => environ.QUERY_STRING,
    H: ({ req }) => `HTTP/${req.httpVersion}`,
    // Gunicorn prints the count, 0 included: '-' only when nothing was ever sent (never, once the head went out).
    b: ({ bytes }) => String(bytes),
    B: ({ bytes }) => String(bytes),
    f: ({ req }) => orDash(req.headers.referer),
    a: ({ req }) => orDash(req.headers['user-agent']),
    T: ({ durationMs }) => String(Math.floor(durationMs / 1000)),
    D: ({ durationMs }) => String(Math.floor(durationMs * 1000)),
    M: ({ durationMs }) => String(Math.floor(durationMs)),
    L: ({ durationMs }) => {
      const micros = Math.floor(durationMs * 1000);
      return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
    },
    p: () => `<${process.pid}>`,
  }),
);

/**
 * `%({name}i)s`, `%({name}o)s`, `%({name}e)s` (the letter in either case): a request header, a response header
 * (the last one of that name), an environ key; each name matched without regard to case, as in Gunicorn.
 */
function namedAtom(name: string, kind: string): (entry: AccessEntry) => string {
  const lower = name.toLowerCase();
  if (kind === 'i') {
    return ({ req }) => {
      const value = req.headers[lower];
      return orDash(Array.isArray(value) ? value.join(',') : value);
    };
  }
  if (kind === 'o') {
    return ({ responseHeaders }) => {
      const headers = responseHeaders ?? [];
      for (let i = headers.length - 1; i >= 0; i--)
        if (headers[i][0].toLowerCase() === lower) return orDash(headers[i][1]);
      return '-';
    };
  }
  return ({ environ }) => {
    for (const key in environ) {
      if (key.toLowerCase() !== lower) continue;
      const value = environ[key];
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? orDash(String(value))
        : '-';
    }
    return '-';
  };
}

/** Gunicorn's SafeAtoms: a `"` in a value would end a quoted field early. */
const escapeQuotes = (value: string): string => (value.includes('"') ? value.replaceAll('"', '\\"') : value);

const PLACEHOLDER = /%%|%\(([^)]*)\)[sd]/g;

/** A format string as pieces: literal text and atom readers. */
export function compileAccessFormat(format: string): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of format.matchAll(PLACEHOLDER)) {
    const at = match.index ?? 0;
    if (at > last) pieces.push(format.slice(last, at));
    last = at + match[0].length;
    if (match[0] === '%%') {
      pieces.push('%');
      continue;
    }
    const atom = match[1];
    const named = /^\{([^}]*)\}([ioeIOE])$/.exec(atom);
    const read = named ? namedAtom(named[1], named[2].toLowerCase()) : (ATOMS.get(atom) ?? (() => '-'));
    pieces.push((entry) => escapeQuotes(read(entry)));
  }
  if (last < format.length) pieces.push(format.slice(last));
  return pieces;
}

export class AccessLog {
  #sink: TextSink;
  #pieces: Piece[];
  constructor(sink: TextSink, format = DEFAULT_ACCESS_LOG_FORMAT) {
    this.#sink = sink;
    this.#pieces = compileAccessFormat(format);
  }
  log(entry: AccessEntry): void {
    let line = '';
    for (const piece of this.#pieces) line += typeof piece === 'string' ? piece : piece(entry);
    this.#sink.write(`${line}\n`);
  }
}
