import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ActionRateLimiter, TokenBucket, type Clock } from './rate-limiter.js';

/** A clock that only moves when sleep is called, so waits are asserted as values, not timings. */
function manualClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw new Error('aborted');
      slept.push(ms);
      now += ms;
    },
  };
}

describe('TokenBucket', () => {
  it('lets a burst through, then spaces callers at the sustained rate', async () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ qps: 2, burst: 3 }, clock);
    const waits = [];
    for (let i = 0; i < 5; i++) waits.push(await bucket.take());
    assert.deepEqual(waits, [0, 0, 0, 500, 500]);
  });

  it('refills while idle, up to the burst', async () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ qps: 1, burst: 2 }, clock);
    await bucket.take();
    await bucket.take();
    await clock.sleep(10_000);
    assert.deepEqual([await bucket.take(), await bucket.take(), await bucket.take()], [0, 0, 1000]);
  });

  it('gives the token back when a wait is aborted', async () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ qps: 1, burst: 1 }, clock);
    await bucket.take();
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(bucket.take(controller.signal));
    // The aborted caller's reservation is released, so the next caller waits one interval, not two.
    assert.equal(await bucket.take(), 1000);
  });

  it('rejects a limit that could never grant a token', () => {
    assert.throws(() => new TokenBucket({ qps: 0, burst: 1 }));
  });
});

describe('ActionRateLimiter', () => {
  it("uses Terway's per-minute defaults and lets configuration override one action", () => {
    const limiter = new ActionRateLimiter({ AssignPrivateIpAddresses: { qps: 1, burst: 2 } });
    assert.deepEqual(limiter.limitOf('DescribeNetworkInterfaces'), { qps: 800 / 60, burst: 800 });
    assert.deepEqual(limiter.limitOf('AssignPrivateIpAddresses'), { qps: 1, burst: 2 });
    assert.deepEqual(limiter.limitOf('SomeOtherAction'), { qps: 500 / 60, burst: 500 });
  });

  it('keeps separate buckets per action', async () => {
    const clock = manualClock();
    const limiter = new ActionRateLimiter({ A: { qps: 1, burst: 1 }, B: { qps: 1, burst: 1 } }, clock);
    assert.equal(await limiter.take('A'), 0);
    assert.equal(await limiter.take('B'), 0);
    assert.equal(await limiter.take('A'), 1000);
  });
});
