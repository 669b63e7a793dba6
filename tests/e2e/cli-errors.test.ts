// Failures that stop tsgi: usage errors (exit 2, one line), an app that cannot load (exit 4, no respawn loop),
// an address that cannot be bound (exit 3).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { APPS, freePort, runTsgi } from './cli-harness.js';

test('--version prints tsgi and the package version', { timeout: 15_000 }, async () => {
  const { code, stdout } = await runTsgi(['--version']);
  assert.equal(code, 0);
  assert.equal(stdout, 'tsgi 0.1.0\n');
});

test('--help prints the usage and every option, and exits 0', { timeout: 15_000 }, async () => {
  const { code, stdout } = await runTsgi(['-h']);
  assert.equal(code, 0);
  assert.match(stdout, /^usage: tsgi \[OPTIONS\] APP/);
  for (const flag of [
    '--bind',
    '--workers',
    '--graceful-timeout',
    '--limit-request-field_size',
    '--print-config',
  ]) {
    assert.ok(stdout.includes(flag), flag);
  }
});

test('an unknown option exits 2 with one line naming it', { timeout: 15_000 }, async () => {
  const { code, stderr } = await runTsgi(['--wrkers', '2', 'app.ts']);
  assert.equal(code, 2);
  assert.equal(
    stderr,
    'tsgi: error: unknown option --wrkers; did you mean --workers? (tsgi --help lists every option)\n',
  );
});

test('a bad value exits 2 with one line naming the flag and what it expects', {
  timeout: 15_000,
}, async () => {
  const { code, stderr } = await runTsgi(['app.ts', '--timeout', 'soon']);
  assert.equal(code, 2);
  assert.equal(
    stderr,
    "tsgi: error: --timeout expects a whole number of seconds from 0 to 2147483 (24 days), got 'soon'\n",
  );
});

test('a bad bind address exits 2 and says how to write one', { timeout: 15_000 }, async () => {
  const { code, stderr } = await runTsgi(['app.ts', '-b', '::1:8000']);
  assert.equal(code, 2);
  assert.match(stderr, /^tsgi: error: -b expects .*put it in brackets, e\.g\. \[::1\]:8000\n$/);
});

test('no APP exits 2', { timeout: 15_000 }, async () => {
  const { code, stderr } = await runTsgi(['-w', '2']);
  assert.equal(code, 2);
  assert.match(stderr, /^tsgi: error: no APP given/);
});

test('a bad option in TSGI_CMD_ARGS exits 2 and says where it came from', { timeout: 15_000 }, async () => {
  const { code, stderr } = await runTsgi(['app.ts'], { env: { TSGI_CMD_ARGS: '--workers none' } });
  assert.equal(code, 2);
  assert.match(stderr, /--workers in TSGI_CMD_ARGS expects an integer ≥ 1, got 'none'/);
});

test('--print-config prints the resolved settings and exits 0', { timeout: 15_000 }, async () => {
  const { code, stdout } = await runTsgi(['app.ts', '--print-config', '-w', '3'], {
    env: { TSGI_CMD_ARGS: '-w 2 --threads 4' },
  });
  assert.equal(code, 0);
  assert.match(stdout, /^workers += 3$/m);
  assert.match(stdout, /^threads += 4$/m);
  assert.match(stdout, /^app += app\.ts$/m);
});

test('an app that throws at import exits 4 with the error, without respawning', {
  timeout: 20_000,
}, async () => {
  const { code, stderr } = await runTsgi([
    `${APPS}/throws-at-import.ts`,
    '-b',
    `127.0.0.1:${await freePort()}`,
    '-w',
    '2',
  ]);
  assert.equal(code, 4);
  assert.match(stderr, /DATABASE_URL is not set/);
  assert.match(stderr, /App failed to load\./);
  assert.ok([...stderr.matchAll(/Booting worker/g)].length <= 2, 'no respawn loop');
});

test('an app whose start-up leaves a rejection behind exits 4 with it, without respawning', {
  timeout: 20_000,
}, async () => {
  const { code, stderr } = await runTsgi([`${APPS}/stray-at-boot.ts`, '-b', `127.0.0.1:${await freePort()}`]);
  assert.equal(code, 4);
  assert.match(stderr, /unhandled promise rejection in the app while this worker was starting/);
  assert.match(stderr, /initialisation failed in the background/);
  assert.match(stderr, /App failed to load\./);
  assert.equal([...stderr.matchAll(/Booting worker/g)].length, 1, 'no respawn loop');
});

test('a missing app file exits 4 and names the path it looked for', { timeout: 20_000 }, async () => {
  const { code, stderr } = await runTsgi(['no/such/app.ts', '-b', `127.0.0.1:${await freePort()}`]);
  assert.equal(code, 4);
  assert.match(stderr, /cannot load app 'no\/such\/app\.ts': no file at .*no\/such\/app\.ts/);
});

test('an export that does not exist exits 4 and suggests the ones that do', { timeout: 20_000 }, async () => {
  const { code, stderr } = await runTsgi([`${APPS}/pid-echo.ts:app`, '-b', `127.0.0.1:${await freePort()}`]);
  assert.equal(code, 4);
  assert.match(stderr, /has no export named 'app'; did you mean 'application'\?/);
});

test('an address already in use exits 3 with the reason', { timeout: 20_000 }, async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as { port: number };
  try {
    const { code, stderr } = await runTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`]);
    assert.equal(code, 3);
    assert.match(stderr, /EADDRINUSE/);
    assert.match(stderr, /Worker failed to boot\./);
  } finally {
    blocker.close();
  }
});

test('an async Gunicorn worker class is refused with what tsgi runs instead', {
  timeout: 15_000,
}, async () => {
  const { code, stderr } = await runTsgi(['proj.wsgi:application', '-k', 'eventlet']);
  assert.equal(code, 2);
  assert.match(
    stderr,
    /^tsgi: error: -k expects sync, gthread or gevent \(other async worker classes, .* are not supported/,
  );
});

test('an unknown --user stops tsgi at start-up, naming it', { timeout: 15_000 }, async () => {
  const { code, stderr } = await runTsgi([
    `${APPS}/pid-echo.ts`,
    '-b',
    `127.0.0.1:${await freePort()}`,
    '--user',
    'no-such-user-x',
  ]);
  assert.equal(code, 1);
  assert.match(stderr, /\[ERROR\] --user no-such-user-x: no such user/);
});

test('a --umask that is not a mode mask exits 2 and shows the forms it takes', {
  timeout: 15_000,
}, async () => {
  const { code, stderr } = await runTsgi(['app.ts', '--umask', '0999']);
  assert.equal(code, 2);
  assert.match(stderr, /--umask expects a mode mask such as 0022/);
});

test('--check-config exits 0 for an app that loads, without binding its port', {
  timeout: 15_000,
}, async () => {
  const port = await freePort();
  const { code, stderr } = await runTsgi([
    `${APPS}/pid-echo.ts`,
    '-b',
    `127.0.0.1:${port}`,
    '--check-config',
  ]);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /--check-config: the settings are valid and .*pid-echo\.ts loads/);
  assert.doesNotMatch(stderr, /Listening at/);
});

test('--check-config exits 1 naming the error of an app that fails to import', {
  timeout: 15_000,
}, async () => {
  const { code, stderr } = await runTsgi([`${APPS}/throws-at-import.ts`, '--check-config']);
  assert.equal(code, 1);
  assert.match(stderr, /\[ERROR\] --check-config: .*would not start: .*DATABASE_URL is not set/);
});

test('a --statsd-host that is not HOST:PORT exits 2 saying what it takes', { timeout: 15_000 }, async () => {
  const { code, stderr } = await runTsgi(['app.ts', '--statsd-host', 'unix:/run/statsd.sock']);
  assert.equal(code, 2);
  assert.match(stderr, /--statsd-host expects HOST:PORT or \[IPv6\]:PORT/);
});

test('an error log that cannot be opened stops tsgi at start with one line naming it', {
  timeout: 15_000,
}, async () => {
  for (const path of ['/nonexistent-dir/error.log', tmpdir()]) {
    const { code, stderr } = await runTsgi(['examples/hello.ts', '--error-logfile', path]);
    assert.equal(code, 1, path);
    assert.match(
      stderr,
      new RegExp(`^tsgi: error: --error-logfile: cannot open ${path}: E(NOENT|ISDIR)`),
      path,
    );
    assert.doesNotMatch(stderr, /Unhandled 'error' event|\n\s+at /, path);
  }
});

test('an access log that cannot be opened stops tsgi at start, before any worker crashes on it', {
  timeout: 15_000,
}, async () => {
  const { code, stderr } = await runTsgi([
    'examples/hello.ts',
    '--access-logfile',
    '/nonexistent-dir/access.log',
  ]);
  assert.equal(code, 1);
  assert.match(stderr, /\[ERROR\] --access-logfile: cannot open \/nonexistent-dir\/access\.log: ENOENT/);
  assert.doesNotMatch(stderr, /Booting worker|Unhandled 'error' event/);
});

test('a relative --error-logfile is taken from --chdir, by the arbiter as by its workers', {
  timeout: 20_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-chdir-log-'));
  try {
    const { code } = await runTsgi([
      `${process.cwd()}/examples/hello.ts`,
      '--chdir',
      dir,
      '--error-logfile',
      'error.log',
      '--check-config',
    ]);
    assert.equal(code, 0);
    assert.match(readFileSync(join(dir, 'error.log'), 'utf8'), /--check-config: the settings are valid/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an fd:// bind that is not a socket tsgi was given stops it at start, naming the descriptor', {
  timeout: 15_000,
}, async () => {
  const { code, stderr } = await runTsgi(['examples/hello.ts', '-b', 'fd://200']);
  assert.equal(code, 1);
  assert.match(stderr, /\[ERROR\] --bind fd:\/\/200: no such descriptor in this process/);
  assert.doesNotMatch(stderr, /Booting worker|EBADF\n\s+at /);
});

test('a config module whose top-level await never settles ends tsgi with a line saying so', {
  timeout: 15_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-tla-'));
  try {
    const conf = join(dir, 'tsgi.config.mjs');
    writeFileSync(conf, 'await new Promise(() => {});\nexport const workers = 2;\n');
    const { code, stderr } = await runTsgi(['examples/hello.ts', '-c', conf]);
    assert.notEqual(code, 0);
    assert.match(stderr, /tsgi: error: start-up stopped waiting for a module that never finished loading/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
