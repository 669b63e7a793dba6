// A Python process's output as lines (src/runtimes/python/output-lines.ts), fed through a stream by hand.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { memoryLogger } from '../../../src/log.js';
import { takeOutput } from '../../../src/runtimes/python/output-lines.js';

/** The lines --capture-output logs for what a process wrote to its stdout in `chunks` (its pid prefix taken off). */
function feed(chunks: string[]): Promise<string[]> {
  const stream = new PassThrough();
  const logger = memoryLogger();
  takeOutput('log', { stdout: stream, stderr: null }, logger, () => 7);
  const lines = () =>
    logger.lines.map((line) => line.slice(line.indexOf('[python 7] ') + '[python 7] '.length));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  return new Promise((resolve) => stream.on('end', () => setImmediate(() => resolve(lines()))));
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
