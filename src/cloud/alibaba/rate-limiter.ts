// Client-side flow control per OpenAPI action, so the operator stays under Alibaba Cloud's
// per-account limits instead of learning them from Throttling answers. Token buckets, with
// Terway's defaults: N calls per minute means a burst of N refilled at N/60 per second.

export interface ActionLimit {
  /** Sustained calls per second. */
  qps: number;
  /** Calls allowed at once after a quiet period. */
  burst: number;
}

/** Calls per minute, the unit Terway configures. The empty key is the default for other actions. */
export const defaultCallsPerMinute: Readonly<Record<string, number>> = {
  '': 500,
  AttachNetworkInterface: 500,
  CreateNetworkInterface: 500,
  DeleteNetworkInterface: 500,
  DescribeNetworkInterfaces: 800,
  DescribeNetworkInterfaceAttribute: 2000,
  DetachNetworkInterface: 400,
  AssignPrivateIpAddresses: 400,
  UnassignPrivateIpAddresses: 400,
  DescribeInstanceTypes: 400,
  DescribeVSwitches: 300,
  // Not in Terway: the price catalog issues one call per instance type when it refreshes.
  DescribePrice: 1200,
  DescribeSpotPriceHistory: 1200,
};

export function limitFromCallsPerMinute(callsPerMinute: number): ActionLimit {
  return { qps: callsPerMinute / 60, burst: callsPerMinute };
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

/**
 * One bucket. Callers reserve a token and wait until it is theirs, so waiters are served in the
 * order they arrived and a burst of callers spreads out at the sustained rate.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly limit: ActionLimit,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(limit.qps > 0) || !(limit.burst >= 1)) {
      throw new Error(`invalid rate limit: qps ${limit.qps}, burst ${limit.burst}`);
    }
    this.tokens = limit.burst;
    this.updatedAt = clock.now();
  }

  /** Milliseconds the caller must wait for the token it has just reserved. */
  reserve(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.limit.qps);
    this.updatedAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.limit.qps) * 1000;
  }

  /** Gives back a reserved token whose wait was abandoned. */
  cancel(): void {
    this.tokens = Math.min(this.limit.burst, this.tokens + 1);
  }

  async take(signal?: AbortSignal): Promise<number> {
    const waitMs = this.reserve();
    if (waitMs > 0) {
      try {
        await this.clock.sleep(waitMs, signal);
      } catch (err) {
        this.cancel();
        throw err;
      }
    }
    return waitMs;
  }
}

/** A bucket per action, made on first use from the configured or default limits. */
export class ActionRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly limits: Record<string, ActionLimit>;

  constructor(
    overrides: Record<string, ActionLimit> = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.limits = {
      ...Object.fromEntries(Object.entries(defaultCallsPerMinute).map(([a, n]) => [a, limitFromCallsPerMinute(n)])),
      ...overrides,
    };
  }

  limitOf(action: string): ActionLimit {
    const limit = this.limits[action] ?? this.limits[''];
    if (!limit) throw new Error(`no rate limit for ${action} and no default`);
    return limit;
  }

  /** Waits for a token of the action's bucket; resolves with the milliseconds waited. */
  take(action: string, signal?: AbortSignal): Promise<number> {
    let bucket = this.buckets.get(action);
    if (!bucket) {
      bucket = new TokenBucket(this.limitOf(action), this.clock);
      this.buckets.set(action, bucket);
    }
    return bucket.take(signal);
  }
}
