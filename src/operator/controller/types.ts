// The controller API: what a controller engineer writes. See ../README.md for the guide.
import type { Logger } from 'pino';
import type { EventRecorder } from '../events/recorder.js';
import type { Informer, InformerEvent } from '../informers/informer.js';
import type { KubeObject } from '../kube/types.js';
import type { BackoffOptions } from '../workqueue/rate-limiter.js';

/** What a reconcile may ask for besides success. Throwing means "retry with backoff". */
export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds (and reset its backoff). */
  requeueAfter?: number;
  /** Reconcile this key again after its backoff, without counting an error. */
  requeue?: boolean;
}

export interface ReconcileContext {
  /** Aborts when this replica stops leading or shuts down: stop starting new work. */
  signal: AbortSignal;
  /** A child logger with `controller` and the key's `name` / `namespace`. */
  log: Logger;
  /** The controller's recorder (the same as the one handed out at registration). */
  recorder: EventRecorder;
  /** Consecutive failed attempts of this key before this one. */
  retries: number;
}

/** A reconcile-by-key controller: events from its watches become keys in its own work queue. */
export interface Controller {
  /** Unique, short, kebab-case: it names the work queue, the metrics and the log lines. */
  name: string;
  /** Where keys come from. Build each with watch(). */
  watches: WatchSource[];
  reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void>;
  /** Keys reconciled at once (different keys only; one key never runs twice at once). Default 1. */
  concurrency?: number;
  /** Backoff of failing keys. Default 100 ms doubling to 5 min. */
  backoff?: BackoffOptions;
  /** false: also runs on standbys (only for read-only work). Default true. */
  needsLeaderElection?: boolean;
}

/** A long-running task that is not keyed, e.g. a periodic garbage collector. See periodic(). */
export interface Runnable {
  name: string;
  /** Runs until `ctx.signal` aborts; should resolve promptly after that. A rejection is logged and the task restarted after a backoff. */
  run(ctx: RunContext): Promise<void>;
  needsLeaderElection?: boolean;
}

export interface RunContext {
  signal: AbortSignal;
  log: Logger;
  recorder: EventRecorder;
}

export type Unsubscribe = () => void;

/** A source of keys for a controller's queue. */
export interface WatchSource {
  readonly description: string;
  hasSynced(): boolean;
  waitForSync(signal: AbortSignal): Promise<void>;
  /** Starts delivering keys (objects already cached are delivered first); returns the unsubscribe function. */
  subscribe(enqueue: (key: string) => void): Unsubscribe;
}

/** Maps an informer event to the keys to reconcile; undefined, null or [] for none. */
export type KeyMapper<T> = (event: InformerEvent<T>) => string | readonly string[] | undefined | null;

/** Watches an informer; by default each object enqueues its own key ("namespace/name" or "name"). */
export function watch<T extends KubeObject>(informer: Informer<T>, map?: KeyMapper<T>): WatchSource {
  return {
    description: informer.description,
    hasSynced: () => informer.hasSynced(),
    waitForSync: (signal) => informer.waitForSync(signal),
    subscribe(enqueue) {
      return informer.addHandler((event) => {
        const keys = map ? map(event) : keyOfObject(event.object);
        if (keys === undefined || keys === null) return;
        if (typeof keys === 'string') enqueue(keys);
        else for (const key of keys) enqueue(key);
      });
    },
  };
}

function keyOfObject(obj: KubeObject): string {
  const { name = '', namespace } = obj.metadata ?? {};
  return namespace ? `${namespace}/${name}` : name;
}

/**
 * A source of keys not tied to an informer: call `trigger(key)` from anywhere (another
 * controller, a cloud notification). Keys triggered while the controller is not running are
 * dropped; give the controller an informer watch as well if it must catch up on start.
 */
export class ManualSource implements WatchSource {
  readonly description: string;
  private readonly subscribers = new Set<(key: string) => void>();

  constructor(description: string) {
    this.description = description;
  }

  hasSynced(): boolean {
    return true;
  }

  waitForSync(): Promise<void> {
    return Promise.resolve();
  }

  subscribe(enqueue: (key: string) => void): Unsubscribe {
    this.subscribers.add(enqueue);
    return () => this.subscribers.delete(enqueue);
  }

  trigger(key: string): void {
    for (const enqueue of this.subscribers) enqueue(key);
  }
}

/** Thrown from reconcile for failures a retry cannot fix: counted and logged, not retried. */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}
