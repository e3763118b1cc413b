// The shared informer cache: one informer per (resource, namespace, selectors), however many
// controllers ask for it, started on every replica (a standby keeps a warm cache and takes over
// without a cold list). Readiness means every informer asked for has synced.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { InvalidObjectError, ResourceType } from '../kube/resource-type.js';
import { resourceName } from '../kube/resource-type.js';
import type { KubeObject, Pod } from '../kube/types.js';
import type { RuntimeMetrics } from '../metrics.js';
import { PodIndex, Pods } from '../resources.js';
import { Informer } from './informer.js';

export interface InformerSelector {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface InformerCacheOptions {
  logger: Logger;
  metrics?: RuntimeMetrics;
  /** Replays every cached object to handlers this often (0 disables); see Informer. */
  resyncPeriodMs?: number;
  onInvalid?: (raw: KubeObject, error: InvalidObjectError) => void;
}

export class InformerCache {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private started = false;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly options: InformerCacheOptions,
  ) {}

  /**
   * The shared informer for the resource (created on first use). Informers created after
   * start() start at once. Pod informers come with the PodIndex indexes.
   */
  informer<T extends KubeObject>(resource: ResourceType<T>, selector: InformerSelector = {}): Informer<T> {
    const id = [resourceName(resource), resource.version, selector.namespace ?? '', selector.labelSelector ?? '', selector.fieldSelector ?? ''].join('|');
    const existing = this.informers.get(id);
    if (existing) {
      if (existing.resource !== (resource as ResourceType<KubeObject>)) {
        throw new Error(`two different resource types registered for ${resourceName(resource)}; share one ResourceType object`);
      }
      return existing as unknown as Informer<T>;
    }
    const informer = new Informer<T>(this.kubeConfig, resource, {
      ...selector,
      logger: this.options.logger,
      ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
      ...(this.options.onInvalid ? { onInvalid: this.options.onInvalid } : {}),
      resyncPeriodMs: this.options.resyncPeriodMs ?? 0,
    });
    if ((resource as ResourceType<KubeObject>) === (Pods as ResourceType<KubeObject>)) addPodIndexes(informer as unknown as Informer<Pod>);
    this.informers.set(id, informer as unknown as Informer<KubeObject>);
    if (this.started) informer.start();
    return informer;
  }

  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.informers.values()].map((informer) => informer.stop()));
  }

  hasSynced(): boolean {
    for (const informer of this.informers.values()) if (!informer.hasSynced()) return false;
    return true;
  }

  /** Informers that have not listed yet, for /readyz. */
  unsynced(): string[] {
    return [...this.informers.values()].filter((informer) => !informer.hasSynced()).map((informer) => informer.description);
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    return Promise.all([...this.informers.values()].map((informer) => informer.waitForSync(signal))).then(() => undefined);
  }
}

function addPodIndexes(informer: Informer<Pod>): void {
  informer.addIndex(PodIndex.byNodeName, (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []));
  informer.addIndex(PodIndex.byPhase, (pod) => [pod.status?.phase ?? 'Pending']);
}
