// --log-syslog under the CLI: the error log (a Python app's wsgi.errors included) and the access log reach a
// syslog listener over UDP or TCP, with the facility and ident given; the log files are written as before.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { sleep, waitFor } from '../support/async.js';
import { runTsgi } from './cli-harness.js';
import { skipPython, startTsgi } from './support/server-process.js';

test('over UDP: error and access entries (no access log file needed), facility local3, ident from the prefix', {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  const udp = createSocket('udp4');
  const messages: string[] = [];
  udp.on('message', (m) => messages.push(m.toString('utf8')));
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const to = `udp://127.0.0.1:${udp.address().port}`;
  const args = [
    '--log-syslog',
    '--log-syslog-to',
    to,
    '--log-syslog-prefix',
    'shop',
    '--log-syslog-facility',
    'local3',
  ];
  const tsgi = await startTsgi('environ_echo:application', args);
  try {
    assert.equal((await fetch(`${tsgi.origin}/hello`)).status, 200);
    // local3 = 19: info is 19*8+6 = 158.
    await waitFor(
      () => messages.some((m) => /^<158>tsgi\.shop\.access: \[\d+\] 127\.0\.0\.1 - - \[/.test(m)),
      5000,
    );
    assert.ok(
      messages.some((m) =>
        /^<158>tsgi\.shop\.error: \[\d+\] Listening at: http:\/\/127\.0\.0\.1:\d+ \(\d+\)\0$/.test(m),
      ),
    );
    // The app's wsgi.errors line: an error-log entry at level error (19*8+3 = 155).
    assert.ok(
      messages.some((m) => /^<155>tsgi\.shop\.error: \[\d+\] environ_echo: GET \/hello\0$/.test(m)),
      messages.join('\n'),
    );
    assert.match(tsgi.stderr, /\[INFO\] Listening at: /, 'the error log is written as before');
  } finally {
    await tsgi.kill();
    udp.close();
  }
});

test('over TCP, NUL-separated; --disable-redirect-access-to-syslog keeps the access log out', {
  skip: skipPython,
  timeout: 30_000,
}, async () => {
  let received = '';
  const tcp = createServer((socket) => socket.on('data', (chunk) => (received += chunk.toString('utf8'))));
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const port = (tcp.address() as { port: number }).port;
  const args = [
    '--log-syslog',
    '--log-syslog-to',
    `tcp://127.0.0.1:${port}`,
    '--disable-redirect-access-to-syslog',
  ];
  const tsgi = await startTsgi('environ_echo:application', [...args, '--access-logfile', '-', '-n', 'api']);
  try {
    assert.equal((await fetch(`${tsgi.origin}/`)).status, 200);
    await waitFor(() => received.includes('environ_echo: GET /'), 5000);
    await tsgi.waitForOutput(/"GET \/ HTTP\/1\.1" 200/); // the access log still goes to its file
    await sleep(300); // time for an access entry to arrive, were one sent
    const entries = received.split('\0').filter(Boolean);
    assert.ok(entries.length > 2, entries.join('\n'));
    for (const entry of entries) assert.match(entry, /^<\d+>tsgi\.api\.error: \[\d+\] /);
  } finally {
    await tsgi.kill();
    tcp.close();
  }
});

test('an unusable --log-syslog-to stops tsgi at start-up with the reason', { timeout: 15_000 }, async () => {
  const { code, stderr } = await runTsgi([
    'examples/hello.ts',
    '--log-syslog',
    '--log-syslog-to',
    'unix:///dev/log',
  ]);
  assert.equal(code, 2);
  assert.match(
    stderr,
    /--log-syslog-to expects udp:\/\/HOST:PORT.*a unix socket is written as unix:\/\/PATH#stream/,
  );
});

test('a --log-syslog-to port out of range is a usage error, not a crash', { timeout: 15_000 }, async () => {
  const { code, stderr } = await runTsgi([
    'examples/hello.ts',
    '--log-syslog',
    '--log-syslog-to',
    'udp://localhost:99999',
  ]);
  assert.equal(code, 2);
  assert.match(stderr, /--log-syslog-to expects .*"99999" is not a port \(1 to 65535\)/);
  assert.doesNotMatch(stderr, /RangeError|at Socket/);
});
