// DescribeInstanceTypes' model, in Kubernetes terms.
import type { Architecture, InstanceTypeInfo } from '../types.js';
import type { InstanceTypeModel } from './schemas.js';

/** ecs.g7 -> 7, ecs.g8a -> 8, ecs.gn7i -> 7, ecs.e -> 0 (no generation in the name). */
export function generationOf(family: string): number {
  const match = /^ecs\.[a-z]+?(\d+)/.exec(family);
  return match?.[1] ? Number(match[1]) : 0;
}

export function architectureOf(cpuArchitecture: string | undefined): Architecture {
  return cpuArchitecture?.toUpperCase() === 'ARM' ? 'arm64' : 'amd64';
}

/**
 * The contract's category names: the API's InstanceCategory lower-cased and hyphenated
 * (General-purpose -> general-purpose), except that every GPU family is `gpu` and the u families
 * (which the API files under General-purpose) are `universal`.
 */
export function categoryOf(model: Pick<InstanceTypeModel, 'instanceCategory' | 'instanceTypeFamily' | 'GPUAmount'>): string {
  if ((model.GPUAmount ?? 0) > 0 || /gpu/i.test(model.instanceCategory ?? '')) return 'gpu';
  if (/^ecs\.u\d/.test(model.instanceTypeFamily)) return 'universal';
  const category = (model.instanceCategory ?? '').trim().toLowerCase().replace(/\s+/g, '-');
  return category || 'general-purpose';
}

export function toInstanceTypeInfo(model: InstanceTypeModel): InstanceTypeInfo {
  const info: InstanceTypeInfo = {
    name: model.instanceTypeId,
    family: model.instanceTypeFamily,
    category: categoryOf(model),
    generation: generationOf(model.instanceTypeFamily),
    architecture: architectureOf(model.cpuArchitecture),
    vcpu: model.cpuCoreCount,
    memoryMiB: Math.round(model.memorySize * 1024),
    gpuCount: model.GPUAmount ?? 0,
    eniQuantity: model.eniQuantity,
    eniPrivateIpAddressQuantity: model.eniPrivateIpAddressQuantity,
    eniIpv6AddressQuantity: model.eniIpv6AddressQuantity ?? 0,
    eniTrunkSupported: model.eniTrunkSupported ?? false,
  };
  if (model.GPUSpec) info.gpuSpec = model.GPUSpec;
  // The API answers 0 where it does not know the total; the contract says undefined.
  if (model.eniTotalQuantity) info.eniTotalQuantity = model.eniTotalQuantity;
  // InstanceBandwidthRx is in Kbit/s.
  if (model.instanceBandwidthRx) info.baselineBandwidthGbps = model.instanceBandwidthRx / 1_000_000;
  return info;
}
