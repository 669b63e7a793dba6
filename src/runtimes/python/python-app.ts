// A Python WSGI app as an Application: to the HTTP server, the test client and the validator it is just
// another app. Per request: read the body whole (memory, then a temp file), frame the environ, wait for
// the worker's status and headers, then hand over the body as it streams back.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Application, Environ, StartResponse } from '../../gateway/types.js';
import type { Logger } from '../../log.js';
import { discardBody, type RequestBody, readBody } from './body.js';
import { RemoteCall } from './call.js';
import type { OutputMode } from './output-lines.js';
import { PythonPool } from './pool.js';
import { encodeRequest } from './wire.js';
import type { PythonHooksConfig } from './worker.js';

export interface PythonAppOptions {
  /** 'module:callable' or 'module:factory()' (Gunicorn's syntax); 'module' means 'module:application'. */
  target: string;
  /** Interpreter; default $VIRTUAL_ENV/bin/python, else 'python3'. */
  python?: string;
  /** Working directory of the Python workers. */
  chdir?: string;
  /** Prepended to sys.path. */
  pythonpath?: string[];
  /** Python processes. */
  workers: number;
  /** wsgi.multiprocess (default: workers > 1); true when other front ends run Python processes of the same app. */
  multiprocess?: boolean;
  /** Threads per process; wsgi.multithread = threads > 1. Not used with gevent. */
  threads: number;
  /** Gunicorn's gevent worker class: each worker monkey-patches with gevent and runs requests in greenlets. */
  gevent?: boolean;
  /** With gevent: the most requests a worker runs at once (Gunicorn's --worker-connections). */
  workerConnections?: number;
  /**
   * Seconds a request may run; 0 = none. Past it: 504 for that request, its worker killed and replaced. With
   * gevent or threads above 1 (Gunicorn's gevent and gthread workers), seconds a worker may stay silent (it sends
   * no heartbeat: a blocked event loop, the GIL held by C code) before it is killed; a request may run longer.
   */
  timeout: number;
  /** Seconds to finish in-flight work on close(). */
  gracefulTimeout: number;
  /** Recycle a worker after this many requests (0 = never), without failing a request. */
  maxRequests: number;
  maxRequestsJitter: number;
  /** wsgi.errors and (with output 'log') the workers' stdout/stderr go here. */
  logger: Logger;
  /**
   * The workers' stdout and stderr: 'log' (default) into `logger` line by line; 'pass' to this process's own
   * stdout and stderr as printed (the CLI without --capture-output, as Gunicorn).
   */
  output?: OutputMode;
  env?: Record<string, string>;
  /** Request bodies above this many bytes are spooled to a temp file (default 1 MiB). */
  bodyMemoryLimit?: number;
  /** Run the calling (front-end) thread and the workers under Linux's SCHED_BATCH, see WorkerConfig (default true). */
  batchSchedule?: boolean;
  /** A gunicorn.conf.py whose worker hooks the workers run (post_fork, post_worker_init, pre/post_request, worker_exit). */
  hooks?: PythonHooksConfig | null;
  /** --preload: import the app once, in a zygote process that forks the workers from it (zygote.ts). */
  preload?: boolean;
  /** --paste-global, for a target that is a PasteDeploy file (`config:/FILE`, from --paste). */
  pasteGlobal?: Array<[string, string]>;
}

export interface PythonApplication extends Application {
  /** Spawn the workers and wait until each has imported the app; rejects with a catalog error if one cannot. */
  start(): Promise<void>;
  /** Graceful stop: finish in-flight requests for up to `graceMs` (default gracefulTimeout), then stop. */
  close(graceMs?: number): Promise<void>;
  /** The grace period ended: kill the workers now; their running requests fail, the others get 503 (PythonPool.cut). */
  cut(): Promise<void>;
}

export const DEFAULT_BODY_MEMORY_LIMIT = 1024 * 1024;
/** --worker-connections: Gunicorn's default. */
export const DEFAULT_WORKER_CONNECTIONS = 1000;
const NO_BODY: RequestBody = { bytes: new Uint8Array(0) };
const NOTHING_TO_DISCARD = () => {};

export function defaultPython(env: Record<string, string | undefined> = process.env): string {
  return env.VIRTUAL_ENV ? join(env.VIRTUAL_ENV, 'bin', 'python') : 'python3';
}

/**
 * With gevent or threads, how often a worker says it is alive (HEARTBEAT): as Gunicorn's gevent and gthread workers,
 * once a second, more often for a --timeout under 4 s, so that a silent worker is seen within the timeout; 0 = never
 * (no timeout).
 */
export function heartbeatSeconds(timeout: number): number {
  return timeout > 0 ? Math.min(1, timeout / 4) : 0;
}

export function pythonApp(options: PythonAppOptions): PythonApplication {
  const env = { ...process.env, ...options.env };
  const pool = new PythonPool({
    worker: {
      python: options.python ?? defaultPython(env),
      target: options.target,
      threads: Math.max(
        1,
        options.gevent ? (options.workerConnections ?? DEFAULT_WORKER_CONNECTIONS) : options.threads,
      ),
      gevent: options.gevent ?? false,
      // Gunicorn's gevent and gthread workers (sync with --threads above 1 is gthread) time out a worker that stops
      // beating, not a request that runs long; its sync worker, a request (docs/python.md, timeouts).
      heartbeat: options.gevent || options.threads > 1 ? heartbeatSeconds(options.timeout) : 0,
      multiprocess: options.multiprocess ?? options.workers > 1,
      cwd: options.chdir,
      pythonpath: options.pythonpath ?? [],
      env,
      batchSchedule: options.batchSchedule ?? true,
      hooks: options.hooks ?? null,
      pasteGlobal: options.pasteGlobal ?? [],
      output: options.output ?? 'log',
    },
    workers: Math.max(1, options.workers),
    timeout: options.timeout,
    maxRequests: options.maxRequests,
    maxRequestsJitter: options.maxRequestsJitter,
    gracefulTimeout: options.gracefulTimeout,
    logger: options.logger,
    preload: options.preload ?? false,
  });
  const memoryLimit = options.bodyMemoryLimit ?? DEFAULT_BODY_MEMORY_LIMIT;
  let spoolDir: string | undefined;

  const app = async (environ: Environ, startResponse: StartResponse) => {
    if (spoolDir === undefined) throw new Error('pythonApp: call start() before serving requests');
    const id = pool.nextId();
    // Fast path: a request that declares no body (most GETs) has nothing to read.
    const length = environ.CONTENT_LENGTH;
    const hasBody = (length !== undefined && length !== '0') || environ.HTTP_TRANSFER_ENCODING !== undefined;
    const body = hasBody ? await readBody(environ['wsgi.input'], memoryLimit, spoolDir, String(id)) : NO_BODY;
    const { keys, values } = environLists(environ, 'path' in body ? body.length : body.bytes.length);
    const frame = encodeRequest(id, keys, values, 'path' in body ? body.path : body.bytes);
    // A body spooled to a file is removed once the worker is done with it; one in memory needs nothing.
    const call = new RemoteCall(
      id,
      frame,
      pool,
      'path' in body ? () => void discardBody(body) : NOTHING_TO_DISCARD,
    );
    // An error once the response went out whole (the app raised after its Content-Length, in close(), or ran
    // past --timeout there) has nobody left to answer: the log says so. Set before any frame can arrive.
    call.lateFailure = (error) =>
      options.logger.error(
        `after the response to ${environ.REQUEST_METHOD} ${environ.RAW_URI} was whole: ${error.message}`,
      );
    pool.submit(call);
    // A client that leaves while its request waits (in the pool or a worker's queue) takes the request with it:
    // never started, or stopped at its next chunk (ABORT), instead of running for nobody.
    const client = environ['tsgi.client'];
    client?.onClientGone(() => call.close());
    call.hintsTo = client;
    let head: Awaited<typeof call.head>;
    try {
      head = await call.head;
      // The contract's checks run here too (a status without a reason, a bad header): the worker may still be
      // producing the body, so a refusal must stop it (close() sends ABORT) rather than leave it waiting for credit.
      startResponse(head.status, head.headers);
    } catch (error) {
      call.close();
      throw error;
    }
    // Fast path: the whole response came in one read; its chunks need no async iteration each.
    const whole = call.complete;
    return whole === undefined ? call.body() : new ArrivedWhole(whole);
  };

  return Object.assign(app, {
    async start(): Promise<void> {
      spoolDir = await mkdtemp(join(tmpdir(), 'tsgi-body-'));
      try {
        await pool.start();
      } catch (error) {
        await rm(spoolDir, { recursive: true, force: true });
        throw error;
      }
    },
    cut: () => pool.cut(),
    async close(graceMs = options.gracefulTimeout * 1000): Promise<void> {
      await pool.close(graceMs);
      if (spoolDir !== undefined) await rm(spoolDir, { recursive: true, force: true });
    },
    pool,
  });
}

/**
 * A Python response that arrived whole, as an iterable rather than an array: the gateway gives an array body a
 * Content-Length of its own, and a Python response's framing must not depend on how fast it came (one without a
 * Content-Length goes out chunked, as Gunicorn sends it, however it arrived).
 */
class ArrivedWhole implements Iterable<Uint8Array> {
  readonly #chunks: Uint8Array[];
  constructor(chunks: Uint8Array[]) {
    this.#chunks = chunks;
  }
  [Symbol.iterator](): Iterator<Uint8Array> {
    return this.#chunks[Symbol.iterator]();
  }
}

/**
 * The environ as its keys and their values, byte strings: every string-valued key passes through (S2, S3).
 * CONTENT_LENGTH is the real length of the body that was read whole, so a chunked upload arrives with one
 * (unlike Gunicorn).
 */
export function environLists(environ: Environ, bodyLength: number): { keys: string[]; values: string[] } {
  const keys: string[] = [];
  const values: string[] = [];
  for (const key in environ) {
    const value = environ[key];
    if (typeof value !== 'string' || key === 'CONTENT_LENGTH') continue;
    keys.push(key);
    values.push(value);
  }
  if (
    bodyLength > 0 ||
    environ.CONTENT_LENGTH !== undefined ||
    environ.HTTP_TRANSFER_ENCODING !== undefined
  ) {
    keys.push('CONTENT_LENGTH');
    values.push(String(bodyLength));
  }
  return { keys, values };
}
