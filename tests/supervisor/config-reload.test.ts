// What a reloaded configuration changes (config-reload.ts): the reloadable settings, and a warning for each other
// setting that changed since start-up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig } from '../../src/config/index.js';
import { applyReload } from '../../src/supervisor/config-reload.js';
import type { SupervisorOptions } from '../../src/supervisor/options.js';

const started = { ...defaultConfig(), app: 'app:application' } as unknown as SupervisorOptions;
// What set-up made of it: an absolute interpreter path and numeric ids, which a reload must not take for changes.
const current = { ...started, python: '/usr/bin/python3', uid: 33, gid: 33 };

test('workers, timeouts and limits come from the reloaded configuration', () => {
  const fresh = {
    ...started,
    workers: 4,
    timeout: 90,
    limitRequestLine: 1000,
    env: [['A', '1']],
  } as SupervisorOptions;
  const { options, notices } = applyReload(current, started, fresh);
  assert.equal(options.workers, 4);
  assert.equal(options.timeout, 90);
  assert.equal(options.limitRequestLine, 1000);
  assert.deepEqual(options.env, [['A', '1']]);
  assert.equal(options.python, '/usr/bin/python3', 'what set-up resolved stays');
  assert.deepEqual(notices, []);
});

test('a setting the running arbiter cannot change is kept, with a warning naming it', () => {
  const fresh = { ...started, bind: ['0.0.0.0:9000'], user: 'nobody', workers: 2 } as SupervisorOptions;
  const { options, notices } = applyReload(current, started, fresh);
  assert.deepEqual(options.bind, started.bind);
  assert.equal(options.user, null);
  assert.equal(options.workers, 2);
  assert.deepEqual(
    notices.map((n) => n.message.split(' ')[0]),
    ['bind', 'user'],
  );
});

test('new TLS settings that cannot be used refuse the reload with the reason', () => {
  const fresh = { ...started, keyfile: '/no/such/key.pem' } as SupervisorOptions;
  assert.throws(() => applyReload(current, started, fresh), /--keyfile needs --certfile/);
});
