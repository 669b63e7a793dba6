// Where the access and error logs go.

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

export const loggingSettings = [accessLogfile, errorLogfile, logLevel] as const;
