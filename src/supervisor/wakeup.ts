// A queue the arbiter's loop sleeps on: push() records an event and wakes the loop; next() waits for an event
// or the tick, whichever comes first, and hands over everything queued.

export class EventQueue<E> {
  #events: E[] = [];
  #wake: (() => void) | null = null;

  push(event: E): void {
    this.#events.push(event);
    this.#wake?.();
  }

  async next(tickMs: number): Promise<E[]> {
    if (this.#events.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, tickMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
    const events = this.#events;
    this.#events = [];
    return events;
  }
}
