// How many workers, and when they are stopped and replaced.

import { defineSetting } from '../setting.js';
import { boolean, integer, listOf, MAX_SECONDS, nonEmptyText, oneOf, seconds } from '../validators.js';

export const workers = defineSetting({
  name: 'workers',
  section: 'workers',
  example: '4',
  flags: ['-w', '--workers'],
  metavar: 'INT',
  env: 'WEB_CONCURRENCY',
  default: 1,
  expected: 'an integer ≥ 1',
  validate: integer(1, 1024),
  help: 'Worker processes: Node processes for a script app, Python processes for a Python app.',
  details:
    'For a TypeScript/JavaScript app, tsgi pre-forks this many Node processes sharing the listening sockets. ' +
    'For a Python app, this many Python processes, shared among its Node front ends (--front-ends).',
});

export const threads = defineSetting({
  name: 'threads',
  section: 'workers',
  example: '8',
  flags: ['--threads'],
  metavar: 'INT',
  default: 1,
  expected: 'an integer ≥ 1',
  validate: integer(1, 1024),
  help: 'Threads per Python worker process, each running one request at a time. Python apps only.',
});

export const timeout = defineSetting({
  name: 'timeout',
  section: 'workers',
  example: '60',
  flags: ['-t', '--timeout'],
  metavar: 'INT',
  default: 30,
  expected: `a whole number of seconds from 0 to ${MAX_SECONDS} (24 days)`,
  validate: seconds,
  help: "A worker silent for this many seconds (a blocked event loop, a hung Python request) is killed and replaced; a Node app's request with no response after it is logged once; 0 disables.",
});

export const gracefulTimeout = defineSetting({
  name: 'gracefulTimeout',
  section: 'workers',
  example: '10',
  flags: ['--graceful-timeout'],
  metavar: 'INT',
  default: 30,
  expected: `a whole number of seconds from 0 to ${MAX_SECONDS} (24 days)`,
  validate: seconds,
  help: 'On shutdown or restart, seconds in-flight requests get to finish before their worker is killed.',
});

export const maxRequests = defineSetting({
  name: 'maxRequests',
  section: 'workers',
  example: '1000',
  flags: ['--max-requests'],
  metavar: 'INT',
  default: 0,
  expected: 'an integer ≥ 0',
  validate: integer(0),
  help: 'Restart a worker after it has served this many requests (a guard against leaks); 0 disables.',
});

export const maxRequestsJitter = defineSetting({
  name: 'maxRequestsJitter',
  section: 'workers',
  example: '50',
  flags: ['--max-requests-jitter'],
  metavar: 'INT',
  default: 0,
  expected: 'an integer ≥ 0',
  validate: integer(0),
  help: 'Add a random 0..N to --max-requests per worker, so workers do not all restart at once.',
});

export const reload = defineSetting({
  name: 'reload',
  section: 'workers',
  example: '',
  flags: ['--reload'],
  metavar: '',
  boolean: true,
  default: false,
  expected: 'true or false',
  validate: boolean,
  help: "Restart the workers when a .ts/.js/.mjs/.py/.json file under the app's directory changes. For development.",
});

export const reloadExtraFile = defineSetting({
  name: 'reloadExtraFile',
  section: 'workers',
  example: 'templates/base.html',
  flags: ['--reload-extra-file'],
  metavar: 'FILE',
  repeatable: true,
  default: [] as string[],
  defaultText: 'none',
  expected: 'a file path',
  validate: listOf(nonEmptyText),
  help: 'With --reload, also restart the workers when this file changes (any name; repeatable).',
  details:
    "As Gunicorn's `--reload-extra-file`. A relative path is taken from the working directory (after " +
    '`--chdir`). The file is watched through its directory, so an editor that saves by replacing it is seen too.',
});

const WORKER_CLASSES = ['sync', 'gthread'] as const;

export const workerClass = defineSetting({
  name: 'workerClass',
  section: 'workers',
  example: 'gthread',
  flags: ['-k', '--worker-class'],
  metavar: 'CLASS',
  default: 'sync' as (typeof WORKER_CLASSES)[number],
  expected:
    "sync or gthread (async worker classes such as gevent, eventlet or uvicorn's are not supported: " +
    'a tsgi worker runs --threads threads)',
  validate: oneOf(WORKER_CLASSES),
  help: "Gunicorn's worker type, so that its command line works unchanged: sync or gthread.",
  details:
    "Both mean the same thing here: a Python worker process runs `--threads` threads (Gunicorn's sync worker " +
    'with `--threads` above 1 becomes gthread too), and a Node worker serves concurrent requests on its event ' +
    "loop. Async worker classes are refused: their apps expect a cooperative event loop (gevent's, eventlet's, " +
    "asyncio's) that tsgi's workers do not run.",
});

export const workerSettings = [
  workers,
  workerClass,
  threads,
  timeout,
  gracefulTimeout,
  maxRequests,
  maxRequestsJitter,
  reload,
  reloadExtraFile,
] as const;
