// Launch: a NodeClaim without a providerID gets an instance. The ClientToken is the NodeClaim's
// UID and the cloud provider first looks for an instance tagged with it, so a retry, a restart or
// a second replica mid-launch never creates a second instance.
//
// On InsufficientCapacity the failed offerings go into the catalog's unavailable cache (the
// provisioner stops planning them too) and the launch is planned again from what remains. When
// nothing remains the NodeClaim is marked Launched=False and deleted, so the provisioner plans
// the pods again with the offerings that are left: Karpenter's behaviour.
import { isConditionTrue, NodeClaimConditions } from '../../apis/conditions.js';
import type { ECSNodeClass } from '../../apis/ecsnodeclass.js';
import { AnnotationPricePerHour, LabelNodePool } from '../../apis/labels.js';
import type { NodeClaim } from '../../apis/nodeclaim.js';
import { isCloudError, type CloudError, type Instance } from '../../cloud/index.js';
import type { ReconcileContext, ReconcileResult } from '../../operator/index.js';
import { resourcesFromQuantities } from '../../scheduling/index.js';
import { nodeClassHashAnnotations } from '../nodeclass/hash.js';
import { planCandidates, type PlannedCandidate } from './candidates.js';
import { withConditions, type ConditionUpdate } from './conditions.js';
import { deleteClaim, patchClaimMetadata, patchClaimStatus, type NodeClaimContext } from './context.js';
import { buildLaunchPlan, candidateLabels } from './launch-request.js';
import { toQuantities } from './quantities.js';

/** Re-plans after stock-outs within one reconcile; each pass removes at least one offering. */
const maxLaunchAttempts = 5;
const provider = 'alibabacloud';

export type LaunchOutcome = { launched: NodeClaim } | { result: ReconcileResult };

function isIpShortage(code: string): boolean {
  return /IpNotEnough|IpAddress|Ipv4CountExceeded/i.test(code);
}

async function setLaunched(ctx: NodeClaimContext, claim: NodeClaim, update: Omit<ConditionUpdate, 'type'>): Promise<NodeClaim> {
  const conditions = withConditions(claim.status?.conditions ?? [], [{ type: NodeClaimConditions.Launched, ...update }], ctx.now(), claim.metadata.generation);
  if (conditions === claim.status?.conditions) return claim;
  return patchClaimStatus(ctx, claim, { conditions });
}

/** Waits (condition Launched=Unknown with why) and looks again later. */
async function wait(ctx: NodeClaimContext, claim: NodeClaim, reason: string, message: string, requeueAfter: number): Promise<LaunchOutcome> {
  await setLaunched(ctx, claim, { status: 'Unknown', reason, message });
  return { result: { requeueAfter } };
}

export async function launch(ctx: NodeClaimContext, claim: NodeClaim, rc: ReconcileContext): Promise<LaunchOutcome> {
  const nodeClassName = claim.spec.nodeClassRef.name;
  const nodeClass = ctx.nodeClasses.get(nodeClassName);
  if (!nodeClass) {
    return wait(ctx, claim, 'NodeClassNotFound', `ECSNodeClass ${nodeClassName} does not exist`, 30_000);
  }
  if (nodeClass.metadata.deletionTimestamp) {
    return wait(ctx, claim, 'NodeClassTerminating', `ECSNodeClass ${nodeClassName} is being deleted`, 30_000);
  }
  if (!isConditionTrue(nodeClass.status?.conditions, NodeClaimConditions.Ready)) {
    const ready = nodeClass.status?.conditions?.find((c) => c.type === 'Ready');
    return wait(ctx, claim, 'NodeClassNotReady', `ECSNodeClass ${nodeClassName} is not ready${ready?.message ? `: ${ready.message}` : ''}`, 30_000);
  }
  if (!ctx.catalog.loaded()) {
    return wait(ctx, claim, 'InstanceTypesNotLoaded', 'waiting for the instance-type catalog to load', 5_000);
  }

  const failedOfferings = new Set<string>();
  const excludedVSwitches = new Set<string>();
  const key = (o: { instanceType: string; zone: string; capacityType: string }) => `${o.instanceType}/${o.zone}/${o.capacityType}`;
  let lastShortage: CloudError | undefined;
  for (let attempt = 0; attempt < maxLaunchAttempts; attempt++) {
    const plan = planCandidates({
      requirements: claim.spec.requirements,
      requests: resourcesFromQuantities(claim.spec.resources?.requests),
      instanceTypes: ctx.catalog.forNodeClass(nodeClass),
      vSwitches: nodeClass.status?.vSwitches ?? [],
      images: nodeClass.status?.images ?? [],
      excludedVSwitches,
    });
    const remaining = plan.ok ? plan.candidates.filter((c) => !failedOfferings.has(key({ ...c, instanceType: c.instanceType.name }))) : [];
    if (remaining.length === 0) {
      const reason = lastShortage ? 'InsufficientCapacity' : 'NoCompatibleInstanceTypes';
      const message = lastShortage
        ? `every launch candidate is out of capacity (${lastShortage.code})`
        : plan.ok
          ? 'every launch candidate is out of capacity'
          : plan.reason;
      return fail(ctx, claim, rc, reason, message);
    }
    const launchPlan = buildLaunchPlan(claim, nodeClass, remaining, (name) => ctx.catalog.info(name), ctx.cluster);
    let instance: Instance;
    try {
      instance = await ctx.cloud.createInstance(launchPlan.request);
    } catch (error) {
      if (isCloudError(error, 'InsufficientCapacity') || isCloudError(error, 'IpExhausted')) {
        lastShortage = error;
        ctx.metrics.cloudProviderErrors.inc({ controller: 'nodeclaim.lifecycle', method: 'Create', provider, error: 'InsufficientCapacityError' });
        const failed = error.failedCandidates.length > 0 ? error.failedCandidates : launchPlan.request.candidates.map((c) => ({ ...c, code: error.code }));
        for (const f of failed) {
          failedOfferings.add(key(f));
          if (isIpShortage(f.code)) {
            const vSwitch = launchPlan.request.candidates.find((c) => key(c) === key(f))?.vSwitchId;
            if (vSwitch) excludedVSwitches.add(vSwitch);
          } else {
            ctx.catalog.markUnavailable({ instanceType: f.instanceType, zone: f.zone, capacityType: f.capacityType }, f.code);
          }
        }
        rc.log.info({ failed: failed.map((f) => `${key(f)}: ${f.code}`), attempt }, 'launch candidates out of capacity; planning again without them');
        continue;
      }
      const kind = isCloudError(error) ? error.kind : 'Unknown';
      ctx.metrics.cloudProviderErrors.inc({ controller: 'nodeclaim.lifecycle', method: 'Create', provider, error: kind });
      const message = error instanceof Error ? error.message : String(error);
      await setLaunched(ctx, claim, { status: 'False', reason: 'LaunchFailed', message: message.slice(0, 1000) });
      rc.recorder.warning(claim, 'LaunchFailed', `Launching an instance failed: ${message.slice(0, 500)}`);
      throw error;
    }
    // The cloud fell through these candidates to launch: the provisioner should stop planning them for a while.
    for (const f of instance.launchFailures ?? []) {
      if (!isIpShortage(f.code)) ctx.catalog.markUnavailable({ instanceType: f.instanceType, zone: f.zone, capacityType: f.capacityType }, f.code);
    }
    if (instance.launchFailures?.length) {
      ctx.metrics.cloudProviderErrors.inc({ controller: 'nodeclaim.lifecycle', method: 'Create', provider, error: 'InsufficientCapacityError' });
    }
    const launched = await recordLaunch(ctx, claim, nodeClass, instance, launchPlan.candidates);
    const price = launched.metadata.annotations?.[AnnotationPricePerHour];
    rc.recorder.normal(
      launched,
      'Launched',
      `Launched instance ${instance.id} (${instance.instanceType}, ${instance.zone}, ${instance.capacityType}${price ? `, ${price} CNY/h` : ''})`,
    );
    rc.log.info({ instanceId: instance.id, instanceType: instance.instanceType, zone: instance.zone, capacityType: instance.capacityType, price }, 'launched');
    ctx.metrics.launched.inc({ nodepool: claim.metadata.labels?.[LabelNodePool] ?? '' });
    return { launched };
  }
  return fail(ctx, claim, rc, 'InsufficientCapacity', `launch candidates kept running out of capacity (${lastShortage?.code ?? 'unknown'})`);
}

async function fail(ctx: NodeClaimContext, claim: NodeClaim, rc: ReconcileContext, reason: string, message: string): Promise<LaunchOutcome> {
  await setLaunched(ctx, claim, { status: 'False', reason, message });
  rc.recorder.warning(claim, reason, `Cannot launch: ${message}; deleting the NodeClaim so its pods are planned again`);
  rc.log.warn({ reason, message }, 'launch impossible; deleting the NodeClaim');
  await deleteClaim(ctx, claim);
  return { result: {} };
}

/** The offering the instance came from: among this plan's candidates, else from the catalog (an earlier attempt's). */
function launchedOffering(ctx: NodeClaimContext, nodeClass: ECSNodeClass, instance: Instance, candidates: readonly PlannedCandidate[]): PlannedCandidate | undefined {
  const match = candidates.find((c) => c.instanceType.name === instance.instanceType && c.zone === instance.zone && c.capacityType === instance.capacityType);
  if (match) return match;
  const type = ctx.catalog.forNodeClass(nodeClass).find((t) => t.name === instance.instanceType);
  if (!type) return undefined;
  const offering = type.offerings.find((o) => o.zone === instance.zone && o.capacityType === instance.capacityType);
  return { instanceType: type, imageId: instance.imageId, zone: instance.zone, capacityType: instance.capacityType, vSwitchId: instance.vSwitchId, pricePerHour: offering?.price ?? Number.NaN };
}

/**
 * Labels and annotations first, then status: if the status write is lost the next attempt finds
 * the same instance by its launch token and writes it again.
 */
async function recordLaunch(ctx: NodeClaimContext, claim: NodeClaim, nodeClass: ECSNodeClass, instance: Instance, candidates: readonly PlannedCandidate[]): Promise<NodeClaim> {
  const offering = launchedOffering(ctx, nodeClass, instance, candidates);
  const labels = offering ? candidateLabels(offering, ctx.cluster.region) : {};
  const price = instance.pricePerHour ?? offering?.pricePerHour;
  const annotations: Record<string, string> = {
    ...nodeClassHashAnnotations(nodeClass),
    ...(price !== undefined && Number.isFinite(price) ? { [AnnotationPricePerHour]: String(Math.round(price * 1e6) / 1e6) } : {}),
  };
  let updated = claim;
  const labelsChanged = Object.entries(labels).some(([k, v]) => claim.metadata.labels?.[k] !== v);
  const annotationsChanged = Object.entries(annotations).some(([k, v]) => claim.metadata.annotations?.[k] !== v);
  if (labelsChanged || annotationsChanged) updated = await patchClaimMetadata(ctx, claim, { labels, annotations });
  const conditions = withConditions(
    updated.status?.conditions ?? [],
    [{ type: NodeClaimConditions.Launched, status: 'True', reason: 'Launched', message: `instance ${instance.id}` }],
    ctx.now(),
    updated.metadata.generation,
  );
  return patchClaimStatus(ctx, updated, {
    providerID: instance.providerID,
    imageID: instance.imageId,
    ...(offering ? { capacity: toQuantities(offering.instanceType.capacity), allocatable: toQuantities(offering.instanceType.allocatable) } : {}),
    conditions,
  });
}
