// Where the access and error logs go.

import { DEFAULT_ACCESS_LOG_FORMAT } from '../../http/access-log.js';
import { LEVELS } from '../../log.js';
import { defineSetting } from '../setting.js';
import { nonEmptyText, oneOf, optionalText } from '../validators.js';

export const accessLogfile = defineSetting({
  name: 'accessLogfile',
  section: 'logging',
  example: '-',
  flags: ['--access-logfile'],
  metavar: 'FILE',
  default: null as string | null,
  defaultText: 'none',
  expected: "a file path, or '-' for stdout",
  validate: optionalText,
  help: "Write the access log (Gunicorn's format) to FILE; '-' means stdout.",
});

export const accessLogformat = defineSetting({
  name: 'accessLogformat',
  section: 'logging',
  example: '\'%(h)s "%(r)s" %(s)s %(b)s %(D)s\'',
  flags: ['--access-logformat'],
  metavar: 'STRING',
  default: DEFAULT_ACCESS_LOG_FORMAT,
  expected: 'a format with %(atom)s placeholders',
  validate: nonEmptyText,
  help: "The access log line, in Gunicorn's format language: %(h)s, %(r)s, %(s)s, %(D)s… (see the details).",
  details:
    "Gunicorn's atoms: `h` remote address, `l` `-`, `u` user (Basic auth), `t` date, `r` request line, `m` " +
    'method, `U` path, `q` query string, `H` protocol, `s` status, `B` and `b` response length, `f` referer, `a` ' +
    'user agent, `T` request time in seconds, `D` in microseconds, `M` in milliseconds, `L` in decimal seconds, ' +
    '`p` process id, `{name}i` a request header, `{name}o` a response header (the last of that name), `{name}e` ' +
    'an environ key (names in any case). As in Gunicorn, an unknown atom prints `-` and a `"` in a value is ' +
    'escaped as `\\"`; `%%` is a literal `%`.',
});

export const errorLogfile = defineSetting({
  name: 'errorLogfile',
  section: 'logging',
  example: '/var/log/tsgi/error.log',
  flags: ['--error-logfile', '--log-file'],
  metavar: 'FILE',
  default: '-',
  expected: "a file path, or '-' for stderr",
  validate: nonEmptyText,
  help: "Write the error log to FILE; '-' means stderr.",
});

export const logLevel = defineSetting({
  name: 'logLevel',
  section: 'logging',
  example: 'debug',
  flags: ['--log-level'],
  metavar: 'LEVEL',
  default: 'info' as (typeof LEVELS)[number],
  expected: `one of ${LEVELS.join(', ')}`,
  validate: oneOf(LEVELS),
  help: `The least severe error-log level written: ${LEVELS.join(', ')}.`,
});

export const loggingSettings = [accessLogfile, accessLogformat, errorLogfile, logLevel] as const;
