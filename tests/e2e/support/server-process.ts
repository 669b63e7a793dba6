// Real server processes for the end-to-end tests: `node dist/cli.js` (the tsgi CLI) and Gunicorn, each spawned
// detached in its own process group, with its output collected. signal()/send()/kill() go by pid or process
// group, never by name; a process exit hook kills any group a failed test left behind. The CLI tests reach the
// same class through tests/e2e/cli-harness.ts.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { PYTHON, ROOT } from '../../runtimes/python/support/python-server.js';

export { PYTHON, ROOT, skipPython } from '../../runtimes/python/support/python-server.js';

export const CLI = `${ROOT}dist/cli.js`;
export const GUNICORN = `${ROOT}.venv/bin/gunicorn`;
export const PYTHON_APPS = `${ROOT}tests/apps/python`;

const live = new Set<number>();
process.once('exit', () => {
  for (const pgid of live) signalGroup(pgid, 'SIGKILL');
});

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone already
  }
}

/** The runner's environment plus `extra`, without the variables that would change a server's defaults. */
export function serverEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of [
    'PORT',
    'WEB_CONCURRENCY',
    'SCRIPT_NAME',
    'TSGI_CMD_ARGS',
    'GUNICORN_CMD_ARGS',
    'VIRTUAL_ENV',
    'FORWARDED_ALLOW_IPS',
  ])
    if (!(name in extra)) delete env[name];
  return env;
}

import { freePort, sleep } from '../../support/async.js';

export { freePort, sleep, waitFor } from '../../support/async.js';

export { isAlive } from '../../support/process.js';

/** Every descendant of `pid` (children, grandchildren, …), from /proc. */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const child of children.get(p) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

/** The command line of a process, arguments joined with spaces ('' once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The port it was started on; 0 when its arguments choose its binds (the CLI tests). */
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** Everything the process wrote to stdout and stderr so far (interleaved as it arrived). */
  output = '';
  /** stdout alone (--version, --help, the access log to `-`). */
  stdout = '';
  /** stderr alone: tsgi's error log. */
  stderr = '';
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
  #waiters: Array<() => void> = [];

  constructor(
    command: string,
    args: string[],
    options: { cwd: string; env: NodeJS.ProcessEnv; port: number },
  ) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (this.child.pid === undefined) throw new Error(`could not spawn ${command}`);
    this.pid = this.child.pid;
    live.add(this.pid);
    this.port = options.port;
    this.origin = `http://127.0.0.1:${options.port}`;
    const collect = (stderr: boolean) => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.output += text;
      if (stderr) this.stderr += text;
      else this.stdout += text;
      this.#wake();
    };
    this.child.stdout?.on('data', collect(false));
    this.child.stderr?.on('data', collect(true));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        const exited = () => {
          if (this.exit) return;
          this.exit = { code, signal };
          this.#wake();
          resolve(this.exit);
        };
        // What it wrote just before exiting may still be in the pipes: wait for them to close ('close'), but not
        // for long, since a child that outlives it could hold them open.
        const timer = setTimeout(exited, 1000);
        this.child.once('close', () => {
          clearTimeout(timer);
          exited();
        });
      });
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Wait until the output matches `pattern`; rejects (quoting the output) on timeout or exit. */
  async waitForOutput(pattern: RegExp, ms = 10_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      const left = deadline - Date.now();
      if (this.exit || left <= 0) {
        const why = this.exit ? `exited (${this.exit.code ?? this.exit.signal})` : `timed out after ${ms} ms`;
        throw new Error(`${why} before output matched ${pattern}; output:\n${this.output}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** How many times `pattern` occurs in the output so far. */
  count(pattern: RegExp): number {
    return [...this.output.matchAll(new RegExp(pattern.source, 'g'))].length;
  }

  /** The last `lines` lines of output, for assertion messages: a failed status check shows the server's log. */
  tail(lines = 40): string {
    return `server output (last ${lines} lines):\n${this.output.split('\n').slice(-lines).join('\n')}`;
  }

  /** Every process under this one (for tsgi: the Node front end and its Python workers). */
  descendants(): number[] {
    return descendantsOf(this.pid);
  }

  /** Resolves with the exit, or rejects (quoting the output) if the process still runs after `ms`. */
  async waitForExit(ms = 10_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running after ${ms} ms; ${this.tail()}`)), ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Send `signal` to the main process only; resolves with its exit, or rejects after `ms`. */
  signal(signal: NodeJS.Signals, ms = 10_000): Promise<Exit> {
    if (!this.exit) process.kill(this.pid, signal);
    return this.waitForExit(ms);
  }

  /** Send `signal` to the main process only, without waiting (SIGHUP, SIGTTIN, a first SIGTERM…). */
  send(signal: NodeJS.Signals): void {
    if (!this.exit) process.kill(this.pid, signal);
  }

  /** Send `signal` to the whole process group (server and workers), as systemd's stop or Ctrl-C does. */
  sendGroup(signal: NodeJS.Signals): void {
    signalGroup(this.pid, signal);
  }

  /** For after hooks: SIGKILL the whole process group (the server and every worker it started). */
  async kill(): Promise<void> {
    signalGroup(this.pid, 'SIGKILL');
    live.delete(this.pid);
    if (!this.exit) await Promise.race([this.exited, sleep(2000)]);
  }
}

export interface TsgiOptions {
  /** The app's directory (--chdir); default tests/apps/python. */
  chdir?: string;
  /** Environment added to the test runner's own. */
  env?: NodeJS.ProcessEnv;
  /** Wait for "Listening at:" (default true). */
  waitUntilListening?: boolean;
}

/**
 * `node dist/cli.js --python .venv/bin/python --chdir DIR -b 127.0.0.1:PORT ...args TARGET`, started and (by
 * default) listening. `args` go before the target.
 */
export async function startTsgi(target: string, args: string[] = [], options: TsgiOptions = {}) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const server = new ServerProcess(
    process.execPath,
    [
      CLI,
      '--python',
      PYTHON,
      '--chdir',
      options.chdir ?? PYTHON_APPS,
      '-b',
      `127.0.0.1:${port}`,
      ...args,
      target,
    ],
    { cwd: ROOT, env: serverEnv(options.env), port },
  );
  if (options.waitUntilListening !== false) {
    try {
      await server.waitForOutput(/Listening at: /);
    } catch (error) {
      await server.kill();
      throw error;
    }
  }
  return server;
}

/** `gunicorn --no-control-socket -w 1 -b 127.0.0.1:PORT --chdir DIR ...args TARGET`, listening (no control socket: it would go to ~/.gunicorn, shared by every Gunicorn). */
export async function startGunicorn(target: string, args: string[] = [], options: TsgiOptions = {}) {
  const port = await freePort();
  const server = new ServerProcess(
    GUNICORN,
    [
      '--no-control-socket',
      '-w',
      '1',
      '-b',
      `127.0.0.1:${port}`,
      '--chdir',
      options.chdir ?? PYTHON_APPS,
      ...args,
      target,
    ],
    { cwd: ROOT, env: serverEnv(options.env), port },
  );
  try {
    await server.waitForOutput(/Booting worker with pid/);
    await server.waitForOutput(/Listening at: /);
  } catch (error) {
    await server.kill();
    throw error;
  }
  return server;
}

/** The Python worker processes of a running tsgi (descendants whose command line runs tsgi_worker). */
export function pythonWorkerPids(server: ServerProcess): number[] {
  return server.descendants().filter((pid) => commandLine(pid).includes('tsgi_worker'));
}
