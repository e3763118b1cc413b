// The IPAM's configuration (Terway's eni-config, in our terms), validated with zod because it
// comes from flags, files and the chart's values. Durations are milliseconds. Pool defaults are
// Terway's (min 0, max 5, no warm-up), as the chart's values.yaml.
import { z } from 'zod';
import { VSwitchSelectionPolicy } from '../apis/podnetworking.js';

const ms = z.number().int().min(0);

export const defaultPodNetworkSchema = z.object({
  /** The default pod vSwitches (Terway's eni-config vswitches), by zone: pods of a node in zone Z use these. */
  vSwitchesByZone: z.record(z.string(), z.array(z.string().min(1)).min(1)).default({}),
  /** The default security groups of pod ENIs (Terway's security_groups), at most 5. */
  securityGroupIds: z.array(z.string().min(1)).max(5).default([]),
  vSwitchSelectionPolicy: VSwitchSelectionPolicy.default('ordered'),
});
export type DefaultPodNetwork = z.infer<typeof defaultPodNetworkSchema>;

export const poolSizeSchema = z
  .object({
    /** Idle IPs kept warm on each node, allocated as soon as its instance is Running. */
    minPoolSize: z.number().int().min(0).default(0),
    /** Idle IPs above this are released at once (after their cooldown). */
    maxPoolSize: z.number().int().min(0).default(5),
    /** IPs allocated once when a node joins (Terway's warm-up), if more than minPoolSize. */
    warmUpSize: z.number().int().min(0).default(0),
  })
  .refine((p) => p.minPoolSize <= p.maxPoolSize, { message: 'minPoolSize cannot be larger than maxPoolSize' });
export type PoolSize = z.infer<typeof poolSizeSchema>;

export const ipamConfigSchema = z.object({
  clusterName: z.string().min(1),
  defaults: defaultPodNetworkSchema.prefault({}),
  pool: poolSizeSchema.prefault({}),
  /** A released IP waits this long before another pod may get it, so stale connections to it die first. */
  releaseCooldownMs: ms.default(10_000),
  /** Idle IPs above minPoolSize are released once they have been idle this long. */
  idleReclaimAfterMs: ms.default(10 * 60_000),
  /** At most this many idle IPs are released per reclaim pass and node. */
  idleReclaimBatchSize: z.number().int().min(1).default(10),
  /** A vSwitch that answered IpNotEnough is skipped this long. */
  vSwitchBlockMs: ms.default(5 * 60_000),
  /** vSwitch free-IP counts are re-read this often (the `most` policy reads them). */
  vSwitchCacheTtlMs: ms.default(60_000),
  /** How long to wait for an ENI to reach InUse (attach) or Available (detach). */
  eniStatusTimeoutMs: ms.default(60_000),
  /** First poll after an attach or detach, then doubling up to eniPollMaxMs. */
  eniPollInitialMs: ms.default(200),
  eniPollMaxMs: ms.default(2_000),
  /** IPs on our ENIs that the cloud has and the store lacks are unassigned after this long. */
  unrecordedIpGraceMs: ms.default(2 * 60_000),
  /** ENIs tagged as ours that no node or pod owns are deleted after this long. */
  orphanEniGraceMs: ms.default(5 * 60_000),
});
export type IpamConfig = z.infer<typeof ipamConfigSchema>;
export type IpamConfigInput = z.input<typeof ipamConfigSchema>;

export function parseIpamConfig(input: IpamConfigInput): IpamConfig {
  return ipamConfigSchema.parse(input);
}
