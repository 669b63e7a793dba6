// Open connections, added when one opens and removed when it closes: an array with each socket's own index kept
// on the socket, so that removing one moves the last into its place.
//
// Not a Set. A Set that gains and loses an entry per connection is rehashed into a new table every few dozen
// connections, and V8 keeps each obsolete table (with the sockets it held) linked to its successor for live
// iterators: once one of them reaches the old generation, every later table and every socket (with its request
// and response) survives the scavenges until a full collection. Measured under `Connection: close` load: ~520
// bytes of every request promoted, and the garbage collector's time per request doubled (src/runtimes/python/
// call-list.ts tells the same of a Map).

export class SocketSet<T extends object> implements Iterable<T> {
  readonly #items: T[] = [];
  /** Where each member sits in #items; a symbol of its own, so that one socket can be in several sets. */
  readonly #index = Symbol('index');

  get size(): number {
    return this.#items.length;
  }

  add(item: T): void {
    const slots = item as Record<symbol, number | undefined>;
    if (slots[this.#index] !== undefined) return;
    slots[this.#index] = this.#items.length;
    this.#items.push(item);
  }

  delete(item: T): void {
    const slots = item as Record<symbol, number | undefined>;
    const i = slots[this.#index];
    if (i === undefined) return;
    slots[this.#index] = undefined;
    const last = this.#items.pop() as T;
    if (last !== item) {
      this.#items[i] = last;
      (last as Record<symbol, number | undefined>)[this.#index] = i;
    }
  }

  /** A snapshot: members may be removed (or added) while it is iterated. */
  [Symbol.iterator](): Iterator<T> {
    return [...this.#items][Symbol.iterator]();
  }
}
