// Faults through the real CLI cost only the request concerned: an app exception → 500 (traceback in the error
// log); the Python worker killed mid-request → 502, then a replacement answers; --timeout → 504, then 200; an
// app that cannot be imported → tsgi exits non-zero at once, naming the exception; --max-requests recycles the
// worker under load without failing a request.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rawRequest } from '../http/support/raw-connection.js';
import {
  pythonWorkerPids,
  type ServerProcess,
  skipPython,
  sleep,
  startTsgi,
  waitFor,
} from './support/server-process.js';

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

async function withTsgi(target: string, args: string[], run: (tsgi: ServerProcess) => Promise<void>) {
  const tsgi = await startTsgi(target, args);
  try {
    await run(tsgi);
  } finally {
    await tsgi.kill();
  }
}

describe('Python faults through the tsgi CLI', { skip: skipPython, timeout: 90_000 }, () => {
  test(
    'an exception in the app gives 500, and its traceback goes to the error log',
    { timeout: 15_000 },
    () =>
      withTsgi('streaming:application', [], async (tsgi) => {
        const res = await get(`${tsgi.origin}/raise`);
        assert.equal(res.status, 500, tsgi.tail());
        assert.doesNotMatch(res.text, /boom/, 'the client does not see the exception');
        await waitFor(() => tsgi.stderr.includes('RuntimeError: boom before headers'), 3000, 'the exception');
        assert.match(tsgi.stderr, /Traceback \(most recent call last\)/);
        assert.match(tsgi.stderr, /streaming\.py", line \d+, in application/);
        assert.equal((await get(`${tsgi.origin}/generator`)).status, 200, 'the worker keeps serving');
      }),
  );

  test(
    'an exception after the headers went out cuts the connection instead of ending the body cleanly',
    {
      timeout: 15_000,
    },
    () =>
      withTsgi('streaming:application', [], async (tsgi) => {
        const res = await rawRequest(tsgi.port, 'GET /raise-after HTTP/1.1\r\nHost: h\r\n\r\n');
        assert.equal(res.status, 200);
        assert.equal(res.framing, 'chunked');
        assert.equal(res.complete, false, 'no last-chunk after a failed body');
        assert.equal(res.body.toString(), 'first');
        await waitFor(() => tsgi.stderr.includes('RuntimeError: boom after headers'), 3000, 'the exception');
      }),
  );

  test(
    'kill -9 of the Python worker mid-request gives 502 for that request only; the next gets 200',
    {
      timeout: 20_000,
    },
    () =>
      withTsgi('slow:application', [], async (tsgi) => {
        const [pid] = pythonWorkerPids(tsgi);
        assert.ok(pid, `no Python worker under tsgi (pid ${tsgi.pid})`);
        assert.equal((await get(`${tsgi.origin}/pid`)).text, String(pid), 'the app runs in that process');
        const inFlight = get(`${tsgi.origin}/sleep?5`);
        await sleep(300);
        process.kill(pid, 'SIGKILL');
        const killed = await inFlight;
        assert.equal(killed.status, 502, tsgi.tail());
        const next = await get(`${tsgi.origin}/pid`);
        assert.equal(next.status, 200, tsgi.tail());
        assert.notEqual(next.text, String(pid), 'a new Python worker answers');
        assert.deepEqual(pythonWorkerPids(tsgi), [Number(next.text)]);
      }),
  );

  test('a request running past --timeout 1 gives 504; the next request gets 200', { timeout: 20_000 }, () =>
    withTsgi('slow:application', ['--timeout', '1'], async (tsgi) => {
      const [before] = pythonWorkerPids(tsgi);
      const started = Date.now();
      const slow = await get(`${tsgi.origin}/sleep?30`);
      assert.equal(slow.status, 504, tsgi.tail());
      assert.ok(Date.now() - started < 5000, `504 after ${Date.now() - started} ms`);
      await waitFor(
        () => /slow\.py", line \d+ in application/.test(tsgi.stderr),
        3000,
        'the hung thread stack',
      );
      const next = await get(`${tsgi.origin}/pid`);
      assert.equal(next.status, 200, tsgi.tail());
      assert.notEqual(next.text, String(before), 'the hung worker was replaced');
      assert.equal(
        (tsgi.output.match(/Listening at: /g) ?? []).length,
        1,
        'the front end itself was not restarted',
      );
    }),
  );

  test('an app that fails to import: tsgi exits non-zero at once, naming the exception, without respawning', {
    timeout: 20_000,
  }, async () => {
    const started = Date.now();
    const tsgi = await startTsgi('import_failing:application', ['--workers', '2'], {
      waitUntilListening: false,
    });
    try {
      const exit = await tsgi.waitForExit(10_000);
      assert.notEqual(exit.code, 0);
      assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
      assert.match(tsgi.stderr, /ModuleNotFoundError: No module named 'tsgi_no_such_module'/);
      assert.doesNotMatch(tsgi.output, /Listening at: /);
      assert.equal((tsgi.output.match(/Booting worker with pid/g) ?? []).length, 1, 'no respawn loop');
    } finally {
      await tsgi.kill();
    }
  });

  test(
    '--max-requests 10 under 200 concurrent requests fails none and replaces the worker',
    {
      timeout: 30_000,
    },
    () =>
      withTsgi('slow:application', ['--max-requests', '10'], async (tsgi) => {
        const statuses: number[] = [];
        const pids = new Set<string>();
        let next = 0;
        await Promise.all(
          Array.from({ length: 20 }, async () => {
            while (next < 200) {
              next++;
              const res = await get(`${tsgi.origin}/pid`);
              statuses.push(res.status);
              pids.add(res.text);
            }
          }),
        );
        assert.equal(statuses.length, 200);
        assert.deepEqual(
          statuses.filter((s) => s !== 200),
          [],
          tsgi.tail(),
        );
        assert.ok(pids.size >= 10, `only ${pids.size} worker pids answered 200 requests`);
      }),
  );
});
