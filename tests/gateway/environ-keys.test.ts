// The pure pieces of the environ builder: request-target splitting (S4) and header name → environ key (S2).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headerEnvironKey, splitTarget } from '../../src/gateway/index.js';

test('splitTarget splits origin-form into path and raw query', () => {
  assert.deepEqual(splitTarget('/a/b?x=1&y=%20'), { path: '/a/b', query: 'x=1&y=%20' });
});

test('splitTarget gives an empty query when there is no ?', () => {
  assert.deepEqual(splitTarget('/a'), { path: '/a', query: '' });
});

test('splitTarget gives an empty query for a bare ?', () => {
  assert.deepEqual(splitTarget('/a?'), { path: '/a', query: '' });
});

test('splitTarget splits at the first ? and keeps later ones in the query', () => {
  assert.deepEqual(splitTarget('/a?b?c'), { path: '/a', query: 'b?c' });
});

test('splitTarget drops a fragment', () => {
  assert.deepEqual(splitTarget('/a?q=1#frag'), { path: '/a', query: 'q=1' });
});

test('splitTarget drops scheme and authority of absolute-form', () => {
  assert.deepEqual(splitTarget('http://example.com:8080/p?q=1'), { path: '/p', query: 'q=1' });
});

test('splitTarget gives / for absolute-form without a path', () => {
  assert.deepEqual(splitTarget('https://example.com'), { path: '/', query: '' });
});

test('splitTarget keeps the asterisk-form', () => {
  assert.deepEqual(splitTarget('*'), { path: '*', query: '' });
});

test('headerEnvironKey upper-cases, turns dashes into underscores and adds HTTP_', () => {
  assert.equal(headerEnvironKey('User-Agent'), 'HTTP_USER_AGENT');
  assert.equal(headerEnvironKey('x-request-id'), 'HTTP_X_REQUEST_ID');
  assert.equal(headerEnvironKey('ACCEPT'), 'HTTP_ACCEPT');
});

test('headerEnvironKey maps Content-Type and Content-Length without the HTTP_ prefix, in any case', () => {
  assert.equal(headerEnvironKey('Content-Type'), 'CONTENT_TYPE');
  assert.equal(headerEnvironKey('content-length'), 'CONTENT_LENGTH');
  assert.equal(headerEnvironKey('CONTENT-TYPE'), 'CONTENT_TYPE');
});

test('headerEnvironKey drops a name containing an underscore', () => {
  assert.equal(headerEnvironKey('X_Forwarded_For'), null);
  assert.equal(headerEnvironKey('content_length'), null);
});

test('headerEnvironKey gives the same answer from its cache', () => {
  assert.equal(headerEnvironKey('X-Cached'), 'HTTP_X_CACHED');
  assert.equal(headerEnvironKey('X-Cached'), 'HTTP_X_CACHED');
});
