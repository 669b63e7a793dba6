import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WORKER_SEMI_SPACE_MIB, workerExecArgv } from '../../src/supervisor/worker-heap.js';

const FLAG = `--max-semi-space-size=${WORKER_SEMI_SPACE_MIB}`;

test('a worker gets the larger young generation after the main process flags', () => {
  assert.deepEqual(workerExecArgv(['--import', 'tsx']), ['--import', 'tsx', FLAG]);
});

test('a --max-semi-space-size given to the main process is kept as it is', () => {
  assert.deepEqual(workerExecArgv(['--max-semi-space-size=64']), ['--max-semi-space-size=64']);
  assert.deepEqual(workerExecArgv(['--max-semi-space-size', '8']), ['--max-semi-space-size', '8']);
});

test('a --max-semi-space-size in NODE_OPTIONS is kept as it is', () => {
  assert.deepEqual(workerExecArgv([], '--enable-source-maps --max-semi-space-size=8'), []);
});

test('a longer flag that only starts the same is not taken for it', () => {
  assert.deepEqual(workerExecArgv(['--max-semi-space-size-x=1']), ['--max-semi-space-size-x=1', FLAG]);
});
