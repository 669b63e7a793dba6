// The error log's level can change while it runs (SIGHUP with a new --log-level), through any wrapper.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger, openLogStream, tapLogger } from '../src/log.js';
import { waitFor } from './support/async.js';

function collected() {
  const lines: string[] = [];
  return { lines, sink: { write: (text: string) => lines.push(text) } };
}

test('setLevel changes the least severe level a logger writes', () => {
  const { lines, sink } = collected();
  const logger = createLogger(sink, 'warning');
  logger.info('hidden');
  logger.setLevel('debug');
  assert.equal(logger.level, 'debug');
  logger.debug('shown');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /\[DEBUG\] shown/);
});

test('a tapped logger passes setLevel on and reports the level in force', () => {
  const { lines, sink } = collected();
  const tapped: string[] = [];
  const logger = tapLogger(createLogger(sink, 'info'), (kind, message) => tapped.push(`${kind} ${message}`));
  logger.setLevel('error');
  assert.equal(logger.level, 'error');
  logger.warning('below the new level');
  assert.deepEqual(lines, []);
  assert.deepEqual(tapped, ['warning below the new level'], 'the tap sees every entry and filters itself');
});

test('a log file whose writes fail (a full disk) reports it once on the fallback stream, and never throws', async () => {
  const { lines, sink } = collected();
  const stream = openLogStream('/dev/full', sink as unknown as NodeJS.WritableStream);
  for (let i = 0; i < 3; i++) stream.write(`line ${i}\n`);
  await waitFor(() => lines.length > 0, 5000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(lines.length, 1);
  assert.match(lines[0], /\[ERROR\] cannot write \/dev\/full: ENOSPC/);
});

test('a log file that cannot be opened is an Error naming it', () => {
  const { sink } = collected();
  assert.throws(
    () => openLogStream('/nonexistent-dir/x.log', sink as unknown as NodeJS.WritableStream),
    /cannot open \/nonexistent-dir\/x\.log: ENOENT/,
  );
});

test('after failed writes, a log file is opened again and takes the lines once it can', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-log-retry-'));
  try {
    const path = join(dir, 'error.log');
    symlinkSync('/dev/full', path); // every write fails with ENOSPC
    const { lines, sink } = collected();
    const stream = openLogStream(path, sink as unknown as NodeJS.WritableStream, 50);
    stream.write('lost\n');
    await waitFor(() => lines.length > 0, 5000);
    assert.match(lines[0], /cannot write .*ENOSPC.*; lines are lost until it takes writes again/);
    rmSync(path);
    writeFileSync(path, ''); // space again: a plain file at the same path
    await new Promise((resolve) => setTimeout(resolve, 80));
    stream.write('kept\n');
    await new Promise<void>((resolve) => stream.end(resolve));
    assert.equal(readFileSync(path, 'utf8'), 'kept\n');
    assert.equal(lines.length, 1, 'the failure was reported once');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a log file that fails again after it recovered and was reopened reports the new failure', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-log-again-'));
  try {
    const path = join(dir, 'error.log');
    symlinkSync('/dev/full', path);
    const { lines, sink } = collected();
    const stream = openLogStream(path, sink as unknown as NodeJS.WritableStream, 50);
    stream.write('lost\n');
    await waitFor(() => lines.length === 1, 5000);
    rmSync(path);
    writeFileSync(path, ''); // recovered: the next write after the retry delay opens this file and lands
    await new Promise((resolve) => setTimeout(resolve, 80));
    stream.write('kept\n');
    await waitFor(() => readFileSync(path, 'utf8') === 'kept\n', 5000);
    rmSync(path);
    symlinkSync('/dev/full', path); // full again; SIGUSR1 (logrotate) opens the path anew
    stream.reopen();
    stream.write('lost again\n');
    await waitFor(() => lines.length === 2, 5000);
    assert.match(lines[1], /cannot write .*ENOSPC.*; lines are lost until it takes writes again/);
    await new Promise<void>((resolve) => stream.end(resolve));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
