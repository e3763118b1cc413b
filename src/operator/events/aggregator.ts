// Deduplication and aggregation of Events, as client-go's events broadcaster does it: an Event
// identical to a recent one (same object, type, reason, action and note) becomes one more count
// in the first one's series instead of a new object, and series updates are written at most once
// per flush interval. A token bucket per object caps how many distinct Events one object can
// produce, so a hot loop cannot flood the API server.

export type EventType = 'Normal' | 'Warning';

export interface ObjectRef {
  apiVersion?: string;
  kind?: string;
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface EventRecord {
  regarding: ObjectRef;
  related?: ObjectRef;
  type: EventType;
  reason: string;
  action: string;
  note: string;
}

export interface AggregatorOptions {
  /** A repeat within this window joins the first Event's series. */
  aggregationWindowMs: number;
  /** Series counts are written at most this often per Event. */
  seriesFlushMs: number;
  /** Distinct Events one object may emit in a burst, refilled at `spamRefillPerMs`. */
  spamBurst: number;
  spamRefillPerMs: number;
  /** Aggregation keys remembered (oldest forgotten first). */
  maxTracked: number;
}

export const defaultAggregatorOptions: AggregatorOptions = {
  aggregationWindowMs: 10 * 60_000,
  seriesFlushMs: 30_000,
  // client-go's spam filter: a burst of 25, then one per 5 minutes.
  spamBurst: 25,
  spamRefillPerMs: 1 / (5 * 60_000),
  maxTracked: 4096,
};

export interface SeriesState {
  key: string;
  record: EventRecord;
  /** Set once the first Event is written; undefined while the create is in flight. */
  name: string | undefined;
  namespace: string;
  count: number;
  writtenCount: number;
  firstTime: number;
  lastTime: number;
  lastFlush: number;
}

export type Decision =
  | { kind: 'create'; series: SeriesState }
  | { kind: 'aggregate'; series: SeriesState; flushDue: boolean }
  | { kind: 'drop'; reason: 'spam' };

interface Bucket {
  tokens: number;
  at: number;
}

export function objectKey(ref: ObjectRef): string {
  return ref.uid || `${ref.kind ?? ''}/${ref.namespace ?? ''}/${ref.name}`;
}

export class EventAggregator {
  private readonly series = new Map<string, SeriesState>();
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: AggregatorOptions = defaultAggregatorOptions) {}

  /** Decides what an occurrence at `now` turns into. */
  record(record: EventRecord, now: number): Decision {
    const key = [objectKey(record.regarding), record.type, record.reason, record.action, record.note].join('\u0000');
    const existing = this.series.get(key);
    if (existing && now - existing.lastTime <= this.options.aggregationWindowMs) {
      existing.count++;
      existing.lastTime = now;
      // Refresh recency for the LRU bound.
      this.series.delete(key);
      this.series.set(key, existing);
      const flushDue = existing.name !== undefined && now - existing.lastFlush >= this.options.seriesFlushMs;
      return { kind: 'aggregate', series: existing, flushDue };
    }
    if (!this.takeToken(objectKey(record.regarding), now)) return { kind: 'drop', reason: 'spam' };
    const state: SeriesState = {
      key,
      record,
      name: undefined,
      namespace: record.regarding.namespace || 'default',
      count: 1,
      writtenCount: 1,
      firstTime: now,
      lastTime: now,
      lastFlush: now,
    };
    this.series.delete(key);
    this.series.set(key, state);
    this.evict();
    return { kind: 'create', series: state };
  }

  /** Records that the series' count up to `count` is written. */
  flushed(series: SeriesState, count: number, now: number): void {
    series.writtenCount = Math.max(series.writtenCount, count);
    series.lastFlush = now;
  }

  /** Series with counts not yet written whose flush interval has passed (or all, for shutdown). */
  pendingFlushes(now: number, all = false): SeriesState[] {
    const due: SeriesState[] = [];
    for (const s of this.series.values()) {
      if (s.name !== undefined && s.count > s.writtenCount && (all || now - s.lastFlush >= this.options.seriesFlushMs)) due.push(s);
    }
    return due;
  }

  /** Forgets a series whose Event could not be written, so the next occurrence creates again. */
  forget(series: SeriesState): void {
    if (this.series.get(series.key) === series) this.series.delete(series.key);
  }

  get tracked(): number {
    return this.series.size;
  }

  private takeToken(objectId: string, now: number): boolean {
    const bucket = this.buckets.get(objectId) ?? { tokens: this.options.spamBurst, at: now };
    bucket.tokens = Math.min(this.options.spamBurst, bucket.tokens + (now - bucket.at) * this.options.spamRefillPerMs);
    bucket.at = now;
    this.buckets.delete(objectId);
    this.buckets.set(objectId, bucket);
    if (this.buckets.size > this.options.maxTracked) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private evict(): void {
    while (this.series.size > this.options.maxTracked) this.series.delete(this.series.keys().next().value!);
  }
}
