// The tree shows the architecture: imports flow one way (docs/architecture.md).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const src = resolve(import.meta.dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Our own modules a file imports, as paths relative to src/ (e.g. 'gateway/environ.js'). */
function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]);
  return specs.map((s) => relative(src, resolve(dirname(file), s)));
}

const allowed: Record<string, string[]> = {
  gateway: ['gateway'],
  http: ['gateway', 'http', 'log.js'],
  'runtimes/node': ['gateway', 'runtimes/node'],
  'runtimes/python': ['gateway', 'runtimes/python', 'log.js'],
  testing: ['gateway', 'testing', 'log.js'],
  supervisor: ['gateway', 'http', 'runtimes', 'supervisor', 'log.js'],
};

for (const [layer, may] of Object.entries(allowed)) {
  test(`src/${layer}/ imports only ${may.join(', ')}`, () => {
    for (const file of sourceFiles(join(src, layer))) {
      for (const target of localImports(file)) {
        const ok = may.some((prefix) => target === prefix || target.startsWith(`${prefix}/`));
        assert.ok(ok, `${relative(src, file)} imports ${target}, outside what src/${layer}/ may import`);
      }
    }
  });
}

test('src/gateway/ imports no node: module that does I/O', () => {
  for (const file of sourceFiles(join(src, 'gateway'))) {
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(
      text,
      /from 'node:(net|http|https|child_process|fs|cluster|dgram|tls)'/,
      relative(src, file),
    );
  }
});

test('only src/cli.ts imports src/config/', () => {
  for (const file of sourceFiles(src)) {
    if (file === join(src, 'cli.ts') || file.startsWith(join(src, 'config'))) continue;
    for (const target of localImports(file)) {
      assert.ok(!target.startsWith('config/'), `${relative(src, file)} imports ${target}`);
    }
  }
});
