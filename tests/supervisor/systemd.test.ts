// systemd socket activation: LISTEN_FDS and LISTEN_PID (sd_listen_fds(3)) become fd:// binds, for this process only.
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { checkInheritedSocket, systemdBinds } from '../../src/supervisor/systemd.js';

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

test('a LISTEN_FDS beyond any descriptor is refused with the reason', () => {
  assert.throws(
    () => systemdBinds({ LISTEN_FDS: '99999999999', LISTEN_PID: String(process.pid) }),
    /LISTEN_FDS=99999999999 is more sockets than there are fds/,
  );
});

test('an fd:// bind must be an open socket of this process', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
    assert.doesNotThrow(() => checkInheritedSocket(fd));
    assert.throws(
      () => checkInheritedSocket(60000),
      /--bind fd:\/\/60000: no such descriptor in this process \(EBADF/,
    );
    const file = openSync(process.execPath, 'r');
    try {
      assert.throws(() => checkInheritedSocket(file), new RegExp(`descriptor ${file} is not a socket`));
    } finally {
      closeSync(file);
    }
  } finally {
    server.close();
  }
});
