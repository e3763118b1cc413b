// Everything a simulator can be told, validated with zod: the CLI, main.ts and tests all pass
// through here. Defaults give the seeded "local" cluster in cn-hangzhou described in README.md.
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Catalog } from './model/catalog.js';
import { latencyProfileSchema, lifecycleDelaysSchema } from './model/lifecycle.js';

const capacityTypeSchema = z.enum(['spot', 'on-demand']);

export const accessKeySchema = z.object({
  accessKeyId: z.string().min(1),
  accessKeySecret: z.string().min(1),
});

export const networkSeedSchema = z.object({
  vpcCidr: z.string().default('10.0.0.0/8'),
  /** Zones that get a node and a pod vSwitch; default every zone of the region. */
  zones: z.array(z.string()).optional(),
  /** Node vSwitch i: 10.0.(16*i).0/20. */
  nodeVSwitchPrefixLength: z.number().int().min(16).max(29).default(20),
  /** Pod vSwitch i: 10.(16+i).0.0/16. */
  podVSwitchPrefixLength: z.number().int().min(16).max(29).default(16),
  /** Zones of the bank's core-trade vSwitches; default the region's first two zones. */
  coreZones: z.array(z.string()).optional(),
  /** core-trade-a/b: 10.100.(i).0/24 (a small CIDR on purpose: 252 addresses). */
  coreVSwitchPrefixLength: z.number().int().min(16).max(29).default(24),
});

export const simulatorOptionsSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(0),
  region: z.string().default('cn-hangzhou'),
  catalogPath: z.string().optional(),
  latencyProfile: latencyProfileSchema.default('zero'),
  /** Overrides of single delays of the profile. */
  delays: lifecycleDelaysSchema.partial().default({}),
  /** Drives offered zones, spot prices and probabilistic faults. */
  seed: z.number().int().default(1),
  /** Share of (instance type, zone) pairs on sale. */
  zoneCoverage: z.number().min(0).max(1).default(0.9),
  clusterName: z.string().min(1).default('local'),
  accessKeys: z
    .array(accessKeySchema)
    .min(1)
    .default([{ accessKeyId: 'LTAI5tSimulatorAccessKey', accessKeySecret: 'SimulatorAccessKeySecret0000' }]),
  /** Seed the default VPC, vSwitches, security groups and images. */
  seedResources: z.boolean().default(true),
  network: networkSeedSchema.default(networkSeedSchema.parse({})),
  imageVersions: z.array(z.string().regex(/^\d{8}$/)).min(1).default(['20241218', '20250325', '20250601']),
  /** Finite stock per (type, zone, capacity type); anything not listed is plentiful. */
  stock: z
    .array(z.object({ instanceType: z.string(), zone: z.string(), capacityType: capacityTypeSchema, count: z.number().int().min(0) }))
    .default([]),
  /** Path of a kubeconfig: when set, Running instances join that cluster as Nodes. */
  kubeconfig: z.string().optional(),
  node: z
    .object({
      kubeletVersion: z.string().default('v1.35.4'),
      /** Share of nominal memory the OS keeps, as a real node reports less than the type's GiB. */
      memoryOverheadPercent: z.number().min(0).max(50).default(0),
    })
    .default({ kubeletVersion: 'v1.35.4', memoryOverheadPercent: 0 }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});

export type SimulatorOptionsInput = z.input<typeof simulatorOptionsSchema>;
export type ResolvedSimulatorOptions = z.output<typeof simulatorOptionsSchema>;

/** What startSimulator accepts: the validated options plus objects that cannot come from JSON. */
export type SimulatorOptions = SimulatorOptionsInput & {
  /** An already-loaded catalog (wins over catalogPath). */
  catalog?: Catalog;
  logger?: Logger;
  now?: () => Date;
};
