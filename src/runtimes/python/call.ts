// One request handed to the Python workers: the frame to send, and the response as it comes back —
// a promise of the status line and headers, then a body iterable with credit-based flow control.

import { type FileHandle, open } from 'node:fs/promises';
import { clientErrors } from '../../gateway/errors.js';
import type { Body, ClientWatch } from '../../gateway/types.js';
import type { PythonAppError } from './errors.js';
import type { FileSlice } from './wire.js';
import { WINDOW } from './wire.js';

/** What a call needs from the pool that runs it. */
export interface CallHost {
  /** The client went away (or the body was closed early): stop the request wherever it is. */
  abort(call: RemoteCall): void;
  /** Let the worker send `bytes` more body bytes. */
  credit(call: RemoteCall, bytes: number): void;
  /** Tell the worker whether Node opened its FILE (true: Node sends it; false: iterate instead). */
  fileReply(call: RemoteCall, ok: boolean): void;
}

export interface Head {
  status: string;
  headers: Array<[string, string]>;
}

type Item = Uint8Array | { file: Promise<FileHandle | null>; offset: number; length: number };

export class RemoteCall {
  readonly id: number;
  readonly frame: Buffer;
  /** Set by the pool while a worker holds the call. */
  worker: { pid: number | undefined } | undefined;
  /** When the worker started it, in performance.now() ms (docs/wire.md: the first `threads` outstanding calls have started). */
  startedAt: number | undefined;
  /** The worker sent END or ERROR, or the call failed: it holds no worker slot any more. */
  settled = false;
  /** Told of a failure that came after the body was handed over whole (nobody reads it from the body any more). */
  lateFailure: ((error: Error) => void) | undefined;
  /** Where the app's early hints go (the HTTP server's 103, environ['tsgi.client']); unset, they are dropped. */
  hintsTo: Pick<ClientWatch, 'earlyHints'> | undefined;

  readonly head: Promise<Head>;
  #resolveHead!: (head: Head) => void;
  #rejectHead!: (error: Error) => void;
  #headDone = false;
  /** What came from the worker and was not yet taken, from #head on (a head index: shift() is O(n) on long arrays). */
  #items: Item[] = [];
  #head = 0;
  #failure: Error | undefined;
  /** COMPLETE came: the response is whole, though the worker still runs the request (close(), say) until END. */
  #whole = false;
  #wake: (() => void) | undefined;
  #closed = false;
  #host: CallHost;
  #onSettled: () => void;

  constructor(id: number, frame: Buffer, host: CallHost, onSettled: () => void) {
    this.id = id;
    this.frame = frame;
    this.#host = host;
    this.#onSettled = onSettled;
    this.head = new Promise<Head>((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
    // Unobserved when the client left early; the failure is reported through the body or the log.
    this.head.catch(() => {});
  }

  // ---- frames from the worker

  onHeaders(items: string[]): void {
    this.#headDone = true;
    this.#resolveHead({ status: items[0], headers: headerPairs(items, 1) });
  }

  /** environ['wsgi.early_hints'](headers) in the app: name, value, name, value … */
  onEarlyHints(items: string[]): void {
    const client = this.hintsTo;
    if (this.#headDone || client?.earlyHints === undefined) return;
    client.earlyHints(headerPairs(items, 0));
  }

  onBody(chunk: Buffer): void {
    this.#items.push(chunk);
    this.#notify();
  }

  onFile(slice: FileSlice): void {
    if (this.#closed) {
      // The body was closed (client gone) while this frame was on its way: nobody would read or close the file.
      this.#host.fileReply(this, false);
      return;
    }
    const file = openSameFile(slice).then(
      (handle) => {
        this.#host.fileReply(this, handle !== null);
        return handle;
      },
      () => {
        this.#host.fileReply(this, false);
        return null;
      },
    );
    this.#items.push({ file, offset: slice.offset, length: slice.length });
    this.#notify();
  }

  /** COMPLETE: the body is whole; the worker calls the app's close() now, then sends END. */
  onComplete(): void {
    this.#whole = true;
    this.#notify();
  }

  /** END: the response is complete on the Python side. */
  onEnd(): void {
    this.#settle();
  }

  /** ERROR from the app, or a fault (crash, timeout): before the head it becomes the answer; after it, an abort. */
  fail(error: Error | PythonAppError): void {
    if (!this.#headDone) {
      this.#headDone = true;
      this.#rejectHead(error);
    } else if (this.#whole) {
      // The body went (or goes) out whole; the app failed afterwards (in close(), past its Content-Length).
      this.lateFailure?.(error);
    } else {
      this.#failure = error;
    }
    this.#settle();
  }

  #settle(): void {
    if (this.settled) return;
    this.settled = true;
    if (!this.#headDone) {
      // Ended without a head: only after close() (ABORT) — the worker dropped it, or it never reached one.
      this.#headDone = true;
      this.#rejectHead(clientErrors.clientGone());
    }
    this.#onSettled();
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  // ---- the body, for runApplication

  /** Fast path: the whole response arrived in one read, so the body is an array and its length is known. */
  get complete(): Uint8Array[] | undefined {
    if (!(this.settled || this.#whole) || this.#failure || this.#head > 0) return undefined;
    const items = this.#items;
    for (const item of items) if (!(item instanceof Uint8Array)) return undefined;
    // Many small chunks (an app yielding its body a few bytes at a time) go out as one: a write each costs more.
    // (Bounded: the worker sends at most WINDOW body bytes before Node grants more.)
    return items.length > COALESCE_COUNT ? [Buffer.concat(items as Uint8Array[])] : (items as Uint8Array[]);
  }

  body(): Body {
    return {
      [Symbol.asyncIterator]: () => this.#iterate(),
      close: () => this.close(),
    };
  }

  async *#iterate(): AsyncGenerator<Uint8Array> {
    let unacked = 0;
    for (;;) {
      const item = this.#next();
      if (item instanceof Uint8Array) {
        yield item;
        // The consumer took it (runApplication awaited the sink): the worker may send that much more.
        unacked += item.length;
        if (unacked >= WINDOW / 2 && !this.settled) {
          this.#host.credit(this, unacked);
          unacked = 0;
        }
      } else if (item) {
        yield* sendFile(item);
      } else if (this.#whole) {
        return;
      } else if (this.#failure) {
        throw this.#failure;
      } else if (this.settled) {
        return;
      } else {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    }
  }

  /**
   * The next thing to send, or undefined when nothing is waiting. Body chunks that arrived together go out as one
   * (up to COALESCE_BYTES): each costs the writer a write and a promise hand-off, which an app yielding its body a
   * few bytes at a time would otherwise pay per chunk.
   */
  #next(): Item | undefined {
    const items = this.#items;
    const head = this.#head;
    if (head >= items.length) return undefined;
    const first = items[head];
    let end = head + 1;
    if (first instanceof Uint8Array) {
      let size = first.length;
      while (end < items.length && size < COALESCE_BYTES) {
        const item = items[end];
        if (!(item instanceof Uint8Array)) break;
        size += item.length;
        end++;
      }
    }
    const taken = end === head + 1 ? first : Buffer.concat(items.slice(head, end) as Uint8Array[]);
    if (end === items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (end >= COMPACT_AFTER) {
      // A long stream to a slow client never drains the queue whole: drop what was sent, or it stays referenced.
      this.#items = items.slice(end);
      this.#head = 0;
    } else {
      items.fill(TAKEN, head, end);
      this.#head = end;
    }
    return taken;
  }

  /** The body was closed: the client left, or the response was refused. */
  get closed(): boolean {
    return this.#closed;
  }

  /** S14: the body's close(). Tells the worker to stop when it is still running; releases open files. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // After COMPLETE the worker runs only the app's close(): nothing to stop.
    if (!this.settled && !this.#whole) this.#host.abort(this);
    const left = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    for (const item of left) {
      if (!(item instanceof Uint8Array)) void item.file.then((handle) => handle?.close());
    }
  }
}

/** name, value, name, value … from `start` on, as [name, value] pairs. */
function headerPairs(items: string[], start: number): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = start; i + 1 < items.length; i += 2) pairs.push([items[i], items[i + 1]]);
  return pairs;
}

/**
 * The file the worker has open, opened again by its path; null when the path leads to another file by now (an
 * atomic deploy replaced it, a temp file was recycled): the worker then iterates its own open file instead.
 */
async function openSameFile(slice: FileSlice): Promise<FileHandle | null> {
  const handle = await open(slice.path, 'r');
  try {
    const stats = await handle.stat({ bigint: true });
    if (stats.dev === slice.device && stats.ino === slice.inode) return handle;
  } catch {}
  await handle.close();
  return null;
}

const FILE_BLOCK = 64 * 1024;
/** Body chunks that arrived together are sent as one, up to this many bytes… */
const COALESCE_BYTES = 64 * 1024;
/** A whole response of more chunks than this is handed over joined into one. */
const COALESCE_COUNT = 16;
/** Taken items are dropped from the queue by copying the rest once this many were taken, else overwritten. */
const COMPACT_AFTER = 1024;
const TAKEN = new Uint8Array(0);

/** S15 fast path: Node reads the file the app wrapped, from the worker's offset, for the worker's length. */
async function* sendFile(item: {
  file: Promise<FileHandle | null>;
  offset: number;
  length: number;
}): AsyncGenerator<Uint8Array> {
  const handle = await item.file;
  if (handle === null) return; // the worker iterates the wrapper instead: BODY frames follow
  try {
    let position = item.offset;
    let left = item.length;
    while (left > 0) {
      const buffer = Buffer.allocUnsafe(Math.min(FILE_BLOCK, left));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) throw new Error(`file ended ${left} bytes early (truncated while being sent?)`);
      position += bytesRead;
      left -= bytesRead;
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
