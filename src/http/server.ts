// The HTTP/1.1 front end: node:http (llhttp) parses; this turns each request into an environ, runs the app through
// the gateway's state machine and writes the response. Malformed or oversized requests never reach the app.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import {
  type Application,
  BodyInput,
  buildEnviron,
  CLIENT_CLOSED_REQUEST,
  ClientError,
  type ClientWatch,
  type Environ,
  type ErrorReporter,
  type Errors,
  emptyInput,
  fileWrapper,
  type RequestHead,
  type RequestStreams,
  reasonPhrase,
  runApplication,
  type ServerContext,
  ServerFault,
  validateHeaders,
} from '../gateway/index.js';
import { describeError, type Logger } from '../log.js';
import type { AccessLog } from './access-log.js';
import {
  bodyErrorReported,
  bodyRejected,
  rejectClientError,
  rejectMethod,
  rejectRequest,
} from './client-errors.js';
import { type ClientSocket, trackConnections } from './connections.js';
import {
  DEFAULT_FORWARDED_ALLOW_IPS,
  DEFAULT_SECURE_SCHEME_HEADERS,
  forwardedTrust,
  type SchemeHeaders,
  schemeHeaders,
} from './forwarded.js';
import { acceptProxyProtocol, type ProxyInfo, type ProxyMode, proxyInfoOf } from './proxy-protocol.js';
import { RequestBodySource } from './request-body.js';
import { HttpResponseSink, type WriterContext } from './response-writer.js';
import { UnansweredRequests } from './unanswered.js';

export const SERVER_SOFTWARE = 'tsgi/0.1.0';

export interface HttpServerOptions {
  logger: Logger;
  accessLog?: AccessLog | null;
  /** Seconds an idle keep-alive connection stays open; 0 closes after every response (Gunicorn's --keep-alive). */
  keepAlive: number;
  /** Read a PROXY header at the start of each connection (off by default). */
  proxyProtocol?: ProxyProtocolSettings;
  /** SCRIPT_NAME: the mount point stripped from the path (S4). */
  scriptName?: string;
  urlScheme?: 'http' | 'https';
  /** PEM certificate chain and private key: serve HTTPS (Gunicorn's --certfile/--keyfile); the scheme is https. */
  tls?: TlsSettings;
  multiprocess?: boolean;
  multithread?: boolean;
  /** Longest request line in bytes, without CRLF (Gunicorn's --limit-request-line, default 4094, 0 = unlimited); longer → 414. */
  limitRequestLine?: number;
  /** Most header fields (Gunicorn's --limit-request-fields, default 100, 0 = unlimited); more → 431. */
  limitRequestFields?: number;
  /** Longest header field line `name: value` in bytes (Gunicorn's --limit-request-field_size, default 8190, 0 = unlimited); longer → 431. */
  limitRequestFieldSize?: number;
  /** Largest request body in bytes (--limit-request-body, default 0 = unlimited); larger → 413. */
  limitRequestBody?: number;
  /**
   * Peers trusted to set the scheme with X-Forwarded-Proto/-Protocol/-Ssl (Gunicorn's --forwarded-allow-ips:
   * addresses, networks, `*`); default 127.0.0.1 and ::1.
   */
  forwardedAllowIps?: readonly string[];
  /**
   * Gunicorn's secure_scheme_headers: header → the value that means https (any other value means http); default
   * X-Forwarded-Proto: https, X-Forwarded-Protocol: ssl, X-Forwarded-Ssl: on. Only from forwardedAllowIps.
   */
  secureSchemeHeaders?: Readonly<Record<string, string>>;
  /** Per-response figures (--statsd-host): the status and how long the response took, in milliseconds. */
  metrics?: RequestMetrics | null;
  /** Called after each response is finished or abandoned (the supervisor counts --max-requests here). */
  onRequestDone?: () => void;
  /** Seconds after which a request with nothing of its response sent is logged, once (unanswered.ts); 0: never. */
  unansweredAfter?: number;
}

/** An HTTPS listener's certificate and key, and what it asks of clients (Gunicorn's --ca-certs, --cert-reqs). */
export interface TlsSettings {
  cert: Buffer;
  key: Buffer;
  /** The CAs a client certificate must chain to; Node's default roots when absent. */
  ca?: Buffer;
  /** Ask for a client certificate: never, optional (one that is sent must verify), or required. */
  clientCerts?: 'none' | 'optional' | 'required';
  /** An OpenSSL cipher list. */
  ciphers?: string;
}

/** --proxy-protocol and --proxy-allow-from (Gunicorn's). */
export interface ProxyProtocolSettings {
  mode: ProxyMode;
  allowFrom: readonly string[];
  /** How long a new connection may take to send its PROXY header or first bytes (default: headersTimeout). */
  timeoutMs?: number;
}

/** Where per-response figures go: the supervisor's statsd client (Gunicorn's metric names). */
export interface RequestMetrics {
  response(status: number, durationMs: number): void;
}

const peerKey = Symbol('tsgi.peer');
/** What stays the same for every request on a connection, looked up once per socket (fast path). */
interface Peer {
  context: ServerContext | undefined;
  remoteAddress: string | undefined;
  remotePort: string | undefined;
  /** May set the scheme with X-Forwarded-Proto and the like (--forwarded-allow-ips). */
  trusted: boolean;
  /** From a PROXY header (--proxy-protocol): PROXY_PROTOCOL, PROXY_ADDR, PROXY_PORT for each environ. */
  proxyEnviron: Record<string, string> | undefined;
}
type PeerSocket = Socket & { [peerKey]?: Peer };

/** Gunicorn's request limits, where 0 means unlimited. */
interface Limits {
  requestLine: number;
  fields: number;
  fieldSize: number;
  body: number;
  /** Not a limit, but read in the same pass over the headers: the scheme a trusted proxy may set. */
  scheme: SchemeHeaders;
}

export function createHttpServer(app: Application, options: HttpServerOptions): Server {
  const { logger } = options;
  const limits: Limits = {
    requestLine: options.limitRequestLine ?? 4094,
    fields: options.limitRequestFields ?? 100,
    fieldSize: options.limitRequestFieldSize ?? 8190,
    body: options.limitRequestBody ?? 0,
    scheme: schemeHeaders(options.secureSchemeHeaders ?? DEFAULT_SECURE_SCHEME_HEADERS),
  };
  const errors: Errors = {
    write: (s) => {
      for (const line of s.split('\n')) if (line.trim()) logger.error(line);
    },
    writelines: (lines) => {
      for (const line of lines) errors.write(line);
    },
    flush: () => {},
  };
  const scriptName = options.scriptName ?? '';
  const urlScheme = options.urlScheme ?? (options.tls ? 'https' : 'http');
  const multithread = options.multithread ?? false;
  const multiprocess = options.multiprocess ?? false;
  // One context per local address, made by one object literal: every environ built from them then reads fields
  // of one hidden class (contexts made per connection by spreading a template each got their own, which made
  // buildEnviron's loads megamorphic). Bounded: behind a UNIX socket the name comes from the client's Host.
  const contexts = new Map<string, ServerContext>();
  const contextFor = (serverName: string, serverPort: string, scheme = urlScheme): ServerContext => {
    const key = `${scheme} ${serverName} ${serverPort}`;
    let context = contexts.get(key);
    if (context === undefined) {
      context = {
        serverName,
        serverPort,
        urlScheme: scheme,
        scriptName,
        multithread,
        multiprocess,
        runOnce: false,
        serverSoftware: SERVER_SOFTWARE,
        fileWrapper,
      };
      if (contexts.size < 64) contexts.set(key, context);
    }
    return context;
  };
  const keepAlive = options.keepAlive > 0;
  const isTrusted = forwardedTrust(options.forwardedAllowIps ?? DEFAULT_FORWARDED_ALLOW_IPS);
  // Fast path: every request without a body shares these.
  const noBodyStreams: RequestStreams = { input: emptyInput, errors, inputTerminated: true };

  /** Per-connection facts (SERVER_NAME/PORT, REMOTE_ADDR/PORT), computed once per socket. */
  const peerOf = (req: IncomingMessage): Peer => {
    const socket = req.socket as PeerSocket;
    let peer = socket[peerKey];
    if (peer) return peer;
    const remoteAddress = socket.remoteAddress;
    const proxy = proxyInfoOf(socket);
    peer = {
      context: undefined,
      remoteAddress: proxy?.clientAddress ?? remoteAddress,
      remotePort:
        proxy?.clientPort ?? (socket.remotePort === undefined ? undefined : String(socket.remotePort)),
      proxyEnviron: proxy && proxyEnviron(proxy),
      // A peer on a UNIX socket is trusted (only local processes reach one), known from the listener: a TCP peer
      // has no address either once it has reset the connection, and a missing address must never mean trust.
      // With a PROXY header, the peer is the proxy (as in Gunicorn, which checks the connection's own address).
      trusted:
        typeof server.address() === 'string' || (remoteAddress !== undefined && isTrusted(remoteAddress)),
    };
    if (socket.localPort !== undefined) {
      peer.context = contextFor(socket.localAddress ?? '', String(socket.localPort));
    }
    socket[peerKey] = peer;
    return peer;
  };

  /** UNIX socket: no address of our own, so SERVER_NAME/PORT come from Host, as in Gunicorn; per request. */
  const hostContext = (req: IncomingMessage, scheme: 'http' | 'https'): ServerContext => {
    const host = req.headers.host ?? '';
    const colon = host.lastIndexOf(':');
    const hasPort = colon > host.lastIndexOf(']');
    return contextFor(
      hasPort ? host.slice(0, colon) : host,
      hasPort ? host.slice(colon + 1) : scheme === 'https' ? '443' : '80',
      scheme,
    );
  };

  const state: ServerState = {
    serverHeader: 'tsgi',
    logger,
    draining: false,
    app,
    accessLog: options.accessLog ?? null,
    metrics: options.metrics ?? null,
    onRequestDone: options.onRequestDone,
    unanswered: undefined,
    report: (error, phase, environ) => {
      const where = requestLine(environ);
      if (error instanceof ClientError) {
        // The client's fault (a body cut short, too large): one line, no stack trace. A client that went away
        // is logged by the exchange when it finishes (Exchange.#finish), whichever way the request ended.
        if (error.code === 'TSGI_CLIENT_GONE') return;
        // The connection's parser failed in this body and that was logged with the parser's reason: one line.
        if (error.code === 'TSGI_BODY_INCOMPLETE' && (environ['tsgi.client'] as Exchange)?.bodyErrorReported)
          return;
        logger.warning(`${error.status} ${reasonPhrase(error.status)} for ${where}: ${error.message}`);
        return;
      }
      if (error instanceof ServerFault) {
        // tsgi's own diagnosis (a worker that died or timed out…): its code and what to do, not a JS stack.
        const when = phase === 'after-headers' ? ' after its response began; connection aborted' : '';
        logger.error(`${error.code} for ${where}${when}: ${error.message}`);
        return;
      }
      if (phase === 'close') logger.exception(`error in close() of the response to ${where}`, error);
      else if (phase === 'after-headers')
        logger.exception(`error after the response headers of ${where} went out; connection aborted`, error);
      else logger.exception(`error handling ${where}`, error);
    },
  };

  const handle = (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void => {
    const peer = peerOf(req);
    const checked = checkRequest(req, limits, peer.trusted);
    if (typeof checked === 'object') {
      rejectRequest(req, res, checked.status, checked.reason, logger);
      return;
    }
    const bodyKind = checked & BODY_KIND;
    // An Upgrade request is answered as a plain one and the connection then closed (Gunicorn keeps it open): once
    // llhttp has parsed one, node:http reads nothing more of that packet, so a request pipelined behind it would be
    // lost without a word; `Connection: close` tells the client to send it again.
    if (!keepAlive || checked & UPGRADE) res.shouldKeepAlive = false;
    const exchange = new Exchange(req, res, state, expectsContinue);
    // Fast path: a request without a body (most GETs) shares one empty, stateless wsgi.input.
    const input = bodyKind
      ? new BodyInput(
          new RequestBodySource(req, limits.body),
          expectsContinue ? () => exchange.sendContinue() : undefined,
        )
      : emptyInput;
    const head: RequestHead = {
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      httpVersion: req.httpVersion,
      rawHeaders: req.rawHeaders,
      remoteAddress: peer.remoteAddress,
      remotePort: peer.remotePort,
    };
    const streams = bodyKind ? { input, errors, inputTerminated: true } : noBodyStreams;
    // A trusted proxy's X-Forwarded-Proto (or -Protocol, -Ssl) sets the scheme (--forwarded-allow-ips).
    const scheme = checked & FORWARDED_HTTPS ? 'https' : checked & FORWARDED_HTTP ? 'http' : urlScheme;
    let context = peer.context;
    if (context === undefined) context = hostContext(req, scheme);
    else if (scheme !== urlScheme) context = contextFor(context.serverName, context.serverPort, scheme);
    const environ = buildEnviron(head, context, streams);
    if (peer.proxyEnviron !== undefined) Object.assign(environ, peer.proxyEnviron);
    environ['tsgi.client'] = exchange;
    exchange.environ = environ;
    // Pipelined requests run one at a time, in order: node:http hands the socket to a queued response when the one
    // before it finished, and never if that one closed the connection (RFC 9112 §9.6: no request after a
    // "close" is processed). This also bounds what a pipelining client can make us run and buffer.
    if (bodyKind === CHUNKED) {
      // A chunked body can be malformed in the very packet that carried the head: llhttp reports that only after
      // 'request' (and after the good chunks before it). Starting the app after this I/O turn lets such a request
      // be answered with 400 without the app ever seeing it.
      const later = () => setImmediate(() => exchange.startIfConnected());
      if (res.socket) later();
      else res.once('socket', later);
    } else if (res.socket) {
      exchange.start();
    } else {
      // Its turn came: unless the parser has failed in its body meanwhile (then the error is its answer).
      res.once('socket', () => exchange.startIfConnected());
    }
  };

  const serverOptions = {
    // llhttp's own limit on the head (URL + header bytes) is only the backstop behind the exact checks in
    // checkRequest: never below what the configured limits allow.
    maxHeaderSize: Math.max(64 * 1024, limits.requestLine + limits.fieldSize + 4096),
    // Checked in checkRequest, so that the 400 is logged like every other (node:http's own would not be).
    requireHostHeader: false,
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => handle(req, res, false);
  const server = options.tls
    ? createHttpsServer(serverOptions, options.tls, onRequest, logger)
    : createServer(serverOptions, onRequest);
  server.on('checkContinue', (req, res) => handle(req, res, true));
  server.on('clientError', (error, socket) => rejectClientError(error, socket, logger));
  // CONNECT asks for a tunnel, which a WSGI server does not make (node:http hands it here, not to the app).
  server.on('connect', (req: IncomingMessage, socket: Socket) => rejectMethod(req, socket, logger));
  // One header past the limit is enough to know it was broken; node:http drops the rest unparsed.
  server.maxHeadersCount = limits.fields > 0 ? limits.fields + 1 : 0;
  server.keepAliveTimeout = Math.max(0, options.keepAlive) * 1000;
  const proxy = options.proxyProtocol;
  if (proxy && proxy.mode !== 'off') {
    acceptProxyProtocol(server, {
      mode: proxy.mode,
      allowed: forwardedTrust(proxy.allowFrom, '--proxy-allow-from'),
      logger,
      timeoutMs: proxy.timeoutMs ?? server.headersTimeout,
    });
  }
  // After the PROXY protocol's wrapper: a connection counts from its first byte (graceful-close.ts closes the ones
  // without a request).
  trackConnections(server, options.tls !== undefined && options.tls !== null);
  if (options.unansweredAfter)
    state.unanswered = new UnansweredRequests(server, options.unansweredAfter, logger);
  drainStates.set(server, state);
  return server;
}

/** An HTTPS server is an HTTP server over TLS: the same events, limits and keep-alive, hence the same type here. */
function createHttpsServer(
  serverOptions: { maxHeaderSize: number; requireHostHeader: boolean },
  tls: TlsSettings,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
  logger: Logger,
): Server {
  const { cert, key, ca, ciphers, clientCerts = 'none' } = tls;
  const server = createTlsServer(
    {
      ...serverOptions,
      cert,
      key,
      ca,
      ciphers,
      requestCert: clientCerts !== 'none',
      rejectUnauthorized: clientCerts === 'required',
    },
    onRequest,
  );
  if (clientCerts === 'optional') {
    // Python's CERT_OPTIONAL: a client may send no certificate, but one it sends must verify.
    server.on('secureConnection', (socket: TLSSocket) => {
      if (socket.authorized || Object.keys(socket.getPeerCertificate()).length === 0) return;
      logger.warning(
        `TLS client certificate from ${socket.remoteAddress ?? 'unix socket'} refused: ${socket.authorizationError}`,
      );
      socket.destroy();
    });
  }
  return server as unknown as Server;
}

/** Gunicorn's environ keys for a connection that began with a PROXY header (REMOTE_ADDR/PORT are set apart). */
function proxyEnviron(info: ProxyInfo): Record<string, string> {
  const keys: Record<string, string> = { PROXY_PROTOCOL: info.protocol };
  if (info.proxyAddress !== undefined) keys.PROXY_ADDR = info.proxyAddress;
  if (info.proxyPort !== undefined) keys.PROXY_PORT = info.proxyPort;
  return keys;
}

const drainStates = new WeakMap<Server, WriterContext>();

/**
 * From now on every response of this server closes its connection, including requests in flight whose head has
 * not gone out yet (a retiring or stopping worker). Costs nothing per request until it is called.
 */
export function endKeepAlive(server: Server): void {
  const context = drainStates.get(server);
  if (context) context.draining = true;
}

interface Rejection {
  status: number;
  reason: string;
}

// What checkRequest found, as bits of one number (no object per request). The body (0 = none, so it reads as
// false):
const NO_BODY = 0;
const SIZED = 1;
/** Transfer-Encoding: the body's end is known only from its framing. */
const CHUNKED = 2;
const BODY_KIND = 3;
// ... and the scheme a trusted proxy forwarded, if it did:
const FORWARDED_HTTPS = 4;
const FORWARDED_HTTP = 8;
// ... and whether it asked to switch protocols (Upgrade, with Connection: upgrade):
const UPGRADE = 16;
// (while reading the fields: which of the two it has; `upgrade` as one of Connection's comma-separated options)
const UPGRADE_TOKEN = /(?:^|,)\s*upgrade\s*(?:,|$)/i;
const UPGRADE_FIELD = 1;
const CONNECTION_UPGRADE = 2;

/**
 * What node:http accepted but we refuse before the app sees it: HTTP versions other than 1.x, Gunicorn's
 * --limit-request-line / --limit-request-fields / --limit-request-field_size (each 0 = unlimited), ambiguous
 * framing, --limit-request-body and, from a trusted proxy, scheme headers that disagree. Otherwise which kind of
 * body the request has and the scheme a trusted proxy forwarded (one pass over the headers).
 */
function checkRequest(req: IncomingMessage, limits: Limits, trusted: boolean): Rejection | number {
  if (req.httpVersionMajor !== 1) {
    // llhttp lets HTTP/0.9 (a request line without a version) and HTTP/2.0 through; we speak HTTP/1.x only.
    return req.httpVersionMajor === 0
      ? { status: 400, reason: `request line without an HTTP/1.x version (HTTP/${req.httpVersion})` }
      : { status: 505, reason: `HTTP/${req.httpVersion} request on an HTTP/1.1 listener` };
  }
  // RFC 9112 §3.2.4: the asterisk-form is for a server-wide OPTIONS only (llhttp takes it with any method).
  if (req.url === '*' && req.method !== 'OPTIONS') {
    return {
      status: 400,
      reason: `${req.method} * (the asterisk-form is for OPTIONS only, RFC 9112 §3.2.4)`,
    };
  }
  // Request line as on the wire, without CRLF: method SP target SP HTTP/1.x (Gunicorn counts the same bytes).
  const line = (req.method?.length ?? 0) + (req.url?.length ?? 0) + 10;
  if (limits.requestLine > 0 && line > limits.requestLine) {
    return {
      status: 414,
      reason: `request line of ${line} bytes exceeds --limit-request-line ${limits.requestLine}`,
    };
  }
  const raw = req.rawHeaders;
  if (limits.fields > 0 && raw.length / 2 > limits.fields) {
    return {
      status: 431,
      reason: `more than ${limits.fields} header fields (--limit-request-fields)`,
    };
  }
  let hosts = 0;
  let upgrade = 0;
  let contentTypes = 0;
  let transferEncoding = false;
  let contentLength = -1;
  let forwarded = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    // A field line as on the wire, without CRLF: `name: value`.
    if (limits.fieldSize > 0 && name.length + raw[i + 1].length + 2 > limits.fieldSize) {
      return {
        status: 431,
        reason: `header ${name} is longer than --limit-request-field_size ${limits.fieldSize}`,
      };
    }
    // Fast path: only names of these lengths can be the singleton fields checked below.
    switch (name.length) {
      case 4:
        if (isFieldName(name, 'host')) hosts++;
        break;
      case 7:
        if (isFieldName(name, 'upgrade')) upgrade |= UPGRADE_FIELD;
        break;
      case 10:
        if (isFieldName(name, 'connection') && UPGRADE_TOKEN.test(raw[i + 1])) upgrade |= CONNECTION_UPGRADE;
        break;
      case 12:
        if (isFieldName(name, 'content-type')) contentTypes++;
        break;
      case 14:
        if (isFieldName(name, 'content-length')) contentLength = Number(raw[i + 1]);
        break;
      case 17:
        if (isFieldName(name, 'transfer-encoding')) transferEncoding = true;
        break;
    }
    if (trusted) {
      // Gunicorn's secure_scheme_headers: the value must be exactly this one for https; any other means http.
      const candidates = limits.scheme.byLength[name.length];
      if (candidates !== undefined) {
        for (const [lower, https] of candidates)
          if (isFieldName(name, lower)) forwarded |= raw[i + 1] === https ? FORWARDED_HTTPS : FORWARDED_HTTP;
      }
    }
  }
  // As Gunicorn: a proxy that says both https and http has a broken configuration; guessing either is unsafe.
  if (forwarded === (FORWARDED_HTTPS | FORWARDED_HTTP)) {
    return { status: 400, reason: `contradictory scheme headers (of ${limits.scheme.names})` };
  }
  // RFC 9112 §3.2: a request with more than one Host field is answered 400.
  if (hosts > 1) return { status: 400, reason: 'more than one Host header (RFC 9112 §3.2)' };
  if (hosts === 0 && req.httpVersionMinor === 1) {
    return { status: 400, reason: 'an HTTP/1.1 request without a Host header (RFC 9112 §3.2)' };
  }
  // RFC 9110 §5.3: Content-Type is a singleton; joining two would hand the app a value no client sent.
  if (contentTypes > 1) return { status: 400, reason: 'more than one Content-Type header (RFC 9110 §8.3)' };
  // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 request means faulty framing (a smuggling risk): 400 and close.
  if (transferEncoding && req.httpVersionMinor === 0) {
    return { status: 400, reason: 'Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1)' };
  }
  if (limits.body > 0 && contentLength > limits.body) {
    return {
      status: 413,
      reason: `Content-Length ${contentLength} exceeds --limit-request-body ${limits.body}`,
    };
  }
  // llhttp treats a request as an upgrade (and reads nothing after it) when it has both fields.
  const upgrading = upgrade === (UPGRADE_FIELD | CONNECTION_UPGRADE) ? UPGRADE : 0;
  return (transferEncoding ? CHUNKED : contentLength > 0 ? SIZED : NO_BODY) | forwarded | upgrading;
}

/**
 * Whether a header name is `lower` (letters and dashes, lower case) in any case, without making a lower-cased
 * copy. ORing 0x20 maps an ASCII capital to its small letter; the only other byte it could map onto a small
 * letter or a dash is not a token character (RFC 9110 §5.6.2), and llhttp refuses those in a name.
 */
function isFieldName(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let i = 0; i < lower.length; i++)
    if ((name.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/** `GET /path?query`, as the error log names a request. */
function requestLine(environ: Environ): string {
  return `${environ.REQUEST_METHOD} ${environ.RAW_URI}`;
}

/** What every exchange of one server shares (one object per server, so an exchange holds one reference). */
interface ServerState extends WriterContext {
  app: Application;
  accessLog: AccessLog | null;
  metrics: RequestMetrics | null;
  onRequestDone: (() => void) | undefined;
  report: ErrorReporter;
  /** Requests watched for having no response past --timeout (unanswered.ts), when the server watches them. */
  unanswered: UnansweredRequests | undefined;
}

/**
 * One request and its response: the response sink plus what the handler needs after the app returns (one object
 * per request, no closures).
 */
class Exchange extends HttpResponseSink<ServerState> implements ClientWatch {
  environ!: Environ;
  readonly expectsContinue: boolean;
  /** performance.now() at the start, when there is an access log to time the request for. */
  readonly startedAt: number;
  continueSent = false;

  constructor(req: IncomingMessage, res: ServerResponse, state: ServerState, expectsContinue: boolean) {
    super(req, res, state);
    this.expectsContinue = expectsContinue;
    this.startedAt = state.accessLog || state.metrics ? performance.now() : 0;
  }

  /** The parser's failure in this request's body was logged already (client-errors.ts). */
  get bodyErrorReported(): boolean {
    return bodyErrorReported(this.req);
  }

  /** PEP 3333 S16: 100 Continue only when the app first reads the body (and only before the final head). */
  sendContinue(): void {
    if (!this.res.headersSent) {
      this.continueSent = true;
      this.res.writeContinue();
    }
  }

  /** environ['tsgi.client']: node:http closes a response early when its connection goes. */
  onClientGone(listener: () => void): void {
    const res = this.res;
    if (res.destroyed) {
      if (!res.writableFinished) listener();
      return;
    }
    res.once('close', () => {
      if (!res.writableFinished) listener();
    });
  }

  /**
   * environ['tsgi.client'].earlyHints: a 103 before the final response (RFC 8297), never after its head (the 1xx
   * would land inside the response) and never to an HTTP/1.0 client (no 1xx in HTTP/1.0, RFC 9110 §15.2). Node's
   * writeEarlyHints sends hints that include a Link header. A bad header is the app's error, but the app has moved
   * on by now: it is logged and the hints dropped.
   */
  earlyHints(headers: Array<[string, string]>): void {
    const { req, res } = this;
    if (res.headersSent || res.destroyed || req.httpVersionMinor === 0) return;
    const hints: Record<string, string | string[]> = {};
    try {
      validateHeaders(headers);
      for (const [name, value] of headers) {
        const key = name.toLowerCase();
        const before = hints[key];
        hints[key] = before === undefined ? value : ([] as string[]).concat(before, value);
      }
      res.writeEarlyHints(hints);
    } catch (error) {
      this.ctx.logger.warning(`early hints for ${req.method} ${req.url} dropped: ${describeError(error)}`);
    }
  }

  /** A body the client was told to hold back (Expect: 100-continue, never read) leaves the connection unusable. */
  protected override mustClose(): boolean {
    return this.expectsContinue && !this.continueSent;
  }

  start(): void {
    const state = this.ctx;
    // Its turn: a request pipelined behind another starts when that one is done, and is timed from then.
    if (state.unanswered !== undefined) state.unanswered.began(this.req.socket as ClientSocket);
    const running = runApplication(state.app, this.environ, this, state.report);
    if (running)
      running.then(
        () => this.#finish(),
        (error) => this.#internalError(error),
      );
    else this.#finish(); // fast path: the whole response went out synchronously
  }

  /** Starts the app unless the connection is gone or the request's body is known to be broken (client-errors.ts). */
  startIfConnected(): void {
    const socket = this.req.socket;
    if (!socket.writableEnded && !socket.destroyed && !bodyRejected(this.req)) this.start();
  }

  #finish(): void {
    const state = this.ctx;
    // No head went out: the client went away first (the state machine stops at a closed sink), whether the app
    // ran, was stopped at its next chunk or (a Python request) was dropped unrun. Logged as nginx does, 499.
    const clientLeft = this.status === 0;
    if (clientLeft)
      state.logger.debug(`client of ${requestLine(this.environ)} went away before the response began`);
    if (state.accessLog) {
      try {
        state.accessLog.log({
          req: this.req,
          status: clientLeft ? CLIENT_CLOSED_REQUEST : this.status,
          bytes: this.bytesSent,
          durationMs: performance.now() - this.startedAt,
          responseHeaders: this.responseHeaders,
          environ: this.environ,
        });
      } catch (error) {
        // A log line must never cost the request count or the process (Gunicorn logs the failure the same way).
        state.logger.exception('could not write the access log line', error);
      }
    }
    // A response that never began (the client left first) is not counted, as in Gunicorn.
    if (state.metrics && !clientLeft) state.metrics.response(this.status, performance.now() - this.startedAt);
    state.onRequestDone?.();
  }

  /** runApplication never rejects: reaching this is a bug in tsgi itself. */
  #internalError(error: unknown): void {
    this.ctx.logger.critical(`internal error: ${describeError(error)}`);
    if (this.status === 0) this.status = 500; // logged as the failure it is, not as a client that left
    this.res.destroy();
    this.#finish();
  }
}
