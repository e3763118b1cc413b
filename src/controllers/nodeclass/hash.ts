// The ECSNodeClass hash: a digest of the spec fields that shape a launched node. The node class
// controller writes it to the ECSNodeClass (annotation karpenter.k8s.alibabacloud/ecsnodeclass-hash),
// the launcher copies it onto each NodeClaim, and disruption calls a NodeClaim drifted when the
// two differ and their hash versions agree (Karpenter's static drift).
//
// Left out, as Karpenter leaves them out of EC2NodeClass.Hash():
// - the selector terms (vSwitch, security group, image) and vSwitchSelectionPolicy: what they
//   resolve to is compared instead (status.vSwitches, .securityGroups, .images against the
//   instance), so a term rewritten to select the same resources drifts nothing;
// - password: a SHA-256 of a short password in a world-readable annotation can be brute-forced.
//   Changing only the password does not replace nodes.
import { createHash } from 'node:crypto';
import type { ECSNodeClass, ECSNodeClassSpec } from '../../apis/ecsnodeclass.js';
import { AnnotationECSNodeClassHash, AnnotationECSNodeClassHashVersion } from '../../apis/labels.js';
import { canonicalJson } from '../../catalog/index.js';

/** Bump when the hashed fields or the encoding change: NodeClaims of another version are not compared (no mass drift on upgrade). */
export const NodeClassHashVersion = 'v1';

const hashedFields = [
  'kubeletConfiguration', 'systemDisk', 'dataDisks', 'dataDiskCategories', 'formatDataDisk', 'keyPairName',
  'passwordInherit', 'tags', 'resourceGroupId', 'userData',
] as const satisfies readonly (keyof ECSNodeClassSpec)[];

/**
 * Stable across processes and key order: sha256 of the canonical JSON of the drift-relevant
 * fields of the parsed spec (defaults applied, so writing a default explicitly changes nothing),
 * as 16 hex digits.
 */
export function nodeClassHash(spec: ECSNodeClassSpec): string {
  const relevant: Record<string, unknown> = {};
  for (const field of hashedFields) relevant[field] = spec[field];
  return createHash('sha256').update(canonicalJson(relevant)).digest('hex').slice(0, 16);
}

/**
 * The hash annotations a NodeClaim launched from this node class carries: computed from the spec
 * it launched with (not copied from the node class's annotation, which the node class controller
 * may not have rewritten yet), with the version of the hashing that produced it, as the
 * providers' Create does. Drift compares them only against a node class hash of the same version.
 */
export function nodeClassHashAnnotations(nodeClass: Pick<ECSNodeClass, 'spec'>): Record<string, string> {
  return { [AnnotationECSNodeClassHash]: nodeClassHash(nodeClass.spec), [AnnotationECSNodeClassHashVersion]: NodeClassHashVersion };
}
