// The pool's decisions, PURE: how many addresses to add where (existing ENIs first, then new
// ENIs, never past the instance type's limits or 10 IPs a call), and which idle addresses to give
// back. The node pool executes these plans against the cloud.
//
// Limits follow the density model the provisioner uses (src/scheduling/eni-density.ts):
// (eniQuantity - 1) secondary ENIs, each with eniPrivateIpAddressQuantity addresses INCLUDING its
// primary IP, which Terway hands to pods too (its Node CR lists the primary among the ENI's
// allocatable IPv4s, and CreateNetworkInterface asks for IPCount addresses in total).
import { eniSlots } from '../scheduling/eni-density.js';
import { eniServesPlane, securityGroupKey, type NetworkPlane } from './network-plane.js';
import { isCooling, isFree, type EniState, type NodeIpamState } from './state.js';

/** The most addresses one AssignPrivateIpAddresses or CreateNetworkInterface call may ask for. */
export const MaxIpsPerCall = 10;

export interface NodeLimits {
  maxSecondaryEnis: number;
  ipsPerEni: number;
}

export function limitsOf(state: Pick<NodeIpamState, 'capacity'>): NodeLimits {
  const slots = eniSlots({ eniQuantity: state.capacity.adapters, eniPrivateIpAddressQuantity: state.capacity.ipv4PerAdapter });
  return { maxSecondaryEnis: slots.secondaryEnis, ipsPerEni: slots.ipsPerEni };
}

export type GrowthStep = { kind: 'assign'; eniId: string; count: number } | { kind: 'create'; count: number };

/** Shared, attached ENIs that serve the plane, fullest first (so emptier ones can drain). */
export function sharedEnisOf(state: NodeIpamState, plane: NetworkPlane): EniState[] {
  return Object.values(state.enis)
    .filter((e) => e.usage === 'Shared' && e.status === 'InUse' && eniServesPlane(e, plane))
    .sort((a, b) => Object.keys(b.ips).length - Object.keys(a.ips).length || (a.id < b.id ? -1 : 1));
}

/** Addresses of the plane a pod can take right now. */
export function availableIps(state: NodeIpamState, plane: NetworkPlane, now: number, cooldownMs: number): number {
  let n = 0;
  for (const eni of sharedEnisOf(state, plane)) for (const ip of Object.values(eni.ips)) if (isFree(ip) && !isCooling(ip, now, cooldownMs)) n++;
  return n;
}

/**
 * What the cloud holds on the node beyond the pool's record. Every slot and address counted here
 * is one the cloud counts against the instance type's limits, so a plan that ignored it would
 * ask for more than the cloud allows (EniPerInstanceLimitExceeded, Ipv4CountExceeded).
 */
export interface CloudOccupancy {
  /** Secondary ENIs attached to the instance that the pool does not own. */
  foreignEnis?: number;
  /**
   * Addresses on one of the pool's ENIs that the record lacks: assigned by a replica whose
   * write never landed (it lost its lease mid-growth), seen by reconcile and not yet unassigned.
   */
  unrecordedOn?: (eniId: string) => number;
}

/** Addresses the ENI can still take: the limit (its primary included) less every address the cloud holds on it. */
export function roomOn(eni: EniState, limits: NodeLimits, occupancy: CloudOccupancy = {}): number {
  return Math.max(0, limits.ipsPerEni - Object.keys(eni.ips).length - (occupancy.unrecordedOn?.(eni.id) ?? 0));
}

/**
 * Steps that add `need` addresses for the plane: top up existing ENIs, then create ENIs while
 * slots remain. `blocked` vSwitches get no new addresses. Returns what fits; the caller compares.
 */
export function planGrowth(
  state: NodeIpamState,
  plane: NetworkPlane,
  need: number,
  blocked: (vSwitchId: string) => boolean,
  occupancy: CloudOccupancy = {},
): GrowthStep[] {
  const limits = limitsOf(state);
  const steps: GrowthStep[] = [];
  let left = need;
  for (const eni of sharedEnisOf(state, plane)) {
    if (left <= 0) break;
    if (blocked(eni.vSwitchId)) continue;
    let room = roomOn(eni, limits, occupancy);
    while (room > 0 && left > 0) {
      const count = Math.min(room, left, MaxIpsPerCall);
      steps.push({ kind: 'assign', eniId: eni.id, count });
      room -= count;
      left -= count;
    }
  }
  let freeSlots = limits.maxSecondaryEnis - Object.keys(state.enis).length - (occupancy.foreignEnis ?? 0);
  while (left > 0 && freeSlots > 0 && limits.ipsPerEni > 0) {
    // A new ENI: its primary plus up to 9 secondaries in the create call, the rest assigned after.
    const onEni = Math.min(limits.ipsPerEni, left);
    let placed = Math.min(onEni, MaxIpsPerCall);
    steps.push({ kind: 'create', count: placed });
    while (placed < onEni) {
      const count = Math.min(onEni - placed, MaxIpsPerCall);
      steps.push({ kind: 'assign', eniId: '<new>', count });
      placed += count;
    }
    left -= onEni;
    freeSlots--;
  }
  return steps;
}

/** Where growth fills to and reclaim above maxPoolSize drains to: the hysteresis point. */
export function poolMidpoint(pool: { minPoolSize: number; maxPoolSize: number }): number {
  return Math.ceil((pool.minPoolSize + pool.maxPoolSize) / 2);
}

export interface ReclaimOptions {
  now: number;
  cooldownMs: number;
  idleReclaimAfterMs: number;
  batchSize: number;
  /** The security groups of the node's default plane: its idle floor is minPoolSize, others' is 0. */
  defaultSecurityGroupKey: string | undefined;
}

export interface ReclaimPlan {
  /** Secondary IPs to unassign, per ENI. */
  unassign: Map<string, string[]>;
  /** ENIs with nothing in use, to detach and delete with all their addresses. */
  deleteEnis: string[];
}

/**
 * Idle addresses to give back. Per security-group set: above maxPoolSize, at once, down to the
 * midpoint of [minPoolSize, maxPoolSize]; above the floor (minPoolSize for the default plane, 0
 * for others), once idle for idleReclaimAfterMs. At
 * most batchSize addresses per pass. Cooling addresses are kept (giving one back is reuse too).
 * Victims come from the emptiest ENIs first, so whole ENIs drain and can be deleted.
 */
export function planReclaim(state: NodeIpamState, opts: ReclaimOptions): ReclaimPlan {
  const plan: ReclaimPlan = { unassign: new Map(), deleteEnis: [] };
  const groups = new Map<string, EniState[]>();
  for (const eni of Object.values(state.enis)) {
    if (eni.usage !== 'Shared' || eni.status !== 'InUse') continue;
    const key = securityGroupKey(eni.securityGroupIds);
    const list = groups.get(key) ?? [];
    list.push(eni);
    groups.set(key, list);
  }
  let budget = opts.batchSize;
  for (const [key, enis] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (budget <= 0) break;
    const floor = key === opts.defaultSecurityGroupKey ? state.pool.minPoolSize : 0;
    const free = enis.flatMap((e) => Object.values(e.ips).filter(isFree));
    const releasable = free.filter((ip) => !isCooling(ip, opts.now, opts.cooldownMs));
    // Above maxPoolSize: drain to the midpoint in one go, not one address per swing.
    const overMax = free.length > state.pool.maxPoolSize ? free.length - Math.max(floor, poolMidpoint(state.pool)) : 0;
    const aged = releasable.filter((ip) => (ip.idleSince ?? opts.now) + opts.idleReclaimAfterMs <= opts.now).length;
    const overFloor = Math.min(aged, Math.max(0, free.length - floor));
    let take = Math.min(Math.max(overMax, overFloor), releasable.length, budget);
    if (take <= 0) continue;
    // Emptiest ENIs first (fewest addresses held by pods), then smallest.
    const ordered = [...enis].sort((a, b) => {
      const usedA = Object.values(a.ips).filter((ip) => ip.podId !== undefined).length;
      const usedB = Object.values(b.ips).filter((ip) => ip.podId !== undefined).length;
      return usedA - usedB || Object.keys(a.ips).length - Object.keys(b.ips).length || (a.id < b.id ? -1 : 1);
    });
    for (const eni of ordered) {
      if (take <= 0) break;
      const ips = Object.values(eni.ips);
      const candidates = ips.filter((ip) => isFree(ip) && !isCooling(ip, opts.now, opts.cooldownMs));
      const wholeEni = candidates.length === ips.length;
      if (wholeEni && candidates.length <= take) {
        plan.deleteEnis.push(eni.id);
        take -= candidates.length;
        budget -= candidates.length;
        continue;
      }
      // The primary IP only leaves with its ENI.
      const secondaries = candidates.filter((ip) => !ip.primary).slice(0, take);
      if (secondaries.length === 0) continue;
      plan.unassign.set(eni.id, secondaries.map((ip) => ip.ip));
      take -= secondaries.length;
      budget -= secondaries.length;
    }
  }
  return plan;
}
