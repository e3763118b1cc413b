// Status conditions in Karpenter's shape (metav1.Condition, as operatorpkg writes them): a
// condition's lastTransitionTime changes only when its status does, and Ready rolls up the others.
import type { Condition } from '../../apis/conditions.js';

export interface ConditionInput {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/**
 * The new condition list: each input replaces the condition of its type, keeping the previous
 * lastTransitionTime when the status did not change; conditions of other types are kept.
 */
export function setConditions(previous: readonly Condition[] | undefined, inputs: readonly ConditionInput[], observedGeneration: number | undefined, now: Date): Condition[] {
  const out = new Map((previous ?? []).map((c) => [c.type, c]));
  for (const input of inputs) {
    const before = out.get(input.type);
    out.set(input.type, {
      type: input.type,
      status: input.status,
      reason: input.reason,
      message: input.message,
      lastTransitionTime: before && before.status === input.status ? before.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    });
  }
  return [...out.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/** Ready: True when every dependent condition is True, else False with the first failing one's reason and message. */
export function readyFrom(dependents: readonly ConditionInput[], readyType = 'Ready'): ConditionInput {
  const failing = dependents.find((c) => c.status !== 'True');
  return failing
    ? { type: readyType, status: failing.status === 'Unknown' ? 'Unknown' : 'False', reason: failing.reason, message: failing.message }
    : { type: readyType, status: 'True', reason: 'Ready', message: '' };
}
