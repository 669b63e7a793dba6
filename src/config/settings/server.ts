// Where and how the server listens.

import {
  DEFAULT_FORWARDED_ALLOW_IPS,
  DEFAULT_SECURE_SCHEME_HEADERS,
  forwardedAllowEntryError,
} from '../../http/forwarded.js';
import { BindSyntaxError, parseBind } from '../../supervisor/binds.js';
import { defineSetting, InvalidValue } from '../setting.js';
import { commaList, integer, listOf, MAX_SECONDS, optionalText, seconds, text } from '../validators.js';

function bindAddress(value: unknown): string {
  const address = text(value);
  try {
    parseBind(address);
  } catch (error) {
    if (error instanceof BindSyntaxError) throw new InvalidValue(error.message);
    throw error;
  }
  return address.trim();
}

export const bind = defineSetting({
  name: 'bind',
  section: 'server',
  example: '0.0.0.0:8080',
  flags: ['-b', '--bind'],
  metavar: 'ADDRESS',
  repeatable: true,
  env: 'PORT',
  fromEnv: (port) => [bindAddress(`0.0.0.0:${port}`)],
  default: ['127.0.0.1:8000'],
  expected: 'HOST:PORT, [IPv6]:PORT, unix:PATH or fd://N',
  validate: (value) => {
    const binds = listOf(bindAddress)(value);
    // An empty list (`bind: []` in a config file) would serve nowhere and say nothing.
    if (binds.length === 0) throw new InvalidValue('an empty list binds nothing');
    return binds;
  },
  help: 'The socket to bind: HOST:PORT, [::1]:PORT, unix:PATH or fd://N. Repeat to listen on several.',
  details:
    'When the environment has `PORT`, the default is `0.0.0.0:$PORT`, as in Gunicorn. A stale unix socket file ' +
    'is removed before binding and the socket file is removed on exit. `fd://N` serves on a listening socket ' +
    'tsgi was started with as file descriptor N. Under systemd socket activation (a `.socket` unit; ' +
    '`LISTEN_FDS` and `LISTEN_PID` in the environment) tsgi serves on the sockets systemd passes, as Gunicorn ' +
    'does, and `--bind` is not used.',
});

export const backlog = defineSetting({
  name: 'backlog',
  section: 'server',
  example: '1024',
  flags: ['--backlog'],
  metavar: 'INT',
  default: 2048,
  expected: 'a whole number ≥ 1',
  validate: integer(1),
  help: 'The most connections waiting to be accepted (the listen backlog), as in Gunicorn.',
  details:
    'Clients past it wait in their SYN retries or are refused. The kernel caps the value at ' +
    '`net.core.somaxconn` (4096 on recent Linux).',
});

export const keepAlive = defineSetting({
  name: 'keepAlive',
  section: 'server',
  example: '5',
  flags: ['--keep-alive'],
  metavar: 'INT',
  default: 2,
  expected: `a whole number of seconds from 0 to ${MAX_SECONDS} (24 days)`,
  validate: seconds,
  help: 'Seconds to wait for the next request on a keep-alive connection; 0 closes after each response.',
});

function scriptName(value: unknown): string {
  const path = text(value).trim();
  if (path === '') return '';
  if (!path.startsWith('/') || path.endsWith('/')) throw new InvalidValue();
  return path;
}

export const rootPath = defineSetting({
  name: 'rootPath',
  section: 'server',
  example: '/api',
  flags: ['--root-path'],
  metavar: 'PATH',
  env: 'SCRIPT_NAME',
  default: '',
  expected: "a path starting with '/' and not ending with '/', e.g. /app",
  validate: scriptName,
  help: 'The mount point of the app (SCRIPT_NAME); it is stripped from the start of PATH_INFO.',
  details: 'Defaults to the `SCRIPT_NAME` environment variable (or `-e SCRIPT_NAME=…`), as in Gunicorn.',
});

function allowedProxies(value: unknown): string[] {
  const entries = commaList(value);
  for (const entry of entries) {
    const error = forwardedAllowEntryError(entry);
    if (error) throw new InvalidValue(error);
  }
  return entries;
}

export const forwardedAllowIps = defineSetting({
  name: 'forwardedAllowIps',
  section: 'server',
  example: '127.0.0.1,10.0.0.0/8',
  flags: ['--forwarded-allow-ips'],
  metavar: 'IPS',
  env: 'FORWARDED_ALLOW_IPS',
  fromEnv: allowedProxies,
  default: [...DEFAULT_FORWARDED_ALLOW_IPS],
  defaultText: '127.0.0.1,::1',
  expected: "comma-separated IP addresses or networks (10.0.0.0/8), or '*'",
  validate: allowedProxies,
  help: 'Proxies trusted to set the scheme: X-Forwarded-Proto/-Protocol/-Ssl from them set wsgi.url_scheme.',
  details:
    'As in Gunicorn: a request from one of these addresses (or networks; `*` trusts every peer) with ' +
    '`X-Forwarded-Proto: https`, `X-Forwarded-Protocol: ssl` or `X-Forwarded-Ssl: on` (`secureSchemeHeaders` ' +
    'changes the list) gets `wsgi.url_scheme` `https`; any other value of those headers gives `http`, and two ' +
    'that disagree are answered 400. From any ' +
    'other peer the headers reach the app but do not change the scheme. A peer on a UNIX socket is always trusted. ' +
    'Defaults to the `FORWARDED_ALLOW_IPS` environment variable, else `127.0.0.1,::1`.',
});

/** `{ 'X-Forwarded-Proto': 'https' }`: header names (tokens) to the value that means https. */
function schemeHeaderMap(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidValue();
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [name, https] of entries) {
    if (!/^[!#$%&'*+.^`|~0-9A-Za-z-]+$/.test(name))
      throw new InvalidValue(`${JSON.stringify(name)} is not a header name`);
    if (typeof https !== 'string') throw new InvalidValue(`the value for ${name} is not a string`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

export const secureSchemeHeaders = defineSetting({
  name: 'secureSchemeHeaders',
  section: 'server',
  example: "export const secureSchemeHeaders = { 'X-Forwarded-Proto': 'https' }",
  flags: [],
  configFileOnly: true,
  metavar: 'HEADERS',
  default: { ...DEFAULT_SECURE_SCHEME_HEADERS } as Record<string, string>,
  defaultText: 'X-FORWARDED-PROTOCOL: ssl, X-FORWARDED-PROTO: https, X-FORWARDED-SSL: on',
  expected: 'an object of header names to the value that means https',
  validate: schemeHeaderMap,
  help: 'Which headers from a --forwarded-allow-ips proxy set wsgi.url_scheme, and the value of each that means https.',
  details:
    "Gunicorn's `secure_scheme_headers` (a config file's dict, in a `gunicorn.conf.py` too): a request from a " +
    'trusted proxy with one of these headers gets `https` when the value is exactly the one given, `http` for any ' +
    'other value, and 400 when two of them disagree. `{}` trusts none.',
});

const PROXY_MODES: Record<string, 'off' | 'v1' | 'v2' | 'auto'> = {
  off: 'off',
  false: 'off',
  '0': 'off',
  none: 'off',
  auto: 'auto',
  true: 'auto',
  '1': 'auto',
  v1: 'v1',
  v2: 'v2',
};

/** Gunicorn's values: off, v1, v2, auto (and the booleans its older releases took). */
function proxyMode(value: unknown): 'off' | 'v1' | 'v2' | 'auto' {
  if (typeof value === 'boolean') return value ? 'auto' : 'off';
  const key = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  const mode = key !== undefined && Object.hasOwn(PROXY_MODES, key) ? PROXY_MODES[key] : undefined;
  if (mode === undefined) throw new InvalidValue();
  return mode;
}

export const proxyProtocol = defineSetting({
  name: 'proxyProtocol',
  section: 'server',
  example: 'v2',
  flags: ['--proxy-protocol'],
  metavar: 'MODE',
  bare: 'auto',
  default: 'off' as 'off' | 'v1' | 'v2' | 'auto',
  expected: 'off, v1, v2 or auto',
  validate: proxyMode,
  help:
    'Read the PROXY protocol header (HAProxy, AWS NLB) before the first request of a connection: REMOTE_ADDR is ' +
    'then the client it names. The flag alone means auto (v1 or v2).',
  details:
    'As in Gunicorn: the header is optional (a connection that starts with a request is served as it is); it is ' +
    'accepted only from `--proxy-allow-from` (403 otherwise) and a malformed one is answered 400. The environ ' +
    'gets `PROXY_PROTOCOL` (`TCP4`, `TCP6`…), `PROXY_ADDR` and `PROXY_PORT` (the address the client connected ' +
    'to), and `REMOTE_ADDR`/`REMOTE_PORT` from the header. A v1 `UNKNOWN` or a v2 `LOCAL`/`UNSPEC` header keeps ' +
    "the connection's own address (Gunicorn answers 400 to UNKNOWN and sets `None` for the others). Works " +
    'with `--certfile`: the header comes before the TLS handshake.',
});

export const proxyAllowFrom = defineSetting({
  name: 'proxyAllowFrom',
  section: 'server',
  example: '10.0.0.0/8',
  flags: ['--proxy-allow-from'],
  metavar: 'IPS',
  default: [...DEFAULT_FORWARDED_ALLOW_IPS],
  defaultText: '127.0.0.1,::1',
  expected: "comma-separated IP addresses or networks (10.0.0.0/8), or '*'",
  validate: allowedProxies,
  help: 'Peers allowed to send a PROXY header (--proxy-protocol); from others it is answered 403.',
  details: 'A peer on a UNIX socket is always allowed, as in Gunicorn.',
});

export const certfile = defineSetting({
  name: 'certfile',
  section: 'server',
  example: '/etc/ssl/example.pem',
  flags: ['--certfile'],
  metavar: 'FILE',
  default: null as string | null,
  defaultText: 'none (plain HTTP)',
  expected: 'a path to a PEM certificate (chain)',
  validate: optionalText,
  help: 'Serve HTTPS with this PEM certificate (its chain after it); apps see wsgi.url_scheme https.',
  details:
    'As in Gunicorn. Every `--bind` then speaks TLS. The files are read by each worker before it switches to ' +
    '`--user`, so a key readable by root only works.',
});

export const keyfile = defineSetting({
  name: 'keyfile',
  section: 'server',
  example: '/etc/ssl/private/example.key',
  flags: ['--keyfile'],
  metavar: 'FILE',
  default: null as string | null,
  defaultText: 'the key in --certfile',
  expected: 'a path to a PEM private key',
  validate: optionalText,
  help: 'The PEM private key for --certfile (needed unless the certificate file holds the key too).',
});

export const caCerts = defineSetting({
  name: 'caCerts',
  section: 'server',
  example: '/etc/ssl/clients-ca.pem',
  flags: ['--ca-certs'],
  metavar: 'FILE',
  default: null as string | null,
  defaultText: "Node's default roots",
  expected: 'a path to a PEM file of CA certificates',
  validate: optionalText,
  help: 'With --cert-reqs 1 or 2: the CAs a client certificate must chain to (mutual TLS).',
});

export const certReqs = defineSetting({
  name: 'certReqs',
  section: 'server',
  example: '2',
  flags: ['--cert-reqs'],
  metavar: 'INT',
  default: 0,
  expected: '0 (none), 1 (optional) or 2 (required)',
  validate: integer(0, 2),
  help: 'Ask HTTPS clients for a certificate: 0 never, 1 optional (one sent must verify), 2 required.',
  details:
    "As Gunicorn's `--cert-reqs` (Python's `ssl.CERT_NONE`, `CERT_OPTIONAL`, `CERT_REQUIRED`). A client whose " +
    'certificate does not verify against `--ca-certs` gets no connection (the handshake fails), and the error ' +
    'log says why when the certificate was optional.',
});

export const ciphers = defineSetting({
  name: 'ciphers',
  section: 'server',
  example: 'ECDHE+AESGCM:ECDHE+CHACHA20',
  flags: ['--ciphers'],
  metavar: 'CIPHERS',
  default: null as string | null,
  defaultText: "Node's default list",
  expected: 'an OpenSSL cipher list',
  validate: optionalText,
  help: 'The TLS cipher suites an HTTPS listener offers, as an OpenSSL cipher list.',
});

export const serverSettings = [
  bind,
  backlog,
  keepAlive,
  rootPath,
  forwardedAllowIps,
  secureSchemeHeaders,
  proxyProtocol,
  proxyAllowFrom,
  certfile,
  keyfile,
  caCerts,
  certReqs,
  ciphers,
] as const;
