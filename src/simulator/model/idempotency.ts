// ClientToken idempotency: a successful answer is remembered per (action, token) with a digest of
// the request's parameters. The same token with the same parameters gets the same answer (no new
// resource); the same token with other parameters gets IdempotentFailed. Failed calls are not
// remembered, so a retry after an error really retries. Real ECS keeps tokens for a bounded time;
// `ttlMs` does the same.
import { createHash } from 'node:crypto';
import { apiErrors } from '../errors.js';

interface Remembered {
  digest: string;
  answer: Record<string, unknown>;
  at: number;
}

export class ClientTokenStore {
  private readonly answers = new Map<string, Remembered>();

  constructor(private readonly ttlMs: number = 24 * 3_600_000) {}

  static digest(params: Record<string, string>): string {
    const canonical = Object.keys(params)
      .filter((k) => k !== 'ClientToken')
      .sort()
      .map((k) => `${k}=${params[k]}`)
      .join('&');
    return createHash('sha256').update(canonical).digest('hex');
  }

  /** The remembered answer for a replay, undefined for a new token; throws on a conflicting reuse. */
  lookup(action: string, token: string, digest: string, now: number): Record<string, unknown> | undefined {
    const key = `${action}\u0000${token}`;
    const hit = this.answers.get(key);
    if (!hit) return undefined;
    if (now - hit.at > this.ttlMs) {
      this.answers.delete(key);
      return undefined;
    }
    if (hit.digest !== digest) throw apiErrors.idempotentFailed();
    return hit.answer;
  }

  remember(action: string, token: string, digest: string, answer: Record<string, unknown>, now: number): void {
    this.answers.set(`${action}\u0000${token}`, { digest, answer, at: now });
  }

  get size(): number {
    return this.answers.size;
  }
}
