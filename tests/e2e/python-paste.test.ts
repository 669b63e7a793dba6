// --paste: a PasteDeploy config file names the app (a Pyramid project's development.ini), as Gunicorn's --paste:
// [app:main] or FILE#NAME, --paste-global for its %(…)s, and its [loggers] configure Python logging in the workers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, get, ROOT, runTsgi, startTsgi } from './cli-harness.js';
import { PYTHON, PYTHON_APPS, skipPython, startGunicorn } from './support/server-process.js';

const pythonArgs = ['--python', PYTHON, '--chdir', PYTHON_APPS];
/** Relative to the directory the tests start tsgi and Gunicorn in (the repository's root), as users write it. */
const PASTE_INI = 'tests/apps/python/paste.ini';

test('--paste serves [app:main] with --paste-global, and the file configures logging, as under Gunicorn', {
  skip: skipPython,
  timeout: 60_000,
}, async () => {
  const port = await freePort();
  const paste = ['--paste', PASTE_INI, '--paste-global', 'who=tsgi'];
  const tsgi = await startTsgi([...paste, '-b', `127.0.0.1:${port}`, ...pythonArgs]);
  try {
    const reply = await get(port, '/page');
    assert.equal(reply.status, 200, tsgi.tail());
    assert.equal(reply.body, 'Hello from tsgi');
    // INFO from the app's logger gets through only with the file's [loggers] applied.
    await tsgi.waitForOutput(/paste-log INFO served \/page/);
  } finally {
    await tsgi.kill();
  }
  // Gunicorn, for reference: the same flags, the same answer, the same log line (startGunicorn puts its first
  // argument last: here the file, after --paste).
  const gunicorn = await startGunicorn(PASTE_INI, ['--paste-global', 'who=tsgi', '--paste']);
  try {
    const reply = await get(gunicorn.port, '/page');
    assert.equal(reply.body, 'Hello from tsgi');
    await gunicorn.waitForOutput(/paste-log INFO served \/page/);
  } finally {
    await gunicorn.kill();
  }
});

test("the file's logging is in place before the config file's post_fork runs, with or without --preload", {
  skip: skipPython,
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-paste-'));
  const conf = join(dir, 'gunicorn.conf.py');
  writeFileSync(
    conf,
    'import logging\n\ndef post_fork(server, worker):\n    logging.getLogger("paste_app").info("post_fork ran")\n',
  );
  try {
    for (const preload of [[], ['--preload']]) {
      const port = await freePort();
      const args = ['-c', conf, ...preload, '--paste', PASTE_INI, '--paste-global', 'who=x'];
      const tsgi = await startTsgi([...args, '-b', `127.0.0.1:${port}`, ...pythonArgs]);
      try {
        // INFO on that logger is shown only once the file's [loggers] are applied.
        await tsgi.waitForOutput(/paste-log INFO post_fork ran/);
      } finally {
        await tsgi.kill();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--paste FILE#NAME serves [app:NAME]', { skip: skipPython, timeout: 30_000 }, async () => {
  const port = await freePort();
  const tsgi = await startTsgi(['--paste', `${PASTE_INI}#other`, '-b', `127.0.0.1:${port}`, ...pythonArgs]);
  try {
    assert.equal((await get(port)).body, 'the other app');
  } finally {
    await tsgi.kill();
  }
});

test('a relative --paste is taken from where tsgi starts, not --chdir, as Gunicorn takes it; missing: exit 2', {
  timeout: 15_000,
}, async () => {
  // paste.ini is in --chdir, not in the directory tsgi starts in.
  const { code, stderr } = await runTsgi(['--paste', 'paste.ini', ...pythonArgs]);
  assert.equal(code, 2);
  assert.ok(stderr.includes(`--paste paste.ini: ${ROOT}/paste.ini not found`), stderr);
});

test('a --paste app that cannot be loaded stops tsgi with exit 4 and advice about the file', {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  // [app:main] needs %(who)s, which only --paste-global gives.
  const { code, stderr } = await runTsgi(['--paste', PASTE_INI, ...pythonArgs]);
  assert.equal(code, 4, stderr);
  assert.match(
    stderr,
    /could not load the Python app 'config:\/.*paste\.ini': .*who.*Check the --paste file/s,
  );
});

test('--paste and an APP together exit 2: --paste names the app', { timeout: 15_000 }, async () => {
  const { code, stderr } = await runTsgi(['--paste', PASTE_INI, 'hello:application', ...pythonArgs]);
  assert.equal(code, 2);
  assert.match(
    stderr,
    /give an APP \(on the command line, or wsgi_app in a config file\) or --paste tests\/apps\/python\/paste\.ini, not both/,
  );
});
