// Pods per node under Terway: the one model the provisioner and the IPAM share, so the scheduler
// never plans more pods onto a node than the IPAM can give addresses to.
//
//   ENIIP (shared ENI, secondary IPs): (eniQuantity - 1) * eniPrivateIpAddressQuantity
//   ENI   (exclusive ENI per pod):      eniQuantity - 1
//   Trunk (member ENIs of a trunk ENI): eniTotalQuantity - eniQuantity
//
// The primary ENI carries the node's own address, hence the "- 1". Host-network pods use the
// node's address and consume none of these; kubelet's maxPods still counts them.
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
  ip: number;
  eni: number;
  trunk: number;
}

export function emptyEniUsage(): EniUsage {
  return { ip: 0, eni: 0, trunk: 0 };
}

/** Which kind of slot the pod takes, or undefined for host-network pods (they take none). */
export function eniDemandOf(pod: Pick<PodSpecLite, 'hostNetwork' | 'network'>, defaultType: EniType = 'ENIIP'): EniType | undefined {
  if (pod.hostNetwork) return undefined;
  return pod.network?.eniType ?? defaultType;
}

export function addEniDemand(usage: EniUsage, demand: EniType | undefined, count = 1): void {
  if (demand === 'ENIIP') usage.ip += count;
  else if (demand === 'ENI') usage.eni += count;
  else if (demand === 'Trunk') usage.trunk += count;
}

/**
 * Whether a node with these slots can hold this usage. Exclusive ENIs and the ENIs carrying
 * secondary IPs come from the same secondary ENIs, so each exclusive-ENI pod removes a whole
 * ENI's worth of IP slots.
 */
export function eniUsageFits(slots: EniSlots, usage: EniUsage): boolean {
  if (usage.eni > slots.secondaryEnis) return false;
  if (usage.trunk > slots.trunkMembers) return false;
  if (usage.ip === 0) return true;
  return usage.ip <= (slots.secondaryEnis - usage.eni) * slots.ipsPerEni;
}
