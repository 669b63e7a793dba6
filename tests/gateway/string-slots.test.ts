// The hot path's string memo (src/gateway/string-slots.ts): bounded, and never wrong, only forgetful.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StringSlots } from '../../src/gateway/string-slots.js';

test('a kept string gives its value back, an equal string built anew too', () => {
  const slots = new StringSlots<number>(8);
  slots.set('Host', 1);
  assert.equal(slots.get('Host'), 1);
  assert.equal(slots.get(['Ho', 'st'].join('')), 1);
  assert.equal(slots.get('host'), undefined);
});

test('a string that lands in a taken slot replaces its value; the one before is forgotten, never confused', () => {
  const slots = new StringSlots<string>(1); // one slot: every string collides
  slots.set('a', 'A');
  slots.set('bb', 'BB');
  assert.equal(slots.get('bb'), 'BB');
  assert.equal(slots.get('a'), undefined);
});

test('the empty string and strings past maxLength are never kept', () => {
  const slots = new StringSlots<boolean>(8, 4);
  slots.set('', true);
  slots.set('12345', true);
  assert.equal(slots.get(''), undefined);
  assert.equal(slots.get('12345'), undefined);
});
