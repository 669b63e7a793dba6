// A Flask app (tests/apps/flask_site/app.py) served by the real CLI: `tsgi --python .venv/bin/python app:app`,
// driven with fetch and raw sockets.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { header, rawRequest } from '../http/support/raw-connection.js';
import { multipart, payload, sha256 } from './support/multipart.js';
import { ROOT, type ServerProcess, skipPython, startTsgi, waitFor } from './support/server-process.js';

const FLASK_SITE = `${ROOT}tests/apps/flask_site`;

describe('Flask under the tsgi CLI', { skip: skipPython, timeout: 60_000 }, () => {
  let tsgi: ServerProcess;
  before(async () => {
    tsgi = await startTsgi('app:app', [], { chdir: FLASK_SITE });
  });
  after(async () => {
    await tsgi?.kill();
  });

  test('GET / answers Hello, World!', { timeout: 10_000 }, async () => {
    const res = await fetch(`${tsgi.origin}/`);
    assert.equal(res.status, 200, tsgi.tail());
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), 'Hello, World!\n');
  });

  test('a JSON view sees the query arguments', { timeout: 10_000 }, async () => {
    const res = await fetch(`${tsgi.origin}/json?name=caf%C3%A9&n=2`);
    assert.equal(res.status, 200, tsgi.tail());
    assert.deepEqual(await res.json(), {
      args: { name: 'café', n: '2' },
      path: '/json',
      script_root: '',
    });
  });

  test('a POSTed body reaches the view whole (sha256 echoed)', { timeout: 10_000 }, async () => {
    const body = payload(200_000);
    const res = await fetch(`${tsgi.origin}/echo`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(res.status, 200, tsgi.tail());
    assert.deepEqual(await res.json(), {
      length: body.length,
      sha256: sha256(body),
      content_type: 'application/octet-stream',
    });
  });

  test('a multipart upload of 3 MB (spooled to a temp file) arrives intact', {
    timeout: 15_000,
  }, async () => {
    const data = payload(3 * 1024 * 1024);
    const form = multipart({ note: 'hi' }, [{ name: 'file', filename: 'big.bin', data }]);
    const res = await fetch(`${tsgi.origin}/upload`, {
      method: 'POST',
      body: form.body,
      headers: { 'content-type': form.contentType },
    });
    assert.equal(res.status, 200, tsgi.tail());
    assert.deepEqual(await res.json(), {
      filename: 'big.bin',
      size: data.length,
      sha256: sha256(data),
      form: { note: 'hi' },
    });
  });

  test('a stream_with_context response streams with chunked encoding', { timeout: 10_000 }, async () => {
    const res = await rawRequest(
      tsgi.port,
      'GET /stream?n=50 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    assert.equal(res.status, 200, tsgi.tail());
    assert.equal(res.framing, 'chunked');
    assert.equal(header(res, 'content-length'), undefined);
    assert.ok(res.complete);
    const expected = Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join('');
    assert.equal(res.body.toString(), expected);
  });

  test('an exception in a view gives 500 and its traceback in the error log', {
    timeout: 10_000,
  }, async () => {
    const res = await fetch(`${tsgi.origin}/error`);
    assert.equal(res.status, 500, tsgi.tail());
    assert.match(await res.text(), /Internal Server Error/);
    await waitFor(() => tsgi.stderr.includes('RuntimeError: boom from flask'), 3000, 'the traceback');
    assert.match(tsgi.stderr, /Traceback \(most recent call last\)/);
    assert.match(tsgi.stderr, /flask_site\/app\.py", line \d+, in error/);
    // The app keeps serving.
    assert.equal((await fetch(`${tsgi.origin}/`)).status, 200);
  });
});

describe('a Flask app factory target', { skip: skipPython, timeout: 30_000 }, () => {
  test("'app:create_app()' serves the app the factory returns", { timeout: 20_000 }, async () => {
    const tsgi = await startTsgi('app:create_app()', [], { chdir: FLASK_SITE });
    try {
      const res = await fetch(`${tsgi.origin}/json?factory=1`);
      assert.equal(res.status, 200, tsgi.tail());
      assert.deepEqual(await res.json(), { args: { factory: '1' }, path: '/json', script_root: '' });
    } finally {
      await tsgi.kill();
    }
  });
});
