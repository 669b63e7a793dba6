// The statsd address and prefix rules (Gunicorn's).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizePrefix, parseStatsdHost } from '../../src/supervisor/statsd.js';

test('a statsd address is HOST:PORT or [IPv6]:PORT, the port 8125 when left out', () => {
  assert.deepEqual(parseStatsdHost('localhost:9125'), { host: 'localhost', port: 9125 });
  assert.deepEqual(parseStatsdHost('[::1]:8126'), { host: '::1', port: 8126 });
  assert.deepEqual(parseStatsdHost('statsd'), { host: 'statsd', port: 8125 });
  for (const bad of ['unix:/run/s.sock', 'host:0', 'host:99999', ':8125', 'a:b:c'])
    assert.throws(() => parseStatsdHost(bad), /not HOST:PORT/, bad);
});

test('a prefix ends with exactly one dot, and an empty one stays empty', () => {
  assert.equal(normalizePrefix('shop'), 'shop.');
  assert.equal(normalizePrefix('shop...'), 'shop.');
  assert.equal(normalizePrefix(''), '');
});
