// Termination of a deleted NodeClaim (finalizer karpenter.sh/termination), Karpenter v1's order:
//
//   1. taint the Node karpenter.sh/disrupted:NoSchedule so nothing new lands on it;
//   2. drain it (drain.ts): evict through the eviction API, so PodDisruptionBudgets decide, and
//      when spec.terminationGracePeriod is set, delete what remains in time for the deadline and
//      go on at the deadline whatever is left;
//   3. delete the instance (idempotent) and wait until the cloud reports it gone, along with any
//      instance an interrupted launch left behind under the same launch token;
//   4. delete the Node (removing its finalizer), then remove the NodeClaim's finalizer.
//
// If the instance is already gone (spot reclaim, deleted by a person) the drain is skipped: its
// pods are not running anywhere, and a PDB must not keep a dead node around.
//
// IPAM ordering: the IPAM releases the node's ENIs and pod IPs when it sees the Node (or this
// NodeClaim) go, i.e. after step 3: the secondary ENIs are detached by the instance release and
// deleted by the IPAM afterwards. Nothing here touches ENIs.
import { NodeClaimConditions, findCondition } from '../../apis/conditions.js';
import { parseDuration } from '../../apis/duration.js';
import {
  AnnotationNodeClaimTerminationTimestamp,
  FinalizerTermination,
  LabelNodePool,
  TagLaunchToken,
  TaintDisrupted,
} from '../../apis/labels.js';
import type { NodeClaim } from '../../apis/nodeclaim.js';
import { isCloudError } from '../../cloud/index.js';
import { evictPod, isConflict, isNotFound, PodIndex, type Node, type Pod, type ReconcileContext, type ReconcileResult } from '../../operator/index.js';
import { timestamp, withConditions } from './conditions.js';
import { nodeOfClaim } from '../shared/cluster-informers.js';
import { instanceIdOf } from '../shared/provider-id.js';
import { patchClaimMetadata, patchClaimStatus, updateNode, type NodeClaimContext } from './context.js';
import { planDrain } from './drain.js';

const provider = 'alibabacloud';

function nodePoolOf(claim: NodeClaim): string {
  return claim.metadata.labels?.[LabelNodePool] ?? '';
}

function podRef(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** When the terminationGracePeriod ends, if the claim has one. */
export function terminationDeadline(claim: NodeClaim): Date | undefined {
  const deleted = Date.parse(claim.metadata.deletionTimestamp ?? '');
  const grace = claim.spec.terminationGracePeriod;
  if (Number.isNaN(deleted) || !grace) return undefined;
  return new Date(deleted + parseDuration(grace));
}

export async function reconcileTermination(ctx: NodeClaimContext, claim: NodeClaim, rc: ReconcileContext): Promise<ReconcileResult | void> {
  if (!claim.metadata.finalizers?.includes(FinalizerTermination)) return;
  const now = ctx.now();
  const deadline = terminationDeadline(claim);
  const node = nodeOfClaim(ctx, claim);
  const providerID = claim.status?.providerID;
  const instanceId = instanceIdOf(providerID);

  if (node && !(await instanceVanished(ctx, node, instanceId))) {
    const drained = await drain(ctx, claim, node, now, deadline, rc);
    if (drained) return drained;
  }

  if (instanceId) {
    const pending = await terminateInstance(ctx, claim, instanceId, rc);
    if (pending) return pending;
  }
  const strays = await terminateStrayLaunches(ctx, claim, instanceId, rc);
  if (strays) return strays;

  if (node) await deleteNode(ctx, claim, node, rc);

  await patchClaimMetadata(ctx, claim, { finalizers: (claim.metadata.finalizers ?? []).filter((f) => f !== FinalizerTermination) });
  ctx.metrics.terminated.inc({ nodepool: nodePoolOf(claim) });
  const deleted = Date.parse(claim.metadata.deletionTimestamp ?? '');
  if (!Number.isNaN(deleted)) ctx.metrics.nodeTerminationDuration.observe({ nodepool: nodePoolOf(claim) }, Math.max(0, (now.getTime() - deleted) / 1000));
  rc.log.info({ providerID, node: node?.metadata?.name }, 'terminated');
}

/** A Ready Node's instance is running; otherwise ask the cloud, so a dead node is not drained forever. */
async function instanceVanished(ctx: NodeClaimContext, node: Node, instanceId: string | undefined): Promise<boolean> {
  if (!instanceId) return false;
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  if (ready) return false;
  const instance = await ctx.cloud.getInstance(instanceId);
  return !instance || instance.state === 'Deleted';
}

/** Taints and drains; returns a requeue while pods remain, undefined once the drain is done (or the deadline passed). */
async function drain(ctx: NodeClaimContext, claim: NodeClaim, node: Node, now: Date, deadline: Date | undefined, rc: ReconcileContext): Promise<ReconcileResult | undefined> {
  await updateNode(ctx, node, (current) => {
    const taints = current.spec?.taints ?? [];
    const tainted = taints.some((t) => t.key === TaintDisrupted && t.effect === 'NoSchedule');
    const annotated = !deadline || current.metadata?.annotations?.[AnnotationNodeClaimTerminationTimestamp] !== undefined;
    if (tainted && annotated) return undefined;
    return {
      ...(annotated ? {} : { metadata: { annotations: { [AnnotationNodeClaimTerminationTimestamp]: timestamp(deadline ?? now) } } }),
      ...(tainted ? {} : { spec: { taints: [...taints, { key: TaintDisrupted, effect: 'NoSchedule', timeAdded: timestamp(now) }] } }),
    };
  });

  const nodeName = node.metadata?.name ?? '';
  const plan = planDrain(ctx.pods.byIndex(PodIndex.byNodeName, nodeName), now, deadline);
  if (plan.drained) return undefined;
  if (deadline && now.getTime() >= deadline.getTime()) {
    rc.log.warn({ node: nodeName, remaining: plan.waiting.length + plan.evict.length }, 'terminationGracePeriod elapsed; terminating with pods left');
    return undefined;
  }

  for (const { pod, gracePeriodSeconds } of plan.delete) {
    try {
      await ctx.manager.clients.core.deleteNamespacedPod({
        name: pod.metadata?.name ?? '',
        namespace: pod.metadata?.namespace ?? '',
        gracePeriodSeconds,
        body: { gracePeriodSeconds, preconditions: { uid: pod.metadata?.uid } },
      });
      rc.recorder.normal(pod, 'Deleted', 'Deleting the pod: its node\'s terminationGracePeriod is ending');
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }
  const blocked: string[] = [];
  for (const pod of plan.evict) {
    const outcome = await evictPod(ctx.manager.clients, { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '', uid: pod.metadata?.uid });
    if (outcome === 'blocked-by-pdb') {
      blocked.push(podRef(pod));
      rc.recorder.warning(pod, 'FailedEviction', `Evicting the pod to drain node ${nodeName} is refused by its PodDisruptionBudget; retrying`);
    } else if (outcome === 'evicted') {
      rc.recorder.normal(pod, 'Evicted', `Evicted to drain node ${nodeName}`);
    }
  }
  if (blocked.length > 0) {
    rc.recorder.warning(claim, 'DrainBlocked', 'Draining waits for pods whose PodDisruptionBudget allows no disruption now');
    rc.log.info({ node: nodeName, blocked }, 'evictions refused by PodDisruptionBudgets; retrying');
  }
  for (const pod of plan.doNotDisrupt) {
    rc.recorder.warning(
      claim,
      'DrainWaiting',
      `Pod ${podRef(pod)} has karpenter.sh/do-not-disrupt and is not evicted${deadline ? '; it is deleted when terminationGracePeriod ends' : ''}`,
    );
  }
  return { requeueAfter: ctx.options.drainRetryMs };
}

/** Deletes the instance and waits until it is gone; returns a requeue while it still exists. */
async function terminateInstance(ctx: NodeClaimContext, claim: NodeClaim, instanceId: string, rc: ReconcileContext): Promise<ReconcileResult | undefined> {
  const instance = await ctx.cloud.getInstance(instanceId);
  const terminating = findCondition(claim.status?.conditions, NodeClaimConditions.InstanceTerminating);
  if (!instance || instance.state === 'Deleted') {
    if (terminating?.status === 'True') {
      const since = Date.parse(terminating.lastTransitionTime);
      if (!Number.isNaN(since)) {
        ctx.metrics.instanceTerminationDuration.observe({ nodepool: nodePoolOf(claim) }, Math.max(0, (ctx.now().getTime() - since) / 1000));
      }
    }
    return undefined;
  }
  if (instance.state !== 'Stopping') {
    try {
      await ctx.cloud.deleteInstance(instanceId);
    } catch (error) {
      ctx.metrics.cloudProviderErrors.inc({ controller: 'nodeclaim.termination', method: 'Delete', provider, error: isCloudError(error) ? error.kind : 'Unknown' });
      // A Pending or Starting instance cannot be released yet: look again shortly.
      if (isCloudError(error, 'Conflict')) return { requeueAfter: ctx.options.instanceTerminationPollMs };
      throw error;
    }
    if (terminating?.status !== 'True') {
      const conditions = withConditions(
        claim.status?.conditions ?? [],
        [{ type: NodeClaimConditions.InstanceTerminating, status: 'True', reason: 'InstanceTerminating', message: `instance ${instanceId} is being deleted` }],
        ctx.now(),
        claim.metadata.generation,
      );
      await patchClaimStatus(ctx, claim, { conditions });
      rc.recorder.normal(claim, 'InstanceTerminating', `Deleting instance ${instanceId}`);
    }
  }
  return { requeueAfter: ctx.options.instanceTerminationPollMs };
}

/** Instances launched under this claim's token that are not its instance (a launch cut short). */
async function terminateStrayLaunches(ctx: NodeClaimContext, claim: NodeClaim, instanceId: string | undefined, rc: ReconcileContext): Promise<ReconcileResult | undefined> {
  const uid = claim.metadata.uid;
  if (!uid) return undefined;
  const strays = (await ctx.cloud.listInstances({ [TagLaunchToken]: uid })).filter((i) => i.id !== instanceId && i.state !== 'Deleted');
  if (strays.length === 0) return undefined;
  for (const stray of strays) {
    if (stray.state === 'Stopping') continue;
    try {
      await ctx.cloud.deleteInstance(stray.id);
      rc.log.info({ instanceId: stray.id }, 'deleted an instance launched for this NodeClaim that it does not own');
    } catch (error) {
      if (!isCloudError(error, 'Conflict')) throw error;
    }
  }
  return { requeueAfter: ctx.options.instanceTerminationPollMs };
}

async function deleteNode(ctx: NodeClaimContext, claim: NodeClaim, node: Node, rc: ReconcileContext): Promise<void> {
  const name = node.metadata?.name ?? '';
  if (!node.metadata?.deletionTimestamp) {
    try {
      await ctx.manager.clients.core.deleteNode({ name, body: { preconditions: { uid: node.metadata?.uid } } });
    } catch (error) {
      if (isNotFound(error) || isConflict(error)) return;
      throw error;
    }
  }
  await updateNode(ctx, node, (current) => {
    const finalizers = current.metadata?.finalizers ?? [];
    return finalizers.includes(FinalizerTermination) ? { metadata: { finalizers: finalizers.filter((f) => f !== FinalizerTermination) } } : undefined;
  });
  ctx.metrics.nodesTerminated.inc({ nodepool: nodePoolOf(claim) });
  rc.log.info({ node: name }, 'node deleted');
}
