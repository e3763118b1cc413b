// The NodeClaim conditions disruption owns, computed from the objects (Karpenter's nodeclaim
// disruption sub-controllers): Consolidatable once consolidateAfter has passed since the node last
// had a pod scheduled or removed (or since it initialized), Drifted while driftOf finds a reason.
import { parseNillableDuration } from '../apis/duration.js';
import { findCondition, NodeClaimConditions } from '../apis/conditions.js';
import type { ECSNodeClass } from '../apis/ecsnodeclass.js';
import type { NodeClaim } from '../apis/nodeclaim.js';
import type { NodePool } from '../apis/nodepool.js';
import { driftOf } from './drift.js';
import type { InstanceFacts } from './types.js';

/** A condition to hold, or `null` to remove it. */
export type DesiredCondition = { status: 'True'; reason: string; message: string } | null;

export interface ConsolidatableDecision {
  condition: DesiredCondition;
  /** When to look again (ms since epoch), if the answer changes with time alone. */
  recheckAt?: number;
}

export function consolidatableCondition(claim: NodeClaim, nodePool: NodePool, now: number): ConsolidatableDecision {
  const after = parseNillableDuration(nodePool.spec.disruption.consolidateAfter);
  if (after === null) return { condition: null };
  const initialized = findCondition(claim.status?.conditions, NodeClaimConditions.Initialized);
  if (initialized?.status !== 'True') return { condition: null };
  const lastPodEvent = claim.status?.lastPodEventTime ? Date.parse(claim.status.lastPodEventTime) : Number.NaN;
  const since = Number.isNaN(lastPodEvent) ? Date.parse(initialized.lastTransitionTime) : lastPodEvent;
  const at = (Number.isNaN(since) ? 0 : since) + after;
  if (now < at) return { condition: null, recheckAt: at };
  return { condition: { status: 'True', reason: 'Consolidatable', message: '' } };
}

export function driftedCondition(
  claim: NodeClaim,
  nodePool: NodePool,
  nodeClass: ECSNodeClass | undefined,
  instance: InstanceFacts | undefined,
): DesiredCondition {
  if (findCondition(claim.status?.conditions, NodeClaimConditions.Launched)?.status !== 'True') return null;
  const drift = driftOf(claim, nodePool, nodeClass, instance);
  return drift ? { status: 'True', reason: drift.reason, message: drift.message } : null;
}
