// The error log's level can change while it runs (SIGHUP with a new --log-level), through any wrapper.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, tapLogger } from '../src/log.js';

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
