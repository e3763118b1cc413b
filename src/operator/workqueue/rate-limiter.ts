// Per-key exponential backoff, as client-go's ItemExponentialFailureRateLimiter: the n-th
// consecutive failure of a key waits base * 2^(n-1), capped at max; forget() resets the key.

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultBackoff: BackoffOptions = { baseDelayMs: 100, maxDelayMs: 5 * 60_000 };

export class ExponentialBackoff {
  private readonly failures = new Map<string, number>();

  constructor(private readonly options: BackoffOptions = defaultBackoff) {
    if (options.baseDelayMs <= 0 || options.maxDelayMs < options.baseDelayMs) {
      throw new Error(`invalid backoff: base ${options.baseDelayMs} ms, max ${options.maxDelayMs} ms`);
    }
  }

  /** Records one more failure of the key and returns how long to wait before retrying it. */
  when(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    // 2^failures overflows to Infinity long after the cap applies, so Math.min keeps it finite.
    return Math.min(this.options.baseDelayMs * 2 ** failures, this.options.maxDelayMs);
  }

  /** Consecutive failures recorded for the key. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}
