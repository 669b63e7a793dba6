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

test('a JSON config file that is not an object of settings is a usage error saying what it holds', async () => {
  for (const [name, text, shown] of [
    ['null.json', 'null', 'null'],
    ['list.json', '[1]', '\\[1\\]'],
  ]) {
    await assert.rejects(run(['app.ts', '-c', file(name, text)]), {
      code: 'TSGI_BAD_CONFIG_FILE',
      message: new RegExp(`--config ${name}: it holds ${shown}; write an object of settings`),
    });
  }
});

test('a value that cannot be shown or read is still a usage error naming the setting', async () => {
  await assert.rejects(run(['app.ts', '-c', file('big.mjs', 'export const workers = 1n;\n')]), {
    code: 'TSGI_BAD_VALUE',
    message: /'workers' in big\.mjs expects an integer ≥ 1, got 1n/,
  });
  const circular = file('circular.mjs', 'const b = ["x"]; b.push(b);\nexport const bind = b;\n');
  await assert.rejects(run(['app.ts', '-c', circular]), {
    code: 'TSGI_BAD_VALUE',
    message: /'bind' in circular\.mjs expects .*got a list that cannot be shown/,
  });
  const throwing = file(
    'throwing.mjs',
    'export const bind = new Proxy([], { get() { throw new Error("boom"); } });\n',
  );
  await assert.rejects(run(['app.ts', '-c', throwing]), {
    code: 'TSGI_BAD_VALUE',
    message: "'bind' in throwing.mjs could not be read: boom",
  });
});

test("a setting's value names only the values it takes, not what every object has", async () => {
  for (const mode of ['constructor', '__proto__', 'toString'])
    await assert.rejects(run(['app.ts', `--proxy-protocol=${mode}`]), { code: 'TSGI_BAD_VALUE' }, mode);
});

test('a config file binding an empty list is refused: it would serve nowhere', async () => {
  await assert.rejects(run(['app.ts', '-c', file('nowhere.json', '{ "bind": [] }')]), {
    code: 'TSGI_BAD_VALUE',
    message: /'bind' in nowhere\.json expects .*got \[\]: an empty list binds nothing/,
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

test('--paste-global without --paste is named in a warning: it has nothing to fill', async () => {
  const resolution = await resolveConfig({
    argv: ['app:application', '--paste-global', 'a=b'],
    env: {},
    cwd: dir,
  });
  assert.equal(resolution.kind, 'run');
  const notices = resolution.kind === 'run' ? resolution.notices : [];
  assert.ok(
    notices.some(
      (n) => n.level === 'warning' && n.message === '--paste-global has no effect without --paste',
    ),
    JSON.stringify(notices),
  );
});
