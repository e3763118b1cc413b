// The disruption core's input and output. Pure data: the controller adapts the informer cache into
// a ClusterState (the CRs as their zod schemas give them; Pods, Nodes and PDBs as the structural
// subsets below, which the cache's JSON objects satisfy), and acts on the Command it gets back.
import type { ECSNodeClass } from '../apis/ecsnodeclass.js';
import type { NodeClaim } from '../apis/nodeclaim.js';
import type { NodePool } from '../apis/nodepool.js';
import type { CapacityType, NewClaim, SchedulingInput } from '../scheduling/index.js';

export interface ObjectMetaLike {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  ownerReferences?: readonly { kind: string; name?: string; controller?: boolean }[];
}

export interface PodLike {
  metadata?: ObjectMetaLike;
  spec?: { nodeName?: string; priority?: number };
  status?: { phase?: string };
}

export interface NodeLike {
  metadata?: ObjectMetaLike;
  spec?: { providerID?: string; taints?: readonly { key: string; value?: string; effect: string }[] };
  status?: { conditions?: readonly { type: string; status: string }[] };
}

export interface PdbLike {
  metadata?: ObjectMetaLike;
  spec?: {
    selector?: {
      matchLabels?: Record<string, string>;
      matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
    };
  };
  status?: { disruptionsAllowed?: number };
}

/** What the cloud says about a NodeClaim's instance, for drift the hashes cannot see. */
export interface InstanceFacts {
  imageId: string;
  vSwitchId: string;
  securityGroupIds: readonly string[];
}

export interface ClusterState {
  /** Milliseconds since the epoch. */
  now: number;
  nodePools: readonly NodePool[];
  nodeClasses: readonly ECSNodeClass[];
  claims: readonly NodeClaim[];
  nodes: readonly NodeLike[];
  pods: readonly PodLike[];
  pdbs: readonly PdbLike[];
  /** By providerID; a NodeClaim without an entry is checked for drift by hashes and its imageID only. */
  instances?: ReadonlyMap<string, InstanceFacts>;
  /**
   * The scheduling core's view of the whole cluster: every Node (by name) with its pods, in-flight
   * claims, pending pods, pools with their instance types, networking headroom. Consolidation
   * removes candidates from it and solves again.
   */
  scheduling: SchedulingInput;
}

/** Budget reasons, as NodePool.spec.disruption.budgets[].reasons spells them. */
export type DisruptionReason = 'Drifted' | 'Empty' | 'Underutilized';

/** Karpenter's consolidation_type label: empty for drift. */
export type ConsolidationType = '' | 'empty' | 'multi' | 'single';

export type Method = 'drift' | 'emptiness' | 'multi-node-consolidation' | 'single-node-consolidation';

export interface Candidate {
  claim: NodeClaim;
  node: NodeLike;
  nodePool: NodePool;
  name: string;
  nodeName: string;
  instanceType: string;
  zone: string;
  capacityType: CapacityType;
  /** Current hourly price of its offering (CNY). */
  price: number;
  /** Pods that must run elsewhere if the node goes (not DaemonSet, mirror, terminal or terminating pods). */
  reschedulablePods: PodLike[];
  /** Lower goes first (Karpenter: eviction cost of its pods times the fraction of its lifetime left). */
  disruptionCost: number;
  consolidatable: boolean;
  /** When the Drifted condition turned True; undefined when not drifted. */
  driftedSince?: number;
}

/** Why a NodeClaim is not a candidate, for a DisruptionBlocked Event. */
export interface Blocked {
  claim: NodeClaim;
  node?: NodeLike;
  message: string;
}

export interface Replacement {
  /** The scheduling core's claim, narrowed: only instanceTypes below the price to beat remain. */
  claim: NewClaim;
  /** Instance types the replacement may launch, cheapest first. */
  instanceTypes: string[];
  /** Capacity types it may launch (narrowed so it cannot come up dearer than planned). */
  capacityTypes: CapacityType[];
  /** Cheapest launch price of the replacement. */
  price: number;
}

export interface Command {
  method: Method;
  reason: DisruptionReason;
  consolidationType: ConsolidationType;
  decision: 'delete' | 'replace';
  candidates: Candidate[];
  replacements: Replacement[];
  /** Hourly price of the candidates minus the replacements' (0 for drift, which is not about price). */
  savings: number;
}

export interface Decision {
  command?: Command;
  /** NodeClaims that would have been disrupted but cannot be, with why. */
  blocked: Blocked[];
  /** Eligible candidates by reason (karpenter_voluntary_disruption_eligible_nodes). */
  eligible: Record<DisruptionReason, number>;
  /** Allowed disruptions per NodePool and reason, before subtracting nodes already disrupting. */
  allowed: Map<string, Record<DisruptionReason, number>>;
}
