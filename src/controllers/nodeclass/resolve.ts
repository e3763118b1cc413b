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

/**
 * One selector's condition (its type is also its reason when True): the cloud refused the lookup
 * (its message), nothing matched (which selector terms), or it matched.
 */
function selectorCondition(
  reasons: { type: string; failed: string; notFound: string },
  outcome: { error: string } | { found: number },
  nothingMatches: () => string,
): ConditionInput {
  if ('error' in outcome) return { type: reasons.type, status: 'False', reason: reasons.failed, message: outcome.error };
  if (outcome.found === 0) return { type: reasons.type, status: 'False', reason: reasons.notFound, message: nothingMatches() };
  return { type: reasons.type, status: 'True', reason: reasons.type, message: '' };
}

export async function resolveNodeClass(cloud: CloudProvider, spec: ECSNodeClassSpec): Promise<NodeClassResolution> {
  const [vSwitches, groups, images] = await Promise.all([
    attempt(() => resolveVSwitches(cloud, spec.vSwitchSelectorTerms)),
    attempt(() => resolveSecurityGroups(cloud, spec.securityGroupSelectorTerms)),
    attempt(() => resolveImages(cloud, spec.imageSelectorTerms)),
  ]);

  const resolvedVSwitches = 'value' in vSwitches ? vSwitches.value.resources : [];
  const resolvedGroups = 'value' in groups ? groups.value.resources : [];
  const resolvedImages = 'value' in images ? images.value.images : [];
  const conditions: ConditionInput[] = [
    selectorCondition(
      { type: ECSNodeClassConditions.VSwitchesReady, failed: 'VSwitchResolutionFailed', notFound: 'VSwitchesNotFound' },
      'error' in vSwitches ? vSwitches : { found: resolvedVSwitches.length },
      () => `no vSwitch matches vSwitchSelectorTerms ${describeTerms(spec.vSwitchSelectorTerms)}`,
    ),
    selectorCondition(
      { type: ECSNodeClassConditions.SecurityGroupsReady, failed: 'SecurityGroupResolutionFailed', notFound: 'SecurityGroupsNotFound' },
      'error' in groups ? groups : { found: resolvedGroups.length },
      () => `no security group matches securityGroupSelectorTerms ${describeTerms(spec.securityGroupSelectorTerms)}`,
    ),
    selectorCondition(
      { type: ECSNodeClassConditions.ImagesReady, failed: 'ImageResolutionFailed', notFound: 'ImagesNotFound' },
      'error' in images ? images : { found: resolvedImages.length },
      () => `no image matches imageSelectorTerms ${spec.imageSelectorTerms.map(describeImageTerm).join(' or ')}`,
    ),
  ];
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
