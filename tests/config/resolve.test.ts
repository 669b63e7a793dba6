// Where settings come from, and which source wins: defaults < environment defaults < config file <
// TSGI_CMD_ARGS < command line.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Resolution, resolveConfig } from '../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgi-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

async function run(argv: string[], env: Record<string, string> = {}) {
  const resolution: Resolution = await resolveConfig({ argv, env, cwd: dir });
  assert.equal(resolution.kind, 'run');
  return resolution.kind === 'run' ? resolution.config : assert.fail();
}

test('with only an APP, every setting has its default', async () => {
  const config = await run(['app.ts']);
  assert.equal(config.app, 'app.ts');
  assert.deepEqual(config.bind, ['127.0.0.1:8000']);
  assert.equal(config.workers, 1);
});

test('the command line beats TSGI_CMD_ARGS, which beats the config file', async () => {
  const conf = file(
    'precedence.mjs',
    'export const workers = 2; export const threads = 3; export const timeout = 9;',
  );
  const config = await run(['app.ts', '-c', conf, '-w', '5'], { TSGI_CMD_ARGS: '-w 4 --threads 6' });
  assert.equal(config.workers, 5);
  assert.equal(config.threads, 6);
  assert.equal(config.timeout, 9);
});

test('a config file may export a default object, and may name the app', async () => {
  const conf = file(
    'default.mjs',
    "export default { app: 'site.ts', bind: ['unix:/tmp/a.sock'], env: { A: '1' } };",
  );
  const config = await run(['-c', conf]);
  assert.equal(config.app, 'site.ts');
  assert.deepEqual(config.bind, ['unix:/tmp/a.sock']);
  assert.deepEqual(config.env, [['A', '1']]);
});

test('a JSON config file works and -c may come from TSGI_CMD_ARGS', async () => {
  const conf = file('settings.json', '{ "maxRequests": 100, "reload": true }');
  const config = await run(['app.ts'], { TSGI_CMD_ARGS: `--config ${conf}` });
  assert.equal(config.maxRequests, 100);
  assert.equal(config.reload, true);
});

test('a TypeScript config file loads, even outside a "type": "module" package', async () => {
  const conf = file(
    'tsgi.config.ts',
    "export const workers: number = 6;\nexport const bind: string[] = ['127.0.0.1:7000'];\n",
  );
  const config = await run(['app.ts', '-c', conf]);
  assert.equal(config.workers, 6);
  assert.deepEqual(config.bind, ['127.0.0.1:7000']);
});

test('an unknown name in a config file is an error that suggests the setting meant', async () => {
  const conf = file('typo.mjs', 'export const max_requests = 5;');
  await assert.rejects(run(['app.ts', '-c', conf]), {
    code: 'TSGI_UNKNOWN_SETTING',
    message: /typo\.mjs sets 'max_requests', which is not a setting; did you mean 'maxRequests'\?/,
  });
});

test('a bad value in a config file names the setting and the file', async () => {
  const conf = file('bad.json', '{ "workers": "many" }');
  await assert.rejects(run(['app.ts', '-c', conf]), {
    message: `'workers' in bad.json expects an integer ≥ 1, got 'many'`,
  });
});

test('a missing config file is a usage error naming the path', async () => {
  await assert.rejects(run(['app.ts', '-c', 'nope.mjs']), { code: 'TSGI_NO_CONFIG_FILE' });
});

test('WEB_CONCURRENCY sets the default worker count; -w overrides it', async () => {
  assert.equal((await run(['app.ts'], { WEB_CONCURRENCY: '3' })).workers, 3);
  assert.equal((await run(['app.ts', '-w', '2'], { WEB_CONCURRENCY: '3' })).workers, 2);
});

test('PORT makes the default bind 0.0.0.0:$PORT, as in Gunicorn', async () => {
  assert.deepEqual((await run(['app.ts'], { PORT: '5000' })).bind, ['0.0.0.0:5000']);
  assert.deepEqual((await run(['app.ts', '-b', '127.0.0.1:1'], { PORT: '5000' })).bind, ['127.0.0.1:1']);
});

test('SCRIPT_NAME, from the environment or from -e, is the default root path', async () => {
  assert.equal((await run(['app.ts'], { SCRIPT_NAME: '/app' })).rootPath, '/app');
  assert.equal(
    (await run(['app.ts', '-e', 'SCRIPT_NAME=/other'], { SCRIPT_NAME: '/app' })).rootPath,
    '/other',
  );
  assert.equal((await run(['app.ts', '--root-path', '/x'], { SCRIPT_NAME: '/app' })).rootPath, '/x');
});

test('an unusable environment default is a usage error naming the variable', async () => {
  await assert.rejects(run(['app.ts'], { WEB_CONCURRENCY: 'lots' }), {
    message: /^\$WEB_CONCURRENCY expects an integer ≥ 1/,
  });
});

test('--print-config resolves without an APP', async () => {
  const resolution = await resolveConfig({ argv: ['--print-config'], env: {}, cwd: dir });
  assert.equal(resolution.kind, 'print-config');
});

test('GUNICORN_CMD_ARGS counts when TSGI_CMD_ARGS is not set, and the log says it was read', async () => {
  const resolution = await resolveConfig({
    argv: ['app.ts'],
    env: { GUNICORN_CMD_ARGS: '--workers=3 -b 0.0.0.0:9000' },
    cwd: dir,
  });
  assert.equal(resolution.kind, 'run');
  if (resolution.kind !== 'run') return;
  assert.equal(resolution.config.workers, 3);
  assert.deepEqual(resolution.config.bind, ['0.0.0.0:9000']);
  assert.deepEqual(resolution.notices, [
    { level: 'info', message: 'Read options from $GUNICORN_CMD_ARGS (TSGI_CMD_ARGS is not set)' },
  ]);
  const both = await run(['app.ts'], { TSGI_CMD_ARGS: '-w 2', GUNICORN_CMD_ARGS: '-w 3' });
  assert.equal(both.workers, 2, 'TSGI_CMD_ARGS wins; GUNICORN_CMD_ARGS is then not read');
  await assert.rejects(run(['app.ts'], { GUNICORN_CMD_ARGS: "--name 'x" }), {
    message: "GUNICORN_CMD_ARGS has an unclosed ' quote",
  });
});
