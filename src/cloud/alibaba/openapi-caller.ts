// Every OpenAPI call goes through here: the action's rate limit, one metric and one log line per
// attempt, error classification, retries where they are safe, and validation of the answer.
// Only identifiers the caller names are logged, never request parameters (user data carries
// bootstrap secrets).
import type { Logger } from 'pino';
import type { z } from 'zod';
import { CloudError } from '../errors.js';
import { toCloudError } from './error-classification.js';
import type { OpenApiMetrics } from './metrics.js';
import { systemClock, type ActionRateLimiter, type Clock } from './rate-limiter.js';
import { withRetry, type RetryPolicy } from './retry.js';

export interface CallOptions {
  /** Whether sending the request twice cannot take effect twice (reads, deletes, token-carrying creates). */
  idempotent: boolean;
  /** Identifiers worth a log field, e.g. { instanceId }. */
  logFields?: Record<string, string | number | undefined>;
}

export interface OpenApiCallerDeps {
  limiter: ActionRateLimiter;
  metrics: OpenApiMetrics;
  logger: Logger;
  retryPolicy: RetryPolicy;
  /** Aborts waits (rate limit, backoff) when the operator shuts down. */
  signal?: AbortSignal;
  clock?: Clock;
  random?: () => number;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

export class OpenApiCaller {
  private readonly clock: Clock;

  constructor(private readonly deps: OpenApiCallerDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  /**
   * Sends `send` (one SDK call returning { body }) until it succeeds or fails for good, and
   * returns the body validated against `schema`.
   */
  async call<S extends z.ZodType>(
    action: string,
    options: CallOptions,
    schema: S,
    send: () => Promise<{ body?: unknown }>,
  ): Promise<z.output<S>> {
    const log = this.deps.logger;
    const body = await withRetry(
      async (attempt) => {
        await this.deps.limiter.take(action, this.deps.signal);
        const startedAt = this.clock.now();
        try {
          const response = await send();
          const durationMs = this.clock.now() - startedAt;
          this.deps.metrics.observe(action, durationMs, 'OK');
          const requestId = requestIdOf(response.body);
          log.debug({ ...options.logFields, action, requestId, attempt, durationMs: Math.round(durationMs) }, 'openapi call');
          return response.body;
        } catch (raw) {
          const durationMs = this.clock.now() - startedAt;
          const err = toCloudError(raw, action);
          this.deps.metrics.observe(action, durationMs, err.code);
          log.debug(
            { ...options.logFields, action, requestId: err.requestId, code: err.code, kind: err.kind, attempt },
            'openapi call failed',
          );
          throw err;
        }
      },
      {
        policy: this.deps.retryPolicy,
        idempotent: options.idempotent,
        signal: this.deps.signal,
        clock: this.clock,
        random: this.deps.random,
        onRetry: (err, attempt, delayMs) =>
          log.warn(
            { ...options.logFields, action, requestId: err.requestId, code: err.code, kind: err.kind, attempt, delayMs },
            'openapi call will be retried',
          ),
      },
    );
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const message = `unexpected response: ${describeIssues(parsed.error)}`;
      log.error({ ...options.logFields, action, requestId: requestIdOf(body) }, message);
      throw new CloudError({ kind: 'Unknown', code: 'InvalidResponse', action, message, requestId: requestIdOf(body) });
    }
    return parsed.data;
  }
}

function requestIdOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as { requestId?: unknown }).requestId;
  return typeof value === 'string' ? value : undefined;
}
