// --preload: the app is imported once, by a zygote that forks the workers (docs/python.md, "Preload"). A worker
// that dies is forked again without a new import; a zygote that dies takes its workers with it and is replaced.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { memoryLogger } from '../../../src/log.js';
import { pythonApp } from '../../../src/runtimes/python/index.js';
import { ForkedProcess } from '../../../src/runtimes/python/zygote.js';
import { waitFor } from '../../support/async.js';
import { isAlive } from '../../support/process.js';
import { appOptions, type PythonServer, servePython, skipPython, sleep } from './support/python-server.js';

interface Where {
  importedBy: number;
  pid: number;
  ppid: number;
}

async function where(s: PythonServer, path = '/'): Promise<Where> {
  const r = await fetch(`${s.origin}${path}`);
  assert.equal(r.status, 200);
  const [importedBy, pid, ppid] = (await r.text()).split(' ').map(Number);
  return { importedBy, pid, ppid };
}

/** Enough requests at once that every worker answers some. */
async function everyWorker(s: PythonServer): Promise<Where[]> {
  const seen = new Map<number, Where>();
  for (let round = 0; round < 20 && seen.size < s.app.pool.workerPids.length; round++) {
    for (const w of await Promise.all(Array.from({ length: 8 }, () => where(s)))) seen.set(w.pid, w);
  }
  return [...seen.values()];
}

describe('--preload', { skip: skipPython, timeout: 60_000 }, () => {
  test('the app is imported once, by the zygote, and every worker is forked from it', async () => {
    const s = await servePython('preloaded', { workers: 3, preload: true });
    try {
      const zygote = s.app.pool.zygotePid;
      assert.ok(zygote);
      const workers = await everyWorker(s);
      assert.equal(workers.length, 3);
      for (const w of workers) {
        assert.equal(w.importedBy, zygote, 'imported in the zygote');
        assert.equal(w.ppid, zygote, 'forked by the zygote');
        assert.notEqual(w.pid, zygote);
      }
      assert.deepEqual(workers.map((w) => w.pid).sort(), [...s.app.pool.workerPids].sort());
      assert.equal(s.logger.lines.filter((l) => l.includes('Preloaded the app in Python zygote')).length, 1);
    } finally {
      await s.close();
    }
  });

  test('without it each worker imports the app itself', async () => {
    const s = await servePython('preloaded', { workers: 2 });
    try {
      for (const w of await everyWorker(s)) assert.equal(w.importedBy, w.pid);
      assert.equal(s.app.pool.zygotePid, undefined);
    } finally {
      await s.close();
    }
  });

  test('a forked worker killed mid-request gives 502 and is forked again, without a new import', async () => {
    const s = await servePython('preloaded', { preload: true });
    try {
      const before = await where(s);
      assert.equal((await fetch(`${s.origin}/kill`)).status, 502);
      const after = await where(s);
      assert.notEqual(after.pid, before.pid, 'a new worker answers');
      assert.equal(after.importedBy, before.importedBy, 'forked from the same zygote');
      assert.equal(after.ppid, before.importedBy);
      assert.ok(
        s.logger.lines.some((l) => l.includes(`Python worker ${before.pid} exited (killed by SIGKILL)`)),
      );
    } finally {
      await s.close();
    }
  });

  test('a zygote that dies takes its workers with it; a new zygote imports the app and forks new ones', async () => {
    const s = await servePython('preloaded', { workers: 2, preload: true });
    try {
      const old = s.app.pool.zygotePid as number;
      const oldWorkers = [...s.app.pool.workerPids];
      process.kill(old, 'SIGKILL');
      await waitFor(
        () => s.logger.lines.filter((l) => l.includes('Booted Python worker')).length === 4,
        5000,
        'two workers forked again',
      );
      const zygote = s.app.pool.zygotePid;
      assert.ok(zygote !== undefined && zygote !== old);
      for (const pid of oldWorkers) {
        assert.ok(s.logger.lines.some((l) => l.includes(`Python worker ${pid} exited (killed by SIGKILL)`)));
        assert.ok(!isAlive(pid), `the old worker ${pid} is gone`);
      }
      for (const w of await everyWorker(s)) {
        assert.equal(w.importedBy, zygote);
        assert.equal(w.ppid, zygote);
      }
    } finally {
      await s.close();
    }
  });

  test('a forked worker past the timeout gives 504, its stacks reach the log, and it is forked again', async () => {
    const s = await servePython('slow', { timeout: 1, preload: true });
    try {
      const before = await (await fetch(`${s.origin}/pid`)).text();
      assert.equal((await fetch(`${s.origin}/sleep?30`)).status, 504);
      await waitFor(
        () => s.logger.lines.some((l) => /most recent call first/.test(l)),
        5000,
        'the stack dump is logged',
      );
      const after = await fetch(`${s.origin}/pid`);
      assert.equal(after.status, 200);
      assert.notEqual(await after.text(), before);
    } finally {
      await s.close();
    }
  });

  test("a zygote's death is its workers' even when a process a worker started holds the channel open", async () => {
    const s = await servePython('preloaded', { preload: true });
    let sleeper = 0;
    try {
      sleeper = Number(await (await fetch(`${s.origin}/fork`)).text());
      const [worker] = s.app.pool.workerPids;
      process.kill(s.app.pool.zygotePid as number, 'SIGKILL');
      await waitFor(
        () => s.logger.lines.some((l) => l.includes(`Python worker ${worker} exited (killed by SIGKILL)`)),
        5000,
        "the worker's exit is reported",
      );
      assert.equal((await where(s)).ppid, s.app.pool.zygotePid, 'a new zygote forked its replacement');
    } finally {
      await s.close(); // waits for every worker's exit: it would wait for ever for one never reported
      if (sleeper > 0) process.kill(sleeper, 'SIGKILL');
    }
  });

  test("the socket folder left by a front end killed outright is removed by the next zygote, another namespace's kept", async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const namespace = /\d+/.exec(readlinkSync('/proc/self/ns/pid'))?.[0];
    const stale = join(tmpdir(), `tsgi-zygote-${namespace}-${dead}-abcdef`);
    const elsewhere = join(tmpdir(), `tsgi-zygote-1${namespace}-${dead}-abcdef`); // a container's sharing /tmp
    for (const dir of [stale, elsewhere]) {
      mkdirSync(dir);
      writeFileSync(join(dir, 'z'), '');
    }
    const s = await servePython('preloaded', { preload: true });
    try {
      assert.ok(!existsSync(stale));
      assert.ok(existsSync(elsewhere));
    } finally {
      await s.close();
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test('max-requests recycles forked workers without failing a request', async () => {
    const s = await servePython('preloaded', { workers: 2, maxRequests: 4, preload: true });
    try {
      const answers: Where[] = [];
      for (let i = 0; i < 5; i++)
        answers.push(...(await Promise.all(Array.from({ length: 4 }, () => where(s)))));
      const pids = new Set(answers.map((w) => w.pid));
      assert.ok(pids.size >= 4, `only ${pids.size} workers served 20 requests`);
      assert.equal(new Set(answers.map((w) => w.importedBy)).size, 1, 'all forked from one zygote');
    } finally {
      await s.close();
    }
  });

  test('an app that fails to import makes start() reject before any worker is forked', async () => {
    const logger = memoryLogger();
    const app = pythonApp(appOptions('import_failing:application', logger, { workers: 2, preload: true }));
    await assert.rejects(app.start(), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'TSGI_APP_IMPORT_FAILED');
      assert.match(error.message, /No module named 'tsgi_no_such_module'/);
      return true;
    });
    assert.ok(logger.lines.some((l) => l.includes('Python zygote') && l.includes('could not import')));
    await sleep(500);
    assert.ok(!logger.lines.some((l) => l.includes('Booted')), 'no worker forked');
  });

  test('close() stops the workers, then the zygote', async () => {
    const s = await servePython('preloaded', { workers: 2, preload: true });
    const zygote = s.app.pool.zygotePid as number;
    const workers = [...s.app.pool.workerPids];
    await s.app.close(2000);
    for (const pid of [zygote, ...workers]) assert.ok(!isAlive(pid), `${pid} has exited`);
    await s.close();
  });
});

test('a worker whose connection to the zygote closes before it is forked exits: nothing waits for it for ever', async () => {
  const worker = new ForkedProcess();
  const exit = once(worker, 'exit');
  worker.channel.destroy();
  assert.deepEqual(await exit, [null, null]);
  assert.equal(worker.pid, undefined);
});
