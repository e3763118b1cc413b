// Timings of the NodeClaim lifecycle. Defaults are Karpenter's; tests shorten them.
export interface NodeClaimOptions {
  /** A NodeClaim whose Node has not registered this long after creation is deleted (Karpenter: 15m). */
  registrationTtlMs: number;
  /** How often garbage collection looks for orphaned instances and vanished ones. */
  garbageCollectionIntervalMs: number;
  /**
   * An instance younger than this is never collected, nor a NodeClaim launched more recently:
   * the launch may still be writing its providerID (Karpenter waits 30s).
   */
  garbageCollectionGraceMs: number;
  /** How soon a drain looks again while pods remain (evictions refused by a PDB are retried). */
  drainRetryMs: number;
  /** How often a terminating instance is checked until the cloud reports it gone. */
  instanceTerminationPollMs: number;
}

export const defaultNodeClaimOptions: NodeClaimOptions = {
  registrationTtlMs: 15 * 60_000,
  garbageCollectionIntervalMs: 2 * 60_000,
  garbageCollectionGraceMs: 30_000,
  drainRetryMs: 5_000,
  instanceTerminationPollMs: 2_000,
};
