// API-level faults: throttling, injected error codes, 5xx and latency, each for one action or
// all ("*"), a number of times or forever, always or with a probability (seeded, so runs
// repeat). Throttling can also be a real rate limit (a token bucket per rule).
import { z } from 'zod';
import { ApiError, apiErrors } from '../errors.js';
import { seededRandom } from '../model/random.js';

const common = {
  /** Action name, or "*" / absent for every action. */
  action: z.string().optional(),
  /** Fire this many times, then retire the rule. */
  times: z.number().int().positive().optional(),
  /** Fire on this share of matching calls (seeded). */
  probability: z.number().min(0).max(1).optional(),
};

export const faultRuleSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('throttle'),
    ...common,
    code: z.enum(['Throttling', 'Throttling.User']).default('Throttling.User'),
    /** A rate limit instead of a probability: calls above it (after the burst) are throttled. */
    ratePerSecond: z.number().positive().optional(),
    burst: z.number().int().positive().optional(),
  }),
  z.object({
    kind: z.literal('error'),
    ...common,
    action: z.string(),
    code: z.string().min(1),
    message: z.string().optional(),
    httpStatus: z.number().int().min(400).max(599).default(400),
  }),
  z.object({
    kind: z.literal('serverError'),
    ...common,
    httpStatus: z.union([z.literal(500), z.literal(503)]).default(503),
  }),
  z.object({
    kind: z.literal('latency'),
    ...common,
    ms: z.number().nonnegative(),
  }),
]);

export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.output<typeof faultRuleSchema>;

interface ActiveRule {
  id: number;
  rule: FaultRule;
  fired: number;
  bucket?: { tokens: number; at: number };
}

export interface FaultDecision {
  delayMs: number;
  error?: ApiError;
}

export class FaultRules {
  private readonly rules: ActiveRule[] = [];
  private nextId = 1;
  private readonly random: () => number;

  constructor(
    seed: number,
    private readonly clock: () => number = () => Date.now(),
  ) {
    this.random = seededRandom(seed);
  }

  add(input: FaultRuleInput): number {
    const rule = faultRuleSchema.parse(input);
    const id = this.nextId++;
    const active: ActiveRule = { id, rule, fired: 0 };
    if (rule.kind === 'throttle' && rule.ratePerSecond !== undefined) {
      active.bucket = { tokens: rule.burst ?? Math.max(1, Math.ceil(rule.ratePerSecond)), at: this.clock() };
    }
    this.rules.push(active);
    return id;
  }

  remove(id: number): boolean {
    const index = this.rules.findIndex((r) => r.id === id);
    if (index >= 0) this.rules.splice(index, 1);
    return index >= 0;
  }

  clear(): void {
    this.rules.length = 0;
  }

  list(): { id: number; rule: FaultRule; fired: number }[] {
    return this.rules.map(({ id, rule, fired }) => ({ id, rule, fired }));
  }

  private matches(rule: FaultRule, action: string): boolean {
    return rule.action === undefined || rule.action === '*' || rule.action === action;
  }

  /** Token bucket: true when this call is over the rate. */
  private overRate(active: ActiveRule, rate: number): boolean {
    const bucket = active.bucket!;
    const now = this.clock();
    const capacity = active.rule.kind === 'throttle' ? (active.rule.burst ?? Math.max(1, Math.ceil(rate))) : 1;
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return false;
    }
    return true;
  }

  private fires(active: ActiveRule): boolean {
    const { rule } = active;
    if (rule.kind === 'throttle' && rule.ratePerSecond !== undefined) {
      if (!this.overRate(active, rule.ratePerSecond)) return false;
    } else if (rule.probability !== undefined && this.random() >= rule.probability) {
      return false;
    }
    active.fired++;
    if (rule.times !== undefined && active.fired >= rule.times) this.remove(active.id);
    return true;
  }

  decide(action: string): FaultDecision {
    const decision: FaultDecision = { delayMs: 0 };
    for (const active of [...this.rules]) {
      const { rule } = active;
      if (!this.matches(rule, action)) continue;
      if (rule.kind === 'latency') {
        if (this.fires(active)) decision.delayMs += rule.ms;
        continue;
      }
      if (decision.error || !this.fires(active)) continue;
      switch (rule.kind) {
        case 'throttle':
          decision.error = rule.code === 'Throttling' ? apiErrors.throttling() : apiErrors.throttlingUser();
          break;
        case 'serverError':
          decision.error = rule.httpStatus === 500 ? apiErrors.internalError() : apiErrors.serviceUnavailable();
          break;
        case 'error':
          decision.error = new ApiError(rule.code, rule.message ?? `Injected fault ${rule.code}.`, rule.httpStatus);
          break;
      }
    }
    return decision;
  }
}
