// Serialization helpers: one cloud operation at a time per node, and store writes that coalesce
// (many allocations landing together share one write of the node's latest state).

/** Runs tasks one after another, in call order. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * Writes the latest state, at most one write in flight. A caller's `flush()` resolves once a
 * write that STARTED after its call has succeeded, so everything it changed before calling is
 * durable; it rejects if that write failed.
 */
export class CoalescingWriter {
  private running = false;
  private pending: { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void } | undefined;

  constructor(private readonly write: () => Promise<void>) {}

  flush(): Promise<void> {
    if (!this.running) return this.start();
    // A write is running with a snapshot that may predate the caller's change: ride the next one.
    if (!this.pending) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.pending = { promise, resolve, reject };
    }
    return this.pending.promise;
  }

  private start(): Promise<void> {
    this.running = true;
    let p: Promise<void>;
    try {
      p = this.write();
    } catch (err) {
      p = Promise.reject(err);
    }
    const after = (): void => {
      this.running = false;
      const pending = this.pending;
      this.pending = undefined;
      if (pending) this.start().then(pending.resolve, pending.reject);
    };
    p.then(after, after);
    return p;
  }
}
