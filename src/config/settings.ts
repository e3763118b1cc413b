// What controllers need to know about how the operator is configured, derived from the parsed
// options: the cluster identity, the provisioner's batching windows, the IPAM configuration
// (validated by src/ipam's own schema) and the disruption timings.
import { parseIpamConfig, type IpamConfig } from '../ipam/config.js';
import type { Options } from './options.js';

export interface OperatorSettings {
  clusterId: string;
  clusterName: string;
  region: string;
  batch: { idleMs: number; maxMs: number };
  ipam: IpamConfig;
  /** ENI mode of pods no PodNetworking matches: Default (shared ENI), ENI (exclusive) or Trunk. */
  defaultEniType: 'Default' | 'ENI' | 'Trunk';
  disruption: { pollIntervalMs: number; validationDelayMs: number };
  /** NodeClaim lifecycle timings (src/controllers/nodeclaim/options.ts has the rest, with defaults). */
  nodeClaim?: { registrationTtlMs: number; garbageCollectionIntervalMs: number };
  /** The pod admission webhook; absent when no certificate directory is configured. */
  webhook?: { port: number; certDir: string; bindAddress?: string };
}

export function settingsFrom(options: Options): OperatorSettings {
  return {
    clusterId: options.clusterId,
    clusterName: options.clusterName,
    region: options.region,
    batch: { idleMs: options.batchIdleDuration, maxMs: options.batchMaxDuration },
    ipam: parseIpamConfig({
      clusterName: options.clusterName,
      defaults: {
        vSwitchesByZone: options.ipamVSwitches,
        securityGroupIds: options.ipamSecurityGroups,
        vSwitchSelectionPolicy: options.ipamVSwitchSelection,
      },
      pool: { minPoolSize: options.ipamMinPoolSize, maxPoolSize: options.ipamMaxPoolSize, warmUpSize: options.ipamWarmUpSize },
      idleReclaimAfterMs: options.ipamIdleReclaimAfter,
      releaseCooldownMs: options.ipamReleaseCooldown,
    }),
    defaultEniType: options.ipamEniType,
    disruption: { pollIntervalMs: options.disruptionPollInterval, validationDelayMs: options.disruptionValidationDelay },
    nodeClaim: { registrationTtlMs: options.nodeClaimRegistrationTtl, garbageCollectionIntervalMs: options.garbageCollectionInterval },
    ...(options.webhookCertDir
      ? { webhook: { port: options.webhookPort, certDir: options.webhookCertDir, ...(options.bindAddress ? { bindAddress: options.bindAddress } : {}) } }
      : {}),
  };
}
