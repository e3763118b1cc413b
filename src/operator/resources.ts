// The resources the operator's controllers watch. Built-in kinds are typed by their JSON form;
// custom resources are validated with the zod schemas of src/apis.
import {
  ECSNodeClass,
  ECSNodeClassGroup,
  ECSNodeClassKind,
  ECSNodeClassPlural,
  ECSNodeClassVersion,
  KarpenterGroup,
  KarpenterVersion,
  NetworkNode,
  NetworkNodeKind,
  NetworkNodePlural,
  NetworkingVersion,
  NodeClaim,
  NodeClaimKind,
  NodeClaimPlural,
  NodePool,
  NodePoolKind,
  NodePoolPlural,
  PodENI,
  PodENIKind,
  PodENIPlural,
  PodNetworking,
  PodNetworkingKind,
  PodNetworkingPlural,
} from '../apis/index.js';
import { NetworkingGroup } from '../apis/labels.js';
import { builtinResource, customResource } from './kube/resource-type.js';
import type { DaemonSet, Lease, Namespace, Node, PersistentVolumeClaim, Pod, PodDisruptionBudget } from './kube/types.js';

export const Pods = builtinResource<Pod>({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true });
export const Nodes = builtinResource<Node>({ group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false });
export const Namespaces = builtinResource<Namespace>({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false });
export const PersistentVolumeClaims = builtinResource<PersistentVolumeClaim>({
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  namespaced: true,
});
export const DaemonSets = builtinResource<DaemonSet>({ group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true });
export const PodDisruptionBudgets = builtinResource<PodDisruptionBudget>({
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  plural: 'poddisruptionbudgets',
  namespaced: true,
});
export const Leases = builtinResource<Lease>({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true });

export const NodePools = customResource({
  group: KarpenterGroup,
  version: KarpenterVersion,
  kind: NodePoolKind,
  plural: NodePoolPlural,
  namespaced: false,
  schema: NodePool,
});
export const NodeClaims = customResource({
  group: KarpenterGroup,
  version: KarpenterVersion,
  kind: NodeClaimKind,
  plural: NodeClaimPlural,
  namespaced: false,
  schema: NodeClaim,
});
export const ECSNodeClasses = customResource({
  group: ECSNodeClassGroup,
  version: ECSNodeClassVersion,
  kind: ECSNodeClassKind,
  plural: ECSNodeClassPlural,
  namespaced: false,
  schema: ECSNodeClass,
});
export const PodNetworkings = customResource({
  group: NetworkingGroup,
  version: NetworkingVersion,
  kind: PodNetworkingKind,
  plural: PodNetworkingPlural,
  namespaced: false,
  schema: PodNetworking,
});
export const PodENIs = customResource({
  group: NetworkingGroup,
  version: NetworkingVersion,
  kind: PodENIKind,
  plural: PodENIPlural,
  namespaced: true,
  schema: PodENI,
});
/** Terway's per-node IPAM record (nodes.network.alibabacloud.com), not the core Node. */
export const NetworkNodes = customResource({
  group: NetworkingGroup,
  version: NetworkingVersion,
  kind: NetworkNodeKind,
  plural: NetworkNodePlural,
  namespaced: false,
  schema: NetworkNode,
});

/** Index names the runtime registers on every Pod informer. */
export const PodIndex = {
  /** spec.nodeName; unbound pods are not indexed. */
  byNodeName: 'spec.nodeName',
  /** status.phase (Pending, Running, Succeeded, Failed, Unknown). */
  byPhase: 'status.phase',
} as const;
