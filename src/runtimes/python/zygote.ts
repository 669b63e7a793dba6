// --preload: the zygote, one Python process per front end that imports the app once and forks the workers from
// it (python/tsgi_worker/zygote.py), as Gunicorn's arbiter does with --preload. A worker is asked for by
// connecting to the zygote's UNIX socket: the connection becomes the forked worker's channel, so a forked worker
// is, to PythonWorker, a worker like any other (docs/wire.md, "Preload").

import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../log.js';
import { pythonErrors } from './errors.js';
import { takeOutput } from './output-lines.js';
import { encodeFrame, FrameDecoder, FrameType } from './wire.js';
import { importFailed, signalProcess, spawnPython, type WorkerConfig, type WorkerProcess } from './worker.js';

/** How long a stopped zygote has to exit before it is killed. */
const STOP_WAIT_MS = 2000;
/** After the zygote's exit, how long its control channel may take to deliver its last reports (EXITED…). */
const EXIT_DRAIN_MS = 200;
/** A worker whose zygote died dies with it; its exit is reported at the latest this long after it was orphaned. */
const ORPHAN_WAIT_MS = 500;
/** How long a fork may take from the connection to its FORKED before the worker counts as failed to boot. */
const FORK_WAIT_MS = 10_000;

const SIGNAL_NAMES = new Map(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

/** A worker the zygote forks (or is to fork): what PythonWorker needs of a process. */
export class ForkedProcess extends EventEmitter implements WorkerProcess {
  pid: number | undefined;
  readonly channel = new Socket();
  readonly stdout = null;
  readonly stderr = null;
  #exited = false;
  #channelClosed = false;
  #orphaned = false;

  constructor() {
    super();
    this.channel.once('close', () => {
      this.#channelClosed = true;
      // Closed before it was forked (the connection failed, or the zygote dropped it): it never boots.
      if (this.#orphaned || this.pid === undefined) this.exited(null, this.#orphaned ? 'SIGKILL' : null);
    });
  }

  get hasExited(): boolean {
    return this.#exited;
  }

  forked(pid: number): void {
    this.pid ??= pid;
  }

  kill(sig: NodeJS.Signals): void {
    if (this.#exited) return;
    if (this.pid === undefined) {
      // Not forked yet: now it never is (a fork already under way reads the closed connection and exits).
      this.channel.destroy();
      this.exited(null, sig);
      return;
    }
    signalProcess(this.pid, sig); // already gone: the zygote reports its exit
  }

  /** Its exit, as the zygote saw it (or as we must assume it); once. */
  exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#exited) return;
    this.#exited = true;
    this.emit('exit', code, signal);
  }

  /**
   * The zygote is gone: its workers die with it (Linux's PR_SET_PDEATHSIG; elsewhere they are killed here); this
   * one's exit is its channel closing, or ORPHAN_WAIT_MS at the latest (a process it forked may hold the channel
   * open). On Linux it is not signalled: dead and reaped by init, its pid may be another process's already.
   */
  orphan(): void {
    this.#orphaned = true;
    if (this.#channelClosed || this.pid === undefined) {
      this.exited(null, 'SIGKILL');
      return;
    }
    if (process.platform !== 'linux') this.kill('SIGKILL');
    setTimeout(() => this.exited(null, 'SIGKILL'), ORPHAN_WAIT_MS).unref();
  }
}

/** One run of the zygote process, and the workers asked of it. */
interface Incarnation {
  child: ChildProcess;
  /** Forks asked of it and not yet reported, by serial; then the forked ones by pid, until they exit. */
  asked: Map<number, ForkedProcess>;
  byPid: Map<number, ForkedProcess>;
}

export class PythonZygote {
  readonly #config: WorkerConfig;
  readonly #logger: Logger;
  /** Where the zygote listens: a socket in a folder only we may enter, named for this process (socketFolder). */
  readonly #dir = socketFolder();
  readonly #path = join(this.#dir, 'z');
  /** The zygote running (or starting) now. */
  #current: Incarnation | undefined;
  #booted: Promise<void> | undefined;
  #serial = 0;
  #stopped = false;

  constructor(config: WorkerConfig, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
  }

  get pid(): number | undefined {
    return this.#current?.child.pid;
  }

  /** Start the zygote unless it runs; resolves once it has imported the app and listens for forks. */
  start(): Promise<void> {
    if (this.#stopped) return Promise.reject(pythonErrors.poolClosed());
    this.#booted ??= this.#spawn();
    return this.#booted;
  }

  /**
   * A worker forked from the zygote, which is started first if it is not running. `ringSize`: the held-response
   * ring the worker makes for itself (0: none), which PythonWorker opens once the worker says where it is.
   */
  fork(ringSize: number): ForkedProcess {
    const worker = new ForkedProcess();
    const serial = ++this.#serial;
    const settings = JSON.stringify({ serial, ring: ringSize });
    this.start().then(
      () => {
        const zygote = this.#current;
        if (worker.hasExited) return;
        if (zygote === undefined) return worker.exited(null, null); // it died in the meantime: never forked
        // Asked of this zygote: its death is this worker's, not a later zygote's workers'.
        zygote.asked.set(serial, worker);
        worker.once('exit', () => {
          zygote.asked.delete(serial);
          if (worker.pid !== undefined && zygote.byPid.get(worker.pid) === worker)
            zygote.byPid.delete(worker.pid);
        });
        worker.channel.connect(this.#path);
        worker.channel.write(encodeFrame(FrameType.FORK, 0, Buffer.from(settings)));
        // A zygote that never forks it (wedged in the app's code, out of descriptors): a worker that failed to boot.
        const timer = setTimeout(() => {
          if (worker.pid === undefined) worker.kill('SIGKILL');
        }, FORK_WAIT_MS);
        timer.unref();
        worker.once('exit', () => clearTimeout(timer));
      },
      // The app no longer imports (its import error is logged): the worker fails to boot, and the pool retries later.
      () => worker.exited(4, null),
    );
    return worker;
  }

  /** Stop the zygote (once its workers have gone: they die with it) and remove its socket. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const child = this.#current?.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      (child.stdio[3] as Socket).end(encodeFrame(FrameType.STOP, 0));
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_WAIT_MS);
      await exited;
      clearTimeout(timer);
    }
    removeFolder(this.#dir);
  }

  #spawn(): Promise<void> {
    rmSync(this.#path, { force: true }); // a dead zygote's socket
    const child = spawnPython(this.#config, { zygote: { path: this.#path } });
    const zygote: Incarnation = { child, asked: new Map(), byPid: new Map() };
    this.#current = zygote;
    const pid = child.pid;
    const lastLines = takeOutput(this.#config.output ?? 'log', child, this.#logger, () => pid).last;
    const control = child.stdio[3] as Socket | null;
    control?.on('error', () => {}); // its exit says what matters

    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const decoder = new FrameDecoder();
      control?.on('data', (chunk: Buffer) =>
        decoder.push(chunk, (type, id, payload) => {
          if (type === FrameType.READY) {
            ready = true;
            this.#logger.info(`Preloaded the app in Python zygote ${pid} (${payload.toString('utf8')})`);
            resolve();
          } else if (type === FrameType.IMPORT_FAILED) {
            reject(importFailed(payload, this.#config.target, this.#logger, `Python zygote ${pid}`));
          } else if (type === FrameType.FORKED) {
            const forkedPid = payload.readUInt32BE(0);
            const worker = zygote.asked.get(id);
            zygote.asked.delete(id);
            if (worker === undefined || worker.hasExited) {
              // Given up on before its fork was reported (a cancelled boot): it must not linger. Not yet reaped (its
              // EXITED comes after this), so the pid is still its own.
              signalProcess(forkedPid, 'SIGKILL');
              return;
            }
            worker.forked(forkedPid);
            zygote.byPid.set(forkedPid, worker);
          } else if (type === FrameType.EXITED) {
            const worker = zygote.byPid.get(payload.readUInt32BE(0));
            const code = payload.readInt32BE(4);
            const sig = payload.readUInt32BE(8);
            worker?.exited(code < 0 ? null : code, SIGNAL_NAMES.get(sig) ?? null);
          }
        }),
      );
      const gone = () => {
        if (this.#current === zygote) this.#current = this.#booted = undefined; // the next fork starts another
      };
      child.on('error', (error: NodeJS.ErrnoException) => {
        gone(); // not started (no exit event follows): the next fork tries again
        reject(pythonErrors.pythonNotFound(this.#config.python, error.code ?? error.message));
      });
      child.on('exit', (code, sig) => {
        gone();
        const how = sig ? `killed by ${sig}` : `exit code ${code}`;
        reject(pythonErrors.workerExitedAtBoot(this.#config.python, how, lastLines.join('\n')));
        if (ready && !this.#stopped) this.#logger.error(`Python zygote ${pid} exited (${how})`);
        // Its last reports (a worker's EXITED with its real status) may still be unread: read them first. Only
        // its own workers are orphaned: a replacement may already be asking a new zygote for one.
        let orphaned = false;
        const orphanAll = () => {
          if (orphaned) return;
          orphaned = true;
          const orphans = [...zygote.byPid.values(), ...zygote.asked.values()];
          zygote.byPid.clear();
          zygote.asked.clear();
          for (const worker of orphans) worker.orphan();
        };
        if (!control || control.destroyed || control.readableEnded) return orphanAll();
        control.once('close', orphanAll);
        setTimeout(orphanAll, EXIT_DRAIN_MS).unref();
      });
    });
  }
}

/**
 * `tsgi-zygote-<pid namespace>-<pid>-`: the folders of this pid namespace's processes. Containers may share a temp
 * folder but not their pids; only a folder whose process is gone from this namespace is stale.
 */
const FOLDER_PREFIX = `tsgi-zygote-${pidNamespace()}-`;

/**
 * A new folder for a zygote's socket, FOLDER_PREFIX + our pid + a random suffix, in the temp folder (in /tmp if
 * that one's path is too long for a socket's). It is removed when the zygote stops and when this process exits; a
 * process killed outright leaves it behind, so the folders of processes that no longer run are removed here first.
 */
function socketFolder(): string {
  const base = tmpdir().length <= 64 ? tmpdir() : '/tmp';
  let names: string[] = [];
  try {
    names = readdirSync(base);
  } catch {
    // an unreadable temp folder: nothing to tidy
  }
  for (const name of names) {
    const pid = Number(name.slice(FOLDER_PREFIX.length).split('-')[0]);
    if (name.startsWith(FOLDER_PREFIX) && pid > 0 && !running(pid)) removeFolder(join(base, name));
  }
  const dir = mkdtempSync(join(base, `${FOLDER_PREFIX}${process.pid}-`));
  if (!removingAtExit) process.once('exit', () => foldersToRemove.forEach(removeFolder));
  removingAtExit = true;
  foldersToRemove.add(dir);
  return dir;
}

/** This process's pid namespace (Linux: the inode in /proc/self/ns/pid), or 0. */
function pidNamespace(): string {
  try {
    return /\d+/.exec(readlinkSync('/proc/self/ns/pid'))?.[0] ?? '0';
  } catch {
    return '0';
  }
}

/** This process's zygote folders not yet removed: removed at its exit. */
const foldersToRemove = new Set<string>();
let removingAtExit = false;

function removeFolder(dir: string): void {
  foldersToRemove.delete(dir);
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // another user's, say: not ours to remove
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // another user's: not ours to remove
  }
}
