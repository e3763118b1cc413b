// Runnables for work that is not keyed: periodic(), e.g. garbage collection every N seconds.
import type { Runnable, RunContext } from './types.js';

export interface PeriodicOptions {
  name: string;
  intervalMs: number;
  /** Spreads runs by up to this fraction of the interval (default 0.1). */
  jitter?: number;
  /** Run once at start before the first interval (default true). */
  runAtStart?: boolean;
  /** One pass; a rejection is logged and the next pass still happens. */
  run(ctx: RunContext): Promise<void>;
  needsLeaderElection?: boolean;
}

export function periodic(options: PeriodicOptions): Runnable {
  const jitter = options.jitter ?? 0.1;
  return {
    name: options.name,
    needsLeaderElection: options.needsLeaderElection ?? true,
    async run(ctx) {
      let first = true;
      while (!ctx.signal.aborted) {
        if (!first || options.runAtStart === false) {
          await sleep(options.intervalMs * (1 + Math.random() * jitter), ctx.signal);
          if (ctx.signal.aborted) return;
        }
        first = false;
        try {
          await options.run(ctx);
        } catch (error) {
          ctx.log.error({ err: error instanceof Error ? error.message : String(error) }, 'periodic task failed; next run as scheduled');
        }
      }
    },
  };
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Resolves when `signal` aborts, at once if it already has (an 'abort' listener added late never fires). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
