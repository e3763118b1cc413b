// The scheduling core: pending pods in, placements and new NodeClaims out, as a pure function of a
// snapshot. Semantics follow upstream Karpenter v1's provisioning scheduler (scheduler.go,
// nodeclaim.go, existingnode.go, topology.go, preferences.go); the shape is built for speed:
//
// - Identical pods form one class, compiled once (requirements, topology groups, requests).
// - Bins (existing nodes first, then new claims in creation order) are tried first-fit. Each
//   class and relaxation level keeps its own list of bins not yet ruled out; a bin that fails for
//   a reason that can only get worse (full, taint, requirement, anti-affinity, ports, IPs) is
//   dropped from that list for good, so a class scans each bin about once instead of once per pod.
// - A claim keeps an incrementally pruned list of candidate instance types; offerings are zone
//   bitmasks per capacity type, so zone checks are integer operations.
// - A claim accepts a pod only while that raises its cheapest launch price by no more than the pod
//   would cost on a node of its own: slack is filled for free, and nodes do not grow into types
//   that cost more than the pods they hold (Karpenter grows every node toward the largest type).
import { LabelCapacityType, LabelHostname, LabelInstanceType, LabelNodePool, LabelZone } from '../apis/labels.js';
import { addEniDemand, cloneEniUsage, copyEniUsage, eniSlots, eniUsageFits, emptyEniUsage, type EniUsage } from './eni-density.js';
import { HostPortUsage, hostPortsOf } from './host-ports.js';
import type { Bin, CompiledInstanceType, CompiledNodePool } from './model.js';
import { IpHeadroom } from './network.js';
import { classKey, newLevel, newPodClass, type Level, type PodClass } from './pod-class.js';
import { initialConstraints, relax } from './preferences.js';
import { repack, type RepackSize, type RepackType } from './repack.js';
import { formatResources } from './quantity.js';
import { Requirement, Requirements, WellKnownLabelSet } from './requirements.js';
import { podRequests, ResourceCPU, ResourceMemory, ResourcePods } from './resources.js';
import { EphemeralTaintKeys, formatTaint, untoleratedTaint } from './taints.js';
import { TopologyRegistry, type TopologyGroup } from './topology.js';
import type {
  EniType, ExistingNode, InstanceType, InstanceTypeOption, NetworkReservation, NewClaim, NodePoolTemplate, Offering,
  PodSpecLite, SchedulingInput, SchedulingOptions, SchedulingResult, Taint,
} from './types.js';

const OK = 0;
/** The bin can never take a pod of this class at this level. */
const PERMANENT = 1;
/** The bin may take one later, once other placements change topology counts. */
const TRANSIENT = 2;
type Outcome = typeof OK | typeof PERMANENT | typeof TRANSIENT;

const CapacityTypes = ['spot', 'on-demand'] as const;
const DefaultGrowthCostRatio = 1;
const DefaultMaxInstanceTypeOptions = 60;
const MaxRetryPasses = 20;
const DefaultNodePods = 110;
const DefaultRepackRounds = 12;

/** Places pending pods on existing capacity and new NodeClaims. Pure: same input, same output. */
export function solve(input: SchedulingInput, options: SchedulingOptions = {}): SchedulingResult {
  return new Solver(input, options).run();
}

/** How strongly a class keeps its pods apart on hostname: anti-affinity 2, spread 1, else 0. */
function separationRank(cls: PodClass): number {
  const level = cls.levels[0] as Level;
  let rank = 0;
  for (const o of level.owned) {
    if (!o.group.isHostname) continue;
    if (o.group.kind === 'anti') rank = Math.max(rank, 2);
    else if (o.group.kind === 'spread') rank = Math.max(rank, 1);
  }
  return rank;
}

class Solver {
  private readonly dims = new Map<string, number>();
  private readonly dimNames: string[] = [];
  private readonly its: CompiledInstanceType[] = [];
  private readonly itByRef = new Map<InstanceType, CompiledInstanceType>();
  private readonly itLabelKeys = new Set<string>();
  private readonly itByName = new Map<string, CompiledInstanceType>();
  private readonly maxOptions: number;
  private readonly zones: string[] = [];
  private readonly zoneIndex = new Map<string, number>();
  private readonly pools: CompiledNodePool[] = [];
  private readonly bins: Bin[] = [];
  private readonly registry: TopologyRegistry;
  private readonly classes: PodClass[] = [];
  private readonly headroom: IpHeadroom;
  private readonly taintSets = new Map<string, number>();
  private readonly domainCache = new Map<string, string[]>();
  private readonly zoneMasks = new WeakMap<Requirement, number>();
  private readonly ctMasks = new WeakMap<Requirement, number>();
  private readonly defaultEniType: EniType;
  private readonly growthCostRatio: number;
  private readonly toleratePreferNoSchedule: boolean;
  private readonly ignorePreferences: boolean;
  private readonly repackRounds: number;
  private claimSequence = 0;

  // Per-attempt scratch state.
  private explain = false;
  private reason = '';
  private req: Requirements = new Requirements();
  private reqCloned = false;
  private transient = false;
  private newUsed = new Float64Array(0);
  private readonly newEni: EniUsage = emptyEniUsage();
  private fitBuffer = new Int32Array(0);
  private fitCount = 0;

  // Results.
  private readonly existingPlacements = new Map<string, string>();
  private readonly unschedulable = new Map<string, string>();
  private readonly reservations = new Map<string, NetworkReservation>();

  constructor(private readonly input: SchedulingInput, options: SchedulingOptions) {
    this.defaultEniType = input.networking?.defaultEniType ?? 'ENIIP';
    this.growthCostRatio = options.growthCostRatio ?? DefaultGrowthCostRatio;
    this.ignorePreferences = options.preferencePolicy === 'Ignore';
    this.maxOptions = options.maxInstanceTypeOptions ?? DefaultMaxInstanceTypeOptions;
    this.repackRounds = options.repackRounds ?? DefaultRepackRounds;
    this.registry = new TopologyRegistry(input.namespaceLabels);
    this.headroom = new IpHeadroom(input.networking);
    this.toleratePreferNoSchedule = input.nodePools.some((p) => (p.taints ?? []).some((t) => t.effect === 'PreferNoSchedule'));

    const grouped = this.groupPods(input.pods);
    this.compileDimensions(grouped, input.daemonSets ?? []);
    this.compileZones();
    this.compileInstanceTypes();
    for (const [i, pods] of grouped.entries()) this.classes.push(newPodClass(i, pods, this.dims, this.defaultEniType, this.ignorePreferences));
    this.compileNodePools();
    this.compileTopology();
    this.compileExistingNodes();
    this.relateClassesToGroups();
  }

  // ---------------------------------------------------------------- compile

  private groupPods(pods: readonly PodSpecLite[]): PodSpecLite[][] {
    const byKey = new Map<string, PodSpecLite[]>();
    for (const p of pods) {
      const k = classKey(p);
      const list = byKey.get(k);
      if (list) list.push(p);
      else byKey.set(k, [p]);
    }
    return [...byKey.values()];
  }

  private dim(name: string): number {
    let d = this.dims.get(name);
    if (d === undefined) {
      d = this.dimNames.length;
      this.dims.set(name, d);
      this.dimNames.push(name);
    }
    return d;
  }

  private compileDimensions(grouped: PodSpecLite[][], daemons: readonly PodSpecLite[]): void {
    for (const name of [ResourceCPU, ResourceMemory, ResourcePods]) this.dim(name);
    for (const pods of grouped) for (const k of Object.keys(podRequests(pods[0] as PodSpecLite))) this.dim(k);
    for (const d of daemons) for (const k of Object.keys(podRequests(d))) this.dim(k);
    this.newUsed = new Float64Array(this.dimNames.length);
  }

  private vectorOf(resources: Readonly<Record<string, number>>, missingPods?: number): Float64Array {
    const v = new Float64Array(this.dimNames.length);
    for (const [k, x] of Object.entries(resources)) {
      const d = this.dims.get(k);
      if (d !== undefined) v[d] = x;
    }
    if (missingPods !== undefined && resources[ResourcePods] === undefined) v[this.dim(ResourcePods)] = missingPods;
    return v;
  }

  private allInstanceTypes(): InstanceType[] {
    const out: InstanceType[] = [...(this.input.instanceTypes ?? [])];
    for (const p of this.input.nodePools) for (const it of p.instanceTypes ?? []) out.push(it);
    return out;
  }

  private compileZones(): void {
    const zones = new Set<string>();
    for (const it of this.allInstanceTypes()) for (const o of it.offerings) zones.add(o.zone);
    for (const n of [...(this.input.nodes ?? []), ...(this.input.inFlightClaims ?? [])]) {
      const z = n.labels[LabelZone];
      if (z) zones.add(z);
    }
    for (const v of this.input.networking?.vSwitches ?? []) zones.add(v.zone);
    for (const z of [...zones].sort()) {
      if (this.zones.length >= 31) throw new Error('the scheduling core supports at most 31 zones per solve');
      this.zoneIndex.set(z, this.zones.length);
      this.zones.push(z);
    }
  }

  private compileInstanceTypes(): void {
    const Z = this.zones.length;
    for (const src of this.allInstanceTypes()) {
      if (this.itByRef.has(src)) continue;
      const zoneMask = new Int32Array(CapacityTypes.length);
      const price = new Float64Array(CapacityTypes.length * Z).fill(Infinity);
      const offerings: Offering[] = [];
      let cheapest = Infinity;
      for (const o of src.offerings) {
        if (!o.available) continue;
        const ct = CapacityTypes.indexOf(o.capacityType);
        const z = this.zoneIndex.get(o.zone);
        if (ct < 0 || z === undefined) continue;
        offerings.push(o);
        zoneMask[ct] = (zoneMask[ct] as number) | (1 << z);
        if (o.price < (price[ct * Z + z] as number)) price[ct * Z + z] = o.price;
        if (o.price < cheapest) cheapest = o.price;
      }
      const compiled: CompiledInstanceType = {
        index: this.its.length,
        source: src,
        name: src.name,
        labels: src.labels,
        allocatable: this.vectorOf(src.allocatable, DefaultNodePods),
        offerings,
        zoneMask,
        price,
        cheapest,
        slots: src.eni ? eniSlots(src.eni) : undefined,
        memoZones: -1,
        memoCapacityTypes: -1,
        memoPrice: Infinity,
      };
      this.its.push(compiled);
      this.itByRef.set(src, compiled);
      if (!this.itByName.has(src.name)) this.itByName.set(src.name, compiled);
      for (const k of Object.keys(src.labels)) this.itLabelKeys.add(k);
    }
    this.fitBuffer = new Int32Array(Math.max(1, this.its.length));
  }

  private taintSet(taints: readonly Taint[]): number {
    const key = JSON.stringify(taints.map((t) => [t.key, t.value ?? '', t.effect]).sort());
    let id = this.taintSets.get(key);
    if (id === undefined) {
      id = this.taintSets.size;
      this.taintSets.set(key, id);
    }
    return id;
  }

  private compileNodePools(): void {
    const sorted = [...this.input.nodePools].sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const src of sorted) this.pools.push(this.compileNodePool(src));
  }

  private compileNodePool(src: NodePoolTemplate): CompiledNodePool {
    const requirements = Requirements.fromNodeSelector(src.requirements);
    for (const [k, v] of Object.entries(src.labels ?? {})) requirements.add(Requirement.in(k, v));
    requirements.add(Requirement.in(LabelNodePool, src.name));
    const taints = src.taints ?? [];

    // DaemonSets that would run on the pool's nodes: they tolerate its taints and fit its requirements.
    const daemonRequests: Record<string, number> = {};
    const daemonEni = emptyEniUsage();
    const daemonPorts = [];
    for (const d of this.input.daemonSets ?? []) {
      if (untoleratedTaint(taints, d.tolerations)) continue;
      const c = initialConstraints(d, false);
      if (requirements.compatible(newLevel(d, c).nodeRequirements, WellKnownLabelSet) !== undefined) continue;
      for (const [k, v] of Object.entries(podRequests(d))) daemonRequests[k] = (daemonRequests[k] ?? 0) + v;
      addEniDemand(daemonEni, d.hostNetwork ? undefined : (d.network?.eniType ?? this.defaultEniType), 1, d.network?.podNetworking);
      daemonPorts.push(...hostPortsOf(d));
    }
    const daemonUsed = this.vectorOf(daemonRequests);

    const pool = {
      index: this.pools.length,
      source: src,
      name: src.name,
      requirements,
      taints,
      startupTaints: src.startupTaints ?? [],
      taintSet: this.taintSet(taints),
      candidates: new Int32Array(0),
      daemonUsed,
      daemonRequests,
      daemonEni,
      daemonPorts,
      limitNames: Object.keys(src.limits ?? {}),
      limitRemaining: new Float64Array(0),
      limitCapacity: new Map<number, Float64Array>(),
      alonePrice: new Map<number, number>(),
      minValues: [...requirements.values()].filter((r) => r.minValues !== undefined).map((r) => ({ key: r.key, min: r.minValues as number })),
    } satisfies CompiledNodePool;
    pool.limitRemaining = Float64Array.from(pool.limitNames, (k) => (src.limits?.[k] ?? Infinity) - (src.usage?.[k] ?? 0));

    const zm = this.zoneMask(requirements.get(LabelZone));
    const cm = this.ctMask(requirements.get(LabelCapacityType));
    const cands: number[] = [];
    const types = src.instanceTypes ?? this.input.instanceTypes ?? [];
    for (const srcIt of types) {
      const it = this.itByRef.get(srcIt);
      if (!it) continue;
      if (!this.labelsCompatible(it, requirements)) continue;
      if (!this.offeringCompatible(it, zm, cm)) continue;
      if (!this.vectorFits(daemonUsed, it.allocatable)) continue;
      if (it.slots && !eniUsageFits(it.slots, daemonEni)) continue;
      cands.push(it.index);
      pool.limitCapacity.set(it.index, Float64Array.from(pool.limitNames, (k) => srcIt.capacity[k] ?? 0));
    }
    pool.candidates = Int32Array.from(cands);
    return pool;
  }

  private compileTopology(): void {
    for (const cls of this.classes) this.compileLevelTopology(cls, cls.levels[0] as Level);
  }

  private compileLevelTopology(cls: PodClass, level: Level): void {
    const pod = cls.sample;
    const c = level.constraints;
    const originalTerms = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    const owned = [];
    for (const tsc of c.topologySpread) {
      const group = this.registry.spread(pod, tsc, originalTerms);
      let podDomains: string[] | undefined;
      if (!group.isHostname) {
        const honor = (tsc.nodeAffinityPolicy ?? 'Honor') === 'Honor';
        const req = level.strictNodeRequirements.getIfPresent(tsc.topologyKey);
        podDomains = this.domains(tsc.topologyKey).filter((d) => !honor || !req || req.has(d));
      }
      owned.push({ group, selfSelecting: group.selects(pod.namespace, pod.labels), podDomains });
    }
    for (const term of [...c.requiredPodAffinity, ...c.preferredPodAffinity.map((w) => w.podAffinityTerm)]) {
      const group = this.registry.podTerm('affinity', pod, term);
      owned.push({ group, selfSelecting: group.selects(pod.namespace, pod.labels), podDomains: undefined });
    }
    for (const term of [...c.requiredPodAntiAffinity, ...c.preferredPodAntiAffinity.map((w) => w.podAffinityTerm)]) {
      const group = this.registry.podTerm('anti', pod, term);
      owned.push({ group, selfSelecting: group.selects(pod.namespace, pod.labels), podDomains: undefined });
    }
    level.owned = owned;
    if (cls.levels[0] === level) {
      cls.inverseOwned = c.requiredPodAntiAffinity.map((t) => this.registry.podTerm('inverse', pod, t));
    }
  }

  private compileExistingNodes(): void {
    const all = [...(this.input.nodes ?? []), ...(this.input.inFlightClaims ?? [])];
    const active = all.filter((n) => !n.markedForDeletion);
    active.sort((a, b) => {
      const ai = a.initialized !== false ? 0 : 1;
      const bi = b.initialized !== false ? 0 : 1;
      return ai - bi || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
    for (const node of active) this.bins.push(this.existingBin(node));
    // Pods on every node count for topology, including nodes about to go away.
    for (const node of all) this.seedTopology(node);
  }

  private existingBin(node: ExistingNode): Bin {
    const initialized = node.initialized !== false;
    const startup = node.startupTaints ?? [];
    const taints = initialized
      ? (node.taints ?? [])
      : (node.taints ?? []).filter((t) => !EphemeralTaintKeys.has(t.key) && !startup.some((s) => s.key === t.key && s.effect === t.effect));
    const used = new Float64Array(this.dimNames.length);
    const eni = emptyEniUsage();
    const ports = new HostPortUsage();
    for (const p of node.pods) {
      const v = this.vectorOf(podRequests(p));
      for (let d = 0; d < used.length; d++) used[d] = (used[d] as number) + (v[d] as number);
      addEniDemand(eni, p.hostNetwork ? undefined : (p.network?.eniType ?? this.defaultEniType), 1, p.network?.podNetworking);
      ports.add(hostPortsOf(p));
    }
    return {
      index: this.bins.length,
      name: node.name,
      claim: false,
      pool: undefined,
      requirements: Requirements.fromLabels(node.labels),
      taints,
      taintSet: this.taintSet(taints),
      used,
      eni,
      ports,
      pods: [],
      labels: node.labels,
      allocatable: this.vectorOf(node.allocatable, DefaultNodePods),
      slots: node.eni ? eniSlots(node.eni) : undefined,
      candidates: undefined,
      candidateCount: 0,
      price: 0,
      capMax: undefined,
      limitReserved: undefined,
    };
  }

  private seedTopology(node: ExistingNode): void {
    const nodeReqs = Requirements.fromLabels(node.labels);
    for (const pod of node.pods) {
      for (const g of this.registry.groups) {
        if (g.kind === 'inverse' || !g.selects(pod.namespace, pod.labels)) continue;
        if (g.kind === 'spread' && !g.nodeMatches(nodeReqs)) continue;
        const domain = g.isHostname ? node.name : node.labels[g.key];
        if (domain !== undefined) g.record(domain);
      }
      for (const term of pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
        const g = this.registry.podTerm('inverse', pod, term);
        const domain = g.isHostname ? node.name : node.labels[g.key];
        if (domain !== undefined) g.record(domain);
      }
    }
  }

  private relateClassesToGroups(): void {
    for (const cls of this.classes) {
      const { namespace, labels } = cls.sample;
      for (const g of this.registry.groups) {
        if (!g.selects(namespace, labels)) continue;
        if (g.kind === 'inverse') cls.repelledBy.push(g);
        else cls.countedBy.push(g);
      }
    }
  }

  /** Every value a topology key can take: from pools, their instance types and existing nodes. */
  private domains(key: string): string[] {
    const cached = this.domainCache.get(key);
    if (cached) return cached;
    const set = new Set<string>();
    for (const pool of this.pools) {
      const req = pool.requirements.getIfPresent(key);
      if (key === LabelZone || key === LabelCapacityType) {
        for (const i of pool.candidates) {
          for (const o of (this.its[i] as CompiledInstanceType).offerings) {
            const v = key === LabelZone ? o.zone : o.capacityType;
            if (!req || req.has(v)) set.add(v);
          }
        }
      } else if (req && !req.complement) {
        for (const v of req.values) set.add(v);
      } else if (this.itLabelKeys.has(key)) {
        for (const i of pool.candidates) {
          const v = (this.its[i] as CompiledInstanceType).labels[key];
          if (v !== undefined && (!req || req.has(v))) set.add(v);
        }
      }
    }
    for (const n of [...(this.input.nodes ?? []), ...(this.input.inFlightClaims ?? [])]) {
      const v = n.labels[key];
      if (v !== undefined) set.add(v);
    }
    const out = [...set].sort();
    this.domainCache.set(key, out);
    return out;
  }

  // ---------------------------------------------------------------- instance-type predicates

  private zoneMask(req: Requirement): number {
    let m = this.zoneMasks.get(req);
    if (m === undefined) {
      m = 0;
      for (let z = 0; z < this.zones.length; z++) if (req.has(this.zones[z] as string)) m |= 1 << z;
      this.zoneMasks.set(req, m);
    }
    return m;
  }

  private ctMask(req: Requirement): number {
    let m = this.ctMasks.get(req);
    if (m === undefined) {
      m = 0;
      for (let c = 0; c < CapacityTypes.length; c++) if (req.has(CapacityTypes[c] as string)) m |= 1 << c;
      this.ctMasks.set(req, m);
    }
    return m;
  }

  private offeringCompatible(it: CompiledInstanceType, zm: number, cm: number): boolean {
    for (let c = 0; c < CapacityTypes.length; c++) if ((cm >> c) & 1 && ((it.zoneMask[c] as number) & zm) !== 0) return true;
    return false;
  }

  private cheapestCompatible(it: CompiledInstanceType, zm: number, cm: number): number {
    const Z = this.zones.length;
    let best = Infinity;
    for (let c = 0; c < CapacityTypes.length; c++) {
      if (!((cm >> c) & 1)) continue;
      const mask = (it.zoneMask[c] as number) & zm;
      if (mask === 0) continue;
      for (let z = 0; z < Z; z++) if ((mask >> z) & 1 && (it.price[c * Z + z] as number) < best) best = it.price[c * Z + z] as number;
    }
    return best;
  }

  private labelsCompatible(it: CompiledInstanceType, reqs: Requirements): boolean {
    for (const r of reqs.values()) {
      const v = it.labels[r.key];
      if (v !== undefined && !r.has(v)) return false;
    }
    return true;
  }

  private vectorFits(need: Float64Array, have: Float64Array): boolean {
    for (let d = 0; d < need.length; d++) if ((need[d] as number) > (have[d] as number)) return false;
    return true;
  }

  // ---------------------------------------------------------------- solve

  run(): SchedulingResult {
    // Most expensive first: by the price of the cheapest node a pod could have on its own (first-fit
    // decreasing by cost, which packs cheaper than Karpenter's CPU-first order on a catalog whose
    // price per core differs by family and size), then Karpenter's order (CPU, then memory,
    // descending). Among equals, pods that need nodes of their own go first, so the nodes they open
    // are the ones the rest fill.
    const alone = new Map<number, number>();
    for (const c of this.classes) {
      let p = Infinity;
      for (const pool of this.pools) p = Math.min(p, this.alonePrice(c, pool));
      alone.set(c.id, Number.isFinite(p) ? p : 0);
    }
    const order = [...this.classes].sort((a, b) => {
      const price = (alone.get(b.id) as number) - (alone.get(a.id) as number);
      if (price !== 0) return price;
      const cpu = (b.requests[ResourceCPU] ?? 0) - (a.requests[ResourceCPU] ?? 0);
      if (cpu !== 0) return cpu;
      const mem = (b.requests[ResourceMemory] ?? 0) - (a.requests[ResourceMemory] ?? 0);
      if (mem !== 0) return mem;
      return separationRank(b) - separationRank(a) || a.id - b.id;
    });
    const failed: { cls: PodClass; pod: PodSpecLite }[] = [];
    for (const cls of order) {
      for (const pod of cls.pods) {
        if (!this.placePod(cls, pod)) failed.push({ cls, pod });
      }
      this.releaseLevels(cls);
    }
    // Like Karpenter's queue: retry what failed while anything new got placed (a pod's affinity
    // target may come later in the batch, or an ordering may have blocked a spread).
    let pending = failed;
    for (let pass = 0; pass < MaxRetryPasses && pending.length > 0; pass++) {
      const still: typeof pending = [];
      for (const f of pending) {
        if (this.placePod(f.cls, f.pod)) this.unschedulable.delete(f.pod.uid);
        else still.push(f);
      }
      if (still.length === pending.length) break;
      pending = still;
    }
    if (this.repackRounds > 0) for (const pool of this.pools) this.repackPool(pool);
    return this.result();
  }

  /**
   * Whether a class's pods are interchangeable with any other such pod for placement: nothing
   * about them narrows a node's requirements, and no topology group, anti-affinity, host port or
   * PodNetworking ties them to their node, zone or neighbours. Moving one between new claims of
   * the same pool can then break no constraint but resources and pod IP slots, which re-packing checks.
   */
  private interchangeable(cls: PodClass): boolean {
    const p = cls.sample;
    const a = p.affinity;
    return cls.levels.length === 1 && cls.base === 0
      && Object.keys(p.nodeSelector ?? {}).length === 0
      && !a?.nodeAffinity && !a?.podAffinity && !a?.podAntiAffinity
      && (p.topologySpreadConstraints ?? []).length === 0
      && cls.hostPorts.length === 0 && cls.podNetworking === undefined
      && (cls.eniDemand === 'ENIIP' || cls.eniDemand === undefined)
      && cls.countedBy.length === 0 && cls.repelledBy.length === 0 && cls.inverseOwned.length === 0;
  }

  /**
   * Re-packs the new claims of a pool that hold only interchangeable pods (see repack.ts) and keeps
   * the result when it is cheaper. First fit in pod order grows nodes one pod at a time, so it
   * rarely reaches the large types that are cheapest per pod; the re-pack chooses whole nodes.
   * Pools with limits are left alone (claims reserve limit capacity as they grow).
   */
  private repackPool(pool: CompiledNodePool): void {
    if (pool.limitNames.length > 0) return;
    const classOf = new Map<string, PodClass>();
    for (const cls of this.classes) if (this.interchangeable(cls)) for (const p of cls.pods) classOf.set(p.uid, cls);
    if (classOf.size === 0) return;
    const claims: Bin[] = [];
    let oldPrice = 0;
    for (const bin of this.bins) {
      if (!bin.claim || bin.pool !== pool || bin.pods.length === 0) continue;
      if (bin.requirements.size !== pool.requirements.size + 1) continue;
      let plain = true;
      for (const r of bin.requirements.values()) if (r.key !== LabelHostname && pool.requirements.getIfPresent(r.key) !== r) plain = false;
      for (const uid of bin.pods) if (!classOf.has(uid)) plain = false;
      if (!plain) continue;
      claims.push(bin);
      oldPrice += bin.price;
    }
    if (claims.length < 2) return;

    // Sizes: classes with equal requests and IP demand are one size (Deployments of the same
    // shape differ only in labels), with the uids to hand out.
    const sizeOfClass = new Map<PodClass, number>();
    const sizeOfKey = new Map<string, number>();
    const sizes: RepackSize[] = [];
    const uids: string[][] = [];
    for (const bin of claims) {
      for (const uid of bin.pods) {
        const cls = classOf.get(uid) as PodClass;
        let k = sizeOfClass.get(cls);
        if (k === undefined) {
          const ips = cls.eniDemand === 'ENIIP' ? 1 : 0;
          const key = `${ips}:${cls.vector.join(',')}`;
          k = sizeOfKey.get(key);
          if (k === undefined) {
            k = sizes.length;
            sizeOfKey.set(key, k);
            sizes.push({ need: cls.vector, ips, count: 0, alonePrice: this.alonePrice(cls, pool) });
            uids.push([]);
          }
          sizeOfClass.set(cls, k);
        }
        (sizes[k] as RepackSize).count++;
        (uids[k] as string[]).push(uid);
      }
    }
    const zm = this.zoneMask(pool.requirements.get(LabelZone));
    const cm = this.ctMask(pool.requirements.get(LabelCapacityType));
    const types: RepackType[] = [];
    for (const idx of pool.candidates) {
      const it = this.its[idx] as CompiledInstanceType;
      const room = it.allocatable.slice();
      for (let d = 0; d < room.length; d++) room[d] = (room[d] as number) - (pool.daemonUsed[d] as number);
      types.push({ room, ipSlots: this.defaultNetworkIpSlots(it, pool), price: this.priceUnder(it, zm, cm) });
    }
    const plan = repack(sizes, types, this.repackRounds);
    if (!plan || plan.price >= oldPrice - 1e-9) return;

    // Build the claims and price them as launched (the cheapest type that fits, which may be
    // cheaper than the one the pattern was cut for); keep them only if they are cheaper in total.
    const built: Bin[] = [];
    let newPrice = 0;
    const next = uids.map(() => 0);
    for (const node of plan.nodes) {
      const bin = this.newClaim(pool) as Bin;
      this.req = bin.requirements;
      this.reqCloned = false;
      this.transient = false;
      this.newUsed.set(bin.used);
      copyEniUsage(this.newEni, bin.eni);
      for (let k = 0; k < sizes.length; k++) {
        const count = node.counts[k] as number;
        if (count === 0) continue;
        const size = sizes[k] as RepackSize;
        for (let d = 0; d < this.newUsed.length; d++) this.newUsed[d] = (this.newUsed[d] as number) + count * (size.need[d] as number);
        this.newEni.ip += count * size.ips;
        const list = uids[k] as string[];
        for (let i = 0; i < count; i++) bin.pods.push(list[(next[k] as number)++] as string);
      }
      const cands: number[] = [];
      let price = Infinity;
      for (const idx of pool.candidates) {
        const it = this.its[idx] as CompiledInstanceType;
        if (!this.fitsNew(it)) continue;
        const p = this.priceUnder(it, zm, cm);
        if (p === Infinity) continue;
        cands.push(idx);
        if (p < price) price = p;
      }
      if (cands.length === 0 || !this.meetsMinValues(pool, cands)) return;
      bin.candidates = Int32Array.from(cands);
      bin.candidateCount = cands.length;
      bin.price = price;
      bin.capMax = this.capMaxOf(bin.candidates, cands.length);
      bin.used.set(this.newUsed);
      copyEniUsage(bin.eni, this.newEni);
      built.push(bin);
      newPrice += price;
    }
    if (newPrice >= oldPrice - 1e-9) return;
    for (const bin of claims) bin.pods = [];
    for (const bin of built) {
      bin.index = this.bins.length;
      this.bins.push(bin);
    }
  }

  /**
   * Default-network ENIIP pods a node of the type can add to its DaemonSets: the secondary ENIs
   * left after exclusive ENIs and the ENIs of the DaemonSets' own pod networks, times IPs per ENI,
   * less the DaemonSets' default-network IPs. The claims built are checked with eniUsageFits anyway.
   */
  private defaultNetworkIpSlots(it: CompiledInstanceType, pool: CompiledNodePool): number {
    const slots = it.slots;
    if (!slots) return Infinity;
    const daemons = pool.daemonEni;
    let enis = slots.secondaryEnis - daemons.eni;
    let defaultIps = daemons.ip;
    for (const n of daemons.ipByNetwork?.values() ?? []) {
      defaultIps -= n;
      enis -= slots.ipsPerEni > 0 ? Math.ceil(n / slots.ipsPerEni) : Infinity;
    }
    return Math.max(0, enis * slots.ipsPerEni - defaultIps);
  }

  private meetsMinValues(pool: CompiledNodePool, candidates: readonly number[]): boolean {
    for (const mv of pool.minValues) {
      const distinct = new Set<string>();
      for (const i of candidates) {
        const v = (this.its[i] as CompiledInstanceType).labels[mv.key];
        if (v !== undefined) distinct.add(v);
      }
      if (distinct.size < mv.min) return false;
    }
    return true;
  }

  /** Frees the per-level bin lists of a class that has nothing left to place. */
  private releaseLevels(cls: PodClass): void {
    for (const level of cls.levels) {
      level.live = [];
      level.seen = 0;
      level.liveRemoved = 0;
    }
  }

  private level(cls: PodClass, index: number): Level | undefined {
    let level = cls.levels[index];
    if (level) return level;
    const previous = cls.levels[index - 1];
    if (!previous) return undefined;
    const relaxed = relax(previous.constraints, this.toleratePreferNoSchedule);
    if (!relaxed) return undefined;
    level = newLevel(cls.sample, relaxed);
    this.compileLevelTopology(cls, level);
    cls.levels.push(level);
    return level;
  }

  private placePod(cls: PodClass, pod: PodSpecLite): boolean {
    if (cls.podNetworking !== undefined && !this.headroom.knows(cls.podNetworking)) {
      this.unschedulable.set(pod.uid, `PodNetworking ${JSON.stringify(cls.podNetworking)} is unknown or has no vSwitches`);
      return false;
    }
    let lastReason = '';
    for (let index = cls.base; ; index++) {
      const level = this.level(cls, index);
      if (!level) break;
      if (level.dead) {
        if (index === cls.base) cls.base++;
        continue;
      }
      this.explain = this.level(cls, index + 1) === undefined;
      if (this.tryLevel(cls, level, pod)) return true;
      if (this.explain) lastReason = this.reason;
      if (level.dead && index === cls.base) cls.base++;
    }
    if (!lastReason) {
      // Every level is ruled out for good: say why (once per class), from the weakest level.
      if (cls.deadReason === undefined) {
        const last = cls.levels[cls.levels.length - 1] as Level;
        this.explain = true;
        last.dead = false;
        const placed = this.tryLevel(cls, last, pod);
        this.explain = false;
        if (placed) return true;
        cls.deadReason = this.reason;
      }
      lastReason = cls.deadReason;
    }
    this.explain = false;
    this.unschedulable.set(pod.uid, lastReason || 'no node or NodePool can take the pod');
    return false;
  }

  private tryLevel(cls: PodClass, level: Level, pod: PodSpecLite): boolean {
    const live = level.live;
    for (let i = level.seen; i < this.bins.length; i++) live.push(i);
    level.seen = this.bins.length;
    if (level.liveRemoved > 32 && level.liveRemoved * 2 > live.length) {
      let w = 0;
      for (let i = 0; i < live.length; i++) if ((live[i] as number) >= 0) live[w++] = live[i] as number;
      live.length = w;
      level.liveRemoved = 0;
    }
    let allPermanent = true;
    for (let i = 0; i < live.length; i++) {
      const b = live[i] as number;
      if (b < 0) continue;
      const outcome = this.attempt(cls, level, pod, this.bins[b] as Bin, false);
      if (outcome === OK) return true;
      if (outcome === PERMANENT) {
        live[i] = -1;
        level.liveRemoved++;
      } else allPermanent = false;
    }
    const reasons: string[] = [];
    for (const pool of this.pools) {
      const claim = this.newClaim(pool);
      if (!claim) {
        allPermanent = false;
        if (this.explain) reasons.push(`all available instance types exceed limits for nodepool ${JSON.stringify(pool.name)}`);
        continue;
      }
      const outcome = this.attempt(cls, level, pod, claim, true);
      if (outcome === OK) {
        claim.index = this.bins.length;
        this.bins.push(claim);
        return true;
      }
      if (outcome === TRANSIENT) allPermanent = false;
      if (this.explain) {
        const overhead = Object.keys(pool.daemonRequests).length > 1 ? `, daemonset overhead=${formatResources(pool.daemonRequests)}` : '';
        reasons.push(`incompatible with nodepool ${JSON.stringify(pool.name)}${overhead}, ${this.reason}`);
      }
    }
    if (allPermanent) level.dead = true;
    if (this.explain) this.reason = this.pools.length === 0 ? 'no NodePool is configured' : reasons.join('; ');
    return false;
  }

  private newClaim(pool: CompiledNodePool): Bin | undefined {
    let candidates = pool.candidates;
    if (pool.limitNames.length > 0) {
      const kept: number[] = [];
      for (const i of candidates) {
        const cap = pool.limitCapacity.get(i) as Float64Array;
        let ok = true;
        for (let k = 0; k < cap.length; k++) if ((cap[k] as number) > (pool.limitRemaining[k] as number)) ok = false;
        if (ok) kept.push(i);
      }
      if (kept.length === 0) return undefined;
      candidates = Int32Array.from(kept);
    }
    const name = `hostname-placeholder-${String(++this.claimSequence).padStart(4, '0')}`;
    let ports: HostPortUsage | undefined;
    if (pool.daemonPorts.length > 0) {
      ports = new HostPortUsage();
      ports.add(pool.daemonPorts);
    }
    return {
      index: -1,
      name,
      claim: true,
      pool,
      requirements: pool.requirements.clone().add(Requirement.in(LabelHostname, name)),
      taints: pool.taints,
      taintSet: pool.taintSet,
      used: pool.daemonUsed.slice(),
      eni: cloneEniUsage(pool.daemonEni),
      ports,
      pods: [],
      labels: {},
      allocatable: undefined,
      slots: undefined,
      candidates,
      candidateCount: candidates.length,
      price: 0,
      capMax: this.capMaxOf(candidates, candidates.length),
      limitReserved: undefined,
    };
  }

  private capMaxOf(candidates: Int32Array, count: number): Float64Array {
    const cap = new Float64Array(this.dimNames.length);
    for (let i = 0; i < count; i++) {
      const idx = candidates[i] as number;
      const a = (this.its[idx] as CompiledInstanceType).allocatable;
      for (let d = 0; d < cap.length; d++) if ((a[d] as number) > (cap[d] as number)) cap[d] = a[d] as number;
    }
    return cap;
  }

  // ---------------------------------------------------------------- one attempt

  private narrow(r: Requirement): void {
    if (!this.reqCloned) {
      this.req = this.req.clone();
      this.reqCloned = true;
    }
    this.req.add(r);
  }

  private fail(outcome: typeof PERMANENT | typeof TRANSIENT, reason: () => string): Outcome {
    if (this.explain) this.reason = reason();
    return outcome;
  }

  /** Tries to place `pod` (of `cls`, at `level`) on `bin`; commits and returns OK on success. */
  private attempt(cls: PodClass, level: Level, pod: PodSpecLite, bin: Bin, fresh: boolean): Outcome {
    // Taints (the same for every claim of a pool: cached per taint set).
    let tolerated = level.taintOk.get(bin.taintSet);
    if (tolerated === undefined) {
      tolerated = untoleratedTaint(bin.taints, level.constraints.tolerations) === undefined;
      level.taintOk.set(bin.taintSet, tolerated);
    }
    if (!tolerated) {
      return this.fail(PERMANENT, () => `did not tolerate taint ${formatTaint(untoleratedTaint(bin.taints, level.constraints.tolerations) as Taint)}`);
    }
    if (cls.hostPorts.length > 0 && bin.ports) {
      const conflict = bin.ports.conflict(cls.hostPorts);
      if (conflict) return this.fail(PERMANENT, () => `host port ${conflict.protocol}/${conflict.port} is already in use`);
    }

    // Resources: a cheap necessary condition first.
    const need = cls.vector;
    const used = bin.used;
    const newUsed = this.newUsed;
    const cap = bin.claim ? (bin.capMax as Float64Array) : (bin.allocatable as Float64Array);
    for (let d = 0; d < need.length; d++) {
      const v = (used[d] as number) + (need[d] as number);
      if (v > (cap[d] as number)) {
        return this.fail(PERMANENT, () => `no instance type has enough resources for ${formatResources(this.requestsRecord(bin, cls))}`);
      }
      newUsed[d] = v;
    }
    const eni = this.newEni;
    copyEniUsage(eni, bin.eni);
    addEniDemand(eni, cls.eniDemand, 1, cls.podNetworking);
    if (!bin.claim && bin.slots && !eniUsageFits(bin.slots, eni)) {
      const slots = bin.slots;
      return this.fail(PERMANENT, () => {
        if (cls.eniDemand !== 'ENIIP') return `the node has no free ${cls.eniDemand === 'ENI' ? 'exclusive ENI' : 'trunk member ENI'} slot`;
        if (eni.ip <= (slots.secondaryEnis - eni.eni) * slots.ipsPerEni) return 'the node has no free secondary ENI for another pod network';
        return 'the node has no free pod IP slot';
      });
    }

    // Node requirements.
    this.req = bin.requirements;
    this.reqCloned = false;
    this.transient = false;
    const nodeReqs = level.nodeRequirements;
    if (nodeReqs.size > 0) {
      const err = bin.requirements.compatible(nodeReqs, bin.claim ? WellKnownLabelSet : undefined);
      if (err) return this.fail(PERMANENT, () => `incompatible requirements, ${err}`);
      for (const r of nodeReqs.values()) this.narrow(r);
    }

    // Network: zones where the pod's PodNetworking still has free IPs.
    const pn = cls.podNetworking;
    if (pn !== undefined) {
      const zones = this.headroom.zonesWithFreeIPs(pn);
      if (zones.size === 0) return this.fail(PERMANENT, () => `PodNetworking ${JSON.stringify(pn)} has no free IPs in any zone (${this.headroom.describe(pn)})`);
      const current = this.req.get(LabelZone);
      const allowed = current.intersection(Requirement.in(LabelZone, ...zones));
      if (allowed.size === 0 || (!bin.claim && !allowed.has(bin.labels[LabelZone] ?? ''))) {
        return this.fail(PERMANENT, () => `PodNetworking ${JSON.stringify(pn)} has free IPs only in zones [${[...zones].sort().join(' ')}]`);
      }
      if (bin.claim) this.narrow(allowed);
    }

    // Topology: spread, affinity and anti-affinity the pod owns, then anti-affinity of others.
    for (const owned of level.owned) {
      const outcome = this.applyOwned(cls, bin, owned.group, owned.selfSelecting, owned.podDomains, level);
      if (outcome !== OK) return outcome;
    }
    for (const g of cls.repelledBy) {
      const outcome = this.applyAnti(bin, g, 'pod anti-affinity of a placed pod');
      if (outcome !== OK) return outcome;
    }
    // A pod that counts toward a zonal spread or anti-affinity lands in a known zone: spread
    // counts stay true, and anti-affinity blocks one zone instead of every zone the node might get.
    if (bin.claim) {
      for (const g of cls.countedBy) {
        if (g.kind === 'affinity') continue;
        if (g.kind === 'spread' && !g.nodeMatches(this.req)) continue;
        this.pinToLeastUsed(cls, bin, g);
      }
      for (const g of cls.inverseOwned) this.pinToLeastUsed(cls, bin, g);
      if (pn !== undefined && this.req.get(LabelZone).single() === undefined) {
        const feasible = this.feasibleDomains(cls, bin, LabelZone);
        if (feasible.length === 0) return this.fail(PERMANENT, () => `no instance type has an offering in a zone where PodNetworking ${JSON.stringify(pn)} has free IPs`);
        // feasibleDomains orders by price; among equal prices prefer the zone with the most free IPs.
        const cheapest = this.zonePrice;
        let best = feasible[0] as string;
        for (const z of feasible) {
          if ((cheapest.get(z) ?? Infinity) > (cheapest.get(best) ?? Infinity)) break;
          if (this.headroom.freeIPs(pn, z) > this.headroom.freeIPs(pn, best)) best = z;
        }
        this.narrow(Requirement.in(LabelZone, best));
      }
    }

    return bin.claim ? this.finishClaim(cls, pod, bin, fresh) : this.finishExisting(cls, pod, bin);
  }

  private pinToLeastUsed(cls: PodClass, bin: Bin, g: TopologyGroup): void {
    if (g.isHostname || this.req.get(g.key).single() !== undefined) return;
    let best: string | undefined;
    let bestCount = Infinity;
    for (const d of this.feasibleDomains(cls, bin, g.key)) {
      const c = g.count(d);
      if (c < bestCount) {
        best = d;
        bestCount = c;
      }
    }
    if (best !== undefined) this.narrow(Requirement.in(g.key, best));
  }

  private applyOwned(
    cls: PodClass, bin: Bin, g: TopologyGroup, selfSelecting: boolean, podDomains: readonly string[] | undefined, level: Level,
  ): Outcome {
    switch (g.kind) {
      case 'spread': {
        const self = selfSelecting ? 1 : 0;
        if (g.isHostname) {
          // A new node is always possible, so the global minimum on hostname is zero.
          if (g.count(bin.name) + self > g.maxSkew) return this.fail(PERMANENT, () => `${g.description}: the node would exceed maxSkew`);
          return OK;
        }
        this.transient = true;
        let min = Infinity;
        for (const d of podDomains ?? []) {
          const c = g.count(d);
          if (c < min) min = c;
        }
        if (min === Infinity || (g.minDomains !== undefined && (podDomains?.length ?? 0) < g.minDomains)) min = 0;
        const pinned = this.req.get(g.key).single() ?? (bin.claim ? undefined : bin.labels[g.key]);
        if (pinned !== undefined) {
          // Most bins already sit in one domain: no need to look for feasible ones.
          if (g.count(pinned) + self - min > g.maxSkew) return this.fail(TRANSIENT, () => `${g.description}: ${pinned} would exceed maxSkew`);
          return OK;
        }
        let best: string | undefined;
        let bestCount = Infinity;
        for (const d of this.feasibleDomains(cls, bin, g.key)) {
          const c = g.count(d) + self;
          if (c - min <= g.maxSkew && c < bestCount) {
            best = d;
            bestCount = c;
          }
        }
        if (best === undefined) return this.fail(TRANSIENT, () => `${g.description}: no domain within maxSkew`);
        if (this.req.get(g.key).single() !== best) this.narrow(Requirement.in(g.key, best));
        return OK;
      }
      case 'affinity': {
        this.transient = true;
        if (g.isHostname) {
          if (g.count(bin.name) > 0) return OK;
          if (selfSelecting && g.total === 0) return OK; // the first pod of a self-affine group starts a domain
          return this.fail(TRANSIENT, () => `${g.description}: no matching pod on the node`);
        }
        const strict = level.strictNodeRequirements.getIfPresent(g.key);
        const withPods: string[] = [];
        for (const [d, c] of g.counts) if (c > 0 && (!strict || strict.has(d))) withPods.push(d);
        if (withPods.length === 0) {
          if (!selfSelecting) return this.fail(TRANSIENT, () => `${g.description}: no matching pod is placed yet`);
          const feasible = this.feasibleDomains(cls, bin, g.key);
          const first = feasible[0];
          if (first === undefined) return this.fail(TRANSIENT, () => `${g.description}: no domain available`);
          if (this.req.get(g.key).single() !== first) this.narrow(Requirement.in(g.key, first));
          return OK;
        }
        const current = this.req.get(g.key);
        const allowed = current.intersection(Requirement.in(g.key, ...withPods));
        if (allowed.size === 0 || (!bin.claim && !allowed.has(bin.labels[g.key] ?? ''))) {
          return this.fail(TRANSIENT, () => `${g.description}: matching pods are only in [${withPods.sort().join(' ')}]`);
        }
        if (allowed.size !== current.size || current.complement) this.narrow(allowed);
        return OK;
      }
      case 'anti':
        return this.applyAnti(bin, g, g.description);
      case 'inverse':
        return OK;
    }
  }

  /** Keeps the pod out of domains where the group counts pods. Only gets stricter: failures are permanent. */
  private applyAnti(bin: Bin, g: TopologyGroup, description: string): Outcome {
    if (g.total === 0) return OK;
    if (g.isHostname) {
      if (g.count(bin.name) > 0) return this.fail(PERMANENT, () => `${description} (${g.key})`);
      return OK;
    }
    const occupied: string[] = [];
    for (const [d, c] of g.counts) if (c > 0) occupied.push(d);
    const current = this.req.get(g.key);
    let blocks = false;
    for (const d of occupied) if (current.has(d)) blocks = true;
    if (!blocks) return OK;
    const allowed = current.intersection(Requirement.of(g.key, 'NotIn', occupied));
    if (!this.domains(g.key).some((d) => allowed.has(d)) || (!bin.claim && !allowed.has(bin.labels[g.key] ?? ''))) {
      return this.fail(PERMANENT, () => `${description}: every ${g.key} allowed is taken`);
    }
    this.narrow(allowed);
    return OK;
  }

  private zonePrice = new Map<string, number>();

  /**
   * Values of `key` the bin could still take given the current requirements: for claims, those
   * offered by a candidate type that fits the pod, cheapest first.
   */
  private feasibleDomains(_cls: PodClass, bin: Bin, key: string): string[] {
    const req = this.req.get(key);
    if (!bin.claim) {
      const v = bin.labels[key];
      return v !== undefined && req.has(v) ? [v] : [];
    }
    if (key === LabelZone || key === LabelCapacityType) {
      const Z = this.zones.length;
      const zm = this.zoneMask(this.req.get(LabelZone));
      const cm = this.ctMask(this.req.get(LabelCapacityType));
      const best = new Float64Array(key === LabelZone ? Z : CapacityTypes.length).fill(Infinity);
      const cands = bin.candidates as Int32Array;
      const labelReqs: Requirement[] = [];
      for (const r of this.req.values()) if (this.itLabelKeys.has(r.key)) labelReqs.push(r);
      for (let i = 0; i < bin.candidateCount; i++) {
        const it = this.its[cands[i] as number] as CompiledInstanceType;
        if (!this.fitsNew(it)) continue;
        let compatible = true;
        for (const r of labelReqs) {
          const v = it.labels[r.key];
          if (v !== undefined && !r.has(v)) {
            compatible = false;
            break;
          }
        }
        if (!compatible) continue;
        for (let c = 0; c < CapacityTypes.length; c++) {
          if (!((cm >> c) & 1)) continue;
          const mask = (it.zoneMask[c] as number) & zm;
          if (mask === 0) continue;
          for (let z = 0; z < Z; z++) {
            if (!((mask >> z) & 1)) continue;
            const p = it.price[c * Z + z] as number;
            const slot = key === LabelZone ? z : c;
            if (p < (best[slot] as number)) best[slot] = p;
          }
        }
      }
      const names: readonly string[] = key === LabelZone ? this.zones : CapacityTypes;
      const out: string[] = [];
      this.zonePrice = new Map();
      for (let s = 0; s < best.length; s++) {
        if ((best[s] as number) < Infinity) {
          out.push(names[s] as string);
          this.zonePrice.set(names[s] as string, best[s] as number);
        }
      }
      out.sort((a, b) => (this.zonePrice.get(a) as number) - (this.zonePrice.get(b) as number) || (a < b ? -1 : 1));
      return out;
    }
    let values = this.domains(key).filter((d) => req.has(d));
    if (this.itLabelKeys.has(key)) {
      const offered = new Set<string>();
      const cands = bin.candidates as Int32Array;
      for (let i = 0; i < bin.candidateCount; i++) {
        const it = this.its[cands[i] as number] as CompiledInstanceType;
        const v = it.labels[key];
        if (v !== undefined && this.fitsNew(it)) offered.add(v);
      }
      values = values.filter((v) => offered.has(v));
    }
    return values;
  }

  private fitsNew(it: CompiledInstanceType): boolean {
    const a = it.allocatable;
    const u = this.newUsed;
    for (let d = 0; d < u.length; d++) if ((u[d] as number) > (a[d] as number)) return false;
    return !it.slots || eniUsageFits(it.slots, this.newEni);
  }

  private finishClaim(cls: PodClass, pod: PodSpecLite, bin: Bin, fresh: boolean): Outcome {
    const pool = bin.pool as CompiledNodePool;
    const R = this.req;
    const before = bin.requirements;
    // Only keys whose requirement changed need re-checking against candidate labels and offerings.
    const changedKeys: Requirement[] = [];
    let offeringsChanged = false;
    if (R !== before) {
      for (const r of R.values()) {
        if (before.getIfPresent(r.key) === r) continue;
        if (r.key === LabelZone || r.key === LabelCapacityType) offeringsChanged = true;
        else if (this.itLabelKeys.has(r.key)) changedKeys.push(r);
      }
    }
    const zm = this.zoneMask(R.get(LabelZone));
    const cm = this.ctMask(R.get(LabelCapacityType));
    const cands = bin.candidates as Int32Array;
    const out = this.fitBuffer;
    let n = 0;
    let price = Infinity;
    for (let i = 0; i < bin.candidateCount; i++) {
      const idx = cands[i] as number;
      const it = this.its[idx] as CompiledInstanceType;
      if (!this.fitsNew(it)) continue;
      let ok = true;
      for (const r of changedKeys) {
        const v = it.labels[r.key];
        if (v !== undefined && !r.has(v)) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      if (offeringsChanged && !this.offeringCompatible(it, zm, cm)) continue;
      out[n++] = idx;
      const p = this.priceUnder(it, zm, cm);
      if (p < price) price = p;
    }
    const outcome = this.transient ? TRANSIENT : PERMANENT;
    if (n === 0) {
      return this.fail(outcome, () => `no instance type satisfied resources ${formatResources(this.requestsRecord(bin, cls))} and requirements ${this.describeRequirements(R)}`);
    }
    for (const mv of pool.minValues) {
      const distinct = new Set<string>();
      for (let i = 0; i < n; i++) {
        const v = (this.its[out[i] as number] as CompiledInstanceType).labels[mv.key];
        if (v !== undefined) distinct.add(v);
      }
      if (distinct.size < mv.min) {
        return this.fail(outcome, () => `minValues requirement is not met for ${mv.key}: ${distinct.size} of ${mv.min} values remain`);
      }
    }

    if (!fresh && price - bin.price > this.growthCostRatio * this.alonePrice(cls, pool) + 1e-9) {
      // A judgement on cost, not a constraint: treated as final so the class stops re-checking this node.
      return this.fail(PERMANENT, () => `adding the pod would raise the node's price from ${bin.price} to ${price}, more than a node of its own`);
    }

    // Commit.
    if (fresh || bin.candidates === pool.candidates) bin.candidates = out.slice(0, n);
    else (bin.candidates as Int32Array).set(out.subarray(0, n));
    bin.candidateCount = n;
    bin.price = price;
    bin.capMax = this.capMaxOf(bin.candidates as Int32Array, n);
    if (pool.limitNames.length > 0) this.reserveLimits(bin, pool);
    this.commit(cls, pod, bin);
    return OK;
  }

  /** The cheapest launch price of a node of the pool holding only this pod (and its DaemonSets). */
  private alonePrice(cls: PodClass, pool: CompiledNodePool): number {
    let price = pool.alonePrice.get(cls.id);
    if (price !== undefined) return price;
    price = Infinity;
    const zm = this.zoneMask(pool.requirements.get(LabelZone));
    const cm = this.ctMask(pool.requirements.get(LabelCapacityType));
    const need = pool.daemonUsed.slice();
    for (let d = 0; d < need.length; d++) need[d] = (need[d] as number) + (cls.vector[d] as number);
    for (const idx of pool.candidates) {
      const it = this.its[idx] as CompiledInstanceType;
      if (!this.vectorFits(need, it.allocatable)) continue;
      const p = this.priceUnder(it, zm, cm);
      if (p < price) price = p;
    }
    pool.alonePrice.set(cls.id, price);
    return price;
  }

  /** Cheapest available offering of the type within zone and capacity-type masks (one-entry memo per type). */
  private priceUnder(it: CompiledInstanceType, zm: number, cm: number): number {
    if (it.memoZones === zm && it.memoCapacityTypes === cm) return it.memoPrice;
    const p = this.cheapestCompatible(it, zm, cm);
    it.memoZones = zm;
    it.memoCapacityTypes = cm;
    it.memoPrice = p;
    return p;
  }

  /** A claim holds, against its pool's limits, the largest capacity any of its candidates could launch with. */
  private reserveLimits(bin: Bin, pool: CompiledNodePool): void {
    const reserved = new Float64Array(pool.limitNames.length);
    const cands = bin.candidates as Int32Array;
    for (let i = 0; i < bin.candidateCount; i++) {
      const cap = pool.limitCapacity.get(cands[i] as number) as Float64Array;
      for (let k = 0; k < cap.length; k++) if ((cap[k] as number) > (reserved[k] as number)) reserved[k] = cap[k] as number;
    }
    const previous = bin.limitReserved;
    for (let k = 0; k < reserved.length; k++) {
      pool.limitRemaining[k] = (pool.limitRemaining[k] as number) + (previous ? (previous[k] as number) : 0) - (reserved[k] as number);
    }
    bin.limitReserved = reserved;
  }

  private finishExisting(cls: PodClass, pod: PodSpecLite, bin: Bin): Outcome {
    if (this.reqCloned) {
      for (const r of this.req.values()) {
        const v = bin.labels[r.key];
        if (v !== undefined ? !r.has(v) : r.requiresPresence) {
          return this.fail(this.transient ? TRANSIENT : PERMANENT, () => `incompatible requirements, key ${r.key}, ${r} not in node labels`);
        }
      }
    }
    this.commit(cls, pod, bin);
    this.existingPlacements.set(pod.uid, bin.name);
    return OK;
  }

  private commit(cls: PodClass, pod: PodSpecLite, bin: Bin): void {
    const R = this.req;
    bin.requirements = R;
    bin.used.set(this.newUsed);
    copyEniUsage(bin.eni, this.newEni);
    if (cls.hostPorts.length > 0) {
      if (!bin.ports) bin.ports = new HostPortUsage();
      bin.ports.add(cls.hostPorts);
    }
    bin.pods.push(pod.uid);
    for (const g of cls.countedBy) {
      if (g.kind === 'spread' && !g.nodeMatches(R)) continue;
      this.record(g, bin, g.kind === 'anti');
    }
    for (const g of cls.inverseOwned) this.record(g, bin, true);
    const pn = cls.podNetworking;
    if (pn !== undefined) {
      const zone = bin.claim ? R.get(LabelZone).single() : bin.labels[LabelZone];
      if (zone !== undefined) {
        const vSwitchId = this.headroom.reserve(pn, zone);
        if (vSwitchId) this.reservations.set(pod.uid, { podNetworking: pn, zone, vSwitchId });
      }
    }
  }

  /** Counts the pod in the bin's domain; `everyPossible` counts it in each domain the bin may still land in. */
  private record(g: TopologyGroup, bin: Bin, everyPossible: boolean): void {
    if (g.isHostname) {
      g.record(bin.name);
      return;
    }
    if (!bin.claim) {
      const v = bin.labels[g.key];
      if (v !== undefined) g.record(v);
      return;
    }
    const r = this.req.get(g.key);
    const single = r.single();
    if (single !== undefined) g.record(single);
    else if (everyPossible) for (const d of this.domains(g.key)) if (r.has(d)) g.record(d);
  }

  private requestsRecord(bin: Bin, cls: PodClass): Record<string, number> {
    const out: Record<string, number> = {};
    for (let d = 0; d < this.dimNames.length; d++) {
      const v = (bin.used[d] as number) + (cls.vector[d] as number);
      if (v > 0) out[this.dimNames[d] as string] = v;
    }
    return out;
  }

  private describeRequirements(R: Requirements): string {
    return [...R.values()].filter((r) => r.key !== LabelHostname).map((r) => r.toString()).sort().join(', ');
  }

  // ---------------------------------------------------------------- result

  private result(): SchedulingResult {
    const newClaims: NewClaim[] = [];
    for (const bin of this.bins) {
      if (!bin.claim || bin.pods.length === 0) continue;
      newClaims.push(this.toNewClaim(bin));
    }
    return {
      existingPlacements: this.existingPlacements,
      newClaims,
      unschedulable: this.unschedulable,
      networkReservations: this.reservations,
    };
  }

  /**
   * Keeps the cheapest options (Karpenter launches with at most 60), more when a minValues
   * requirement needs them to span enough values.
   */
  private truncateOptions(options: InstanceTypeOption[], pool: CompiledNodePool): void {
    if (options.length <= this.maxOptions) return;
    let keep = this.maxOptions;
    for (const mv of pool.minValues) {
      const seen = new Set<string>();
      for (let i = 0; i < options.length; i++) {
        const v = this.itByName.get((options[i] as InstanceTypeOption).name)?.labels[mv.key];
        if (v !== undefined) seen.add(v);
        if (seen.size >= mv.min) {
          keep = Math.max(keep, i + 1);
          break;
        }
      }
    }
    options.length = Math.min(options.length, keep);
  }

  private toNewClaim(bin: Bin): NewClaim {
    const pool = bin.pool as CompiledNodePool;
    const R = bin.requirements;
    const zoneReq = R.get(LabelZone);
    const ctReq = R.get(LabelCapacityType);
    // Price every candidate through the offering bitmasks, keep the cheapest, then list offerings.
    const zm = this.zoneMask(zoneReq);
    const cm = this.ctMask(ctReq);
    const priced: { it: CompiledInstanceType; price: number }[] = [];
    const cands = bin.candidates as Int32Array;
    for (let i = 0; i < bin.candidateCount; i++) {
      const it = this.its[cands[i] as number] as CompiledInstanceType;
      const price = this.priceUnder(it, zm, cm);
      if (price < Infinity) priced.push({ it, price });
    }
    priced.sort((a, b) => a.price - b.price || (a.it.name < b.it.name ? -1 : a.it.name > b.it.name ? 1 : 0));
    const options: InstanceTypeOption[] = priced.map(({ it, price }) => ({ name: it.name, offerings: [], price }));
    this.truncateOptions(options, pool);
    for (const option of options) {
      const it = this.itByName.get(option.name) as CompiledInstanceType;
      option.offerings = it.offerings.filter((o) => zoneReq.has(o.zone) && ctReq.has(o.capacityType)).sort((a, b) => a.price - b.price || (a.zone < b.zone ? -1 : 1));
    }
    const requirements = R.clone();
    requirements.add(Requirement.in(LabelInstanceType, ...options.map((o) => o.name)));
    const requests: Record<string, number> = {};
    for (let d = 0; d < this.dimNames.length; d++) if ((bin.used[d] as number) > 0) requests[this.dimNames[d] as string] = bin.used[d] as number;
    const labels: Record<string, string> = { ...(pool.source.labels ?? {}) };
    for (const [k, v] of Object.entries(R.labels())) if (k !== LabelHostname) labels[k] = v;
    return {
      nodePool: pool.name,
      requirements: requirements.toNodeSelector(new Set([LabelHostname])),
      pods: bin.pods,
      instanceTypeOptions: options,
      requests,
      price: options[0]?.price ?? Infinity,
      taints: [...pool.taints],
      startupTaints: [...pool.startupTaints],
      labels,
    };
  }
}
