// A Python process's output as lines (src/runtimes/python/output-lines.ts), fed through a stream by hand.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { pipeLines } from '../../../src/runtimes/python/output-lines.js';

function feed(chunks: string[]): Promise<string[]> {
  const stream = new PassThrough();
  const lines: string[] = [];
  pipeLines(stream, (line) => lines.push(line));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  return new Promise((resolve) => stream.on('end', () => setImmediate(() => resolve(lines))));
}

test('lines split across chunks are logged whole, and the last one without its newline at the end', async () => {
  assert.deepEqual(await feed(['one\ntw', 'o\nthr', 'ee']), ['one', 'two', 'three']);
});

test('a line that never ends (a progress bar redrawn with \\r) is logged in pieces, none much over 64 KiB', async () => {
  const chunks = Array.from({ length: 400 }, (_, i) => `\r${String(i).padStart(1000, '.')}`);
  const lines = await feed(chunks);
  assert.equal(lines.join(''), chunks.join(''), 'nothing lost');
  assert.ok(lines.length > 1, 'logged in pieces');
  for (const line of lines)
    assert.ok(line.length <= 64 * 1024 + 1001, `a piece of ${line.length} characters`);
});
