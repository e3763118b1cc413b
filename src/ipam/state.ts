// What the IPAM records, per node (Terway's centralized `Node` CR) and per pod (`PodENI`). Plain
// data, so a store can persist it as is; times are epoch milliseconds.
import type { AllocationPolicy, PodEniType } from './pod-network-resolver.js';

export type IpStatus = 'Valid' | 'Deleting';

export interface IpState {
  ip: string;
  /** The ENI's primary IP: usable by a pod, but only leaves with the ENI. */
  primary: boolean;
  /** Deleting: being unassigned; never handed out again. */
  status: IpStatus;
  /** namespace/name of the pod holding it. */
  podId?: string;
  podUid?: string;
  /** When its last pod released it: it cools down before reuse. */
  releasedAt?: number;
  /** Since when nobody holds it (for idle reclaim). */
  idleSince?: number;
}

export type EniStatus = 'Attaching' | 'InUse' | 'Detaching' | 'Deleting';
/** Shared: secondary IPs for many pods (ENIIP). Exclusive: the whole ENI is one pod's. */
export type EniUsage = 'Shared' | 'Exclusive';

export interface EniState {
  id: string;
  macAddress: string;
  vSwitchId: string;
  zone: string;
  /** Sorted. */
  securityGroupIds: string[];
  primaryIp: string;
  status: EniStatus;
  usage: EniUsage;
  ipv4CIDR?: string;
  createdAt: number;
  ips: Record<string, IpState>;
}

export interface NodeCapacity {
  /** ENIs the instance type can attach, including the primary (eniQuantity). */
  adapters: number;
  /** IPv4 addresses per ENI, including the ENI's primary (eniPrivateIpAddressQuantity). */
  ipv4PerAdapter: number;
}

export interface NodeIpamState {
  name: string;
  instanceId: string;
  instanceType: string;
  zone: string;
  capacity: NodeCapacity;
  pool: { minPoolSize: number; maxPoolSize: number };
  /** Secondary ENIs of the node (never the primary), by id. */
  enis: Record<string, EniState>;
}

export type PodAllocationPhase = 'Bind' | 'Unbind';

/** One pod's address (Terway's PodENI), keyed by namespace/name so a fixed IP outlives its pod. */
export interface PodAllocation {
  namespace: string;
  name: string;
  podUid: string;
  /** The node the address is on; for an unbound fixed IP, the node its ENI is still attached to, if any. */
  nodeName?: string;
  instanceId?: string;
  zone: string;
  eniType: Exclude<PodEniType, 'Trunk'>;
  ip: string;
  ipv4CIDR?: string;
  eni: { id: string; macAddress: string; vSwitchId: string; securityGroupIds: string[] };
  allocation: AllocationPolicy;
  podNetworking?: string;
  phase: PodAllocationPhase;
  allocatedAt: number;
  /** When the pod was last seen (set on release); a fixed IP's TTL counts from here. */
  podLastSeen?: number;
}

export function podId(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function cloneNode(state: NodeIpamState): NodeIpamState {
  return structuredClone(state);
}

/** IPs no pod holds that are not on their way out. */
export function isFree(ip: IpState): boolean {
  return ip.status === 'Valid' && ip.podId === undefined;
}

export function isCooling(ip: IpState, now: number, cooldownMs: number): boolean {
  return ip.releasedAt !== undefined && now < ip.releasedAt + cooldownMs;
}

export function secondaryEniCount(state: NodeIpamState): number {
  return Object.keys(state.enis).length;
}
