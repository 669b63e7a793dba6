// The arbiter (Gunicorn's name for the master process). Signal handlers and worker events only queue; one loop
// decides: it spawns workers up to the wanted count, reaps the dead (halting on a boot failure instead of
// respawning in a loop), kills workers whose heartbeat stopped, and stops retired workers once their
// replacements are serving. docs/lifecycle.md describes the states and signals.

import cluster, { type Worker } from 'node:cluster';
import { chownSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { SERVER_SOFTWARE } from '../http/server.js';
import { errorMessage, type Logger, type LogStream, logNotices, openLogStream } from '../log.js';
import { type Bind, parseBind } from './binds.js';
import { applyReload, type ReadOptions } from './config-reload.js';
import { bootFailureReason, EXIT_OK, EXIT_STARTUP_ERROR, WORKER_BOOT_ERROR } from './exit-codes.js';
import { frontEndCount } from './front-ends.js';
import { isOverdue } from './heartbeat.js';
import { isWorkerMessage, type WorkerMessage } from './messages.js';
import { capturesThroughPipes, type SupervisorOptions, WORKER_OPTIONS_ENV } from './options.js';
import { removePidFile, writePidFile } from './pidfile.js';
import { applyEnvironment, setUpProcess } from './process-setup.js';
import { type Reloader, watchForChanges } from './reloader.js';
import { type HandledSignal, queueSignals } from './signals.js';
import type { Statsd } from './statsd.js';
import { checkInheritedSocket, systemdBinds } from './systemd.js';
import { targetKind, watchRoot } from './target.js';
import { removeSocket, removeStaleSocket } from './unix-sockets.js';
import { EventQueue } from './wakeup.js';
import { workerExecArgv } from './worker-heap.js';

const TICK_MS = 250;
/** Past --graceful-timeout, a worker gets this long to exit on its own before SIGKILL. */
const KILL_MARGIN_MS = 2000;

/** booting → serving → (retiring →) stopping → gone. A retiring worker serves until its replacement does. */
type WorkerState = 'booting' | 'serving' | 'retiring' | 'stopping';

interface WorkerRecord {
  readonly worker: Worker;
  readonly pid: number;
  /** Its place among the wanted workers: a Python app's front end serves the share of --workers that goes with it. */
  readonly slot: number;
  state: WorkerState;
  lastBeat: number;
  stopDeadline: number;
  timedOut: boolean;
  /** SIGUSR1 came while it booted (its handler may not be installed yet): it reopens its logs once ready. */
  reopenLogs: boolean;
  /** --timeout and --graceful-timeout as this worker was started with (a SIGHUP reload may change the options). */
  readonly timeout: number;
  readonly gracefulTimeout: number;
}

type ArbiterEvent =
  | { kind: 'signal'; signal: HandledSignal }
  | { kind: 'exit'; id: number; code: number | null; signal: string | null }
  | { kind: 'message'; id: number; message: WorkerMessage }
  | { kind: 'changed'; path: string };

function workerMainPath(): string {
  // worker-main.js next to this file when compiled; worker-main.ts when run from source under tsx.
  const here = fileURLToPath(import.meta.url);
  return fileURLToPath(new URL(`./worker-main${extname(here)}`, import.meta.url));
}

export class Arbiter {
  #options: SupervisorOptions;
  readonly #log: Logger;
  readonly #events = new EventQueue<ArbiterEvent>();
  readonly #records = new Map<number, WorkerRecord>();
  readonly #python: boolean;
  #wanted: number;
  #phase: 'running' | 'stopping' = 'running';
  #exitCode = EXIT_OK;
  #haltReason: string | null = null;
  /** A replacement failed to boot while others still serve: keep them, spawn nothing until SIGHUP. */
  #bootBlocked = false;
  #everServed = false;
  #binds: Bind[] = [];
  /** --pid, resolved after --chdir; null when none was asked for or it is not ours yet. */
  #pidPath: string | null = null;

  /** The options as the command resolved them, before set-up; a reload compares with these. */
  readonly #started: SupervisorOptions;
  /** SIGHUP resolves the configuration again with this (config-reload.ts); null: workers restart with the same. */
  readonly #readOptions: ReadOptions | null;
  /** The error log's destination: SIGUSR1 reopens it; --capture-output writes the workers' output to it. */
  readonly #errorLog: Pick<LogStream, 'write' | 'reopen'>;
  /** --capture-output to a file: the workers' stdout and stderr are pipes that the arbiter copies into it. */
  #captureToLog = false;
  /** Those pipes, each until it has closed (everything the worker printed was read). */
  readonly #capturing = new Map<Readable, Promise<void>>();

  /** --statsd-host: the `gunicorn.workers` gauge goes here (the workers send their own request metrics). */
  #statsd: Statsd | null;
  #reportedWorkers = -1;

  constructor(
    options: SupervisorOptions,
    logger: Logger,
    statsd: Statsd | null = null,
    readOptions: ReadOptions | null = null,
    errorLog: Pick<LogStream, 'write' | 'reopen'> = openLogStream('-', process.stderr),
  ) {
    this.#options = options;
    this.#started = options;
    this.#readOptions = readOptions;
    this.#errorLog = errorLog;
    this.#log = logger;
    this.#statsd = statsd;
    this.#python = targetKind(options.app) === 'python';
    // A Python app's --workers are Python processes, shared among its Node front ends (front-ends.ts).
    this.#wanted = this.#workersWanted(options);
  }

  async run(): Promise<number> {
    const log = this.#log;
    log.info(`Starting ${SERVER_SOFTWARE.replace('/', ' ')}`);
    if (this.#options.name !== null) process.title = `tsgi: master [${this.#options.name}]`;
    if (!this.#prepare()) return EXIT_STARTUP_ERROR;
    try {
      return await this.#serve();
    } finally {
      // What the last workers printed is read before the caller ends the log (bounded: a pipe a grandchild holds
      // open would never close).
      if (this.#capturing.size > 0) {
        await Promise.race([
          Promise.all(this.#capturing.values()),
          new Promise((resolve) => setTimeout(resolve, 1000)),
        ]);
        // Still open (held by a process a worker started): nothing more is read, the log is about to end.
        for (const pipe of this.#capturing.keys()) pipe.destroy();
      }
      // Whatever ended the serving (a stop, a boot failure, a bug of ours that threw): leave no files behind.
      for (const bind of this.#binds) if (bind.kind === 'unix') removeSocket(bind.path);
      if (this.#pidPath) removePidFile(this.#pidPath);
    }
  }

  async #serve(): Promise<number> {
    const log = this.#log;
    const unqueue = queueSignals((signal) => this.#events.push({ kind: 'signal', signal }));
    const reloader = this.#startReloader();
    this.#setUpCluster();
    const { workers, threads, workerClass, workerConnections } = this.#options;
    const gevent = workerClass === 'gevent';
    const fronts = this.#wanted > 1 ? ` behind ${this.#wanted} front ends` : '';
    const each = gevent
      ? `gevent, ${workerConnections} connection${workerConnections > 1 ? 's' : ''}`
      : `${threads} thread${threads > 1 ? 's' : ''}`;
    log.info(
      this.#python
        ? `Using worker: python pool (${workers} process${workers > 1 ? 'es' : ''} × ${each}${fronts})`
        : `Using worker: node (${workers} process${workers > 1 ? 'es' : ''})`,
    );
    if (!this.#python && gevent)
      log.warning(
        '-k gevent applies to Python apps only; a Node worker serves concurrent requests on its event loop',
      );
    if (this.#python && gevent && threads > 1)
      log.warning(
        '--threads has no effect with -k gevent (nor under Gunicorn): a worker runs up to --worker-connections ' +
          'requests in greenlets',
      );
    if (this.#options.preload && !this.#python)
      log.warning(
        '--preload applies to Python apps only: each Node worker loads a TypeScript app itself (an app that ' +
          'cannot be loaded still stops tsgi at start-up)',
      );
    if (!this.#python && threads > 1)
      log.warning(
        '--threads applies to Python apps only; a Node worker serves concurrent requests on its event loop',
      );
    if (!this.#python && this.#options.frontEnds !== 1)
      log.warning('--front-ends applies to Python apps only; a Node app has --workers Node processes');

    while (this.#phase === 'running' || this.#records.size > 0) {
      this.#spawnMissing();
      for (const event of await this.#events.next(TICK_MS)) await this.#handle(event);
      const now = Date.now();
      this.#killUnresponsive(now);
      this.#retireSurplus();
      this.#stopReplaced(now);
      this.#reportWorkers();
    }

    unqueue();
    reloader?.close();
    cluster.removeAllListeners();
    log.info('Shutting down: Master');
    if (this.#haltReason) log.info(`Reason: ${this.#haltReason}`);
    return this.#exitCode;
  }

  /** The `gunicorn.workers` gauge, sent when the number of worker processes changed. */
  #reportWorkers(): void {
    const count = this.#records.size;
    if (this.#statsd === null || count === this.#reportedWorkers) return;
    this.#reportedWorkers = count;
    this.#statsd.gauge('gunicorn.workers', count);
  }

  /** --user/--group: a unix socket bound by this (root) process is handed to the workers' user, as Gunicorn does. */
  #chownUnixSockets(): void {
    const { uid, gid } = this.#options;
    if ((uid ?? null) === null && (gid ?? null) === null) return;
    for (const bind of this.#binds) {
      if (bind.kind !== 'unix') continue;
      try {
        chownSync(bind.path, uid ?? -1, gid ?? -1);
      } catch (error) {
        this.#log.warning(
          `could not hand ${bind.path} to uid ${uid ?? '-'} gid ${gid ?? '-'}: ${(error as Error).message}`,
        );
      }
    }
  }

  /** --chdir, -e, stale unix sockets, --pid. False (after logging why) when the server cannot start. */
  #prepare(): boolean {
    try {
      this.#options = setUpProcess(this.#options);
      const activated = systemdBinds();
      if (activated) {
        this.#log.info(`Using ${activated.length} socket(s) from systemd (LISTEN_FDS); --bind is not used`);
        this.#options = { ...this.#options, bind: activated };
      }
      this.#binds = this.#options.bind.map(parseBind);
      for (const b of this.#binds) {
        if (b.kind === 'unix') removeStaleSocket(b.path);
        else if (b.kind === 'fd') checkInheritedSocket(b.fd);
      }
      const { pid } = this.#options;
      if (pid) {
        // Relative to --chdir, as in Gunicorn (which changes directory before it writes the file), like a unix: bind.
        const pidPath = resolve(pid);
        writePidFile(pidPath);
        this.#pidPath = pidPath;
      }
      return true;
    } catch (error) {
      this.#log.error(errorMessage(error));
      return false;
    }
  }

  #startReloader(): Reloader | null {
    // Relative to the working directory (after --chdir), as Gunicorn takes them.
    const extra = this.#options.reloadExtraFile.map((file) => resolve(file));
    if (!this.#options.reload) {
      if (extra.length > 0) this.#log.warning('--reload-extra-file has no effect without --reload');
      return null;
    }
    const root = watchRoot(this.#options.app, process.cwd());
    this.#log.info(
      `Watching ${root}${extra.length > 0 ? ` and ${extra.join(', ')}` : ''} for changes (--reload)`,
    );
    return watchForChanges(
      root,
      (path) => this.#events.push({ kind: 'changed', path }),
      extra,
      (directory, error) =>
        this.#log.warning(
          `--reload-extra-file: cannot watch ${directory} (${errorMessage(error)}); not reloading on it`,
        ),
    );
  }

  #setUpCluster(): void {
    // Workers accept on the shared listening socket themselves; round-robin would pass every connection
    // through this process over IPC (docs/lifecycle.md has the measurements). Node's own
    // NODE_CLUSTER_SCHED_POLICY=rr still selects round-robin.
    if (!process.env.NODE_CLUSTER_SCHED_POLICY) cluster.schedulingPolicy = cluster.SCHED_NONE;
    // --capture-output, as Gunicorn: what a Node app's workers print goes where the error log goes, as printed:
    // stderr itself for `-`; for a file, through the arbiter, which writes it to the file it reopens on SIGUSR1
    // (a file descriptor given to the workers would keep pointing at the file logrotate moved away).
    this.#captureToLog = capturesThroughPipes(this.#options);
    const output = this.#captureToLog
      ? (['inherit', 'pipe', 'pipe'] as const)
      : this.#options.captureOutput && !this.#python
        ? (['inherit', 2, 2] as const)
        : (['inherit', 'inherit', 'inherit'] as const);
    // fd:// binds (systemd's sockets): each worker inherits the listening socket at the same fd number and listens
    // on it itself. Through the cluster module the arbiter would wrap the fd in a handle of its own, and close it
    // (the fd, for good) when its last worker exits, so no replacement could listen again.
    const fds = this.#binds.flatMap((bind) => (bind.kind === 'fd' ? [bind.fd] : []));
    const inherited: Array<number | 'ignore'> = [];
    for (const fd of fds) {
      while (inherited.length < fd - 3) inherited.push('ignore');
      inherited[fd - 3] = fd;
    }
    cluster.setupPrimary({
      exec: workerMainPath(),
      // A Node app's workers get the larger young generation; a Python target's front end does not (worker-heap.ts).
      execArgv: this.#python ? process.execArgv : workerExecArgv(process.execArgv, process.env.NODE_OPTIONS),
      ...(fds.length > 0 || output[1] !== 'inherit' ? { stdio: [...output, ...inherited, 'ipc'] } : {}),
    });
    cluster.on('exit', (worker, code, signal) =>
      this.#events.push({ kind: 'exit', id: worker.id, code, signal: signal ?? null }),
    );
    cluster.on('message', (worker, message: unknown) => {
      if (!isWorkerMessage(message)) return;
      const record = this.#records.get(worker.id);
      // A heartbeat only records the time; everything else waits for the loop.
      if (message.tsgi === 'heartbeat') {
        if (record) record.lastBeat = Date.now();
      } else {
        this.#events.push({ kind: 'message', id: worker.id, message });
      }
    });
  }

  #count(...states: WorkerState[]): number {
    let n = 0;
    for (const record of this.#records.values()) if (states.includes(record.state)) n++;
    return n;
  }

  /** Node workers to keep: --workers for a Node app, the front ends for a Python app. */
  #workersWanted(options: SupervisorOptions): number {
    return this.#python
      ? frontEndCount(options.workers, options.frontEnds, availableParallelism())
      : options.workers;
  }

  #spawnMissing(): void {
    if (this.#phase !== 'running' || this.#bootBlocked) return;
    const held = new Set<number>();
    for (const record of this.#records.values())
      if (record.state === 'booting' || record.state === 'serving') held.add(record.slot);
    for (let slot = 0; held.size < this.#wanted; slot++) {
      if (held.has(slot)) continue;
      held.add(slot);
      const options = this.#python
        ? { ...this.#options, frontEnd: { index: slot, count: this.#wanted } }
        : this.#options;
      const worker = cluster.fork({ [WORKER_OPTIONS_ENV]: JSON.stringify(options) });
      const pid = worker.process.pid ?? 0;
      if (this.#captureToLog) {
        // The bytes as printed (any encoding), in the order they arrive. A pipe may still hold a worker's last
        // words (a crash's trace) after its exit: the log is not ended before every pipe is drained.
        for (const stream of [worker.process.stdout, worker.process.stderr]) {
          if (!stream) continue;
          stream.on('data', (chunk: Buffer) => this.#errorLog.write(chunk));
          const drained = new Promise<void>((resolve) => stream.once('close', resolve));
          this.#capturing.set(stream, drained);
          void drained.then(() => this.#capturing.delete(stream));
        }
      }
      this.#records.set(worker.id, {
        worker,
        pid,
        slot,
        state: 'booting',
        lastBeat: Date.now(),
        stopDeadline: 0,
        timedOut: false,
        reopenLogs: false,
        timeout: this.#options.timeout,
        gracefulTimeout: this.#options.gracefulTimeout,
      });
      this.#log.debug(`Spawned worker (pid:${pid})`);
    }
  }

  async #handle(event: ArbiterEvent): Promise<void> {
    if (event.kind === 'signal') await this.#onSignal(event.signal);
    else if (event.kind === 'exit') this.#onExit(event.id, event.code, event.signal);
    else if (event.kind === 'message') this.#onMessage(event.id, event.message);
    else if (this.#phase === 'running') {
      this.#log.info(`Worker reloading: ${event.path} modified`);
      this.#retireAll();
    }
  }

  async #onSignal(signal: HandledSignal): Promise<void> {
    const name = signal.slice(3).toLowerCase();
    if (signal === 'SIGQUIT' || (signal === 'SIGINT' && this.#phase === 'stopping')) {
      this.#log.info(`Handling signal: ${name}; stopping now`);
      this.#phase = 'stopping';
      for (const record of this.#records.values()) {
        // Killed by us: its exit is logged as the stop it is, not as a crash.
        record.state = 'stopping';
        record.stopDeadline = Number.POSITIVE_INFINITY;
        record.worker.process.kill('SIGKILL');
      }
      return;
    }
    if (this.#phase !== 'running') return;
    this.#log.info(`Handling signal: ${name}`);
    if (signal === 'SIGTERM' || signal === 'SIGINT') {
      this.#phase = 'stopping';
      for (const record of this.#records.values()) this.#stop(record);
    } else if (signal === 'SIGUSR2') {
      this.#log.warning(
        "SIGUSR2 (Gunicorn's upgrade to a new master) is not supported: send SIGHUP to load new code and " +
          'configuration without dropping a connection',
      );
    } else if (signal === 'SIGUSR1') {
      // Gunicorn's USR1, after logrotate moved the files: the arbiter reopens its log, each worker its own.
      this.#errorLog.reopen(() => this.#log.info('Reopened the log files'));
      // A booting worker is told once it is ready: before its handler is installed, SIGUSR1 would open Node's
      // debugger port in it (and it may already have opened the moved files).
      for (const record of this.#records.values()) {
        if (record.state === 'booting') record.reopenLogs = true;
        else record.worker.process.kill('SIGUSR1');
      }
    } else if (signal === 'SIGHUP') {
      this.#log.info('Hang up: Master');
      await this.#reloadConfiguration();
      this.#retireAll();
    } else if (!this.#python) {
      this.#wanted = Math.max(1, this.#wanted + (signal === 'SIGTTIN' ? 1 : -1));
      this.#log.info(`Number of workers: ${this.#wanted}`);
    } else {
      this.#log.info(
        `${signal} ignored: a Python app's processes are --workers; change it in the config file and send SIGHUP`,
      );
    }
  }

  /** SIGHUP: the settings again from their sources; the replacement workers run with them (config-reload.ts). */
  async #reloadConfiguration(): Promise<void> {
    if (!this.#readOptions) return;
    try {
      const read = await this.#readOptions();
      const { options, notices } = applyReload(this.#options, this.#started, read.options);
      logNotices(this.#log, [...read.notices, ...notices]);
      applyEnvironment(options.env);
      this.#options = options;
      this.#log.setLevel(options.logLevel); // the arbiter's own lines too, not only the new workers'
      this.#wanted = this.#workersWanted(options);
      this.#log.info('Reloaded the configuration');
    } catch (error) {
      this.#log.error(`Reloading the configuration failed, so it stays as it was: ${errorMessage(error)}`);
    } finally {
      // Reading a Python config file blocks this loop for a moment, and no heartbeat was read meanwhile: not a
      // reason to take the workers for hung.
      const now = Date.now();
      for (const record of this.#records.values()) record.lastBeat = now;
    }
  }

  #onMessage(id: number, message: WorkerMessage): void {
    const record = this.#records.get(id);
    if (!record) return;
    if (message.tsgi === 'ready') {
      if (!this.#everServed) {
        for (const address of message.addresses) this.#log.info(`Listening at: ${address} (${process.pid})`);
        this.#chownUnixSockets();
      }
      this.#everServed = true;
      if (record.state === 'booting') record.state = 'serving';
      if (record.reopenLogs) {
        record.reopenLogs = false;
        record.worker.process.kill('SIGUSR1');
      }
    } else if (message.tsgi === 'retire' && record.state === 'serving') {
      record.state = 'retiring';
    }
  }

  #onExit(id: number, code: number | null, signal: string | null): void {
    const record = this.#records.get(id);
    if (!record) return;
    this.#records.delete(id);
    const { pid } = record;
    if (record.timedOut) {
      this.#log.error(`Worker (pid:${pid}) was killed after WORKER TIMEOUT`);
    } else if (
      record.state === 'stopping' &&
      // Stopped by us: it exited, or was still booting when SIGTERM came (no handler yet), or was killed at the end.
      (code === 0 || signal === 'SIGTERM' || signal === 'SIGKILL' || this.#phase === 'stopping')
    ) {
      this.#log.info(
        `Worker exited (pid:${pid})${code ? ` with code ${code}` : signal ? ` on ${signal}` : ''}`,
      );
    } else if (signal) {
      this.#log.error(
        `Worker (pid:${pid}) was sent ${signal}!${signal === 'SIGKILL' ? ' Perhaps out of memory?' : ''}`,
      );
    } else {
      const reason = record.state === 'booting' && code !== null ? bootFailureReason(code) : null;
      if (reason && code !== null) this.#onBootFailure(code, reason);
      else this.#log.error(`Worker (pid:${pid}) exited with code ${code}`);
    }
    if (this.#bootBlocked && this.#records.size === 0 && this.#phase === 'running') {
      this.#log.critical('The last running worker is gone and new ones cannot boot. Stopping');
      this.#haltReason = 'Worker failed to boot.';
      this.#exitCode = code && bootFailureReason(code) ? code : WORKER_BOOT_ERROR;
      this.#phase = 'stopping';
    }
  }

  /** A worker could not load the app or listen. Halt, unless other workers still serve the previous code. */
  #onBootFailure(code: number, reason: string): void {
    if (this.#phase !== 'running') return;
    const stillServing = this.#count('serving', 'retiring');
    if (this.#everServed && stillServing > 0) {
      this.#bootBlocked = true;
      for (const record of this.#records.values()) if (record.state === 'retiring') record.state = 'serving';
      this.#log.error(
        `${reason} Keeping the ${stillServing} running worker(s) and starting no more; fix the app, then send SIGHUP`,
      );
      return;
    }
    this.#log.critical(`${reason} Stopping: fix the error above and start again`);
    this.#haltReason = reason;
    this.#exitCode = code;
    this.#phase = 'stopping';
    for (const record of this.#records.values()) this.#stop(record);
  }

  #retireAll(): void {
    this.#bootBlocked = false;
    for (const record of this.#records.values()) {
      if (record.state === 'booting' || record.state === 'serving') record.state = 'retiring';
    }
  }

  /** More serving workers than wanted (SIGTTOU): retire the oldest. */
  #retireSurplus(): void {
    let surplus = this.#count('serving') - this.#wanted;
    for (const record of this.#records.values()) {
      if (surplus <= 0) break;
      if (record.state === 'serving') {
        record.state = 'retiring';
        surplus--;
      }
    }
  }

  /** Stops retired workers once enough replacements serve; kills stopping workers past the grace period. */
  #stopReplaced(now: number): void {
    const replaced = this.#count('serving') >= this.#wanted || this.#phase !== 'running';
    for (const record of this.#records.values()) {
      if (record.state === 'retiring' && replaced) this.#stop(record);
      else if (record.state === 'stopping' && now > record.stopDeadline && !record.timedOut) {
        this.#log.warning(`Worker (pid:${record.pid}) did not stop within --graceful-timeout; killing it`);
        record.stopDeadline = Number.POSITIVE_INFINITY;
        record.worker.process.kill('SIGKILL');
      }
    }
  }

  #stop(record: WorkerRecord): void {
    if (record.state === 'stopping') return;
    record.state = 'stopping';
    record.stopDeadline = Date.now() + record.gracefulTimeout * 1000 + KILL_MARGIN_MS;
    record.worker.process.kill('SIGTERM');
  }

  /** WORKER TIMEOUT: no heartbeat for --timeout seconds means the worker's event loop is stuck. */
  #killUnresponsive(now: number): void {
    for (const record of this.#records.values()) {
      if (record.timedOut || !isOverdue(record.lastBeat, record.timeout, now)) continue;
      this.#log.critical(`WORKER TIMEOUT (pid:${record.pid})`);
      record.timedOut = true;
      record.worker.process.kill('SIGKILL');
    }
  }
}
