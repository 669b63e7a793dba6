// The front end's event-loop thread and each Python worker run under SCHED_BATCH (WorkerConfig.batchSchedule): on a
// shared core neither then preempts the other when it wakes it, so each handles a batch of requests per turn.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { APPS, PYTHON, skipPython } from './support/python-server.js';

const SCHED_BATCH = 3;

/** Field 41 of /proc/PID/stat: the scheduling policy (after the parenthesised command name). */
function policyOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
}

/**
 * Runs pythonApp in a child Node process (so this test runner keeps its own policy) and reports the policies of
 * that front end and of its Python worker.
 */
async function policies(batchSchedule: boolean): Promise<{ frontEnd: number; worker: number }> {
  const script = `
    const { pythonApp } = await import(${JSON.stringify(new URL('../../../src/runtimes/python/index.ts', import.meta.url).href)});
    const { memoryLogger } = await import(${JSON.stringify(new URL('../../../src/log.ts', import.meta.url).href)});
    const app = pythonApp({ target: 'hello:application', python: ${JSON.stringify(PYTHON)}, chdir: ${JSON.stringify(APPS)},
      workers: 1, threads: 1, timeout: 0, gracefulTimeout: 1, maxRequests: 0, maxRequestsJitter: 0,
      logger: memoryLogger(), batchSchedule: ${batchSchedule} });
    await app.start();
    await new Promise((r) => setTimeout(r, 100));
    const { readFileSync } = await import('node:fs');
    const policy = (pid) => {
      const stat = readFileSync('/proc/' + pid + '/stat', 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
    };
    process.stdout.write(JSON.stringify({ frontEnd: policy('self'), worker: policy(app.pool.workerPids[0]) }));
    await app.close(500);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await once(child, 'exit');
  clearTimeout(timer);
  return JSON.parse(out) as { frontEnd: number; worker: number };
}

test('the front end serving Python workers and the workers run under SCHED_BATCH', {
  skip: skipPython,
  timeout: 20_000,
}, async () => {
  assert.deepEqual(await policies(true), { frontEnd: SCHED_BATCH, worker: SCHED_BATCH });
});

test('batchSchedule: false leaves the front end and the workers under the normal policy', {
  skip: skipPython,
  timeout: 20_000,
}, async () => {
  assert.deepEqual(await policies(false), { frontEnd: 0, worker: 0 });
  assert.equal(policyOf(process.pid), 0);
});
