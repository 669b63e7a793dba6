#!/usr/bin/env node
// The test command: every tests/**/*.test.ts file under node:test (Node 20 has no globs and does not pick up
// .ts files from a directory argument), with tsx as the loader.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

function collect(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...collect(path));
    else if (entry.name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out.sort();
}

const files = only.length > 0 ? only : collect(join(root, 'tests'));
const venvPython = join(root, '.venv', 'bin', 'python');
let skipNotice = '';
if (!existsSync(venvPython)) {
  if (process.env.CI) {
    console.error('tests: .venv is missing in CI; .ci/run must create it with scripts/setup-python.sh');
    process.exit(1);
  }
  skipNotice =
    `tests: SKIPPING the tests that need a real Python with Flask, Django and Gunicorn (in tests/runtimes/python/ and tests/e2e/*python*: there is no .venv) — run \`bash scripts/setup-python.sh\` to enable them; they are reported as skipped, never passed`;
  console.log(skipNotice);
}
const result = spawnSync(
  process.execPath,
  // --test-timeout bounds each file too: one that never exits (a handle left open after a failure) is cancelled
  // after 10 minutes and reported, instead of holding the whole run until CI's limit.
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=600000', ...files],
  { cwd: root, stdio: 'inherit' },
);
// Said again at the end, where the summary is read.
if (skipNotice) console.log(skipNotice);
process.exit(result.status ?? 1);
