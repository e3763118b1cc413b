import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloudError, type CloudErrorKind } from '../errors.js';
import type { Clock } from './rate-limiter.js';
import { backoffDelay, withRetry, type RetryPolicy } from './retry.js';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 60_000 };

function manualClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return { slept, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)) };
}

const fail = (kind: CloudErrorKind) => new CloudError({ kind, code: kind, action: 'Test', message: kind });

/** An operation failing with the given kinds, then succeeding; records its attempts. */
function flaky(kinds: CloudErrorKind[]) {
  const attempts: number[] = [];
  return {
    attempts,
    run: async (n: number) => {
      attempts.push(n);
      const kind = kinds[n - 1];
      if (kind) throw fail(kind);
      return 'done';
    },
  };
}

describe('withRetry', () => {
  it('retries throttling even for a call that is not idempotent, since it never ran', async () => {
    const op = flaky(['Throttled', 'Throttled']);
    const clock = manualClock();
    assert.equal(await withRetry(op.run, { policy, idempotent: false, clock, random: () => 1 }), 'done');
    assert.deepEqual(op.attempts, [1, 2, 3]);
    assert.deepEqual(clock.slept, [100, 200]);
  });

  it('retries a transient failure only when the call is idempotent', async () => {
    const idempotent = flaky(['Transient']);
    assert.equal(await withRetry(idempotent.run, { policy, idempotent: true, clock: manualClock() }), 'done');
    const notIdempotent = flaky(['Transient']);
    await assert.rejects(withRetry(notIdempotent.run, { policy, idempotent: false, clock: manualClock() }), { kind: 'Transient' });
    assert.deepEqual(notIdempotent.attempts, [1]);
  });

  it('does not retry errors a resend cannot fix', async () => {
    for (const kind of ['InsufficientCapacity', 'NotFound', 'InvalidRequest', 'Conflict'] as const) {
      const op = flaky([kind]);
      await assert.rejects(withRetry(op.run, { policy, idempotent: true, clock: manualClock() }), { kind });
      assert.deepEqual(op.attempts, [1]);
    }
  });

  it('gives up after maxAttempts with the last error', async () => {
    const op = flaky(['Throttled', 'Throttled', 'Throttled', 'Throttled', 'Throttled']);
    await assert.rejects(withRetry(op.run, { policy, idempotent: true, clock: manualClock() }), { kind: 'Throttled' });
    assert.equal(op.attempts.length, policy.maxAttempts);
  });

  it('gives up when the next wait would pass the deadline', async () => {
    const op = flaky(['Throttled', 'Throttled', 'Throttled']);
    const tight = { ...policy, maxElapsedMs: 250 };
    await assert.rejects(withRetry(op.run, { policy: tight, idempotent: true, clock: manualClock(), random: () => 1 }));
    // 100 ms then 200 ms would reach 300 ms > 250 ms: only the first wait happens.
    assert.deepEqual(op.attempts, [1, 2]);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const op = flaky(['Throttled', 'Throttled']);
    const run = async (n: number) => {
      controller.abort(new Error('shutting down'));
      return op.run(n);
    };
    await assert.rejects(withRetry(run, { policy, idempotent: true, signal: controller.signal, clock: manualClock() }), /shutting down/);
  });
});

describe('backoffDelay', () => {
  it('doubles its ceiling per attempt up to the maximum, with full jitter', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 0.999999)), [99, 199, 399, 799, 999]);
    assert.equal(backoffDelay(policy, 3, () => 0), 0);
  });
});
