// How many Node front ends a Python app gets, and how its --workers Python processes are shared among them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FRONT_END_SHARE, frontEndCount, poolShare } from '../../src/supervisor/front-ends.js';

test('left to tsgi, there is one front end per FRONT_END_SHARE Python processes', () => {
  assert.equal(FRONT_END_SHARE, 4);
  assert.equal(frontEndCount(1, 0, 16), 1);
  assert.equal(frontEndCount(4, 0, 16), 1);
  assert.equal(frontEndCount(5, 0, 16), 2);
  assert.equal(frontEndCount(17, 0, 16), 5);
});

test('left to tsgi, there are never more front ends than CPU cores', () => {
  assert.equal(frontEndCount(9, 0, 2), 2);
  assert.equal(frontEndCount(64, 0, 1), 1);
});

test('--front-ends sets the number, but never above the Python processes (each owns one at least)', () => {
  assert.equal(frontEndCount(3, 2, 1), 2, 'the cores do not cap an explicit number');
  assert.equal(frontEndCount(2, 5, 16), 2);
  assert.equal(frontEndCount(1, 3, 16), 1);
});

test('the Python processes are shared as evenly as can be, the first front ends taking the rest', () => {
  assert.deepEqual(
    [0, 1].map((index) => poolShare(3, { index, count: 2 })),
    [2, 1],
  );
  assert.deepEqual(
    [0, 1, 2].map((index) => poolShare(8, { index, count: 3 })),
    [3, 3, 2],
  );
  assert.deepEqual(
    [0, 1].map((index) => poolShare(4, { index, count: 2 })),
    [2, 2],
  );
  for (const [workers, count] of [
    [5, 2],
    [17, 5],
    [9, 4],
    [1, 1],
  ]) {
    const shares = Array.from({ length: count }, (_, index) => poolShare(workers, { index, count }));
    assert.equal(
      shares.reduce((a, b) => a + b),
      workers,
      `${workers} over ${count}: ${shares}`,
    );
    assert.ok(Math.max(...shares) - Math.min(...shares) <= 1);
  }
});

test('a front end told of no others owns all the Python processes', () => {
  assert.equal(poolShare(6, undefined), 6);
});
