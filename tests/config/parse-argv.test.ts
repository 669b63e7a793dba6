// The command-line parser derived from the registry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgv, UsageError } from '../../src/config/index.js';

function usageError(args: string[]): string {
  try {
    parseArgv(args);
  } catch (error) {
    assert.ok(error instanceof UsageError);
    return error.message;
  }
  assert.fail(`${args.join(' ')} parsed`);
}

test('--flag VALUE and --flag=VALUE are the same', () => {
  assert.equal(parseArgv(['--workers', '3']).values.workers, 3);
  assert.equal(parseArgv(['--workers=3']).values.workers, 3);
});

test('a short flag takes its value attached or as the next argument', () => {
  assert.equal(parseArgv(['-w4']).values.workers, 4);
  assert.equal(parseArgv(['-w', '4']).values.workers, 4);
  assert.deepEqual(parseArgv(['-b127.0.0.1:9000']).values.bind, ['127.0.0.1:9000']);
});

test('a repeated -b collects every address, in order', () => {
  assert.deepEqual(parseArgv(['-b', '127.0.0.1:1', '--bind', 'unix:/tmp/s', '-b', '[::1]:2']).values.bind, [
    '127.0.0.1:1',
    'unix:/tmp/s',
    '[::1]:2',
  ]);
});

test('-e KEY=VALUE collects pairs, keeping = signs inside the value', () => {
  assert.deepEqual(parseArgv(['-e', 'A=1', '--env', 'B=x=y', '-e', 'C=']).values.env, [
    ['A', '1'],
    ['B', 'x=y'],
    ['C', ''],
  ]);
});

test('a switch takes no value; --switch=false turns it off', () => {
  const parsed = parseArgv(['--reload', 'app.ts']);
  assert.equal(parsed.values.reload, true);
  assert.equal(parsed.values.app, 'app.ts');
  assert.equal(parseArgv(['--reload=false']).values.reload, false);
});

test('--pythonpath splits on commas', () => {
  assert.deepEqual(parseArgv(['--pythonpath', 'a, b,,c']).values.pythonpath, ['a', 'b', 'c']);
});

test('the APP may come before, between or after the options, and after --', () => {
  assert.equal(parseArgv(['app.ts', '-w', '2']).values.app, 'app.ts');
  assert.equal(parseArgv(['-w', '2', 'app.ts', '--reload']).values.app, 'app.ts');
  assert.equal(parseArgv(['-w', '2', '--', '-weird-name.ts']).values.app, '-weird-name.ts');
});

test('-h and -v are recognised anywhere', () => {
  assert.equal(parseArgv(['app.ts', '-h']).help, true);
  assert.equal(parseArgv(['--version']).version, true);
});

test('an unknown flag is named, with the closest real flag', () => {
  assert.equal(
    usageError(['--max-request', '5']),
    'unknown option --max-request; did you mean --max-requests? (tsgi --help lists every option)',
  );
  assert.match(usageError(['-x']), /^unknown option -x \(tsgi --help/);
});

test('a value of the wrong type names the flag as typed and what it expects', () => {
  assert.equal(usageError(['-w', '0']), "-w expects an integer ≥ 1, got '0'");
  assert.equal(
    usageError(['--log-level', 'loud']),
    "--log-level expects one of debug, info, warning, error, critical, got 'loud'",
  );
  assert.equal(
    usageError(['--root-path', 'api/']),
    "--root-path expects a path starting with '/' and not ending with '/', e.g. /app, got 'api/'",
  );
  assert.equal(usageError(['-e', 'NOVALUE']), "-e expects KEY=VALUE, got 'NOVALUE'");
  assert.equal(
    usageError(['--limit-request-line', '9000']),
    "--limit-request-line expects a number of bytes from 0 (unlimited) to 8190, got '9000'",
  );
});

test('a flag at the end without its value says so', () => {
  assert.equal(
    usageError(['app.ts', '--timeout']),
    '--timeout expects a whole number of seconds from 0 to 2147483 (24 days), got nothing',
  );
});

test('a second positional argument is refused', () => {
  assert.match(usageError(['app.ts', 'other.ts']), /^unexpected argument 'other\.ts': tsgi serves one APP/);
});

test('the source of the arguments is named in errors', () => {
  assert.throws(() => parseArgv(['-w', 'x'], ' in TSGI_CMD_ARGS'), {
    message: "-w in TSGI_CMD_ARGS expects an integer ≥ 1, got 'x'",
  });
});

test('a Gunicorn option tsgi does without is accepted with its value, and the log will say why', () => {
  const parsed = parseArgv(['--worker-tmp-dir', '/dev/shm', 'app:application', '--no-control-socket']);
  assert.equal(parsed.values.app, 'app:application', 'the option took its value, not the APP');
  assert.deepEqual(
    parsed.notices.map((n) => n.level),
    ['info', 'info'],
  );
  assert.match(parsed.notices[0].message, /^--worker-tmp-dir has no effect: /);
  assert.match(parsed.notices[1].message, /^--no-control-socket has no effect: tsgi has no control socket/);
  assert.equal(parseArgv(['--asgi-loop=uvloop', 'app']).values.app, 'app');
});

test('a Gunicorn option whose request tsgi does not carry out is a warning', () => {
  const parsed = parseArgv(['--log-config', 'logging.ini', 'app']);
  assert.equal(parsed.values.app, 'app');
  const [notice] = parsed.notices;
  assert.equal(notice.level, 'warning');
  assert.match(notice.message, /^--log-config is ignored: tsgi's logs are set by --error-logfile/);
});

test("--paste-global splits KEY=VALUE at the first = not escaped by a backslash, as Gunicorn's does", () => {
  const parsed = parseArgv(['--paste', 'x.ini', '--paste-global', 'url=a\\=b', '--paste-global', 'a\\=b=c']);
  assert.deepEqual(parsed.values.pasteGlobal, [
    ['url', 'a=b'],
    ['a=b', 'c'],
  ]);
});

test('a Gunicorn option tsgi cannot honour safely is refused with the reason', () => {
  assert.match(
    usageError(['--protocol', 'uwsgi']),
    /^--protocol \(Gunicorn's\) is not supported: tsgi speaks HTTP only/,
  );
});

test('--proxy-protocol takes a mode only when one follows: alone it means auto', () => {
  const bare = parseArgv(['--proxy-protocol', 'app:application']);
  assert.equal(bare.values.proxyProtocol, 'auto');
  assert.equal(bare.values.app, 'app:application');
  assert.equal(parseArgv(['--proxy-protocol', 'v2', 'app']).values.proxyProtocol, 'v2');
  assert.equal(parseArgv(['--proxy-protocol=v1']).values.proxyProtocol, 'v1');
  assert.equal(parseArgv(['--proxy-protocol']).values.proxyProtocol, 'auto');
  assert.equal(parseArgv(['--proxy-protocol', '-w', '2']).values.workers, 2);
  assert.match(usageError(['--proxy-protocol=v3']), /--proxy-protocol expects off, v1, v2 or auto, got 'v3'/);
});

test('a duration longer than a timer can wait (24 days) is refused, not cut to a millisecond', () => {
  const settings = {
    '--timeout': 'timeout',
    '--graceful-timeout': 'gracefulTimeout',
    '--keep-alive': 'keepAlive',
  };
  for (const [flag, name] of Object.entries(settings)) {
    assert.equal(parseArgv([flag, '2147483', 'app.ts']).values[name], 2147483, flag);
    assert.match(
      usageError([flag, '2147484', 'app.ts']),
      /from 0 to 2147483 \(24 days\), got '2147484'/,
      flag,
    );
  }
});

test('--help and --version take no value', () => {
  assert.equal(usageError(['--help=x']), "--help takes no value, got 'x'");
  assert.equal(usageError(['app.ts', '--version=1']), "--version takes no value, got '1'");
});

test("-k takes Gunicorn's names for the classes tsgi runs: its class paths, egg: URIs and gevent's pywsgi variants", () => {
  const cases: Array<[string, string]> = [
    ['gevent', 'gevent'],
    ['GEVENT', 'gevent'],
    ['gevent_pywsgi', 'gevent'],
    ['gevent_wsgi', 'gevent'],
    ['gunicorn.workers.ggevent.GeventWorker', 'gevent'],
    ['egg:gunicorn#gevent', 'gevent'],
    ['gunicorn.workers.sync.SyncWorker', 'sync'],
    ['gunicorn.workers.gthread.ThreadWorker', 'gthread'],
  ];
  for (const [given, runs] of cases)
    assert.equal(parseArgv(['-k', given, 'app']).values.workerClass, runs, given);
  assert.throws(() => parseArgv(['-k', 'geventwebsocket.gunicorn.workers.GeventWebSocketWorker', 'app']), {
    message: /^-k expects sync, gthread or gevent \(other async worker classes/,
  });
  assert.equal(parseArgv(['--worker-connections', '50', 'app']).values.workerConnections, 50);
});
