// DescribeInstanceTypes (NextToken paging) and DescribeAvailableResource (InstanceType,
// SystemDisk, DataDisk and Zone destinations, with stock per capacity type).
import { z } from 'zod';
import { apiErrors } from '../../errors.js';
import type { InstanceTypeSpec } from '../../model/catalog.js';
import type { CapacityType } from '../../model/offerings.js';
import { p } from '../../server/params.js';
import { defineAction, tokenPageOf } from '../action.js';
import { diskCategories } from './regions.js';

export function instanceTypeAnswer(spec: InstanceTypeSpec): Record<string, unknown> {
  const bandwidthKbps = spec.baselineBandwidthGbps === null ? 0 : Math.round(spec.baselineBandwidthGbps * 1_000_000);
  return {
    InstanceTypeId: spec.instanceTypeId,
    InstanceTypeFamily: spec.family,
    InstanceCategory: spec.category,
    InstanceFamilyLevel: spec.familyLevel,
    CpuCoreCount: spec.cpuCoreCount,
    MemorySize: spec.memoryGiB,
    CpuArchitecture: spec.cpuArchitecture,
    PhysicalProcessorModel: spec.physicalProcessorModel,
    GPUAmount: spec.gpuAmount,
    GPUSpec: spec.gpuSpec,
    EniQuantity: spec.eniQuantity,
    EniPrivateIpAddressQuantity: spec.eniPrivateIpAddressQuantity,
    EniIpv6AddressQuantity: spec.eniIpv6AddressQuantity,
    // Unknown trunk data is answered as "no trunk": total equals the ENI quantity.
    EniTotalQuantity: spec.eniTotalQuantity ?? spec.eniQuantity,
    EniTrunkSupported: spec.eniTrunkSupported ?? false,
    InstanceBandwidthRx: bandwidthKbps,
    InstanceBandwidthTx: bandwidthKbps,
    LocalStorageCategory: '',
    NvmeSupport: 'required',
    NetworkCardQuantity: 1,
    CpuOptions: { Core: Math.max(1, Math.floor(spec.cpuCoreCount / 2)), ThreadsPerCore: spec.cpuCoreCount > 1 ? 2 : 1 },
  };
}

export const describeInstanceTypes = defineAction({
  name: 'DescribeInstanceTypes',
  product: 'ecs',
  params: z.object({
    InstanceTypes: p.list(p.str()).max(10).optional(),
    InstanceTypeFamily: p.str().optional(),
    InstanceTypeFamilies: p.list(p.str()).optional(),
    InstanceCategory: p.str().optional(),
    InstanceCategories: p.list(p.str()).optional(),
    CpuArchitecture: z.enum(['X86', 'ARM']).optional(),
    CpuArchitectures: p.list(z.enum(['X86', 'ARM'])).optional(),
    GPUSpec: p.str().optional(),
    MinimumCpuCoreCount: p.int().optional(),
    MaximumCpuCoreCount: p.int().optional(),
    MinimumMemorySize: p.num().optional(),
    MaximumMemorySize: p.num().optional(),
    MinimumGPUAmount: p.int().optional(),
    MaximumGPUAmount: p.int().optional(),
    MinimumEniQuantity: p.int().optional(),
    MinimumEniPrivateIpAddressQuantity: p.int().optional(),
    MaxResults: p.int().min(1).max(1600).optional(),
    NextToken: p.str().optional(),
  }),
  handle: ({ cloud }, q) => {
    const families = [...(q.InstanceTypeFamilies ?? []), ...(q.InstanceTypeFamily ? [q.InstanceTypeFamily] : [])];
    const categories = [...(q.InstanceCategories ?? []), ...(q.InstanceCategory ? [q.InstanceCategory] : [])];
    const architectures = [...(q.CpuArchitectures ?? []), ...(q.CpuArchitecture ? [q.CpuArchitecture] : [])];
    const matches = [...cloud.catalog.instanceTypes.values()].filter(
      (t) =>
        (!q.InstanceTypes || q.InstanceTypes.includes(t.instanceTypeId)) &&
        (families.length === 0 || families.includes(t.family)) &&
        (categories.length === 0 || categories.includes(t.category)) &&
        (architectures.length === 0 || architectures.includes(t.cpuArchitecture)) &&
        (q.GPUSpec === undefined || t.gpuSpec === q.GPUSpec) &&
        t.cpuCoreCount >= (q.MinimumCpuCoreCount ?? 0) &&
        t.cpuCoreCount <= (q.MaximumCpuCoreCount ?? Infinity) &&
        t.memoryGiB >= (q.MinimumMemorySize ?? 0) &&
        t.memoryGiB <= (q.MaximumMemorySize ?? Infinity) &&
        t.gpuAmount >= (q.MinimumGPUAmount ?? 0) &&
        t.gpuAmount <= (q.MaximumGPUAmount ?? Infinity) &&
        t.eniQuantity >= (q.MinimumEniQuantity ?? 0) &&
        t.eniPrivateIpAddressQuantity >= (q.MinimumEniPrivateIpAddressQuantity ?? 0),
    );
    const paged = tokenPageOf(matches, q.NextToken, q.MaxResults ?? 250);
    if (!paged) throw apiErrors.invalidParameter('NextToken');
    return { NextToken: paged.NextToken, InstanceTypes: { InstanceType: paged.page.map(instanceTypeAnswer) } };
  },
});

/** Real ECS reports low stock as ClosedWithStock before it runs out. */
const lowStockThreshold = 5;

function stockStatus(remaining: number): { Status: string; StatusCategory: string } {
  if (remaining <= 0) return { Status: 'SoldOut', StatusCategory: 'WithoutStock' };
  if (remaining <= lowStockThreshold) return { Status: 'Available', StatusCategory: 'ClosedWithStock' };
  return { Status: 'Available', StatusCategory: 'WithStock' };
}

export const describeAvailableResource = defineAction({
  name: 'DescribeAvailableResource',
  product: 'ecs',
  params: z.object({
    RegionId: p.nonEmpty(),
    DestinationResource: z.enum(['Zone', 'IoOptimized', 'InstanceType', 'SystemDisk', 'DataDisk', 'Network', 'ddh']),
    ZoneId: p.str().optional(),
    InstanceChargeType: z.enum(['PrePaid', 'PostPaid']).optional(),
    SpotStrategy: z.enum(['NoSpot', 'SpotAsPriceGo', 'SpotWithPriceLimit']).optional(),
    InstanceType: p.str().optional(),
    ResourceType: p.str().optional(),
    Cores: p.int().optional(),
    Memory: p.num().optional(),
    SystemDiskCategory: p.str().optional(),
    DataDiskCategory: p.str().optional(),
  }),
  handle: ({ cloud }, q) => {
    cloud.checkRegion(q.RegionId);
    const capacityType: CapacityType = (q.SpotStrategy ?? 'NoSpot') === 'NoSpot' ? 'on-demand' : 'spot';
    const zones = cloud.offerings.zonesOf(q.RegionId).filter((z) => q.ZoneId === undefined || z === q.ZoneId);
    const types = [...cloud.catalog.instanceTypes.values()].filter(
      (t) =>
        (q.InstanceType === undefined || t.instanceTypeId === q.InstanceType) &&
        (q.Cores === undefined || t.cpuCoreCount === q.Cores) &&
        (q.Memory === undefined || t.memoryGiB === q.Memory),
    );
    const availableZones = [];
    for (const zoneId of zones) {
      const offered = types.filter((t) => cloud.offerings.offered(q.RegionId, t.instanceTypeId, zoneId));
      if (offered.length === 0) continue;
      const typeStatuses = offered.map((t) => ({
        spec: t,
        ...stockStatus(cloud.offerings.remaining({ instanceType: t.instanceTypeId, zone: zoneId, capacityType })),
      }));
      const anyAvailable = typeStatuses.some((s) => s.Status === 'Available');
      let supported: Record<string, unknown>[];
      switch (q.DestinationResource) {
        case 'InstanceType':
          supported = typeStatuses.map((s) => ({ Value: s.spec.instanceTypeId, Status: s.Status, StatusCategory: s.StatusCategory }));
          break;
        case 'SystemDisk':
        case 'DataDisk': {
          const wanted = q.DestinationResource === 'SystemDisk' ? q.SystemDiskCategory : q.DataDiskCategory;
          const max = q.DestinationResource === 'SystemDisk' ? 2048 : 32768;
          supported = diskCategories
            .filter((c) => wanted === undefined || c === wanted)
            .map((c) => ({ Value: c, Min: 20, Max: max, Unit: 'GiB', ...stockStatus(anyAvailable ? Infinity : 0) }));
          break;
        }
        case 'Network':
          supported = [{ Value: 'vpc', ...stockStatus(anyAvailable ? Infinity : 0) }];
          break;
        case 'IoOptimized':
          supported = [{ Value: 'optimized', ...stockStatus(anyAvailable ? Infinity : 0) }];
          break;
        default:
          supported = [{ Value: zoneId, ...stockStatus(anyAvailable ? Infinity : 0) }];
      }
      const destinationType = q.DestinationResource === 'ddh' ? 'DedicatedHost' : q.DestinationResource;
      availableZones.push({
        RegionId: q.RegionId,
        ZoneId: zoneId,
        ...stockStatus(anyAvailable ? Infinity : 0),
        AvailableResources: { AvailableResource: [{ Type: destinationType, SupportedResources: { SupportedResource: supported } }] },
      });
    }
    return { AvailableZones: { AvailableZone: availableZones } };
  },
});
