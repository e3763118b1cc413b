// NodeClaim status conditions as Karpenter's operatorpkg writes them: metav1.Condition with a
// lastTransitionTime that moves only when the status changes, and Ready as the roll-up of
// Launched, Registered and Initialized (False if any is False, Unknown until all are True).
import { NodeClaimConditions, type Condition } from '../../apis/conditions.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface ConditionUpdate {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** The lifecycle conditions Ready depends on, in lifecycle order. */
export const LifecycleConditions = [NodeClaimConditions.Launched, NodeClaimConditions.Registered, NodeClaimConditions.Initialized] as const;

/** RFC 3339 at second precision, as metav1.Time serializes. */
export function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Returns the conditions with `update` applied; the same array when nothing changed. */
export function setCondition(conditions: readonly Condition[], update: ConditionUpdate, now: Date, generation?: number): Condition[] {
  const existing = conditions.find((c) => c.type === update.type);
  if (existing && existing.status === update.status && existing.reason === update.reason && existing.message === update.message) {
    return conditions as Condition[];
  }
  const next: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    message: update.message,
    lastTransitionTime: existing && existing.status === update.status ? existing.lastTransitionTime : timestamp(now),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  return existing ? conditions.map((c) => (c.type === update.type ? next : c)) : [...conditions, next];
}

/** Ready from the lifecycle conditions: True when all are, else the first one that is not. */
export function readyCondition(conditions: readonly Condition[]): ConditionUpdate {
  for (const type of LifecycleConditions) {
    const c = conditions.find((x) => x.type === type);
    if (c?.status === 'True') continue;
    if (c?.status === 'False') return { type: NodeClaimConditions.Ready, status: 'False', reason: `${type}False`, message: `${type}: ${c.message}` };
    return {
      type: NodeClaimConditions.Ready,
      status: 'Unknown',
      reason: `Awaiting${type}`,
      message: c?.message ? `${type}: ${c.message}` : `waiting for the node to be ${type.toLowerCase()}`,
    };
  }
  return { type: NodeClaimConditions.Ready, status: 'True', reason: 'Ready', message: '' };
}

/** Applies updates and recomputes Ready. */
export function withConditions(conditions: readonly Condition[], updates: readonly ConditionUpdate[], now: Date, generation?: number): Condition[] {
  let out = conditions as Condition[];
  for (const u of updates) out = setCondition(out, u, now, generation);
  return setCondition(out, readyCondition(out), now, generation);
}
