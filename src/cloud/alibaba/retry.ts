// Retries with exponential backoff and full jitter, for errors that may succeed when sent again.
// Throttled requests never ran, so they are always safe to resend; a Transient failure (5xx,
// a dropped connection) may have run, so it is resent only when the call is idempotent: a read,
// a delete, or a create that carries its ClientToken.
import { CloudError } from '../errors.js';
import { abortReason, systemClock, type Clock } from './rate-limiter.js';

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Give up when the next attempt would start after this many milliseconds from the first. */
  maxElapsedMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxElapsedMs: 60_000,
};

export interface RetryOptions {
  policy: RetryPolicy;
  /** Whether a Transient failure may be resent (the call cannot take effect twice). */
  idempotent: boolean;
  signal?: AbortSignal;
  clock?: Clock;
  random?: () => number;
  onRetry?: (err: CloudError, attempt: number, delayMs: number) => void;
}

export function isRetryable(err: CloudError, idempotent: boolean): boolean {
  return err.kind === 'Throttled' || (err.kind === 'Transient' && idempotent);
}

/** Full jitter: a uniform delay in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Runs `attempt` until it succeeds, fails with an error that must not be retried, runs out of
 * attempts or time, or the signal aborts. `attempt` must throw CloudError.
 */
export async function withRetry<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  for (let n = 1; ; n++) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof CloudError) || !isRetryable(err, options.idempotent) || n >= options.policy.maxAttempts) {
        throw err;
      }
      const delayMs = backoffDelay(options.policy, n, options.random);
      if (clock.now() - startedAt + delayMs > options.policy.maxElapsedMs) throw err;
      options.onRetry?.(err, n, delayMs);
      await clock.sleep(delayMs, options.signal);
    }
  }
}
