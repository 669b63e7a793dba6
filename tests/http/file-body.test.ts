// wsgi.file_wrapper bodies whose file has a path (S15): the server sends the file itself, from `offset` for
// `length` bytes; a file it cannot open is the app's error, answered before any byte of the response went out.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Application, FileLike } from '../../src/gateway/index.js';
import { serve } from './support/serve.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsgi-file-body-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function fileApp(path: string, extra: Partial<FileLike> = {}): Application {
  return (environ, startResponse) => {
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    const file: FileLike = {
      path,
      ...extra,
      read() {
        throw new Error('the server sends the file by its path; read() is the fallback');
      },
    };
    return environ['wsgi.file_wrapper'](file);
  };
}

test('a wrapped file with a path is sent from its offset for its length', async () => {
  const path = join(dir, 'data.txt');
  writeFileSync(path, 'HEADER\nline-a\nline-b\n');
  const served = await serve(fileApp(path, { offset: 7, length: 7 }));
  try {
    const response = await fetch(served.origin);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'line-a\n');
  } finally {
    await served.close();
  }
});

test('a wrapped file that cannot be opened is a 500 with the reason logged, not an empty 200', async () => {
  const served = await serve(fileApp(join(dir, 'missing.txt')));
  try {
    const response = await fetch(served.origin);
    assert.equal(response.status, 500);
    await response.text();
    const log = served.logger.lines.join('\n');
    assert.match(log, /error handling GET \/[\s\S]*ENOENT/);
    assert.doesNotMatch(log, /after the response headers/);
  } finally {
    await served.close();
  }
});
