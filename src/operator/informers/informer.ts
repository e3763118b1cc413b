// An informer: lists a resource, then watches it, keeping a validated, indexed copy in memory and
// telling its handlers what changed. It is client-go's reflector + indexer + shared informer in
// one, on @kubernetes/client-node's Watch:
//  - lists in pages; a 410 Gone on a page token or on the watch re-lists from scratch;
//  - any other list or watch failure is retried with capped exponential backoff, forever, until
//    stop(); a watch that closes normally resumes from the last resourceVersion (bookmarks on);
//  - a re-list replaces the store and reports the difference (adds, updates, deletes), so a
//    handler never misses a deletion that happened while the watch was down;
//  - every object is parsed by the resource type; an invalid one is reported (onInvalid, a
//    metric) and kept out of the cache, the last valid version, if any, stays;
//  - hasSynced() turns true after the first complete list and stays true;
//  - an optional resync replays every cached object to the handlers periodically.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { keyFor, keyOf } from '../keys.js';
import { getJson } from '../kube/raw.js';
import { isGone, statusCodeOf } from '../kube/errors.js';
import { apiVersionOf, collectionPath, InvalidObjectError, resourceName, type ResourceType } from '../kube/resource-type.js';
import type { KubeObject } from '../kube/types.js';
import type { RuntimeMetrics } from '../metrics.js';
import { IndexedStore, type IndexFunc } from './indexed-store.js';

export type InformerEvent<T> =
  | { type: 'add'; object: T }
  | { type: 'update'; object: T; old: T }
  /** The last state the cache held. */
  | { type: 'delete'; object: T }
  /** A periodic replay of an unchanged object. */
  | { type: 'resync'; object: T };

export type InformerHandler<T> = (event: InformerEvent<T>) => void;

export interface InformerOptions {
  /** Watch one namespace only; all namespaces by default. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Replays every cached object to the handlers this often; 0 disables. */
  resyncPeriodMs?: number;
  /** Objects per list page. */
  pageSize?: number;
  logger: Logger;
  metrics?: RuntimeMetrics;
  /** Called for each object that fails validation (once per resourceVersion). */
  onInvalid?: (raw: KubeObject, error: InvalidObjectError) => void;
  /** Backoff of list/watch retries. */
  retry?: { baseDelayMs: number; maxDelayMs: number };
}

interface RawList {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: unknown[];
}

interface RawWatchEvent {
  type?: string;
  object?: { code?: number; metadata?: { resourceVersion?: string } } & KubeObject;
}

const minWatchTimeoutSeconds = 300;

export class Informer<T extends KubeObject> {
  readonly resource: ResourceType<T>;
  /** e.g. "pods" or "nodeclaims.karpenter.sh", plus the namespace and selectors if any. */
  readonly description: string;
  private readonly store = new IndexedStore<T>();
  private readonly handlers = new Set<InformerHandler<T>>();
  private readonly log: Logger;
  private readonly watcher: Watch;
  private resourceVersion = '';
  private synced = false;
  private readonly syncWaiters = new Set<() => void>();
  private running: Promise<void> | undefined;
  private stopController: AbortController | undefined;
  private activeWatch: AbortController | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly reportedInvalid = new Map<string, string>();

  constructor(
    private readonly kubeConfig: KubeConfig,
    resource: ResourceType<T>,
    private readonly options: InformerOptions,
  ) {
    this.resource = resource;
    const parts = [resourceName(resource)];
    if (options.namespace) parts.push(`namespace=${options.namespace}`);
    if (options.labelSelector) parts.push(`labels=${options.labelSelector}`);
    if (options.fieldSelector) parts.push(`fields=${options.fieldSelector}`);
    this.description = parts.join(' ');
    this.log = options.logger.child({ informer: this.description });
    this.watcher = new Watch(kubeConfig);
  }

  // ---- reading the cache ----

  get(name: string, namespace?: string): T | undefined {
    return this.store.get(keyFor(name, this.resource.namespaced ? namespace : undefined));
  }

  getByKey(key: string): T | undefined {
    return this.store.get(key);
  }

  list(namespace?: string): T[] {
    const all = [...this.store.values()];
    return namespace ? all.filter((obj) => obj.metadata?.namespace === namespace) : all;
  }

  keys(): string[] {
    return [...this.store.keys()];
  }

  get size(): number {
    return this.store.size;
  }

  /** Adds a secondary index (idempotent by name); objects already cached are indexed at once. */
  addIndex(name: string, fn: IndexFunc<T>): this {
    this.store.addIndex(name, fn);
    return this;
  }

  byIndex(name: string, value: string): T[] {
    return this.store.byIndex(name, value);
  }

  indexValues(name: string): string[] {
    return this.store.indexValues(name);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list completed; rejects if the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.syncWaiters.delete(done);
        reject(signal?.reason instanceof Error ? signal.reason : new Error(`stopped waiting for ${this.description} to sync`));
      };
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.add(done);
    });
  }

  // ---- subscribing ----

  /**
   * Subscribes to changes. With `replay` (the default), the objects already cached are
   * delivered as adds first, so a late subscriber sees the same world as an early one.
   * Returns the unsubscribe function.
   */
  addHandler(handler: InformerHandler<T>, opts: { replay?: boolean } = {}): () => void {
    this.handlers.add(handler);
    if (opts.replay ?? true) {
      for (const object of this.store.values()) this.deliver(handler, { type: 'add', object });
    }
    return () => this.handlers.delete(handler);
  }

  // ---- lifecycle ----

  /** Starts listing and watching in the background; idempotent. */
  start(): void {
    if (this.running) return;
    this.stopController = new AbortController();
    const signal = this.stopController.signal;
    this.running = this.run(signal).catch((error: unknown) => {
      this.log.error({ err: error }, 'informer loop ended unexpectedly');
    });
    const resyncMs = this.options.resyncPeriodMs ?? 0;
    if (resyncMs > 0) {
      this.resyncTimer = setInterval(() => this.resync(), resyncMs);
      this.resyncTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopController?.abort(new Error(`informer ${this.description} stopped`));
    this.activeWatch?.abort();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    await this.running;
    this.running = undefined;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  // ---- the reflector ----

  private async run(signal: AbortSignal): Promise<void> {
    const retry = this.options.retry ?? { baseDelayMs: 500, maxDelayMs: 30_000 };
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (!this.resourceVersion) await this.relist(signal);
        const outcome = await this.watchOnce(signal);
        if (outcome === 'gone') {
          this.log.debug('watch resourceVersion expired; re-listing');
          this.resourceVersion = '';
        }
        if (outcome === 'idle-close') throw new Error('the watch closed at once without an event');
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        if (isGone(error)) {
          this.resourceVersion = '';
          continue;
        }
        failures++;
        this.options.metrics?.informerWatchErrors.inc({ resource: this.description });
        const delay = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (failures - 1)) * (0.8 + Math.random() * 0.4);
        this.log.warn({ err: describe(error), status: statusCodeOf(error), retryInMs: Math.round(delay), failures }, 'list/watch failed; retrying');
        await sleep(delay, signal);
      }
    }
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const items: unknown[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = (await getJson(
        this.kubeConfig,
        collectionPath(this.resource, this.options.namespace),
        {
          limit: this.options.pageSize ?? 500,
          continue: continueToken,
          labelSelector: this.options.labelSelector,
          fieldSelector: this.options.fieldSelector,
        },
        signal,
      )) as RawList;
      items.push(...(page.items ?? []));
      continueToken = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? '';
    } while (continueToken && !signal.aborted);
    if (signal.aborted) return;

    const seen = new Set<string>();
    for (const raw of items) {
      const key = keyOf(raw as KubeObject);
      seen.add(key);
      this.upsert(raw as KubeObject);
    }
    for (const key of [...this.store.keys()]) {
      if (seen.has(key)) continue;
      const old = this.store.delete(key);
      if (old !== undefined) this.emit({ type: 'delete', object: old });
    }
    for (const key of this.reportedInvalid.keys()) if (!seen.has(key)) this.reportedInvalid.delete(key);
    this.resourceVersion = resourceVersion;
    this.options.metrics?.informerRelists.inc({ resource: this.description });
    this.markSynced();
    this.log.debug({ objects: this.store.size, resourceVersion }, 'listed');
  }

  /** Watches until the stream ends; says whether to resume ('closed'), re-list ('gone') or back off. */
  private async watchOnce(signal: AbortSignal): Promise<'closed' | 'gone' | 'idle-close'> {
    const started = Date.now();
    let received = 0;
    let gone = false;
    const query: Record<string, string | number | boolean> = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      // Spread reconnects like client-go does: a random timeout between 5 and 10 minutes.
      timeoutSeconds: Math.floor(minWatchTimeoutSeconds * (1 + Math.random())),
    };
    if (this.options.labelSelector) query.labelSelector = this.options.labelSelector;
    if (this.options.fieldSelector) query.fieldSelector = this.options.fieldSelector;

    const ended = new Promise<unknown>((resolve) => {
      void this.watcher
        .watch(
          collectionPath(this.resource, this.options.namespace),
          query,
          (type: string, object: RawWatchEvent['object']) => {
            received++;
            if (this.handleWatchEvent(type, object) === 'gone') gone = true;
          },
          (error: unknown) => resolve(error ?? null),
        )
        .then((controller) => {
          this.activeWatch = controller;
          if (signal.aborted) controller.abort();
        }, resolve);
    });
    const onAbort = () => this.activeWatch?.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const error = await ended;
      this.activeWatch = undefined;
      if (signal.aborted) return 'closed';
      if (gone) return 'gone';
      if (error && (error as { name?: string }).name !== 'TimeoutError' && (error as { name?: string }).name !== 'AbortError') throw error;
      if (received === 0 && Date.now() - started < 1000) return 'idle-close';
      return 'closed';
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private handleWatchEvent(type: string, object: RawWatchEvent['object']): 'gone' | undefined {
    if (!object) return undefined;
    switch (type) {
      case 'ADDED':
      case 'MODIFIED':
        this.upsert(object);
        break;
      case 'DELETED': {
        const key = keyOf(object);
        this.reportedInvalid.delete(key);
        const old = this.store.delete(key);
        if (old !== undefined) this.emit({ type: 'delete', object: old });
        break;
      }
      case 'BOOKMARK':
        break;
      case 'ERROR':
        if (object.code === 410) return 'gone';
        this.log.warn({ status: object }, 'watch error event');
        return undefined;
      default:
        return undefined;
    }
    const resourceVersion = object.metadata?.resourceVersion;
    if (resourceVersion) this.resourceVersion = resourceVersion;
    return undefined;
  }

  private upsert(raw: KubeObject): void {
    // List items of built-in kinds come without apiVersion and kind; watch events carry them.
    // Fill them in so every cached object can be referenced (Events, owner references).
    raw.apiVersion ??= apiVersionOf(this.resource);
    raw.kind ??= this.resource.kind;
    const key = keyOf(raw);
    let object: T;
    try {
      object = this.resource.parse(raw);
    } catch (error) {
      this.reportInvalid(key, raw, error);
      return;
    }
    this.reportedInvalid.delete(key);
    const old = this.store.set(key, object);
    if (old === undefined) this.emit({ type: 'add', object });
    else if (old.metadata?.resourceVersion !== object.metadata?.resourceVersion) this.emit({ type: 'update', object, old });
  }

  private reportInvalid(key: string, raw: KubeObject, error: unknown): void {
    const resourceVersion = raw.metadata?.resourceVersion ?? '';
    if (this.reportedInvalid.get(key) === resourceVersion) return;
    this.reportedInvalid.set(key, resourceVersion);
    const invalid = error instanceof InvalidObjectError ? error : new InvalidObjectError(resourceName(this.resource), describe(error));
    this.options.metrics?.informerInvalidObjects.inc({ resource: resourceName(this.resource) });
    this.log.error(
      { name: raw.metadata?.name, namespace: raw.metadata?.namespace, resourceVersion, problems: invalid.problems, keptPrevious: this.store.get(key) !== undefined },
      'invalid object from the API server; not admitted to the cache',
    );
    try {
      this.options.onInvalid?.(raw, invalid);
    } catch (callbackError) {
      this.log.error({ err: callbackError }, 'onInvalid callback failed');
    }
  }

  private resync(): void {
    if (!this.synced) return;
    for (const object of this.store.values()) this.emit({ type: 'resync', object });
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    this.options.metrics?.informerSynced.set({ resource: this.description }, 1);
    for (const waiter of this.syncWaiters) waiter();
    this.syncWaiters.clear();
  }

  private emit(event: InformerEvent<T>): void {
    for (const handler of this.handlers) this.deliver(handler, event);
  }

  private deliver(handler: InformerHandler<T>, event: InformerEvent<T>): void {
    try {
      handler(event);
    } catch (error) {
      this.log.error({ err: error, event: event.type, ...nameOf(event.object) }, 'informer handler threw');
    }
  }
}

function nameOf(obj: KubeObject): { name?: string; namespace?: string } {
  return { name: obj.metadata?.name, namespace: obj.metadata?.namespace };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
