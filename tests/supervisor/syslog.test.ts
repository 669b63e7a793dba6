// --log-syslog's address, facility and message format (syslog.ts), with real UDP and unix sockets for the bytes.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSyslogAddress, Syslog, syslogTarget } from '../../src/supervisor/syslog.js';

const settings = {
  logSyslog: true,
  logSyslogTo: 'udp://localhost:514',
  logSyslogPrefix: null,
  logSyslogFacility: 'user',
  disableRedirectAccessToSyslog: false,
  name: null,
  app: 'proj.wsgi:application',
};

test("addresses read as Gunicorn's --log-syslog-to: port 514 by default, IPv6 in brackets", () => {
  assert.deepEqual(parseSyslogAddress('udp://logs:5514'), { transport: 'udp', host: 'logs', port: 5514 });
  assert.deepEqual(parseSyslogAddress('tcp://[::1]:601'), { transport: 'tcp', host: '::1', port: 601 });
  assert.deepEqual(parseSyslogAddress('udp://LOGS'), { transport: 'udp', host: 'logs', port: 514 });
  assert.deepEqual(parseSyslogAddress('udp://'), { transport: 'udp', host: 'localhost', port: 514 });
  assert.deepEqual(parseSyslogAddress('unix:///run/syslog.sock#stream'), {
    transport: 'unix',
    path: '/run/syslog.sock',
  });
  for (const datagram of ['unix:///dev/log', 'unix:///dev/log#dgram'])
    assert.throws(
      () => parseSyslogAddress(datagram),
      /unix:\/\/PATH#stream: a datagram socket .* cannot be written/,
    );
  assert.throws(() => parseSyslogAddress('udp://host:port'), /"port" is not a port/);
  for (const port of ['0', '99999', ''])
    assert.throws(() => parseSyslogAddress(`udp://host:${port}`), /is not a port \(1 to 65535\)/, port);
  assert.throws(() => parseSyslogAddress('tcp://a:b:c'), /is not HOST:PORT/);
  assert.throws(() => parseSyslogAddress('syslog.example'), /expected udp:\/\/HOST:PORT/);
});

test('the ident is tsgi. and the prefix, else the name, else the app (a script by its base name)', () => {
  assert.equal(syslogTarget(settings)?.prefix, 'tsgi.proj.wsgi.application');
  assert.equal(syslogTarget({ ...settings, app: 'src/app.ts' })?.prefix, 'tsgi.app');
  assert.equal(syslogTarget({ ...settings, name: 'shop' })?.prefix, 'tsgi.shop');
  assert.equal(syslogTarget({ ...settings, name: 'shop', logSyslogPrefix: 'web' })?.prefix, 'tsgi.web');
  assert.equal(syslogTarget({ ...settings, logSyslog: false }), null);
});

test('an unknown facility or an unusable address is an error naming the flag', () => {
  assert.throws(
    () => syslogTarget({ ...settings, logSyslogFacility: 'local9' }),
    /--log-syslog-facility local9: not a facility/,
  );
  assert.throws(
    () => syslogTarget({ ...settings, logSyslogTo: 'ftp://x' }),
    /--log-syslog-to ftp:\/\/x: expected/,
  );
});

test("a message is <facility*8+severity>ident.name: [pid] text, ended by NUL (Gunicorn's syslog_fmt)", async () => {
  const server = createSocket('udp4');
  const received: string[] = [];
  server.on('message', (message) => received.push(message.toString('utf8')));
  await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
  const target = syslogTarget({
    ...settings,
    logSyslogTo: `udp://127.0.0.1:${server.address().port}`,
    logSyslogFacility: 'local0',
  })!;
  const syslog = new Syslog(target, (error) => assert.fail(error));
  try {
    syslog.send('error', 'error', 'broken');
    syslog.send('info', 'access', '127.0.0.1 - - "GET / HTTP/1.1" 200');
    const deadline = Date.now() + 2000;
    while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(received.sort(), [
      `<131>tsgi.proj.wsgi.application.error: [${process.pid}] broken\0`,
      `<134>tsgi.proj.wsgi.application.access: [${process.pid}] 127.0.0.1 - - "GET / HTTP/1.1" 200\0`,
    ]);
  } finally {
    syslog.close();
    server.close();
  }
});

test('over a unix stream socket the messages arrive in order, each ended by NUL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-syslog-'));
  const path = join(dir, 'syslog.sock');
  let received = '';
  const server = createServer((socket) => socket.on('data', (chunk) => (received += chunk.toString('utf8'))));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const syslog = new Syslog(syslogTarget({ ...settings, logSyslogTo: `unix://${path}#stream` })!, (error) =>
    assert.fail(error),
  );
  try {
    syslog.send('warning', 'error', 'one');
    syslog.send('info', 'access', 'two');
    const deadline = Date.now() + 2000;
    while (received.split('\0').length < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(received.split('\0'), [
      `<12>tsgi.proj.wsgi.application.error: [${process.pid}] one`,
      `<14>tsgi.proj.wsgi.application.access: [${process.pid}] two`,
      '',
    ]);
  } finally {
    syslog.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
