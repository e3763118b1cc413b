// Spot interruption. ACK (and the simulator) signals a reclaim with the Node condition
// InstanceTerminating and a release time in its message. Karpenter's interruption controller
// deletes the NodeClaim at once and lets the provisioner relaunch the evicted pods; here the
// notice is used instead to have the pods' new home up before they are evicted:
//
//   1. plan where the node's pods go with the node gone (the same simulation as consolidation);
//      create replacement NodeClaims for what does not fit on existing capacity;
//   2. taint the node karpenter.sh/disrupted:NoSchedule (after the replacements exist, so the
//      provisioner, which treats a tainted node's pods as pending, finds them in flight);
//   3. delete the NodeClaim (drain through the eviction API, then release) as soon as every pod
//      has a place on initialized capacity, or when the release time is near, whichever is first.
//
// Every step is idempotent: a restart re-plans, and the replacements already in flight absorb the pods.
import { ConditionSpotInterruption, LabelCapacityType, LabelNodePool, TaintDisrupted } from '../../apis/labels.js';
import { forcedCandidate, plainReplacement, simulate } from '../../disruption/index.js';
import { sleep, type Node, type ReconcileContext, type ReconcileResult } from '../../operator/index.js';
import { clusterState } from './cluster-state.js';
import { claimOfNode, createClaim, deleteClaim, setDisruptedTaint, type DisruptionContext } from './context.js';
import { nodeRef } from './execute.js';
import { AnnotationReplacementFor, replacementClaimBody } from './replacement.js';

/** The Node's reclaim notice, if it has one: when it came and when the instance goes. */
export function interruptionOf(node: Node, noticeFallbackMs: number): { since: number; releaseAt: number; message: string } | undefined {
  const condition = node.status?.conditions?.find((c) => c.type === ConditionSpotInterruption);
  if (condition?.status !== 'True') return undefined;
  const since = Date.parse(String(condition.lastTransitionTime ?? ''));
  const message = condition.message ?? '';
  const stated = /released at (\S+?)\.?$/.exec(message)?.[1];
  const releaseAt = stated ? Date.parse(stated) : Number.NaN;
  const base = Number.isNaN(since) ? Date.now() : since;
  return { since: base, releaseAt: Number.isNaN(releaseAt) ? base + noticeFallbackMs : releaseAt, message };
}

const recheckMs = 1000;
/** ECS gives spot instances at least this much notice; used when the message states no time. */
const defaultNoticeMs = 120_000;

export async function reconcileInterruption(ctx: DisruptionContext, key: string, rc: ReconcileContext): Promise<ReconcileResult | void> {
  const node = ctx.nodes.getByKey(key);
  if (!node || node.metadata?.deletionTimestamp) return;
  const notice = interruptionOf(node, defaultNoticeMs);
  if (!notice) return;
  const claim = claimOfNode(ctx, node);
  if (!claim || claim.metadata.deletionTimestamp) return;
  const nodeName = node.metadata?.name ?? '';
  const nodepool = claim.metadata.labels?.[LabelNodePool] ?? '';

  const tainted = (node.spec?.taints ?? []).some((t) => t.key === TaintDisrupted);
  if (!tainted) {
    ctx.metrics.interruptionMessages.inc({ message_type: 'spot_interrupted' });
    rc.recorder.warning(claim, 'SpotInterrupted', `Spot instance is being reclaimed: ${notice.message}`);
    rc.recorder.warning(nodeRef(node), 'SpotInterrupted', `Spot instance is being reclaimed: ${notice.message}`);
  }

  const { state, podNetworks } = await clusterState(ctx);
  const candidate = forcedCandidate(state, claim);
  let ready = false;
  if (candidate) {
    const simulation = simulate(state, [candidate]);
    if (simulation.ok) {
      const replacements = simulation.newClaims.map(plainReplacement);
      const created: string[] = [];
      for (const replacement of replacements) {
        const claimCreated = await createClaim(ctx, replacementClaimBody(candidate.nodePool, replacement, [claim.metadata.name ?? ''], podNetworks));
        created.push(claimCreated.metadata.name ?? '');
        ctx.metrics.nodeClaimsCreated.count('interrupted', claimCreated);
        rc.recorder.normal(claimCreated, 'Launching', `Replacement for spot-interrupted ${claim.metadata.name}`);
        rc.log.info({ replacement: claimCreated.metadata.name, instanceTypes: replacement.instanceTypes.slice(0, 5) }, 'launching a replacement for a spot-interrupted node');
      }
      // The next pass plans from the cache: it must see these in flight, or it would launch them again.
      for (let waited = 0; waited < 5000 && !created.every((n) => ctx.claims.get(n)); waited += 50) await sleep(50, rc.signal);
      // Ready when every pod has a place on a Node that is initialized (not on a claim still in flight).
      const initialized = new Set((state.scheduling.nodes ?? []).filter((n) => n.initialized !== false && !n.markedForDeletion).map((n) => n.name));
      ready = replacements.length === 0 && [...simulation.placements.values()].every((target) => initialized.has(target));
    } else {
      rc.log.warn({ reason: simulation.reason }, 'no place for the pods of a spot-interrupted node; draining it anyway before the release');
    }
  }
  if (!tainted) await setDisruptedTaint(ctx, nodeName, true);

  const drainBy = notice.releaseAt - ctx.options.interruptionDrainLeadMs;
  if (!ready && ctx.now() < drainBy) return { requeueAfter: Math.min(recheckMs, Math.max(100, drainBy - ctx.now())) };

  await deleteClaim(ctx, claim);
  const why = ready ? 'its pods have a place on running nodes' : 'the release time is near';
  rc.recorder.normal(claim, 'DisruptionTerminating', `Disrupting Node: Interrupted (${why})`);
  rc.recorder.normal(nodeRef(node), 'DisruptionTerminating', `Disrupting Node: Interrupted (${why})`);
  ctx.metrics.nodeClaimsDisrupted.inc({ reason: 'interrupted', nodepool, capacity_type: claim.metadata.labels?.[LabelCapacityType] ?? '' });
  rc.log.info({ nodeclaim: claim.metadata.name, releaseAt: new Date(notice.releaseAt).toISOString(), why }, 'draining the spot-interrupted node');
}

/** Nodes with a reclaim notice that still have a NodeClaim to act on. */
export function isInterrupted(node: Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === ConditionSpotInterruption && c.status === 'True');
}

export { AnnotationReplacementFor };
