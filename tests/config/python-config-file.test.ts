// A Gunicorn config file (gunicorn.conf.py, python:MODULE) read with a real interpreter: Gunicorn's names set
// tsgi's settings, the file's own names are ignored, and what tsgi cannot honour is named in a warning.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Resolution, resolveConfig } from '../../src/config/index.js';

const root = mkdtempSync(join(tmpdir(), 'tsgi-pyconfig-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

/** A fresh directory holding `files`, so that a gunicorn.conf.py in one test is not read by another. */
function project(files: Record<string, string>): string {
  const dir = join(root, `p${++dirs}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

// python3 from PATH: a config file is read by the interpreter tsgi would use for the app.
const env = { PATH: process.env.PATH ?? '' };

async function resolve(cwd: string, argv: string[]) {
  const resolution: Resolution = await resolveConfig({ argv, env, cwd });
  assert.equal(resolution.kind, 'run');
  return resolution.kind === 'run' ? resolution : assert.fail();
}

test("Gunicorn's names in a .py config set tsgi's settings", async () => {
  const cwd = project({
    'gunicorn.conf.py': [
      'import multiprocessing',
      'bind = "0.0.0.0:9000"',
      'workers = multiprocessing.cpu_count() * 0 + 3',
      'threads = 2',
      'worker_class = "gthread"',
      'keepalive = 5',
      'accesslog = "-"',
      'errorlog = "/tmp/error.log"',
      'loglevel = "debug"',
      'raw_env = ["DJANGO_SETTINGS_MODULE=proj.settings", "A=1"]',
      'proc_name = "shop"',
      'pythonpath = "src,lib"',
      'forwarded_allow_ips = ["10.0.0.1", "10.0.0.2"]',
      'umask = 0o027',
      'user = 1000',
      'max_requests = 1000',
      'max_requests_jitter = 50',
      'preload_app = True',
      'wsgi_app = "proj.wsgi:application"',
    ].join('\n'),
  });
  const { config, notices } = await resolve(cwd, ['-c', 'gunicorn.conf.py']);
  assert.deepEqual(config.bind, ['0.0.0.0:9000']);
  assert.equal(config.workers, 3);
  assert.equal(config.threads, 2);
  assert.equal(config.workerClass, 'gthread');
  assert.equal(config.keepAlive, 5);
  assert.equal(config.accessLogfile, '-');
  assert.equal(config.errorLogfile, '/tmp/error.log');
  assert.equal(config.logLevel, 'debug');
  assert.deepEqual(config.env, [
    ['DJANGO_SETTINGS_MODULE', 'proj.settings'],
    ['A', '1'],
  ]);
  assert.equal(config.name, 'shop');
  assert.deepEqual(config.pythonpath, ['src', 'lib']);
  assert.deepEqual(config.forwardedAllowIps, ['10.0.0.1', '10.0.0.2']);
  assert.equal(config.umask, 0o027);
  assert.equal(config.user, '1000');
  assert.equal(config.maxRequests, 1000);
  assert.equal(config.maxRequestsJitter, 50);
  assert.equal(config.preload, true);
  assert.equal(config.app, 'proj.wsgi:application');
  assert.deepEqual(notices, [], 'imports and helpers of the file are its own: no warning');
});

test('./gunicorn.conf.py is read when no -c is given, and said so', async () => {
  const cwd = project({ 'gunicorn.conf.py': 'workers = 4\n' });
  const { config, notices } = await resolve(cwd, ['app:application']);
  assert.equal(config.workers, 4);
  assert.equal(notices.length, 1);
  assert.equal(notices[0].level, 'info');
  assert.match(notices[0].message, /Read settings from \.\/gunicorn\.conf\.py/);
});

test('-c naming another file wins over ./gunicorn.conf.py', async () => {
  const cwd = project({ 'gunicorn.conf.py': 'workers = 4\n', 'prod.py': 'workers = 6\n' });
  const { config, notices } = await resolve(cwd, ['app:application', '-c', 'prod.py']);
  assert.equal(config.workers, 6);
  assert.deepEqual(notices, []);
});

test('the command line beats a .py config file', async () => {
  const cwd = project({ 'gunicorn.conf.py': 'workers = 4\ntimeout = 90\n' });
  const { config } = await resolve(cwd, ['app:application', '-w', '2']);
  assert.equal(config.workers, 2);
  assert.equal(config.timeout, 90);
});

test('-c python:MODULE imports the config module from the working directory', async () => {
  const cwd = project({ 'deploy_conf.py': 'bind = ["unix:/run/app.sock", "127.0.0.1:8001"]\n' });
  const { config } = await resolve(cwd, ['app:application', '-c', 'python:deploy_conf']);
  assert.deepEqual(config.bind, ['unix:/run/app.sock', '127.0.0.1:8001']);
});

test("the arbiter's hooks are named in a warning; the workers' hooks are run, so not", async () => {
  const cwd = project({
    'gunicorn.conf.py': [
      'def post_fork(server, worker):',
      '    pass',
      'def when_ready(server):',
      '    pass',
      'def child_exit(server, worker):',
      '    pass',
    ].join('\n'),
  });
  const resolution = await resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']);
  assert.equal(resolution.notices.length, 1);
  assert.equal(resolution.notices[0].level, 'warning');
  assert.match(
    resolution.notices[0].message,
    /when_ready, child_exit will not be called: they are Gunicorn's arbiter hooks/,
  );
  const hooksFrom = resolution.pythonConfig;
  assert.equal(hooksFrom?.location, join(cwd, 'gunicorn.conf.py'));
  assert.equal(hooksFrom?.cwd, cwd);
  // What hooks read as worker.cfg: the settings in force, under Gunicorn's names.
  assert.equal(hooksFrom?.cfg.workers, 1);
  assert.equal(hooksFrom?.cfg.wsgi_app, 'app:application');
});

test("a worker hook given as an import string 'module.function' is a worker hook, as in Gunicorn", async () => {
  const cwd = project({
    'site_hooks.py': 'def log_request(worker, req):\n    pass\n',
    'gunicorn.conf.py': 'pre_request = "site_hooks.log_request"\n',
  });
  const resolution = await resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']);
  assert.deepEqual(resolution.notices, []);
  assert.equal(resolution.pythonConfig?.location, join(cwd, 'gunicorn.conf.py'));
  // The string is not a setting value the hooks would read in worker.cfg.
  assert.equal(resolution.pythonConfig?.cfg.pre_request, undefined);
});

test('a worker hook that takes the wrong number of arguments is refused at start, as by Gunicorn', async () => {
  const cwd = project({ 'gunicorn.conf.py': 'def post_fork(worker):\n    pass\n' });
  await assert.rejects(resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']), {
    code: 'TSGI_BAD_CONFIG_FILE',
    message: /post_fork must take 2 positional arguments, as Gunicorn calls it; it takes 1/,
  });
});

test('a hook module that raises or exits when imported is refused with its error, not taken for an old interpreter', async () => {
  const cases: Array<[string, RegExp]> = [
    [
      'raise RuntimeError("settings not configured")',
      /post_fork = 'hooks_module\.setup': RuntimeError: settings not configured/,
    ],
    [
      'import sys\nsys.exit("set DJANGO_SETTINGS_MODULE first")',
      /post_fork = 'hooks_module\.setup': SystemExit: set DJANGO_SETTINGS_MODULE first/,
    ],
  ];
  for (const [module, message] of cases) {
    const cwd = project({
      'hooks_module.py': `${module}\n`,
      'gunicorn.conf.py': 'post_fork = "hooks_module.setup"\n',
    });
    await assert.rejects(resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']), {
      code: 'TSGI_BAD_CONFIG_FILE',
      message,
    });
  }
});

test('post_request may take 2, 3 or 4 arguments, as in Gunicorn', async () => {
  for (const params of ['worker, req', 'worker, req, environ', 'worker, req, environ, resp']) {
    const cwd = project({ 'gunicorn.conf.py': `def post_request(${params}):\n    pass\n` });
    const resolution = await resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']);
    assert.ok(resolution.pythonConfig, params);
  }
});

test('a worker hook import string that does not import, or a hook that is not callable, is refused', async () => {
  const cases: Array<[string, RegExp]> = [
    [
      'worker_exit = "no_such_module.bye"',
      /worker_exit = 'no_such_module\.bye': No module named 'no_such_module'/,
    ],
    [
      'worker_exit = "os.no_such_function"',
      /worker_exit = 'os\.no_such_function': module 'os' has no 'no_such_function'/,
    ],
    ['worker_exit = "bye"', /worker_exit = 'bye' is not an import string; write 'module\.function'/],
    ['worker_exit = 3', /worker_exit must be a function or an import string 'module\.function', not 3/],
    ['worker_exit = ".bye"', /worker_exit = '\.bye': ValueError: Empty module name/],
  ];
  for (const [line, message] of cases) {
    const cwd = project({ 'gunicorn.conf.py': `${line}\n` });
    await assert.rejects(resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']), {
      code: 'TSGI_BAD_CONFIG_FILE',
      message,
    });
  }
});

test('Gunicorn settings that tsgi does without are named in the log, each with the reason', async () => {
  const cwd = project({
    'gunicorn.conf.py': 'worker_tmp_dir = "/dev/shm"\nlogconfig_dict = {"version": 1}\nworkers = 2\n',
  });
  const { config, notices } = await resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']);
  assert.equal(config.workers, 2);
  assert.deepEqual(
    notices.map((n) => n.level),
    ['info', 'warning'],
  );
  assert.match(notices[0].message, /'worker_tmp_dir' in gunicorn\.conf\.py has no effect: .*alive over IPC/);
  assert.match(
    notices[1].message,
    /'logconfig_dict' in gunicorn\.conf\.py is ignored: tsgi's logs are set by/,
  );
});

test("a Gunicorn setting left at Gunicorn's default asks for nothing and goes unmentioned", async () => {
  const cwd = project({
    'gunicorn.conf.py': 'asgi_loop = "auto"\ndaemon = False\ncert_reqs = 0\nsendfile = None\n',
  });
  const { notices } = await resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']);
  assert.deepEqual(notices, []);
});

test("names every object has (constructor, toString) are the file's own names, not settings", async () => {
  const cwd = project({
    'gunicorn.conf.py': 'constructor = 1\ntoString = 2\nhasOwnProperty = 3\nworkers = 2\n',
  });
  const { config, notices } = await resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']);
  assert.equal(config.workers, 2);
  assert.deepEqual(notices, []);
});

test('a Gunicorn setting tsgi cannot do without is an error naming it and the way out', async () => {
  const cwd = project({ 'gunicorn.conf.py': 'protocol = "uwsgi"\n' });
  await assert.rejects(resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']), {
    code: 'TSGI_UNSUPPORTED_OPTION',
    message: /'protocol' in gunicorn\.conf\.py \(Gunicorn's\) is not supported: tsgi speaks HTTP only/,
  });
});

test("paste and raw_paste_global_conf name the app as Gunicorn's --paste and --paste-global do", async () => {
  const cwd = project({
    'gunicorn.conf.py':
      'paste = "development.ini#admin"\nraw_paste_global_conf = ["db=prod", "debug=false"]\n',
    'development.ini': '[app:admin]\nuse = call:admin:make_app\n',
  });
  const { config } = await resolve(cwd, ['-c', 'gunicorn.conf.py']);
  assert.equal(config.app, `config:${cwd}/development.ini#admin`);
  assert.deepEqual(config.pasteGlobal, [
    ['db', 'prod'],
    ['debug', 'false'],
  ]);
});

test('None leaves a setting at its default, as it means "not set" to Gunicorn', async () => {
  const cwd = project({ 'gunicorn.conf.py': 'pidfile = None\nwsgi_app = None\nworkers = None\n' });
  const { config } = await resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']);
  assert.equal(config.pid, null);
  assert.equal(config.app, 'app:application');
  assert.equal(config.workers, 1);
});

test('a bad value names the Gunicorn setting and the file', async () => {
  const cwd = project({ 'gunicorn.conf.py': 'workers = "many"\n' });
  await assert.rejects(resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']), {
    code: 'TSGI_BAD_VALUE',
    message: /'workers' in gunicorn\.conf\.py expects an integer ≥ 1, got 'many'/,
  });
});

test('a setting given a function is an error: tsgi reads plain values', async () => {
  const cwd = project({ 'gunicorn.conf.py': 'def bind():\n    return "0.0.0.0:1"\n' });
  await assert.rejects(resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']), {
    code: 'TSGI_BAD_VALUE',
    message: /'bind' in gunicorn\.conf\.py is a function; set it to a plain value/,
  });
});

test('a list that holds itself is named as a list, not taken for an interpreter too old', async () => {
  const cwd = project({ 'gunicorn.conf.py': 'bind = ["127.0.0.1:9000"]\nbind.append(bind)\n' });
  await assert.rejects(resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']), {
    code: 'TSGI_BAD_VALUE',
    message: /'bind' in gunicorn\.conf\.py is a list; set it to a plain value/,
  });
});

test('a config file that raises is an error naming the exception and its line', async () => {
  const cwd = project({ 'gunicorn.conf.py': 'workers = 2\nbind = BIND_ADDRESS\n' });
  await assert.rejects(resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']), {
    code: 'TSGI_BAD_CONFIG_FILE',
    message: /running it raised NameError: name 'BIND_ADDRESS' is not defined \(gunicorn\.conf\.py, line 2\)/,
  });
});

test('a syntax error in the file names its line', async () => {
  const cwd = project({ 'gunicorn.conf.py': 'workers = 2\nbind = "a\n' });
  await assert.rejects(resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']), {
    code: 'TSGI_BAD_CONFIG_FILE',
    message: /SyntaxError: .* \(gunicorn\.conf\.py, line 2\)/,
  });
});

test('a missing interpreter is a clear error that says to pass --python', async () => {
  const cwd = project({ 'gunicorn.conf.py': 'workers = 2\n' });
  await assert.rejects(resolve(cwd, ['app:application', '--python', join(cwd, 'no-python')]), {
    code: 'TSGI_BAD_CONFIG_FILE',
    message: /needs a Python interpreter, and .*no-python was not found \(pass --python PATH\)/,
  });
});

test("secure_scheme_headers, a dict in the file, sets tsgi's secureSchemeHeaders", async () => {
  const cwd = project({
    'gunicorn.conf.py': 'secure_scheme_headers = {"X-FORWARDED-PROTO": "https", "X-SCHEME": "on"}\n',
  });
  const { config, notices } = await resolve(cwd, ['app:application', '-c', 'gunicorn.conf.py']);
  assert.deepEqual(config.secureSchemeHeaders, { 'X-FORWARDED-PROTO': 'https', 'X-SCHEME': 'on' });
  assert.deepEqual(notices, []);
});
