// TSGI_CMD_ARGS is split as a POSIX shell splits words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitArgs } from '../../src/config/split-args.js';

test('whitespace separates arguments', () => {
  assert.deepEqual(splitArgs('  -w 2\t--reload\n'), ['-w', '2', '--reload']);
});

test('single and double quotes keep spaces; a backslash escapes', () => {
  assert.deepEqual(splitArgs(`-e 'A=x y' -e "B=\\"q\\"" -e C=a\\ b`), [
    '-e',
    'A=x y',
    '-e',
    'B="q"',
    '-e',
    'C=a b',
  ]);
});

test('an empty quoted argument is kept', () => {
  assert.deepEqual(splitArgs(`--root-path ''`), ['--root-path', '']);
});

test('an unclosed quote is a usage error', () => {
  assert.throws(() => splitArgs(`-e 'A=1`), { code: 'TSGI_BAD_CMD_ARGS' });
});
