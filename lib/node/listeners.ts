// A tiny listener set: add returns its own removal, emit isolates listeners from each other.
// Pure; used by every NodeClient for new-template and connection events.

/** Listeners of one event; a throwing listener never stops the others. */
export class Listeners<T extends unknown[]> {
  #set = new Set<(...args: T) => void>();

  constructor(private readonly onError: (error: unknown) => void = () => {}) {}

  /** Adds `fn`; returns a function removing it. */
  add(fn: (...args: T) => void): () => void {
    const wrapped = (...args: T) => fn(...args);
    this.#set.add(wrapped);
    return () => {
      this.#set.delete(wrapped);
    };
  }

  emit(...args: T): void {
    for (const fn of [...this.#set]) {
      try {
        fn(...args);
      } catch (e) {
        this.onError(e);
      }
    }
  }

  get size(): number {
    return this.#set.size;
  }
}
