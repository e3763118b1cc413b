// Which NodeClaims voluntary disruption may touch (Karpenter's NewCandidate): initialized, owned
// by a NodePool that still exists, with a Node, neither being deleted nor already disrupted, not
// annotated karpenter.sh/do-not-disrupt, with no do-not-disrupt pod and no pod a PDB keeps in place.
import { parseNillableDuration } from '../apis/duration.js';
import { NodeClaimConditions } from '../apis/conditions.js';
import {
  AnnotationDoNotDisrupt,
  AnnotationPricePerHour,
  LabelCapacityType,
  LabelInstanceType,
  LabelNodePool,
  LabelZone,
  TaintDisrupted,
} from '../apis/labels.js';
import type { NodeClaim } from '../apis/nodeclaim.js';
import type { NodePool } from '../apis/nodepool.js';
import type { CapacityType, InstanceType } from '../scheduling/index.js';
import { claimInitialized, doNotDisrupt, evictionBlocker, isReschedulable, nodeOfClaim, podRef, podsOnNode, trueSince } from './objects.js';
import type { Blocked, Candidate, ClusterState, NodeLike, PodLike } from './types.js';

const podDeletionCost = 'controller.kubernetes.io/pod-deletion-cost';

/** Karpenter's EvictionCost: 1, nudged by pod-deletion-cost and priority, clamped to [-10, 10]. */
export function evictionCost(pod: PodLike): number {
  let cost = 1;
  const deletionCost = Number(pod.metadata?.annotations?.[podDeletionCost]);
  if (Number.isFinite(deletionCost)) cost += deletionCost / 2 ** 27;
  if (pod.spec?.priority !== undefined) cost += pod.spec.priority / 2 ** 25;
  return Math.min(10, Math.max(-10, cost));
}

/** Fraction of expireAfter still ahead of the NodeClaim, in [0, 1]; 1 when it never expires. */
export function lifetimeRemaining(claim: NodeClaim, now: number): number {
  const expireAfter = parseNillableDuration(claim.spec.expireAfter);
  if (expireAfter === null || expireAfter <= 0) return 1;
  const age = now - Date.parse(claim.metadata.creationTimestamp ?? '');
  if (Number.isNaN(age)) return 1;
  return Math.min(1, Math.max(0, (expireAfter - age) / expireAfter));
}

/** The current price of the claim's offering, from the pool's instance types; else the price it launched at. */
export function candidatePrice(state: ClusterState, nodePool: string, instanceType: string, zone: string, capacityType: CapacityType, claim: NodeClaim): number {
  const pool = state.scheduling.nodePools.find((p) => p.name === nodePool);
  const types: readonly InstanceType[] = pool?.instanceTypes ?? state.scheduling.instanceTypes ?? [];
  const offering = types.find((t) => t.name === instanceType)?.offerings.find((o) => o.zone === zone && o.capacityType === capacityType);
  if (offering) return offering.price;
  const launched = Number(claim.metadata.annotations?.[AnnotationPricePerHour]);
  return Number.isFinite(launched) ? launched : Number.NaN;
}

export interface CandidateSet {
  candidates: Candidate[];
  /** Claims that are otherwise eligible but blocked by do-not-disrupt or a PDB. */
  blocked: Blocked[];
}

/**
 * Candidates for voluntary (graceful) disruption. Claims that are simply not in play (not
 * initialized, deleting, no pool) are skipped silently; those a user protects are reported as blocked.
 */
export function buildCandidates(state: ClusterState): CandidateSet {
  const pools = new Map<string, NodePool>(state.nodePools.map((p) => [p.metadata.name ?? '', p]));
  const candidates: Candidate[] = [];
  const blocked: Blocked[] = [];
  for (const claim of state.claims) {
    if (claim.metadata.deletionTimestamp !== undefined || !claimInitialized(claim)) continue;
    const nodePool = pools.get(claim.metadata.labels?.[LabelNodePool] ?? '');
    if (!nodePool) continue;
    const node = nodeOfClaim(state, claim);
    const nodeName = node?.metadata?.name;
    if (!node || !nodeName) continue;
    if (node.metadata?.deletionTimestamp !== undefined || (node.spec?.taints ?? []).some((t) => t.key === TaintDisrupted)) continue;

    if (node.metadata?.annotations?.[AnnotationDoNotDisrupt] === 'true' || claim.metadata.annotations?.[AnnotationDoNotDisrupt] === 'true') {
      blocked.push({ claim, node, message: 'Node is annotated karpenter.sh/do-not-disrupt' });
      continue;
    }
    const pods = podsOnNode(state, nodeName);
    const protectedPod = pods.find(doNotDisrupt);
    if (protectedPod) {
      blocked.push({ claim, node, message: `Pod ${podRef(protectedPod)} has karpenter.sh/do-not-disrupt` });
      continue;
    }
    const reschedulablePods = pods.filter(isReschedulable);
    const pdbBlocker = evictionBlocker(reschedulablePods, state.pdbs);
    if (pdbBlocker) {
      blocked.push({ claim, node, message: `Cannot evict: ${pdbBlocker}` });
      continue;
    }

    candidates.push(candidateOf(state, claim, node, nodePool, reschedulablePods));
  }
  return { candidates, blocked };
}

function candidateOf(state: ClusterState, claim: NodeClaim, node: NodeLike, nodePool: NodePool, reschedulablePods: PodLike[]): Candidate {
  const labels = { ...(node.metadata?.labels ?? {}), ...(claim.metadata.labels ?? {}) };
  const instanceType = labels[LabelInstanceType] ?? '';
  const zone = labels[LabelZone] ?? '';
  const capacityType: CapacityType = labels[LabelCapacityType] === 'spot' ? 'spot' : 'on-demand';
  const driftedSince = trueSince(claim, NodeClaimConditions.Drifted);
  return {
    claim,
    node,
    nodePool,
    name: claim.metadata.name ?? '',
    nodeName: node.metadata?.name ?? '',
    instanceType,
    zone,
    capacityType,
    price: candidatePrice(state, nodePool.metadata.name ?? '', instanceType, zone, capacityType, claim),
    reschedulablePods,
    disruptionCost: reschedulablePods.reduce((sum, pod) => sum + evictionCost(pod), 0) * lifetimeRemaining(claim, state.now),
    consolidatable: trueSince(claim, NodeClaimConditions.Consolidatable) !== undefined,
    ...(driftedSince !== undefined ? { driftedSince } : {}),
  };
}

/**
 * A NodeClaim as a candidate whatever protects it: for forceful disruption (a spot reclaim takes
 * the node anyway), where the only question is where its pods go. Undefined without a Node or pool.
 */
export function forcedCandidate(state: ClusterState, claim: NodeClaim): Candidate | undefined {
  const nodePool = state.nodePools.find((p) => p.metadata.name === claim.metadata.labels?.[LabelNodePool]);
  const node = nodeOfClaim(state, claim);
  if (!nodePool || !node?.metadata?.name) return undefined;
  return candidateOf(state, claim, node, nodePool, podsOnNode(state, node.metadata.name).filter(isReschedulable));
}

/** Lowest disruption cost first, then by name so the order is stable. */
export function byDisruptionCost(a: Candidate, b: Candidate): number {
  return a.disruptionCost - b.disruptionCost || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
