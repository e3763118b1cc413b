// The runtime's own metrics, named as controller-runtime and client-go name them so the usual
// dashboards work: reconciles per controller and result, work-queue depth and retries, and the
// leader-election status. Every metric lives in the registry the manager was given.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

function getOrCreate<T>(registry: Registry, name: string, create: () => T): T {
  // Two managers in one process (tests) may share a registry: reuse what is registered.
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

// controller-runtime's reconcile-time buckets (seconds).
const reconcileBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60];
// client-go's work-queue latency buckets: 10^-8 .. 10^1 seconds.
const queueBuckets = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];

export type ReconcileResult = 'success' | 'error' | 'requeue' | 'requeue_after';

export class RuntimeMetrics {
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly terminalReconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly maxConcurrentReconciles: Gauge<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly queueDepth: Gauge<'name'>;
  readonly queueAdds: Counter<'name'>;
  readonly queueRetries: Counter<'name'>;
  readonly queueDuration: Histogram<'name'>;
  readonly workDuration: Histogram<'name'>;
  readonly leaderStatus: Gauge<'name'>;
  readonly informerInvalidObjects: Counter<'resource'>;
  readonly informerWatchErrors: Counter<'resource'>;
  readonly informerSynced: Gauge<'resource'>;
  readonly informerRelists: Counter<'resource'>;
  readonly eventsDropped: Counter<'reason'>;

  constructor(readonly registry: Registry) {
    const r = [registry];
    this.reconcileTotal = getOrCreate(registry, 'controller_runtime_reconcile_total', () =>
      new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers: r }));
    this.reconcileErrors = getOrCreate(registry, 'controller_runtime_reconcile_errors_total', () =>
      new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers: r }));
    this.terminalReconcileErrors = getOrCreate(registry, 'controller_runtime_terminal_reconcile_errors_total', () =>
      new Counter({ name: 'controller_runtime_terminal_reconcile_errors_total', help: 'Total number of terminal reconciliation errors per controller', labelNames: ['controller'], registers: r }));
    this.reconcileTime = getOrCreate(registry, 'controller_runtime_reconcile_time_seconds', () =>
      new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'], buckets: reconcileBuckets, registers: r }));
    this.maxConcurrentReconciles = getOrCreate(registry, 'controller_runtime_max_concurrent_reconciles', () =>
      new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Maximum number of concurrent reconciles per controller', labelNames: ['controller'], registers: r }));
    this.activeWorkers = getOrCreate(registry, 'controller_runtime_active_workers', () =>
      new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller', labelNames: ['controller'], registers: r }));
    this.queueDepth = getOrCreate(registry, 'workqueue_depth', () =>
      new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers: r }));
    this.queueAdds = getOrCreate(registry, 'workqueue_adds_total', () =>
      new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers: r }));
    this.queueRetries = getOrCreate(registry, 'workqueue_retries_total', () =>
      new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers: r }));
    this.queueDuration = getOrCreate(registry, 'workqueue_queue_duration_seconds', () =>
      new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: ['name'], buckets: queueBuckets, registers: r }));
    this.workDuration = getOrCreate(registry, 'workqueue_work_duration_seconds', () =>
      new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes', labelNames: ['name'], buckets: queueBuckets, registers: r }));
    this.leaderStatus = getOrCreate(registry, 'leader_election_master_status', () =>
      new Gauge({ name: 'leader_election_master_status', help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master', labelNames: ['name'], registers: r }));
    this.informerInvalidObjects = getOrCreate(registry, 'operator_informer_invalid_objects_total', () =>
      new Counter({ name: 'operator_informer_invalid_objects_total', help: 'Objects from the API server that failed validation and were not admitted to the cache', labelNames: ['resource'], registers: r }));
    this.informerWatchErrors = getOrCreate(registry, 'operator_informer_watch_errors_total', () =>
      new Counter({ name: 'operator_informer_watch_errors_total', help: 'List or watch failures per resource (each is retried with backoff)', labelNames: ['resource'], registers: r }));
    this.informerSynced = getOrCreate(registry, 'operator_informer_synced', () =>
      new Gauge({ name: 'operator_informer_synced', help: '1 once the informer has listed its resource, 0 before', labelNames: ['resource'], registers: r }));
    this.informerRelists = getOrCreate(registry, 'operator_informer_relists_total', () =>
      new Counter({ name: 'operator_informer_relists_total', help: 'Full lists per resource: the first one, and one after each expired resourceVersion (410 Gone)', labelNames: ['resource'], registers: r }));
    this.eventsDropped = getOrCreate(registry, 'operator_events_dropped_total', () =>
      new Counter({ name: 'operator_events_dropped_total', help: 'Kubernetes Events not written (queue full or API error)', labelNames: ['reason'], registers: r }));
  }
}
