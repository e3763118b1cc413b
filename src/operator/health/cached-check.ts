// Wraps an expensive readiness check (a cloud API call) so probes do not multiply calls: one
// probe runs at a time, and its outcome is reused for `ttlMs`.
import type { Check } from './server.js';

export function cachedCheck(probe: () => Promise<void>, ttlMs: number): Check {
  let last: { at: number; failure: string | undefined } | undefined;
  let inFlight: Promise<string | undefined> | undefined;
  return async () => {
    if (last && performance.now() - last.at < ttlMs) return last.failure;
    inFlight ??= probe()
      .then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error.message : String(error)) || 'failed',
      )
      .then((failure) => {
        last = { at: performance.now(), failure };
        inFlight = undefined;
        return failure;
      });
    return inFlight;
  };
}
