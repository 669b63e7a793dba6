// The state machine against a ResponseSink of its own (S13, S15, S21, S22): it waits for the sink before pulling
// the next chunk, and only bodies made by wsgi.file_wrapper take the sink's sendFile path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Application,
  type FileLike,
  fileWrapper,
  type ResponseSink,
  runApplication,
} from '../../src/gateway/index.js';
import { makeEnviron } from '../../src/testing/index.js';

/** A sink that records calls; write() waits until the test releases it. */
function recordingSink(waitOnWrite: boolean) {
  const events: string[] = [];
  const releases: Array<() => void> = [];
  const sink: ResponseSink = {
    closed: false,
    head: (status) => {
      events.push(`head ${status}`);
    },
    write: (chunk) => {
      events.push(`write ${new TextDecoder().decode(chunk)}`);
      if (waitOnWrite) return new Promise<void>((resolve) => releases.push(resolve));
    },
    end: () => {
      events.push('end');
    },
    abort: () => {
      events.push('abort');
    },
    sendFile: async (file, sendHead) => {
      sendHead();
      events.push(`sendFile ${file.path}`);
    },
  };
  return { sink, events, releases };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('an app is called once per request, and again for the next request', async () => {
  let calls = 0;
  const app: Application = (_environ, startResponse) => {
    calls++;
    startResponse('200 OK', []);
    return [];
  };
  for (let i = 1; i <= 3; i++) {
    const { sink } = recordingSink(false);
    await runApplication(app, makeEnviron(), sink, () => {});
    assert.equal(calls, i);
  }
});

test('the next chunk is not pulled until the sink has taken the previous one', async () => {
  const pulled: string[] = [];
  const app: Application = (_environ, startResponse) => {
    startResponse('200 OK', []);
    return (function* () {
      for (const s of ['a', 'b', 'c']) {
        pulled.push(s);
        yield new TextEncoder().encode(s);
      }
    })();
  };
  const { sink, events, releases } = recordingSink(true);
  const done = runApplication(app, makeEnviron(), sink, () => {});
  await tick();
  assert.deepEqual(pulled, ['a']);
  assert.deepEqual(events, ['head 200 OK', 'write a']);
  releases.shift()?.();
  await tick();
  assert.deepEqual(pulled, ['a', 'b']);
  releases.shift()?.();
  await tick();
  releases.shift()?.();
  await done;
  assert.deepEqual(events, ['head 200 OK', 'write a', 'write b', 'write c', 'end']);
});

test('a wsgi.file_wrapper body whose file has a path is sent through the sink sendFile', async () => {
  const file: FileLike = { path: '/srv/file.bin', read: () => new Uint8Array(0) };
  const app: Application = (_environ, startResponse) => {
    startResponse('200 OK', []);
    return fileWrapper(file);
  };
  const { sink, events } = recordingSink(false);
  await runApplication(app, makeEnviron(), sink, () => {});
  assert.deepEqual(events, ['head 200 OK', 'sendFile /srv/file.bin', 'end']);
});

test('a body with a file property not made by wsgi.file_wrapper is iterated, never sent as a file', async () => {
  const app: Application = (_environ, startResponse) => {
    startResponse('200 OK', []);
    const look = { path: '/etc/passwd', read: () => new Uint8Array(0) };
    return Object.assign([new TextEncoder().encode('own body')], { file: look });
  };
  const { sink, events } = recordingSink(false);
  await runApplication(app, makeEnviron(), sink, () => {});
  assert.deepEqual(events, ['head 200 OK', 'write own body', 'end']);
});
