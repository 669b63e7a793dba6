// SIGTERM with a Python request in flight: the request completes, tsgi exits 0, and no process it started (Node
// front end, Python workers) outlives it.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAlive, pythonWorkerPids, skipPython, sleep, startTsgi } from './support/server-process.js';

describe('stopping tsgi serving a Python app', { skip: skipPython, timeout: 60_000 }, () => {
  test('SIGTERM lets the in-flight Python request finish, exits 0 and leaves no process behind', {
    timeout: 20_000,
  }, async () => {
    const tsgi = await startTsgi('slow:application', ['--workers', '2', '--graceful-timeout', '10']);
    try {
      const descendants = tsgi.descendants();
      assert.equal(pythonWorkerPids(tsgi).length, 2, tsgi.tail());
      const inFlight = fetch(`${tsgi.origin}/sleep?1`).then(async (r) => ({
        status: r.status,
        text: await r.text(),
      }));
      await sleep(300);
      const exit = tsgi.signal('SIGTERM', 10_000);
      const res = await inFlight;
      assert.equal(res.status, 200, tsgi.tail());
      assert.match(res.text, /^\d+ /);
      assert.deepEqual(await exit, { code: 0, signal: null });
      await sleep(100);
      assert.deepEqual(
        descendants.filter((pid) => isAlive(pid)),
        [],
        'every process tsgi started has exited',
      );
    } finally {
      await tsgi.kill();
    }
  });

  test('when --graceful-timeout ends, the running request and those waiting for a worker get 503, each logged', {
    timeout: 20_000,
  }, async () => {
    const tsgi = await startTsgi('slow:application', ['--workers', '1', '--graceful-timeout', '1']);
    try {
      const answer = (path: string) =>
        fetch(`${tsgi.origin}${path}`).then(
          (r) => r.status,
          () => 'no answer',
        );
      const running = answer('/sleep?10');
      await sleep(300);
      const waiting = [answer('/pid'), answer('/sleep?0.1')]; // behind the one the only worker runs
      await sleep(300);
      const exit = tsgi.signal('SIGTERM', 10_000);
      assert.deepEqual(await Promise.all([running, ...waiting]), [503, 503, 503], tsgi.tail());
      assert.equal((await exit).code, 0);
      assert.match(tsgi.output, /TSGI_SHUTDOWN_CUT for GET \/sleep\?10: /);
      assert.match(tsgi.output, /TSGI_PYTHON_POOL_CLOSED for GET \/pid: /);
      assert.match(tsgi.output, /TSGI_PYTHON_POOL_CLOSED for GET \/sleep\?0\.1: /);
    } finally {
      await tsgi.kill();
    }
  });

  test('a request arriving after SIGTERM is not accepted', { timeout: 20_000 }, async () => {
    const tsgi = await startTsgi('slow:application', ['--graceful-timeout', '10']);
    try {
      const inFlight = fetch(`${tsgi.origin}/sleep?1`);
      await sleep(300);
      const exit = tsgi.signal('SIGTERM', 10_000);
      await sleep(200);
      await assert.rejects(fetch(`${tsgi.origin}/pid`), 'the listener is closed');
      assert.equal((await inFlight).status, 200);
      assert.equal((await exit).code, 0);
    } finally {
      await tsgi.kill();
    }
  });
});
