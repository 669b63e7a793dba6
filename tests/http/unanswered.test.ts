// Requests a Node app leaves without a response (src/http/unanswered.ts): logged once past --timeout, never cut.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Application } from '../../src/gateway/index.js';
import { sleep } from '../support/async.js';
import { RawConnection } from './support/raw-connection.js';
import { type Served, serve, waitFor } from './support/serve.js';

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

/** /hang never answers; /stream sends its head and a chunk, then never ends; anything else answers at once. */
const app: Application = async (environ, startResponse) => {
  if (environ.PATH_INFO === '/hang') return new Promise(() => {});
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  if (environ.PATH_INFO === '/stream') {
    return (async function* () {
      yield new TextEncoder().encode('first');
      await new Promise(() => {});
    })();
  }
  return [new TextEncoder().encode('ok')];
};

const reports = (lines: string[]) => lines.filter((line) => line.includes('has had no response'));

/** A server watching unanswered requests after `after` seconds (none: unwatched), one connection sending `path`. */
async function withRequest(
  after: number | undefined,
  path: string,
  check: (served: Served, connection: RawConnection) => Promise<void>,
): Promise<void> {
  const served = await serve(app, after === undefined ? {} : { unansweredAfter: after });
  const connection = await RawConnection.open(served.port);
  try {
    await connection.send(GET(path));
    await check(served, connection);
  } finally {
    connection.close();
    await served.close();
  }
}

describe('requests left without a response', { timeout: 20_000 }, () => {
  test('one past the set time is logged once, naming it, and neither it nor the server is cut', () =>
    withRequest(1, '/hang?id=7', async (served, hung) => {
      await waitFor(() => reports(served.logger.lines).length > 0, 4000);
      const [line] = reports(served.logger.lines);
      assert.match(
        line,
        /\[WARNING\] GET \/hang\?id=7 from 127\.0\.0\.1 has had no response for \d+ s \(--timeout 1\)/,
      );
      await sleep(2200);
      assert.equal(reports(served.logger.lines).length, 1, 'reported more than once');
      assert.equal(hung.closed, false, 'the unanswered request was cut');
      assert.equal(await (await fetch(`${served.origin}/`)).text(), 'ok');
    }));

  test('requests pipelined behind an unanswered one do not hide it', () =>
    withRequest(2, '/hang', async (served, hung) => {
      // Every 600 ms another request joins the queue behind it: none may restart its clock, so the report comes
      // about 2 s in, long before the 4.8 s this goes on for.
      for (let i = 0; i < 8 && reports(served.logger.lines).length === 0; i++) {
        await sleep(600);
        await hung.send(GET(`/queued-${i}`));
      }
      assert.equal(
        reports(served.logger.lines).length,
        1,
        'not reported while requests kept queuing behind it',
      );
      assert.match(reports(served.logger.lines)[0], /GET \/hang from/);
    }));

  test('a response under way (its head sent) is not reported, however long it runs', () =>
    withRequest(1, '/stream', async (served, streaming) => {
      await waitFor(() => streaming.pending.toString('latin1').includes('first'), 4000);
      await sleep(2500);
      assert.deepEqual(reports(served.logger.lines), []);
    }));

  test('nothing is watched when no time is set', () =>
    withRequest(undefined, '/hang', async (served) => {
      await sleep(2500);
      assert.deepEqual(reports(served.logger.lines), []);
    }));
});
