// The front end's event-loop thread runs under SCHED_BATCH while it serves Python workers (WorkerConfig.batchFrontEnd):
// a response from Python then no longer preempts the worker mid-request on a shared core.
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

/** Runs pythonApp in a child Node process (so this test runner keeps its own policy) and reports its policy. */
async function frontEndPolicy(batchFrontEnd: boolean): Promise<number> {
  const script = `
    const { pythonApp } = await import(${JSON.stringify(new URL('../../../src/runtimes/python/index.ts', import.meta.url).href)});
    const { memoryLogger } = await import(${JSON.stringify(new URL('../../../src/log.ts', import.meta.url).href)});
    const app = pythonApp({ target: 'hello:application', python: ${JSON.stringify(PYTHON)}, chdir: ${JSON.stringify(APPS)},
      workers: 1, threads: 1, timeout: 0, gracefulTimeout: 1, maxRequests: 0, maxRequestsJitter: 0,
      logger: memoryLogger(), batchFrontEnd: ${batchFrontEnd} });
    await app.start();
    await new Promise((r) => setTimeout(r, 100));
    const stat = (await import('node:fs')).readFileSync('/proc/self/stat', 'utf8');
    process.stdout.write(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
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
  return Number(out);
}

test('the front end serving Python workers runs under SCHED_BATCH', {
  skip: skipPython,
  timeout: 20_000,
}, async () => {
  assert.equal(await frontEndPolicy(true), SCHED_BATCH);
});

test('batchFrontEnd: false leaves the front end under the normal policy', {
  skip: skipPython,
  timeout: 20_000,
}, async () => {
  assert.equal(await frontEndPolicy(false), 0);
  assert.equal(policyOf(process.pid), 0);
});
