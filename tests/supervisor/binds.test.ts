// Bind addresses as Gunicorn writes them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBind, parseBind } from '../../src/supervisor/binds.js';

test('HOST:PORT is a TCP address', () => {
  assert.deepEqual(parseBind('127.0.0.1:8000'), { kind: 'tcp', host: '127.0.0.1', port: 8000 });
  assert.deepEqual(parseBind('tcp://Example.com:80'), { kind: 'tcp', host: 'example.com', port: 80 });
});

test('a bracketed IPv6 address takes a port after the bracket', () => {
  assert.deepEqual(parseBind('[::1]:9000'), { kind: 'tcp', host: '::1', port: 9000 });
  assert.deepEqual(parseBind('[::]'), { kind: 'tcp', host: '::', port: 8000 });
});

test('a host alone listens on port 8000; :PORT alone on every interface', () => {
  assert.deepEqual(parseBind('localhost'), { kind: 'tcp', host: 'localhost', port: 8000 });
  assert.deepEqual(parseBind(':5000'), { kind: 'tcp', host: '0.0.0.0', port: 5000 });
});

test('unix:PATH (and unix://PATH) is a unix socket', () => {
  assert.deepEqual(parseBind('unix:/run/app.sock'), { kind: 'unix', path: '/run/app.sock' });
  assert.deepEqual(parseBind('unix:///run/app.sock'), { kind: 'unix', path: '/run/app.sock' });
  assert.deepEqual(parseBind('unix:app.sock'), { kind: 'unix', path: 'app.sock' });
});

test('bad addresses say how to write a good one', () => {
  assert.throws(() => parseBind('::1:8000'), /put it in brackets/);
  assert.throws(() => parseBind('[::1:8000'), /without closing it/);
  assert.throws(() => parseBind('host:http'), /a port is a number from 0 to 65535/);
  assert.throws(() => parseBind('host:70000'), /a port is a number from 0 to 65535/);
  assert.throws(() => parseBind('unix:'), /names no socket path/);
  assert.throws(() => parseBind(''), /is empty/);
});

test('addresses print as URLs in the log', () => {
  assert.equal(formatBind(parseBind('127.0.0.1:8000')), 'http://127.0.0.1:8000');
  assert.equal(formatBind(parseBind('[::1]:8000')), 'http://[::1]:8000');
  assert.equal(formatBind(parseBind('unix:/run/a.sock')), 'unix:/run/a.sock');
});

test('fd://N is a listening socket tsgi was started with', () => {
  assert.deepEqual(parseBind('fd://3'), { kind: 'fd', fd: 3 });
  assert.equal(formatBind({ kind: 'fd', fd: 4 }), 'fd://4');
  assert.throws(() => parseBind('fd://three'), /names no listening socket: write fd:\/\/3/);
  assert.throws(() => parseBind('fd://1'), /fds 0-2 are stdio/);
  for (const big of ['fd://65536', 'fd://99999999999'])
    assert.throws(() => parseBind(big), /at most fd:\/\/65535/, big);
});
