// Loading a TypeScript/JavaScript app from 'file[:NAME]', with errors that say how to fix them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadApplication, parseScriptTarget } from '../../../src/runtimes/node/load-app.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgi-load-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TS_APP = `
const body: Uint8Array = new TextEncoder().encode('ts');
export const application = (_e: unknown, start: (s: string, h: Array<[string, string]>) => void) => {
  start('200 OK', []);
  return [body];
};
export function api() { return []; }
export const notAFunction = 42;
`;
writeFileSync(join(dir, 'app.ts'), TS_APP);
writeFileSync(join(dir, 'plain.mjs'), 'export const application = () => [];\n');
writeFileSync(join(dir, 'broken.ts'), 'throw new Error("broken at import");\n');

test('FILE defaults NAME to application; FILE:NAME picks the export', () => {
  assert.deepEqual(parseScriptTarget('src/app.ts'), { file: 'src/app.ts', name: 'application' });
  assert.deepEqual(parseScriptTarget('src/app.ts:api'), { file: 'src/app.ts', name: 'api' });
});

test('a .ts app loads without a build step, even outside a "type": "module" package', async () => {
  const app = await loadApplication(join(dir, 'app.ts'));
  assert.equal(typeof app, 'function');
  assert.equal(app.name, 'application');
});

test('FILE:NAME loads the named export', async () => {
  const app = await loadApplication(`${join(dir, 'app.ts')}:api`);
  assert.equal(app.name, 'api');
});

test('a .mjs app loads', async () => {
  assert.equal(typeof (await loadApplication(join(dir, 'plain.mjs'))), 'function');
});

test('a missing file names the path it looked at', async () => {
  await assert.rejects(loadApplication(join(dir, 'nope.ts')), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'TSGI_APP_NOT_FOUND');
    assert.match(error.message, /nope\.ts/);
    return true;
  });
});

test('a missing export suggests the callables the module has', async () => {
  await assert.rejects(loadApplication(`${join(dir, 'app.ts')}:app`), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'TSGI_APP_NOT_CALLABLE');
    assert.match(error.message, /did you mean 'api' or 'application'/);
    return true;
  });
});

test('an export that is not a function says what it is', async () => {
  await assert.rejects(
    loadApplication(`${join(dir, 'app.ts')}:notAFunction`),
    /it is a number, not a function/,
  );
});

test('an app that throws on import reports the error it threw', async () => {
  await assert.rejects(loadApplication(join(dir, 'broken.ts')), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'TSGI_APP_IMPORT_FAILED');
    assert.match(error.message, /broken at import/);
    return true;
  });
});
