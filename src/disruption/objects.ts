// Small readings of the objects the core works on: which node belongs to which NodeClaim, which
// pods would have to move, which PDBs guard a pod.
import { findCondition, NodeClaimConditions } from '../apis/conditions.js';
import { AnnotationDoNotDisrupt } from '../apis/labels.js';
import type { NodeClaim } from '../apis/nodeclaim.js';
import { compileLabelSelector, type LabelSelector } from '../scheduling/index.js';
import type { ClusterState, NodeLike, PdbLike, PodLike } from './types.js';

export function claimInitialized(claim: NodeClaim): boolean {
  return findCondition(claim.status?.conditions, NodeClaimConditions.Initialized)?.status === 'True';
}

/** When a condition last turned True, or undefined when it is not True. */
export function trueSince(claim: NodeClaim, type: string): number | undefined {
  const condition = findCondition(claim.status?.conditions, type);
  if (condition?.status !== 'True') return undefined;
  const at = Date.parse(condition.lastTransitionTime);
  return Number.isNaN(at) ? 0 : at;
}

const nodeIndexes = new WeakMap<ClusterState, { byProviderID: Map<string, NodeLike>; byName: Map<string, NodeLike> }>();

function indexesOf(state: ClusterState) {
  let index = nodeIndexes.get(state);
  if (!index) {
    index = { byProviderID: new Map(), byName: new Map() };
    for (const node of state.nodes) {
      if (node.spec?.providerID) index.byProviderID.set(node.spec.providerID, node);
      if (node.metadata?.name) index.byName.set(node.metadata.name, node);
    }
    nodeIndexes.set(state, index);
  }
  return index;
}

/** The NodeClaim's Node: by providerID (what registration matches on), else by status.nodeName. */
export function nodeOfClaim(state: ClusterState, claim: NodeClaim): NodeLike | undefined {
  const index = indexesOf(state);
  const providerID = claim.status?.providerID;
  if (providerID) {
    const node = index.byProviderID.get(providerID);
    if (node) return node;
  }
  return claim.status?.nodeName ? index.byName.get(claim.status.nodeName) : undefined;
}

const podIndexes = new WeakMap<ClusterState, Map<string, PodLike[]>>();

export function podsOnNode(state: ClusterState, nodeName: string): PodLike[] {
  let index = podIndexes.get(state);
  if (!index) {
    index = new Map();
    for (const pod of state.pods) {
      const name = pod.spec?.nodeName;
      if (!name) continue;
      const list = index.get(name) ?? [];
      list.push(pod);
      index.set(name, list);
    }
    podIndexes.set(state, index);
  }
  return index.get(nodeName) ?? [];
}

export function podRef(pod: PodLike): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

export function isTerminal(pod: PodLike): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

function ownedBy(pod: PodLike, kind: string): boolean {
  return (pod.metadata?.ownerReferences ?? []).some((o) => o.kind === kind && o.controller !== false);
}

/** A static pod's mirror: the kubelet owns it, eviction cannot move it. */
function isMirror(pod: PodLike): boolean {
  return pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined || ownedBy(pod, 'Node');
}

/**
 * Pods that must run elsewhere if their node goes: not DaemonSet pods (the replacement runs its
 * own), not mirror pods, not finished or already terminating pods (Karpenter's IsReschedulable).
 */
export function isReschedulable(pod: PodLike): boolean {
  return !isTerminal(pod) && pod.metadata?.deletionTimestamp === undefined && !ownedBy(pod, 'DaemonSet') && !isMirror(pod);
}

/** Active pods with karpenter.sh/do-not-disrupt: "true" block voluntary disruption of their node. */
export function doNotDisrupt(pod: PodLike): boolean {
  return pod.metadata?.annotations?.[AnnotationDoNotDisrupt] === 'true' && !isTerminal(pod) && pod.metadata?.deletionTimestamp === undefined;
}

const operators = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** The PDBs whose selector matches the pod (same namespace; an empty selector matches every pod, as policy/v1). */
export function pdbsOf(pod: PodLike, pdbs: readonly PdbLike[]): PdbLike[] {
  return pdbs.filter((pdb) => {
    if (pdb.metadata?.namespace !== pod.metadata?.namespace) return false;
    const selector = pdb.spec?.selector;
    if (!selector) return false;
    if ((selector.matchExpressions ?? []).some((e) => !operators.has(e.operator))) return false;
    return compileLabelSelector(selector as LabelSelector)(pod.metadata?.labels ?? {});
  });
}

/**
 * Why evicting these pods would be refused now, or undefined: a PDB with no disruption allowed,
 * or a pod under two PDBs (the eviction API refuses those outright).
 */
export function evictionBlocker(pods: readonly PodLike[], pdbs: readonly PdbLike[]): string | undefined {
  for (const pod of pods) {
    const guarding = pdbsOf(pod, pdbs);
    if (guarding.length > 1) {
      return `pod ${podRef(pod)} is selected by more than one PodDisruptionBudget (${guarding.map((p) => p.metadata?.name).join(', ')})`;
    }
    const [pdb] = guarding;
    if (pdb && (pdb.status?.disruptionsAllowed ?? 0) <= 0) {
      return `pdb ${pdb.metadata?.namespace}/${pdb.metadata?.name} prevents pod evictions`;
    }
  }
  return undefined;
}
