// A server's open connections (src/http/socket-set.ts): membership, iteration while members leave, and no
// socket kept alive by the set once it left.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SocketSet } from '../../src/http/socket-set.js';
import { promotedBytes } from '../support/gc.js';

interface Member {
  name: string;
}
const member = (name: string): Member => ({ name });

test('a member is listed once, however often it is added', () => {
  const set = new SocketSet<Member>();
  const a = member('a');
  set.add(a);
  set.add(a);
  assert.equal(set.size, 1);
  assert.deepEqual([...set], [a]);
});

test('removing a member leaves every other one listed', () => {
  const set = new SocketSet<Member>();
  const members = ['a', 'b', 'c', 'd'].map(member);
  for (const m of members) set.add(m);
  set.delete(members[1]);
  set.delete(members[0]);
  assert.deepEqual(new Set(set), new Set([members[2], members[3]]));
  set.delete(members[0]); // not a member any more: nothing happens
  assert.equal(set.size, 2);
});

test('one socket can belong to two sets, and leave one of them only', () => {
  const [first, second] = [new SocketSet<Member>(), new SocketSet<Member>()];
  const [a, b] = [member('a'), member('b')];
  first.add(a);
  second.add(b);
  second.add(a);
  first.delete(a);
  assert.equal(first.size, 0);
  assert.deepEqual(new Set(second), new Set([a, b]));
});

test('members that leave while the set is iterated do not hide the others', () => {
  const set = new SocketSet<Member>();
  const members = ['a', 'b', 'c'].map(member);
  for (const m of members) set.add(m);
  const seen: Member[] = [];
  for (const m of set) {
    seen.push(m);
    set.delete(m); // as a socket destroyed during closeConnectionsWithoutRequest() may leave at once
  }
  assert.deepEqual(new Set(seen), new Set(members));
  assert.equal(set.size, 0);
});

test('connections that came and went are not promoted to the old generation by the set', () => {
  // `Connection: close` load: 32 open, one opening and one closing per request. A Set here promoted every socket
  // through its chain of obsolete tables; closed ones must die young.
  const set = new SocketSet<Member>();
  const open: Member[] = [];
  const promoted = promotedBytes(20_000, (i) => {
    const m = member(`socket ${i}`);
    set.add(m);
    open.push(m);
    if (open.length > 32) set.delete(open.shift() as Member);
  });
  assert.ok(promoted < 1_000_000, `${promoted} bytes promoted`);
});
