// Where the access and error logs go.

import { DEFAULT_ACCESS_LOG_FORMAT } from '../../http/access-log.js';
import { LEVELS } from '../../log.js';
import { parseStatsdHost } from '../../supervisor/statsd.js';
import { parseSyslogAddress, SYSLOG_FACILITIES } from '../../supervisor/syslog.js';
import { defineSetting, InvalidValue } from '../setting.js';
import { boolean, nonEmptyText, oneOf, optionalText, text } from '../validators.js';

function statsdAddress(value: unknown): string | null {
  const address = optionalText(value);
  if (address === null) return null;
  try {
    parseStatsdHost(address);
  } catch {
    throw new InvalidValue();
  }
  return address;
}

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
    'escaped as `\\"`; `%%` is a literal `%`. A request whose client went away before its response began has ' +
    "status `499`, as in nginx's log (nothing was sent; `--log-level debug` says so in the error log too).",
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

export const captureOutput = defineSetting({
  name: 'captureOutput',
  section: 'logging',
  example: '',
  flags: ['--capture-output'],
  metavar: '',
  boolean: true,
  default: false,
  expected: 'true or false',
  validate: boolean,
  help: "Write the workers' stdout and stderr to the error log, as Gunicorn does; without it they print to tsgi's own.",
  details:
    "For a TypeScript/JavaScript app, as in Gunicorn: its workers' stdout and stderr go, as printed, where the " +
    "error log goes (the `--error-logfile` file, or stderr for `-`). A Python worker's output is logged into the " +
    'error log file line by line (`[python PID] …`, stdout at info level, stderr at error level); with the error ' +
    "log on stderr (`-`) it changes nothing for a Python app, as in Gunicorn. Without it, either goes to tsgi's " +
    "own stdout and stderr as printed, as Gunicorn's workers inherit its own (a JSON log line stays one).",
});

export const statsdHost = defineSetting({
  name: 'statsdHost',
  section: 'logging',
  example: 'localhost:8125',
  flags: ['--statsd-host'],
  metavar: 'HOST:PORT',
  default: null as string | null,
  defaultText: 'none',
  expected: 'HOST:PORT or [IPv6]:PORT (UDP; the port defaults to 8125)',
  validate: statsdAddress,
  help: "Send Gunicorn's statsd metrics to this UDP address: requests, their duration and status, workers, log lines.",
  details:
    "The names are Gunicorn's, so its dashboards keep working: `gunicorn.requests` and " +
    '`gunicorn.request.status.CODE` (counters), `gunicorn.request.duration` (a timer, ms), `gunicorn.workers` (a ' +
    'gauge) and `gunicorn.log.warning`/`error`/`critical`/`exception` (counters). Unix datagram sockets ' +
    "(Gunicorn's `unix:` form) are not supported.",
});

export const statsdPrefix = defineSetting({
  name: 'statsdPrefix',
  section: 'logging',
  example: 'shop',
  flags: ['--statsd-prefix'],
  metavar: 'PREFIX',
  default: '',
  defaultText: 'none',
  expected: 'a metric name prefix',
  validate: text,
  help: 'A prefix for every statsd metric name (a dot is added), e.g. shop → shop.gunicorn.requests.',
});

export const dogstatsdTags = defineSetting({
  name: 'dogstatsdTags',
  section: 'logging',
  example: 'env:prod,app:shop',
  flags: ['--dogstatsd-tags'],
  metavar: 'TAGS',
  default: '',
  defaultText: 'none',
  expected: 'comma-separated key:value tags',
  validate: text,
  help: 'DogStatsD tags added to every metric (|#TAGS), as Gunicorn does.',
});

export const logSyslog = defineSetting({
  name: 'logSyslog',
  section: 'logging',
  example: '',
  flags: ['--log-syslog'],
  metavar: '',
  boolean: true,
  default: false,
  expected: 'true or false',
  validate: boolean,
  help: 'Also send the error log (and the access log) to syslog, at --log-syslog-to.',
  details:
    "As Gunicorn's: one message per entry, `<PRI>tsgi.PREFIX.error: [pid] message` (the access log's as " +
    '`tsgi.PREFIX.access: [pid] line`), ended by a NUL byte; the priority is the facility and the level. The log ' +
    'files are written as before; access lines go to syslog even without `--access-logfile`.',
});

function syslogAddress(value: unknown): string {
  const address = nonEmptyText(value);
  try {
    parseSyslogAddress(address);
  } catch (error) {
    throw new InvalidValue((error as Error).message);
  }
  return address;
}

export const logSyslogTo = defineSetting({
  name: 'logSyslogTo',
  section: 'logging',
  example: 'udp://logs.internal:514',
  flags: ['--log-syslog-to'],
  metavar: 'ADDRESS',
  default: 'udp://localhost:514',
  expected: 'udp://HOST:PORT, tcp://HOST:PORT or unix://PATH#stream',
  validate: syslogAddress,
  help: 'Where --log-syslog sends: a syslog daemon over UDP, TCP or a unix stream socket.',
  details:
    "Gunicorn's default on Linux, `udp://localhost:514` (rsyslog's imudp). A unix socket must be a stream one, " +
    'written `unix://PATH#stream`: a datagram socket such as `/dev/log` cannot be written from Node, so a plain ' +
    "`unix:///dev/log` (which Gunicorn accepts) is refused with that reason; send to rsyslog's UDP or TCP input.",
});

export const logSyslogPrefix = defineSetting({
  name: 'logSyslogPrefix',
  section: 'logging',
  example: 'shop',
  flags: ['--log-syslog-prefix'],
  metavar: 'NAME',
  default: null as string | null,
  defaultText: '--name, else the APP',
  expected: 'a name',
  validate: optionalText,
  help: 'The program name in syslog messages: tsgi.NAME.error and tsgi.NAME.access.',
});

export const logSyslogFacility = defineSetting({
  name: 'logSyslogFacility',
  section: 'logging',
  example: 'local0',
  flags: ['--log-syslog-facility'],
  metavar: 'NAME',
  default: 'user',
  expected: `a syslog facility (${Object.keys(SYSLOG_FACILITIES).join(', ')})`,
  validate: oneOf(Object.keys(SYSLOG_FACILITIES)),
  help: 'The syslog facility of the messages: user, daemon, local0…local7 and the others.',
});

export const disableRedirectAccessToSyslog = defineSetting({
  name: 'disableRedirectAccessToSyslog',
  section: 'logging',
  example: '',
  flags: ['--disable-redirect-access-to-syslog'],
  metavar: '',
  boolean: true,
  default: false,
  expected: 'true or false',
  validate: boolean,
  help: 'With --log-syslog, send only the error log to syslog, not the access log.',
});

export const loggingSettings = [
  accessLogfile,
  accessLogformat,
  errorLogfile,
  logLevel,
  captureOutput,
  statsdHost,
  statsdPrefix,
  dogstatsdTags,
  logSyslog,
  logSyslogTo,
  logSyslogPrefix,
  logSyslogFacility,
  disableRedirectAccessToSyslog,
] as const;
