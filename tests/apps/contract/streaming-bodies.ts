// Apps whose bodies are produced over time: generators, async generators, promises, write().
import type { Application } from '../../../src/gateway/index.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** A generator that calls start_response on its first iteration, as PEP 3333's AppClass does. */
export const startsInFirstIteration: Application = (_environ, startResponse) =>
  (function* () {
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    yield enc('one,');
    yield enc('two');
  })();

/** A sync generator body yielding three chunks, with empty ones between. */
export const generatorBody: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return (function* () {
    yield enc('a');
    yield new Uint8Array(0);
    yield enc('b');
    yield enc('c');
  })();
};

/** An async generator body that awaits between chunks. */
export const asyncGeneratorBody: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return (async function* () {
    yield enc('x');
    await new Promise((resolve) => setTimeout(resolve, 1));
    yield enc('y');
  })();
};

/** An async app: a Promise of an array body. */
export const promiseBody: Application = async (_environ, startResponse) => {
  await new Promise((resolve) => setTimeout(resolve, 1));
  startResponse('201 Created', [['Content-Type', 'text/plain']]);
  return [enc('made')];
};

/** Only empty chunks: the head goes out when the body ends. */
export const emptyChunksOnly: Application = (_environ, startResponse) => {
  startResponse('204 No Content', []);
  return [new Uint8Array(0), new Uint8Array(0)];
};

/** write() twice, then an empty iterable. */
export const writesOnly: Application = (_environ, startResponse) => {
  const write = startResponse('200 OK', [['Content-Type', 'text/plain']]);
  write(enc('first,'));
  write(enc('second'));
  return [];
};

/** write() first, then the iterable: the written bytes go out first. */
export const writesThenYields: Application = (_environ, startResponse) => {
  const write = startResponse('200 OK', [['Content-Type', 'text/plain']]);
  write(enc('written,'));
  return [enc('yielded')];
};
