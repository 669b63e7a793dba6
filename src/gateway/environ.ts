// THE environ builder (S2–S7). The HTTP server, the test client and the Python bridge all build environs here.
// Security-sensitive: this is where client-controlled header names become environ keys.

import { percentDecodeToByteString } from './bytes.js';
import { StringSlots } from './string-slots.js';
import type { ByteString, Environ, Errors, FileWrapper, Input } from './types.js';

/** One request's head as it came off the wire. Strings are byte strings (node:http decodes them as latin-1). */
export interface RequestHead {
  method: ByteString;
  /** The raw request-target: origin-form `/p?q`, absolute-form `http://h/p?q`, or `*`. */
  target: ByteString;
  /** `'1.1'` or `'1.0'`. */
  httpVersion: string;
  /** Flat name/value list in wire order (node:http's `rawHeaders`). */
  rawHeaders: readonly string[];
  remoteAddress?: string;
  /** A number, or already its decimal string (servers cache it per connection). */
  remotePort?: number | string;
}

/** Where the request arrived and how the server runs: the same for every request on a listener. */
export interface ServerContext {
  serverName: string;
  serverPort: string;
  urlScheme: 'http' | 'https';
  /** The mount point (`--root-path`); stripped from the start of the path into SCRIPT_NAME. */
  scriptName: ByteString;
  multithread: boolean;
  multiprocess: boolean;
  runOnce: boolean;
  serverSoftware: string;
  fileWrapper: FileWrapper;
}

export interface RequestStreams {
  input: Input;
  errors: Errors;
  /** True when reading wsgi.input to its end is safe without CONTENT_LENGTH (S5). */
  inputTerminated: boolean;
}

// Header name → environ key (null: dropped), memoised: the same few dozen names arrive on every request.
const environKeys = new StringSlots<string | null>(256);

/**
 * The environ key for a request header, or null to drop it. `Content-Type`/`Content-Length` carry no `HTTP_`
 * prefix (S2). A name containing `_` is dropped: once dashes become underscores it could pose as another
 * header (`X_Forwarded_For` vs `X-Forwarded-For`), which is how Gunicorn ≥ 22 and nginx treat it too.
 */
export function headerEnvironKey(name: string): string | null {
  if (name.length === 0) return null;
  let key = environKeys.get(name);
  if (key !== undefined) return key;
  const upper = name.toUpperCase();
  if (upper.includes('_')) key = null;
  else if (upper === 'CONTENT-TYPE') key = 'CONTENT_TYPE';
  else if (upper === 'CONTENT-LENGTH') key = 'CONTENT_LENGTH';
  else key = `HTTP_${upper.replace(/-/g, '_')}`;
  environKeys.set(name, key);
  return key;
}

/** Split a request-target into its path (still percent-encoded) and raw query string (S4). */
export function splitTarget(target: string): { path: string; query: string } {
  let rest = target;
  if (rest[0] !== '/' && rest !== '*') {
    // absolute-form (RFC 9112 §3.2.2): drop scheme and authority.
    const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(rest);
    if (m) rest = rest.slice(m[0].length) || '/';
  }
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  return q === -1 ? { path: rest, query: '' } : { path: rest.slice(0, q), query: rest.slice(q + 1) };
}

/** Whether a request-target holds `?`, `#` or `%`: one pass instead of a search for each. */
function hasQueryFragmentOrEscape(target: string): boolean {
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === 63 || c === 35 || c === 37) return true;
  }
  return false;
}

// S7: the same (frozen) value for every request: no array per request.
const WSGI_VERSION = Object.freeze([1, 0]) as [1, 0];

export function buildEnviron(head: RequestHead, server: ServerContext, streams: RequestStreams): Environ {
  // Fast path: an origin-form target without query, fragment or escapes (most requests) is its own PATH_INFO.
  const target = head.target;
  let pathInfo = target;
  let query = '';
  if (target.charCodeAt(0) !== 47 || hasQueryFragmentOrEscape(target)) {
    const split = splitTarget(target);
    pathInfo = percentDecodeToByteString(split.path);
    query = split.query;
  }
  let scriptName = server.scriptName;
  if (scriptName) {
    // S4: SCRIPT_NAME + PATH_INFO is the whole path; the prefix must match on a segment boundary.
    if (pathInfo === scriptName || pathInfo.startsWith(`${scriptName}/`))
      pathInfo = pathInfo.slice(scriptName.length);
    else scriptName = '';
  }
  const environ: Environ = {
    REQUEST_METHOD: head.method,
    SCRIPT_NAME: scriptName,
    PATH_INFO: pathInfo,
    QUERY_STRING: query,
    RAW_URI: head.target,
    SERVER_NAME: server.serverName,
    SERVER_PORT: server.serverPort,
    SERVER_PROTOCOL: head.httpVersion === '1.1' ? 'HTTP/1.1' : `HTTP/${head.httpVersion}`,
    SERVER_SOFTWARE: server.serverSoftware,
    'wsgi.version': WSGI_VERSION,
    'wsgi.url_scheme': server.urlScheme,
    'wsgi.input': streams.input,
    'wsgi.errors': streams.errors,
    'wsgi.multithread': server.multithread,
    'wsgi.multiprocess': server.multiprocess,
    'wsgi.run_once': server.runOnce,
    'wsgi.input_terminated': streams.inputTerminated,
    'wsgi.file_wrapper': server.fileWrapper,
  };
  if (head.remoteAddress !== undefined) environ.REMOTE_ADDR = head.remoteAddress;
  if (head.remotePort !== undefined) environ.REMOTE_PORT = `${head.remotePort}`;
  const raw = head.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const key = headerEnvironKey(raw[i]);
    if (key === null) continue;
    const previous = environ[key] as string | undefined;
    // S2: repeated headers are joined with ',' (RFC 9110 §5.3), in wire order.
    environ[key] = previous === undefined ? raw[i + 1] : `${previous},${raw[i + 1]}`;
  }
  return environ;
}
