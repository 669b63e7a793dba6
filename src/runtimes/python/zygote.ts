// --preload: the zygote, one Python process per front end that imports the app once and forks the workers from
// it (python/tsgi_worker/zygote.py), as Gunicorn's arbiter does with --preload. A worker is asked for by
// connecting to the zygote's UNIX socket: the connection becomes the forked worker's channel, so a forked worker
// is, to PythonWorker, a worker like any other (docs/wire.md, "Preload").

import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../log.js';
import { pythonErrors } from './errors.js';
import { pipeLines } from './output-lines.js';
import { decodeStrings, encodeFrame, FrameDecoder, FrameType } from './wire.js';
import { BOOTSTRAP, PYTHON_ROOT, type WorkerConfig, type WorkerProcess, workerSettings } from './worker.js';

/** How long a stopped zygote has to exit before it is killed. */
const STOP_WAIT_MS = 2000;
/** After the zygote's exit, how long its control channel may take to deliver its last reports (EXITED…). */
const EXIT_DRAIN_MS = 200;
/** A worker whose zygote died is killed (it dies with it anyway); its exit is reported at the latest this late. */
const ORPHAN_WAIT_MS = 500;

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

  kill(signal: NodeJS.Signals): void {
    if (this.#exited) return;
    if (this.pid === undefined) {
      // Not forked yet: now it never is (a fork already under way reads the closed connection and exits).
      this.channel.destroy();
      this.exited(null, signal);
      return;
    }
    try {
      process.kill(this.pid, signal);
    } catch {
      // already gone: the zygote reports its exit
    }
  }

  /** Its exit, as the zygote saw it (or as we must assume it); once. */
  exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#exited) return;
    this.#exited = true;
    this.emit('exit', code, signal);
  }

  /**
   * The zygote is gone: its workers die with it (PR_SET_PDEATHSIG); this one's exit is its channel closing, or
   * ORPHAN_WAIT_MS at the latest (a process it forked may hold the channel open).
   */
  orphan(): void {
    this.#orphaned = true;
    if (this.#channelClosed || this.pid === undefined) {
      this.exited(null, 'SIGKILL');
      return;
    }
    this.kill('SIGKILL');
    setTimeout(() => this.exited(null, 'SIGKILL'), ORPHAN_WAIT_MS).unref();
  }
}

export class PythonZygote {
  readonly #config: WorkerConfig;
  readonly #logger: Logger;
  /** Where the zygote listens: a socket in a folder only we may enter, named for this process (socketFolder). */
  readonly #dir = socketFolder();
  readonly #path = join(this.#dir, 'z');
  #child: ChildProcess | undefined;
  #booted: Promise<void> | undefined;
  #serial = 0;
  /** Forks asked for and not yet reported, by serial; then the forked ones by pid, until they exit. */
  readonly #asked = new Map<number, ForkedProcess>();
  readonly #byPid = new Map<number, ForkedProcess>();
  #stopped = false;

  constructor(config: WorkerConfig, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
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
    this.#asked.set(serial, worker);
    worker.once('exit', () => {
      this.#asked.delete(serial);
      if (worker.pid !== undefined) this.#byPid.delete(worker.pid);
    });
    const settings = JSON.stringify({ serial, ring: ringSize });
    this.start().then(
      () => {
        if (worker.hasExited) return;
        worker.channel.connect(this.#path);
        worker.channel.write(encodeFrame(FrameType.FORK, 0, Buffer.from(settings)));
      },
      // The app no longer imports (its import error is logged): the worker fails to boot, and the pool retries later.
      () => worker.exited(4, null),
    );
    return worker;
  }

  /** Stop the zygote (once its workers have gone: they die with it) and remove its socket. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const child = this.#child;
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
    const settings = workerSettings(this.#config, { zygote: { path: this.#path } });
    rmSync(this.#path, { force: true }); // a dead zygote's socket
    const child = spawn(this.#config.python, ['-c', BOOTSTRAP, PYTHON_ROOT, settings], {
      cwd: this.#config.cwd,
      env: { ...this.#config.env, PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    this.#child = child;
    const pid = child.pid;
    const lastLines: string[] = [];
    const output = (log: (line: string) => void) => (line: string) => {
      log(`[python ${pid}] ${line}`);
      lastLines.push(line);
      if (lastLines.length > 20) lastLines.shift();
    };
    pipeLines(child.stdout!, output(this.#logger.info));
    pipeLines(child.stderr!, output(this.#logger.error));
    const control = child.stdio[3] as Socket;
    control.on('error', () => {}); // its exit says what matters

    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const decoder = new FrameDecoder();
      control.on('data', (chunk: Buffer) =>
        decoder.push(chunk, (type, id, payload) => {
          if (type === FrameType.READY) {
            ready = true;
            this.#logger.info(`Preloaded the app in Python zygote ${pid} (${payload.toString('utf8')})`);
            resolve();
          } else if (type === FrameType.IMPORT_FAILED) {
            const [name, message, traceback] = decodeStrings(payload, 0, 'utf8').items;
            this.#logger.error(
              `Python zygote ${pid} could not import '${this.#config.target}':\n${traceback.trimEnd()}`,
            );
            reject(pythonErrors.appImportFailed(this.#config.target, name, message));
          } else if (type === FrameType.FORKED) {
            const worker = this.#asked.get(id);
            this.#asked.delete(id);
            if (worker === undefined || worker.hasExited) return;
            worker.forked(payload.readUInt32BE(0));
            this.#byPid.set(payload.readUInt32BE(0), worker);
          } else if (type === FrameType.EXITED) {
            const worker = this.#byPid.get(payload.readUInt32BE(0));
            const code = payload.readInt32BE(4);
            const signal = payload.readUInt32BE(8);
            worker?.exited(code < 0 ? null : code, SIGNAL_NAMES.get(signal) ?? null);
          }
        }),
      );
      child.on('error', (error: NodeJS.ErrnoException) => {
        // Not started (no exit event follows): the next fork tries again.
        if (this.#child === child) this.#child = this.#booted = undefined;
        reject(pythonErrors.pythonNotFound(this.#config.python, error.code ?? error.message));
      });
      child.on('exit', (code, signal) => {
        this.#child = undefined;
        this.#booted = undefined; // the next fork starts another
        const how = signal ? `killed by ${signal}` : `exit code ${code}`;
        reject(pythonErrors.workerExitedAtBoot(this.#config.python, how, lastLines.join('\n')));
        if (ready && !this.#stopped) this.#logger.error(`Python zygote ${pid} exited (${how})`);
        // Its last reports (a worker's EXITED with its real status) may still be unread: read them first.
        let orphaned = false;
        const orphanAll = () => {
          if (orphaned) return;
          orphaned = true;
          // Taken out first: an orphan's exit may have the pool fork its replacement from a new zygote at once.
          const orphans = [...this.#byPid.values(), ...this.#asked.values()];
          this.#byPid.clear();
          this.#asked.clear();
          for (const worker of orphans) worker.orphan();
        };
        if (control.destroyed || control.readableEnded) return orphanAll();
        control.once('close', orphanAll);
        setTimeout(orphanAll, EXIT_DRAIN_MS).unref();
      });
    });
  }
}

const FOLDER_PREFIX = 'tsgi-zygote-';

/**
 * A new folder for a zygote's socket, `tsgi-zygote-<our pid>-XXXXXX` in the temp folder (in /tmp if that one's
 * path is too long for a socket's). It is removed when the zygote stops and when this process exits; a process
 * killed outright leaves it behind, so the folders of processes that no longer run are removed here first.
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
