// Runs the real `tsgi` command (dist/cli.js; `npm run build` first) in its own process group, so a test can
// signal the whole group as systemd or Ctrl-C would, and always kill everything it started.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = resolve(ROOT, 'dist/cli.js');
export const APPS = resolve(ROOT, 'tests/apps/cli');

/** The environment without the variables that change tsgi's defaults. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of ['PORT', 'WEB_CONCURRENCY', 'SCRIPT_NAME', 'TSGI_CMD_ARGS'])
    if (!(name in extra)) delete env[name];
  return env;
}

export { freePort, sleep } from '../support/async.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class Tsgi {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  stdout = '';
  stderr = '';
  #listeners = new Set<() => void>();

  constructor(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the e2e tests`);
    this.child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: cleanEnv(options.env ?? {}),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (s: string) => this.#append('stdout', s));
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => this.#append('stderr', s));
    this.exited = new Promise((resolveExit) =>
      this.child.once('exit', (code, signal) => resolveExit({ code, signal })),
    );
  }

  get output(): string {
    return this.stdout + this.stderr;
  }

  #append(stream: 'stdout' | 'stderr', text: string): void {
    this[stream] += text;
    for (const listener of this.#listeners) listener();
  }

  /** Resolves with the first match of `pattern` in the output (both streams), waiting up to `ms`. */
  waitFor(pattern: RegExp, ms = 10_000): Promise<RegExpMatchArray> {
    return new Promise((resolveMatch, reject) => {
      const check = () => {
        const match = this.output.match(pattern);
        if (!match) return;
        cleanup();
        resolveMatch(match);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${pattern} in the output within ${ms} ms; output:\n${this.output}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        this.#listeners.delete(check);
      };
      this.#listeners.add(check);
      check();
    });
  }

  /** How many times `pattern` occurs in the output so far. */
  count(pattern: RegExp): number {
    return [...this.output.matchAll(new RegExp(pattern.source, 'g'))].length;
  }

  /** Signals the arbiter only. */
  signal(signal: NodeJS.Signals): void {
    process.kill(this.child.pid!, signal);
  }

  /** Signals the whole process group (arbiter and workers), as systemd's stop or Ctrl-C does. */
  signalGroup(signal: NodeJS.Signals): void {
    process.kill(-this.child.pid!, signal);
  }

  /** Resolves with the exit, or rejects if the process is still running after `ms`. */
  async exit(ms: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`tsgi still running after ${ms} ms; output:\n${this.output}`)),
        ms,
      );
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process group, whatever state it is in (for finally blocks). */
  kill(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Starts tsgi and waits until it logs that it listens. */
export async function startTsgi(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
) {
  const tsgi = new Tsgi(args, options);
  try {
    await tsgi.waitFor(/Listening at: /);
  } catch (error) {
    tsgi.kill();
    throw error;
  }
  return tsgi;
}

/** Runs tsgi to completion (usage errors, --version …). */
export async function runTsgi(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const tsgi = new Tsgi(args, options);
  try {
    const exit = await tsgi.exit(15_000);
    return { ...exit, stdout: tsgi.stdout, stderr: tsgi.stderr };
  } finally {
    tsgi.kill();
  }
}

export interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One GET on a fresh connection (`Connection: close`), to a TCP port or a unix socket path. */
export function get(where: number | string, path = '/', timeoutMs = 10_000): Promise<Reply> {
  const target = typeof where === 'number' ? { host: '127.0.0.1', port: where } : { socketPath: where };
  return new Promise((resolveReply, reject) => {
    const req = request({ ...target, path, agent: false, headers: { Connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (s: string) => {
        body += s;
      });
      res.on('end', () => resolveReply({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`GET ${path}: no response within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}
