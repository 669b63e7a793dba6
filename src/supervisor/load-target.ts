// Loads the worker's app: a script in this process, or a Python module in a pool of Python processes that this
// process fronts. Either way the result is an Application the HTTP server runs.

import type { Application } from '../gateway/index.js';
import type { Logger } from '../log.js';
import { loadApplication } from '../runtimes/node/load-app.js';
import { poolShare } from './front-ends.js';
import type { SupervisorOptions } from './options.js';
import { targetKind } from './target.js';

/**
 * close() for an app that never served (--check-config, a bind that failed): nothing runs, so this only bounds the
 * workers' own exit (a Python worker's interpreter shutdown, its worker_exit hook) before they are killed.
 */
export const IDLE_CLOSE_MS = 5000;

export interface LoadedApp {
  app: Application;
  /** wsgi.multiprocess / wsgi.multithread for the environ. */
  multiprocess: boolean;
  multithread: boolean;
  /**
   * Whether the app runs in this process (a Node app): then this process counts --max-requests and logs requests
   * left unanswered past --timeout; a Python pool does both for its own processes.
   */
  inProcess: boolean;
  /**
   * The grace period ended with requests in flight: stop what still runs and answer what can be answered, before
   * the connections are closed (a Python pool: its workers are killed, requests they had not started get 503).
   */
  cut?(): Promise<void>;
  close(graceMs: number): Promise<void>;
}

export async function loadTarget(options: SupervisorOptions, logger: Logger): Promise<LoadedApp> {
  if (targetKind(options.app) === 'script') {
    const app = await loadApplication(options.app, process.cwd());
    return {
      app,
      multiprocess: options.workers > 1,
      multithread: false,
      inProcess: true,
      close: async () => {},
    };
  }
  // Loaded only for a Python target: a TypeScript worker never pays for the Python runtime.
  const { pythonApp } = await import('../runtimes/python/index.js');
  const app = pythonApp({
    target: options.app,
    python: options.python ?? undefined,
    chdir: process.cwd(),
    pythonpath: [...options.pythonpath],
    // This front end's share of the --workers processes; wsgi.multiprocess is about all of them.
    workers: poolShare(options.workers, options.frontEnd),
    multiprocess: options.workers > 1,
    threads: options.threads,
    gevent: options.workerClass === 'gevent',
    workerConnections: options.workerConnections,
    timeout: options.timeout,
    gracefulTimeout: options.gracefulTimeout,
    maxRequests: options.maxRequests,
    maxRequestsJitter: options.maxRequestsJitter,
    logger,
    // As Gunicorn: what the app prints goes to tsgi's own stdout and stderr as printed; with --capture-output and
    // an error log file (Gunicorn captures nothing for `-`), into the error log, line by line.
    output: options.captureOutput && options.errorLogfile !== '-' ? 'log' : 'pass',
    hooks: options.pythonHooks ?? null,
    preload: options.preload,
    pasteGlobal: options.pasteGlobal,
  });
  await app.start();
  return {
    app,
    multiprocess: options.workers > 1,
    multithread: options.workerClass === 'gevent' || options.threads > 1,
    inProcess: false,
    cut: () => app.cut(),
    close: (graceMs) => app.close(graceMs),
  };
}
