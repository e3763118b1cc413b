// A replacement NodeClaim for a disruption command: exactly what the provisioner would create for
// those pods (its NodeClaim builder: template, labels, NodePool hash, owner reference, narrowed
// requirements, planned pod networks for the IPAM), from the claim the core planned, whose
// instance types and offerings consolidation already limited to those cheaper than the candidates.
import type { NodePool } from '../../apis/nodepool.js';
import type { Replacement } from '../../disruption/index.js';
import { nodeClaimBody, nodeClaimName } from '../provisioning/nodeclaim-builder.js';

/** Marks a NodeClaim created to replace others, naming them (for people and Events). */
export const AnnotationReplacementFor = 'karpenter.k8s.alibabacloud/replacement-for';

export function replacementClaimBody(
  nodePool: NodePool,
  replacement: Replacement,
  replacing: readonly string[],
  podNetworks: ReadonlyMap<string, string>,
): Record<string, unknown> {
  const body = nodeClaimBody(replacement.claim, nodePool, nodeClaimName(nodePool.metadata.name ?? replacement.claim.nodePool), podNetworks);
  body.metadata.annotations[AnnotationReplacementFor] = replacing.join(',');
  return body as unknown as Record<string, unknown>;
}
