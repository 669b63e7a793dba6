// The real `tsgi` command (dist/cli.js; `npm run build` first) for the CLI tests, as a ServerProcess
// (tests/e2e/support/server-process.ts): its own process group, so a test can signal the whole group as systemd or
// Ctrl-C would, and always kill everything it started. The tests pass their own binds.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from '../support/async.js';
import { CLI, ServerProcess, serverEnv } from './support/server-process.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const APPS = resolve(ROOT, 'tests/apps/cli');

import { freePort } from '../support/async.js';

export { freePort, sleep } from '../support/async.js';
export { CLI, type ServerProcess };

interface CliOptions {
  cwd?: string;
  /** Environment added to the runner's own (which loses the variables that change tsgi's defaults). */
  env?: Record<string, string>;
}

/** Starts `tsgi ...args` and returns at once. */
export function spawnTsgi(args: string[], options: CliOptions = {}): ServerProcess {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the e2e tests`);
  return new ServerProcess(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: serverEnv(options.env),
    port: 0,
  });
}

/** A server started by captureToFile: its error log (with the workers' output) is a file in a fresh directory. */
export interface Capturing {
  tsgi: ServerProcess;
  port: number;
  errorLog: string;
  /** The error log's text so far ('' before it exists). */
  log(): string;
  /** Kills the server and removes the directory. */
  done(): Promise<void>;
}

/** `tsgi APP --capture-output --error-logfile FILE` on a free port, once its log says it listens. */
export async function captureToFile(app: string): Promise<Capturing> {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-capture-'));
  const errorLog = join(dir, 'error.log');
  const port = await freePort();
  const tsgi = spawnTsgi([app, '-b', `127.0.0.1:${port}`, '--capture-output', '--error-logfile', errorLog]);
  const log = () => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '');
  const done = async () => {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(() => log().includes('Listening at:'), 15_000);
  } catch (error) {
    await done();
    throw error;
  }
  return { tsgi, port, errorLog, log, done };
}

/** Starts tsgi and waits until it logs that it listens. */
export async function startTsgi(args: string[], options: CliOptions = {}): Promise<ServerProcess> {
  const tsgi = spawnTsgi(args, options);
  try {
    await tsgi.waitForOutput(/Listening at: /);
  } catch (error) {
    await tsgi.kill();
    throw error;
  }
  return tsgi;
}

/** Runs tsgi to completion (usage errors, --version …). */
export async function runTsgi(args: string[], options: CliOptions = {}) {
  const tsgi = spawnTsgi(args, options);
  try {
    const exit = await tsgi.waitForExit(15_000);
    return { ...exit, stdout: tsgi.stdout, stderr: tsgi.stderr };
  } finally {
    await tsgi.kill();
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
