// The cluster as controllers read it from the manager's shared informer cache, and the indexes
// they look NodeClaims and Nodes up by. The cache holds one informer per resource however many
// controllers ask; this module gives each index one name and one function, so an index is built
// once and every controller's lookups agree (a claim found by providerID in one controller is
// the claim found in another).
import type { NodeClaim } from '../../apis/nodeclaim.js';
import { LabelNodePool } from '../../apis/labels.js';
import {
  DaemonSets,
  ECSNodeClasses,
  Namespaces,
  NodeClaims,
  NodePools,
  Nodes,
  PodNetworkings,
  Pods,
  type Informer,
  type Manager,
  type Node,
} from '../../operator/index.js';
import type { ClusterObjects } from '../../state/index.js';
import { instanceIdOf } from './provider-id.js';

export const ClaimIndex = {
  /** `status.providerID`, once launched. */
  byProviderID: 'nodeclaim.status.providerID',
  /** The instance id of `status.providerID`, once launched. */
  byInstanceId: 'nodeclaim.status.providerID.instanceId',
  byNodeClass: 'nodeclaim.spec.nodeClassRef.name',
  /** The karpenter.sh/nodepool label, when set. */
  byNodePool: 'nodeclaim.metadata.labels.nodepool',
} as const;

export const NodeIndex = {
  /** `spec.providerID`, once the node registered it. */
  byProviderID: 'node.spec.providerID',
  /** The instance id of `spec.providerID`. */
  byInstanceId: 'node.spec.providerID.instanceId',
} as const;

const listOf = (value: string | undefined): string[] => (value ? [value] : []);

/** The shared NodeClaim informer with every ClaimIndex (adding an index twice is a no-op). */
export function nodeClaimInformer(manager: Manager): Informer<NodeClaim> {
  return manager
    .informer(NodeClaims)
    .addIndex(ClaimIndex.byProviderID, (c) => listOf(c.status?.providerID))
    .addIndex(ClaimIndex.byInstanceId, (c) => listOf(instanceIdOf(c.status?.providerID)))
    .addIndex(ClaimIndex.byNodeClass, (c) => [c.spec.nodeClassRef.name])
    .addIndex(ClaimIndex.byNodePool, (c) => listOf(c.metadata.labels?.[LabelNodePool]));
}

/** The shared Node informer with every NodeIndex. */
export function nodeInformer(manager: Manager): Informer<Node> {
  return manager
    .informer(Nodes)
    .addIndex(NodeIndex.byProviderID, (n) => listOf(n.spec?.providerID))
    .addIndex(NodeIndex.byInstanceId, (n) => listOf(instanceIdOf(n.spec?.providerID)));
}

/** The NodeClaim that launched the Node's instance, matched by providerID. */
export function claimOfNode({ claims }: { claims: Informer<NodeClaim> }, node: Node): NodeClaim | undefined {
  const providerID = node.spec?.providerID;
  return providerID ? claims.byIndex(ClaimIndex.byProviderID, providerID)[0] : undefined;
}

/** The Node the claim's instance registered, matched by providerID. */
export function nodeOfClaim({ nodes }: { nodes: Informer<Node> }, claim: NodeClaim): Node | undefined {
  const providerID = claim.status?.providerID;
  return providerID ? nodes.byIndex(NodeIndex.byProviderID, providerID)[0] : undefined;
}

/** What a scheduling snapshot (src/state) is built from, each as its shared informer. */
export type SnapshotInformers = { [K in keyof ClusterObjects]: Informer<ClusterObjects[K][number]> };

export function snapshotInformers(manager: Manager): SnapshotInformers {
  return {
    pods: manager.informer(Pods),
    nodes: nodeInformer(manager),
    nodeClaims: nodeClaimInformer(manager),
    nodePools: manager.informer(NodePools),
    nodeClasses: manager.informer(ECSNodeClasses),
    daemonSets: manager.informer(DaemonSets),
    namespaces: manager.informer(Namespaces),
    podNetworkings: manager.informer(PodNetworkings),
  };
}

/** The cache's current objects, for buildClusterSnapshot. */
export function snapshotObjects(informers: SnapshotInformers): ClusterObjects {
  return {
    pods: informers.pods.list(),
    nodes: informers.nodes.list(),
    nodeClaims: informers.nodeClaims.list(),
    nodePools: informers.nodePools.list(),
    nodeClasses: informers.nodeClasses.list(),
    daemonSets: informers.daemonSets.list(),
    namespaces: informers.namespaces.list(),
    podNetworkings: informers.podNetworkings.list(),
  };
}
