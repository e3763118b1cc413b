// How long the cloud takes to move resources between states, per latency profile.
import { z } from 'zod';

export const latencyProfileSchema = z.enum(['zero', 'realistic']);
export type LatencyProfile = z.infer<typeof latencyProfileSchema>;

export const lifecycleDelaysSchema = z.object({
  /** Added to every API call before it is answered. */
  apiLatencyMs: z.number().nonnegative(),
  instancePendingMs: z.number().nonnegative(),
  instanceStartingMs: z.number().nonnegative(),
  instanceStoppingMs: z.number().nonnegative(),
  eniAttachingMs: z.number().nonnegative(),
  eniDetachingMs: z.number().nonnegative(),
  /** Notice between a spot interruption signal and the release of the instance. */
  spotReclaimNoticeMs: z.number().nonnegative(),
});
export type LifecycleDelays = z.infer<typeof lifecycleDelaysSchema>;

export const latencyProfiles: Record<LatencyProfile, LifecycleDelays> = {
  zero: {
    apiLatencyMs: 0,
    instancePendingMs: 0,
    instanceStartingMs: 0,
    instanceStoppingMs: 0,
    eniAttachingMs: 0,
    eniDetachingMs: 0,
    spotReclaimNoticeMs: 120_000,
  },
  realistic: {
    apiLatencyMs: 40,
    instancePendingMs: 5_000,
    instanceStartingMs: 10_000,
    instanceStoppingMs: 5_000,
    eniAttachingMs: 2_000,
    eniDetachingMs: 2_000,
    spotReclaimNoticeMs: 120_000,
  },
};
