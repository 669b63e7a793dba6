// Shared benchmark machinery: start a server pinned to one core, load it with wrk pinned to the other, take
// medians over alternating rounds, stop every process by pid.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SERVER_CORE = process.env.BENCH_SERVER_CORE ?? '0';
export const LOAD_CORE = process.env.BENCH_LOAD_CORE ?? '1';

/** This checkout, its venv's interpreter (`bash scripts/setup-python.sh`) and the benchmark apps. */
export const ROOT = new URL('..', import.meta.url).pathname;
export const VENV_BIN = `${ROOT}.venv/bin`;
export const VENV_PYTHON = `${VENV_BIN}/python`;
export const APP_DIR = `${ROOT}bench/apps`;

/**
 * tsgi serving `target` (a module in bench/apps) on 127.0.0.1:`port` with `workers` Python workers and `extra`
 * options, from the build in `build`.
 */
export function tsgiPythonArgv(
  port: number,
  target: string,
  { build = ROOT, workers = 1, extra = [] as string[] } = {},
): string[] {
  return [
    process.execPath,
    `${build}/dist/cli.js`,
    '--workers',
    String(workers),
    ...extra,
    '--python',
    VENV_PYTHON,
    '--chdir',
    APP_DIR,
    '--bind',
    `127.0.0.1:${port}`,
    '--log-level',
    'warning',
    target,
  ];
}

/** Gunicorn's sync worker serving `target` from bench/apps on 127.0.0.1:`port`, with `workers` and `extra` options. */
export function gunicornArgv(
  port: number,
  target: string,
  { workers = 1, extra = [] as string[] } = {},
): string[] {
  return [
    `${VENV_BIN}/gunicorn`,
    '-w',
    String(workers),
    '-k',
    'sync',
    ...extra,
    '--chdir',
    APP_DIR,
    '-b',
    `127.0.0.1:${port}`,
    target,
  ];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listening on port ${port} after ${timeoutMs} ms`);
}

export interface Running {
  name: string;
  child: ChildProcess;
  port: number;
}

/**
 * Start a server command pinned to SERVER_CORE, in its own process group. Its stdout is dropped unless
 * `stdoutPath` names a file for it (V8's --trace-gc output, say).
 */
export async function startPinned(
  name: string,
  port: number,
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  cwd?: string,
  stdoutPath?: string,
): Promise<Running> {
  // stderr goes to a file, not a pipe: wrk runs synchronously, so nobody would drain a pipe and a chatty server
  // (Waitress warns on every queued request) would block on a full one.
  const logPath = join(tmpdir(), `tsgi-bench-${name.replace(/\W+/g, '-')}-${port}.log`);
  const log = openSync(logPath, 'w');
  const out = stdoutPath === undefined ? 'ignore' : openSync(stdoutPath, 'w');
  const child = spawn('taskset', ['-c', SERVER_CORE, ...argv], {
    detached: true,
    cwd,
    stdio: ['ignore', out, log],
    env: { ...process.env, ...env },
  });
  closeSync(log);
  if (typeof out === 'number') closeSync(out);
  try {
    await waitForPort(port);
  } catch (error) {
    await stop({ name, child, port });
    throw new Error(
      `${name} did not start: ${(error as Error).message}\n${readFileSync(logPath, 'utf8').slice(-4000)}`,
    );
  }
  return { name, child, port };
}

/** Stop a server and everything it started: SIGTERM to its process group, SIGKILL if it lingers. */
export async function stop(running: Running): Promise<void> {
  const pid = running.child.pid;
  if (pid === undefined || running.child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => running.child.once('exit', () => resolve()));
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {}
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }, 5000);
  await exited;
  clearTimeout(timer);
}

export interface LoadOptions {
  seconds: number;
  connections: number;
  close?: boolean;
  path?: string;
}

export interface LoadResult {
  /** Requests per second as wrk measured them. */
  rate: number;
  /** Requests completed in the run. */
  requests: number;
  /** CPU time (user + system) the server's processes spent in the run, per request, in microseconds. */
  cpuMicros: number;
}

/**
 * One wrk run pinned to LOAD_CORE against a server started by startPinned; non-2xx responses make it fail. Also
 * measures the server's CPU time per request (its whole process tree, from /proc): on a noisy host this moves far
 * less than the rate does, because time the server spends waiting for a core is not counted.
 */
export function load(server: Running, opts: LoadOptions): LoadResult {
  const args = ['-c', LOAD_CORE, 'wrk', '-t1', `-c${opts.connections}`, `-d${opts.seconds}s`];
  if (opts.close) args.push('-H', 'Connection: close');
  args.push(`http://127.0.0.1:${server.port}${opts.path ?? '/'}`);
  const pid = server.child.pid!;
  const before = cpuTicks(pid);
  const out = spawnSync('taskset', args, { encoding: 'utf8' });
  const spent = cpuTicks(pid) - before;
  if (out.status !== 0) throw new Error(`wrk failed: ${out.stderr}`);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(out.stdout);
  const requests = /(\d+) requests in/.exec(out.stdout);
  if (!rate || !requests) throw new Error(`wrk printed no rate:\n${out.stdout}`);
  const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out.stdout);
  if (bad) throw new Error(`wrk saw ${bad[1]} error responses:\n${out.stdout}`);
  const count = Number(requests[1]);
  return { rate: Number(rate[1]), requests: count, cpuMicros: ((spent / CLOCK_TICKS) * 1e6) / count };
}

// USER_HZ: the unit of utime/stime in /proc/PID/stat, 100 on every Linux architecture tsgi runs on.
const CLOCK_TICKS = 100;

/** The pids of a process and all its descendants. */
function processTree(rootPid: number): number[] {
  const pids = [rootPid];
  for (let i = 0; i < pids.length; i++) {
    try {
      const children = readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, 'utf8').trim();
      if (children) pids.push(...children.split(/\s+/).map(Number));
    } catch {}
  }
  return pids;
}

/** User + system CPU time, in clock ticks, of a process tree (proc(5): fields 14 and 15 of /proc/PID/stat). */
export function cpuTicks(rootPid: number): number {
  let total = 0;
  for (const pid of processTree(rootPid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces: count fields from after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return total;
}

/** The items in a fresh random order (Fisher–Yates), shuffled in place. */
export function shuffled<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Median over rounds of one server's figure over another's in the same round: on a shared host the machine's
 * speed drifts by tens of percent within seconds, and a ratio of two neighbouring runs cancels most of it.
 */
export function roundRatio(
  mine: LoadResult[],
  theirs: LoadResult[],
  figure: (r: LoadResult) => number,
): number {
  return median(mine.map((r, i) => figure(r) / figure(theirs[i])));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Peak resident set size (VmHWM) in KiB over a process and all its descendants. */
export function peakRssKiB(rootPid: number): number {
  let total = 0;
  for (const pid of processTree(rootPid)) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]);
    } catch {}
  }
  return total;
}

/**
 * Memory private to a process tree now (Private_Clean + Private_Dirty from smaps_rollup, in KiB): what the server
 * alone holds. RSS counts each process's mapped binaries and libraries again (two Node processes both count the node
 * binary); private memory counts none of them, so the truth lies between the two figures.
 */
export function privateKiB(rootPid: number): number {
  let total = 0;
  for (const pid of processTree(rootPid)) {
    try {
      const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      for (const m of text.matchAll(/^Private_(?:Clean|Dirty):\s+(\d+) kB/gm)) total += Number(m[1]);
    } catch {}
  }
  return total;
}

/**
 * Proportional and resident set size (Pss, Rss from smaps_rollup, in KiB) summed over a process tree's processes
 * that `only` keeps (by name: /proc/PID/comm). Pss splits each shared page among the processes that map it, so forked
 * workers sharing their parent's pages count them once in all: the fair total of a group of processes.
 */
export function setSizesKiB(
  rootPid: number,
  only: (cmdline: string) => boolean,
): { pss: number; rss: number; processes: number } {
  let pss = 0;
  let rss = 0;
  let processes = 0;
  for (const pid of processTree(rootPid)) {
    try {
      if (!only(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) continue;
      const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0);
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0);
      processes++;
    } catch {}
  }
  return { pss, rss, processes };
}

export function requireWrk(): void {
  if (spawnSync('wrk', ['--version']).error) {
    console.error('bench: wrk is not installed (apt-get install wrk)');
    process.exit(2);
  }
}

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))
    .join('\n');
}
