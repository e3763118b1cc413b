// Builders for scheduling tests: small instance types, pods and pools with readable defaults.
import { LabelArch, LabelInstanceFamily, LabelInstanceType, LabelOS } from '../apis/labels.js';
import type { EniSpec, InstanceType, Offering, PodSpecLite } from './types.js';

export const Mi = 2 ** 20;
export const Gi = 2 ** 30;
export const zones = ['zone-a', 'zone-b', 'zone-c'];

export interface TypeOptions {
  price?: number;
  pods?: number;
  arch?: 'amd64' | 'arm64';
  family?: string;
  zones?: readonly string[];
  spotDiscount?: number;
  onDemand?: boolean;
  eni?: EniSpec;
  extra?: Record<string, number>;
}

/** A type with `cpu` cores and `memGiB` GiB, all allocatable, priced per core unless given. */
export function instanceType(name: string, cpu: number, memGiB: number, o: TypeOptions = {}): InstanceType {
  const price = o.price ?? cpu * 0.1 + memGiB * 0.01;
  const offerings: Offering[] = [];
  for (const z of o.zones ?? zones) {
    if (o.onDemand !== false) offerings.push({ zone: z, capacityType: 'on-demand', price, available: true });
    if (o.spotDiscount !== undefined) offerings.push({ zone: z, capacityType: 'spot', price: price * o.spotDiscount, available: true });
  }
  const capacity = { cpu: cpu * 1000, memory: memGiB * Gi, pods: o.pods ?? 110, ...(o.extra ?? {}) };
  return {
    name,
    labels: { [LabelInstanceType]: name, [LabelArch]: o.arch ?? 'amd64', [LabelOS]: 'linux', [LabelInstanceFamily]: o.family ?? name.split('.')[0] ?? name },
    capacity,
    allocatable: capacity,
    offerings,
    eni: o.eni,
  };
}

let n = 0;
export function pod(overrides: Partial<PodSpecLite> & { cpu?: number; mem?: number } = {}): PodSpecLite {
  const { cpu, mem, ...rest } = overrides;
  const id = ++n;
  return {
    uid: `uid-${id}`,
    name: `pod-${id}`,
    namespace: 'default',
    containers: [{ requests: { cpu: cpu ?? 1000, memory: mem ?? Gi } }],
    ...rest,
  };
}

export function pods(count: number, overrides: Parameters<typeof pod>[0] = {}): PodSpecLite[] {
  return Array.from({ length: count }, () => pod(overrides));
}

/** mulberry32: a tiny seeded PRNG, so random workloads are reproducible from their seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
