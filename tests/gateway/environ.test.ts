// The environ an app gets (S2–S7), built by the one environ builder and seen through the test client. Every
// request runs through the validator, so each test also proves the environ is valid as a whole.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClient, type TestClientOptions, type TestRequest, validator } from '../../src/testing/index.js';
import { application as echoEnviron } from '../apps/contract/echo-environ.js';

async function environOf(
  request: TestRequest,
  options: TestClientOptions = {},
): Promise<Record<string, unknown>> {
  const app = validator(echoEnviron);
  const response = await new TestClient(app, options).request(request);
  app.assertValid();
  assert.equal(response.status, 200, response.errors.join('\n'));
  return response.json() as Record<string, unknown>;
}

test('PATH_INFO is the percent-decoded path as a byte string', async () => {
  const env = await environOf({ path: '/caf%C3%A9' });
  assert.equal(env.PATH_INFO, '/caf\xc3\xa9');
});

test('PATH_INFO decodes %2F into a slash', async () => {
  const env = await environOf({ path: '/a%2Fb' });
  assert.equal(env.PATH_INFO, '/a/b');
});

test('QUERY_STRING is the raw query, not decoded', async () => {
  const env = await environOf({ path: '/search?q=caf%C3%A9&x=a+b' });
  assert.equal(env.QUERY_STRING, 'q=caf%C3%A9&x=a+b');
  assert.equal(env.PATH_INFO, '/search');
});

test('QUERY_STRING is empty when the target has no query', async () => {
  const env = await environOf({ path: '/plain' });
  assert.equal(env.QUERY_STRING, '');
});

test('RAW_URI keeps the request-target exactly as sent', async () => {
  const env = await environOf({ path: '/caf%C3%A9?q=%20' });
  assert.equal(env.RAW_URI, '/caf%C3%A9?q=%20');
});

test('SCRIPT_NAME is the mount point and PATH_INFO the remainder', async () => {
  const env = await environOf({ path: '/app/users/7' }, { scriptName: '/app' });
  assert.equal(env.SCRIPT_NAME, '/app');
  assert.equal(env.PATH_INFO, '/users/7');
});

test('a request for the mount point itself gets an empty PATH_INFO', async () => {
  const env = await environOf({ path: '/app' }, { scriptName: '/app' });
  assert.equal(env.SCRIPT_NAME, '/app');
  assert.equal(env.PATH_INFO, '');
});

test('the mount point matches only on a segment boundary', async () => {
  const env = await environOf({ path: '/application' }, { scriptName: '/app' });
  assert.equal(env.SCRIPT_NAME, '');
  assert.equal(env.PATH_INFO, '/application');
});

test('SCRIPT_NAME is empty without a mount point', async () => {
  const env = await environOf({ path: '/x' });
  assert.equal(env.SCRIPT_NAME, '');
  assert.equal(env.PATH_INFO, '/x');
});

test('request headers become HTTP_ keys, upper-cased with dashes as underscores', async () => {
  const env = await environOf({
    headers: [
      ['X-Request-Id', 'abc'],
      ['accept', 'text/html'],
    ],
  });
  assert.equal(env.HTTP_X_REQUEST_ID, 'abc');
  assert.equal(env.HTTP_ACCEPT, 'text/html');
});

test('repeated headers are joined with a comma in wire order', async () => {
  const env = await environOf({
    headers: [
      ['X-Forwarded-For', '10.0.0.1'],
      ['Accept', 'a/b'],
      ['x-forwarded-for', '10.0.0.2'],
      ['X-FORWARDED-FOR', '10.0.0.3'],
    ],
  });
  assert.equal(env.HTTP_X_FORWARDED_FOR, '10.0.0.1,10.0.0.2,10.0.0.3');
});

test('CONTENT_TYPE and CONTENT_LENGTH carry no HTTP_ prefix', async () => {
  const env = await environOf({ method: 'POST', body: 'abc', headers: { 'Content-Type': 'text/plain' } });
  assert.equal(env.CONTENT_TYPE, 'text/plain');
  assert.equal(env.CONTENT_LENGTH, '3');
  assert.equal('HTTP_CONTENT_TYPE' in env, false);
  assert.equal('HTTP_CONTENT_LENGTH' in env, false);
});

test('CONTENT_TYPE and CONTENT_LENGTH are absent when not sent', async () => {
  const env = await environOf({ method: 'GET' });
  assert.equal('CONTENT_TYPE' in env, false);
  assert.equal('CONTENT_LENGTH' in env, false);
});

test('a header name containing an underscore is dropped', async () => {
  const env = await environOf({
    headers: [
      ['X_Forwarded_For', 'spoofed'],
      ['X-Forwarded-For', 'real'],
    ],
  });
  assert.equal(env.HTTP_X_FORWARDED_FOR, 'real');
});

test('header values arrive as byte strings', async () => {
  const env = await environOf({ headers: [['X-Name', 'caf\xc3\xa9']] });
  assert.equal(env.HTTP_X_NAME, 'caf\xc3\xa9');
});

test('the required CGI keys are present', async () => {
  const env = await environOf({ method: 'PUT', path: '/p', body: '' });
  assert.equal(env.REQUEST_METHOD, 'PUT');
  assert.equal(env.SERVER_NAME, 'localhost');
  assert.equal(env.SERVER_PORT, '80');
  assert.equal(env.SERVER_PROTOCOL, 'HTTP/1.1');
  assert.equal(env.REMOTE_ADDR, '127.0.0.1');
  assert.equal(typeof env.SERVER_SOFTWARE, 'string');
});

test('SERVER_PROTOCOL follows the request version', async () => {
  const env = await environOf({ httpVersion: '1.0' });
  assert.equal(env.SERVER_PROTOCOL, 'HTTP/1.0');
});

test('every wsgi.* key is present with its type', async () => {
  const env = await environOf({});
  assert.deepEqual(env['wsgi.version'], [1, 0]);
  assert.equal(env['wsgi.url_scheme'], 'http');
  assert.equal(env['wsgi.input'], 'object');
  assert.equal(env['wsgi.errors'], 'object');
  assert.equal(env['wsgi.multithread'], false);
  assert.equal(env['wsgi.multiprocess'], false);
  assert.equal(env['wsgi.run_once'], false);
  assert.equal(env['wsgi.input_terminated'], true);
  assert.equal(env['wsgi.file_wrapper'], 'function');
});

test('wsgi.url_scheme and SERVER_PORT follow an https listener', async () => {
  const env = await environOf({}, { urlScheme: 'https' });
  assert.equal(env['wsgi.url_scheme'], 'https');
  assert.equal(env.SERVER_PORT, '443');
});

test('wsgi.multiprocess and wsgi.multithread follow the server', async () => {
  const env = await environOf({}, { multiprocess: true, multithread: true });
  assert.equal(env['wsgi.multiprocess'], true);
  assert.equal(env['wsgi.multithread'], true);
});

test('an absolute-form target gives the path without scheme and authority', async () => {
  const env = await environOf({ path: 'http://example.com/p?q=1' });
  assert.equal(env.PATH_INFO, '/p');
  assert.equal(env.QUERY_STRING, 'q=1');
});

test('OPTIONS * reaches the app as PATH_INFO *', async () => {
  const env = await environOf({ method: 'OPTIONS', path: '*' });
  assert.equal(env.PATH_INFO, '*');
});
