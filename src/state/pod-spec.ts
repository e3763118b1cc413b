// Pod (JSON form, as the informer cache holds it) to the scheduling core's PodSpecLite. The API
// server validated every field, so enums are narrowed by cast; quantities become the core's numbers.
// Converting thousands of pods every batch is the hot path of a snapshot, so conversions are cached
// per pod UID and resourceVersion (a pod that did not change is not converted again).
import type { Pod } from '../operator/index.js';
import {
  resourcesFromQuantities,
  type Affinity,
  type ContainerLite,
  type ContainerPort,
  type LabelSelector,
  type NodeSelectorTerm,
  type PodAffinityRules,
  type PodAffinityTerm,
  type PodNetworkDemand,
  type PodSpecLite,
  type ResourceList,
  type Taint,
  type Toleration,
  type TopologySpreadConstraint,
} from '../scheduling/index.js';

type PodSpec = NonNullable<Pod['spec']>;
type Container = PodSpec['containers'][number];
type WireAffinity = NonNullable<PodSpec['affinity']>;
type WireNodeSelectorTerm = NonNullable<NonNullable<WireAffinity['nodeAffinity']>['requiredDuringSchedulingIgnoredDuringExecution']>['nodeSelectorTerms'][number];
type WirePodAffinity = NonNullable<WireAffinity['podAffinity']>;
type WirePodAffinityTerm = NonNullable<WirePodAffinity['requiredDuringSchedulingIgnoredDuringExecution']>[number];
type WireLabelSelector = NonNullable<WirePodAffinityTerm['labelSelector']>;

function quantities(list: Readonly<Record<string, string | number>> | undefined): ResourceList | undefined {
  if (!list || Object.keys(list).length === 0) return undefined;
  return resourcesFromQuantities(list);
}

function containerOf(c: Container | NonNullable<PodSpec['initContainers']>[number]): ContainerLite {
  const out: { -readonly [K in keyof ContainerLite]: ContainerLite[K] } = {};
  if (c.name) out.name = c.name;
  const requests = quantities(c.resources?.requests as Record<string, string> | undefined);
  if (requests) out.requests = requests;
  const limits = quantities(c.resources?.limits as Record<string, string> | undefined);
  if (limits) out.limits = limits;
  const ports: ContainerPort[] = [];
  for (const p of c.ports ?? []) {
    if (!p.hostPort) continue; // only host ports constrain placement
    ports.push({ containerPort: p.containerPort, hostPort: p.hostPort, ...(p.protocol ? { protocol: p.protocol } : {}), ...(p.hostIP ? { hostIP: p.hostIP } : {}) });
  }
  if (ports.length > 0) out.ports = ports;
  if ((c as { restartPolicy?: string }).restartPolicy === 'Always') out.restartPolicy = 'Always';
  return out;
}

export function labelSelectorOf(s: WireLabelSelector | undefined | null): LabelSelector | undefined {
  if (!s) return undefined;
  const out: { matchLabels?: Record<string, string>; matchExpressions?: LabelSelector['matchExpressions'] } = {};
  if (s.matchLabels) out.matchLabels = { ...s.matchLabels };
  if (s.matchExpressions) {
    out.matchExpressions = s.matchExpressions.map((e) => ({
      key: e.key,
      operator: e.operator as 'In' | 'NotIn' | 'Exists' | 'DoesNotExist',
      ...(e.values ? { values: [...e.values] } : {}),
    }));
  }
  return out;
}

export function nodeSelectorTermOf(t: WireNodeSelectorTerm): NodeSelectorTerm {
  // matchFields (metadata.name) pins a pod to one existing node; new capacity can never match it.
  const expressions = (t.matchExpressions ?? []).map((e) => ({
    key: e.key,
    operator: e.operator as NonNullable<NodeSelectorTerm['matchExpressions']>[number]['operator'],
    ...(e.values ? { values: [...e.values] } : {}),
  }));
  for (const f of t.matchFields ?? []) {
    expressions.push({ key: `metadata.${f.key.replace(/^metadata\./, '')}`, operator: f.operator as 'In', ...(f.values ? { values: [...f.values] } : {}) });
  }
  return { matchExpressions: expressions };
}

function podAffinityTermOf(t: WirePodAffinityTerm): PodAffinityTerm {
  const out: { -readonly [K in keyof PodAffinityTerm]: PodAffinityTerm[K] } = { topologyKey: t.topologyKey };
  const selector = labelSelectorOf(t.labelSelector);
  if (selector) out.labelSelector = selector;
  if (t.namespaces?.length) out.namespaces = [...t.namespaces];
  const nsSelector = labelSelectorOf(t.namespaceSelector);
  if (nsSelector) out.namespaceSelector = nsSelector;
  return out;
}

function podAffinityRulesOf(rules: WirePodAffinity | undefined): PodAffinityRules | undefined {
  if (!rules) return undefined;
  const required = rules.requiredDuringSchedulingIgnoredDuringExecution?.map(podAffinityTermOf);
  const preferred = rules.preferredDuringSchedulingIgnoredDuringExecution?.map((w) => ({ weight: w.weight, podAffinityTerm: podAffinityTermOf(w.podAffinityTerm) }));
  if (!required?.length && !preferred?.length) return undefined;
  return {
    ...(required?.length ? { requiredDuringSchedulingIgnoredDuringExecution: required } : {}),
    ...(preferred?.length ? { preferredDuringSchedulingIgnoredDuringExecution: preferred } : {}),
  };
}

export function affinityOf(a: WireAffinity | undefined | null): Affinity | undefined {
  if (!a) return undefined;
  const out: { -readonly [K in keyof Affinity]: Affinity[K] } = {};
  const na = a.nodeAffinity;
  if (na) {
    const required = na.requiredDuringSchedulingIgnoredDuringExecution;
    const preferred = na.preferredDuringSchedulingIgnoredDuringExecution;
    if (required || preferred?.length) {
      out.nodeAffinity = {
        ...(required ? { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: required.nodeSelectorTerms.map(nodeSelectorTermOf) } } : {}),
        ...(preferred?.length ? { preferredDuringSchedulingIgnoredDuringExecution: preferred.map((p) => ({ weight: p.weight, preference: nodeSelectorTermOf(p.preference) })) } : {}),
      };
    }
  }
  const podAffinity = podAffinityRulesOf(a.podAffinity);
  if (podAffinity) out.podAffinity = podAffinity;
  const podAntiAffinity = podAffinityRulesOf(a.podAntiAffinity);
  if (podAntiAffinity) out.podAntiAffinity = podAntiAffinity;
  return Object.keys(out).length > 0 ? out : undefined;
}

export function tolerationsOf(list: PodSpec['tolerations']): Toleration[] | undefined {
  if (!list?.length) return undefined;
  return list.map((t) => ({
    ...(t.key ? { key: t.key } : {}),
    ...(t.operator ? { operator: t.operator as 'Exists' | 'Equal' } : {}),
    ...(t.value !== undefined ? { value: t.value } : {}),
    ...(t.effect ? { effect: t.effect as Toleration['effect'] } : {}),
  }));
}

export function taintsOf(list: readonly { key: string; value?: string; effect: string }[] | undefined): Taint[] {
  return (list ?? []).map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect as Taint['effect'] }));
}

function spreadOf(list: PodSpec['topologySpreadConstraints']): TopologySpreadConstraint[] | undefined {
  if (!list?.length) return undefined;
  return list.map((c) => {
    const selector = labelSelectorOf(c.labelSelector);
    return {
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      whenUnsatisfiable: c.whenUnsatisfiable as TopologySpreadConstraint['whenUnsatisfiable'],
      ...(selector ? { labelSelector: selector } : {}),
      ...(c.minDomains !== undefined ? { minDomains: c.minDomains } : {}),
      ...(c.nodeAffinityPolicy ? { nodeAffinityPolicy: c.nodeAffinityPolicy as 'Honor' | 'Ignore' } : {}),
      ...(c.matchLabelKeys?.length ? { matchLabelKeys: [...c.matchLabelKeys] } : {}),
    };
  });
}

/** Identity of the object a spec was converted from (a pod, or a DaemonSet for its template). */
export interface SpecIdentity {
  uid: string;
  name: string;
  namespace: string;
  labels?: Readonly<Record<string, string>>;
}

/** Converts a pod spec (of a pod, or of a DaemonSet's template) without the network demand. */
export function podSpecLiteOf(identity: SpecIdentity, spec: PodSpec): PodSpecLite {
  const out: { -readonly [K in keyof PodSpecLite]: PodSpecLite[K] } = {
    uid: identity.uid,
    name: identity.name,
    namespace: identity.namespace,
    containers: spec.containers.map(containerOf),
  };
  if (identity.labels && Object.keys(identity.labels).length > 0) out.labels = identity.labels;
  if (spec.initContainers?.length) out.initContainers = spec.initContainers.map(containerOf);
  const overhead = quantities(spec.overhead as Record<string, string> | undefined);
  if (overhead) out.overhead = overhead;
  if (spec.nodeSelector && Object.keys(spec.nodeSelector).length > 0) out.nodeSelector = { ...spec.nodeSelector };
  const affinity = affinityOf(spec.affinity);
  if (affinity) out.affinity = affinity;
  const tolerations = tolerationsOf(spec.tolerations);
  if (tolerations) out.tolerations = tolerations;
  const spread = spreadOf(spec.topologySpreadConstraints);
  if (spread) out.topologySpreadConstraints = spread;
  if (spec.hostNetwork) out.hostNetwork = true;
  return out;
}

export function podIdentity(pod: Pod): SpecIdentity {
  const meta = pod.metadata ?? {};
  return { uid: meta.uid ?? `${meta.namespace}/${meta.name}`, name: meta.name ?? '', namespace: meta.namespace ?? 'default', ...(meta.labels ? { labels: meta.labels } : {}) };
}

/**
 * Pod conversions cached by UID and resourceVersion. One converter lives as long as the informer
 * cache it reads; entries of pods not seen for `maxIdleSnapshots` snapshots are dropped.
 */
export class PodSpecCache {
  private readonly entries = new Map<string, { resourceVersion: string; spec: PodSpecLite; seen: number }>();
  private readonly networked = new WeakMap<PodSpecLite, Map<string, PodSpecLite>>();
  private generation = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxIdleSnapshots = 3) {}

  convert(pod: Pod): PodSpecLite {
    const identity = podIdentity(pod);
    const rv = pod.metadata?.resourceVersion;
    const cached = this.entries.get(identity.uid);
    if (cached && rv !== undefined && cached.resourceVersion === rv) {
      cached.seen = this.generation;
      this.hits++;
      return cached.spec;
    }
    this.misses++;
    const spec = podSpecLiteOf(identity, pod.spec ?? { containers: [] });
    if (rv !== undefined) this.entries.set(identity.uid, { resourceVersion: rv, spec, seen: this.generation });
    return spec;
  }

  /** The spec with its network demand, the same object while spec and demand are unchanged. */
  withNetwork(spec: PodSpecLite, demand: PodNetworkDemand | undefined): PodSpecLite {
    if (!demand) return spec;
    const key = `${demand.podNetworking ?? ''}|${demand.eniType ?? ''}`;
    let byDemand = this.networked.get(spec);
    if (!byDemand) {
      byDemand = new Map();
      this.networked.set(spec, byDemand);
    }
    let out = byDemand.get(key);
    if (!out) {
      out = { ...spec, network: demand };
      byDemand.set(key, out);
    }
    return out;
  }

  /** Marks the start of a snapshot; forgets pods that no snapshot asked for in a while. */
  beginSnapshot(): void {
    this.generation++;
    if (this.generation % this.maxIdleSnapshots !== 0) return;
    for (const [uid, e] of this.entries) if (this.generation - e.seen > this.maxIdleSnapshots) this.entries.delete(uid);
  }

  get size(): number {
    return this.entries.size;
  }
}
