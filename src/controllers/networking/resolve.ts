// One PodNetworking resolved against the cloud, as Terway's PodNetworking controller does: every
// vSwitch of vSwitchOptions must exist (its zone goes into status), every security group of
// securityGroupIDs must exist, and they must share a VPC (an ENI cannot join a security group of
// another VPC). Options left out fall back to the cluster's default pod network (eni-config).
import type { PodNetworkingSpec } from '../../apis/podnetworking.js';
import { isCloudError, type CloudProvider, type VSwitch } from '../../cloud/index.js';
import type { DefaultPodNetwork } from '../../ipam/config.js';
import { idTerms, resolveSecurityGroups, resolveVSwitches } from '../resolve/selectors.js';

export type PodNetworkingResolution =
  | { status: 'Ready'; vSwitches: VSwitch[]; securityGroupIds: string[] }
  | { status: 'Fail'; message: string; vSwitches: VSwitch[] };

export async function resolvePodNetworking(
  cloud: CloudProvider,
  spec: Pick<PodNetworkingSpec, 'vSwitchOptions' | 'securityGroupIDs'>,
  defaults: Pick<DefaultPodNetwork, 'vSwitchesByZone' | 'securityGroupIds'>,
): Promise<PodNetworkingResolution> {
  const vSwitchIds = spec.vSwitchOptions ?? [...new Set(Object.values(defaults.vSwitchesByZone).flat())];
  const groupIds = spec.securityGroupIDs ?? defaults.securityGroupIds;
  if (vSwitchIds.length === 0) {
    return { status: 'Fail', message: 'no vSwitch: vSwitchOptions is not set and the operator has no default pod vSwitches', vSwitches: [] };
  }
  if (groupIds.length === 0) {
    return { status: 'Fail', message: 'no security group: securityGroupIDs is not set and the operator has no default pod security groups', vSwitches: [] };
  }
  let vSwitches: VSwitch[];
  let groups: { id: string; vpcId: string }[];
  try {
    [{ resources: vSwitches }, { resources: groups }] = await Promise.all([
      resolveVSwitches(cloud, idTerms(vSwitchIds)),
      resolveSecurityGroups(cloud, idTerms(groupIds)),
    ]);
  } catch (error) {
    // A request the cloud refuses (bad id format, no permission) is the user's to fix; throttling
    // and outages are retried by the caller.
    if (isCloudError(error) && !error.retryable) return { status: 'Fail', message: error.message, vSwitches: [] };
    throw error;
  }
  const missingVSwitches = vSwitchIds.filter((id) => !vSwitches.some((v) => v.id === id));
  const missingGroups = groupIds.filter((id) => !groups.some((g) => g.id === id));
  const problems: string[] = [];
  if (missingVSwitches.length > 0) problems.push(`vSwitch ${missingVSwitches.join(', ')} does not exist in ${cloud.region}`);
  if (missingGroups.length > 0) problems.push(`security group ${missingGroups.join(', ')} does not exist in ${cloud.region}`);
  if (problems.length === 0) {
    const vpcs = new Set([...vSwitches.map((v) => v.vpcId), ...groups.map((g) => g.vpcId)]);
    if (vpcs.size > 1) {
      problems.push(
        `vSwitches and security groups must be in one VPC, found ${[...vSwitches, ...groups].map((r) => `${r.id} in ${r.vpcId}`).join(', ')}`,
      );
    }
  }
  if (problems.length > 0) return { status: 'Fail', message: problems.join('; '), vSwitches };
  return { status: 'Ready', vSwitches, securityGroupIds: groups.map((g) => g.id) };
}
