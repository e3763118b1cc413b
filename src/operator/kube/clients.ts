// The typed API clients controllers write with, built once from the manager's kubeconfig, plus
// the patch content types and the eviction call the controllers need.
// Reads should come from the informer cache; these are for writes and for the rare read that
// must be fresh.
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { isNotFound, isTooManyRequests } from './errors.js';

export interface KubeClients {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  policy: PolicyV1Api;
  coordination: CoordinationV1Api;
  events: EventsV1Api;
  /** Custom resources (NodePool, NodeClaim, ECSNodeClass, PodNetworking, ...), including their status subresource. */
  customObjects: CustomObjectsApi;
  /** Any object by apiVersion/kind; the one to use for server-side apply (see `patch.apply`). */
  objects: KubernetesObjectApi;
}

export function createKubeClients(kubeConfig: KubeConfig): KubeClients {
  return {
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    policy: kubeConfig.makeApiClient(PolicyV1Api),
    coordination: kubeConfig.makeApiClient(CoordinationV1Api),
    events: kubeConfig.makeApiClient(EventsV1Api),
    customObjects: kubeConfig.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kubeConfig),
  };
}

/**
 * Per-call options selecting the patch content type, e.g.
 * `clients.customObjects.patchClusterCustomObjectStatus({ ..., body }, patch.merge)`.
 * Server-side apply: `clients.objects.patch(obj, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply)`.
 */
export const patch = {
  merge: setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  json: setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
  strategicMerge: setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  apply: setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
} as const;

export type EvictionOutcome = 'evicted' | 'blocked-by-pdb' | 'not-found';

/**
 * Evicts a pod through the eviction API, so PodDisruptionBudgets are honoured. A PDB that
 * forbids it answers 429: the caller retries later. Other errors are thrown.
 */
export async function evictPod(clients: KubeClients, pod: { name: string; namespace: string; uid?: string }, options: { gracePeriodSeconds?: number; dryRun?: boolean } = {}): Promise<EvictionOutcome> {
  try {
    await clients.core.createNamespacedPodEviction({
      name: pod.name,
      namespace: pod.namespace,
      ...(options.dryRun ? { dryRun: 'All' } : {}),
      body: {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: pod.name, namespace: pod.namespace },
        deleteOptions: {
          ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
          // Never evict a different pod that reused the name.
          ...(pod.uid ? { preconditions: { uid: pod.uid } } : {}),
        },
      },
    });
    return 'evicted';
  } catch (error) {
    if (isTooManyRequests(error)) return 'blocked-by-pdb';
    if (isNotFound(error)) return 'not-found';
    throw error;
  }
}
