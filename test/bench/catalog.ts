// Loads the ECS catalog (data/ecs-instance-types.json in this repository, or $ECS_CATALOG) into
// scheduler instance types for one region: on-demand prices from the data, spot prices derived
// per (type, zone) with a deterministic discount, and a deterministic few offerings unavailable,
// as in a real region. I/O lives here so the scheduling core stays pure.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { buildInstanceType, type InstanceType, type InstanceTypeSpec, type Offering } from '../../src/scheduling/index.js';
import { hash01 } from './prng.js';

const catalogSchema = z.object({
  regions: z.record(z.string(), z.object({ zones: z.array(z.string()) })),
  instanceTypes: z.array(z.object({
    instanceTypeId: z.string(),
    family: z.string(),
    cpuCoreCount: z.number(),
    memoryGiB: z.number(),
    cpuArchitecture: z.string(),
    gpuAmount: z.number().nullable().optional(),
    gpuSpec: z.string().nullable().optional(),
    eniQuantity: z.number(),
    eniPrivateIpAddressQuantity: z.number(),
    eniTotalQuantity: z.number().nullable().optional(),
    eniTrunkSupported: z.boolean().nullable().optional(),
  })),
  onDemandPricePerHour: z.record(z.string(), z.record(z.string(), z.number())),
});

export const DefaultCatalogPath = process.env.ECS_CATALOG ?? fileURLToPath(new URL('../../data/ecs-instance-types.json', import.meta.url));

function category(family: string): string {
  const f = family.replace(/^ecs\./, '');
  if (f.startsWith('gn')) return 'gpu';
  if (f.startsWith('ic') || f.startsWith('c')) return 'compute-optimized';
  if (f.startsWith('g')) return 'general-purpose';
  if (f.startsWith('r')) return 'memory-optimized';
  if (f.startsWith('u')) return 'universal';
  if (f.startsWith('e')) return 'shared';
  return 'other';
}

function generation(family: string): number {
  const m = /(\d+)/.exec(family.replace(/^ecs\./, ''));
  return m ? Number(m[1]) : 0;
}

export interface Catalog {
  region: string;
  zones: string[];
  instanceTypes: InstanceType[];
}

export function loadCatalog(region = 'cn-hangzhou', path = DefaultCatalogPath): Catalog {
  const data = catalogSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const zones = data.regions[region]?.zones;
  const prices = data.onDemandPricePerHour[region];
  if (!zones || !prices) throw new Error(`region ${region} is not in ${path}`);
  const instanceTypes: InstanceType[] = [];
  for (const t of data.instanceTypes) {
    const onDemand = prices[t.instanceTypeId];
    if (onDemand === undefined) continue; // not sold in the region
    const spec: InstanceTypeSpec = {
      name: t.instanceTypeId,
      family: t.family,
      category: category(t.family),
      generation: generation(t.family),
      architecture: t.cpuArchitecture === 'ARM' ? 'arm64' : 'amd64',
      vcpu: t.cpuCoreCount,
      memoryMiB: Math.round(t.memoryGiB * 1024),
      gpuCount: t.gpuAmount ?? 0,
      gpuSpec: t.gpuSpec ?? undefined,
      eniQuantity: t.eniQuantity,
      eniPrivateIpAddressQuantity: t.eniPrivateIpAddressQuantity,
      eniTotalQuantity: t.eniTotalQuantity ?? null,
      eniTrunkSupported: t.eniTrunkSupported ?? null,
    };
    const offerings: Offering[] = [];
    for (const zone of zones) {
      const key = `${t.instanceTypeId}|${zone}`;
      offerings.push({ zone, capacityType: 'on-demand', price: onDemand, available: hash01(`${key}|od`) < 0.9 });
      // Spot: 20% to 60% of on-demand, varying by type and zone.
      offerings.push({ zone, capacityType: 'spot', price: +(onDemand * (0.2 + 0.4 * hash01(`${key}|spot`))).toFixed(4), available: hash01(`${key}|sa`) < 0.8 });
    }
    instanceTypes.push(buildInstanceType(spec, offerings, { region }));
  }
  return { region, zones, instanceTypes };
}
