// How many workers, and when they are stopped and replaced.

import { DEFAULT_WORKER_CONNECTIONS } from '../../runtimes/python/python-app.js';
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
  details:
    "For a Python app it follows Gunicorn's worker classes: with one thread per worker (sync), a request that runs " +
    'longer gets 504 and its worker is killed; with `--threads` above 1 (gthread) or `-k gevent`, a request may run ' +
    'as long as it likes and a worker is killed only when it sends no heartbeat for that long (C code holding the ' +
    'GIL, a blocked event loop).',
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

const WORKER_CLASSES = ['sync', 'gthread', 'gevent'] as const;
type WorkerClass = (typeof WORKER_CLASSES)[number];

/** Gunicorn's other names for these classes (lowercased): its class paths, `egg:` URIs and gevent's pywsgi variants,
 * which here run as gevent (the environ is Gunicorn's own, not gevent.pywsgi's). */
const WORKER_CLASS_ALIASES: Readonly<Record<string, WorkerClass>> = {
  'gunicorn.workers.sync.syncworker': 'sync',
  'egg:gunicorn#sync': 'sync',
  'gunicorn.workers.gthread.threadworker': 'gthread',
  'egg:gunicorn#gthread': 'gthread',
  'gunicorn.workers.ggevent.geventworker': 'gevent',
  'egg:gunicorn#gevent': 'gevent',
  gevent_wsgi: 'gevent',
  gevent_pywsgi: 'gevent',
  'gunicorn.workers.ggevent.geventpywsgiworker': 'gevent',
  'egg:gunicorn#gevent_wsgi': 'gevent',
  'egg:gunicorn#gevent_pywsgi': 'gevent',
};

function workerClassValue(value: unknown): WorkerClass {
  const alias = typeof value === 'string' ? WORKER_CLASS_ALIASES[value.trim().toLowerCase()] : undefined;
  return alias ?? oneOf(WORKER_CLASSES)(value);
}

export const workerClass = defineSetting({
  name: 'workerClass',
  section: 'workers',
  example: 'gevent',
  flags: ['-k', '--worker-class'],
  metavar: 'CLASS',
  default: 'sync' as WorkerClass,
  expected:
    "sync, gthread or gevent (other async worker classes, such as eventlet, tornado, uvicorn's or gevent-websocket's, are not supported)",
  validate: workerClassValue,
  help: "Gunicorn's worker type: sync or gthread (a Python worker runs --threads threads), or gevent (it runs up to --worker-connections requests in greenlets).",
  details:
    "sync and gthread mean the same thing here: a Python worker process runs `--threads` threads (Gunicorn's " +
    "sync worker with `--threads` above 1 becomes gthread too). With gevent, as with Gunicorn's gevent worker, " +
    'each Python worker monkey-patches the standard library with `gevent.monkey.patch_all()` before the app is ' +
    'imported (with --preload: in each worker after the fork, as Gunicorn does) and runs each request in a greenlet, ' +
    'up to --worker-connections at once (`wsgi.multithread` is true); --threads has no effect, and --timeout kills ' +
    'a worker whose event loop stays blocked that long, not one whose request merely runs long. gevent must be ' +
    "installed in the app's interpreter. A TypeScript app ignores the setting: a Node worker serves concurrent " +
    "requests on its event loop. Gunicorn's other names for these classes are accepted (`gevent_wsgi` and " +
    "`gevent_pywsgi` run as gevent, with Gunicorn's environ rather than gevent.pywsgi's; " +
    '`gunicorn.workers.ggevent.GeventWorker` and the like). Other async worker classes are refused.',
});

export const workerConnections = defineSetting({
  name: 'workerConnections',
  section: 'workers',
  example: '500',
  flags: ['--worker-connections'],
  metavar: 'INT',
  default: DEFAULT_WORKER_CONNECTIONS,
  expected: 'an integer ≥ 1',
  validate: integer(1, 100_000),
  help: 'With -k gevent: the most requests a Python worker runs at once, each in a greenlet.',
  details:
    "As Gunicorn's `--worker-connections` for its gevent worker. Without gevent it has no effect: the front end " +
    'holds any number of client connections, and a Python worker runs --threads requests at once.',
});

export const workerSettings = [
  workers,
  workerClass,
  workerConnections,
  threads,
  timeout,
  gracefulTimeout,
  maxRequests,
  maxRequestsJitter,
  reload,
  reloadExtraFile,
] as const;
