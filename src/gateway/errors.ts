// The error catalog: each error owns its HTTP status, a stable code, and a message that says how to fix it.
// docs/errors.md lists every code; a test keeps the two in step.

export interface TsgiErrorOptions {
  cause?: unknown;
}

/** Base of every error tsgi raises on purpose. `status` is what the client gets if it reaches the server. */
export abstract class TsgiError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  constructor(message: string, options?: TsgiErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The app broke the contract (S8–S14): a bug in the app, answered with 500. */
export class ContractError extends TsgiError {
  readonly code: string;
  readonly status = 500;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export const contractErrors = {
  startResponseTwice: () =>
    new ContractError(
      'TSGI_START_RESPONSE_TWICE',
      'start_response was called a second time without excInfo (PEP 3333 S10): pass the caught error as the third argument when replacing the status from an error handler',
    ),
  bodyBeforeStartResponse: () =>
    new ContractError(
      'TSGI_BODY_BEFORE_START_RESPONSE',
      'the app produced body data before calling start_response (PEP 3333 S8): call start_response before returning or yielding the first non-empty chunk',
    ),
  writeAfterEnd: () =>
    new ContractError(
      'TSGI_WRITE_AFTER_END',
      'write() was called after its response had ended (PEP 3333 S12): the write callable returned by start_response is valid only until the app returns and its body is done; do not keep it for later',
    ),
  noStartResponse: () =>
    new ContractError(
      'TSGI_NO_START_RESPONSE',
      'the app returned its body without ever calling start_response (PEP 3333 S8): call start_response(status, headers) before the body ends',
    ),
  badStatus: (status: unknown) =>
    new ContractError(
      'TSGI_BAD_STATUS',
      `invalid status ${JSON.stringify(status)}: it must be the three-digit code of a final response (200–599), a space and a reason phrase, e.g. '200 OK' (PEP 3333 S9)`,
    ),
  badHeader: (detail: string) =>
    new ContractError(
      'TSGI_BAD_HEADER',
      `invalid response header: ${detail} (PEP 3333 S9: headers are [name, value] pairs of byte strings, no control characters)`,
    ),
  badChunk: (chunk: unknown) =>
    new ContractError(
      'TSGI_BAD_CHUNK',
      `the body yielded ${describe(chunk)}; body chunks and write() arguments must be Uint8Array (PEP 3333 S13: bytes, not text). Encode text with new TextEncoder().encode(s) or Buffer.from(s)`,
    ),
  badBody: (body: unknown) =>
    new ContractError(
      'TSGI_BAD_BODY',
      `the app returned ${describe(body)}; it must return an iterable or async iterable of Uint8Array chunks (PEP 3333 S13), e.g. [new TextEncoder().encode('hi')]`,
    ),
};

/** The request cannot be served because of a server-side fault in tsgi's machinery (not the app's code). */
export class ServerFault extends TsgiError {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string, options?: TsgiErrorOptions) {
    super(message, options);
    this.code = code;
    this.status = status;
  }
}

/** The request was bad: answered with a 4xx before it reaches the app, or raised by wsgi.input. */
export class ClientError extends TsgiError {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string, options?: TsgiErrorOptions) {
    super(message, options);
    this.code = code;
    this.status = status;
  }
}

/**
 * The status logged for a request whose client went away before its response began (nginx's 499, "client closed
 * request"): never sent, since no one is there to read it.
 */
export const CLIENT_CLOSED_REQUEST = 499;

export const clientErrors = {
  bodyTooLarge: (limit: number) =>
    new ClientError(
      'TSGI_BODY_TOO_LARGE',
      413,
      `request body larger than the limit of ${limit} bytes; raise --limit-request-body if such uploads are expected`,
    ),
  bodyIncomplete: (cause?: unknown) =>
    new ClientError(
      'TSGI_BODY_INCOMPLETE',
      400,
      'the client closed the connection or sent a malformed body before the end of the request body',
      cause === undefined || cause === null ? undefined : { cause },
    ),
  clientGone: () =>
    new ClientError(
      'TSGI_CLIENT_GONE',
      CLIENT_CLOSED_REQUEST,
      'the client went away before the response began; the request was dropped (not run, or stopped where it was)',
    ),
};

/** The HTTP status an error maps to: its own when it is one of ours, else 500. */
export function statusOf(error: unknown): number {
  return error instanceof TsgiError ? error.status : 500;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'a bare Uint8Array (wrap it in an array: [bytes])';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.slice(0, 20))})`;
  if (typeof value === 'object') return `an object of type ${value.constructor?.name ?? 'Object'}`;
  return `a ${typeof value}`;
}
