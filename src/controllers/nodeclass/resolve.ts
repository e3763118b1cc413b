// One ECSNodeClass spec resolved against the cloud: its vSwitches (with zones and free IPs),
// security groups and images, and the conditions that say whether each selector matched.
// No Kubernetes here, so it is tested against the simulator alone.
import type { ECSNodeClassSpec, ECSNodeClassStatus } from '../../apis/ecsnodeclass.js';
import { ECSNodeClassConditions } from '../../apis/conditions.js';
import { isCloudError, type CloudProvider, type VSwitch } from '../../cloud/index.js';
import { readyFrom, type ConditionInput } from '../resolve/conditions.js';
import { describeTerms, resolveSecurityGroups, resolveVSwitches } from '../resolve/selectors.js';
import { describeImageTerm, resolveImages } from './images.js';

export interface NodeClassResolution {
  status: Required<Pick<ECSNodeClassStatus, 'vSwitches' | 'securityGroups' | 'images'>>;
  /** VSwitchesReady, SecurityGroupsReady, ImagesReady, then Ready. */
  conditions: ConditionInput[];
  /** The vSwitches as the cloud reported them (for the free-IP gauge). */
  vSwitches: VSwitch[];
}

/**
 * A failure the user must fix (a bad parameter, missing permission) becomes a False condition
 * with the cloud's message; throttling and outages are thrown so the caller retries with backoff
 * and the last good status stays.
 */
async function attempt<T>(what: () => Promise<T>): Promise<{ value: T } | { error: string }> {
  try {
    return { value: await what() };
  } catch (error) {
    if (isCloudError(error) && !error.retryable) return { error: error.message };
    throw error;
  }
}

export async function resolveNodeClass(cloud: CloudProvider, spec: ECSNodeClassSpec): Promise<NodeClassResolution> {
  const [vSwitches, groups, images] = await Promise.all([
    attempt(() => resolveVSwitches(cloud, spec.vSwitchSelectorTerms)),
    attempt(() => resolveSecurityGroups(cloud, spec.securityGroupSelectorTerms)),
    attempt(() => resolveImages(cloud, spec.imageSelectorTerms)),
  ]);

  const conditions: ConditionInput[] = [];
  const resolvedVSwitches = 'value' in vSwitches ? vSwitches.value.resources : [];
  conditions.push(
    'error' in vSwitches
      ? { type: ECSNodeClassConditions.VSwitchesReady, status: 'False', reason: 'VSwitchResolutionFailed', message: vSwitches.error }
      : resolvedVSwitches.length === 0
        ? {
            type: ECSNodeClassConditions.VSwitchesReady,
            status: 'False',
            reason: 'VSwitchesNotFound',
            message: `no vSwitch matches vSwitchSelectorTerms ${describeTerms(spec.vSwitchSelectorTerms)}`,
          }
        : { type: ECSNodeClassConditions.VSwitchesReady, status: 'True', reason: 'VSwitchesReady', message: '' },
  );
  const resolvedGroups = 'value' in groups ? groups.value.resources : [];
  conditions.push(
    'error' in groups
      ? { type: ECSNodeClassConditions.SecurityGroupsReady, status: 'False', reason: 'SecurityGroupResolutionFailed', message: groups.error }
      : resolvedGroups.length === 0
        ? {
            type: ECSNodeClassConditions.SecurityGroupsReady,
            status: 'False',
            reason: 'SecurityGroupsNotFound',
            message: `no security group matches securityGroupSelectorTerms ${describeTerms(spec.securityGroupSelectorTerms)}`,
          }
        : { type: ECSNodeClassConditions.SecurityGroupsReady, status: 'True', reason: 'SecurityGroupsReady', message: '' },
  );
  const resolvedImages = 'value' in images ? images.value.images : [];
  conditions.push(
    'error' in images
      ? { type: ECSNodeClassConditions.ImagesReady, status: 'False', reason: 'ImageResolutionFailed', message: images.error }
      : resolvedImages.length === 0
        ? {
            type: ECSNodeClassConditions.ImagesReady,
            status: 'False',
            reason: 'ImagesNotFound',
            message: `no image matches imageSelectorTerms ${spec.imageSelectorTerms.map(describeImageTerm).join(' or ')}`,
          }
        : { type: ECSNodeClassConditions.ImagesReady, status: 'True', reason: 'ImagesReady', message: '' },
  );
  conditions.push(readyFrom(conditions));

  // Most free IPs first within a zone, as Karpenter orders status.subnets.
  const ordered = [...resolvedVSwitches].sort(
    (a, b) => (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : b.availableIpAddressCount - a.availableIpAddressCount || (a.id < b.id ? -1 : 1)),
  );
  return {
    status: {
      vSwitches: ordered.map((v) => ({ id: v.id, zoneID: v.zone, availableIPAddressCount: v.availableIpAddressCount })),
      securityGroups: resolvedGroups.map((g) => ({ id: g.id, name: g.name })),
      images: resolvedImages,
    },
    conditions,
    vSwitches: ordered,
  };
}
