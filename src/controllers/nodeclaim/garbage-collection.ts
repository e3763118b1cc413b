// Garbage collection, both directions, every couple of minutes:
//
// - an instance tagged as this cluster's and launched by this operator that no NodeClaim owns
//   (a crash between launch and status write, a NodeClaim force-deleted) is deleted once it is
//   older than the grace period; an instance whose launch token names a NodeClaim that has no
//   providerID yet is a launch in flight and is left alone;
// - a launched NodeClaim whose instance no longer exists (spot reclaim, deleted by a person) is
//   deleted, so its pods are planned again; the cloud is asked about that instance once more
//   before acting, since a list can be older than a launch.
import { NodeClaimConditions, findCondition } from '../../apis/conditions.js';
import { TagCluster, TagClusterKarpenter, TagLaunchToken, TagManagedBy, TagManagedByValue } from '../../apis/labels.js';
import type { NodeClaim } from '../../apis/nodeclaim.js';
import type { Instance } from '../../cloud/index.js';
import type { RunContext } from '../../operator/index.js';
import { instanceIdOf } from '../shared/provider-id.js';
import { deleteClaim, type NodeClaimContext } from './context.js';

/** Instances of this cluster and operator, whatever their state. */
export function clusterInstanceTags(ctx: Pick<NodeClaimContext, 'cluster'>): Record<string, string> {
  return { [TagCluster]: ctx.cluster.clusterId, [TagClusterKarpenter]: ctx.cluster.clusterName, [TagManagedBy]: TagManagedByValue };
}

const gone = (i: Instance) => i.state === 'Deleted' || i.state === 'Stopping';

/** Instances no NodeClaim owns and old enough to be no launch in flight. Pure. */
export function orphanedInstances(instances: readonly Instance[], claims: readonly NodeClaim[], now: Date, graceMs: number): Instance[] {
  const owned = new Set(claims.flatMap((c) => (c.status?.providerID ? [c.status.providerID] : [])));
  const launching = new Set(claims.filter((c) => !c.status?.providerID).flatMap((c) => (c.metadata.uid ? [c.metadata.uid] : [])));
  return instances.filter((i) => {
    if (gone(i) || owned.has(i.providerID)) return false;
    const token = i.tags[TagLaunchToken];
    if (token && launching.has(token)) return false;
    const created = Date.parse(i.creationTime);
    return !Number.isNaN(created) && now.getTime() - created >= graceMs;
  });
}

/** Launched, live NodeClaims whose instance is not among `instances`. Pure. */
export function claimsWithVanishedInstances(instances: readonly Instance[], claims: readonly NodeClaim[], now: Date, graceMs: number): NodeClaim[] {
  const live = new Set(instances.filter((i) => !gone(i)).map((i) => i.providerID));
  return claims.filter((c) => {
    const providerID = c.status?.providerID;
    if (!providerID || c.metadata.deletionTimestamp || live.has(providerID)) return false;
    const launched = Date.parse(findCondition(c.status?.conditions, NodeClaimConditions.Launched)?.lastTransitionTime ?? '');
    return !Number.isNaN(launched) && now.getTime() - launched >= graceMs;
  });
}

export async function collectGarbage(ctx: NodeClaimContext, run: RunContext): Promise<void> {
  await ctx.claims.waitForSync(run.signal);
  const instances = await ctx.cloud.listInstances(clusterInstanceTags(ctx));
  // Claims read after the list: a claim launched meanwhile is known, so its instance is not taken for an orphan.
  const claims = ctx.claims.list();
  const now = ctx.now();

  for (const instance of orphanedInstances(instances, claims, now, ctx.options.garbageCollectionGraceMs)) {
    if (run.signal.aborted) return;
    await ctx.cloud.deleteInstance(instance.id);
    ctx.metrics.garbageCollected.inc({ reason: 'orphaned' });
    run.log.warn(
      { instanceId: instance.id, instanceType: instance.instanceType, zone: instance.zone, created: instance.creationTime, nodeClaim: instance.tags['karpenter.k8s.alibabacloud/nodeclaim'] },
      'garbage collection: deleted an instance no NodeClaim owns',
    );
  }

  for (const claim of claimsWithVanishedInstances(instances, claims, now, ctx.options.garbageCollectionGraceMs)) {
    if (run.signal.aborted) return;
    const instanceId = instanceIdOf(claim.status?.providerID);
    if (!instanceId) continue; // claimsWithVanishedInstances keeps only claims with a providerID
    const instance = await ctx.cloud.getInstance(instanceId);
    if (instance && !gone(instance)) continue;
    run.recorder.warning(claim, 'InstanceTerminated', `Instance ${instanceId} no longer exists (spot reclaim or deleted outside the operator); deleting the NodeClaim`);
    run.log.warn({ nodeClaim: claim.metadata.name, instanceId }, 'garbage collection: instance vanished; deleting its NodeClaim');
    await deleteClaim(ctx, claim);
  }
}
