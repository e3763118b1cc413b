// Equivalence classes of pending pods: pods with the same scheduling-relevant spec (namespace,
// labels, requests, selectors, affinities, tolerations, spread, ports, network) are interchangeable,
// so the solver compiles their constraints once and places them one after another with shared
// caches. A Deployment of 1,000 replicas is one class.
import { hostPortsOf, type HostPort } from './host-ports.js';
import { initialConstraints, type PodConstraints } from './preferences.js';
import { Requirements } from './requirements.js';
import { podRequests } from './resources.js';
import type { TopologyGroup } from './topology.js';
import type { EniType, PodSpecLite } from './types.js';

export interface OwnedConstraint {
  group: TopologyGroup;
  /** The pod itself matches the group's selector. */
  selfSelecting: boolean;
  /** Spread on a non-hostname key: the domains the pod could be placed in, for the global minimum. */
  podDomains: readonly string[] | undefined;
}

export interface Level {
  constraints: PodConstraints;
  /** nodeSelector, the first required term and the heaviest preferred term. */
  nodeRequirements: Requirements;
  /** Without the preferred term: what spread domains are computed from. */
  strictNodeRequirements: Requirements;
  owned: OwnedConstraint[];
  /** Bin indices not yet ruled out for this level for good; -1 marks a removed entry. */
  live: number[];
  liveRemoved: number;
  /** Bins [0, seen) were appended to `live`. */
  seen: number;
  /** No pod of the class can ever be placed at this level again. */
  dead: boolean;
  taintOk: Map<number, boolean>;
}

export interface PodClass {
  id: number;
  sample: PodSpecLite;
  pods: PodSpecLite[];
  requests: Record<string, number>;
  vector: Float64Array;
  hostPorts: HostPort[];
  eniDemand: EniType | undefined;
  podNetworking: string | undefined;
  levels: Level[];
  /** Lowest level still worth trying first. */
  base: number;
  /** Groups whose selector matches this class: placing a pod updates their counts. */
  countedBy: TopologyGroup[];
  /** Inverse anti-affinity groups that select this class: keep out of their owners' domains. */
  repelledBy: TopologyGroup[];
  /** Inverse groups of this class's required anti-affinity terms. */
  inverseOwned: TopologyGroup[];
  /** Why the class cannot be placed at all, once every level is ruled out for good. */
  deadReason?: string;
}

function sortedEntries(o: Readonly<Record<string, unknown>> | undefined): [string, unknown][] {
  return Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Everything about a pod that scheduling reads, as a string: equal keys mean interchangeable pods. */
export function classKey(pod: PodSpecLite): string {
  return JSON.stringify([
    pod.namespace,
    sortedEntries(pod.labels),
    pod.containers.map((c) => [sortedEntries(c.requests), sortedEntries(c.limits), c.ports ?? null]),
    (pod.initContainers ?? []).map((c) => [sortedEntries(c.requests), sortedEntries(c.limits), c.ports ?? null, c.restartPolicy ?? null]),
    sortedEntries(pod.overhead),
    sortedEntries(pod.nodeSelector),
    pod.affinity ?? null,
    pod.tolerations ?? null,
    pod.topologySpreadConstraints ?? null,
    pod.hostNetwork ?? false,
    pod.network ?? null,
  ]);
}

export function newPodClass(id: number, pods: PodSpecLite[], dims: ReadonlyMap<string, number>, defaultEniType: EniType, ignorePreferences: boolean): PodClass {
  const sample = pods[0] as PodSpecLite;
  const requests = podRequests(sample);
  const vector = new Float64Array(dims.size);
  for (const [k, v] of Object.entries(requests)) {
    const d = dims.get(k);
    if (d !== undefined) vector[d] = v;
  }
  const constraints = initialConstraints(sample, ignorePreferences);
  return {
    id,
    sample,
    pods,
    requests,
    vector,
    hostPorts: hostPortsOf(sample),
    eniDemand: sample.hostNetwork ? undefined : (sample.network?.eniType ?? defaultEniType),
    podNetworking: sample.hostNetwork ? undefined : sample.network?.podNetworking,
    levels: [newLevel(sample, constraints)],
    base: 0,
    countedBy: [],
    repelledBy: [],
    inverseOwned: [],
  };
}

export function newLevel(pod: PodSpecLite, constraints: PodConstraints): Level {
  const strict = Requirements.fromLabels(pod.nodeSelector);
  const first = constraints.requiredNodeTerms[0];
  if (first) strict.addAll(Requirements.fromNodeSelector(first.matchExpressions));
  const all = strict.clone();
  const preferred = constraints.preferredNodeTerms[0];
  if (preferred) all.addAll(Requirements.fromNodeSelector(preferred.preference.matchExpressions));
  return {
    constraints,
    nodeRequirements: all,
    strictNodeRequirements: strict,
    owned: [],
    live: [],
    liveRemoved: 0,
    seen: 0,
    dead: false,
    taintOk: new Map(),
  };
}
