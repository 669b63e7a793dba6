// --reload: editing a watched file restarts the workers with the new code; a broken edit does not stop the server.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, get, type Reply, sleep, startTsgi } from './cli-harness.js';

function versionApp(version: string): string {
  return `export const application = (_environ: unknown, startResponse: (s: string, h: [string, string][]) => void) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [new TextEncoder().encode('${version}')];
};
`;
}

/** A temporary project directory holding app.ts (an ES module package, as a TypeScript project is). */
function project(): { dir: string; app: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-reload-'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const app = join(dir, 'app.ts');
  writeFileSync(app, versionApp('v1'));
  return { dir, app };
}

async function waitForBody(port: number, pattern: RegExp, ms: number): Promise<Reply | null> {
  const deadline = Date.now() + ms;
  let reply: Reply | null = null;
  while (Date.now() < deadline) {
    reply = await get(port).catch(() => null);
    if (reply && pattern.test(reply.body)) return reply;
    await sleep(100);
  }
  return reply;
}

test('--reload restarts the workers when the app file changes', { timeout: 30_000 }, async () => {
  const { dir, app } = project();
  const port = await freePort();
  const tsgi = await startTsgi([app, '-b', `127.0.0.1:${port}`, '--reload']);
  try {
    assert.equal((await get(port)).body, 'v1');
    writeFileSync(app, versionApp('v2'));
    assert.equal((await waitForBody(port, /v2/, 15_000))?.body, 'v2');
    assert.match(tsgi.output, new RegExp(`Worker reloading: ${app} modified`));
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--reload serves the load error while the app is broken, and recovers when it is fixed', {
  timeout: 30_000,
}, async () => {
  const { dir, app } = project();
  const port = await freePort();
  const tsgi = await startTsgi([app, '-b', `127.0.0.1:${port}`, '--reload']);
  try {
    writeFileSync(app, "throw new Error('half-written edit');\n");
    const broken = await waitForBody(port, /half-written edit/, 15_000);
    assert.equal(broken?.status, 500);
    writeFileSync(app, versionApp('v3'));
    assert.equal((await waitForBody(port, /v3/, 15_000))?.body, 'v3');
    assert.equal(tsgi.child.exitCode, null, 'still running');
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--reload ignores files under node_modules', { timeout: 30_000 }, async () => {
  const { dir, app } = project();
  mkdirSync(join(dir, 'node_modules'));
  const port = await freePort();
  const tsgi = await startTsgi([app, '-b', `127.0.0.1:${port}`, '--reload']);
  try {
    writeFileSync(join(dir, 'node_modules', 'dep.js'), 'export {};\n');
    await sleep(600);
    assert.doesNotMatch(tsgi.output, /Worker reloading/);
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--reload-extra-file restarts the workers when that file changes, whatever its name', {
  timeout: 30_000,
}, async () => {
  const { dir, app } = project();
  // An app that reads its greeting from a text file when it loads: only a restart shows the new text.
  writeFileSync(join(dir, 'greeting.txt'), 'hello 1');
  writeFileSync(
    app,
    `import { readFileSync } from 'node:fs';
const greeting = readFileSync(new URL('./greeting.txt', import.meta.url), 'utf8');
export const application = (_e: unknown, startResponse: (s: string, h: [string, string][]) => void) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [new TextEncoder().encode(greeting)];
};
`,
  );
  const port = await freePort();
  const tsgi = await startTsgi([
    app,
    '-b',
    `127.0.0.1:${port}`,
    '--reload',
    '--reload-extra-file',
    join(dir, 'greeting.txt'),
  ]);
  try {
    assert.equal((await get(port)).body, 'hello 1');
    writeFileSync(join(dir, 'greeting.txt'), 'hello 2');
    assert.equal((await waitForBody(port, /hello 2/, 15_000))?.body, 'hello 2', tsgi.output);
    assert.match(tsgi.output, /Worker reloading: .*greeting\.txt modified/);
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
