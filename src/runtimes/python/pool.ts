// The Python worker pool: keeps `workers` processes, sends each request to the least busy one with a short
// queue per worker, enforces the per-request timeout, recycles after max-requests, and on a worker's death
// re-sends the requests it had not started (WORKERS.md). Only the requests it was running can fail.

import { performance } from 'node:perf_hooks';
import type { Logger } from '../../log.js';
import type { CallHost, RemoteCall } from './call.js';
import { PythonAppError, pythonErrors } from './errors.js';
import { decodeFile, decodeIds, decodeStrings, encodeCredit, encodeFrame, FrameType } from './wire.js';
import { PythonWorker, type WorkerConfig } from './worker.js';
import { PythonZygote } from './zygote.js';

/** Requests a worker may hold beyond its threads before it has a pace (WORKERS.md: a short queue). */
export const MIN_QUEUE = 2;
/** The most it may hold beyond its threads, however fast it answers. */
export const MAX_QUEUE = 32;
/** What a worker's queue may add to a request's wait, at the worker's recent pace. */
export const QUEUE_BUDGET_MS = 4;
/** A worker whose oldest request has run this long may be slow or hung: queue nothing more to it. */
export const STALL_MS = 2 * QUEUE_BUDGET_MS;

/**
 * Requests a worker may hold beyond its threads. Each request queued to a worker is one it answers in the same
 * wake-up instead of one hand-off each (on a shared core a deep queue doubled the plain and `Connection: close`
 * rates, docs/python.md), but a request queued behind a slow one waits for it (WORKERS.md) until the worker gives
 * it back (GIVE_BACK, #takeBack). So the queue is as deep as the worker drains within QUEUE_BUDGET_MS at its recent
 * pace (`paceMs` per request, per thread), short before it has a pace, and empty while it is stalled: then requests
 * wait in the pool for whichever worker frees up first.
 */
export function queueDepth(threads: number, paceMs: number | undefined, runningForMs: number): number {
  if (runningForMs > STALL_MS) return 0;
  if (paceMs === undefined) return MIN_QUEUE;
  const drained = Math.floor((QUEUE_BUDGET_MS * threads) / Math.max(paceMs, 0.001));
  return Math.max(MIN_QUEUE, Math.min(MAX_QUEUE, drained));
}

/** After SIGUSR2 (thread stacks to the log), how long a timed-out worker has before SIGKILL. */
const DUMP_GRACE_MS = 200;
/** After the SIGKILL, how long a timed-out request waits for the worker's exit before it is answered anyway (a
 * process stuck in the kernel may not die at once). */
const EXIT_WAIT_MS = 2000;
const RESPAWN_DELAY_MS = 1000;
/** How long cut() waits for the workers it killed to exit (their held responses are delivered then). */
const CUT_WAIT_MS = 500;
/** With a heartbeat (gevent, threads): a worker not heard from for this many heartbeat periods is blocked (its event
 * loop, or the GIL held by C code): nothing more is queued to it until it is heard from again (or killed at
 * --timeout), so requests are not piled up behind it. */
const STALE_HEARTBEATS = 2.5;

export interface PoolOptions {
  worker: WorkerConfig;
  workers: number;
  timeout: number;
  maxRequests: number;
  maxRequestsJitter: number;
  /** Seconds a worker told to stop (retired) has to exit before it is killed (--graceful-timeout; default 30). */
  gracefulTimeout?: number;
  logger: Logger;
  /** --preload: import the app once, in a zygote that forks the workers (zygote.ts). */
  preload?: boolean;
}

export class PythonPool implements CallHost {
  readonly #options: PoolOptions;
  readonly #logger: Logger;
  #workers: PythonWorker[] = [];
  #pending: RemoteCall[] = [];
  #nextId = 1;
  #closing = false;
  #idleWaiters: Array<() => void> = [];
  #sweeper: NodeJS.Timeout | undefined;
  /** The last worker to start failed to boot; cleared when one boots. */
  #bootFailing = false;
  readonly #zygote: PythonZygote | undefined;

  constructor(options: PoolOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#zygote = options.preload ? new PythonZygote(options.worker, options.logger) : undefined;
  }

  /** Spawn every worker and wait until each has imported the app. Rejects (and kills them all) if one cannot. */
  async start(): Promise<void> {
    const seconds = this.#options.timeout;
    if (seconds > 0) {
      this.#sweeper = setInterval(() => this.#sweep(), Math.min(1000, Math.max(50, (seconds * 1000) / 8)));
      this.#sweeper.unref();
    }
    if (this.#zygote) {
      try {
        await this.#zygote.start(); // an app that cannot be imported stops tsgi here, before any fork
      } catch (error) {
        this.#closing = true;
        await this.#zygote.stop();
        throw error;
      }
    }
    const workers = Array.from({ length: this.#options.workers }, () => this.#spawn());
    try {
      await Promise.all(workers.map((w) => w.booted));
    } catch (error) {
      this.#closing = true;
      for (const w of workers) w.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exitedPromise()));
      await this.#zygote?.stop();
      throw error;
    }
  }

  nextId(): number {
    const id = this.#nextId;
    this.#nextId = id >= 0xffffffff ? 1 : id + 1;
    return id;
  }

  submit(call: RemoteCall): void {
    if (this.#closing && this.#workers.length === 0) {
      call.fail(pythonErrors.poolClosed());
      return;
    }
    if (this.#bootFailing && !this.#workers.some((w) => w.ready && !w.exited)) {
      // Nothing can run it until a worker boots again: answer now (503) instead of queueing without bound.
      call.fail(pythonErrors.noWorker());
      return;
    }
    this.#pending.push(call);
    this.#pump();
  }

  get workerPids(): number[] {
    return this.#workers.filter((w) => !w.exited && w.pid !== undefined).map((w) => w.pid as number);
  }

  /** With --preload, the zygote's pid while it runs. */
  get zygotePid(): number | undefined {
    return this.#zygote?.pid;
  }

  // ---- dispatch

  #spawn(): PythonWorker {
    const { worker, maxRequests, maxRequestsJitter } = this.#options;
    const w = new PythonWorker(
      worker,
      this.#logger,
      {
        frame: (w2, type, id, payload) => this.#onFrame(w2, type, id, payload),
        exit: (w2, how) => this.#onExit(w2, how),
      },
      this.#zygote,
    );
    if (maxRequests > 0) w.limit = maxRequests + Math.floor(Math.random() * (maxRequestsJitter + 1));
    this.#workers.push(w);
    w.booted.then(
      () => {
        this.#bootFailing = false;
        this.#pump();
      },
      () => {},
    );
    return w;
  }

  /** Send pending calls to the least busy ready worker with room (prefer idle ones). */
  #pump(): void {
    if (this.#pending.length === 0) return;
    const threads = this.#options.worker.threads;
    const now = performance.now();
    const staleMs = (this.#options.worker.heartbeat ?? 0) * 1000 * STALE_HEARTBEATS;
    while (this.#pending.length > 0) {
      let best: PythonWorker | undefined;
      for (const w of this.#workers) {
        if (!w.ready || w.retiring || w.exited) continue;
        if (staleMs > 0 && now - w.heardAt > staleMs) continue;
        const oldest = w.calls.first()?.startedAt;
        const runningFor = oldest === undefined ? 0 : now - oldest;
        if (w.calls.size >= threads + queueDepth(threads, w.paceMs, runningFor)) continue;
        if (best === undefined || w.calls.size < best.calls.size) best = w;
      }
      if (best === undefined) return;
      this.#dispatch(best, this.#pending.shift()!, now);
    }
  }

  #dispatch(w: PythonWorker, call: RemoteCall, now: number): void {
    call.worker = w;
    w.calls.add(call);
    w.served++;
    w.send(call.frame);
    this.#markStarted(w, now);
    if (w.limit > 0 && w.served >= w.limit) this.#retire(w);
  }

  /**
   * The worker's app threads take requests in arrival order, so its first `threads` outstanding calls are the
   * ones it has started (or is about to): their timeout runs from now, and they are never re-sent. Those before
   * the last of them are marked already (a call is added at the end, removed from anywhere), so this walks back
   * from it only while it finds calls not yet marked: O(1) per dispatch or finish, however many a gevent worker
   * holds.
   */
  #markStarted(w: PythonWorker, now: number): void {
    for (let i = Math.min(w.calls.size, this.#options.worker.threads) - 1; i >= 0; i--) {
      const call = w.calls.at(i) as RemoteCall;
      if (call.startedAt !== undefined) break;
      call.startedAt = now;
    }
  }

  /**
   * The per-request timeout, checked by one periodic sweep (as Gunicorn's arbiter does) rather than a timer per
   * request: a timer armed and cleared for every call costs more than the rest of dispatch.
   */
  #sweep(): void {
    const limit = this.#options.timeout * 1000;
    const now = performance.now();
    const byHeartbeat = (this.#options.worker.heartbeat ?? 0) > 0;
    for (const w of [...this.#workers]) {
      if (w.exited) continue;
      if (byHeartbeat) {
        // -k gevent and --threads, as Gunicorn's gevent and gthread workers: a request may run as long as it likes
        // while the worker beats; one that sent no heartbeat for --timeout is blocked (gevent: CPU-bound code, a
        // call gevent does not patch; threads: C code holding the GIL), and every request of it is stuck too.
        if (w.ready && now - w.heardAt > limit) this.#timedOut(w, undefined);
        continue;
      }
      for (const call of w.calls) {
        if (call.startedAt !== undefined && !call.settled && now - call.startedAt > limit) {
          this.#timedOut(w, call); // kills the worker: its other calls are failed or re-sent on exit
          break;
        }
      }
    }
  }

  #onFrame(w: PythonWorker, type: number, id: number, payload: Buffer): void {
    if (type === FrameType.LOG) {
      for (const line of payload.toString('utf8').trimEnd().split('\n')) this.#logger.error(line);
      return;
    }
    if (type === FrameType.HEARTBEAT) {
      this.#pump(); // it may have been passed over while its loop was blocked (#pump)
      return;
    }
    if (type === FrameType.GIVE_BACK) {
      this.#takeBack(w, decodeIds(payload));
      return;
    }
    const call = w.calls.get(id);
    if (call === undefined) return; // a late frame for a call already failed (timeout) or aborted
    switch (type) {
      case FrameType.HEADERS:
        call.onHeaders(decodeStrings(payload).items);
        return;
      case FrameType.BODY:
        call.onBody(payload);
        return;
      case FrameType.COMPLETE:
        call.onComplete();
        return;
      case FrameType.EARLY_HINTS:
        call.onEarlyHints(decodeStrings(payload).items);
        return;
      case FrameType.FILE:
        call.onFile(decodeFile(payload));
        return;
      case FrameType.END:
        this.#finish(w, call);
        call.onEnd();
        return;
      case FrameType.ERROR:
        this.#finish(w, call);
        call.fail(new PythonAppError(payload.toString('utf8')));
        return;
      default:
        this.#logger.error(`Python worker ${w.pid} sent an unknown frame type ${type}; killing it`);
        w.kill('SIGKILL');
    }
  }

  #finish(w: PythonWorker, call: RemoteCall): void {
    w.calls.delete(call);
    call.worker = undefined;
    const now = performance.now();
    if (call.startedAt !== undefined) {
      // The worker's pace: a moving average of how long its requests run (in a batch, the first carries the
      // batch's time and the rest next to none, so the average is the time per request).
      const ran = now - call.startedAt;
      w.paceMs = w.paceMs === undefined ? ran : w.paceMs + (ran - w.paceMs) / 8;
    }
    this.#markStarted(w, now);
    if (w.retiring && w.calls.size === 0 && !w.exited) this.#stopRetired(w);
    this.#pump();
    this.#checkIdle();
  }

  /**
   * GIVE_BACK: requests that a worker with one thread had queued behind one that ran long, which it took out of its
   * queue and will never start. They go back to the front of the queue, in order, for a worker that is free (the
   * stalled one takes nothing new meanwhile: queueDepth), instead of waiting for the slow one.
   */
  #takeBack(w: PythonWorker, ids: number[]): void {
    const back: RemoteCall[] = [];
    for (const id of ids) {
      const call = w.calls.get(id);
      if (call === undefined) continue;
      w.calls.delete(call);
      w.served--;
      call.worker = undefined;
      call.startedAt = undefined;
      // Its client left meanwhile (the ABORT crossed this frame): nothing to run.
      if (call.closed) call.onEnd();
      else back.push(call);
    }
    this.#pending.unshift(...back);
    this.#markStarted(w, performance.now());
    if (w.retiring && w.calls.size === 0 && !w.exited) this.#stopRetired(w);
    this.#pump();
    this.#checkIdle();
  }

  #retire(w: PythonWorker): void {
    this.#logger.info(`Python worker ${w.pid} reached max requests (${w.limit}): recycling it`);
    w.retiring = true;
    if (!this.#closing) {
      w.replaced = true;
      this.#spawn();
    }
    if (w.calls.size === 0) this.#stopRetired(w);
  }

  /**
   * STOP for a retired worker with nothing left to run. One that does not exit (the app started a non-daemon thread,
   * which Python waits for at exit) is killed after --graceful-timeout, as Gunicorn's arbiter kills a worker that
   * stopped beating: otherwise every --max-requests recycle would leave one more process behind.
   */
  #stopRetired(w: PythonWorker): void {
    w.stop();
    // At least a second: with --graceful-timeout 0 an idle worker still gets to exit by itself.
    const seconds = Math.max(1, this.#options.gracefulTimeout ?? 30);
    setTimeout(() => {
      if (w.exited || w.killedFor !== undefined) return;
      this.#logger.warning(
        `Python worker ${w.pid} did not exit ${seconds} s after it was told to stop (a non-daemon thread of the ` +
          "app keeps its interpreter up; make such threads daemon=True or end them in the config's worker_exit): " +
          'killing it',
      );
      w.killedFor = 'shutdown';
      w.kill('SIGKILL');
    }, seconds * 1000).unref();
  }

  /** Kill a worker for --timeout: `call` ran past it, or (gevent, threads: no call) the worker sent no heartbeat. */
  #timedOut(w: PythonWorker, call: RemoteCall | undefined): void {
    if (call?.settled || w.exited || w.killedFor !== undefined) return;
    const seconds = this.#options.timeout;
    this.#logger.critical(
      call
        ? `WORKER TIMEOUT (pid:${w.pid}): a request ran past ${seconds} s; killing the worker`
        : this.#options.worker.gevent
          ? `WORKER TIMEOUT (pid:${w.pid}): its gevent event loop sent no heartbeat for ${seconds} s (blocked by ` +
            'code gevent does not switch out of); killing the worker'
          : `WORKER TIMEOUT (pid:${w.pid}): it sent no heartbeat for ${seconds} s (none of its threads could run ` +
            'Python: C code holding the GIL); killing the worker',
    );
    w.killedFor = 'timeout';
    w.timedOut = call;
    // The request fails when the worker has gone (#onExit), not now: a worker with one thread may have held whole
    // responses of the requests before it, which its exit delivers first (docs/wire.md, held responses).
    // Its thread stacks go to the log (faulthandler on SIGUSR2: SIGUSR1 to the whole group is logrotate's), then
    // it dies; #onExit re-sends the requests it had not started.
    w.retiring = true;
    w.logStderr(); // the stacks are tsgi's diagnosis: the error log's, whatever --capture-output says
    w.kill('SIGUSR2');
    setTimeout(() => {
      w.kill('SIGKILL');
      setTimeout(() => {
        if (w.exited || call === undefined || call.settled) return;
        w.calls.delete(call);
        call.fail(pythonErrors.workerTimeout(w.pid, seconds));
      }, EXIT_WAIT_MS).unref();
    }, DUMP_GRACE_MS).unref();
  }

  #onExit(w: PythonWorker, how: string): void {
    this.#workers = this.#workers.filter((x) => x !== w);
    const expected = (w.retiring && w.calls.size === 0) || w.killedFor !== undefined;
    if (!expected && w.ready) this.#logger.error(`Python worker ${w.pid} exited (${how})`);
    // Started calls fail; the others go back to the front of the queue, in order, for another worker.
    const threads = this.#options.worker.threads;
    let started = threads;
    const resend: RemoteCall[] = [];
    const now = performance.now();
    const limit = this.#options.timeout;
    for (const call of w.calls) {
      call.worker = undefined;
      if (started-- > 0 && call.startedAt !== undefined) {
        if (w.killedFor === 'shutdown') call.fail(pythonErrors.shutdownCut(w.pid));
        else if (w.killedFor !== 'timeout') call.fail(pythonErrors.workerCrashed(w.pid, how));
        // gevent, threads: it stopped beating; every request it had started was stuck with it.
        else if (w.timedOut === undefined)
          call.fail(pythonErrors.workerBlocked(w.pid, limit, this.#options.worker.gevent === true));
        // 504 for the request that timed out, and for one that started only when the held responses before it
        // were delivered at the exit (the worker was running it all along: its clock started late). The others
        // were killed along with it (one that started while the worker had its grace period for the stack dump).
        else if (call === w.timedOut || (w.exitedAt !== undefined && call.startedAt >= w.exitedAt)) {
          call.fail(pythonErrors.workerTimeout(w.pid, limit));
        } else call.fail(pythonErrors.workerKilledForTimeout(w.pid, limit, (now - call.startedAt) / 1000));
      } else {
        call.startedAt = undefined;
        resend.push(call);
      }
    }
    w.calls.clear();
    this.#pending.unshift(...resend);
    if (w.ready && !this.#closing && !w.replaced && !(w.retiring && w.killedFor === undefined)) {
      this.#spawn();
    } else if (
      !w.ready &&
      !this.#closing &&
      !this.#workers.some((x) => !x.ready) &&
      this.#liveWorkers() < this.#options.workers
    ) {
      // A replacement could not boot (the app may be broken now): try again later, not in a tight loop. Until
      // one boots, requests nobody can run are answered 503 rather than queued.
      this.#bootFailing = true;
      if (!this.#workers.some((x) => x.ready && !x.exited)) {
        for (const call of this.#pending.splice(0)) call.fail(pythonErrors.noWorker());
      }
      setTimeout(() => {
        if (!this.#closing && this.#liveWorkers() < this.#options.workers) this.#spawn();
      }, RESPAWN_DELAY_MS).unref();
    }
    if (this.#closing && this.#workers.length === 0) {
      for (const call of this.#pending.splice(0)) call.fail(pythonErrors.poolClosed());
    }
    this.#pump();
    this.#checkIdle();
  }

  #liveWorkers(): number {
    return this.#workers.filter((w) => !w.retiring).length;
  }

  // ---- CallHost

  abort(call: RemoteCall): void {
    const i = this.#pending.indexOf(call);
    if (i !== -1) {
      this.#pending.splice(i, 1);
      call.onEnd();
      this.#checkIdle();
      return;
    }
    (call.worker as PythonWorker | undefined)?.send(encodeFrame(FrameType.ABORT, call.id));
  }

  credit(call: RemoteCall, bytes: number): void {
    (call.worker as PythonWorker | undefined)?.send(encodeCredit(call.id, bytes));
  }

  fileReply(call: RemoteCall, ok: boolean): void {
    (call.worker as PythonWorker | undefined)?.send(
      encodeFrame(FrameType.FILE_REPLY, call.id, Uint8Array.of(ok ? 1 : 0)),
    );
  }

  // ---- shutdown

  #busy(): boolean {
    return this.#pending.length > 0 || this.#workers.some((w) => w.calls.size > 0);
  }

  #checkIdle(): void {
    if (this.#busy()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  /** Graceful stop: finish queued and running requests for up to `graceMs`, then stop; kill what is left. */
  async close(graceMs: number): Promise<void> {
    this.#closing = true;
    clearInterval(this.#sweeper);
    const deadline = Date.now() + graceMs;
    if (this.#busy()) {
      await new Promise<void>((resolve) => {
        this.#idleWaiters.push(resolve);
        setTimeout(resolve, Math.max(0, deadline - Date.now())).unref();
      });
    }
    const workers = [...this.#workers];
    for (const w of workers) w.stop();
    const exited = Promise.all(workers.map((w) => w.exitedPromise()));
    const left = Math.max(100, deadline - Date.now());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, left)))]);
    clearTimeout(timer);
    this.#kill(workers);
    await exited;
    await this.#zygote?.stop();
    for (const call of this.#pending.splice(0)) call.fail(pythonErrors.poolClosed());
  }

  /**
   * The grace period of a stop ended while requests were in flight: kill the workers now, before the front end
   * closes the connections, so that every request is answered: those the workers were running fail
   * (TSGI_SHUTDOWN_CUT), and those they had not started, queued to them or waiting in the pool, get 503
   * (TSGI_PYTHON_POOL_CLOSED). Without it, a request still waiting for a worker had its connection closed, unlogged.
   */
  async cut(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#sweeper);
    const workers = [...this.#workers];
    this.#kill(workers);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(workers.map((w) => w.exitedPromise())),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, CUT_WAIT_MS))),
    ]);
    clearTimeout(timer);
    for (const call of this.#pending.splice(0)) call.fail(pythonErrors.poolClosed());
  }

  /** SIGKILL for the workers that have not exited when the graceful timeout ended, with a warning. */
  #kill(workers: PythonWorker[]): void {
    const running = workers.filter((w) => !w.exited);
    if (running.length === 0) return;
    this.#logger.warning(
      `${running.length} Python worker(s) had not exited when the graceful timeout ended: killing them`,
    );
    for (const w of running) {
      w.killedFor = 'shutdown';
      w.kill('SIGKILL');
    }
  }
}
