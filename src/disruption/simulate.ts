// Karpenter's SimulateScheduling: take the candidates' nodes away, hand their reschedulable pods
// to the scheduling core with everything still pending, and see where they land. Because the core
// sees the PodNetworking zones, the vSwitch IP headroom and each node's ENI pod density, a move
// the IPAM could not serve is never planned.
import { solve, type ExistingNode, type NewClaim, type PodSpecLite, type SchedulingInput } from '../scheduling/index.js';
import { podRef } from './objects.js';
import type { Candidate, ClusterState } from './types.js';

export type Simulation =
  | {
      ok: true;
      newClaims: NewClaim[];
      /** Moving pods placed on capacity that already exists (a Node, or a claim in flight), by UID. */
      placements: Map<string, string>;
    }
  | { ok: false; reason: string };

/** The scheduling input with the candidates' nodes removed and their reschedulable pods pending. */
export function withoutCandidates(input: SchedulingInput, candidates: readonly Candidate[]): { input: SchedulingInput; moving: Set<string> } {
  const removed = new Set(candidates.map((c) => c.nodeName));
  const moving = new Set(candidates.flatMap((c) => c.reschedulablePods.map((p) => p.metadata?.uid ?? '')));
  const movingPods: PodSpecLite[] = [];
  const nodes: ExistingNode[] = [];
  for (const node of input.nodes ?? []) {
    if (!removed.has(node.name)) {
      nodes.push(node);
      continue;
    }
    for (const pod of node.pods) if (moving.has(pod.uid)) movingPods.push(pod);
  }
  const pending = input.pods.filter((p) => !moving.has(p.uid));
  return { input: { ...input, nodes, pods: [...movingPods, ...pending] }, moving };
}

export function simulate(state: ClusterState, candidates: readonly Candidate[]): Simulation {
  const { input, moving } = withoutCandidates(state.scheduling, candidates);
  const known = new Set(input.pods.map((p) => p.uid));
  for (const c of candidates) {
    for (const pod of c.reschedulablePods) {
      // The snapshot and the pod list disagree (a pod just bound): do not guess, try again next pass.
      if (!known.has(pod.metadata?.uid ?? '')) return { ok: false, reason: `pod ${podRef(pod)} is not in the scheduling snapshot yet` };
    }
  }
  const result = solve(input);
  for (const [uid, why] of result.unschedulable) {
    if (!moving.has(uid)) continue;
    const pod = candidates.flatMap((c) => c.reschedulablePods).find((p) => p.metadata?.uid === uid);
    return { ok: false, reason: `pod ${pod ? podRef(pod) : uid} cannot move: ${why}` };
  }
  // Claims the core opens only for pods that were already pending are the provisioner's business.
  const newClaims = result.newClaims.filter((claim) => claim.pods.some((uid) => moving.has(uid)));
  const placements = new Map([...result.existingPlacements].filter(([uid]) => moving.has(uid)));
  return { ok: true, newClaims, placements };
}
