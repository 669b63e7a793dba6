// The validator's stateless checks: the environ a server built (S2–S7), and the status and headers an app passed
// to start_response (S9, S17). validator.ts applies them around every call.

import { type Environ, HOP_BY_HOP_HEADERS, isByteString } from '../gateway/index.js';
import { show, validationErrors } from './validation-errors.js';

// RFC 9110 §5.6.2 token (header names, methods).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CONTROL = /[\x00-\x1f\x7f]/;
// RFC 9110 §5.5: a field value may hold TAB, as the server sends it; no other control character.
const VALUE_CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
/** S2–S7: everything a server must put in the environ, with the types and shapes the PEP gives them. */
export function checkEnviron(environ: unknown): asserts environ is Environ {
  if (typeof environ !== 'object' || environ === null || Array.isArray(environ)) {
    throw validationErrors.environNotObject(environ);
  }
  const env = environ as Record<string, unknown>;
  // S3: every CGI variable (a key without a '.') is a byte string.
  for (const key of Object.keys(env)) {
    if (key.includes('.')) continue;
    const value = env[key];
    if (typeof value !== 'string' || !isByteString(value)) throw validationErrors.notByteString(key, value);
  }
  for (const key of ['REQUEST_METHOD', 'SERVER_NAME', 'SERVER_PORT', 'SERVER_PROTOCOL']) {
    if (!env[key]) throw validationErrors.environMissing(key);
  }
  const method = env.REQUEST_METHOD as string;
  if (!TOKEN.test(method)) throw validationErrors.requestMethod(method);
  const scriptName = (env.SCRIPT_NAME as string | undefined) ?? '';
  const pathInfo = (env.PATH_INFO as string | undefined) ?? '';
  if (scriptName === '/' || (scriptName !== '' && scriptName[0] !== '/')) {
    throw validationErrors.path('SCRIPT_NAME', scriptName);
  }
  // `OPTIONS *` targets the server itself, not a path: PATH_INFO '*' is how it reaches an app.
  const asterisk = pathInfo === '*' && method === 'OPTIONS' && scriptName === '';
  if (pathInfo !== '' && pathInfo[0] !== '/' && !asterisk) throw validationErrors.path('PATH_INFO', pathInfo);
  const contentLength = env.CONTENT_LENGTH as string | undefined;
  if (contentLength !== undefined && contentLength !== '' && !/^\d+$/.test(contentLength)) {
    throw validationErrors.contentLength(contentLength);
  }
  for (const key of ['HTTP_CONTENT_TYPE', 'HTTP_CONTENT_LENGTH']) {
    if (key in env) throw validationErrors.httpContentHeader(key);
  }
  // S7: the wsgi.* keys.
  for (const key of [
    'wsgi.version',
    'wsgi.url_scheme',
    'wsgi.input',
    'wsgi.errors',
    'wsgi.multithread',
    'wsgi.multiprocess',
    'wsgi.run_once',
  ]) {
    if (!(key in env)) throw validationErrors.environMissing(key);
  }
  const version = env['wsgi.version'];
  if (!Array.isArray(version) || version.length !== 2 || version[0] !== 1 || version[1] !== 0) {
    throw validationErrors.wsgiKey('wsgi.version', '[1, 0]', version);
  }
  const scheme = env['wsgi.url_scheme'];
  if (scheme !== 'http' && scheme !== 'https')
    throw validationErrors.wsgiKey('wsgi.url_scheme', "'http' or 'https'", scheme);
  for (const key of ['wsgi.multithread', 'wsgi.multiprocess', 'wsgi.run_once']) {
    if (typeof env[key] !== 'boolean') throw validationErrors.wsgiKey(key, 'a boolean', env[key]);
  }
  if ('wsgi.input_terminated' in env && typeof env['wsgi.input_terminated'] !== 'boolean') {
    throw validationErrors.wsgiKey('wsgi.input_terminated', 'a boolean', env['wsgi.input_terminated']);
  }
  if ('wsgi.file_wrapper' in env && typeof env['wsgi.file_wrapper'] !== 'function') {
    throw validationErrors.wsgiKey(
      'wsgi.file_wrapper',
      'a function (file, blockSize?) => Body',
      env['wsgi.file_wrapper'],
    );
  }
  const input = env['wsgi.input'] as Record<string | symbol, unknown> | null;
  for (const method of ['read', 'readline', 'readlines', Symbol.asyncIterator] as const) {
    if (typeof input?.[method] !== 'function') {
      throw validationErrors.inputStream(
        `has no ${String(method)} method (S5 requires read, readline, readlines, iteration)`,
      );
    }
  }
  const errors = env['wsgi.errors'] as Record<string, unknown> | null;
  for (const method of ['write', 'writelines', 'flush']) {
    if (typeof errors?.[method] !== 'function') {
      throw validationErrors.errorsStream(`has no ${method} method (S6 requires write, writelines, flush)`);
    }
  }
}

/** S9: the status line an app passes to start_response. */
export function checkStatus(status: unknown): asserts status is string {
  if (typeof status !== 'string') throw validationErrors.status(status, 'is not a string');
  if (!/^[2-5]\d\d /.test(status))
    throw validationErrors.status(
      status,
      'does not start with the three-digit code of a final response (200–599) and a space',
    );
  if (CONTROL.test(status)) throw validationErrors.status(status, 'contains a control character');
  if (!isByteString(status)) throw validationErrors.status(status, 'has a character above U+00FF');
  if (status.length === 4 || status !== status.trim() || status[4] === ' ') {
    throw validationErrors.status(status, 'has no reason phrase, or whitespace around it');
  }
}

/** S9 and S17: the headers an app passes to start_response. */
export function checkHeaders(headers: unknown): asserts headers is Array<[string, string]> {
  if (!Array.isArray(headers)) throw validationErrors.headers(`got ${show(headers)}, not an array`);
  for (const header of headers as unknown[]) {
    if (!Array.isArray(header) || header.length !== 2) {
      throw validationErrors.headers(`${show(header)} is not a [name, value] pair`);
    }
    const [name, value] = header as unknown[];
    if (typeof name !== 'string' || !TOKEN.test(name)) {
      throw validationErrors.headers(
        `name ${show(name)} is not an HTTP token (no spaces, colons or control characters)`,
      );
    }
    const lower = name.toLowerCase();
    // wsgiref.validate's rule: a CGI gateway would read 'Status' as the status line.
    if (lower === 'status')
      throw validationErrors.headers("'Status' is not a header; the status goes in the first argument");
    if (HOP_BY_HOP_HEADERS.has(lower)) throw validationErrors.hopByHop(name);
    if (typeof value !== 'string')
      throw validationErrors.headers(`value of ${name} is ${show(value)}, not a string`);
    if (VALUE_CONTROL.test(value))
      throw validationErrors.headers(`value of ${name} contains a control character (CR, LF, …)`);
    if (!isByteString(value)) throw validationErrors.headers(`value of ${name} has a character above U+00FF`);
  }
}
