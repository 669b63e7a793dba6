// Stale unix socket files are removed before binding; anything else at the path is left alone.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { removeStaleSocket } from '../../src/supervisor/unix-sockets.js';

test('a leftover socket file is removed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-sock-'));
  const path = join(dir, 's.sock');
  try {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    // (Closing a server unlinks its file, so it stays open here: the file is removed all the same, as Gunicorn does.)
    assert.ok(existsSync(path));
    removeStaleSocket(path);
    assert.ok(!existsSync(path));
    server.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing file is fine', () => {
  removeStaleSocket(join(tmpdir(), 'tsgi-no-such-socket'));
});

test('a regular file at the path is an error and is kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-sock-'));
  const path = join(dir, 'data.txt');
  writeFileSync(path, 'keep me');
  try {
    assert.throws(() => removeStaleSocket(path), { code: 'TSGI_BIND_NOT_A_SOCKET' });
    assert.ok(existsSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
