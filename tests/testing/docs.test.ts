// Keeps docs/errors.md and docs/pep3333.md true: every catalog code is documented and every documented code
// exists; every S-number the code cites has a section; every test a section cites exists.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Error codes defined in a source file: quoted 'TSGI_…' strings (not environment variable names). */
function codesIn(path: string): string[] {
  const codes = [...read(path).matchAll(/'(TSGI_[A-Z0-9_]+)'/g)].map((m) => m[1]);
  return [...new Set(codes)].filter((code) => code !== 'TSGI_WORKER_OPTIONS' && code !== 'TSGI_CMD_ARGS');
}

const errorsDoc = read('docs/errors.md');
const documentedCodes = new Set([...errorsDoc.matchAll(/`(TSGI_[A-Z0-9_]+)`/g)].map((m) => m[1]));

test('every error code of the gateway catalog is in docs/errors.md', () => {
  const codes = codesIn('src/gateway/errors.ts');
  assert.ok(codes.length >= 9);
  assert.deepEqual(
    codes.filter((code) => !documentedCodes.has(code)),
    [],
  );
});

test('every validator error code is in docs/errors.md', () => {
  const codes = codesIn('src/testing/validation-errors.ts');
  assert.ok(codes.length >= 20);
  assert.deepEqual(
    codes.filter((code) => !documentedCodes.has(code)),
    [],
  );
});

test('every usage error code of src/config/ is in docs/errors.md', () => {
  const codes = sourceFiles('src/config').flatMap((path) =>
    [...read(path).matchAll(/new UsageError\(\s*'(TSGI_[A-Z0-9_]+)'/g)].map((m) => m[1]),
  );
  assert.ok(codes.length >= 8);
  assert.deepEqual(
    codes.filter((code) => !documentedCodes.has(code)),
    [],
  );
});

test('every error code in docs/errors.md still exists in src/', () => {
  const defined = new Set(sourceFiles('src').flatMap(codesIn));
  assert.deepEqual(
    [...documentedCodes].filter((code) => !defined.has(code) && code !== 'TSGI_CMD_ARGS'),
    [],
  );
});

const rulesDoc = read('docs/pep3333.md');
const sections = new Set([...rulesDoc.matchAll(/^## (S\d+) — /gm)].map((m) => m[1]));

test('docs/pep3333.md numbers its rules S1, S2, … without gaps', () => {
  const numbers = [...rulesDoc.matchAll(/^## S(\d+) — /gm)].map((m) => Number(m[1]));
  assert.deepEqual(
    numbers,
    numbers.map((_, i) => i + 1),
  );
});

test('every PEP 3333 rule cited in src/ has a section in docs/pep3333.md', () => {
  const cited = new Set<string>();
  for (const path of sourceFiles('src')) {
    const text = read(path);
    // S8–S14 cites a range: every rule in it must exist.
    for (const m of text.matchAll(/\bS(\d+)\s*[–-]\s*S(\d+)\b/g)) {
      for (let n = Number(m[1]); n <= Number(m[2]); n++) cited.add(`S${n}`);
    }
    for (const m of text.matchAll(/\bS(\d+)\b/g)) cited.add(`S${m[1]}`);
  }
  assert.ok(cited.has('S14'));
  assert.deepEqual([...cited].filter((rule) => !sections.has(rule)).sort(), []);
});

test('every test cited in docs/pep3333.md exists in the file it names', () => {
  const citations = [...rulesDoc.matchAll(/`(tests\/[^`]+\.test\.ts)` › "([^"]+)"/g)];
  assert.ok(citations.length > 50);
  const missing = citations
    .filter(([, file, name]) => {
      let source: string;
      try {
        source = read(file);
      } catch {
        return true;
      }
      return ![`'${name}'`, `"${name}"`, `\`${name}\``].some((quoted) => source.includes(quoted));
    })
    .map(([, file, name]) => `${file} › ${name}`);
  assert.deepEqual(missing, []);
});
