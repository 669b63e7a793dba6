// The response of a Python app through real HTTP: PEP 3333 S8–S15 on the Python side, Node sending.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type PythonServer, servePython, skipPython, sleep } from './support/python-server.js';

const MARKS = join(tmpdir(), `tsgi-marks-${process.pid}`);

function marks(): string[] {
  try {
    return readFileSync(MARKS, 'utf8').trim().split('\n');
  } catch {
    return [];
  }
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/** A client that reads the first body bytes of `url`, then goes away. */
function leaveAfterFirstData(url: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = request(url, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', () => {});
    req.on('close', () => resolve());
    setTimeout(() => reject(new Error('no data')), 5000);
    req.end();
  });
}

describe('responses from Python', { skip: skipPython, timeout: 60_000 }, () => {
  let s: PythonServer;
  before(async () => {
    rmSync(MARKS, { force: true });
    s = await servePython('streaming', { env: { TSGI_TEST_MARKS: MARKS } });
  });
  after(async () => {
    await s.close();
    rmSync(MARKS, { force: true });
  });

  test('write() output comes before the returned body', async () => {
    const r = await fetch(`${s.origin}/write`);
    assert.equal(await r.text(), 'written then returned');
  });

  test('a generator body is streamed in order', async () => {
    const r = await fetch(`${s.origin}/generator`);
    assert.equal(await r.text(), 'chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n');
  });

  test('start_response with exc_info before the headers went out replaces the status', async () => {
    const r = await fetch(`${s.origin}/exc-info-before`);
    assert.equal(r.status, 503);
    assert.equal(await r.text(), 'error page');
  });

  test('start_response with exc_info after the headers went out aborts the response', async () => {
    const r = await fetch(`${s.origin}/exc-info-after`);
    assert.equal(r.status, 200);
    await assert.rejects(r.text());
    assert.ok(s.logger.lines.some((l) => l.includes('ValueError: too late')));
  });

  test('calling start_response twice without exc_info is a 500', async () => {
    const r = await fetch(`${s.origin}/second-start-response`);
    assert.equal(r.status, 500);
    assert.ok(s.logger.lines.some((l) => l.includes('second time without exc_info')));
  });

  test('an app exception before the headers is a 500 with the traceback in the error log', async () => {
    const r = await fetch(`${s.origin}/raise`);
    assert.equal(r.status, 500);
    assert.ok(s.logger.lines.some((l) => l.includes('RuntimeError: boom before headers')));
  });

  test('an app exception after the headers aborts the connection', async () => {
    const r = await fetch(`${s.origin}/raise-after`);
    assert.equal(r.status, 200);
    await assert.rejects(r.text());
  });

  // A list leaves the worker in one sendall, so Node reads it whole; a quick generator usually arrives whole too.
  // The framing is what the app declared, not how fast the body came.
  for (const route of ['/list', '/generator']) {
    test(`${route}: a body without Content-Length goes out chunked, as Gunicorn sends it, though it arrived whole`, async () => {
      const head = await new Promise<{ headers: Record<string, unknown>; body: string }>(
        (resolve, reject) => {
          request(`${s.origin}${route}`, (res) => {
            let body = '';
            res.setEncoding('latin1');
            res.on('data', (text: string) => {
              body += text;
            });
            res.on('end', () => resolve({ headers: res.headers, body }));
          })
            .on('error', reject)
            .end();
        },
      );
      assert.equal(head.headers['transfer-encoding'], 'chunked');
      assert.equal(head.headers['content-length'], undefined);
      assert.ok(head.body.length > 0);
    });
  }

  test("the app's output to stderr without a newline reaches the log without waiting for one", async () => {
    const r = await fetch(`${s.origin}/stderr-partial?dots`);
    assert.equal(await r.text(), 'ok');
    await waitFor(() => s.logger.lines.some((line) => line.includes('progress dots')), 3000);
  });

  test('close() of the body is called after a complete response', async () => {
    const r = await fetch(`${s.origin}/closing?complete`);
    assert.equal((await r.arrayBuffer()).byteLength, 64 * 65536);
    await waitFor(() => marks().includes('closed complete'));
  });

  // The app's close() goes on after its body is whole until the test, having the response, releases it: the
  // response must not wait for that, as Gunicorn's does not.
  for (const [route, status, body] of [
    ['/slow-close', 200, 'hello\n'],
    ['/chunked-slow-close', 200, 'hello\n'],
    ['/redirect-slow-close', 302, ''],
  ] as const) {
    test(`${route}: a whole response goes out before the app is done with it`, async () => {
      const name = route.slice(1);
      const r = await fetch(`${s.origin}${route}?${name}`, { redirect: 'manual' });
      assert.equal(r.status, status);
      assert.equal(await r.text(), body);
      writeFileSync(`${MARKS}.release.${name}`, '');
      try {
        await waitFor(() => marks().some((m) => m.endsWith(` ${name}`)));
        assert.ok(marks().includes(`released ${name}`), marks().join(', '));
      } finally {
        rmSync(`${MARKS}.release.${name}`, { force: true });
      }
      assert.equal((await fetch(`${s.origin}/write`)).status, 200, 'the worker serves the next request');
    });
  }

  test('once the declared Content-Length went out the server stops iterating (PEP 3333) and calls close()', async () => {
    const r = await fetch(`${s.origin}/past-length?past-length`);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), 'hello\n');
    await waitFor(() => marks().includes('stopped past-length'));
    assert.equal((await fetch(`${s.origin}/write`)).status, 200, 'the worker serves the next request');
  });

  test('HEAD of a streamed body without a declared length gets no Content-Length', async () => {
    const r = await fetch(`${s.origin}/slow-generator`, { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-length'), null);
    assert.equal(await r.text(), '');
  });

  test('close() of the body is called when the client goes away mid-body', async () => {
    await leaveAfterFirstData(`${s.origin}/closing?gone`);
    // 64 chunks × 20 ms would take 1.3 s; the worker stops well before that.
    const t0 = Date.now();
    await waitFor(() => marks().includes('closed gone'));
    assert.ok(Date.now() - t0 < 1000, 'close() ran late: the worker did not stop on ABORT');
    const r = await fetch(`${s.origin}/write`);
    assert.equal(r.status, 200, 'the worker serves the next request');
  });

  test('start_response raises on a status the contract refuses: uncaught, a 500 with the traceback logged', async () => {
    const bad = await fetch(`${s.origin}/bad-status`);
    assert.equal(bad.status, 500);
    await bad.arrayBuffer();
    assert.match(
      s.logger.lines.join('\n'),
      /ValueError: invalid status '200': it must be the three-digit code of a final response/,
    );
    assert.equal((await fetch(`${s.origin}/write`)).status, 200, 'the worker serves on');
  });

  test('start_response raises on a bad header while the app runs, so the app can answer otherwise (S9)', async () => {
    const r = await fetch(`${s.origin}/bad-header-caught`);
    assert.equal(r.status, 400);
    const text = await r.text();
    assert.match(text, /response header 'X-User' has a control character/);
    assert.doesNotMatch(text, /evil|Set-Cookie/, 'the value is not repeated');
  });

  test('a slow stream of small chunks stops soon after the client goes away', async () => {
    await leaveAfterFirstData(`${s.origin}/trickle?trickle-gone`);
    // 200 chunks × 20 ms would take 4 s and never fill the credit window: only the ABORT can stop it early.
    const t0 = Date.now();
    await waitFor(() => marks().includes('closed trickle-gone'));
    assert.ok(Date.now() - t0 < 1000, 'close() ran late: the worker did not see the ABORT between chunks');
    const r = await fetch(`${s.origin}/write`);
    assert.equal(r.status, 200, 'the worker serves the next request');
  });

  test('streaming is bounded by flow control while the client does not read', async () => {
    const before = s.logger.lines.length;
    const produced = () => s.logger.lines.slice(before).filter((l) => l.includes('produced ')).length;
    await new Promise<void>((resolve, reject) => {
      const req = request(`${s.origin}/big?400`, (res) => {
        res.pause(); // a client that stops reading: 400 × 64 KiB = 25 MiB waiting to be sent
        setTimeout(() => {
          try {
            // Socket buffers + Node's window (256 KiB) + the worker's pipe: a few MiB at most, not 25.
            assert.ok(produced() < 120, `the worker produced ${produced()} chunks without backpressure`);
            let total = 0;
            res.on('data', (d: Buffer) => {
              total += d.length;
            });
            res.on('end', () => {
              try {
                assert.equal(total, 400 * 65536);
                resolve();
              } catch (error) {
                reject(error);
              }
            });
            res.resume();
          } catch (error) {
            req.destroy();
            reject(error);
          }
        }, 800);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(produced(), 400);
  });
});

describe('a Python response after it is whole', { skip: skipPython, timeout: 30_000 }, () => {
  test('a close() that runs past --timeout leaves the response standing, and the failure is logged', async () => {
    const s = await servePython('streaming', { timeout: 1 });
    try {
      const r = await fetch(`${s.origin}/close-past-timeout`);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), 'hello\n');
      await waitFor(() =>
        s.logger.lines.some((l) => l.includes('after the response to GET /close-past-timeout')),
      );
      assert.match(
        s.logger.lines.join('\n'),
        /after the response to GET \/close-past-timeout was whole: the Python app ran past the timeout of 1 s/,
      );
    } finally {
      await s.close();
    }
  });
});

describe('wsgi.file_wrapper from Python', { skip: skipPython, timeout: 30_000 }, () => {
  let s: PythonServer;
  const file = join(tmpdir(), `tsgi-file-${process.pid}.bin`);
  const content = Buffer.alloc(300_000);
  for (let i = 0; i < content.length; i++) content[i] = (i * 13) & 0xff;
  before(async () => {
    writeFileSync(file, content);
    s = await servePython('file_wrapper');
  });
  after(async () => {
    await s.close();
    rmSync(file, { force: true });
  });

  test('a wrapped file on disk is sent by Node, whole', async () => {
    const r = await fetch(`${s.origin}/disk?path=${encodeURIComponent(file)}`);
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), content);
  });

  test('a wrapped file is sent from the offset the app seeked to', async () => {
    const r = await fetch(`${s.origin}/disk?path=${encodeURIComponent(file)}&offset=1000`);
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), content.subarray(1000));
  });

  test('a wrapped file whose path is given to another file before Node opens it is still the one sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgi-swap-'));
    try {
      const path = join(dir, 'current.bin');
      const other = join(dir, 'next.bin');
      writeFileSync(path, content);
      writeFileSync(other, 'the next release, shorter');
      const r = await fetch(
        `${s.origin}/swapped?path=${encodeURIComponent(path)}&other=${encodeURIComponent(other)}`,
      );
      assert.deepEqual(Buffer.from(await r.arrayBuffer()), content);
      assert.equal(readFileSync(path, 'utf8'), 'the next release, shorter', 'the app did swap the files');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a wrapper around an object with no file on disk is iterated', async () => {
    const r = await fetch(`${s.origin}/memory`);
    assert.equal(await r.text(), 'in memory, not on disk');
  });
});
