// Which peers --forwarded-allow-ips trusts (src/http/forwarded.ts), without sockets.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardedAllowEntryError, forwardedTrust } from '../../src/http/forwarded.js';

test('an address matches itself and its IPv4-mapped IPv6 form, nothing else', () => {
  const trusted = forwardedTrust(['127.0.0.1', '::1']);
  assert.equal(trusted('127.0.0.1'), true);
  assert.equal(trusted('::ffff:127.0.0.1'), true);
  assert.equal(trusted('::1'), true);
  assert.equal(trusted('127.0.0.2'), false);
  assert.equal(trusted('10.0.0.1'), false);
});

test('a network matches the addresses inside it', () => {
  const trusted = forwardedTrust(['10.0.0.0/8', 'fd00::/8']);
  assert.equal(trusted('10.200.3.4'), true);
  assert.equal(trusted('11.0.0.1'), false);
  assert.equal(trusted('fd12::5'), true);
  assert.equal(trusted('fe80::1'), false);
});

test('* trusts every peer; an empty list trusts none', () => {
  assert.equal(forwardedTrust(['*'])('203.0.113.9'), true);
  assert.equal(forwardedTrust([])('127.0.0.1'), false);
});

test('an entry that is neither an address, a network nor * is refused with the reason', () => {
  assert.equal(forwardedAllowEntryError('10.0.0.0/8'), null);
  assert.match(forwardedAllowEntryError('localhost') ?? '', /not an IP address or network/);
  assert.match(forwardedAllowEntryError('10.0.0.0/33') ?? '', /prefix length outside 0\.\.32/);
  assert.throws(() => forwardedTrust(['nope']), /--forwarded-allow-ips: "nope"/);
});
