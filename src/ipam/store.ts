// Where IPAM state survives a restart. The engine writes through it BEFORE a pod may use an
// address, and rebuilds from it on start. The in-memory implementation backs unit tests and the
// benchmark; the Kubernetes one (src/controllers/ipam) keeps nodes in `nodes.network.alibabacloud.com`
// status and pods in `PodENI`.
//
// Contract:
//  - saveNode replaces the node's whole record. The engine serializes writes per node (one in
//    flight at a time, later changes coalesced into the next write), so a store may use
//    optimistic concurrency and treat a conflict as an error.
//  - A write that resolves is durable; one that rejects may or may not have happened (the engine
//    then re-reads nothing and keeps its in-memory truth, rolling back only what it had not
//    handed out yet).
//  - Records returned are the store's copies: the engine never mutates them in place.
import type { NodeIpamState, PodAllocation } from './state.js';

export interface IpamStore {
  listNodes(): Promise<NodeIpamState[]>;
  saveNode(state: NodeIpamState): Promise<void>;
  deleteNode(name: string): Promise<void>;

  listPodAllocations(): Promise<PodAllocation[]>;
  savePodAllocation(allocation: PodAllocation): Promise<void>;
  deletePodAllocation(namespace: string, name: string): Promise<void>;
}
