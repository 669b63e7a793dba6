// Serving on sockets tsgi was started with: `--bind fd://3`, and systemd's socket activation (LISTEN_FDS,
// LISTEN_PID), for a TypeScript app and a Python app. The test plays systemd: it binds, then starts tsgi with the
// listening socket as fd 3 (through `sh -c 'LISTEN_PID=$$ exec …'`, as systemd sets the pid after its fork).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor } from '../support/async.js';
import { APPS, CLI, ROOT } from './cli-harness.js';
import { PYTHON, PYTHON_APPS, skipPython } from './support/server-process.js';

/** A listening TCP socket on a free loopback port, as systemd would have it before starting the service. */
async function listeningSocket(): Promise<{ server: Server; port: number; fd: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  return { server, port: (server.address() as { port: number }).port, fd };
}

/** One GET over the unix socket at `path`: the body, or null when nothing answers. */
function getOverUnix(path: string): Promise<string | null> {
  return new Promise((resolve) => {
    const req = request({ socketPath: path, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** tsgi with `fd` as its fd 3; with `activate`, LISTEN_FDS=1 and LISTEN_PID set to its own pid. */
function startWithSocket(
  fd: number,
  args: string[],
  activate: boolean,
): { child: ChildProcess; output: () => string } {
  const command = `${activate ? 'LISTEN_FDS=1 LISTEN_PID=$$ ' : ''}exec "$0" "$@"`;
  const child = spawn('sh', ['-c', command, process.execPath, CLI, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe', fd],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  return { child, output: () => output };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}

for (const [how, activate, extra] of [
  ['--bind fd://3', false, ['--bind', 'fd://3']],
  ['systemd socket activation (LISTEN_FDS), which wins over --bind', true, ['--bind', '127.0.0.1:1']],
] as const) {
  test(`a TypeScript app is served on the socket it was given: ${how}`, { timeout: 30_000 }, async () => {
    const socket = await listeningSocket();
    const tsgi = startWithSocket(socket.fd, [`${APPS}/pid-echo.ts`, '-w', '2', ...extra], activate);
    socket.server.close(); // tsgi has its own copy of the socket now
    try {
      await waitFor(() => /Listening at: /.test(tsgi.output()), 15_000);
      assert.match(tsgi.output(), new RegExp(`Listening at: http://127\\.0\\.0\\.1:${socket.port} `));
      if (activate) assert.match(tsgi.output(), /Using 1 socket\(s\) from systemd \(LISTEN_FDS\)/);
      const res = await fetch(`http://127.0.0.1:${socket.port}/`);
      assert.equal(res.status, 200);
      const worker = Number(await res.text());
      // The workers (and so the app) do not inherit systemd's variables.
      assert.doesNotMatch(readFileSync(`/proc/${worker}/environ`, 'latin1'), /LISTEN_(FDS|PID)=/);
    } finally {
      await stop(tsgi.child);
    }
  });
}

test('a Python app is served on a socket systemd passed', { skip: skipPython, timeout: 30_000 }, async () => {
  const socket = await listeningSocket();
  const args = ['--python', PYTHON, '--chdir', PYTHON_APPS, 'environ_echo:application'];
  const tsgi = startWithSocket(socket.fd, args, true);
  socket.server.close();
  try {
    await waitFor(() => /Listening at: /.test(tsgi.output()), 15_000);
    const environ = (await (await fetch(`http://127.0.0.1:${socket.port}/x`)).json()) as Record<
      string,
      string
    >;
    assert.equal(environ.PATH_INFO, '/x');
    assert.equal(environ.SERVER_PORT, String(socket.port));
  } finally {
    await stop(tsgi.child);
  }
});

test('the socket outlives its workers: a worker killed with -9 is replaced and the replacement serves on it', {
  timeout: 30_000,
}, async () => {
  const socket = await listeningSocket();
  const tsgi = startWithSocket(socket.fd, [`${APPS}/pid-echo.ts`, '--bind', 'fd://3'], false);
  socket.server.close();
  try {
    await waitFor(() => /Listening at: /.test(tsgi.output()), 15_000);
    const first = Number(await (await fetch(`http://127.0.0.1:${socket.port}/`)).text());
    process.kill(first, 'SIGKILL');
    await waitFor(() => (tsgi.output().match(/Booting worker with pid/g) ?? []).length >= 2, 15_000);
    // The replacement answers on the same socket (the old code closed it with the last worker: no answer again).
    let second = first;
    const deadline = Date.now() + 15_000;
    while ((second === first || !(second > 0)) && Date.now() < deadline) {
      const res = await fetch(`http://127.0.0.1:${socket.port}/`).catch(() => null);
      second = res ? Number(await res.text()) : first;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.notEqual(second, first, tsgi.output());
  } finally {
    await stop(tsgi.child);
  }
});

test('a unix socket passed as fd 3 (systemd ListenStream=PATH) is served, named in the log, and outlives its workers', {
  timeout: 30_000,
}, async () => {
  // Played by a Python process (which then execs tsgi): a unix socket listening in this process would take
  // connections itself, and closing it would unlink the path.
  const path = join(mkdtempSync(join(tmpdir(), 'tsgi-fd-')), 'app.sock');
  const bindThenExec = [
    'import os, socket, sys',
    's = socket.socket(socket.AF_UNIX)',
    's.bind(sys.argv[1])',
    's.listen(64)',
    // The socket may be fd 3 already (dup2 then does nothing): made inheritable either way.
    'os.dup2(s.fileno(), 3) if s.fileno() != 3 else None',
    'os.set_inheritable(3, True)',
    'os.execv(sys.argv[2], sys.argv[2:])',
  ].join('; ');
  const child = spawn(
    'python3',
    ['-c', bindThenExec, path, process.execPath, CLI, `${APPS}/pid-echo.ts`, '--bind', 'fd://3'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  try {
    await waitFor(() => /Listening at: /.test(output), 15_000);
    assert.match(output, new RegExp(`Listening at: unix:${path} `));
    const first = Number(await getOverUnix(path));
    assert.ok(first > 0, output);
    process.kill(first, 'SIGKILL');
    await waitFor(() => (output.match(/Booting worker with pid/g) ?? []).length >= 2, 15_000);
    let second = first;
    const deadline = Date.now() + 15_000;
    while ((second === first || !(second > 0)) && Date.now() < deadline) {
      second = Number(await getOverUnix(path));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.notEqual(second, first, output);
    assert.ok(second > 0, output);
  } finally {
    await stop(child);
  }
});
