// The environ a Python app sees under tsgi equals what Gunicorn 27 gives it for the same request bytes, key by
// key (S2–S7), except for the keys that name the server, the connection or an object's type.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../support/async.js';
import { APPS, type PythonServer, ROOT, servePython, skipPython, sleep } from './support/python-server.js';

const GUNICORN = `${ROOT}.venv/bin/gunicorn`;

/** Keys that differ by nature: the server's name, the client's port, the process, objects' Python types. */
const DIFFERENT_BY_NATURE = new Set([
  'SERVER_SOFTWARE',
  'SERVER_PORT',
  'REMOTE_PORT',
  'gunicorn.socket',
  'wsgi.input',
  'wsgi.errors',
  'wsgi.file_wrapper',
  'wsgi.early_hints', // a bound method here, a function there; its 103s: tests/e2e/python-early-hints.test.ts
  '_pid',
  '_thread',
  '_sys_path0',
  '_cwd',
]);

/** Send raw request bytes and return the JSON body of the (Connection: close) response. */
function rawJson(port: number, raw: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(Buffer.from(raw, 'latin1')));
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      // Either framing: chunked from one server, Content-Length from the other.
      const json = body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1);
      try {
        resolve(JSON.parse(Buffer.from(json, 'latin1').toString('utf8')));
      } catch {
        reject(new Error(`no JSON in response: ${text.slice(0, 300)}`));
      }
    });
  });
}

const REQUESTS: Array<[string, string]> = [
  [
    'a GET with a query and percent-encoded path',
    'GET /caf%C3%A9/a%2Fb?x=1&y=%20 HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n',
  ],
  [
    'repeated headers, odd case and a header with an underscore',
    'GET / HTTP/1.1\r\nHost: example.test\r\nX-Multi: a\r\nx-multi: b\r\nX_Dropped: 1\r\nAccept: */*\r\nConnection: close\r\n\r\n',
  ],
  [
    'a POST with a body and a content type',
    'POST /form HTTP/1.1\r\nHost: example.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\nConnection: close\r\n\r\na=1&b=2',
  ],
  ['an HTTP/1.0 request without Host', 'GET /old HTTP/1.0\r\n\r\n'],
  [
    'a latin-1 header value',
    'GET / HTTP/1.1\r\nHost: example.test\r\nX-Name: caf\xe9\r\nConnection: close\r\n\r\n',
  ],
];

describe('environ seen by Python: tsgi vs Gunicorn 27', { skip: skipPython, timeout: 60_000 }, () => {
  let tsgi: PythonServer;
  let gunicorn: ChildProcess;
  let gunicornPort: number;

  before(async () => {
    tsgi = await servePython('environ_echo');
    gunicornPort = await freePort();
    gunicorn = spawn(
      GUNICORN,
      ['--bind', `127.0.0.1:${gunicornPort}`, '--workers', '1', '--chdir', APPS, 'environ_echo'],
      {
        stdio: 'ignore',
        env: { ...process.env, PATH: `${ROOT}.venv/bin:${process.env.PATH}` },
      },
    );
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const c = connect(gunicornPort, '127.0.0.1', () => {
          c.destroy();
          resolve(true);
        }).on('error', () => resolve(false));
      });
      if (up) return;
      await sleep(100);
    }
    throw new Error('gunicorn did not start');
  });

  after(async () => {
    await tsgi.close();
    if (gunicorn.pid !== undefined) process.kill(gunicorn.pid, 'SIGKILL');
  });

  const port = () => Number(new URL(tsgi.origin).port);

  for (const [name, raw] of REQUESTS) {
    test(`${name}: every key and value matches`, async () => {
      const ours = await rawJson(port(), raw);
      const theirs = await rawJson(gunicornPort, raw);
      const keys = new Set(
        [...Object.keys(ours), ...Object.keys(theirs)].filter((k) => !DIFFERENT_BY_NATURE.has(k)),
      );
      const diff: string[] = [];
      for (const key of keys) {
        if (JSON.stringify(ours[key]) !== JSON.stringify(theirs[key]))
          diff.push(`${key}: tsgi ${JSON.stringify(ours[key])} vs gunicorn ${JSON.stringify(theirs[key])}`);
      }
      assert.deepEqual(diff, []);
    });
  }

  test('the wsgi.* objects are what PEP 3333 asks for', async () => {
    const ours = await rawJson(port(), REQUESTS[0][1]);
    assert.deepEqual(ours['wsgi.version'], [1, 0]);
    assert.equal(ours['wsgi.multithread'], false);
    assert.equal(ours['wsgi.multiprocess'], false);
    assert.equal(ours['wsgi.run_once'], false);
    assert.equal(ours['wsgi.input_terminated'], true);
    assert.equal(ours['wsgi.errors'], '<ErrorStream>');
    assert.equal(ours['wsgi.input'], '<BytesIO>');
    assert.equal(ours.SERVER_SOFTWARE, 'tsgi/0.1.0');
    assert.equal(ours._sys_path0, APPS);
    assert.ok(
      tsgi.logger.lines.some((l) => l.includes('environ_echo: GET /café/a/b'.replace('é', '\u00c3\u00a9'))),
    );
  });
});

test('wsgi.multithread and wsgi.multiprocess follow threads and workers', {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  const s = await servePython('environ_echo', { workers: 2, threads: 2 });
  try {
    const r = (await (await fetch(`${s.origin}/`)).json()) as Record<string, unknown>;
    assert.equal(r['wsgi.multithread'], true);
    assert.equal(r['wsgi.multiprocess'], true);
  } finally {
    await s.close();
  }
});
