// The event recorder controllers use to tell users what happened to their objects. Recording
// never blocks or throws: Events are written in the background, one at a time, repeats are
// aggregated (see EventAggregator), and when the API server cannot keep up they are dropped and
// counted rather than queued without bound.
import type { Logger } from 'pino';
import type { KubeObject } from '../kube/types.js';
import type { RuntimeMetrics } from '../metrics.js';
import { defaultAggregatorOptions, EventAggregator, type AggregatorOptions, type EventRecord, type EventType, type ObjectRef, type SeriesState } from './aggregator.js';

export type { EventType, ObjectRef, EventRecord };

export interface NewEvent {
  name: string;
  namespace: string;
  record: EventRecord;
  eventTime: Date;
  reportingController: string;
  reportingInstance: string;
}

/** Where Events are written: the events.k8s.io API in production (see kube-event-sink.ts). */
export interface EventSink {
  create(event: NewEvent): Promise<void>;
  updateSeries(namespace: string, name: string, series: { count: number; lastObservedTime: Date }): Promise<void>;
}

export interface EventOptions {
  /** What the controller did or failed to do, e.g. 'Launch', 'Evict' (events.k8s.io `action`). Defaults to the reason. */
  action?: string;
  /** A second object involved, e.g. the Node a pod was evicted from. */
  related?: KubeObject | ObjectRef;
}

export interface EventRecorder {
  normal(regarding: KubeObject | ObjectRef, reason: string, note: string, options?: EventOptions): void;
  warning(regarding: KubeObject | ObjectRef, reason: string, note: string, options?: EventOptions): void;
}

export interface RecorderOptions {
  sink: EventSink;
  logger: Logger;
  metrics?: RuntimeMetrics;
  /** events.k8s.io reportingController, e.g. 'karpenter.k8s.alibabacloud/ack-node-operator'. */
  reportingController: string;
  /** This replica's identity (the pod name). */
  reportingInstance: string;
  aggregation?: Partial<AggregatorOptions>;
  /** Writes waiting beyond this are dropped. */
  maxPending?: number;
  now?: () => number;
}

const maxNoteBytes = 1024;
const maxFieldLength = 128;

export class KubeEventRecorder implements EventRecorder {
  private readonly aggregator: EventAggregator;
  private readonly now: () => number;
  private readonly log: Logger;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private readonly flushTimer: NodeJS.Timeout;
  private closed = false;
  private sequence = 0;

  constructor(private readonly options: RecorderOptions) {
    const aggregation = { ...defaultAggregatorOptions, ...options.aggregation };
    this.aggregator = new EventAggregator(aggregation);
    this.now = options.now ?? Date.now;
    this.log = options.logger.child({ component: 'event-recorder' });
    this.flushTimer = setInterval(() => this.flushDue(false), Math.max(1000, aggregation.seriesFlushMs));
    this.flushTimer.unref();
  }

  normal(regarding: KubeObject | ObjectRef, reason: string, note: string, options: EventOptions = {}): void {
    this.publish('Normal', regarding, reason, note, options);
  }

  warning(regarding: KubeObject | ObjectRef, reason: string, note: string, options: EventOptions = {}): void {
    this.publish('Warning', regarding, reason, note, options);
  }

  /** Writes outstanding series counts and waits for every queued write. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.flushTimer);
    // Creates still in flight name their series only when done; flush after them.
    await this.chain;
    this.flushDue(true);
    await this.chain;
  }

  /** Resolves when every write queued so far has finished (tests). */
  idle(): Promise<void> {
    return this.chain;
  }

  private publish(type: EventType, regarding: KubeObject | ObjectRef, reason: string, note: string, options: EventOptions): void {
    if (this.closed) return;
    const ref = toRef(regarding);
    if (!ref) {
      this.log.warn({ reason, note }, 'event about an object without a name; not recorded');
      return;
    }
    const record: EventRecord = {
      regarding: ref,
      type,
      reason: reason.slice(0, maxFieldLength),
      action: (options.action ?? reason).slice(0, maxFieldLength),
      note: truncateBytes(note, maxNoteBytes),
    };
    const related = options.related ? toRef(options.related) : undefined;
    if (related) record.related = related;

    const logFields = { name: ref.name, namespace: ref.namespace, kind: ref.kind, type, reason, action: record.action };
    const now = this.now();
    const decision = this.aggregator.record(record, now);
    switch (decision.kind) {
      case 'drop':
        this.options.metrics?.eventsDropped.inc({ reason: 'spam' });
        this.log.debug(logFields, 'event dropped by the per-object spam filter');
        return;
      case 'create':
        this.log.info({ ...logFields, note: record.note }, 'event');
        this.enqueue(() => this.create(decision.series, now));
        return;
      case 'aggregate':
        this.log.debug({ ...logFields, count: decision.series.count }, 'event repeated');
        if (decision.flushDue) this.enqueueFlush(decision.series);
        return;
    }
  }

  private async create(series: SeriesState, now: number): Promise<void> {
    const name = `${series.record.regarding.name}.${now.toString(16)}${(this.sequence++ % 4096).toString(16).padStart(3, '0')}`;
    try {
      await this.options.sink.create({
        name,
        namespace: series.namespace,
        record: series.record,
        eventTime: new Date(now),
        reportingController: this.options.reportingController,
        reportingInstance: this.options.reportingInstance,
      });
      series.name = name;
      this.aggregator.flushed(series, 1, now);
    } catch (error) {
      this.aggregator.forget(series);
      this.options.metrics?.eventsDropped.inc({ reason: 'api_error' });
      this.log.warn({ err: errorMessage(error), name: series.record.regarding.name, namespace: series.record.regarding.namespace, reason: series.record.reason }, 'could not write event');
    }
  }

  private flushDue(all: boolean): void {
    for (const series of this.aggregator.pendingFlushes(this.now(), all)) this.enqueueFlush(series);
  }

  private enqueueFlush(series: SeriesState): void {
    const count = series.count;
    const lastObserved = series.lastTime;
    // Mark as written now so the periodic flush does not queue the same update twice.
    this.aggregator.flushed(series, count, this.now());
    this.enqueue(async () => {
      if (!series.name) return;
      try {
        await this.options.sink.updateSeries(series.namespace, series.name, { count, lastObservedTime: new Date(lastObserved) });
      } catch (error) {
        this.options.metrics?.eventsDropped.inc({ reason: 'api_error' });
        this.log.debug({ err: errorMessage(error), event: series.name }, 'could not update event series');
      }
    });
  }

  private enqueue(write: () => Promise<void>): void {
    if (this.pending >= (this.options.maxPending ?? 1000)) {
      this.options.metrics?.eventsDropped.inc({ reason: 'queue_full' });
      return;
    }
    this.pending++;
    this.chain = this.chain.then(write).finally(() => {
      this.pending--;
    });
  }
}

/** An ObjectReference for an object or a reference; undefined when it has no name. */
export function toRef(obj: KubeObject | ObjectRef): ObjectRef | undefined {
  if ('metadata' in obj || !('name' in obj)) {
    const o = obj as KubeObject;
    const name = o.metadata?.name;
    if (!name) return undefined;
    const ref: ObjectRef = { name };
    if (o.apiVersion) ref.apiVersion = o.apiVersion;
    if (o.kind) ref.kind = o.kind;
    if (o.metadata?.namespace) ref.namespace = o.metadata.namespace;
    if (o.metadata?.uid) ref.uid = o.metadata.uid;
    if (o.metadata?.resourceVersion) ref.resourceVersion = o.metadata.resourceVersion;
    return ref;
  }
  return (obj as ObjectRef).name ? (obj as ObjectRef) : undefined;
}

function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let cut = text.slice(0, maxBytes);
  while (Buffer.byteLength(cut) > maxBytes - 3) cut = cut.slice(0, -1);
  return `${cut}...`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A recorder that records nothing (for tools and tests that do not need Events). */
export const discardingRecorder: EventRecorder = { normal: () => undefined, warning: () => undefined };
