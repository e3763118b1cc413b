// Drift: a NodeClaim no longer matches what its NodePool and ECSNodeClass would launch today.
// Karpenter's order: static drift first (the NodePool and node class hashes, compared only when
// both sides carry a hash of the same hash version), then requirements (the NodeClaim's labels against the
// NodePool's requirements), then what the cloud provider resolves (image, vSwitch, security groups:
// the Alibaba equivalent of the AWS provider's AMI, subnet and security group drift).
import { NodeClaimConditions } from '../apis/conditions.js';
import type { ECSNodeClass } from '../apis/ecsnodeclass.js';
import {
  AnnotationECSNodeClassHash,
  AnnotationECSNodeClassHashVersion,
  AnnotationNodePoolHash,
  AnnotationNodePoolHashVersion,
  WellKnownLabels,
} from '../apis/labels.js';
import type { NodeClaim } from '../apis/nodeclaim.js';
import type { NodePool } from '../apis/nodepool.js';
import { Requirement, type NodeSelectorOperator } from '../scheduling/index.js';
import type { InstanceFacts } from './types.js';

export type DriftReason = 'NodePoolDrifted' | 'NodeClassDrifted' | 'RequirementsDrifted' | 'ImageDrift' | 'VSwitchDrift' | 'SecurityGroupDrift';

export interface Drift {
  reason: DriftReason;
  message: string;
}

type Annotated = { metadata: { annotations?: Record<string, string> } };

/**
 * Karpenter's static drift (areStaticFieldsDrifted): compared only when the owner and the claim
 * both carry a hash and a hash version, and only when the versions agree. Hashes of different
 * versions are not comparable: after an upgrade that changes the hashing, every node would look
 * drifted. The owner's controller re-stamps such claims instead (hashVersionUpdate).
 */
function hashDrifted(owner: Annotated, claim: Annotated, hashKey: string, versionKey: string): boolean {
  const ownerHash = owner.metadata.annotations?.[hashKey];
  const ownerVersion = owner.metadata.annotations?.[versionKey];
  const claimHash = claim.metadata.annotations?.[hashKey];
  const claimVersion = claim.metadata.annotations?.[versionKey];
  if (ownerHash === undefined || ownerVersion === undefined || claimHash === undefined || claimVersion === undefined) return false;
  if (ownerVersion !== claimVersion) return false;
  return ownerHash !== claimHash;
}

/**
 * The annotations to write on a NodeClaim whose hash version is not the current one (Karpenter's
 * hash controllers, updateNodeClaimHash): the current version always, and the owner's current
 * hash unless the claim already has a Drifted condition. Drift was judged with the old hashing;
 * once it is known, it stays, since the new hash cannot say whether the node still differs.
 * Undefined when the claim is already on the current version.
 */
export function hashVersionUpdate(
  claim: Annotated & { status?: { conditions?: readonly { type: string }[] } },
  current: { hash: string; version: string },
  keys: { hash: string; version: string },
): Record<string, string> | undefined {
  if (claim.metadata.annotations?.[keys.version] === current.version) return undefined;
  const drifted = (claim.status?.conditions ?? []).some((c) => c.type === NodeClaimConditions.Drifted);
  return { [keys.version]: current.version, ...(drifted ? {} : { [keys.hash]: current.hash }) };
}

/**
 * The first NodePool requirement (or template label) the NodeClaim's labels break. A well-known
 * label the NodeClaim does not carry is not held against it (Karpenter's AllowUndefinedWellKnownLabels).
 */
export function brokenRequirement(nodePool: NodePool, claim: NodeClaim): string | undefined {
  const labels = claim.metadata.labels ?? {};
  const wellKnown = new Set(WellKnownLabels);
  const requirements = [
    ...nodePool.spec.template.spec.requirements.map((r) => ({ key: r.key, operator: r.operator as NodeSelectorOperator, values: r.values ?? [] })),
    ...Object.entries(nodePool.spec.template.metadata?.labels ?? {}).map(([key, value]) => ({ key, operator: 'In' as const, values: [value] })),
  ];
  for (const r of requirements) {
    const value = labels[r.key];
    const requirement = Requirement.of(r.key, r.operator, r.values);
    if (value === undefined) {
      if (wellKnown.has(r.key)) continue;
      if (r.operator === 'In' || r.operator === 'Exists' || r.operator === 'Gt' || r.operator === 'Lt') return `${r.key} ${r.operator} ${r.values.join(',')}`;
      continue;
    }
    if (!requirement.has(value)) return `${r.key}=${value} breaks ${r.key} ${r.operator} ${r.values.join(',')}`;
  }
  return undefined;
}

/** Why the NodeClaim is drifted, or undefined. Only launched claims can drift. */
export function driftOf(claim: NodeClaim, nodePool: NodePool, nodeClass: ECSNodeClass | undefined, instance: InstanceFacts | undefined): Drift | undefined {
  if (hashDrifted(nodePool, claim, AnnotationNodePoolHash, AnnotationNodePoolHashVersion)) {
    return { reason: 'NodePoolDrifted', message: `NodePool ${nodePool.metadata.name} template changed` };
  }
  if (nodeClass && hashDrifted(nodeClass, claim, AnnotationECSNodeClassHash, AnnotationECSNodeClassHashVersion)) {
    return { reason: 'NodeClassDrifted', message: `ECSNodeClass ${nodeClass.metadata.name} spec changed` };
  }
  const broken = brokenRequirement(nodePool, claim);
  if (broken) return { reason: 'RequirementsDrifted', message: `NodePool requirement no longer met: ${broken}` };
  if (!nodeClass?.status) return undefined;

  const { images, vSwitches, securityGroups } = nodeClass.status;
  const imageId = instance?.imageId ?? claim.status?.imageID;
  // An empty resolution means the selector is broken right now, not that every node must go.
  if (imageId && images && images.length > 0 && !images.some((i) => i.id === imageId)) {
    return { reason: 'ImageDrift', message: `image ${imageId} is no longer selected by ECSNodeClass ${nodeClass.metadata.name}` };
  }
  if (!instance) return undefined;
  if (vSwitches && vSwitches.length > 0 && !vSwitches.some((v) => v.id === instance.vSwitchId)) {
    return { reason: 'VSwitchDrift', message: `vSwitch ${instance.vSwitchId} is no longer selected by ECSNodeClass ${nodeClass.metadata.name}` };
  }
  if (securityGroups && securityGroups.length > 0) {
    const wanted = new Set(securityGroups.map((g) => g.id));
    const actual = new Set(instance.securityGroupIds);
    if (wanted.size !== actual.size || [...wanted].some((id) => !actual.has(id))) {
      return {
        reason: 'SecurityGroupDrift',
        message: `security groups ${[...actual].sort().join(',')} differ from ECSNodeClass ${nodeClass.metadata.name}'s ${[...wanted].sort().join(',')}`,
      };
    }
  }
  return undefined;
}
