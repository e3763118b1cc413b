// Pods per node under Terway: the one model the provisioner and the IPAM share, so the scheduler
// never plans more pods onto a node than the IPAM can give addresses to.
//
//   ENIIP (shared ENI, secondary IPs): (eniQuantity - 1) * eniPrivateIpAddressQuantity
//   ENI   (exclusive ENI per pod):      eniQuantity - 1
//   Trunk (member ENIs of a trunk ENI): eniTotalQuantity - eniQuantity
//
// The primary ENI carries the node's own address, hence the "- 1". Host-network pods use the
// node's address and consume none of these; kubelet's maxPods still counts them.
//
// In ENIIP mode the IPAM keys shared ENIs by (vSwitch, security groups), so every pod network on a
// node (each PodNetworking, and the default network) needs secondary ENIs of its own: a node hosting
// ENIIP pods of networks n1..nk needs sum_i ceil(pods_i / ipsPerEni) secondary ENIs, beside one per
// exclusive-ENI pod. `maxPodsForInstanceType` is the single-network bound.
import type { EniSpec, EniType, PodSpecLite } from './types.js';

export type EniMode = EniType;

export interface KubeletPodLimits {
  maxPods?: number;
  podsPerCore?: number;
  vcpu: number;
}

/** Address slots of one node, by kind. */
export interface EniSlots {
  /** Secondary ENIs (each exclusive-ENI pod takes one; ENIIP addresses live on them too). */
  secondaryEnis: number;
  ipsPerEni: number;
  /** Trunk member ENIs; 0 without trunk support. */
  trunkMembers: number;
}

export function eniSlots(spec: EniSpec): EniSlots {
  const secondaryEnis = Math.max(0, spec.eniQuantity - 1);
  const total = spec.eniTotalQuantity ?? 0;
  const trunkMembers = spec.eniTrunkSupported && total > spec.eniQuantity ? total - spec.eniQuantity : 0;
  return { secondaryEnis, ipsPerEni: Math.max(0, spec.eniPrivateIpAddressQuantity), trunkMembers };
}

/** Pods with their own IP a node of this type can run in `mode`, capped by kubelet's maxPods and podsPerCore. */
export function maxPodsForInstanceType(spec: EniSpec, mode: EniMode, kubelet?: KubeletPodLimits): number {
  const slots = eniSlots(spec);
  let pods: number;
  switch (mode) {
    case 'ENIIP':
      pods = slots.secondaryEnis * slots.ipsPerEni;
      break;
    case 'ENI':
      pods = slots.secondaryEnis;
      break;
    case 'Trunk':
      pods = slots.trunkMembers;
      break;
  }
  if (kubelet?.maxPods !== undefined) pods = Math.min(pods, kubelet.maxPods);
  if (kubelet?.podsPerCore !== undefined && kubelet.podsPerCore > 0) pods = Math.min(pods, kubelet.podsPerCore * kubelet.vcpu);
  return Math.max(0, Math.floor(pods));
}

/** Address slots pods on one node use: IP pods, exclusive-ENI pods and trunk-member pods. */
export interface EniUsage {
  /** ENIIP pods of every network. */
  ip: number;
  eni: number;
  trunk: number;
  /**
   * ENIIP pods per PodNetworking; the rest of `ip` is the default network. Absent (or empty) while
   * every ENIIP pod is on the default network, which keeps the common case a single comparison.
   */
  ipByNetwork?: Map<string, number>;
}

export function emptyEniUsage(): EniUsage {
  return { ip: 0, eni: 0, trunk: 0 };
}

/** A deep copy (the per-network counts are not shared). */
export function cloneEniUsage(usage: EniUsage): EniUsage {
  const out: EniUsage = { ip: usage.ip, eni: usage.eni, trunk: usage.trunk };
  if (usage.ipByNetwork && usage.ipByNetwork.size > 0) out.ipByNetwork = new Map(usage.ipByNetwork);
  return out;
}

/** Overwrites `into` with `from`, reusing `into`'s map so scratch usages allocate nothing per attempt. */
export function copyEniUsage(into: EniUsage, from: EniUsage): void {
  into.ip = from.ip;
  into.eni = from.eni;
  into.trunk = from.trunk;
  const src = from.ipByNetwork;
  if (into.ipByNetwork) into.ipByNetwork.clear();
  if (!src || src.size === 0) return;
  into.ipByNetwork ??= new Map();
  for (const [k, v] of src) into.ipByNetwork.set(k, v);
}

/** Which kind of slot the pod takes, or undefined for host-network pods (they take none). */
export function eniDemandOf(pod: Pick<PodSpecLite, 'hostNetwork' | 'network'>, defaultType: EniType = 'ENIIP'): EniType | undefined {
  if (pod.hostNetwork) return undefined;
  return pod.network?.eniType ?? defaultType;
}

/** `network` is the pod's PodNetworking (undefined: the default network); only ENIIP pods use it. */
export function addEniDemand(usage: EniUsage, demand: EniType | undefined, count = 1, network?: string): void {
  if (demand === 'ENIIP') {
    usage.ip += count;
    if (network !== undefined) {
      usage.ipByNetwork ??= new Map();
      usage.ipByNetwork.set(network, (usage.ipByNetwork.get(network) ?? 0) + count);
    }
  } else if (demand === 'ENI') usage.eni += count;
  else if (demand === 'Trunk') usage.trunk += count;
}

/** Secondary ENIs the ENIIP pods of `usage` take on a node with `ipsPerEni` addresses per ENI. */
export function sharedEnisNeeded(ipsPerEni: number, usage: EniUsage): number {
  if (usage.ip === 0) return 0;
  if (ipsPerEni <= 0) return Infinity;
  const byNetwork = usage.ipByNetwork;
  if (!byNetwork || byNetwork.size === 0) return Math.ceil(usage.ip / ipsPerEni);
  let defaultIps = usage.ip;
  let enis = 0;
  for (const n of byNetwork.values()) {
    defaultIps -= n;
    enis += Math.ceil(n / ipsPerEni);
  }
  return enis + Math.ceil(defaultIps / ipsPerEni);
}

/**
 * Whether a node with these slots can hold this usage. Exclusive ENIs and the ENIs carrying
 * secondary IPs come from the same secondary ENIs, so each exclusive-ENI pod removes a whole
 * ENI's worth of IP slots, and each pod network fills ENIs of its own (see the header).
 */
export function eniUsageFits(slots: EniSlots, usage: EniUsage): boolean {
  if (usage.eni > slots.secondaryEnis) return false;
  if (usage.trunk > slots.trunkMembers) return false;
  if (usage.ip === 0) return true;
  const free = slots.secondaryEnis - usage.eni;
  if (!usage.ipByNetwork || usage.ipByNetwork.size === 0) return usage.ip <= free * slots.ipsPerEni;
  return sharedEnisNeeded(slots.ipsPerEni, usage) <= free;
}
