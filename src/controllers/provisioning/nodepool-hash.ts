// The NodePool template hash: a digest of the template fields that shape a node, written to the
// NodePool (annotation karpenter.sh/nodepool-hash, as Karpenter's nodepool hash controller does)
// and copied onto each NodeClaim at creation. Disruption calls a NodeClaim drifted when the two
// differ and their hash versions (karpenter.sh/nodepool-hash-version) agree.
//
// Hashed, as Karpenter v1 hashes NodePool.Spec.Template: the template's labels and annotations,
// taints, startupTaints and nodeClassRef. Left out, as Karpenter tags them `hash:"ignore"`:
// requirements (drift compares them against the NodeClaim's labels instead), expireAfter and
// terminationGracePeriod (they apply to existing NodeClaims without replacing them).
import { createHash } from 'node:crypto';
import type { NodePool } from '../../apis/nodepool.js';
import { canonicalJson } from '../../catalog/index.js';

/** Bump when the hashed fields or the encoding change: claims of another version are not compared. */
export const NodePoolHashVersion = 'v1';

export function nodePoolHash(pool: Pick<NodePool, 'spec'>): string {
  const template = pool.spec.template;
  const relevant = {
    labels: template.metadata?.labels ?? {},
    annotations: template.metadata?.annotations ?? {},
    taints: template.spec.taints ?? [],
    startupTaints: template.spec.startupTaints ?? [],
    nodeClassRef: template.spec.nodeClassRef,
  };
  return createHash('sha256').update(canonicalJson(relevant)).digest('hex').slice(0, 16);
}
