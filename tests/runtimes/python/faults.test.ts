// Faults cost only the request concerned: app exception → 500, worker killed → 502 and respawn, timeout → 504
// and respawn, max-requests recycling fails nothing, import failure → start() rejects with the exception.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { memoryLogger } from '../../../src/log.js';
import { pythonApp } from '../../../src/runtimes/python/index.js';
import { appOptions, servePython, skipPython, sleep } from './support/python-server.js';

async function waitForLine(lines: string[], pattern: RegExp): Promise<void> {
  for (let i = 0; i < 100 && !lines.some((l) => pattern.test(l)); i++) await sleep(20);
  assert.ok(
    lines.some((l) => pattern.test(l)),
    `no log line matches ${pattern}`,
  );
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const r = await fetch(url);
  return { status: r.status, text: await r.text() };
}

describe('Python worker faults', { skip: skipPython, timeout: 60_000 }, () => {
  test('when a replacement worker cannot import the app, requests get 503 at once, and 200 once it can again', async () => {
    const flag = join(mkdtempSync(join(tmpdir(), 'tsgi-flag-')), 'broken');
    const s = await servePython('import_flag', { maxRequests: 1, env: { TSGI_TEST_IMPORT_FLAG: flag } });
    try {
      writeFileSync(flag, '');
      assert.equal((await get(`${s.origin}/`)).status, 200, 'the first worker serves, then is recycled');
      await sleep(500); // the replacement fails to import
      const t0 = Date.now();
      const refused = await get(`${s.origin}/`);
      assert.equal(refused.status, 503);
      assert.ok(Date.now() - t0 < 1000, 'answered at once, not queued');
      assert.ok(
        s.logger.lines.some((l) => l.includes('TSGI_PYTHON_NO_WORKER') || l.includes('no Python worker')),
      );
      rmSync(flag);
      let status = 0;
      for (let i = 0; i < 30 && status !== 200; i++) {
        await sleep(200);
        status = (await get(`${s.origin}/`)).status;
      }
      assert.equal(status, 200, 'a worker boots again once the app imports');
    } finally {
      await s.close();
    }
  });

  test('a worker killed with SIGKILL mid-request gives 502, and the next request gets 200 from its replacement', async () => {
    const s = await servePython('crashing');
    try {
      const first = await get(`${s.origin}/pid`);
      const killed = await get(`${s.origin}/kill`);
      assert.equal(killed.status, 502);
      const next = await get(`${s.origin}/pid`);
      assert.equal(next.status, 200);
      assert.notEqual(next.text, first.text, 'a new worker answers');
      assert.ok(s.logger.lines.some((l) => l.includes('exited (killed by SIGKILL)')));
      assert.ok(
        s.logger.lines.some((l) => l.includes('TSGI_WORKER_CRASHED') || l.includes('died while running')),
      );
    } finally {
      await s.close();
    }
  });

  test('requests queued behind a killed one are re-sent to another worker, not failed', async () => {
    const s = await servePython('crashing', { workers: 2 });
    try {
      // Worker A runs /kill; requests queued to it meanwhile must be served by someone.
      const results = await Promise.all([
        get(`${s.origin}/kill`),
        ...Array.from({ length: 8 }, () => get(`${s.origin}/pid`)),
      ]);
      assert.equal(results[0].status, 502);
      assert.deepEqual(
        results.slice(1).map((r) => r.status),
        Array(8).fill(200),
      );
    } finally {
      await s.close();
    }
  });

  test('a request past the timeout gives 504, and the worker is replaced', async () => {
    const s = await servePython('slow', { timeout: 1 });
    try {
      const before = await get(`${s.origin}/pid`);
      const t0 = Date.now();
      const slow = await get(`${s.origin}/sleep?30`);
      assert.equal(slow.status, 504);
      assert.ok(Date.now() - t0 < 5000);
      assert.ok(s.logger.lines.some((l) => l.includes('WORKER TIMEOUT')));
      await waitForLine(s.logger.lines, /most recent call first/); // the stacks of its threads (faulthandler)
      const after = await get(`${s.origin}/pid`);
      assert.equal(after.status, 200);
      assert.notEqual(after.text, before.text);
    } finally {
      await s.close();
    }
  });

  test('with --threads, a request that runs past --timeout runs on, as under Gunicorn’s gthread worker', async () => {
    const s = await servePython('slow', { timeout: 1, threads: 2 });
    try {
      const pid = (await get(`${s.origin}/pid`)).text;
      const long = get(`${s.origin}/sleep?2.5`);
      await sleep(1600); // past the timeout: the worker beats, so it is not killed
      const meanwhile = await get(`${s.origin}/pid`);
      assert.deepEqual(meanwhile, { status: 200, text: pid }, 'the other thread of the same worker serves');
      const done = await long;
      assert.equal(done.status, 200);
      assert.equal(done.text.split(' ')[0], pid);
      assert.doesNotMatch(s.logger.lines.join('\n'), /WORKER TIMEOUT|TSGI_WORKER/);
    } finally {
      await s.close();
    }
  });

  test('with --threads, C code holding the GIL past --timeout silences the worker: 504, stacks, a new worker', async () => {
    const s = await servePython('slow', { timeout: 1, threads: 2 });
    try {
      const before = (await get(`${s.origin}/pid`)).text;
      const t0 = Date.now();
      const held = await get(`${s.origin}/hold?30`);
      assert.equal(held.status, 504);
      assert.ok(Date.now() - t0 < 5000, `answered after ${Date.now() - t0} ms`);
      const log = s.logger.lines.join('\n');
      assert.match(log, new RegExp(`WORKER TIMEOUT \\(pid:${before}\\): it sent no heartbeat for 1 s`));
      assert.match(log, /TSGI_WORKER_BLOCKED for GET \/hold\?30: .*under --threads sent no heartbeat/);
      await waitForLine(s.logger.lines, /most recent call first/); // the stacks of its threads (faulthandler)
      const after = await get(`${s.origin}/pid`);
      assert.equal(after.status, 200);
      assert.notEqual(after.text, before);
    } finally {
      await s.close();
    }
  });

  test('SIGUSR1 to a Python worker (logrotate signalling the whole group) is ignored: no stack dump', async () => {
    const s = await servePython('slow');
    try {
      const pid = Number((await get(`${s.origin}/pid`)).text);
      process.kill(pid, 'SIGUSR1');
      await sleep(300);
      assert.equal(Number((await get(`${s.origin}/pid`)).text), pid, 'the same worker serves on');
      assert.doesNotMatch(s.logger.lines.join('\n'), /most recent call first/);
    } finally {
      await s.close();
    }
  });

  test('max-requests recycles workers without failing a request under concurrent load', async () => {
    const s = await servePython('slow', { workers: 2, maxRequests: 5, maxRequestsJitter: 2 });
    try {
      const pids = new Set<string>();
      const statuses: number[] = [];
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          for (let i = 0; i < 10; i++) {
            const r = await get(`${s.origin}/sleep?0.005`);
            statuses.push(r.status);
            pids.add(r.text.split(' ')[0]);
          }
        }),
      );
      assert.deepEqual(statuses, Array(60).fill(200));
      assert.ok(pids.size >= 6, `only ${pids.size} worker pids served 60 requests`);
      assert.ok(s.logger.lines.some((l) => l.includes('reached max requests')));
    } finally {
      await s.close();
    }
  });

  test('a recycled worker that does not exit (a non-daemon thread) is killed after --graceful-timeout', async () => {
    const s = await servePython('lingering_thread', { maxRequests: 1, gracefulTimeout: 1 });
    const served: number[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const r = await get(`${s.origin}/`);
        assert.equal(r.status, 200);
        served.push(Number(r.text));
      }
      assert.equal(new Set(served).size, 3, 'each request recycled its worker');
      await sleep(2500);
      const alive = served.filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
      assert.deepEqual(alive, [], 'retired workers left running');
      await waitForLine(s.logger.lines, /did not exit 1 s after it was told to stop .*killing it/);
    } finally {
      for (const pid of served) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
      await s.close();
    }
  });

  test('with threads > 1 one process runs requests concurrently', async () => {
    const s = await servePython('slow', { threads: 4 });
    try {
      const t0 = Date.now();
      const results = await Promise.all(Array.from({ length: 4 }, () => get(`${s.origin}/sleep?0.5`)));
      const elapsed = Date.now() - t0;
      assert.deepEqual(
        results.map((r) => r.status),
        [200, 200, 200, 200],
      );
      assert.equal(new Set(results.map((r) => r.text.split(' ')[0])).size, 1, 'one process');
      assert.equal(new Set(results.map((r) => r.text.split(' ')[1])).size, 4, 'four threads');
      assert.ok(elapsed < 1500, `took ${elapsed} ms: not concurrent`);
    } finally {
      await s.close();
    }
  });

  test('an app that fails to import makes start() reject naming the exception', async () => {
    const logger = memoryLogger();
    const app = pythonApp(appOptions('import_failing:application', logger, { workers: 2 }));
    await assert.rejects(app.start(), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'TSGI_APP_IMPORT_FAILED');
      assert.match(error.message, /ModuleNotFoundError: No module named 'tsgi_no_such_module'/);
      return true;
    });
    assert.ok(logger.lines.some((l) => l.includes('Traceback')));
    await sleep(1500);
    assert.ok(!logger.lines.some((l) => l.includes('Booted')), 'no respawn loop after a failed start');
  });

  test('a missing attribute makes start() reject with Gunicorn-style advice', async () => {
    const app = pythonApp(appOptions('hello:nope', memoryLogger()));
    // One full stop after the exception's own sentence, then the advice.
    await assert.rejects(
      app.start(),
      /AppImportError: Failed to find attribute 'nope' in 'hello'\. Check the target/,
    );
  });

  test('an app with a syntax error: the advice is to fix the line, and the error carries no JS stack', async () => {
    const app = pythonApp(appOptions('syntax_error', memoryLogger()));
    await assert.rejects(app.start(), (error: Error) => {
      assert.match(
        error.message,
        /SyntaxError: .*Fix the line that the traceback in the error log points to$/,
      );
      assert.doesNotMatch(error.message, /--pythonpath|packages/);
      assert.doesNotMatch(error.stack ?? '', /\n\s+at /, "tsgi's own frames say nothing about the app");
      return true;
    });
  });

  test('a missing interpreter makes start() reject with TSGI_PYTHON_NOT_FOUND', async () => {
    const app = pythonApp(appOptions('hello', memoryLogger(), { python: '/nonexistent/python3' }));
    await assert.rejects(
      app.start(),
      (error: Error & { code?: string }) => error.code === 'TSGI_PYTHON_NOT_FOUND',
    );
  });

  test('close() lets an in-flight request finish', async () => {
    const s = await servePython('slow');
    const pending = get(`${s.origin}/sleep?0.3`);
    await sleep(50);
    const closing = s.app.close(5000);
    const r = await pending;
    await closing;
    assert.equal(r.status, 200);
    await s.close();
  });
});
