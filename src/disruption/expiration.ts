// Expiration, as Karpenter v1 does it: forceful. A NodeClaim older than its expireAfter is deleted
// whatever the budgets, do-not-disrupt annotations or PDBs say; its termination drains it
// honouring PDBs and do-not-disrupt until terminationGracePeriod runs out, which bounds the wait.
import { parseNillableDuration } from '../apis/duration.js';
import type { NodeClaim } from '../apis/nodeclaim.js';

/** When the NodeClaim expires (ms since epoch), or undefined if never. */
export function expiresAt(claim: NodeClaim): number | undefined {
  const after = parseNillableDuration(claim.spec.expireAfter);
  const created = Date.parse(claim.metadata.creationTimestamp ?? '');
  if (after === null || Number.isNaN(created)) return undefined;
  return created + after;
}

export interface Expirations {
  expired: NodeClaim[];
  /** The soonest expiry still ahead, to look again then. */
  nextAt?: number;
}

export function expirations(claims: readonly NodeClaim[], now: number): Expirations {
  const expired: NodeClaim[] = [];
  let nextAt: number | undefined;
  for (const claim of claims) {
    if (claim.metadata.deletionTimestamp !== undefined) continue;
    const at = expiresAt(claim);
    if (at === undefined) continue;
    if (at <= now) expired.push(claim);
    else nextAt = nextAt === undefined ? at : Math.min(nextAt, at);
  }
  return { expired, ...(nextAt !== undefined ? { nextAt } : {}) };
}
