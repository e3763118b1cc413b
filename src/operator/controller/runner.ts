// Runs one keyed controller while this replica leads: waits for its informers to sync,
// subscribes its watches to a work queue, and runs `concurrency` workers over the queue.
import type { Logger } from 'pino';
import { splitKey } from '../keys.js';
import type { EventRecorder } from '../events/recorder.js';
import { describeKubeError } from '../kube/errors.js';
import type { RuntimeMetrics, ReconcileResult as ResultLabel } from '../metrics.js';
import { WorkQueue } from '../workqueue/queue.js';
import { TerminalError, type Controller, type Unsubscribe } from './types.js';

export interface RunnerDeps {
  logger: Logger;
  recorder: EventRecorder;
  metrics: RuntimeMetrics;
}

export class ControllerRunner {
  private readonly log: Logger;

  constructor(
    readonly controller: Controller,
    private readonly deps: RunnerDeps,
  ) {
    this.log = deps.logger.child({ controller: controller.name });
  }

  /** Runs until `signal` aborts, then stops taking keys and waits for in-flight reconciles. */
  async run(signal: AbortSignal): Promise<void> {
    const { controller, deps } = this;
    const concurrency = Math.max(1, controller.concurrency ?? 1);
    const queue = new WorkQueue({ name: controller.name, metrics: deps.metrics, ...(controller.backoff ? { backoff: controller.backoff } : {}) });
    const onAbort = () => queue.shutDown();
    signal.addEventListener('abort', onAbort, { once: true });
    const unsubscribes: Unsubscribe[] = [];
    try {
      try {
        await Promise.all(controller.watches.map((source) => source.waitForSync(signal)));
      } catch {
        return; // stopped before the caches synced
      }
      if (signal.aborted) return;
      for (const source of controller.watches) unsubscribes.push(source.subscribe((key) => queue.add(key)));
      deps.metrics.maxConcurrentReconciles.set({ controller: controller.name }, concurrency);
      this.log.info({ concurrency, watches: controller.watches.map((w) => w.description) }, 'controller started');
      await Promise.all(Array.from({ length: concurrency }, () => this.worker(queue, signal)));
    } finally {
      signal.removeEventListener('abort', onAbort);
      for (const unsubscribe of unsubscribes) unsubscribe();
      queue.shutDown();
      deps.metrics.activeWorkers.set({ controller: controller.name }, 0);
      this.log.info('controller stopped');
    }
  }

  private async worker(queue: WorkQueue, signal: AbortSignal): Promise<void> {
    const { controller, deps } = this;
    const labels = { controller: controller.name };
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const { name, namespace } = splitKey(key);
      const log = this.log.child(namespace ? { name, namespace } : { name });
      const retries = queue.retries(key);
      deps.metrics.activeWorkers.inc(labels);
      const started = performance.now();
      let result: ResultLabel = 'success';
      try {
        const outcome = await controller.reconcile(key, { signal, log, recorder: deps.recorder, retries });
        if (outcome?.requeueAfter !== undefined && outcome.requeueAfter > 0) {
          queue.forget(key);
          queue.addAfter(key, outcome.requeueAfter);
          result = 'requeue_after';
        } else if (outcome?.requeue) {
          queue.addRateLimited(key);
          result = 'requeue';
        } else {
          queue.forget(key);
        }
      } catch (error) {
        result = 'error';
        deps.metrics.reconcileErrors.inc(labels);
        if (error instanceof TerminalError) {
          deps.metrics.terminalReconcileErrors.inc(labels);
          queue.forget(key);
          log.error({ err: describeKubeError(error) }, 'reconcile failed permanently; not retrying');
        } else if (!signal.aborted) {
          queue.addRateLimited(key);
          log[retries >= 3 ? 'error' : 'warn']({ err: describeKubeError(error), retries: retries + 1 }, 'reconcile failed; retrying with backoff');
        }
      } finally {
        deps.metrics.reconcileTime.observe(labels, (performance.now() - started) / 1000);
        deps.metrics.reconcileTotal.inc({ ...labels, result });
        deps.metrics.activeWorkers.dec(labels);
        queue.done(key);
      }
    }
  }
}
