// A server's open connections (src/http/socket-set.ts): membership, iteration while members leave, and no
// socket kept alive by the set once it left.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SocketSet } from '../../src/http/socket-set.js';
import { promotedBytes } from '../support/gc.js';

interface Member {
  name: string;
  /** What a socket holds on to (buffers, a parser, its request): the more, the more a set that retains it costs. */
  state: number[];
}
const member = (name: string): Member => ({ name, state: new Array(32).fill(0) });

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
    set.delete(m); // the set is iterated as it was: a member leaving meanwhile hides none of the others
  }
  assert.deepEqual(new Set(seen), new Set(members));
  assert.equal(set.size, 0);
});

test('connections that came and went are not promoted to the old generation by the set', () => {
  // `Connection: close` load: 32 open, one opening and one closing per request. A Set here promoted every socket
  // through its chain of obsolete tables (~17 MB for these 40,000; ~1 MB without it); closed ones must die young.
  const set = new SocketSet<Member>();
  const open: Array<Member | undefined> = new Array(32).fill(undefined); // a ring: no array of its own to regrow
  const promoted = promotedBytes(40_000, (i) => {
    const closing = open[i % 32];
    if (closing !== undefined) set.delete(closing);
    const m = member(`socket ${i}`);
    set.add(m);
    open[i % 32] = m;
  });
  assert.ok(promoted < 4_000_000, `${promoted} bytes promoted`);
});
