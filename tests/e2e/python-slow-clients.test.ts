// Slow clients never occupy a Python worker: Node buffers each request whole before Python sees it, so with one
// Python process (--workers 1 --threads 1) stalled and trickling clients cost Python nothing (WORKERS.md: Gunicorn's
// sync worker stops answering anyone with 50 connections stalled mid-headers).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RawConnection } from '../http/support/raw-connection.js';
import { payload, sha256 } from './support/multipart.js';
import { type ServerProcess, skipPython, sleep, startTsgi } from './support/server-process.js';

describe('slow clients and a single Python worker', { skip: skipPython, timeout: 60_000 }, () => {
  let tsgi: ServerProcess;
  const open: RawConnection[] = [];
  before(async () => {
    tsgi = await startTsgi('upload_echo:application', ['--workers', '1', '--threads', '1']);
  });
  after(async () => {
    for (const connection of open) connection.close();
    await tsgi?.kill();
  });

  test('50 connections stalled mid-headers and 20 stalled mid-body do not delay a normal request', {
    timeout: 20_000,
  }, async () => {
    const stalledHeads = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const connection = await RawConnection.open(tsgi.port);
        open.push(connection);
        await connection.send(`GET /read?${i} HTTP/1.1\r\nHost: h\r\nX-Slow: still typ`);
        return connection;
      }),
    );
    const halfBody = payload(1000);
    const stalledBodies = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const connection = await RawConnection.open(tsgi.port);
        open.push(connection);
        await connection.send(
          'POST /read HTTP/1.1\r\nHost: h\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n',
        );
        await connection.send(halfBody.subarray(0, 500));
        return connection;
      }),
    );
    await sleep(200); // every stalled request has reached the server

    const started = Date.now();
    const res = await fetch(`${tsgi.origin}/read`, { method: 'POST', body: 'normal' });
    const elapsed = Date.now() - started;
    assert.equal(res.status, 200, tsgi.tail());
    assert.equal(((await res.json()) as { length: number }).length, 6);
    assert.ok(elapsed < 1000, `a normal request took ${elapsed} ms`);

    // The stalled bodies, once complete, are served whole.
    const finished = await Promise.all(
      stalledBodies.map(async (connection) => {
        await connection.send(halfBody.subarray(500));
        return connection.readResponse({ timeoutMs: 5000 });
      }),
    );
    for (const r of finished) {
      assert.equal(r.status, 200);
      assert.equal(JSON.parse(r.body.toString()).sha256, sha256(halfBody));
    }
    for (const connection of stalledHeads)
      assert.equal(connection.pending.length, 0, 'no answer to a half head');
  });

  test('a body trickled in 20 pieces over 2 s reaches the app whole', { timeout: 20_000 }, async () => {
    const body = payload(20 * 1000);
    const connection = await RawConnection.open(tsgi.port);
    open.push(connection);
    await connection.send(
      `POST /read HTTP/1.1\r\nHost: h\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    for (let i = 0; i < 20; i++) {
      await connection.send(body.subarray(i * 1000, (i + 1) * 1000));
      // Meanwhile the one Python worker stays free for others.
      if (i === 10) assert.equal((await fetch(`${tsgi.origin}/read`)).status, 200);
      await sleep(100);
    }
    const res = await connection.readResponse({ timeoutMs: 5000 });
    assert.equal(res.status, 200, tsgi.tail());
    const result = JSON.parse(res.body.toString());
    assert.equal(result.length, body.length);
    assert.equal(result.sha256, sha256(body));
    assert.equal(result.CONTENT_LENGTH, String(body.length));
  });
});
