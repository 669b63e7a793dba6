// The validator's catalog: each broken PEP 3333 rule as a ValidationError with a stable code, the side of the
// contract that broke it, and the rule's number in docs/pep3333.md. docs/errors.md lists every code.

import { TsgiError } from '../gateway/index.js';

/** Which side of the contract broke the rule: the server (or middleware acting as one) or the application. */
export type ContractSide = 'server' | 'application';

/** A broken PEP 3333 rule, found by the validator. `rule` is its number in docs/pep3333.md. */
export class ValidationError extends TsgiError {
  readonly code: string;
  readonly status = 500;
  readonly side: ContractSide;
  readonly rule: string;
  constructor(code: string, side: ContractSide, rule: string, message: string) {
    super(`${message} (PEP 3333 ${rule}, broken by the ${side})`);
    this.code = code;
    this.side = side;
    this.rule = rule;
  }
}

const server = (code: string, rule: string, message: string) =>
  new ValidationError(code, 'server', rule, message);
const application = (code: string, rule: string, message: string) =>
  new ValidationError(code, 'application', rule, message);

/** The validator's catalog: one code per rule it checks. docs/errors.md lists them all. */
export const validationErrors = {
  // --- server side ---
  environNotObject: (got: unknown) =>
    server(
      'TSGI_VALIDATE_ENVIRON',
      'S2',
      `the environ must be a plain object of CGI and wsgi.* keys; got ${show(got)}`,
    ),
  environMissing: (key: string) =>
    server(
      'TSGI_VALIDATE_ENVIRON_MISSING',
      key.startsWith('wsgi.') ? 'S7' : 'S2',
      `the environ has no ${key}, or it is empty; a server must always provide it`,
    ),
  notByteString: (key: string, value: unknown) =>
    server(
      'TSGI_VALIDATE_NOT_BYTE_STRING',
      'S3',
      `environ ${key} is ${show(value)}; every CGI variable must be a byte string (a string with no character above U+00FF)`,
    ),
  requestMethod: (value: string) =>
    server(
      'TSGI_VALIDATE_REQUEST_METHOD',
      'S2',
      `REQUEST_METHOD ${JSON.stringify(value)} is not an HTTP method token; it can never be empty`,
    ),
  path: (key: string, value: string) =>
    server(
      'TSGI_VALIDATE_PATH',
      'S4',
      `${key} ${JSON.stringify(value)} must be empty or start with '/'` +
        (key === 'SCRIPT_NAME'
          ? " (and SCRIPT_NAME is never '/': the root is SCRIPT_NAME '' with PATH_INFO '/')"
          : ''),
    ),
  contentLength: (value: string) =>
    server(
      'TSGI_VALIDATE_CONTENT_LENGTH',
      'S2',
      `CONTENT_LENGTH ${JSON.stringify(value)} is not a decimal number of bytes (leave it out when unknown)`,
    ),
  httpContentHeader: (key: string) =>
    server(
      'TSGI_VALIDATE_HTTP_CONTENT_HEADER',
      'S2',
      `the environ has ${key}; Content-Type and Content-Length go in CONTENT_TYPE and CONTENT_LENGTH, without the HTTP_ prefix`,
    ),
  wsgiKey: (key: string, expected: string, got: unknown) =>
    server('TSGI_VALIDATE_WSGI_KEY', 'S7', `environ ${key} must be ${expected}; got ${show(got)}`),
  inputStream: (detail: string) => server('TSGI_VALIDATE_INPUT_STREAM', 'S5', `wsgi.input ${detail}`),
  errorsStream: (detail: string) => server('TSGI_VALIDATE_ERRORS_STREAM', 'S6', `wsgi.errors ${detail}`),
  startResponseReturn: (got: unknown) =>
    server(
      'TSGI_VALIDATE_WRITE_CALLABLE',
      'S12',
      `start_response returned ${show(got)}; it must return the write callable`,
    ),
  closeTwice: () =>
    server(
      'TSGI_VALIDATE_CLOSE_TWICE',
      'S14',
      'the server called close() on the response body a second time',
    ),
  closeNotCalled: (request: string) =>
    server(
      'TSGI_VALIDATE_CLOSE_NOT_CALLED',
      'S14',
      `the server never called close() on the body of ${request}; it must, however the request ended`,
    ),
  iteratedAfterClose: () =>
    server(
      'TSGI_VALIDATE_ITERATED_AFTER_CLOSE',
      'S14',
      'the server iterated the response body after calling its close()',
    ),
  // --- application side ---
  status: (status: unknown, why: string) =>
    application(
      'TSGI_VALIDATE_STATUS',
      'S9',
      `status ${show(status)} ${why}; it must be a three-digit code, one space and a reason phrase, e.g. '200 OK'`,
    ),
  headers: (detail: string) =>
    application(
      'TSGI_VALIDATE_HEADERS',
      'S9',
      `response headers: ${detail}; they must be an array of [name, value] byte-string pairs`,
    ),
  hopByHop: (name: string) =>
    application(
      'TSGI_VALIDATE_HOP_BY_HOP',
      'S17',
      `the app set the hop-by-hop header ${name}; connection handling and transfer codings belong to the server`,
    ),
  startResponseTwice: () =>
    application(
      'TSGI_VALIDATE_START_RESPONSE_TWICE',
      'S10',
      'start_response was called again without excInfo; only an error handler may call it again, passing the caught error',
    ),
  noStartResponse: () =>
    application(
      'TSGI_VALIDATE_NO_START_RESPONSE',
      'S8',
      'the body ended and start_response was never called',
    ),
  bodyBeforeStartResponse: () =>
    application(
      'TSGI_VALIDATE_BODY_BEFORE_START_RESPONSE',
      'S8',
      'the body yielded a non-empty chunk before start_response was called',
    ),
  body: (got: unknown) =>
    application(
      'TSGI_VALIDATE_BODY',
      'S13',
      `the app returned ${show(got)}; it must return an iterable or async iterable of Uint8Array, e.g. [bytes]`,
    ),
  chunk: (where: string, got: unknown) =>
    application(
      'TSGI_VALIDATE_CHUNK',
      'S13',
      `${where} got ${show(got)}; body data must be Uint8Array (encode text with new TextEncoder().encode(s))`,
    ),
  writeAfterClose: () =>
    application(
      'TSGI_VALIDATE_WRITE_AFTER_CLOSE',
      'S12',
      'write() was called after the response body was closed',
    ),
  writeFromBody: () =>
    application(
      'TSGI_VALIDATE_WRITE_FROM_BODY',
      'S12',
      'write() was called while the server was iterating the body; yield the chunk from the body instead',
    ),
  inputArgument: (method: string, got: unknown) =>
    application(
      'TSGI_VALIDATE_INPUT_ARGUMENT',
      'S5',
      `wsgi.input.${method}() got ${show(got)}; its argument must be omitted or an integer`,
    ),
  inputPastEnd: (contentLength: number) =>
    application(
      'TSGI_VALIDATE_INPUT_PAST_END',
      'S5',
      `the app read wsgi.input again after all ${contentLength} bytes of CONTENT_LENGTH; without wsgi.input_terminated it must stop there`,
    ),
  errorsNotText: (method: string, got: unknown) =>
    application(
      'TSGI_VALIDATE_ERRORS_TEXT',
      'S6',
      `wsgi.errors.${method}() got ${show(got)}; it takes strings`,
    ),
};

export function show(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${value}`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') return `an object of type ${value.constructor?.name ?? 'Object'}`;
  return `a ${typeof value}`;
}
