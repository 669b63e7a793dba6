// --umask as Gunicorn reads it, and --user/--group looked up by the system's tools (credentials.ts).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { parseUmask, resolveCredentials } from '../../src/supervisor/credentials.js';

test('a umask is octal with a leading 0, 0o…, 0x… or decimal', () => {
  assert.equal(parseUmask('0022'), 0o22);
  assert.equal(parseUmask('0'), 0);
  assert.equal(parseUmask('0o77'), 0o77);
  assert.equal(parseUmask('0x1f'), 0x1f);
  assert.equal(parseUmask('18'), 18);
});

test('a umask that is not a mode mask is refused', () => {
  for (const bad of ['0999', '1000', '-1', 'rw', '', '0o8']) assert.equal(parseUmask(bad), null, bad);
});

test('a user name resolves to its uid, and without --group to its own primary group', () => {
  const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }));
  assert.deepEqual(resolveCredentials('nobody', null), { uid, gid, initgroups: false });
});

test('a group name resolves to its gid; numeric ids are taken as they are', () => {
  const root = resolveCredentials(null, 'root');
  assert.deepEqual(root, { uid: null, gid: 0, initgroups: false });
  assert.deepEqual(resolveCredentials('4242', '4343'), { uid: 4242, gid: 4343, initgroups: false });
});

test('an unknown user or group is an error naming the flag', () => {
  assert.throws(
    () => resolveCredentials('no-such-user-x', null),
    /^Error: --user no-such-user-x: no such user$/,
  );
  assert.throws(
    () => resolveCredentials(null, 'no-such-group-x'),
    /^Error: --group no-such-group-x: no such group$/,
  );
});

test('a numeric id beyond 32 bits is refused, naming the flag', () => {
  assert.throws(
    () => resolveCredentials('99999999999', null),
    /^Error: --user 99999999999: not an id \(0 to 4294967294\)$/,
  );
  assert.throws(() => resolveCredentials(null, '4294967295'), /^Error: --group 4294967295: not an id/);
  assert.equal(resolveCredentials('4294967294', null).uid, 4294967294);
});

test('--initgroups without --user is refused: it gives the groups of a user', () => {
  assert.throws(
    () => resolveCredentials(null, 'daemon', true),
    /--initgroups gives the groups of the --user/,
  );
});

test('--initgroups with a uid the user database does not know is refused at start-up', () => {
  assert.throws(
    () => resolveCredentials('4242', null, true),
    /--initgroups needs --user to name a user of the user database/,
  );
});
