// Drift hash versioning (Karpenter's nodepool and node class hash controllers, updateNodeClaimHash):
// when the running operator hashes differently from the one that stamped an owner (its hash-version
// annotation differs), the owner's NodeClaims are re-stamped with the current version, and with
// the current hash unless already drifted, before the owner's own annotation is rewritten. Static
// drift never compares hashes of different versions, so an upgrade does not replace every node.
import type { NodeClaim } from '../../apis/nodeclaim.js';
import { NodeClaimPlural } from '../../apis/nodeclaim.js';
import { KarpenterGroup, KarpenterVersion } from '../../apis/nodepool.js';
import { hashVersionUpdate } from '../../disruption/index.js';
import { isNotFound, patch, type Manager, type ReconcileContext } from '../../operator/index.js';

export interface HashAnnotationKeys {
  hash: string;
  version: string;
}

export async function restampNodeClaimHashes(
  manager: Manager,
  claims: readonly NodeClaim[],
  current: { hash: string; version: string },
  keys: HashAnnotationKeys,
  log: ReconcileContext['log'],
): Promise<void> {
  for (const claim of claims) {
    if (claim.metadata.deletionTimestamp) continue;
    const annotations = hashVersionUpdate(claim, current, keys);
    if (!annotations) continue;
    try {
      await manager.clients.customObjects.patchClusterCustomObject(
        { group: KarpenterGroup, version: KarpenterVersion, plural: NodeClaimPlural, name: claim.metadata.name ?? '', body: { metadata: { annotations } } },
        patch.merge,
      );
      log.info({ nodeClaim: claim.metadata.name, annotations }, 'NodeClaim re-stamped with the current hash version');
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
