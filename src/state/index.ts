// The cluster snapshot: informer objects to the scheduling core's input. See snapshot.ts.
export { buildClusterSnapshot, type ClusterObjects, type ClusterSnapshot, type SnapshotCatalog, type SnapshotContext, type SnapshotOptions } from './snapshot.js';
export { PodSpecCache, podSpecLiteOf, podIdentity } from './pod-spec.js';
export { isProvisionable, isReschedulable, isActiveOnNode, isOwnedByDaemonSet, isOwnedByNode, isTerminal, isBeingDeleted, failedToSchedule } from './pod-filters.js';
export { DefaultNetworkKey, describeNetworkKeys, networkNameOf, isSyntheticNetworkKey, UnknownFreeIPs } from './network.js';
export { nodeClassOf, nodePoolUsage, ResourceNodes, type SkippedNodePool, type NodePoolSkipReason } from './nodepools.js';
export { claimLabels, claimRequirements, cheapestOptionOf, isNodeBeingDeleted, isClaimBeingDeleted, isNodeInitialized } from './nodes.js';
