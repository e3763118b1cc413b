// The instance-type catalog: specs, on-demand prices per region and the zones of each region,
// loaded from data/ecs-instance-types.json (or a file in the same format) and checked with zod,
// because a catalog is an input we do not control.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const instanceTypeSchema = z.object({
  instanceTypeId: z.string().min(1),
  family: z.string().min(1),
  cpuCoreCount: z.number().int().positive(),
  memoryGiB: z.number().positive(),
  cpuArchitecture: z.enum(['X86', 'ARM']),
  physicalProcessorModel: z.string().default(''),
  gpuAmount: z.number().int().nonnegative().default(0),
  gpuSpec: z.string().default(''),
  eniQuantity: z.number().int().positive(),
  eniPrivateIpAddressQuantity: z.number().int().positive(),
  eniIpv6AddressQuantity: z.number().int().nonnegative().default(0),
  eniTotalQuantity: z.number().int().positive().nullable().default(null),
  eniTrunkSupported: z.boolean().nullable().default(null),
  baselineBandwidthGbps: z.number().nonnegative().nullable().default(null),
});

const catalogFileSchema = z.object({
  regions: z.record(z.string(), z.object({ zones: z.array(z.string()).min(1) })),
  instanceTypes: z.array(instanceTypeSchema).min(1),
  onDemandPricePerHour: z.record(z.string(), z.record(z.string(), z.number().positive())),
});

export type InstanceTypeSpec = z.infer<typeof instanceTypeSchema> & {
  /** DescribeInstanceTypes' InstanceCategory, e.g. General-purpose. */
  category: string;
  /** EnterpriseLevel, or EntryLevel for shared families. */
  familyLevel: string;
};

export interface Catalog {
  readonly instanceTypes: ReadonlyMap<string, InstanceTypeSpec>;
  readonly regions: ReadonlyMap<string, readonly string[]>;
  /** CNY per hour, pay-as-you-go Linux; undefined where the type is not sold in the region. */
  onDemandPrice(region: string, instanceType: string): number | undefined;
}

/**
 * data/ecs-instance-types.json at the package root. This file sits three levels below the root
 * both as src/simulator/model/catalog.ts (tsx) and as dist/simulator/model/catalog.js (the image,
 * which ships data/ next to dist/), so one relative URL serves both.
 */
export const defaultCatalogPath = fileURLToPath(new URL('../../../data/ecs-instance-types.json', import.meta.url));

// Family prefix to DescribeInstanceTypes' InstanceCategory. Longest prefix wins.
const categoryByFamilyPrefix: [string, string][] = [
  ['ecs.gn', 'Compute-optimized with GPU'],
  ['ecs.ic', 'Compute-optimized'],
  ['ecs.u', 'General-purpose'],
  ['ecs.e', 'Shared'],
  ['ecs.g', 'General-purpose'],
  ['ecs.c', 'Compute-optimized'],
  ['ecs.r', 'Memory-optimized'],
];

function categoryOf(family: string): string {
  const match = categoryByFamilyPrefix.find(([prefix]) => family.startsWith(prefix));
  return match ? match[1] : 'General-purpose';
}

export function parseCatalog(raw: unknown): Catalog {
  const file = catalogFileSchema.parse(raw);
  const instanceTypes = new Map<string, InstanceTypeSpec>();
  for (const spec of file.instanceTypes) {
    const category = categoryOf(spec.family);
    instanceTypes.set(spec.instanceTypeId, {
      ...spec,
      category,
      familyLevel: category === 'Shared' ? 'EntryLevel' : 'EnterpriseLevel',
    });
  }
  const regions = new Map(Object.entries(file.regions).map(([id, r]) => [id, r.zones] as const));
  return {
    instanceTypes,
    regions,
    onDemandPrice: (region, instanceType) => file.onDemandPricePerHour[region]?.[instanceType],
  };
}

export function loadCatalog(path: string = defaultCatalogPath): Catalog {
  return parseCatalog(JSON.parse(readFileSync(path, 'utf8')));
}
