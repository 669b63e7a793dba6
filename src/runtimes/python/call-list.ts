// A worker's outstanding calls, in the order they were sent: the pool finds one by id for each frame, takes the
// oldest for its queue and timeout checks, and removes each when it ends.
//
// An array, not a Map. A Map that gains and loses an entry per request is rehashed into a new table every few
// dozen requests, and V8 keeps each obsolete table (with the entries it held) linked to its successor for live
// iterators. Once one obsolete table has been promoted to the old generation, the scavenger treats its links as
// roots: every later table, and every call, environ and response any of them held, survives two scavenges and is
// promoted, until a full collection. Measured on the front end of a Python app under keep-alive load: 2.6 KB of
// every request promoted and ~12 µs of garbage collection per request; with this array, a few bytes and ~1 µs.
// A worker holds at most its threads plus a short queue (pool.ts: MAX_QUEUE), so a linear search is cheap; with
// one thread replies come in the order requests went out, so it stops at the first entry.

import type { RemoteCall } from './call.js';

export class CallList implements Iterable<RemoteCall> {
  readonly #calls: RemoteCall[] = [];

  get size(): number {
    return this.#calls.length;
  }

  /** The call sent first of those outstanding. */
  first(): RemoteCall | undefined {
    return this.#calls[0];
  }

  add(call: RemoteCall): void {
    this.#calls.push(call);
  }

  get(id: number): RemoteCall | undefined {
    const calls = this.#calls;
    for (let i = 0; i < calls.length; i++) if (calls[i].id === id) return calls[i];
    return undefined;
  }

  delete(call: RemoteCall): void {
    const i = this.#calls.indexOf(call);
    if (i !== -1) this.#calls.splice(i, 1);
  }

  clear(): void {
    this.#calls.length = 0;
  }

  /** In the order sent. Removing a call while iterating skips the one after it: stop iterating after a removal. */
  [Symbol.iterator](): Iterator<RemoteCall> {
    return this.#calls[Symbol.iterator]();
  }
}
