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
// one thread replies come in the order requests went out, so it stops at the first entry. Only a gevent worker
// holds more (up to --worker-connections): then a Map finds them.

import type { RemoteCall } from './call.js';

/** With more outstanding calls than this (a gevent worker runs up to --worker-connections), ids are looked up in a
 * Map, kept until the list falls back under INDEX_UNTIL: a long scan per frame would cost more than the churn. */
const INDEX_FROM = 64;
const INDEX_UNTIL = 16;

export class CallList implements Iterable<RemoteCall> {
  readonly #calls: RemoteCall[] = [];
  #index: Map<number, RemoteCall> | undefined;

  get size(): number {
    return this.#calls.length;
  }

  /** The call sent first of those outstanding. */
  first(): RemoteCall | undefined {
    return this.#calls[0];
  }

  /** The call sent `i`-th (0: first) of those outstanding. */
  at(i: number): RemoteCall | undefined {
    return this.#calls[i];
  }

  add(call: RemoteCall): void {
    this.#calls.push(call);
    if (this.#index) this.#index.set(call.id, call);
    else if (this.#calls.length > INDEX_FROM) this.#index = new Map(this.#calls.map((c) => [c.id, c]));
  }

  get(id: number): RemoteCall | undefined {
    if (this.#index) return this.#index.get(id);
    const calls = this.#calls;
    for (let i = 0; i < calls.length; i++) if (calls[i].id === id) return calls[i];
    return undefined;
  }

  delete(call: RemoteCall): void {
    const i = this.#calls.indexOf(call);
    if (i === -1) return;
    this.#calls.splice(i, 1);
    if (this.#index) {
      this.#index.delete(call.id);
      if (this.#calls.length < INDEX_UNTIL) this.#index = undefined;
    }
  }

  clear(): void {
    this.#calls.length = 0;
    this.#index = undefined;
  }

  /** In the order sent. Removing a call while iterating skips the one after it: stop iterating after a removal. */
  [Symbol.iterator](): Iterator<RemoteCall> {
    return this.#calls[Symbol.iterator]();
  }
}
