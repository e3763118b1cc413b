// The instance-type model the catalog controller builds and the scheduler consumes: capacity from
// the ECS facts, allocatable after kubelet reservations, max pods from the ENI model, and the
// well-known labels a node of the type carries.
import {
  LabelArch, LabelInstanceCategory, LabelInstanceCPU, LabelInstanceENIQuantity, LabelInstanceFamily,
  LabelInstanceGeneration, LabelInstanceGPUCount, LabelInstanceGPUManufacturer, LabelInstanceGPUMemory,
  LabelInstanceGPUName, LabelInstanceMemory, LabelInstanceType, LabelOS, LabelRegion,
} from '../apis/labels.js';
import { maxPodsForInstanceType, type EniMode } from './eni-density.js';
import { parseQuantity } from './quantity.js';
import { ResourceCPU, ResourceEphemeralStorage, ResourceMemory, ResourcePods } from './resources.js';
import type { InstanceType, Offering, ResourceList } from './types.js';

const Mi = 2 ** 20;
const Gi = 2 ** 30;

/** ECS facts of one type. Field names match the cloud layer's InstanceTypeInfo, so it can be passed as is. */
export interface InstanceTypeSpec {
  name: string;
  family: string;
  category: string;
  generation: number;
  architecture: 'amd64' | 'arm64';
  vcpu: number;
  memoryMiB: number;
  gpuCount: number;
  gpuSpec?: string;
  gpuMemoryMiB?: number;
  eniQuantity: number;
  eniPrivateIpAddressQuantity: number;
  eniTotalQuantity?: number | null;
  eniTrunkSupported?: boolean | null;
}

/** The kubelet settings of an ECSNodeClass that change what a node offers; quantities as in the API. */
export interface KubeletSettings {
  maxPods?: number;
  podsPerCore?: number;
  kubeReserved?: Readonly<Record<string, string>>;
  systemReserved?: Readonly<Record<string, string>>;
  /** Signal to threshold, e.g. { 'memory.available': '100Mi', 'nodefs.available': '10%' }. */
  evictionHard?: Readonly<Record<string, string>>;
}

export const DefaultEvictionHard: Readonly<Record<string, string>> = { 'memory.available': '100Mi', 'nodefs.available': '10%' };

/**
 * kube-reserved when the node class sets none, as the AWS and Alibaba Karpenter providers compute it:
 * CPU 6% of the first core, 1% of the second, 0.5% of the next two, 0.25% of the rest; memory
 * 11 MiB per pod plus 255 MiB; 1 GiB of ephemeral storage.
 */
export function defaultKubeReserved(vcpu: number, maxPods: number): Record<string, number> {
  const millicores = vcpu * 1000;
  let cpu = 0;
  for (const [start, end, fraction] of [[0, 1000, 0.06], [1000, 2000, 0.01], [2000, 4000, 0.005], [4000, Infinity, 0.0025]] as const) {
    if (millicores > start) cpu += (Math.min(millicores, end) - start) * fraction;
  }
  return {
    [ResourceCPU]: Math.round(cpu),
    [ResourceMemory]: (11 * maxPods + 255) * Mi,
    [ResourceEphemeralStorage]: 1 * Gi,
  };
}

function quantitiesToResources(q: Readonly<Record<string, string>> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(q ?? {})) out[k] = k === ResourceCPU ? Math.ceil(parseQuantity(v) * 1000) : Math.ceil(parseQuantity(v));
  return out;
}

/** The eviction thresholds as resources: memory.available to memory, nodefs.available to ephemeral-storage. */
export function evictionThreshold(capacity: ResourceList, evictionHard: Readonly<Record<string, string>> = DefaultEvictionHard): Record<string, number> {
  const out: Record<string, number> = {};
  const signal = (name: string, resource: string) => {
    const v = evictionHard[name];
    if (v === undefined) return;
    out[resource] = v.endsWith('%') ? Math.ceil(((capacity[resource] ?? 0) * Number(v.slice(0, -1))) / 100) : Math.ceil(parseQuantity(v));
  };
  signal('memory.available', ResourceMemory);
  signal('nodefs.available', ResourceEphemeralStorage);
  return out;
}

export interface Overhead {
  kubeReserved: Record<string, number>;
  systemReserved: Record<string, number>;
  evictionThreshold: Record<string, number>;
}

/** allocatable = capacity - kubeReserved - systemReserved - evictionThreshold (never below zero). */
export function computeAllocatable(capacity: ResourceList, overhead: Overhead): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(capacity)) {
    const reserved = (overhead.kubeReserved[k] ?? 0) + (overhead.systemReserved[k] ?? 0) + (overhead.evictionThreshold[k] ?? 0);
    out[k] = Math.max(0, v - reserved);
  }
  return out;
}

export interface CapacityOptions {
  /** Terway mode of the cluster, for max pods. Default ENIIP. */
  eniMode?: EniMode;
  kubelet?: KubeletSettings;
  /** System disk size, for ephemeral-storage capacity. Default 40 GiB. */
  systemDiskGiB?: number;
  /**
   * Pod slots kubelet gets beyond the ENI-derived count, for host-network pods (which take no
   * address). The ENI model still bounds the pods that do. Default 0.
   */
  hostNetworkPods?: number;
}

export function instanceTypeCapacity(spec: InstanceTypeSpec, options: CapacityOptions = {}): Record<string, number> {
  let pods = maxPodsForInstanceType(spec, options.eniMode ?? 'ENIIP') + (options.hostNetworkPods ?? 0);
  if (options.kubelet?.maxPods !== undefined) pods = Math.min(pods, options.kubelet.maxPods);
  if (options.kubelet?.podsPerCore) pods = Math.min(pods, options.kubelet.podsPerCore * spec.vcpu);
  const capacity: Record<string, number> = {
    [ResourceCPU]: spec.vcpu * 1000,
    [ResourceMemory]: spec.memoryMiB * Mi,
    [ResourceEphemeralStorage]: (options.systemDiskGiB ?? 40) * Gi,
    [ResourcePods]: pods,
  };
  if (spec.gpuCount > 0) capacity[gpuResourceName(spec)] = spec.gpuCount;
  return capacity;
}

export function instanceTypeOverhead(spec: InstanceTypeSpec, capacity: ResourceList, kubelet?: KubeletSettings): Overhead {
  const kubeReserved = kubelet?.kubeReserved
    ? { ...defaultKubeReserved(spec.vcpu, capacity[ResourcePods] ?? 0), ...quantitiesToResources(kubelet.kubeReserved) }
    : defaultKubeReserved(spec.vcpu, capacity[ResourcePods] ?? 0);
  return {
    kubeReserved,
    systemReserved: quantitiesToResources(kubelet?.systemReserved),
    evictionThreshold: evictionThreshold(capacity, kubelet?.evictionHard ?? DefaultEvictionHard),
  };
}

function gpuManufacturer(spec: InstanceTypeSpec): string | undefined {
  if (!spec.gpuSpec) return undefined;
  const first = spec.gpuSpec.trim().split(/\s+/)[0]?.toLowerCase();
  return first && /^[a-z0-9]+$/.test(first) ? first : undefined;
}

function gpuResourceName(spec: InstanceTypeSpec): string {
  const m = gpuManufacturer(spec);
  return m === 'amd' ? 'amd.com/gpu' : 'nvidia.com/gpu';
}

/** A string safe as a label value (alphanumerics, '-', '_', '.', at most 63, alphanumeric ends). */
function labelValue(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 63).replace(/[^a-z0-9]+$/, '');
}

/** The well-known labels of a node of this type (zone and capacity type come from its offering). */
export function instanceTypeLabels(spec: InstanceTypeSpec, region?: string): Record<string, string> {
  const labels: Record<string, string> = {
    [LabelInstanceType]: spec.name,
    [LabelArch]: spec.architecture,
    [LabelOS]: 'linux',
    [LabelInstanceFamily]: spec.family,
    [LabelInstanceCategory]: spec.category,
    [LabelInstanceGeneration]: String(spec.generation),
    [LabelInstanceCPU]: String(spec.vcpu),
    [LabelInstanceMemory]: String(spec.memoryMiB),
    [LabelInstanceENIQuantity]: String(spec.eniQuantity),
  };
  if (region) labels[LabelRegion] = region;
  if (spec.gpuCount > 0) {
    labels[LabelInstanceGPUCount] = String(spec.gpuCount);
    const manufacturer = gpuManufacturer(spec);
    if (manufacturer) labels[LabelInstanceGPUManufacturer] = manufacturer;
    const name = spec.gpuSpec ? labelValue(spec.gpuSpec.trim().split(/\s+/).slice(manufacturer ? 1 : 0).join('-')) : '';
    if (name) labels[LabelInstanceGPUName] = name;
    if (spec.gpuMemoryMiB) labels[LabelInstanceGPUMemory] = String(spec.gpuMemoryMiB);
  }
  return labels;
}

export interface BuildInstanceTypeOptions extends CapacityOptions {
  region?: string;
}

/** Everything the scheduler needs about one type: labels, capacity, allocatable, ENI facts, offerings. */
export function buildInstanceType(spec: InstanceTypeSpec, offerings: readonly Offering[], options: BuildInstanceTypeOptions = {}): InstanceType {
  const capacity = instanceTypeCapacity(spec, options);
  const overhead = instanceTypeOverhead(spec, capacity, options.kubelet);
  return {
    name: spec.name,
    labels: instanceTypeLabels(spec, options.region),
    capacity,
    allocatable: computeAllocatable(capacity, overhead),
    offerings,
    eni: {
      eniQuantity: spec.eniQuantity,
      eniPrivateIpAddressQuantity: spec.eniPrivateIpAddressQuantity,
      eniTotalQuantity: spec.eniTotalQuantity ?? null,
      eniTrunkSupported: spec.eniTrunkSupported ?? null,
    },
  };
}
