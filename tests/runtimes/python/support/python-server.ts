// Serves a test app from tests/apps/python through pythonApp and the real HTTP server on 127.0.0.1:0, with one
// memory logger for both. close() stops the server and the Python workers (each by its pid).

import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createHttpServer } from '../../../../src/http/server.js';
import { memoryLogger } from '../../../../src/log.js';
import {
  type PythonApplication,
  type PythonAppOptions,
  pythonApp,
} from '../../../../src/runtimes/python/index.js';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const PYTHON = `${ROOT}.venv/bin/python`;
export const APPS = `${ROOT}tests/apps/python`;

/** The reason to skip Python tests, or false when the venv interpreter exists. Skipped tests never count as passed. */
export const skipPython: string | false = existsSync(PYTHON)
  ? false
  : 'no .venv/bin/python: run `bash scripts/setup-python.sh`';

export interface PythonServer {
  app: PythonApplication & { pool: { workerPids: number[]; zygotePid: number | undefined } };
  server: Server;
  origin: string;
  logger: ReturnType<typeof memoryLogger>;
  close(): Promise<void>;
}

export function appOptions(
  target: string,
  logger: PythonAppOptions['logger'],
  options: Partial<PythonAppOptions> = {},
): PythonAppOptions {
  return {
    target,
    python: PYTHON,
    chdir: APPS,
    workers: 1,
    threads: 1,
    timeout: 30,
    gracefulTimeout: 2,
    maxRequests: 0,
    maxRequestsJitter: 0,
    logger,
    ...options,
  };
}

export async function servePython(
  target: string,
  options: Partial<PythonAppOptions> = {},
): Promise<PythonServer> {
  const logger = memoryLogger();
  const app = pythonApp(appOptions(target, logger, options)) as PythonServer['app'];
  await app.start();
  const server = createHttpServer(app, { logger, keepAlive: 5 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    app,
    server,
    origin: `http://127.0.0.1:${port}`,
    logger,
    async close() {
      const pids = [...app.pool.workerPids, app.pool.zygotePid ?? 0].filter((pid) => pid > 0);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.close(1000);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already exited, as it should have
        }
      }
    },
  };
}

export { sleep } from '../../../support/async.js';
