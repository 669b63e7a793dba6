// What a Python app prints: by default, as under Gunicorn (whose workers inherit its stdout and stderr), on tsgi's
// own stdout and stderr byte for byte, so that a log pipeline reading the app's JSON lines reads them unchanged;
// with --capture-output, in the error log line by line under the worker's pid.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ServerProcess, skipPython, startGunicorn, startTsgi } from './support/server-process.js';

const APP = 'printing:application';

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

test("with --capture-output it goes into the error log, a line each, under the worker's pid", {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  const tsgi = await startTsgi(APP, ['--capture-output']);
  try {
    await request(tsgi, '/two');
    const [, pid] = await tsgi.waitForOutput(
      /\[INFO\] \[python (\d+)\] \{"event": "request", "path": "\/two"\}\n/,
    );
    await tsgi.waitForOutput(new RegExp(`\\[ERROR\\] \\[python ${pid}\\] warning: café /two\\n`));
    assert.doesNotMatch(tsgi.stdout, /event/);
  } finally {
    await tsgi.kill();
  }
});
