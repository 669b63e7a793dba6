// A worker with one thread holds the frames of whole responses while more requests are queued (docs/wire.md,
// "Held responses"). When it dies holding some, Node reads them from the shared ring: those requests are answered,
// only the one it was running fails, and none is re-sent to run twice.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { memoryLogger } from '../../../src/log.js';
import { type PythonAppOptions, pythonApp } from '../../../src/runtimes/python/index.js';
import { TestClient, type TestResponse } from '../../../src/testing/index.js';
import { appOptions, type PythonServer, skipPython } from './support/python-server.js';

const BURST_BEFORE = ['/a', '/b', '/c', '/d'];
const BURST_AFTER = ['/e', '/f'];
const DELIVERED = /exited holding \d+ bytes of responses: delivering them/;

interface Outcome {
  byPath: Map<string, TestResponse>;
  ran: string[];
  workerPid: string;
}

/**
 * Start the crashing app, warm its worker up (so the pool has its pace and queues a whole burst to it at once), then
 * send BURST_BEFORE, `fatal`, BURST_AFTER together. A worker holds responses only when the burst reaches it in one
 * read, so this tries up to six times (a loaded machine splits bursts more often) until the log says held responses were delivered.
 */
async function burstAround(
  fatal: string,
  options: Partial<PythonAppOptions>,
): Promise<Outcome & { log: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-held-'));
  const ran = join(dir, 'ran');
  const logger = memoryLogger();
  const app = pythonApp(
    appOptions('crashing', logger, { ...options, env: { TSGI_TEST_RAN: ran } }),
  ) as PythonServer['app'];
  await app.start();
  const pids = new Set<number>();
  const zygote = app.pool.zygotePid;
  if (zygote !== undefined) pids.add(zygote);
  try {
    const client = new TestClient(app);
    let outcome: Outcome | undefined;
    for (let attempt = 0; attempt < 6 && !logger.lines.some((l) => DELIVERED.test(l)); attempt++) {
      let workerPid = '';
      for (let i = 0; i < 40; i++) workerPid = (await client.get('/warm')).text();
      pids.add(Number(workerPid));
      writeFileSync(ran, '');
      const paths = [...BURST_BEFORE, fatal, ...BURST_AFTER];
      const responses = await Promise.all(paths.map((path) => client.get(path)));
      outcome = {
        byPath: new Map(paths.map((path, i) => [path, responses[i]])),
        ran: readFileSync(ran, 'utf8').trim().split('\n').sort(),
        workerPid,
      };
      for (const r of responses) if (r.status === 200) pids.add(Number(r.text()));
    }
    assert.ok(outcome);
    return { ...outcome, log: logger.lines.join('\n') };
  } finally {
    await app.close(1000);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited, as it should have
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertKilledWhileHolding({ byPath, ran, workerPid, log }: Outcome & { log: string }): void {
  assert.match(log, DELIVERED);
  assert.equal(byPath.get('/kill')?.status, 502);
  for (const path of BURST_BEFORE) {
    assert.equal(byPath.get(path)?.status, 200, path);
    assert.equal(byPath.get(path)?.text(), workerPid, `${path} was answered by the worker that ran it`);
  }
  for (const path of BURST_AFTER) {
    assert.equal(byPath.get(path)?.status, 200, path);
    assert.notEqual(byPath.get(path)?.text(), workerPid, `${path} was re-sent to the replacement`);
  }
  assert.deepEqual(ran, [...BURST_BEFORE, '/kill', ...BURST_AFTER].sort(), 'each request ran once');
}

describe('held responses of a worker that dies', { skip: skipPython, timeout: 60_000 }, () => {
  test('killed while holding whole responses: they are delivered, only the running request fails, none runs twice', async () => {
    assertKilledWhileHolding(await burstAround('/kill', {}));
  });

  test('the same with --preload: a forked worker opens the ring through the front end', async () => {
    assertKilledWhileHolding(await burstAround('/kill', { preload: true }));
  });

  test('a request holding the GIL past the timeout gets the 504; the responses held before it are delivered', async () => {
    const { byPath, ran, workerPid, log } = await burstAround('/hang', { timeout: 1 });
    assert.match(log, DELIVERED);
    assert.match(log, /WORKER TIMEOUT/);
    assert.equal(byPath.get('/hang')?.status, 504);
    for (const path of BURST_BEFORE) {
      assert.equal(byPath.get(path)?.status, 200, path);
      assert.equal(byPath.get(path)?.text(), workerPid, path);
    }
    for (const path of BURST_AFTER) assert.equal(byPath.get(path)?.status, 200, path);
    assert.deepEqual(ran, [...BURST_BEFORE, '/hang', ...BURST_AFTER].sort(), 'each request ran once');
  });
});
