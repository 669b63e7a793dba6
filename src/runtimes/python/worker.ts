// One Python worker process: spawn it, speak frames with it on fd 3 (a UNIX socketpair), log its output, and
// say when it is ready or why it could not become so. Policy (which request goes where) is the pool's.

import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../log.js';
import type { RemoteCall } from './call.js';
import { CallList } from './call-list.js';
import { pythonErrors } from './errors.js';
import { HELD_RING_SIZE, HeldRing } from './held-ring.js';
import { type OutputMode, type OutputTap, takeOutput } from './output-lines.js';
import { decodeStrings, encodeFrame, FrameDecoder, FrameType } from './wire.js';
import type { PythonZygote } from './zygote.js';

/** The folder holding the tsgi_worker package (top-level `python/` of the npm package). */
export const PYTHON_ROOT = fileURLToPath(new URL('../../../python', import.meta.url));

// Put our package first on sys.path only while importing it, so the app's sys.path stays its own.
const BOOTSTRAP =
  'import sys;sys.path.insert(0,sys.argv[1]);import tsgi_worker.__main__ as m;' +
  'sys.path.remove(sys.argv[1]);m.main(sys.argv)';

/** After a worker exits, how long its channel may take to deliver what it sent last. */
const EXIT_DRAIN_MS = 100;

export interface WorkerConfig {
  python: string;
  target: string;
  /** Requests the worker runs at once: its threads, or with gevent its greenlets (--worker-connections). */
  threads: number;
  /** -k gevent: the worker monkey-patches with gevent and runs each request in a greenlet (worker.py). */
  gevent?: boolean;
  /**
   * Seconds between the worker's HEARTBEAT frames (0: none): with gevent from a greenlet, with threads from a thread
   * of its own. When set, --timeout watches these (a silent worker), not how long a request runs.
   */
  heartbeat?: number;
  /** Its stdout and stderr: 'log' (default) into the logger as lines, 'pass' to this process's own as printed. */
  output?: OutputMode;
  multiprocess: boolean;
  cwd?: string;
  pythonpath: string[];
  env: Record<string, string | undefined>;
  /**
   * Put this (the front end's) event-loop thread and the worker under Linux's SCHED_BATCH: neither then preempts
   * the other when it wakes it, so on a shared core each runs through a whole batch of requests (the front end
   * queues several, the worker answers them all) before the other runs, instead of switching once per frame.
   * Measured with the server on one core: +37% req/s for Flask (front end alone), and with the worker as well
   * +47% plain `Connection: close` (docs/python.md).
   */
  batchSchedule?: boolean;
  /** A gunicorn.conf.py whose worker hooks (post_fork, pre_request…) the worker runs, and where to import it from. */
  hooks?: PythonHooksConfig | null;
  /** --paste-global: the PasteDeploy file's global_conf, when the target is a --paste file (`config:/FILE`). */
  pasteGlobal?: Array<[string, string]>;
}

/** Where a Python config file is (a path, or `python:MODULE`) and the directory its imports are relative to. */
export interface PythonHooksConfig {
  location: string;
  cwd: string;
  /** The settings in force, under Gunicorn's names: what hooks read as `server.cfg` and `worker.cfg`. */
  cfg?: Record<string, unknown>;
}

export interface WorkerHandlers {
  frame(worker: PythonWorker, type: number, id: number, payload: Buffer): void;
  exit(worker: PythonWorker, how: string): void;
}

export class PythonWorker {
  /** Outstanding calls in the order they were sent. */
  readonly calls = new CallList();
  /** Requests sent to it so far, and how many it may take before it is recycled (0 = no limit). */
  served = 0;
  limit = 0;
  ready = false;
  retiring = false;
  /** A replacement was already started for this worker (max-requests): its exit must not start another. */
  replaced = false;
  exited = false;
  /** How long its requests run, a moving average in ms per request (per thread); undefined before the first. */
  paceMs: number | undefined;
  /** Set when the pool killed it for a timeout: its running calls answer 504, not 502. */
  killedFor: 'timeout' | 'shutdown' | undefined;
  /** The call whose timeout got it killed. */
  timedOut: RemoteCall | undefined;
  /** When its exit was handled (performance.now()): calls marked started from then on were started by the held
   * responses delivered at its exit, that is, the worker was running them when it died. */
  exitedAt: number | undefined;
  /** With a heartbeat, when its last HEARTBEAT (or READY) came, in performance.now() ms: it could run Python then. */
  heardAt = 0;
  /** Resolves when the app is imported; rejects with a catalog error when it cannot be. */
  readonly booted: Promise<void>;

  readonly #process: WorkerProcess;
  readonly #socket: Socket;
  /** Its stdout and stderr as they are being taken (a forked worker's: its own pipes, once adopted). */
  #output: OutputTap;
  /** Frames queued since the last flush; they leave together at the end of this event-loop turn. */
  #outbox: Buffer[] = [];

  constructor(config: WorkerConfig, logger: Logger, handlers: WorkerHandlers, zygote?: PythonZygote) {
    // Held responses need one thread (the worker's loop decides when to send) and the ring Node reads after a crash;
    // a worker the zygote forks makes its own, which we open once its FORKED frame says where it is.
    const holds = config.threads === 1 && !config.gevent;
    let ring = holds && !zygote ? HeldRing.open() : undefined;
    this.#process = zygote ? zygote.fork(holds ? HELD_RING_SIZE : 0) : spawnWorker(config, ring);
    this.#socket = this.#process.channel;

    let bootResolve!: () => void;
    let bootReject!: (error: Error) => void;
    this.booted = new Promise<void>((resolve, reject) => {
      bootResolve = resolve;
      bootReject = reject;
    });
    this.booted.catch(() => {});

    const decoder = new FrameDecoder();
    /** Bytes of the worker's stream read so far: where the frames it held and never sent begin. */
    let received = 0;
    const onFrame = (type: number, id: number, payload: Buffer): void => {
      if (type === FrameType.READY) {
        this.ready = true;
        this.heardAt = performance.now();
        logger.info(`Booted Python worker with pid: ${this.pid} (${payload.toString('utf8')})`);
        bootResolve();
      } else if (type === FrameType.IMPORT_FAILED) {
        bootReject(importFailed(payload, config.target, logger, `Python worker ${this.pid}`));
      } else if (type === FrameType.FORKED) {
        const pid = payload.readUInt32BE(0);
        const ringFd = payload.readInt32BE(4);
        this.#process.forked?.(pid);
        if (this.exited) return;
        if (ringFd >= 0) {
          // It holds responses only once told we could open its ring (RING, ahead of any request): what we cannot
          // read after a crash must not wait in it.
          ring ??= HeldRing.adopt(`/proc/${pid}/fd/${ringFd}`, HELD_RING_SIZE);
          this.send(encodeFrame(FrameType.RING, 0, Uint8Array.of(ring ? 1 : 0)));
        }
        // Its own stdout and stderr pipes (output.py), logged under its pid; it waits for OUTPUT before it runs on.
        const pipes = adoptOutput(pid, payload.readInt32BE(8), payload.readInt32BE(12));
        if (pipes)
          this.#output = takeOutput(config.output ?? 'log', pipes, logger, () => this.pid, lastLines);
        this.send(encodeFrame(FrameType.OUTPUT, 0, Uint8Array.of(pipes ? 1 : 0)));
      } else {
        if (type === FrameType.HEARTBEAT) this.heardAt = performance.now();
        handlers.frame(this, type, id, payload);
      }
    };
    this.#socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      try {
        decoder.push(chunk, onFrame);
      } catch (error) {
        logger.exception(`Python worker ${this.pid} sent a malformed frame; killing it`, error);
        this.kill('SIGKILL');
      }
    });
    this.#socket.on('error', () => {}); // the exit handler reports what matters

    this.#output = takeOutput(config.output ?? 'log', this.#process, logger, () => this.pid);
    const lastLines = this.#output.last;

    this.#process.on('error', (error: NodeJS.ErrnoException) => {
      if (this.exited) return;
      this.exited = true;
      ring?.close();
      bootReject(pythonErrors.pythonNotFound(config.python, error.code ?? error.message));
      handlers.exit(this, `spawn failed: ${error.code ?? error.message}`);
    });
    this.#process.on('exit', (code, signal) => {
      if (this.exited) return;
      this.exited = true; // no new work from here on
      // Neither: a worker the zygote was to fork and never did (its connection to the zygote closed).
      const how = signal ? `killed by ${signal}` : code !== null ? `exit code ${code}` : 'never forked';
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        this.#socket.destroy();
        this.exitedAt = performance.now();
        if (ring) {
          // Whole responses it had held and not sent (it died with more requests queued): deliver them, and let
          // their ENDs say, as they would have, which of its requests had started.
          const unsent = ring.unsent(received);
          ring.close();
          if (unsent) {
            logger.info(
              `Python worker ${this.pid} exited holding ${unsent.length} bytes of responses: delivering them`,
            );
            try {
              decoder.push(unsent, onFrame);
            } catch (error) {
              logger.exception(`Python worker ${this.pid} held malformed frames`, error);
            }
          }
        }
        bootReject(pythonErrors.workerExitedAtBoot(config.python, how, lastLines.join('\n')));
        handlers.exit(this, how);
      };
      // Frames the worker sent just before it exited (an END) may still be unread: let the channel drain first,
      // briefly, so a request that completed is not failed with the worker.
      if (this.#socket.destroyed || this.#socket.readableEnded) return finish();
      const timer = setTimeout(finish, EXIT_DRAIN_MS);
      this.#socket.once('close', () => {
        clearTimeout(timer);
        finish();
      });
    });
  }

  /** Its pid: undefined while a worker the zygote is to fork (--preload) has not been forked yet. */
  get pid(): number | undefined {
    return this.#process.pid;
  }

  /**
   * Queue a frame. Frames queued in one event-loop turn leave in one write after its I/O callbacks
   * (setImmediate): the requests of every client read in that turn reach the worker in one system call and one
   * wake-up (WORKERS.md), instead of one write per request through the stream machinery.
   */
  send(frame: Buffer): void {
    if (this.exited) return;
    if (this.#outbox.push(frame) === 1) setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    const frames = this.#outbox;
    this.#outbox = [];
    if (this.exited || this.#socket.destroyed) return;
    this.#socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
  };

  /** Finish the queued requests, then exit. */
  stop(): void {
    this.retiring = true;
    // One the zygote has not forked yet has no channel to read a STOP from: it is not forked at all.
    if (this.pid === undefined) this.kill('SIGKILL');
    else this.send(encodeFrame(FrameType.STOP, 0));
  }

  /** What it writes to stderr from now on goes into the error log (the stacks it dumps before a timeout kill). */
  logStderr(): void {
    this.#output.logStderr();
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.exited) this.#process.kill(signal);
  }

  /** Resolves when the process has exited (at once if it has). */
  exitedPromise(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => this.#process.once('exit', () => resolve()));
  }
}

/** A worker's process as PythonWorker sees it: one Node started (spawnWorker), or one the zygote forked. */
export interface WorkerProcess {
  /** Undefined until a forked worker's pid is known. */
  readonly pid: number | undefined;
  /** Its frames' socket. */
  readonly channel: Socket;
  /** Its output, when it is Node's child (a forked worker writes to its zygote's). */
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  on(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  once(event: 'exit', listener: () => void): unknown;
  /** Signal it (nothing once it has gone); one the zygote has not forked yet is not forked at all. */
  kill(signal: NodeJS.Signals): void;
  /** A forked worker's own FORKED frame: its pid. */
  forked?(pid: number): void;
}

/**
 * A forked worker's stdout and stderr pipes, opened through /proc from their read ends' descriptors in its FORKED
 * (-1: it has none); undefined when they cannot be opened (it then writes to the zygote's again). Unreferenced: a
 * process the worker started may hold them open after it, which must not keep this one running.
 */
function adoptOutput(
  pid: number,
  stdoutFd: number,
  stderrFd: number,
): { stdout: Socket; stderr: Socket } | undefined {
  if (stdoutFd < 0 || stderrFd < 0) return undefined;
  const opened: number[] = [];
  const pipes: Socket[] = [];
  try {
    for (const fd of [stdoutFd, stderrFd])
      opened.push(openSync(`/proc/${pid}/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK));
    for (const fd of opened) {
      const pipe = new Socket({ fd, readable: true, writable: false });
      pipe.on('error', () => {}); // its end is the worker's exit, reported by the zygote
      pipes.push(pipe.unref());
    }
  } catch {
    for (const pipe of pipes) pipe.destroy(); // closes its descriptor
    for (const fd of opened.slice(pipes.length)) closeSync(fd);
    return undefined;
  }
  return { stdout: pipes[0], stderr: pipes[1] };
}

/** A new interpreter that imports the app itself, speaking frames on fd 3 (a UNIX socketpair), the ring as fd 4. */
function spawnWorker(config: WorkerConfig, ring: HeldRing | undefined): WorkerProcess {
  const child = spawnPython(config, { ring: ring ? { fd: 4, size: ring.size } : null }, ring?.fd);
  return {
    pid: child.pid,
    channel: child.stdio[3] as Socket,
    stdout: child.stdout,
    stderr: child.stderr,
    // biome-ignore lint/suspicious/noExplicitAny: the listener's arguments are those of the event named
    on: (event: string, listener: (...args: any[]) => void) => child.on(event, listener),
    once: (event: string, listener: () => void) => child.once(event, listener),
    kill(signal) {
      if (child.pid !== undefined) signalProcess(child.pid, signal); // gone: its exit event follows
    },
  };
}

/**
 * The interpreter running tsgi_worker with the worker's settings and `extra` ones (its last argument), frames on
 * fd 3 (a UNIX socketpair), `extraFd` as fd 4: a worker (spawnWorker), or with --preload the zygote (zygote.ts).
 */
export function spawnPython(
  config: WorkerConfig,
  extra: Record<string, unknown>,
  extraFd?: number,
): ChildProcess {
  const settings = JSON.stringify({
    target: config.target,
    threads: config.threads,
    gevent: config.gevent ?? false,
    heartbeat: config.heartbeat ?? 0,
    multiprocess: config.multiprocess,
    pythonpath: config.pythonpath,
    batch: config.batchSchedule ?? false,
    hooks: config.hooks ?? null,
    paste_global: Object.fromEntries(config.pasteGlobal ?? []),
    fd: 3,
    ...extra,
  });
  return spawn(config.python, ['-c', BOOTSTRAP, PYTHON_ROOT, settings], {
    cwd: config.cwd,
    env: { ...config.env, PYTHONUNBUFFERED: '1' },
    stdio:
      extraFd === undefined
        ? ['ignore', 'pipe', 'pipe', 'pipe']
        : ['ignore', 'pipe', 'pipe', 'pipe', extraFd],
  });
}

/** The import error a worker or the zygote reported (IMPORT_FAILED), logged with its traceback; `who` names it. */
export function importFailed(payload: Buffer, target: string, logger: Logger, who: string): Error {
  const [name, message, traceback] = decodeStrings(payload, 0, 'utf8').items;
  logger.error(`${who} could not import '${target}':\n${traceback.trimEnd()}`);
  return pythonErrors.appImportFailed(target, name, message);
}

/** Send a signal to a process that may have gone already. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
