// The fractional lower bound on what a set of pods costs: the cheapest price per hour of any
// fractional mix of instance types whose allocatable CPU, memory and pod slots cover the pods'
// summed requests. No packing can beat it, so a plan's price over it measures packing waste.
//
// Solved through the LP dual: maximize D·y subject to y·allocatable(t) <= price(t) for every type.
// The dual prices y (per core, per GiB, per pod slot) also value any node: y·allocatable(t) / price(t)
// is how much of its price a perfectly packed node of type t recovers, its packing efficiency.
import { configurationLp, type ConfigurationLpOptions, type ConfigurationLpResult, type PodSize } from './configuration-lp.js';
import { eniSlots } from './eni-density.js';
import { maximizeWithSlackBasis } from './lp.js';
import { podRequests, ResourceCPU, ResourceMemory, ResourcePods } from './resources.js';
import type { InstanceType, PodSpecLite, ResourceList } from './types.js';

const GiB = 2 ** 30;

export interface PricedCapacity {
  /** CPU cores, memory GiB and pod slots a node of the type gives pods. */
  cores: number;
  memoryGiB: number;
  podSlots: number;
  price: number;
}

export interface LowerBound {
  /** Price per hour of the fractional optimum. */
  price: number;
  /** Dual prices: per CPU core, per GiB of memory, per pod slot. */
  perCore: number;
  perGiB: number;
  perPod: number;
}

/** Pod slots of a type: kubelet's pods bounded by the ENIIP address slots when ENI facts are known. */
export function podSlotsOf(it: Pick<InstanceType, 'allocatable' | 'eni'>): number {
  const pods = it.allocatable[ResourcePods] ?? 0;
  if (!it.eni) return pods;
  const s = eniSlots(it.eni);
  return Math.min(pods, s.secondaryEnis * s.ipsPerEni);
}

/** The cheapest available offering of a type, or undefined when none is available. */
export function cheapestPrice(it: InstanceType, accept?: (o: InstanceType['offerings'][number]) => boolean): number | undefined {
  let best: number | undefined;
  for (const o of it.offerings) {
    if (!o.available || (accept && !accept(o))) continue;
    if (best === undefined || o.price < best) best = o.price;
  }
  return best;
}

export function pricedCapacity(it: InstanceType, price: number): PricedCapacity {
  return {
    cores: (it.allocatable[ResourceCPU] ?? 0) / 1000,
    memoryGiB: (it.allocatable[ResourceMemory] ?? 0) / GiB,
    podSlots: podSlotsOf(it),
    price,
  };
}

/** The bound for a demand (cpu millicores, memory bytes, pods) over priced types. */
export function fractionalLowerBound(demand: ResourceList, types: readonly PricedCapacity[]): LowerBound {
  const usable = types.filter((t) => t.price > 0 && (t.cores > 0 || t.memoryGiB > 0 || t.podSlots > 0));
  if (usable.length === 0) return { price: Infinity, perCore: 0, perGiB: 0, perPod: 0 };
  const b = [(demand[ResourceCPU] ?? 0) / 1000, (demand[ResourceMemory] ?? 0) / GiB, demand[ResourcePods] ?? 0];
  const solution = maximizeWithSlackBasis(
    b,
    usable.map((t) => [t.cores, t.memoryGiB, t.podSlots]),
    usable.map((t) => t.price),
  );
  return { price: solution.value, perCore: solution.y[0] ?? 0, perGiB: solution.y[1] ?? 0, perPod: solution.y[2] ?? 0 };
}

/** The bound for pods over instance types at each type's cheapest available offering. */
export function fractionalLowerBoundForPods(pods: readonly PodSpecLite[], instanceTypes: readonly InstanceType[]): LowerBound {
  const demand: Record<string, number> = {};
  for (const p of pods) for (const [k, v] of Object.entries(podRequests(p))) demand[k] = (demand[k] ?? 0) + v;
  const priced: PricedCapacity[] = [];
  for (const it of instanceTypes) {
    const price = cheapestPrice(it);
    if (price !== undefined) priced.push(pricedCapacity(it, price));
  }
  return fractionalLowerBound(demand, priced);
}

/**
 * A bound that respects where each pod can go. For any weights λ (λcpu + λmem + λpods <= 1), a node of
 * type t holding pods S costs price(t) >= price(t) · Σ_S (λcpu·cpu/C_t + λmem·mem/M_t + λpods/P_t), so
 * every plan costs at least Σ_pods min over types t that fit the pod of that weighted share of
 * price(t). The weights may even differ per type (each node only needs its own type's weights to
 * sum to at most 1): maximized over a grid of global weights, then type by type. Unlike the
 * aggregated bound, a cheap type cannot lend its cores to pods too large (or too many) for it.
 */
export function podShareLowerBound(pods: readonly PodSpecLite[], instanceTypes: readonly InstanceType[], steps = 40): number {
  const classes = new Map<string, SizedDemand>();
  for (const p of pods) {
    const r = podRequests(p);
    const cores = (r[ResourceCPU] ?? 0) / 1000;
    const gib = (r[ResourceMemory] ?? 0) / GiB;
    const key = `${cores}/${gib}`;
    const c = classes.get(key);
    if (c) c.count++;
    else classes.set(key, { cores, gib, count: 1 });
  }
  const types: PricedCapacity[] = [];
  for (const it of instanceTypes) {
    const price = cheapestPrice(it);
    if (price !== undefined) types.push(pricedCapacity(it, price));
  }
  const demand = [...classes.values()];
  const global = bestShareWeights(demand, types, steps);
  return refineSharePerType(demand, types, global, Math.min(steps, 20));
}

/**
 * The bound stays valid when each type has its own weights (a node of type t only needs its own
 * weights to sum to at most 1), so improve type by type from the best global weights.
 */
function refineSharePerType(demand: readonly SizedDemand[], types: readonly PricedCapacity[], start: ShareWeights, steps: number): number {
  const grid: [number, number, number][] = [];
  for (let i = 0; i <= steps; i++) for (let j = 0; i + j <= steps; j++) grid.push([i / steps, j / steps, 1 - (i + j) / steps]);
  const weights = types.map(() => [start.cpu, start.memory, start.pods] as [number, number, number]);
  const share = (t: PricedCapacity, w: readonly number[], d: SizedDemand): number =>
    t.cores < d.cores || t.memoryGiB < d.gib || t.podSlots < 1
      ? Infinity
      : t.price * ((w[0] ?? 0) * (t.cores > 0 ? d.cores / t.cores : 0) + (w[1] ?? 0) * (t.memoryGiB > 0 ? d.gib / t.memoryGiB : 0) + (w[2] ?? 0) / t.podSlots);
  // cost[t][k]: the weighted share of class k on type t.
  const cost = types.map((t, ti) => demand.map((d) => share(t, weights[ti] as number[], d)));
  const total = () => demand.reduce((sum, d, k) => sum + d.count * Math.min(...cost.map((row) => row[k] as number)), 0);
  let best = total();
  for (let sweep = 0; sweep < 3; sweep++) {
    let improved = false;
    for (let ti = 0; ti < types.length; ti++) {
      const t = types[ti] as PricedCapacity;
      // The cheapest share of each class on every other type.
      const others = demand.map((_, k) => {
        let m = Infinity;
        for (let u = 0; u < types.length; u++) if (u !== ti) m = Math.min(m, (cost[u] as number[])[k] as number);
        return m;
      });
      let bestW = weights[ti] as [number, number, number];
      let bestTotal = best;
      for (const w of grid) {
        let sum = 0;
        for (let k = 0; k < demand.length; k++) sum += (demand[k] as SizedDemand).count * Math.min(others[k] as number, share(t, w, demand[k] as SizedDemand));
        if (sum > bestTotal + 1e-12) {
          bestTotal = sum;
          bestW = w;
        }
      }
      if (bestW !== weights[ti]) {
        weights[ti] = bestW;
        cost[ti] = demand.map((d) => share(t, bestW, d));
        best = bestTotal;
        improved = true;
      }
    }
    if (!improved) break;
  }
  return best;
}

/** A group of identical pods: cores, GiB and how many. */
export interface SizedDemand {
  cores: number;
  gib: number;
  count: number;
}

export interface ShareWeights {
  cpu: number;
  memory: number;
  pods: number;
  /** The bound these weights give. */
  bound: number;
}

/** The cheapest weighted share of a type's price one pod can have (its "fair cost" under the weights). */
export function podShare(w: Pick<ShareWeights, 'cpu' | 'memory' | 'pods'>, pod: Pick<SizedDemand, 'cores' | 'gib'>, types: readonly PricedCapacity[]): number {
  let min = Infinity;
  for (const t of types) {
    if (t.cores < pod.cores || t.memoryGiB < pod.gib || t.podSlots < 1) continue;
    const share = t.price * (w.cpu * (t.cores > 0 ? pod.cores / t.cores : 0) + w.memory * (t.memoryGiB > 0 ? pod.gib / t.memoryGiB : 0) + w.pods / t.podSlots);
    if (share < min) min = share;
  }
  return min;
}

/** Grid search for the weights that maximize the pod-share bound. */
export function bestShareWeights(demand: readonly SizedDemand[], types: readonly PricedCapacity[], steps = 40): ShareWeights {
  let best: ShareWeights = { cpu: 1, memory: 0, pods: 0, bound: 0 };
  for (let i = 0; i <= steps; i++) {
    for (let j = 0; i + j <= steps; j++) {
      const w = { cpu: i / steps, memory: j / steps, pods: 1 - (i + j) / steps };
      let total = 0;
      for (const d of demand) total += podShare(w, d, types) * d.count;
      if (total > best.bound) best = { ...w, bound: total };
    }
  }
  return best;
}

/** y·allocatable / price: the share of its price a fully packed node of the type recovers. */
export function packingEfficiency(bound: LowerBound, capacity: PricedCapacity): number {
  if (capacity.price <= 0) return 0;
  return (bound.perCore * capacity.cores + bound.perGiB * capacity.memoryGiB + bound.perPod * capacity.podSlots) / capacity.price;
}

/** Pods grouped by (cores, GiB): the sizes the configuration LP packs. */
export function podSizes(pods: readonly PodSpecLite[]): PodSize[] {
  const sizes = new Map<string, PodSize>();
  for (const p of pods) {
    const r = podRequests(p);
    const cores = (r[ResourceCPU] ?? 0) / 1000;
    const gib = (r[ResourceMemory] ?? 0) / GiB;
    const key = `${cores}/${gib}`;
    const s = sizes.get(key);
    if (s) s.count++;
    else sizes.set(key, { cores, gib, count: 1 });
  }
  return [...sizes.values()];
}

/**
 * The tightest of the bounds here: the configuration LP, where every node must hold whole pods
 * within its cores, memory and pod slots (see configuration-lp.ts). Valid at every stage of its
 * column generation; `exact` says it reached the LP optimum (within the knapsack gap tolerance).
 */
export function configurationLowerBound(pods: readonly PodSpecLite[], instanceTypes: readonly InstanceType[], options?: ConfigurationLpOptions): ConfigurationLpResult {
  const types: PricedCapacity[] = [];
  for (const it of instanceTypes) {
    const price = cheapestPrice(it);
    if (price !== undefined) types.push(pricedCapacity(it, price));
  }
  return configurationLp(podSizes(pods), types, options);
}
