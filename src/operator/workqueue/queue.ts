// A keyed work queue with client-go's guarantees:
//  - a key waiting in the queue is there once, however often it is added (dedupe);
//  - a key being processed is never handed to a second worker; adding it meanwhile marks it
//    dirty and it is queued again when the first worker calls done();
//  - addAfter() delays an add (the earliest pending delay wins); addRateLimited() delays by the
//    key's exponential backoff; forget() resets that backoff.
import type { RuntimeMetrics } from '../metrics.js';
import { DelayHeap } from './delay-heap.js';
import { ExponentialBackoff, type BackoffOptions } from './rate-limiter.js';

export interface WorkQueueOptions {
  name: string;
  backoff?: BackoffOptions;
  metrics?: RuntimeMetrics;
}

export class WorkQueue {
  readonly name: string;
  private readonly queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly addedAt = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();
  private readonly waiting = new Map<string, number>();
  private readonly delays = new DelayHeap();
  private delayTimer: NodeJS.Timeout | undefined;
  private delayTimerAt = Infinity;
  private readonly getters: Array<(key: string | undefined) => void> = [];
  private readonly backoff: ExponentialBackoff;
  private readonly metrics: RuntimeMetrics | undefined;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.backoff = new ExponentialBackoff(options.backoff);
    this.metrics = options.metrics;
  }

  /** Keys waiting to be processed (not counting delayed or in-flight ones). */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Keys whose delayed add has not fired yet. */
  get delayedCount(): number {
    return this.waiting.size;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics?.queueAdds.inc({ name: this.name });
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.enqueue(key);
  }

  /** Adds the key after `delayMs`; a pending earlier add of the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const readyAt = Date.now() + delayMs;
    const pending = this.waiting.get(key);
    if (pending !== undefined && pending <= readyAt) return;
    this.waiting.set(key, readyAt);
    this.delays.push({ readyAt, key });
    this.armDelayTimer();
  }

  /** Adds the key after its backoff: the n-th consecutive failure waits base * 2^(n-1), capped. */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.metrics?.queueRetries.inc({ name: this.name });
    this.addAfter(key, this.backoff.when(key));
  }

  /** Consecutive rate-limited adds of the key since it was last forgotten. */
  retries(key: string): number {
    return this.backoff.retries(key);
  }

  /** Clears the key's backoff (call after a successful reconcile). */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  /**
   * The next key to process, marked in-flight until done(key); waits while the queue is empty.
   * Resolves undefined once the queue shuts down.
   */
  get(): Promise<string | undefined> {
    if (this.length > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: string): void {
    if (!this.processing.delete(key)) return;
    const started = this.startedAt.get(key);
    this.startedAt.delete(key);
    if (started !== undefined) this.metrics?.workDuration.observe({ name: this.name }, (performance.now() - started) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) this.enqueue(key);
  }

  /** Stops handing out keys: waiting get() calls resolve undefined; delayed adds are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.delayTimer = undefined;
    this.delays.clear();
    this.waiting.clear();
    for (const resolve of this.getters.splice(0)) resolve(undefined);
    this.metrics?.queueDepth.set({ name: this.name }, 0);
  }

  private enqueue(key: string): void {
    this.addedAt.set(key, performance.now());
    const getter = this.getters.shift();
    if (getter) {
      // A worker is already waiting: hand the key over without a round trip through the array.
      this.queue.push(key);
      getter(this.take());
      return;
    }
    this.queue.push(key);
    this.metrics?.queueDepth.set({ name: this.name }, this.length);
  }

  private take(): string {
    const key = this.queue[this.head]!;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.metrics?.queueDuration.observe({ name: this.name }, (performance.now() - added) / 1000);
    this.startedAt.set(key, performance.now());
    this.metrics?.queueDepth.set({ name: this.name }, this.length);
    return key;
  }

  private armDelayTimer(): void {
    const next = this.delays.peek();
    if (!next || next.readyAt >= this.delayTimerAt) return;
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.delayTimerAt = next.readyAt;
    this.delayTimer = setTimeout(() => this.fireDelayed(), Math.max(0, next.readyAt - Date.now()));
    this.delayTimer.unref();
  }

  private fireDelayed(): void {
    this.delayTimer = undefined;
    this.delayTimerAt = Infinity;
    const now = Date.now();
    for (let next = this.delays.peek(); next && next.readyAt <= now; next = this.delays.peek()) {
      this.delays.pop();
      // Skip entries superseded by an earlier add of the same key.
      if (this.waiting.get(next.key) !== next.readyAt) continue;
      this.waiting.delete(next.key);
      this.add(next.key);
    }
    this.armDelayTimer();
  }
}
