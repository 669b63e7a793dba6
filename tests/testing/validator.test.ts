// The validator: it accepts apps and servers that keep the contract, and names the rule for each that does not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Application, Body, Environ, Input, StartResponse } from '../../src/gateway/index.js';
import {
  makeEnviron,
  TestClient,
  type TestRequest,
  type ValidatedApplication,
  ValidationError,
  validator,
} from '../../src/testing/index.js';
import {
  neverStarts,
  readsFractionalSize,
  readsUntilEmpty,
  returnsBareBytes,
  returnsString,
  startsTwice,
  withHeaders,
  withStatus,
  writesAfterClose,
  writesBytesToErrors,
  writesFromBody,
  writesString,
  yieldsBeforeStarting,
  yieldsString,
} from '../apps/contract/bad-apps.js';
import { closingBodyApp } from '../apps/contract/closing-body.js';
import { application as echoEnviron } from '../apps/contract/echo-environ.js';
import { echoBody, inputEcho } from '../apps/contract/echo-input.js';
import { excInfoAfterHeaders, replacesStatusBeforeHeaders } from '../apps/contract/exc-info-apps.js';
import { throwsAfterFirstChunk, throwsImmediately } from '../apps/contract/failing-apps.js';
import { fileWrapperApp } from '../apps/contract/file-wrapper-body.js';
import { application as hello } from '../apps/contract/hello.js';
import * as streaming from '../apps/contract/streaming-bodies.js';
import { collectGarbage } from '../support/gc.js';

const enc = (s: string) => new TextEncoder().encode(s);

function isViolation(code: string, side: 'server' | 'application') {
  return (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.side, side);
    return true;
  };
}

/** Runs an app through the validator and the test client; returns the first violation found. */
async function applicationViolation(app: Application, request: TestRequest = {}): Promise<ValidationError> {
  const checked = validator(app);
  const response = await new TestClient(checked).request(request);
  assert.ok(checked.violations.length > 0, `no violation found; status ${response.status}`);
  assert.throws(() => checked.assertValid(), ValidationError);
  const violation = checked.violations[0];
  assert.equal(violation.side, 'application');
  return violation;
}

// --- a server double, for the server-side checks: it builds an environ, then lets a test break it ---

const acceptingStart: StartResponse = () => () => {};

function environWith(change: (environ: Record<string, unknown>) => void, request: TestRequest = {}): Environ {
  const environ = makeEnviron(request) as Record<string, unknown>;
  change(environ);
  return environ as Environ;
}

function callWith(environ: Environ, app: Application = hello): Body | Promise<Body> {
  return validator(app)(environ, acceptingStart);
}

async function drain(body: Body): Promise<void> {
  if (Symbol.asyncIterator in body) for await (const _ of body as AsyncIterable<Uint8Array>);
  else for (const _ of body as Iterable<Uint8Array>);
}

// --- acceptance ---

const goodApps: Array<[string, Application, TestRequest?]> = [
  ['hello', hello],
  ['echo-environ', echoEnviron],
  ['echo-body', echoBody, { method: 'POST', body: 'abc' }],
  [
    'input read methods',
    inputEcho(async (i) => [await i.read(2), await i.readline(), ...(await i.readlines())]),
    {
      method: 'POST',
      body: 'ab\ncd\nef',
    },
  ],
  ['start_response in the first iteration', streaming.startsInFirstIteration],
  ['generator body', streaming.generatorBody],
  ['async generator body', streaming.asyncGeneratorBody],
  ['promise body', streaming.promiseBody],
  ['only empty chunks', streaming.emptyChunksOnly],
  ['write() only', streaming.writesOnly],
  ['write() then yield', streaming.writesThenYields],
  ['excInfo before headers', replacesStatusBeforeHeaders],
  ['excInfo after headers', excInfoAfterHeaders],
  ['raising app', throwsImmediately],
  ['raising body', throwsAfterFirstChunk],
  ['body with close()', closingBodyApp(['a', 'b']).app],
  ['file_wrapper body', fileWrapperApp('file content', 3).app],
];

for (const [name, app, request] of goodApps) {
  test(`the validator accepts a correct app and server: ${name}`, async () => {
    const checked = validator(app);
    await new TestClient(checked).request(request ?? {});
    assert.deepEqual(checked.violations, []);
    assert.equal(checked.unclosed, 0);
    checked.assertValid();
  });
}

test('the validator accepts a second start_response with excInfo after a first call that raised', async () => {
  const app: Application = (_environ, startResponse) => {
    try {
      startResponse('bad status', []);
    } catch (error) {
      startResponse('500 Oops', [], error);
    }
    return [enc('recovered')];
  };
  const checked = validator(app);
  const response = await new TestClient(checked).get('/');
  assert.equal(response.text(), 'recovered');
  assert.equal(checked.violations.length, 1, 'only the bad status itself');
  assert.equal(checked.violations[0].code, 'TSGI_VALIDATE_STATUS');
});

test('the validator accepts reading to the end of wsgi.input when wsgi.input_terminated is true', async () => {
  const checked = validator(readsUntilEmpty);
  await new TestClient(checked).post('/', 'abcdefghij');
  checked.assertValid();
});

test('the validated app passes the original environ object, with checked streams', async () => {
  let seen: Environ | undefined;
  const environ = makeEnviron();
  const original = environ['wsgi.input'];
  validator((env, startResponse) => {
    seen = env;
    startResponse('200 OK', []);
    return [];
  })(environ, acceptingStart);
  assert.equal(seen, environ);
  assert.notEqual(seen?.['wsgi.input'], original);
});

test('a violation names its code, side and PEP 3333 rule', async () => {
  const violation = await applicationViolation(withStatus('200'));
  assert.equal(violation.rule, 'S9');
  assert.match(violation.message, /\(PEP 3333 S9, broken by the application\)$/);
  assert.equal(violation.status, 500);
});

test('a violation reaches the client as a 500 through the state machine', async () => {
  const checked = validator(startsTwice);
  const response = await new TestClient(checked).get('/');
  assert.equal(response.status, 500);
  assert.ok(response.reported[0].error instanceof ValidationError);
});

test('onViolation sees every violation as it is found', async () => {
  const seen: string[] = [];
  const checked = validator(yieldsString, { onViolation: (e) => seen.push(e.code) });
  await new TestClient(checked).get('/');
  assert.deepEqual(seen, ['TSGI_VALIDATE_CHUNK']);
});

// --- server side: the environ (S2–S7) ---

test('the validator rejects an environ that is not an object', () => {
  assert.throws(() => callWith(null as unknown as Environ), isViolation('TSGI_VALIDATE_ENVIRON', 'server'));
});

for (const key of ['REQUEST_METHOD', 'SERVER_NAME', 'SERVER_PORT', 'SERVER_PROTOCOL']) {
  test(`the validator rejects an environ without ${key}`, () => {
    const environ = environWith((e) => delete e[key]);
    assert.throws(() => callWith(environ), isViolation('TSGI_VALIDATE_ENVIRON_MISSING', 'server'));
  });
}

test('the validator rejects an empty SERVER_NAME', () => {
  const environ = environWith((e) => (e.SERVER_NAME = ''));
  assert.throws(() => callWith(environ), isViolation('TSGI_VALIDATE_ENVIRON_MISSING', 'server'));
});

for (const key of [
  'wsgi.version',
  'wsgi.url_scheme',
  'wsgi.input',
  'wsgi.errors',
  'wsgi.multithread',
  'wsgi.multiprocess',
  'wsgi.run_once',
]) {
  test(`the validator rejects an environ without ${key}`, () => {
    const environ = environWith((e) => delete e[key]);
    assert.throws(() => callWith(environ), isViolation('TSGI_VALIDATE_ENVIRON_MISSING', 'server'));
  });
}

test('the validator rejects a CGI value with a character above U+00FF', () => {
  const environ = environWith((e) => (e.PATH_INFO = '/café€'));
  assert.throws(() => callWith(environ), isViolation('TSGI_VALIDATE_NOT_BYTE_STRING', 'server'));
});

test('the validator rejects a CGI value that is not a string', () => {
  const environ = environWith((e) => (e.HTTP_X_COUNT = 3));
  assert.throws(() => callWith(environ), isViolation('TSGI_VALIDATE_NOT_BYTE_STRING', 'server'));
});

test('the validator rejects an empty or malformed REQUEST_METHOD', () => {
  assert.throws(
    () => callWith(environWith((e) => (e.REQUEST_METHOD = ''))),
    isViolation('TSGI_VALIDATE_ENVIRON_MISSING', 'server'),
  );
  assert.throws(
    () => callWith(environWith((e) => (e.REQUEST_METHOD = 'GE T'))),
    isViolation('TSGI_VALIDATE_REQUEST_METHOD', 'server'),
  );
});

test('the validator rejects a PATH_INFO that does not start with /', () => {
  const environ = environWith((e) => (e.PATH_INFO = 'relative'));
  assert.throws(() => callWith(environ), isViolation('TSGI_VALIDATE_PATH', 'server'));
});

test("the validator rejects a SCRIPT_NAME of '/' or without a leading /", () => {
  assert.throws(
    () => callWith(environWith((e) => (e.SCRIPT_NAME = '/'))),
    isViolation('TSGI_VALIDATE_PATH', 'server'),
  );
  assert.throws(
    () => callWith(environWith((e) => (e.SCRIPT_NAME = 'app'))),
    isViolation('TSGI_VALIDATE_PATH', 'server'),
  );
});

test('the validator rejects a CONTENT_LENGTH that is not digits', () => {
  const environ = environWith((e) => (e.CONTENT_LENGTH = '5,5'));
  assert.throws(() => callWith(environ), isViolation('TSGI_VALIDATE_CONTENT_LENGTH', 'server'));
});

test('the validator rejects HTTP_CONTENT_TYPE and HTTP_CONTENT_LENGTH keys', () => {
  for (const key of ['HTTP_CONTENT_TYPE', 'HTTP_CONTENT_LENGTH']) {
    const environ = environWith((e) => (e[key] = '1'));
    assert.throws(() => callWith(environ), isViolation('TSGI_VALIDATE_HTTP_CONTENT_HEADER', 'server'));
  }
});

test('the validator rejects wrong wsgi.version, wsgi.url_scheme and flag types', () => {
  const changes: Array<(e: Record<string, unknown>) => void> = [
    (e) => (e['wsgi.version'] = [1, 1]),
    (e) => (e['wsgi.version'] = '1.0'),
    (e) => (e['wsgi.url_scheme'] = 'ftp'),
    (e) => (e['wsgi.multithread'] = 1),
    (e) => (e['wsgi.run_once'] = 'false'),
    (e) => (e['wsgi.input_terminated'] = 'yes'),
    (e) => (e['wsgi.file_wrapper'] = {}),
  ];
  for (const change of changes) {
    assert.throws(() => callWith(environWith(change)), isViolation('TSGI_VALIDATE_WSGI_KEY', 'server'));
  }
});

test('the validator rejects a wsgi.input without its read methods', () => {
  const environ = environWith((e) => (e['wsgi.input'] = { read: async () => new Uint8Array(0) }));
  assert.throws(() => callWith(environ), isViolation('TSGI_VALIDATE_INPUT_STREAM', 'server'));
});

test('the validator rejects a wsgi.errors without flush', () => {
  const environ = environWith((e) => (e['wsgi.errors'] = { write() {}, writelines() {} }));
  assert.throws(() => callWith(environ), isViolation('TSGI_VALIDATE_ERRORS_STREAM', 'server'));
});

// --- server side: wsgi.input results (S5) ---

function fakeInput(read: (size?: number) => Promise<unknown>): Input {
  return {
    read: read as Input['read'],
    readline: read as Input['readline'],
    readlines: async () => [],
    async *[Symbol.asyncIterator]() {},
  };
}

test('the validator rejects a wsgi.input that returns text instead of bytes', async () => {
  const environ = environWith((e) => (e['wsgi.input'] = fakeInput(async () => 'text')), { body: 'text' });
  await assert.rejects(
    async () =>
      callWith(
        environ,
        inputEcho(async (i) => [await i.read()]),
      ),
    isViolation('TSGI_VALIDATE_INPUT_STREAM', 'server'),
  );
});

test('the validator rejects a wsgi.input that returns more than asked', async () => {
  const environ = environWith((e) => (e['wsgi.input'] = fakeInput(async () => enc('abcdef'))), {
    body: 'abcdef',
  });
  await assert.rejects(
    async () =>
      callWith(
        environ,
        inputEcho(async (i) => [await i.read(2)]),
      ),
    isViolation('TSGI_VALIDATE_INPUT_STREAM', 'server'),
  );
});

test('the validator rejects a wsgi.input that returns more than CONTENT_LENGTH', async () => {
  const environ = environWith((e) => (e['wsgi.input'] = fakeInput(async () => enc('abcdef'))), {
    body: 'abc',
  });
  await assert.rejects(
    async () =>
      callWith(
        environ,
        inputEcho(async (i) => [await i.read()]),
      ),
    isViolation('TSGI_VALIDATE_INPUT_STREAM', 'server'),
  );
});

// --- server side: start_response and close() (S12, S14) ---

test('the validator rejects a start_response that returns no write callable', () => {
  const checked = validator(hello);
  const start = (() => undefined) as unknown as StartResponse;
  assert.throws(() => checked(makeEnviron(), start), isViolation('TSGI_VALIDATE_WRITE_CALLABLE', 'server'));
});

test('the validator rejects a server that calls close() twice', async () => {
  const checked = validator(hello);
  const body = (await checked(makeEnviron(), acceptingStart)) as Body & { close(): void };
  await drain(body);
  body.close();
  assert.throws(() => body.close(), isViolation('TSGI_VALIDATE_CLOSE_TWICE', 'server'));
});

test('the validator rejects a server that never calls close()', async () => {
  const checked = validator(hello);
  await drain(await checked(makeEnviron({ path: '/never-closed' }), acceptingStart));
  assert.equal(checked.unclosed, 1);
  assert.throws(() => checked.assertValid(), isViolation('TSGI_VALIDATE_CLOSE_NOT_CALLED', 'server'));
  assert.throws(() => checked.assertValid(), /GET \/never-closed/);
});

test('the validator rejects a server that iterates the body after close()', async () => {
  const checked = validator(hello);
  const body = (await checked(makeEnviron(), acceptingStart)) as Body & { close(): void };
  body.close();
  await assert.rejects(() => drain(body), isViolation('TSGI_VALIDATE_ITERATED_AFTER_CLOSE', 'server'));
});

test('the validator always gives the server a close(), and forwards it to the body', async () => {
  const { app, probe } = closingBodyApp(['x']);
  const bodyWithout = await validator(hello)(makeEnviron(), acceptingStart);
  assert.equal(typeof bodyWithout.close, 'function');
  const bodyWith = await validator(app)(makeEnviron(), acceptingStart);
  await bodyWith.close?.();
  assert.equal(probe.closed, 1);
});

test('the validator reports a body garbage-collected without close()', async () => {
  const seen: string[] = [];
  const checked: ValidatedApplication = validator(hello, { onViolation: (e) => seen.push(e.code) });
  await (async () => {
    await drain(await checked(makeEnviron(), acceptingStart));
  })();
  for (let i = 0; i < 10 && seen.length === 0; i++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.deepEqual(seen, ['TSGI_VALIDATE_CLOSE_NOT_CALLED']);
});

// --- application side (S5, S6, S8–S10, S12, S13, S17) ---

test('the validator rejects a malformed status', async () => {
  const statuses: unknown[] = [
    200,
    '200',
    '200 ',
    '200  OK',
    ' 200 OK',
    '200 OK\n',
    '200 OK\t',
    'OK 200',
    '20 OK',
    '200 Ωμέγα',
    '100 Continue',
    '600 Beyond',
  ];
  for (const status of statuses) {
    const violation = await applicationViolation(withStatus(status));
    assert.equal(violation.code, 'TSGI_VALIDATE_STATUS', JSON.stringify(status));
  }
});

test('the validator rejects malformed headers', async () => {
  const bad: unknown[] = [
    { 'Content-Type': 'text/plain' },
    [['Content-Type', 'text/plain', 'extra']],
    [['Content Type', 'text/plain']],
    [['X-Colon:', 'v']],
    [['X-Number', 1]],
    [['X-Split', 'a\nb']],
    [['X-Wide', '€']],
    [['Status', '200 OK']],
  ];
  for (const headers of bad) {
    const violation = await applicationViolation(withHeaders(headers));
    assert.equal(violation.code, 'TSGI_VALIDATE_HEADERS', JSON.stringify(headers));
  }
});

test('the validator accepts a TAB in a header value (RFC 9110 §5.5), as the server sends it', async () => {
  const checked = validator(withHeaders([['X-Tab', 'a\tb']]));
  const response = await new TestClient(checked).request({});
  assert.equal(response.status, 200);
  assert.deepEqual(checked.violations, []);
});

test('the validator rejects hop-by-hop headers', async () => {
  for (const name of [
    'Connection',
    'keep-alive',
    'Transfer-Encoding',
    'Upgrade',
    'TE',
    'Trailer',
    'Proxy-Authenticate',
  ]) {
    const violation = await applicationViolation(withHeaders([[name, 'x']]));
    assert.equal(violation.code, 'TSGI_VALIDATE_HOP_BY_HOP', name);
    assert.equal(violation.rule, 'S17');
  }
});

test('the validator rejects a second start_response without excInfo', async () => {
  assert.equal((await applicationViolation(startsTwice)).code, 'TSGI_VALIDATE_START_RESPONSE_TWICE');
});

test('the validator rejects a second start_response without excInfo even when the first one raised', async () => {
  const app: Application = (_environ, startResponse) => {
    try {
      startResponse('bad status', []);
    } catch {
      startResponse('200 OK', []);
    }
    return [];
  };
  const checked = validator(app);
  await new TestClient(checked).get('/');
  assert.deepEqual(
    checked.violations.map((v) => v.code),
    ['TSGI_VALIDATE_STATUS', 'TSGI_VALIDATE_START_RESPONSE_TWICE'],
  );
});

test('the validator rejects body data before start_response', async () => {
  assert.equal(
    (await applicationViolation(yieldsBeforeStarting)).code,
    'TSGI_VALIDATE_BODY_BEFORE_START_RESPONSE',
  );
});

test('the validator rejects a body that ends without start_response', async () => {
  assert.equal((await applicationViolation(neverStarts)).code, 'TSGI_VALIDATE_NO_START_RESPONSE');
});

test('the validator rejects a body that is not an iterable of chunks', async () => {
  assert.equal((await applicationViolation(returnsString)).code, 'TSGI_VALIDATE_BODY');
  assert.equal((await applicationViolation(returnsBareBytes)).code, 'TSGI_VALIDATE_BODY');
  assert.equal((await applicationViolation(() => null as unknown as Body)).code, 'TSGI_VALIDATE_BODY');
  assert.equal((await applicationViolation(() => ({}) as Body)).code, 'TSGI_VALIDATE_BODY');
});

test('the validator rejects a body chunk that is not a Uint8Array', async () => {
  assert.equal((await applicationViolation(yieldsString)).code, 'TSGI_VALIDATE_CHUNK');
});

test('the validator rejects write() with something other than a Uint8Array', async () => {
  assert.equal((await applicationViolation(writesString)).code, 'TSGI_VALIDATE_CHUNK');
});

test('the validator rejects write() called from inside the body iterable', async () => {
  assert.equal((await applicationViolation(writesFromBody)).code, 'TSGI_VALIDATE_WRITE_FROM_BODY');
});

test('the validator rejects write() after the body was closed', async () => {
  const { app, later } = writesAfterClose();
  const checked = validator(app);
  await new TestClient(checked).get('/');
  assert.throws(later, isViolation('TSGI_VALIDATE_WRITE_AFTER_CLOSE', 'application'));
});

test('the validator rejects a wsgi.input size that is not an integer', async () => {
  const violation = await applicationViolation(readsFractionalSize, { method: 'POST', body: 'abcdef' });
  assert.equal(violation.code, 'TSGI_VALIDATE_INPUT_ARGUMENT');
});

test('the validator rejects reading past CONTENT_LENGTH when wsgi.input is not terminated', async () => {
  const checked = validator(readsUntilEmpty);
  await new TestClient(checked, { inputTerminated: false }).post('/', 'abcdef');
  assert.equal(checked.violations[0]?.code, 'TSGI_VALIDATE_INPUT_PAST_END');
});

test('the validator rejects bytes written to wsgi.errors', async () => {
  assert.equal((await applicationViolation(writesBytesToErrors)).code, 'TSGI_VALIDATE_ERRORS_TEXT');
});
