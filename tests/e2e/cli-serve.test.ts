// tsgi serving a TypeScript app: requests, several workers, logs, environment, unix sockets.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor } from '../support/async.js';
import { APPS, captureToFile, freePort, get, sleep, spawnTsgi, startTsgi } from './cli-harness.js';

test('serves a request from a TypeScript app', { timeout: 20_000 }, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`]);
  try {
    const reply = await get(port);
    assert.equal(reply.status, 200);
    assert.match(reply.body, /^\d+$/);
    assert.notEqual(Number(reply.body), tsgi.child.pid, 'a worker, not the arbiter, serves');
    assert.doesNotMatch(
      tsgi.output,
      /WARNING/,
      'a plain start warns of nothing (say, a Python-only setting)',
    );
  } finally {
    await tsgi.kill();
  }
});

test('-w 2 spreads requests over two worker pids', { timeout: 20_000 }, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`, '-w', '2']);
  try {
    await tsgi.waitForOutput(/Booting worker[\s\S]*Booting worker/);
    const pids = new Set<string>();
    // Each request holds its worker's event loop for 100 ms, so concurrent connections must go to the other.
    for (let round = 0; round < 5 && pids.size < 2; round++) {
      const replies = await Promise.all(Array.from({ length: 6 }, () => get(port, '/?spin=100')));
      for (const reply of replies) pids.add(reply.body);
    }
    assert.equal(pids.size, 2, `pids seen: ${[...pids].join(', ')}`);
  } finally {
    await tsgi.kill();
  }
});

test('--access-logfile - prints Gunicorn-format lines on stdout', { timeout: 20_000 }, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`, '--access-logfile', '-']);
  try {
    await get(port, '/some/path?x=1');
    const [line] = await tsgi.waitForOutput(/^.*"GET \/some\/path\?x=1 HTTP\/1\.1".*$/m);
    assert.match(
      line,
      /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/some\/path\?x=1 HTTP\/1\.1" 200 \d+ "-" "-"$/,
    );
    assert.ok(tsgi.stdout.includes(line), 'the access log goes to stdout');
  } finally {
    await tsgi.kill();
  }
});

test('-e KEY=VALUE reaches process.env in the workers', { timeout: 20_000 }, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([
    `${APPS}/env-echo.ts`,
    '-b',
    `127.0.0.1:${port}`,
    '-e',
    'GREETING=hi there',
    '--env=EMPTY=',
  ]);
  try {
    assert.equal((await get(port, '/GREETING')).body, 'hi there');
    assert.equal((await get(port, '/EMPTY')).body, '');
    assert.equal((await get(port, '/TSGI_WORKER_OPTIONS')).body, '(unset)', 'internal variables are removed');
  } finally {
    await tsgi.kill();
  }
});

test('--root-path becomes SCRIPT_NAME and is stripped from PATH_INFO', { timeout: 20_000 }, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([
    `${APPS}/script-name-echo.ts`,
    '-b',
    `127.0.0.1:${port}`,
    '--root-path',
    '/api',
  ]);
  try {
    assert.equal((await get(port, '/api/users')).body, '/api /users');
  } finally {
    await tsgi.kill();
  }
});

test('a non-ASCII --root-path is matched as UTF-8 bytes against the percent-encoded path', {
  timeout: 20_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([
    `${APPS}/script-name-echo.ts`,
    '-b',
    `127.0.0.1:${port}`,
    '--root-path',
    '/caf\u00e9',
  ]);
  try {
    // Byte strings: SCRIPT_NAME is the UTF-8 bytes of /café, one character per byte (PEP 3333).
    assert.equal(
      (await get(port, '/caf%C3%A9/menu')).body,
      Buffer.from('/café /menu', 'utf8').toString('latin1'),
    );
  } finally {
    await tsgi.kill();
  }
});

test('serves on a unix socket, replacing a stale socket file and removing it on exit', {
  timeout: 20_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-unix-'));
  const path = join(dir, 'app.sock');
  // A stale socket file, as a crashed server leaves behind.
  const stale = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `unix:${path}`]);
  await stale.kill();
  await stale.exited;
  assert.ok(existsSync(path), 'a SIGKILLed server leaves its socket file');
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `unix:${path}`]);
  try {
    const reply = await get(path);
    assert.equal(reply.status, 200);
    assert.match(tsgi.output, new RegExp(`Listening at: unix:${path}`));
    tsgi.send('SIGTERM');
    assert.equal((await tsgi.waitForExit(10_000)).code, 0);
    assert.ok(!existsSync(path), 'the socket file is removed on exit');
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bind path holding a regular file is refused, not deleted', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-unix-'));
  const path = join(dir, 'not-a-socket');
  writeFileSync(path, 'data');
  const tsgi = spawnTsgi([`${APPS}/pid-echo.ts`, '-b', `unix:${path}`]);
  try {
    const exit = await tsgi.waitForExit(10_000);
    assert.equal(exit.code, 1);
    assert.match(tsgi.stderr, /not a socket/);
    assert.ok(existsSync(path));
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--error-logfile and --access-logfile write to files', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-logs-'));
  const port = await freePort();
  const errorLog = join(dir, 'error.log');
  const accessLog = join(dir, 'access.log');
  const tsgi = spawnTsgi([
    `${APPS}/pid-echo.ts`,
    '-b',
    `127.0.0.1:${port}`,
    '--error-logfile',
    errorLog,
    '--access-logfile',
    accessLog,
  ]);
  try {
    for (let i = 0; i < 50 && !existsSync(errorLog); i++) await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 50 && !/Listening at/.test(readFileSync(errorLog, 'utf8')); i++)
      await new Promise((r) => setTimeout(r, 100));
    await get(port, '/logged');
    tsgi.send('SIGTERM');
    assert.equal((await tsgi.waitForExit(10_000)).code, 0);
    const errors = readFileSync(errorLog, 'utf8');
    assert.match(errors, /\[INFO\] Starting tsgi/);
    assert.match(errors, /\[INFO\] Booting worker with pid/);
    assert.match(readFileSync(accessLog, 'utf8'), /"GET \/logged HTTP\/1\.1" 200/);
    assert.equal(tsgi.stderr, '', 'nothing on stderr');
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--limit-request-line reaches the server: a longer request line is answered 414', {
  timeout: 20_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([
    `${APPS}/pid-echo.ts`,
    '-b',
    `127.0.0.1:${port}`,
    '--limit-request-line',
    '100',
  ]);
  try {
    assert.equal((await get(port, `/${'a'.repeat(50)}`)).status, 200);
    assert.equal((await get(port, `/${'a'.repeat(200)}`)).status, 414);
  } finally {
    await tsgi.kill();
  }
});

test('--pid writes the main process pid while serving and removes the file on exit', {
  timeout: 20_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-pid-'));
  const pidFile = join(dir, 'tsgi.pid');
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`, '--pid', pidFile]);
  try {
    assert.equal(readFileSync(pidFile, 'utf8'), `${tsgi.child.pid}\n`);
    tsgi.send('SIGTERM');
    assert.equal((await tsgi.waitForExit(10_000)).code, 0);
    assert.equal(existsSync(pidFile), false);
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--pid naming a running process refuses to start; a stale one is replaced', {
  timeout: 20_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-pid-'));
  const pidFile = join(dir, 'tsgi.pid');
  try {
    // This test runner is alive: the file is someone else's.
    writeFileSync(pidFile, `${process.pid}\n`);
    const refused = spawnTsgi([
      `${APPS}/pid-echo.ts`,
      '-b',
      `127.0.0.1:${await freePort()}`,
      '--pid',
      pidFile,
    ]);
    try {
      assert.equal((await refused.waitForExit(10_000)).code, 1);
      assert.match(refused.stderr, new RegExp(`process ${process.pid} is running and owns it`));
    } finally {
      await refused.kill();
    }
    assert.equal(readFileSync(pidFile, 'utf8'), `${process.pid}\n`);

    // A pid no process can have (above the largest pid_max Linux allows) stands for a server that died untidily.
    writeFileSync(pidFile, '4194305\n');
    const port = await freePort();
    const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`, '--pid', pidFile]);
    try {
      assert.equal(readFileSync(pidFile, 'utf8'), `${tsgi.child.pid}\n`);
    } finally {
      await tsgi.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a relative --pid is taken from --chdir, as in Gunicorn', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-pid-'));
  const port = await freePort();
  const tsgi = await startTsgi([
    `${APPS}/pid-echo.ts`,
    '-b',
    `127.0.0.1:${port}`,
    '--chdir',
    dir,
    '--pid',
    'x.pid',
  ]);
  try {
    assert.equal(readFileSync(join(dir, 'x.pid'), 'utf8'), `${tsgi.child.pid}\n`);
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The backlog of the socket listening on `port`, as the kernel reports it (ss: Send-Q of a LISTEN socket). */
function listenBacklog(port: number): number {
  const out = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' });
  const fields = out.trim().split(/\s+/);
  assert.equal(fields[0], 'LISTEN', out);
  return Number(fields[2]);
}

test("the listen backlog is Gunicorn's 2048 by default and --backlog sets it", {
  timeout: 20_000,
}, async () => {
  const [a, b] = [await freePort(), await freePort()];
  const byDefault = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${a}`]);
  const set = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${b}`, '--backlog', '17']);
  try {
    assert.equal(listenBacklog(a), 2048);
    assert.equal(listenBacklog(b), 17);
  } finally {
    await byDefault.kill();
    await set.kill();
  }
});

test("without --capture-output a Node app's prints go to tsgi's own stdout and stderr", {
  timeout: 20_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/prints.ts`, '-b', `127.0.0.1:${port}`]);
  try {
    await get(port, '/plain');
    await tsgi.waitForOutput(/printed to stderr for \/plain/);
    await tsgi.waitForOutput(/printed to stdout for \/plain/);
    assert.match(tsgi.stdout, /printed to stdout for \/plain/);
  } finally {
    await tsgi.kill();
  }
});

test("--capture-output sends a Node app's stdout and stderr to the error log file", {
  timeout: 20_000,
}, async () => {
  const { tsgi, port, log, done } = await captureToFile(`${APPS}/prints.ts`);
  try {
    await get(port, '/captured');
    await waitFor(() => /printed to stderr for \/captured/.test(log()), 10_000);
    assert.match(log(), /printed to stdout for \/captured/);
    assert.match(log(), /printed to stderr for \/captured/);
    assert.match(log(), /\[INFO\] Booting worker/, "tsgi's own lines share the file");
    assert.doesNotMatch(tsgi.stdout + tsgi.stderr, /printed to/);
  } finally {
    await done();
  }
});

test('--preload with a TypeScript app is accepted and says that it applies to Python apps only', {
  timeout: 20_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`, '--preload']);
  try {
    assert.equal((await get(port)).status, 200);
    assert.match(tsgi.stderr, /\[WARNING\] --preload applies to Python apps only/);
  } finally {
    await tsgi.kill();
  }
});

test('-k sync, gthread and gevent (Gunicorn worker classes) serve a TypeScript app as usual', {
  timeout: 30_000,
}, async () => {
  for (const kind of ['sync', 'gthread', 'gevent']) {
    const port = await freePort();
    const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`, '-k', kind]);
    try {
      assert.equal((await get(port)).status, 200, kind);
      const warned = /\[WARNING\] -k gevent applies to Python apps only/.test(tsgi.stderr);
      assert.equal(warned, kind === 'gevent', `${kind}: ${tsgi.stderr}`);
    } finally {
      await tsgi.kill();
    }
  }
});

const asRoot = process.getuid?.() === 0;

test('--user and --group run the workers as that user, --umask sets the socket mode', {
  timeout: 20_000,
  skip: asRoot ? false : 'switching users needs root',
}, async () => {
  // The app lives in a world-readable directory: the worker loads it after it has left root.
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-user-'));
  chmodSync(dir, 0o755);
  writeFileSync(
    join(dir, 'whoami.mjs'),
    `export function application(environ, startResponse) {
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return [new TextEncoder().encode(\`\${process.getuid()} \${process.getgid()} \${process.getgroups()}\`)];
    }\n`,
  );
  const socket = join(dir, 'tsgi.sock');
  const port = await freePort();
  const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
  const tsgi = await startTsgi([
    join(dir, 'whoami.mjs'),
    '-b',
    `127.0.0.1:${port}`,
    '-b',
    `unix:${socket}`,
    '--user',
    'nobody',
    '--group',
    String(nobody),
    '--umask',
    '0007',
  ]);
  try {
    // uid, gid and the supplementary groups: root's are gone too
    assert.equal((await get(port)).body, `${nobody} ${nobody} ${nobody}`);
    const stat = statSync(socket);
    assert.deepEqual([stat.uid, stat.gid], [nobody, nobody], 'the unix socket is handed to the user');
    assert.equal(stat.mode & 0o777, 0o770, 'umask 0007');
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A user that the group database lists as a member of some group, with those groups' ids (initgroups(3)'s list). */
function userWithSupplementaryGroups(): { user: string; groups: number[] } | null {
  const members = new Map<string, number[]>();
  for (const line of execFileSync('getent', ['group'], { encoding: 'utf8' }).split('\n')) {
    const [, , gid, list] = line.split(':');
    for (const user of list?.split(',').filter(Boolean) ?? [])
      members.set(user, [...(members.get(user) ?? []), Number(gid)]);
  }
  const [first] = members;
  return first ? { user: first[0], groups: first[1] } : null;
}

const member = asRoot ? userWithSupplementaryGroups() : null;

test("--initgroups gives the workers the user's supplementary groups besides --group", {
  timeout: 20_000,
  skip: !asRoot ? 'switching users needs root' : member ? false : 'no user here is a member of a group',
}, async () => {
  const { user, groups } = member!;
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-initgroups-'));
  chmodSync(dir, 0o755);
  writeFileSync(
    join(dir, 'groups.mjs'),
    `export function application(environ, startResponse) {
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return [new TextEncoder().encode(\`\${process.getgid()} \${process.getgroups().sort((a, b) => a - b)}\`)];
    }\n`,
  );
  const daemon = Number(execFileSync('getent', ['group', 'daemon'], { encoding: 'utf8' }).split(':')[2]);
  const expected = [...new Set([daemon, ...groups])].sort((a, b) => a - b);
  const app = join(dir, 'groups.mjs');
  const args = (port: number) => [app, '-b', `127.0.0.1:${port}`, '--user', user, '--group', 'daemon'];
  try {
    const port = await freePort();
    const plain = await startTsgi(args(port));
    try {
      assert.equal((await get(port)).body, `${daemon} ${daemon}`, 'without it: the one group');
    } finally {
      await plain.kill();
    }
    const port2 = await freePort();
    const tsgi = await startTsgi([...args(port2), '--initgroups']);
    try {
      assert.equal((await get(port2)).body, `${daemon} ${expected}`);
    } finally {
      await tsgi.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-n NAME titles the processes as Gunicorn does: tsgi: master [NAME], tsgi: worker [NAME]', {
  timeout: 20_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-b', `127.0.0.1:${port}`, '-n', 'shop']);
  try {
    const title = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0+$/, '');
    assert.equal(title(tsgi.child.pid!), 'tsgi: master [shop]');
    const worker = Number((await get(port)).body);
    assert.equal(title(worker), 'tsgi: worker [shop]');
  } finally {
    await tsgi.kill();
  }
});

test('a statsd or syslog host that does not resolve is logged once and the server serves on', {
  timeout: 20_000,
}, async () => {
  const port = await freePort();
  const tsgi = await startTsgi([
    `${APPS}/pid-echo.ts`,
    '-b',
    `127.0.0.1:${port}`,
    '--statsd-host',
    'no-such-host.invalid:8125',
    '--log-syslog',
    '--log-syslog-to',
    'udp://no-such-host.invalid:514',
  ]);
  try {
    await tsgi.waitForOutput(/--log-syslog-to udp:\/\/no-such-host\.invalid:514: getaddrinfo/);
    await tsgi.waitForOutput(
      /\[WARNING\] --statsd-host no-such-host\.invalid:8125: getaddrinfo .*looked up again every 30 s/,
    );
    for (let i = 0; i < 5; i++) assert.equal((await get(port, `/${i}`)).status, 200);
    await sleep(300);
    assert.equal((await get(port)).status, 200);
    assert.equal(tsgi.count(/Booting worker with pid/), 1, 'no worker crashed');
  } finally {
    await tsgi.kill();
  }
});

test("--statsd-host sends Gunicorn's metrics over UDP: requests, duration, status, workers", {
  timeout: 20_000,
}, async () => {
  const lines: string[] = [];
  const statsd = createSocket('udp4');
  statsd.on('message', (message) => lines.push(message.toString()));
  await new Promise<void>((resolve) => statsd.bind(0, '127.0.0.1', resolve));
  const port = await freePort();
  const tsgi = await startTsgi([
    `${APPS}/pid-echo.ts`,
    '-b',
    `127.0.0.1:${port}`,
    '--statsd-host',
    `127.0.0.1:${statsd.address().port}`,
    '--statsd-prefix',
    'shop',
    '--dogstatsd-tags',
    'env:test',
  ]);
  try {
    await get(port);
    for (let i = 0; i < 50 && !lines.some((l) => l.includes('status')); i++) await sleep(100);
    assert.ok(lines.includes('shop.gunicorn.requests:1|c|@1.0|#env:test'), lines.join('\n'));
    assert.ok(lines.includes('shop.gunicorn.request.status.200:1|c|@1.0|#env:test'), lines.join('\n'));
    assert.ok(lines.some((l) => /^shop\.gunicorn\.request\.duration:\d+(\.\d+)?\|ms\|#env:test$/.test(l)));
    assert.ok(lines.includes('shop.gunicorn.workers:1|g|#env:test'), lines.join('\n'));
  } finally {
    await tsgi.kill();
    statsd.close();
  }
});
