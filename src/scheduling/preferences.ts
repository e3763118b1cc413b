// The constraints of a pod as the scheduler currently holds it, and Karpenter's relaxation
// (preferences.go): when a pod fits nowhere, drop one soft constraint and try again, in this order:
// a required node-affinity OR term (while more than one remains), the heaviest preferred pod
// affinity term, the heaviest preferred pod anti-affinity term, the heaviest preferred node
// affinity term, a ScheduleAnyway spread constraint, then tolerate PreferNoSchedule taints.
import type {
  NodeSelectorTerm, PodAffinityTerm, PodSpecLite, PreferredSchedulingTerm, Toleration, TopologySpreadConstraint,
  WeightedPodAffinityTerm,
} from './types.js';

export interface PodConstraints {
  /** Remaining OR terms of the required node affinity; only the first is enforced. */
  requiredNodeTerms: readonly NodeSelectorTerm[];
  /** Heaviest first; only the first is enforced. */
  preferredNodeTerms: readonly PreferredSchedulingTerm[];
  requiredPodAffinity: readonly PodAffinityTerm[];
  preferredPodAffinity: readonly WeightedPodAffinityTerm[];
  requiredPodAntiAffinity: readonly PodAffinityTerm[];
  preferredPodAntiAffinity: readonly WeightedPodAffinityTerm[];
  /** Every remaining constraint is enforced, ScheduleAnyway ones too, until relaxed away. */
  topologySpread: readonly TopologySpreadConstraint[];
  tolerations: readonly Toleration[];
  /** What the last relaxation removed, for messages. */
  relaxed?: string;
}

const byWeightDesc = <T extends { weight: number }>(terms: readonly T[] | undefined): T[] =>
  [...(terms ?? [])].map((t, i) => [t, i] as const).sort((a, b) => b[0].weight - a[0].weight || a[1] - b[1]).map(([t]) => t);

export function initialConstraints(pod: PodSpecLite, ignorePreferences: boolean): PodConstraints {
  const a = pod.affinity;
  return {
    requiredNodeTerms: a?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [],
    preferredNodeTerms: ignorePreferences ? [] : byWeightDesc(a?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    requiredPodAffinity: a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
    preferredPodAffinity: ignorePreferences ? [] : byWeightDesc(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    requiredPodAntiAffinity: a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
    preferredPodAntiAffinity: ignorePreferences ? [] : byWeightDesc(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    topologySpread: (pod.topologySpreadConstraints ?? []).filter((c) => !ignorePreferences || c.whenUnsatisfiable === 'DoNotSchedule'),
    tolerations: pod.tolerations ?? [],
  };
}

const tolerateAllPreferNoSchedule: Toleration = { operator: 'Exists', effect: 'PreferNoSchedule' };

/** The next weaker constraints, or undefined when nothing is left to relax. */
export function relax(c: PodConstraints, toleratePreferNoSchedule: boolean): PodConstraints | undefined {
  if (c.requiredNodeTerms.length > 1) {
    return { ...c, requiredNodeTerms: c.requiredNodeTerms.slice(1), relaxed: 'required node affinity term 0' };
  }
  if (c.preferredPodAffinity.length > 0) {
    return { ...c, preferredPodAffinity: c.preferredPodAffinity.slice(1), relaxed: 'preferred pod affinity term' };
  }
  if (c.preferredPodAntiAffinity.length > 0) {
    return { ...c, preferredPodAntiAffinity: c.preferredPodAntiAffinity.slice(1), relaxed: 'preferred pod anti-affinity term' };
  }
  if (c.preferredNodeTerms.length > 0) {
    return { ...c, preferredNodeTerms: c.preferredNodeTerms.slice(1), relaxed: 'preferred node affinity term' };
  }
  const anyway = c.topologySpread.findIndex((s) => s.whenUnsatisfiable === 'ScheduleAnyway');
  if (anyway >= 0) {
    return { ...c, topologySpread: c.topologySpread.filter((_, i) => i !== anyway), relaxed: 'ScheduleAnyway topology spread' };
  }
  if (toleratePreferNoSchedule && !c.tolerations.some((t) => t === tolerateAllPreferNoSchedule)) {
    return { ...c, tolerations: [...c.tolerations, tolerateAllPreferNoSchedule], relaxed: 'tolerating PreferNoSchedule taints' };
  }
  return undefined;
}
