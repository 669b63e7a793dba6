// `tsgi -k gevent`: the command line of a Gunicorn deployment on gevent workers. Each Python worker patches the
// standard library and runs its requests in greenlets, up to --worker-connections at once; --timeout watches the
// worker's event loop (its heartbeats), not how long a request runs. Compared with Gunicorn's gevent worker on the
// same app (tests/apps/python/gevent_app.py).
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  PYTHON,
  type ServerProcess,
  skipPython,
  sleep,
  startGunicorn,
  startTsgi,
} from './support/server-process.js';

const APP = 'gevent_app:application';

interface Answer {
  status: number;
  pid: number;
  multithread: boolean;
  patched_at_import: boolean;
  patched: boolean;
  text: string;
}

async function get(server: ServerProcess, path: string): Promise<Answer> {
  const r = await fetch(`${server.origin}${path}`);
  const text = await r.text();
  if (r.status !== 200) return { status: r.status, text } as Answer;
  return { status: r.status, text, ...JSON.parse(text) };
}

/** `n` requests for `path` at once; resolves with their answers and how long they took together (ms). */
async function together(server: ServerProcess, path: string, n: number) {
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: n }, () => get(server, path)));
  return { answers, ms: performance.now() - started };
}

test('one gevent worker runs twenty one-second requests at once, patched before the app is imported, as Gunicorn', {
  skip: skipPython,
  timeout: 60_000,
}, async () => {
  const [tsgi, gunicorn] = await Promise.all([
    startTsgi(APP, ['-k', 'gevent']),
    startGunicorn(APP, ['-k', 'gevent']),
  ]);
  try {
    assert.match(tsgi.output, /Using worker: python pool \(1 process × gevent, 1000 connections\)/);
    assert.match(
      tsgi.output,
      /Booted Python worker with pid: \d+ \(Python [\d.]+, gevent [\d.]+, \S+\/\.venv\/bin\/python\)/,
    );
    for (const server of [tsgi, gunicorn]) {
      const { answers, ms } = await together(server, '/sleep?1', 20);
      // In turn they would take 20 s.
      assert.ok(ms < 6000, `20 requests took ${ms.toFixed(0)} ms; ${server.tail()}`);
      for (const a of answers) assert.equal(a.status, 200, server.tail());
      const { status, pid: _pid, text: _text, ...seen } = answers[0];
      assert.deepEqual(seen, { multithread: true, patched_at_import: true, patched: true }, server.tail());
    }
  } finally {
    await Promise.all([tsgi.kill(), gunicorn.kill()]);
  }
});

test('--worker-connections bounds the requests a gevent worker runs at once', {
  skip: skipPython,
  timeout: 60_000,
}, async () => {
  const tsgi = await startTsgi(APP, ['-k', 'gevent', '--worker-connections', '2']);
  try {
    const { answers, ms } = await together(tsgi, '/sleep?1', 6);
    for (const a of answers) assert.equal(a.status, 200, tsgi.tail());
    // Two at a time: three rounds of one second.
    assert.ok(ms >= 2900 && ms < 5500, `6 requests, 2 at a time, took ${ms.toFixed(0)} ms`);
  } finally {
    await tsgi.kill();
  }
});

test('a gevent request that runs past --timeout while the event loop runs is not killed', {
  skip: skipPython,
  timeout: 60_000,
}, async () => {
  const tsgi = await startTsgi(APP, ['-k', 'gevent', '--timeout', '1']);
  try {
    const before = await get(tsgi, '/');
    const long = await get(tsgi, '/sleep?2.5');
    assert.equal(long.status, 200, tsgi.tail());
    assert.equal(long.pid, before.pid, 'the same worker answered');
    assert.doesNotMatch(tsgi.output, /WORKER TIMEOUT/);
  } finally {
    await tsgi.kill();
  }
});

test('an event loop blocked past --timeout: the worker is killed (504 for its requests, its stack in the log), and a request that came once it was silent waits for the new worker', {
  skip: skipPython,
  timeout: 60_000,
}, async () => {
  // --timeout 4: a heartbeat every second; a worker silent for 2.5 s gets nothing more, one silent for 4 s is killed.
  const tsgi = await startTsgi(APP, ['-k', 'gevent', '--timeout', '4']);
  try {
    const first = await get(tsgi, '/');
    const blocking = get(tsgi, '/block?12');
    await sleep(300);
    const stuck = get(tsgi, '/sleep?0.1'); // reached the worker before its silence showed
    await sleep(2900);
    const later = await get(tsgi, '/sleep?0.1'); // sent once it had been silent for 2.5 s at least
    assert.equal(later.status, 200, tsgi.tail());
    assert.notEqual(later.pid, first.pid, 'a new worker answered');
    for (const r of [await blocking, await stuck]) {
      assert.equal(r.status, 504, tsgi.tail());
      assert.match(r.text, /Gateway Timeout/);
    }
    assert.match(
      tsgi.output,
      new RegExp(`WORKER TIMEOUT \\(pid:${first.pid}\\): its gevent event loop sent no heartbeat for 4 s`),
    );
    assert.match(tsgi.output, /\[python \d+\] +File ".*gevent_app\.py", line \d+ in application/);
    assert.equal(tsgi.count(/TSGI_WORKER_BLOCKED for GET \/(block|sleep)/), 2, tsgi.tail());
  } finally {
    await tsgi.kill();
  }
});

test('--preload with -k gevent: the app is imported unpatched once, each forked worker patches, as Gunicorn', {
  skip: skipPython,
  timeout: 60_000,
}, async () => {
  const [tsgi, gunicorn] = await Promise.all([
    startTsgi(APP, ['-k', 'gevent', '--preload', '-w', '2']),
    startGunicorn(APP, ['-k', 'gevent', '--preload']),
  ]);
  try {
    assert.match(tsgi.output, /Preloaded the app in Python zygote \d+/);
    for (const server of [tsgi, gunicorn]) {
      // Two workers in turn would take 10 s.
      const { answers, ms } = await together(server, '/sleep?1', 20);
      assert.ok(ms < 6000, `20 requests took ${ms.toFixed(0)} ms; ${server.tail()}`);
      for (const a of answers) {
        assert.equal(a.status, 200, server.tail());
        assert.deepEqual([a.patched_at_import, a.patched], [false, true], server.tail());
      }
    }
  } finally {
    await Promise.all([tsgi.kill(), gunicorn.kill()]);
  }
});

test('a gevent response waiting for a client that does not read holds no other request up', {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  const tsgi = await startTsgi(APP, ['-k', 'gevent']);
  try {
    // 32 MiB for a client that reads nothing yet: the worker's greenlet waits for credit (flow control).
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      httpGet(`${tsgi.origin}/stream?512`, resolve).on('error', reject),
    );
    response.pause();
    await sleep(300);
    const { answers, ms } = await together(tsgi, '/sleep?0.2', 10);
    for (const a of answers) assert.equal(a.status, 200, tsgi.tail());
    assert.ok(ms < 3000, `10 requests beside the stalled stream took ${ms.toFixed(0)} ms`);
    let received = 0;
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    response.resume();
    await new Promise((resolve) => response.on('end', resolve));
    assert.equal(received, 512 * 65536);
  } finally {
    await tsgi.kill();
  }
});

test('a graceful stop lets a running gevent request finish', {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  const tsgi = await startTsgi(APP, ['-k', 'gevent']);
  try {
    const running = get(tsgi, '/sleep?1.5');
    await sleep(300);
    const exit = tsgi.signal('SIGTERM', 10_000);
    assert.equal((await running).status, 200, tsgi.tail());
    assert.equal((await exit).code, 0, tsgi.tail());
  } finally {
    await tsgi.kill();
  }
});

const dir = mkdtempSync(join(tmpdir(), 'tsgi-gevent-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('without gevent in the interpreter, -k gevent stops tsgi at start-up with the command that installs it', {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  // The venv's interpreter without its site-packages (-S): a Python that has no gevent.
  const python = join(dir, 'python-without-site');
  writeFileSync(python, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`);
  chmodSync(python, 0o755);
  const tsgi = await startTsgi(APP, ['-k', 'gevent', '--python', python], { waitUntilListening: false });
  try {
    const exit = await tsgi.waitForExit(20_000);
    assert.equal(exit.code, 4, tsgi.tail());
    assert.match(
      tsgi.stderr,
      /-k gevent needs the gevent package in the app's interpreter \(.*\): pip install gevent/,
    );
    assert.doesNotMatch(tsgi.output, /Listening at/);
  } finally {
    await tsgi.kill();
  }
});
