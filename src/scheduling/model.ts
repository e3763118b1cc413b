// The solver's compiled view of its input: instance types as dense vectors with offering bitmasks,
// node pools with their candidate types and DaemonSet overhead, and bins (existing nodes and new
// claims) that pods are placed into. Built once per solve so the hot loop does arithmetic, not
// map lookups.
import type { EniSlots, EniUsage } from './eni-density.js';
import type { HostPort, HostPortUsage } from './host-ports.js';
import type { Requirements } from './requirements.js';
import type { InstanceType, NodePoolTemplate, Offering, Taint } from './types.js';

export interface CompiledInstanceType {
  index: number;
  source: InstanceType;
  name: string;
  labels: Readonly<Record<string, string>>;
  /** Allocatable per resource dimension of the solve. */
  allocatable: Float64Array;
  /** Available offerings only. */
  offerings: readonly Offering[];
  /** Per capacity-type index, a bitmask of zones with an available offering. */
  zoneMask: Int32Array;
  /** Cheapest available offering per (capacity type, zone): price[ct * zones + zone], Infinity when none. */
  price: Float64Array;
  cheapest: number;
  slots: EniSlots | undefined;
  /** One-entry memo of the cheapest price under a (zone mask, capacity-type mask). */
  memoZones: number;
  memoCapacityTypes: number;
  memoPrice: number;
}

export interface CompiledNodePool {
  index: number;
  source: NodePoolTemplate;
  name: string;
  requirements: Requirements;
  taints: readonly Taint[];
  startupTaints: readonly Taint[];
  taintSet: number;
  /** Types compatible with the pool's requirements, with an available offering, that fit the DaemonSet overhead. */
  candidates: Int32Array;
  daemonUsed: Float64Array;
  daemonRequests: Record<string, number>;
  daemonEni: EniUsage;
  daemonPorts: HostPort[];
  /** Limited resource names and what is left of each. */
  limitNames: readonly string[];
  limitRemaining: Float64Array;
  /** Per type index: capacity of each limited resource. */
  limitCapacity: Map<number, Float64Array>;
  /** Per pod class id: the cheapest node of this pool that fits one pod of the class alone. */
  alonePrice: Map<number, number>;
  minValues: readonly { key: string; min: number }[];
}

/** A node or a new claim, as pods are placed into it. */
export interface Bin {
  index: number;
  /** Node name, or the claim's hostname placeholder. */
  name: string;
  claim: boolean;
  pool: CompiledNodePool | undefined;
  requirements: Requirements;
  taints: readonly Taint[];
  taintSet: number;
  used: Float64Array;
  eni: EniUsage;
  ports: HostPortUsage | undefined;
  pods: string[];
  // existing nodes
  labels: Readonly<Record<string, string>>;
  allocatable: Float64Array | undefined;
  slots: EniSlots | undefined;
  // claims
  candidates: Int32Array | undefined;
  candidateCount: number;
  /** Cheapest launch price over the candidates, for the cost-aware growth rule. */
  price: number;
  /** Component-wise max allocatable over candidates: a cheap necessary condition for fit. */
  capMax: Float64Array | undefined;
  limitReserved: Float64Array | undefined;
}
