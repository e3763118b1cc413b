// Topology groups (Karpenter's topologygroup.go): pods counted per domain of one topology key for
// one selector, shared by every pod that carries the same constraint. Spread, affinity and
// anti-affinity groups are owned by the pods that carry the term and count the pods the term
// selects; an inverse group counts the owners of a required anti-affinity term, so that pods the
// term selects keep away from them.
import { compileLabelSelector, selectorKey, type LabelMatcher } from './label-selector.js';
import { Requirements, WellKnownLabelSet } from './requirements.js';
import type { LabelSelector, NodeSelectorTerm, PodAffinityTerm, PodSpecLite, TopologySpreadConstraint } from './types.js';
import { LabelHostname } from '../apis/labels.js';

export type GroupKind = 'spread' | 'affinity' | 'anti' | 'inverse';

export class TopologyGroup {
  readonly counts = new Map<string, number>();
  /** Sum of counts, to tell "no matching pod anywhere yet" for affinity bootstrap. */
  total = 0;
  readonly isHostname: boolean;

  constructor(
    readonly id: number,
    readonly kind: GroupKind,
    readonly key: string,
    /** null: every namespace. */
    readonly namespaces: ReadonlySet<string> | null,
    readonly matcher: LabelMatcher,
    readonly maxSkew: number,
    readonly minDomains: number | undefined,
    /** Spread with nodeAffinityPolicy Honor: only nodes compatible with one of these count. */
    readonly nodeFilter: readonly Requirements[] | undefined,
    readonly description: string,
  ) {
    this.isHostname = key === LabelHostname;
  }

  selects(namespace: string, labels: Readonly<Record<string, string>> | undefined): boolean {
    return (this.namespaces === null || this.namespaces.has(namespace)) && this.matcher(labels);
  }

  count(domain: string): number {
    return this.counts.get(domain) ?? 0;
  }

  record(domain: string, n = 1): void {
    this.counts.set(domain, (this.counts.get(domain) ?? 0) + n);
    this.total += n;
  }

  /** Whether a node with these requirements counts for the spread's owners. */
  nodeMatches(requirements: Requirements): boolean {
    if (!this.nodeFilter) return true;
    for (const term of this.nodeFilter) if (requirements.compatible(term, WellKnownLabelSet) === undefined) return true;
    return false;
  }
}

/** The node-affinity terms of a pod, each ANDed with its nodeSelector: the pod's possible nodes. */
export function nodeFilterTerms(pod: PodSpecLite, requiredTerms: readonly NodeSelectorTerm[]): Requirements[] {
  const base = Requirements.fromLabels(pod.nodeSelector);
  if (requiredTerms.length === 0) return [base];
  return requiredTerms.map((t) => base.clone().addAll(Requirements.fromNodeSelector(t.matchExpressions)));
}

function namespacesOf(
  term: PodAffinityTerm,
  podNamespace: string,
  namespaceLabels: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined,
): ReadonlySet<string> | null {
  if (term.namespaceSelector) {
    const sel = term.namespaceSelector;
    const empty = !sel.matchLabels && !sel.matchExpressions?.length;
    if (empty || Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions?.length ?? 0) === 0) return null;
    const match = compileLabelSelector(sel);
    const out = new Set(term.namespaces ?? []);
    for (const [ns, labels] of Object.entries(namespaceLabels ?? {})) if (match(labels)) out.add(ns);
    return out;
  }
  if (term.namespaces && term.namespaces.length > 0) return new Set(term.namespaces);
  return new Set([podNamespace]);
}

function nsKey(ns: ReadonlySet<string> | null): string {
  return ns === null ? '*' : [...ns].sort().join(',');
}

/** Get-or-create registry: identical constraints of many pods share one group. */
export class TopologyRegistry {
  private readonly byHash = new Map<string, TopologyGroup>();
  readonly groups: TopologyGroup[] = [];

  constructor(private readonly namespaceLabels: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined) {}

  private getOrCreate(hash: string, make: (id: number) => TopologyGroup): TopologyGroup {
    let g = this.byHash.get(hash);
    if (!g) {
      g = make(this.groups.length);
      this.byHash.set(hash, g);
      this.groups.push(g);
    }
    return g;
  }

  spread(pod: PodSpecLite, c: TopologySpreadConstraint, requiredTerms: readonly NodeSelectorTerm[]): TopologyGroup {
    let selector: LabelSelector | undefined = c.labelSelector;
    if (c.matchLabelKeys?.length && selector) {
      const extra = c.matchLabelKeys.filter((k) => pod.labels?.[k] !== undefined).map((k) => ({ key: k, operator: 'In' as const, values: [pod.labels?.[k] ?? ''] }));
      selector = { ...selector, matchExpressions: [...(selector.matchExpressions ?? []), ...extra] };
    }
    const honor = (c.nodeAffinityPolicy ?? 'Honor') === 'Honor';
    const filter = honor ? nodeFilterTerms(pod, requiredTerms) : undefined;
    const filterKey = filter ? filter.map((r) => r.toString()).join(' | ') : '-';
    const ns = new Set([pod.namespace]);
    const hash = `spread|${c.topologyKey}|${nsKey(ns)}|${selectorKey(selector)}|${c.maxSkew}|${c.minDomains ?? ''}|${filterKey}`;
    return this.getOrCreate(hash, (id) => new TopologyGroup(id, 'spread', c.topologyKey, ns, compileLabelSelector(selector), c.maxSkew, c.minDomains, filter,
      `topology spread ${c.topologyKey} maxSkew=${c.maxSkew} selector=${selectorKey(selector)}`));
  }

  podTerm(kind: 'affinity' | 'anti' | 'inverse', pod: PodSpecLite, term: PodAffinityTerm): TopologyGroup {
    const ns = namespacesOf(term, pod.namespace, this.namespaceLabels);
    const hash = `${kind}|${term.topologyKey}|${nsKey(ns)}|${selectorKey(term.labelSelector)}`;
    const label = kind === 'affinity' ? 'pod affinity' : 'pod anti-affinity';
    return this.getOrCreate(hash, (id) => new TopologyGroup(id, kind, term.topologyKey, ns, compileLabelSelector(term.labelSelector), 0, undefined, undefined,
      `${label} ${term.topologyKey} selector=${selectorKey(term.labelSelector)}`));
  }
}
