// The NodePool template hash (annotation karpenter.sh/nodepool-hash), as upstream Karpenter's
// NodePool.Hash(): the provisioner stamps it on every NodeClaim it creates, the disruption
// controller keeps it current on the NodePool, and a NodeClaim whose hash differs from its
// NodePool's (same hash version) is drifted.
//
// Left out, as upstream tags them `hash:"ignore"`: requirements (checked against the NodeClaim's
// labels instead, so widening a requirement drifts nothing), expireAfter and terminationGracePeriod
// (they apply to existing NodeClaims through their own controllers, not by replacement).
//
// Pure (no node:crypto): FNV-1a 64 over canonical JSON, so the pure disruption core can use it too.
import type { NodePool } from './nodepool.js';

/** Bump when the hashed fields or the encoding change: NodeClaims of another version are not compared. */
export const NodePoolHashVersion = 'v1';

/** JSON with object keys sorted, undefined members dropped: equal values give equal text. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

const fnvOffset = 0xcbf29ce484222325n;
const fnvPrime = 0x100000001b3n;
const mask64 = 0xffffffffffffffffn;

function fnv1a64(text: string): string {
  let hash = fnvOffset;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * fnvPrime) & mask64;
  }
  return hash.toString(10);
}

/** The hash of the drift-relevant parts of the NodePool's template (decimal, as upstream prints it). */
export function nodePoolHash(nodePool: Pick<NodePool, 'spec'>): string {
  const { metadata, spec } = nodePool.spec.template;
  return fnv1a64(
    canonical({
      labels: metadata?.labels ?? {},
      annotations: metadata?.annotations ?? {},
      taints: spec.taints ?? [],
      startupTaints: spec.startupTaints ?? [],
      nodeClassRef: spec.nodeClassRef,
    }),
  );
}
