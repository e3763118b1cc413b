// What the IPAM controllers share: the engine (built once), its readiness, the caches they read
// and the triggers that let one controller wake another.
import { LabelInstanceType, LabelZone } from '../../apis/labels.js';
import type { InstanceTypeCatalog } from '../../catalog/index.js';
import type { CloudProvider } from '../../cloud/index.js';
import type { OperatorSettings } from '../../config/settings.js';
import type { IpamEngine } from '../../ipam/engine.js';
import { ManualSource, Namespaces, NodePools, PodNetworkings, Pods, type Informer, type Manager, type Node } from '../../operator/index.js';
import type { NodeClaim } from '../../apis/nodeclaim.js';
import type { NodePool } from '../../apis/nodepool.js';
import type { PodNetworking } from '../../apis/podnetworking.js';
import type { Namespace, Pod } from '../../operator/index.js';
import { nodeClaimInformer, nodeInformer } from '../shared/cluster-informers.js';

export interface IpamControllerOptions {
  /** How often idle addresses are reclaimed and pools topped up to minPoolSize. Default 30 s. */
  poolUpkeepIntervalMs: number;
  /** How often every node is reconciled with DescribeNetworkInterfaces. Default 5 min (Terway syncs as often). */
  reconcileIntervalMs: number;
  /** How often leaked ENIs are looked for (they are deleted after settings.ipam.orphanEniGraceMs). Default 2 min. */
  garbageCollectionIntervalMs: number;
  /** How often addresses held for pods that no longer exist are released, and fixed IPs past their TTL. Default 30 s. */
  releaseIntervalMs: number;
  /** A pod bound to a node the IPAM does not know yet is looked at again this soon. Default 1 s. */
  nodeNotRegisteredRetryMs: number;
  /** A NodeClaim whose instance is not Running yet is looked at again this soon. Default 2 s. */
  instancePendingRetryMs: number;
}

export const defaultIpamControllerOptions: IpamControllerOptions = {
  poolUpkeepIntervalMs: 30_000,
  reconcileIntervalMs: 5 * 60_000,
  garbageCollectionIntervalMs: 2 * 60_000,
  releaseIntervalMs: 30_000,
  nodeNotRegisteredRetryMs: 1_000,
  instancePendingRetryMs: 2_000,
};

export interface IpamContext {
  manager: Manager;
  engine: IpamEngine;
  cloud: CloudProvider;
  catalog: InstanceTypeCatalog;
  settings: OperatorSettings;
  options: IpamControllerOptions;
  /** Resolves once engine.start() rebuilt the state from the CRs and reconciled it with the cloud. */
  ready: Promise<void>;
  pods: Informer<Pod>;
  nodes: Informer<Node>;
  claims: Informer<NodeClaim>;
  nodePools: Informer<NodePool>;
  namespaces: Informer<Namespace>;
  podNetworkings: Informer<PodNetworking>;
  /** Wakes the pod controller for a pod key (e.g. the pods of a node that just registered). */
  podTrigger: ManualSource;
  /** Wakes the node controller for an instance id. */
  nodeTrigger: ManualSource;
}

export function informersOf(manager: Manager): Pick<IpamContext, 'pods' | 'nodes' | 'claims' | 'nodePools' | 'namespaces' | 'podNetworkings'> {
  return {
    pods: manager.informer(Pods),
    nodes: nodeInformer(manager),
    claims: nodeClaimInformer(manager),
    nodePools: manager.informer(NodePools),
    namespaces: manager.informer(Namespaces),
    podNetworkings: manager.informer(PodNetworkings),
  };
}

/** Zone and instance type as the Node's well-known labels say, when it has them. */
export function nodeFacts(node: Node | undefined): { zone?: string; instanceType?: string } {
  const labels = node?.metadata?.labels ?? {};
  const out: { zone?: string; instanceType?: string } = {};
  if (labels[LabelZone]) out.zone = labels[LabelZone];
  if (labels[LabelInstanceType]) out.instanceType = labels[LabelInstanceType];
  return out;
}

/** Waits for the engine, or gives up when the controller stops. */
export async function whenReady(ctx: IpamContext, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<false>((resolve) => {
    onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([ctx.ready.then(() => true as const), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
