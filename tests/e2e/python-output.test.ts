// What a Python app prints: by default, as under Gunicorn (whose workers inherit its stdout and stderr), on tsgi's
// own stdout and stderr byte for byte, whole lines at a time, so that a log pipeline reading the app's JSON lines
// reads them unchanged; with --capture-output and an error log file, in that file line by line under the worker's
// pid (Gunicorn captures nothing when its error log is `-`, nor does tsgi).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  type ServerProcess,
  skipPython,
  startGunicorn,
  startTsgi,
  waitFor,
} from './support/server-process.js';

const APP = 'printing:application';
const dir = mkdtempSync(join(tmpdir(), 'tsgi-output-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function request(server: ServerProcess, path: string): Promise<void> {
  const r = await fetch(`${server.origin}${path}`);
  assert.equal(await r.text(), 'ok', server.tail());
}

const lines = (text: string) => text.split('\n');

test("what the app prints reaches tsgi's stdout and stderr as printed, as Gunicorn's", {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  const [tsgi, gunicorn] = await Promise.all([startTsgi(APP), startGunicorn(APP)]);
  try {
    for (const server of [tsgi, gunicorn]) {
      await request(server, '/one');
      await server.waitForOutput(/warning: café \/one\n/);
      await server.waitForOutput(/"path": "\/one"\}\n/);
      assert.ok(lines(server.stdout).includes('{"event": "request", "path": "/one"}'), server.stdout);
      assert.ok(lines(server.stderr).includes('warning: café /one'), server.tail());
    }
  } finally {
    await Promise.all([tsgi.kill(), gunicorn.kill()]);
  }
});

test('the lines of several workers printing at once never mix: each is a whole JSON line', {
  skip: skipPython,
  timeout: 60_000,
}, async () => {
  const tsgi = await startTsgi(APP, ['-w', '4']);
  try {
    await Promise.all(Array.from({ length: 8 }, (_, i) => request(tsgi, `/many/${i}?500`)));
    await waitFor(() => tsgi.count(/"event": "line"/) >= 8 * 500, 20_000, 'every line');
    const printed = lines(tsgi.stdout).filter((line) => line.includes('"event"'));
    const broken = printed.filter((line) => {
      try {
        return typeof JSON.parse(line) !== 'object';
      } catch {
        return true;
      }
    });
    assert.deepEqual(
      broken.slice(0, 3),
      [],
      `${broken.length} of ${printed.length} lines are not one JSON object`,
    );
    assert.equal(printed.filter((line) => line.includes('"event": "line"')).length, 8 * 500);
  } finally {
    await tsgi.kill();
  }
});

test('with its stdout closed, tsgi drops what the app prints there and goes on serving (said once in the log)', {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  const tsgi = await startTsgi(APP);
  try {
    tsgi.child.stdout?.destroy(); // the reader of tsgi's stdout went away (`tsgi … | head`)
    for (let i = 0; i < 5; i++) await request(tsgi, `/many/${i}?2000`);
    await tsgi.waitForOutput(/tsgi's stdout failed \(EPIPE\): what the Python app prints there is dropped/);
    assert.equal(tsgi.count(/Booting worker with pid/), 1, `the front end was not replaced; ${tsgi.tail()}`);
    assert.equal(tsgi.count(/tsgi's stdout failed/), 1);
  } finally {
    await tsgi.kill();
  }
});

test("with --capture-output and an error log file, it goes into that file, a line each under the worker's pid", {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  const errorLog = join(dir, 'error.log');
  const tsgi = await startTsgi(APP, ['--capture-output', '--error-logfile', errorLog], {
    waitUntilListening: false,
  });
  const logged = () => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '');
  try {
    await waitFor(() => logged().includes('Listening at: '), 15_000, 'tsgi to listen');
    await request(tsgi, '/two');
    await waitFor(() => logged().includes('warning: café /two'), 10_000, 'the lines in the error log');
    const pid = logged().match(/\[INFO\] \[python (\d+)\] \{"event": "request", "path": "\/two"\}\n/)?.[1];
    assert.ok(pid, logged());
    assert.match(logged(), new RegExp(`\\[ERROR\\] \\[python ${pid}\\] warning: café /two\\n`));
    assert.doesNotMatch(tsgi.output, /event|warning: café/);
  } finally {
    await tsgi.kill();
  }
});

test("with --capture-output and the error log on stderr (`-`), the output stays as printed, as Gunicorn's", {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  const tsgi = await startTsgi(APP, ['--capture-output']);
  try {
    await request(tsgi, '/three');
    await tsgi.waitForOutput(/"path": "\/three"\}\n/);
    assert.ok(lines(tsgi.stdout).includes('{"event": "request", "path": "/three"}'), tsgi.stdout);
  } finally {
    await tsgi.kill();
  }
});
