// systemd socket activation: LISTEN_FDS and LISTEN_PID (sd_listen_fds(3)) become fd:// binds, for this process only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemdBinds } from '../../src/supervisor/systemd.js';

test('LISTEN_FDS=2 for this pid gives fd://3 and fd://4, and the variables are removed', () => {
  const env: NodeJS.ProcessEnv = {
    LISTEN_FDS: '2',
    LISTEN_PID: String(process.pid),
    LISTEN_FDNAMES: 'a:b',
    X: '1',
  };
  assert.deepEqual(systemdBinds(env), ['fd://3', 'fd://4']);
  assert.deepEqual(env, { X: '1' });
});

test('sockets passed to another process (LISTEN_PID not ours) are not taken, and the variables still go', () => {
  const env: NodeJS.ProcessEnv = { LISTEN_FDS: '1', LISTEN_PID: String(process.pid + 1) };
  assert.equal(systemdBinds(env), null);
  assert.deepEqual(env, {});
  assert.equal(systemdBinds({}), null);
  assert.equal(systemdBinds({ LISTEN_FDS: '0', LISTEN_PID: String(process.pid) }), null);
});
