// wsgi.input as the Python app sees it (S5): the body was read whole by Node before dispatch.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../../support/async.js';
import { type PythonServer, servePython, skipPython } from './support/python-server.js';

describe('wsgi.input in Python', { skip: skipPython, timeout: 30_000 }, () => {
  let s: PythonServer;
  before(async () => {
    s = await servePython('upload_echo', { bodyMemoryLimit: 64 * 1024 });
  });
  after(() => s.close());

  const post = async (path: string, body: string | Buffer) => {
    const r = await fetch(`${s.origin}${path}`, { method: 'POST', body });
    assert.equal(r.status, 200);
    return (await r.json()) as Record<string, unknown>;
  };

  test('read() returns the whole body, then nothing', async () => {
    const r = await post('/read', 'hello body');
    assert.equal(r.length, 10);
    assert.equal(r.again, 0);
    assert.equal(r.CONTENT_LENGTH, '10');
    assert.equal(r.input_type, 'BytesIO');
  });

  test('read(n) returns at most n bytes and stops at the end', async () => {
    const r = await post('/read-n', 'x'.repeat(20));
    assert.deepEqual(r.parts, [7, 7, 6]);
  });

  test('readline() and readline(n) split on newlines and honour the limit', async () => {
    const r = await post('/readline', 'one\nsecond\n');
    assert.deepEqual(r.lines, ['one\n', 'sec', 'ond\n']);
  });

  test('readlines() returns every line; readlines(hint) stops once hint bytes are read', async () => {
    assert.deepEqual((await post('/readlines', 'a\nbb\nccc')).all, ['a\n', 'bb\n', 'ccc']);
    assert.deepEqual((await post('/readlines-hint', 'a\nbb\nccc\n')).some, ['a\n', 'bb\n']);
  });

  test('iterating wsgi.input yields lines', async () => {
    assert.deepEqual((await post('/iterate', 'l1\nl2\n')).lines, ['l1\n', 'l2\n']);
  });

  test('a body above bodyMemoryLimit is spooled to a temp file that Python reads directly', async () => {
    const body = Buffer.alloc(1024 * 1024 + 17);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    const r = await post('/read', body);
    assert.equal(r.length, body.length);
    assert.equal(r.sha256, createHash('sha256').update(body).digest('hex'));
    assert.equal(r.input_type, 'BufferedReader');
    assert.equal(r.CONTENT_LENGTH, String(body.length));
    // The file goes once the worker is done with the request.
    assert.equal(typeof r.input_path, 'string');
    await waitFor(() => !existsSync(r.input_path as string), 3000, 'the spooled body removed');
  });

  test('a chunked upload arrives with CONTENT_LENGTH set to its real length', async () => {
    const r = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = request(
        `${s.origin}/read`,
        { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            text += d;
          });
          res.on('end', () => resolve(JSON.parse(text)));
        },
      );
      req.on('error', reject);
      req.write('abc');
      setTimeout(() => req.end('defg'), 20);
    });
    assert.equal(r.length, 7);
    assert.equal(r.CONTENT_LENGTH, '7');
  });
});
