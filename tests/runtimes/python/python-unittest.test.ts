// Runs the Python side's own unit tests (tests/python: the codec against the shared vectors, the PEP 3333
// state machine, the target loader) with the venv interpreter, as part of the one test command.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { PYTHON, ROOT, skipPython } from './support/python-server.js';

test('the Python unit tests in tests/python pass', { skip: skipPython, timeout: 60_000 }, () => {
  const run = spawnSync(
    PYTHON,
    ['-m', 'unittest', 'discover', '-s', 'tests/python', '-t', 'tests/python', '-v'],
    {
      cwd: ROOT,
      env: { ...process.env, PYTHONPATH: `${ROOT}python`, PYTHONDONTWRITEBYTECODE: '1' },
      encoding: 'utf8',
      timeout: 55_000,
    },
  );
  const summary = /Ran (\d+) tests?/.exec(run.stderr);
  assert.equal(run.status, 0, run.stderr);
  assert.ok(summary && Number(summary[1]) > 0, 'no Python tests ran');
});
