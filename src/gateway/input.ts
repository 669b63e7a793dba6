// environ['wsgi.input'] (S5): read / readline / readlines / iteration over a pull-based body source.

import type { Input } from './types.js';

/** Where the body comes from: the HTTP server's request stream, a test client's bytes, a buffered file. */
export interface BodySource {
  /** The next chunk, or null at end of body. Rejects when the body is broken (client gone, bad chunking). */
  next(): Promise<Uint8Array | null>;
}

const EMPTY = new Uint8Array(0);

export class BodyInput implements Input {
  #source: BodySource;
  #onFirstRead: (() => void) | undefined;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #ended = false;

  /** `onFirstRead` runs once, before the first read of any kind: the server sends `100 Continue` there (S16). */
  constructor(source: BodySource, onFirstRead?: () => void) {
    this.#source = source;
    this.#onFirstRead = onFirstRead;
  }

  /** Pull one more chunk into the buffer; false at end of body. */
  async #fill(): Promise<boolean> {
    if (this.#onFirstRead) {
      const hook = this.#onFirstRead;
      this.#onFirstRead = undefined;
      hook();
    }
    while (!this.#ended) {
      const chunk = await this.#source.next();
      if (chunk === null) {
        this.#ended = true;
        return false;
      }
      if (chunk.length > 0) {
        this.#pending.push(chunk);
        this.#pendingBytes += chunk.length;
        return true;
      }
    }
    return false;
  }

  /** Take exactly `n` buffered bytes (n ≤ pendingBytes). */
  #take(n: number): Uint8Array {
    if (n === 0) return EMPTY;
    const first = this.#pending[0];
    if (first.length === n) {
      this.#pending.shift();
      this.#pendingBytes -= n;
      return first;
    }
    if (first.length > n) {
      this.#pending[0] = first.subarray(n);
      this.#pendingBytes -= n;
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const head = this.#pending[0];
      const want = n - off;
      if (head.length <= want) {
        out.set(head, off);
        off += head.length;
        this.#pending.shift();
      } else {
        out.set(head.subarray(0, want), off);
        this.#pending[0] = head.subarray(want);
        off += want;
      }
    }
    this.#pendingBytes -= n;
    return out;
  }

  async read(size?: number): Promise<Uint8Array> {
    checkSize(size);
    const all = size === undefined || size === null || size < 0;
    if (!all && size === 0) return EMPTY;
    if (all) {
      while (await this.#fill()) {}
      return this.#take(this.#pendingBytes);
    }
    // Like a socket read: return what is buffered (up to size), pulling only when nothing is.
    if (this.#pendingBytes === 0) await this.#fill();
    return this.#take(Math.min(size, this.#pendingBytes));
  }

  async readline(size?: number): Promise<Uint8Array> {
    checkSize(size);
    const limit = size === undefined || size === null || size < 0 ? Number.POSITIVE_INFINITY : size;
    if (limit === 0) return EMPTY;
    let scanned = 0;
    for (;;) {
      // Look for '\n' in the chunks not yet scanned.
      let seen = 0;
      for (const chunk of this.#pending) {
        if (seen + chunk.length > scanned) {
          const from = Math.max(0, scanned - seen);
          const nl = chunk.indexOf(0x0a, from);
          if (nl !== -1) return this.#take(Math.min(seen + nl + 1, limit));
        }
        seen += chunk.length;
      }
      scanned = seen;
      if (scanned >= limit) return this.#take(limit);
      if (!(await this.#fill())) return this.#take(this.#pendingBytes);
    }
  }

  async readlines(hint?: number): Promise<Uint8Array[]> {
    const lines: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return lines;
      lines.push(line);
      total += line.length;
      if (hint !== undefined && hint > 0 && total >= hint) return lines;
    }
  }

  /** Iteration yields lines, as a Python file object does (S5). */
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }
}

/** Sizes are whole byte counts: a fractional one would split a byte between two reads. */
function checkSize(size: number | undefined): void {
  if (size !== undefined && size !== null && !Number.isInteger(size)) {
    throw new TypeError(`wsgi.input size must be an integer number of bytes, got ${size}`);
  }
}

/** A body source over bytes already in memory (test client, buffered bodies). */
export function bytesSource(chunks: Iterable<Uint8Array>): BodySource {
  const it = chunks[Symbol.iterator]();
  return {
    next: async () => {
      const r = it.next();
      return r.done ? null : r.value;
    },
  };
}

const NO_LINES: Uint8Array[] = [];

/** wsgi.input of a request without a body: always at its end. Stateless, so one object serves every request. */
export const emptyInput: Input = Object.freeze({
  read: () => Promise.resolve(EMPTY),
  readline: () => Promise.resolve(EMPTY),
  readlines: () => Promise.resolve(NO_LINES.slice()),
  [Symbol.asyncIterator]: async function* (): AsyncIterator<Uint8Array> {},
});
