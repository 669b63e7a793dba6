// The UDP sender behind statsd and syslog, with real sockets: a host name that does not resolve is reported once,
// never throws into the logger that sends, and is looked up again later (DNS may come up after the server).
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { test } from 'node:test';
import { type UdpSenderOptions, udpSender } from '../../src/supervisor/udp-sender.js';
import { waitFor } from '../support/async.js';

async function receiver(): Promise<{ socket: Socket; port: number; got: string[] }> {
  const socket = createSocket('udp4');
  const got: string[] = [];
  socket.on('message', (message) => got.push(message.toString()));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, got };
}

/** A resolver whose first `failures` lookups of statsd.internal fail (ENOTFOUND), then answer 127.0.0.1. */
type Lookup = NonNullable<UdpSenderOptions['lookup']>;

function flakyDns(failures: number): { lookup: Lookup; calls: () => number } {
  let calls = 0;
  const lookup = ((host: string, _family: unknown, callback: (...args: unknown[]) => void) => {
    if (host !== 'statsd.internal') return process.nextTick(callback, null, host, 4); // the socket's own bind
    calls++;
    if (calls <= failures) {
      const error = Object.assign(new Error('getaddrinfo ENOTFOUND statsd.internal'), { code: 'ENOTFOUND' });
      process.nextTick(callback, error);
    } else process.nextTick(callback, null, '127.0.0.1', 4);
  }) as unknown as Lookup;
  return { lookup, calls: () => calls };
}

test('a host that does not resolve is reported once, and sending on neither throws nor crashes', {
  timeout: 10_000,
}, async () => {
  const errors: string[] = [];
  const sender = udpSender('no-such-host.invalid', 8125, (error) => errors.push(error.message));
  try {
    sender.send('before the lookup failed');
    await waitFor(() => errors.length > 0, 5000);
    for (let i = 0; i < 5; i++) assert.doesNotThrow(() => sender.send(`after ${i}`));
    assert.equal(errors.length, 1);
    assert.match(errors[0], /ENOTFOUND|EAI_AGAIN/);
  } finally {
    sender.close();
  }
});

test('a host that did not resolve is looked up again later; what came during the outage is dropped, not sent late', {
  timeout: 10_000,
}, async () => {
  const { socket, port, got } = await receiver();
  const dns = flakyDns(1);
  const errors: Error[] = [];
  const sender = udpSender('statsd.internal', port, (error) => errors.push(error), {
    retryMs: 50,
    lookup: dns.lookup,
  });
  try {
    sender.send('one'); // waits for the lookup, which fails: dropped with it
    await waitFor(() => errors.length === 1, 5000);
    sender.send('two'); // within retryMs of the failure: dropped, no new lookup
    assert.equal(dns.calls(), 1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    sender.send('three'); // past retryMs: looked up again, and this time it resolves
    await waitFor(() => got.length === 1, 5000);
    assert.equal(dns.calls(), 2);
    sender.send('four');
    await waitFor(() => got.length === 2, 5000);
    assert.deepEqual(got, ['three', 'four']);
    sender.close();
    sender.send('five'); // after close(): nothing, and no throw
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(got.length, 2);
  } finally {
    sender.close();
    socket.close();
  }
});
