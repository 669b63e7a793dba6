// Limits on the request head, Gunicorn's security settings. 0 means unlimited.

import { defineSetting } from '../setting.js';
import { integer } from '../validators.js';

export const limitRequestLine = defineSetting({
  name: 'limitRequestLine',
  section: 'limits',
  example: '8190',
  flags: ['--limit-request-line'],
  metavar: 'INT',
  default: 4094,
  expected: 'a number of bytes from 0 (unlimited) to 8190',
  validate: integer(0, 8190),
  help: 'The longest request line accepted, in bytes; longer is answered 414. 0 means unlimited.',
});

export const limitRequestFields = defineSetting({
  name: 'limitRequestFields',
  section: 'limits',
  example: '50',
  flags: ['--limit-request-fields'],
  metavar: 'INT',
  default: 100,
  expected: 'a number of header fields from 0 (unlimited) to 32768',
  validate: integer(0, 32768),
  help: 'The most header fields accepted in a request; more is answered 431. 0 means unlimited.',
});

export const limitRequestFieldSize = defineSetting({
  name: 'limitRequestFieldSize',
  section: 'limits',
  example: '16380',
  flags: ['--limit-request-field_size', '--limit-request-field-size'],
  metavar: 'INT',
  default: 8190,
  expected: 'a number of bytes ≥ 0 (0 is unlimited)',
  validate: integer(0),
  help: 'The longest header field accepted (name and value), in bytes; longer is answered 431. 0 means unlimited.',
});

export const limitRequestBody = defineSetting({
  name: 'limitRequestBody',
  section: 'limits',
  example: '10485760',
  flags: ['--limit-request-body'],
  metavar: 'BYTES',
  default: 0,
  expected: 'a number of bytes ≥ 0 (0 is unlimited)',
  validate: integer(0),
  help: 'The largest request body accepted, in bytes; larger is answered 413 (a declared Content-Length before the app runs, a chunked body when it passes the limit). 0 means unlimited, as in Gunicorn.',
});

export const limitSettings = [
  limitRequestLine,
  limitRequestFields,
  limitRequestFieldSize,
  limitRequestBody,
] as const;
