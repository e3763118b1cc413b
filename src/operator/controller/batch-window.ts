// A batching window, as Karpenter's provisioner batches pending pods: the batch closes when no
// new item arrived for `idleMs`, or `maxMs` after its first item, whichever comes first.

export interface BatchWindowOptions {
  idleMs: number;
  maxMs: number;
}

export class BatchWindow {
  private firstAt: number | undefined;
  private lastAt = 0;
  private waiter: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: BatchWindowOptions) {
    if (options.idleMs <= 0 || options.maxMs < options.idleMs) throw new Error(`invalid batch window: idle ${options.idleMs} ms, max ${options.maxMs} ms`);
  }

  /** Something arrived: opens a batch or extends the open one. */
  add(): void {
    const now = Date.now();
    this.firstAt ??= now;
    this.lastAt = now;
    this.schedule();
  }

  get open(): boolean {
    return this.firstAt !== undefined;
  }

  /**
   * Resolves when the current batch closes (waiting for a first item if none is open), and
   * starts a new, empty batch. Resolves early, with false, when the signal aborts.
   */
  wait(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => finish(false);
      const finish = (closed: boolean) => {
        signal.removeEventListener('abort', onAbort);
        if (this.waiter === close) this.waiter = undefined;
        if (closed) this.firstAt = undefined;
        resolve(closed);
      };
      const close = () => finish(true);
      this.waiter = close;
      signal.addEventListener('abort', onAbort, { once: true });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.firstAt === undefined || !this.waiter) return;
    const closesAt = Math.min(this.lastAt + this.options.idleMs, this.firstAt + this.options.maxMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = Date.now();
      if (this.firstAt !== undefined && now >= Math.min(this.lastAt + this.options.idleMs, this.firstAt + this.options.maxMs)) this.waiter?.();
      else this.schedule();
    }, Math.max(0, closesAt - Date.now()));
  }
}
