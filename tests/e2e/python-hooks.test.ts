// A gunicorn.conf.py's worker hooks, side by side with Gunicorn: post_fork, post_worker_init, pre_request,
// post_request and worker_exit are called in the same order with the same arguments as far as hooks read them
// (worker.cfg included: the settings in force, the command line's -t among them).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { rawRequest } from '../http/support/raw-connection.js';
import { freePort, startTsgi as startCli } from './cli-harness.js';
import {
  PYTHON,
  PYTHON_APPS,
  type ServerProcess,
  skipPython,
  startGunicorn,
  startTsgi,
} from './support/server-process.js';

const HOOKS = `
import os
import sys

def _log(*parts):
    with open(os.environ["HOOK_LOG"], "a") as f:
        f.write(" ".join(str(p) for p in parts) + "\\n")

def post_fork(server, worker):
    # The app's module is imported before the fork with --preload, after it without.
    _log("post_fork", worker.pid == os.getpid(), callable(worker.log.info), "hello" in sys.modules)

def post_worker_init(worker):
    _log("post_worker_init", callable(worker.wsgi), worker.cfg.workers, worker.cfg.timeout)

def pre_request(worker, req):
    _log("pre_request", req.method, req.path, req.query, dict(req.headers).get("X-TEST"), req.version)

def post_request(worker, req, environ, resp):
    _log("post_request", req.path, resp.status, resp.status_code, environ["PATH_INFO"])

def worker_exit(server, worker):
    _log("worker_exit", worker.pid == os.getpid())

def when_ready(server):
    _log("when_ready")
`;

for (const preload of [false, true]) {
  test(`worker hooks run as under Gunicorn, in the same order with the same arguments${preload ? ', with --preload' : ''}`, {
    skip: skipPython,
    timeout: 60_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgi-hooks-'));
    const conf = join(dir, 'gunicorn.conf.py');
    writeFileSync(conf, HOOKS);
    const args = ['-c', conf, '-t', '45', ...(preload ? ['--preload'] : [])];
    const logs = { gunicorn: join(dir, 'gunicorn.log'), tsgi: join(dir, 'tsgi.log') };
    const exercise = async (server: ServerProcess) => {
      const res = await fetch(`${server.origin}/hello%20there?x=1`, { headers: { 'X-Test': 'yes' } });
      assert.equal(res.status, 200);
      await res.text();
      // A path that starts with // is a path to both (not a host name).
      assert.equal(
        (await rawRequest(server.port, 'GET //a/b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).status,
        200,
      );
      assert.equal((await server.signal('SIGTERM', 15_000)).code, 0);
    };
    try {
      await exercise(await startGunicorn('hello:application', args, { env: { HOOK_LOG: logs.gunicorn } }));
      const tsgi = await startTsgi('hello:application', args, { env: { HOOK_LOG: logs.tsgi } });
      await exercise(tsgi);
      // when_ready is the arbiter's: Gunicorn runs it, tsgi names it in a warning instead.
      const workerHooks = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('when_ready'));
      assert.deepEqual(
        workerHooks(readFileSync(logs.gunicorn, 'utf8')),
        [
          `post_fork True True ${preload ? 'True' : 'False'}`,
          'post_worker_init True 1 45',
          'pre_request GET /hello%20there x=1 yes (1, 1)',
          'post_request /hello%20there 200 OK 200 /hello there',
          'pre_request GET //a/b  None (1, 1)',
          'post_request //a/b 200 OK 200 //a/b',
          'worker_exit True',
        ],
        'what Gunicorn calls, for reference',
      );
      assert.deepEqual(
        workerHooks(readFileSync(logs.tsgi, 'utf8')),
        workerHooks(readFileSync(logs.gunicorn, 'utf8')),
      );
      assert.match(tsgi.output, /\[WARNING\] gunicorn\.conf\.py: when_ready will not be called/);
      if (preload) assert.match(tsgi.output, /Preloaded the app in Python zygote/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/**
 * tsgi serving hello:application with `-c gunicorn.conf.py` from a fresh directory holding `files` (the config among
 * them); HOOK_LOG in the environment names a file the hooks may append to. Cleaned up after `check`.
 */
async function withConfig(
  files: Record<string, string>,
  check: (tsgi: ServerProcess, hookLog: () => string) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-hooks-'));
  const log = join(dir, 'hooks.log');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const tsgi = await startTsgi('hello:application', ['-c', join(dir, 'gunicorn.conf.py')], {
    env: { HOOK_LOG: log },
  });
  try {
    await check(tsgi, () => readFileSync(log, 'utf8'));
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a pre_request hook that raises fails that request with 500, post_request still runs, the next is served', {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  const conf = [
    'import os',
    'def pre_request(worker, req):',
    '    if req.path == "/refused":',
    '        raise RuntimeError("no entry")',
    'def post_request(worker, req, environ, resp):',
    '    with open(os.environ["HOOK_LOG"], "a") as f:',
    '        f.write("%s %s\\n" % (req.path, resp.status))',
  ].join('\n');
  await withConfig({ 'gunicorn.conf.py': conf }, async (tsgi, hookLog) => {
    assert.equal((await fetch(`${tsgi.origin}/refused`)).status, 500);
    await tsgi.waitForOutput(/RuntimeError: no entry/);
    assert.equal((await fetch(`${tsgi.origin}/fine`)).status, 200);
    assert.equal(hookLog(), '/refused None\n/fine 200 OK\n');
  });
});

test('hooks given as import strings are imported and run by the workers; post_request may take two arguments', {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  const hooks = [
    'import os',
    'def _log(line):',
    '    with open(os.environ["HOOK_LOG"], "a") as f:',
    '        f.write(line + "\\n")',
    'def started(worker):',
    '    _log("started %s" % callable(worker.wsgi))',
    'def served(worker, req):',
    '    _log("served %s" % req.path)',
  ].join('\n');
  // As a deployment does: the file puts its own directory on sys.path, so its hooks module imports.
  const conf = [
    'import os, sys',
    'sys.path.insert(0, os.path.dirname(__file__))',
    'post_worker_init = "site_hooks.started"',
    'post_request = "site_hooks.served"',
  ].join('\n');
  await withConfig({ 'site_hooks.py': hooks, 'gunicorn.conf.py': conf }, async (tsgi, hookLog) => {
    assert.equal((await fetch(`${tsgi.origin}/one`)).status, 200);
    assert.equal((await fetch(`${tsgi.origin}/two`)).status, 200);
    assert.equal(hookLog(), 'started True\nserved /one\nserved /two\n');
  });
});

test('a config file without worker hooks is not run again by the workers', {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  // Each run of the file appends a line: tsgi's CLI reads it once; with no hook, no worker reads it again.
  const conf =
    'import os\nwith open(os.environ["HOOK_LOG"], "a") as f:\n    f.write("run\\n")\nworkers = 2\n';
  await withConfig({ 'gunicorn.conf.py': conf }, async (tsgi, hookLog) => {
    assert.equal((await fetch(`${tsgi.origin}/`)).status, 200);
    assert.equal(hookLog(), 'run\n');
  });
});

test('-c python:MODULE: the module is imported for the settings, and again by each worker for its hooks', {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-hooks-'));
  const log = join(dir, 'hooks.log');
  writeFileSync(
    join(dir, 'deploy_conf.py'),
    'import os\nworkers = 2\ndef post_worker_init(worker):\n    with open(os.environ["HOOK_LOG"], "a") as f:\n        f.write("init %s\\n" % worker.cfg.workers)\n',
  );
  // tsgi started in the module's directory, the app elsewhere (--chdir): the workers still find the module.
  const tsgi = await startCli(
    [
      '-c',
      'python:deploy_conf',
      '--python',
      PYTHON,
      '--chdir',
      PYTHON_APPS,
      '-b',
      `127.0.0.1:${await freePort()}`,
      'hello:application',
    ],
    { cwd: dir, env: { HOOK_LOG: log } },
  );
  try {
    assert.equal(readFileSync(log, 'utf8'), 'init 2\ninit 2\n');
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
