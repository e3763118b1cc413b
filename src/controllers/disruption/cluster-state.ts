// The disruption core's input from the informer cache: the objects, the scheduling snapshot
// (src/state, shared with the provisioner, so both see the cluster the same way: PodNetworking
// zones, vSwitch headroom, ENI density, DaemonSet overhead, in-flight claims), vSwitch free IPs
// read from the cloud, and the instance facts drift compares against.
import { isConditionTrue, NodeClaimConditions } from '../../apis/conditions.js';
import type { ClusterState, InstanceFacts, PdbLike } from '../../disruption/index.js';
import { buildClusterSnapshot } from '../../state/index.js';
import type { Logger } from '../../operator/index.js';
import { snapshotObjects } from '../shared/cluster-informers.js';
import { instanceIdOf } from '../shared/provider-id.js';
import type { DisruptionContext } from './context.js';

/** Reads the instance of every launched claim not seen before (its image, vSwitch and security groups never change). */
export async function refreshInstanceFacts(ctx: DisruptionContext, log: Logger): Promise<void> {
  const live = new Set<string>();
  for (const claim of ctx.claims.list()) {
    const providerID = claim.status?.providerID;
    if (!providerID || !isConditionTrue(claim.status?.conditions, NodeClaimConditions.Launched)) continue;
    live.add(providerID);
    if (ctx.instanceFacts.has(providerID)) continue;
    const instanceId = instanceIdOf(providerID);
    if (!instanceId) continue;
    try {
      const instance = await ctx.cloud.getInstance(instanceId);
      if (instance) ctx.instanceFacts.set(providerID, { imageId: instance.imageId, vSwitchId: instance.vSwitchId, securityGroupIds: instance.securityGroupIds });
    } catch (error) {
      // Drift by hashes and image still works; the vSwitch and security group checks wait for the next pass.
      log.warn({ providerID, err: error instanceof Error ? error.message : String(error) }, 'reading the instance for drift failed');
    }
  }
  for (const key of ctx.instanceFacts.keys()) if (!live.has(key)) ctx.instanceFacts.delete(key);
}

export interface ClusterView {
  state: ClusterState;
  /** The network key of each pod that draws IPs from a network (for replacements' planned pod networks). */
  podNetworks: ReadonlyMap<string, string>;
}

export async function clusterState(ctx: DisruptionContext): Promise<ClusterView> {
  const objects = snapshotObjects({ ...ctx, nodeClaims: ctx.claims });
  const snapshotCtx = {
    catalog: ctx.catalog,
    ipamDefaults: ctx.settings.ipam.defaults,
    defaultEniType: ctx.settings.defaultEniType,
    podCache: ctx.podCache,
  };
  let snapshot = buildClusterSnapshot(objects, snapshotCtx);
  if (snapshot.networkVSwitchIds.length > 0) {
    try {
      const vSwitches = await ctx.cloud.listVSwitches({ ids: snapshot.networkVSwitchIds });
      const vSwitchFreeIPs = new Map(vSwitches.map((v) => [v.id, v.availableIpAddressCount]));
      snapshot = buildClusterSnapshot(objects, { ...snapshotCtx, vSwitchFreeIPs });
    } catch (error) {
      // Unknown headroom counts as plenty in the snapshot; refuse to plan on a guess instead.
      throw new Error(`reading vSwitch free IPs: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const state: ClusterState = {
    now: ctx.now(),
    nodePools: objects.nodePools,
    nodeClasses: objects.nodeClasses,
    claims: objects.nodeClaims,
    nodes: objects.nodes,
    pods: objects.pods,
    pdbs: ctx.pdbs.list() as PdbLike[],
    instances: new Map<string, InstanceFacts>(ctx.instanceFacts),
    scheduling: snapshot.input,
  };
  return { state, podNetworks: snapshot.podNetworks };
}
