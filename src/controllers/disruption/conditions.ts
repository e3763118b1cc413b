// The NodeClaim conditions disruption reads, kept current per NodeClaim (Karpenter's nodeclaim
// disruption controller): Consolidatable (consolidateAfter since the last pod event) and Drifted
// (NodePool or ECSNodeClass changed, requirements no longer met, image/vSwitch/security groups no
// longer selected), and the pod-event clock (status.lastPodEventTime). The NodePool hash that
// static drift compares against is written by the provisioner (src/controllers/provisioning).
import { NodeClaimConditions, type Condition } from '../../apis/conditions.js';
import { LabelNodePool } from '../../apis/labels.js';
import type { NodeClaim } from '../../apis/nodeclaim.js';
import { consolidatableCondition, driftedCondition, type DesiredCondition } from '../../disruption/index.js';
import { isNotFound, keyOf, type Pod, type ReconcileContext, type ReconcileResult } from '../../operator/index.js';
import { claimOfNode, patchClaimConditions, patchClaimStatusField, type DisruptionContext } from './context.js';

const driftRecheckMs = 5 * 60_000;

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The conditions with `type` set to `desired` (or removed); the same array when nothing changes. */
function apply(conditions: Condition[], type: string, desired: DesiredCondition, now: number, generation: number | undefined): Condition[] {
  const existing = conditions.find((c) => c.type === type);
  if (!desired) return existing ? conditions.filter((c) => c.type !== type) : conditions;
  if (existing && existing.status === desired.status && existing.reason === desired.reason && existing.message === desired.message) return conditions;
  const next: Condition = {
    type,
    status: desired.status,
    reason: desired.reason,
    message: desired.message,
    lastTransitionTime: existing?.status === desired.status ? existing.lastTransitionTime : rfc3339(now),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  return existing ? conditions.map((c) => (c.type === type ? next : c)) : [...conditions, next];
}

export async function reconcileConditions(ctx: DisruptionContext, key: string, rc: ReconcileContext): Promise<ReconcileResult | void> {
  const claim = ctx.claims.getByKey(key);
  if (!claim || claim.metadata.deletionTimestamp) return;
  const nodePool = ctx.nodePools.get(claim.metadata.labels?.[LabelNodePool] ?? '');
  if (!nodePool) return;
  const nodeClass = ctx.nodeClasses.get(claim.spec.nodeClassRef.name);
  const now = ctx.now();
  const providerID = claim.status?.providerID;
  const instance = providerID ? ctx.instanceFacts.get(providerID) : undefined;

  const consolidatable = consolidatableCondition(claim, nodePool, now);
  const drifted = driftedCondition(claim, nodePool, nodeClass, instance);
  const before = claim.status?.conditions ?? [];
  let conditions = apply(before, NodeClaimConditions.Consolidatable, consolidatable.condition, now, claim.metadata.generation);
  conditions = apply(conditions, NodeClaimConditions.Drifted, drifted, now, claim.metadata.generation);
  if (conditions !== before) {
    await patchClaimConditions(ctx, claim, conditions);
    const wasDrifted = before.some((c) => c.type === NodeClaimConditions.Drifted);
    if (drifted && !wasDrifted) {
      rc.log.info({ reason: drifted.reason, message: drifted.message }, 'drifted');
      rc.recorder.normal(claim, 'Drifted', drifted.message);
    }
  }
  const waits = [driftRecheckMs];
  if (consolidatable.recheckAt !== undefined) waits.push(Math.max(100, consolidatable.recheckAt - now + 50));
  return { requeueAfter: Math.min(...waits) };
}

/** The NodeClaims a pod event concerns: the claim of the node the pod is (or was) on. */
export function podEventClaims(ctx: DisruptionContext, event: { type: string; object: Pod; old?: Pod }): string[] {
  const pod = event.object;
  const nodeName = pod.spec?.nodeName;
  // A pod's removal counts once, when it starts terminating (as upstream); its final deletion
  // counts only if it vanished without a terminating phase we could see.
  const moved =
    (event.type === 'delete' && pod.metadata?.deletionTimestamp === undefined) ||
    (event.type === 'add' && nodeName !== undefined) ||
    (event.type === 'update' &&
      (event.old?.spec?.nodeName !== nodeName ||
        (event.old?.metadata?.deletionTimestamp === undefined && pod.metadata?.deletionTimestamp !== undefined) ||
        (isTerminalPhase(pod) && !isTerminalPhase(event.old))));
  if (!moved) return [];
  const names = new Set([nodeName, event.old?.spec?.nodeName].filter((n): n is string => n !== undefined));
  const out: string[] = [];
  for (const name of names) {
    const node = ctx.nodes.get(name);
    const claim = node ? claimOfNode(ctx, node) : undefined;
    if (claim) out.push(keyOf(claim));
  }
  return out;
}

function isTerminalPhase(pod: Pod | undefined): boolean {
  return pod?.status?.phase === 'Succeeded' || pod?.status?.phase === 'Failed';
}

/** Records a pod event on the NodeClaim (Karpenter's podevents controller), at most once per dedupe window. */
export async function recordPodEvent(ctx: DisruptionContext, claim: NodeClaim): Promise<void> {
  const now = ctx.now();
  const last = Date.parse(claim.status?.lastPodEventTime ?? '');
  if (!Number.isNaN(last) && now - last < ctx.options.podEventDedupeMs) return;
  try {
    await patchClaimStatusField(ctx, claim.metadata.name ?? '', { lastPodEventTime: rfc3339(now) });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
