// A small, bounded memo keyed by strings, for the hot path: the same few dozen strings (header names, statuses,
// header values) come back on every request, and a slot picked from a string's length and its first and last
// characters, confirmed by one string comparison, is cheaper than hashing the whole string for a Map. Direct-mapped:
// a new string takes its slot's place, so a collision only costs computing the value again.

export class StringSlots<V> {
  readonly #names: Array<string | undefined>;
  readonly #values: Array<V | undefined>;
  readonly #mask: number;
  readonly #maxLength: number;

  /** `size` a power of two; strings longer than `maxLength` are never kept (no large string held on to). */
  constructor(size: number, maxLength = Number.POSITIVE_INFINITY) {
    this.#names = new Array(size).fill(undefined);
    this.#values = new Array(size).fill(undefined);
    this.#mask = size - 1;
    this.#maxLength = maxLength;
  }

  #slot(s: string): number {
    const n = s.length;
    return (n * 31 + s.charCodeAt(0) * 7 + s.charCodeAt(n - 1)) & this.#mask;
  }

  /** The value kept for `s`, or undefined. */
  get(s: string): V | undefined {
    if (s.length === 0) return undefined;
    const slot = this.#slot(s);
    return this.#names[slot] === s ? this.#values[slot] : undefined;
  }

  set(s: string, value: V): void {
    if (s.length === 0 || s.length > this.#maxLength) return;
    const slot = this.#slot(s);
    this.#names[slot] = s;
    this.#values[slot] = value;
  }
}
