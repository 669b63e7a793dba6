// A slow reader pauses the app (PEP 3333 S12, RFC 9112 flow control by TCP): the server holds at most about one
// socket buffer of response in memory, whether the app yields chunks or calls write().

import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, test } from 'node:test';
import type { Application } from '../../src/gateway/index.js';
import { endlessStream } from '../apps/http/endless-stream.js';
import { RawConnection } from './support/raw-connection.js';
import { serve, sleep, waitFor } from './support/serve.js';

const CHUNK = 64 * 1024;

describe('backpressure', { timeout: 10_000 }, () => {
  test('a client that stops reading pauses an app that yields chunks', async () => {
    const stream = endlessStream(CHUNK);
    const served = await serve(stream.app);
    let serverSocket: Socket | undefined;
    served.server.on('connection', (s: Socket) => {
      serverSocket = s;
    });
    const connection = await RawConnection.open(served.port);
    try {
      connection.socket.pause();
      await connection.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await sleep(300);
      const produced = stream.chunks;
      await sleep(300);
      assert.equal(stream.chunks, produced, 'the app kept producing while the client read nothing');
      // Kernel buffers take some; node:http holds only what one write past its high-water mark brought.
      assert.ok(
        (serverSocket?.writableLength ?? 0) <= 2 * CHUNK + 1024,
        `${serverSocket?.writableLength} bytes queued`,
      );
      connection.socket.resume();
      await waitFor(() => stream.chunks > produced + 10, 2000, 'the app to resume once the client reads');
    } finally {
      connection.close();
      await served.close();
    }
    await waitFor(() => stream.closed, 1000, 'close()');
  });

  test('a client that stops reading pauses an app that awaits write()', async () => {
    let written = 0;
    let stop = false;
    const chunk = new Uint8Array(CHUNK);
    const app: Application = async (_environ, startResponse) => {
      const write = startResponse('200 OK', []);
      while (!stop) {
        await write(chunk);
        written++;
      }
      return [];
    };
    const served = await serve(app);
    const connection = await RawConnection.open(served.port);
    try {
      connection.socket.pause();
      await connection.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await sleep(300);
      const before = written;
      await sleep(300);
      assert.equal(written, before, 'write() did not wait for the slow client');
      connection.socket.resume();
      await waitFor(() => written > before + 10, 2000, 'write() to resume');
    } finally {
      stop = true;
      connection.close();
      await served.close();
    }
  });
});
