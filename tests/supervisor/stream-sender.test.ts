// The stream sender behind syslog over TCP and unix sockets, with a real TCP server: a daemon that restarts
// (closes the connection) is reported once, and a later message connects again instead of being lost for good.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { streamSender } from '../../src/supervisor/stream-sender.js';
import { waitFor } from '../support/async.js';

function daemon(): Promise<{ server: Server; port: number; got: () => string; clients: Socket[] }> {
  let text = '';
  const clients: Socket[] = [];
  const server = createServer((socket) => {
    clients.push(socket);
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        server,
        port: typeof address === 'object' && address ? address.port : 0,
        got: () => text,
        clients,
      });
    }),
  );
}

test('after the daemon closed the connection, a message past the retry time connects again', {
  timeout: 10_000,
}, async () => {
  const { server, port, got, clients } = await daemon();
  const errors: Error[] = [];
  const sender = streamSender({ host: '127.0.0.1', port }, (error) => errors.push(error), 50);
  try {
    sender.send('one\0');
    await waitFor(() => got().includes('one'), 5000);
    for (const client of clients) client.end(); // the daemon restarts
    await waitFor(() => errors.length === 1, 5000);
    assert.match(errors[0].message, /closed the connection/);
    sender.send('lost\0'); // within the retry time: dropped, no new connection
    await new Promise((resolve) => setTimeout(resolve, 80));
    sender.send('two\0');
    await waitFor(() => got().includes('two'), 5000);
    assert.equal(clients.length, 2);
    assert.doesNotMatch(got(), /lost/);
    assert.equal(errors.length, 1, 'reported once');
    sender.close();
    sender.send('after close\0'); // close() is final: no new connection
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(clients.length, 2);
  } finally {
    sender.close();
    for (const client of clients) client.destroy();
    server.close();
  }
});

test('a refused connection is reported once and sending on never throws', { timeout: 10_000 }, async () => {
  const { server, port } = await daemon();
  await new Promise((resolve) => server.close(resolve)); // nothing listens on the port any more
  const errors: Error[] = [];
  const sender = streamSender({ host: '127.0.0.1', port }, (error) => errors.push(error), 10);
  try {
    sender.send('a\0');
    await waitFor(() => errors.length === 1, 5000);
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 15));
      assert.doesNotThrow(() => sender.send(`b${i}\0`));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /ECONNREFUSED/);
  } finally {
    sender.close();
  }
});
