// What the pod admission webhook changes on a new pod, as a JSON Patch: PURE (no I/O).
//
// kube-scheduler does not know where a pod can get an address. A pod whose network (a
// PodNetworking, or vSwitches named by Terway's pod annotations) has vSwitches in zones b and e
// only, bound to a node in zone h, would wait forever for an IP. Terway's webhook solves this at
// admission, and so does this one:
//   - the pod gets a required node affinity `topology.kubernetes.io/zone In <zones of its vSwitches>`,
//     ANDed into every nodeSelectorTerm it already has (the terms stay ORed); a fixed-IP pod whose
//     address is kept (PodENI) is pinned to that address' zone;
//   - a pod a PodNetworking selects gets `k8s.aliyun.com/pod-networking: <name>`, so a newer,
//     overlapping PodNetworking or a relabelled namespace never changes its network afterwards;
//   - a pod whose own annotations are wrong (conflicting, unparsable, naming a PodNetworking that
//     does not exist or is not Ready) is refused with the reason, instead of waiting for an IP.
// Pods on the default network are left alone, as Terway leaves them: the defaults cover the
// cluster's zones.
import {
  AnnotationPodNetworking,
  AnnotationPodNetworks,
  AnnotationPodSecurityGroups,
  AnnotationPodVSwitches,
  LabelZone,
} from '../apis/labels.js';
import type { PodNetworkResolution } from '../ipam/pod-network-resolver.js';

/** The part of a pod the mutation reads: metadata.annotations, spec.nodeName and spec.affinity. */
export interface AdmittedPod {
  metadata?: { annotations?: Record<string, string> | undefined } | undefined;
  spec?: {
    nodeName?: string | undefined;
    affinity?: PodAffinitySpec | undefined;
  } | undefined;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[] | undefined;
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[] | undefined;
  matchFields?: NodeSelectorRequirement[] | undefined;
}

export interface PodAffinitySpec {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] | undefined } | undefined;
    [other: string]: unknown;
  } | undefined;
  [other: string]: unknown;
}

export type JsonPatchOperation = { op: 'add'; path: string; value: unknown };

export type PodAdmission =
  | { allowed: true; patch: JsonPatchOperation[]; pinnedZones?: string[]; podNetworking?: string }
  | { allowed: false; message: string };

const userNetworkAnnotations = [AnnotationPodNetworking, AnnotationPodNetworks, AnnotationPodVSwitches, AnnotationPodSecurityGroups];

/** RFC 6901: `~` and `/` in a key. */
function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function sameZoneRequirement(req: NodeSelectorRequirement, zones: readonly string[]): boolean {
  return req.key === LabelZone && req.operator === 'In' && req.values?.length === zones.length && zones.every((z) => req.values?.includes(z));
}

/** The affinity with the zone requirement in every required term, or undefined when it is there already. */
function withZoneRequirement(affinity: PodAffinitySpec | undefined, zones: readonly string[]): PodAffinitySpec | undefined {
  const requirement: NodeSelectorRequirement = { key: LabelZone, operator: 'In', values: [...zones] };
  const required = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = required?.nodeSelectorTerms ?? [];
  if (terms.length > 0 && terms.every((t) => (t.matchExpressions ?? []).some((r) => sameZoneRequirement(r, zones)))) return undefined;
  const pinnedTerms: NodeSelectorTerm[] = terms.length === 0
    ? [{ matchExpressions: [requirement] }]
    : terms.map((t) => ((t.matchExpressions ?? []).some((r) => sameZoneRequirement(r, zones)) ? t : { ...t, matchExpressions: [...(t.matchExpressions ?? []), requirement] }));
  return {
    ...affinity,
    nodeAffinity: {
      ...affinity?.nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: { ...required, nodeSelectorTerms: pinnedTerms },
    },
  };
}

/**
 * The admission of a new pod, given how its network resolves (resolvePodNetwork with the
 * PodNetworkings, namespace labels and, for a fixed IP, the zone of its kept address).
 */
export function admitPod(pod: AdmittedPod, resolution: PodNetworkResolution): PodAdmission {
  const annotations = pod.metadata?.annotations ?? {};
  if (resolution.kind === 'NoAddress') return { allowed: true, patch: [] };
  if (resolution.kind === 'Invalid') {
    // Only what the pod itself asked for is refused; a cluster without defaults, say, is the IPAM's to report.
    const asked = userNetworkAnnotations.filter((a) => annotations[a] !== undefined);
    if (asked.length > 0) return { allowed: false, message: `pod network annotations (${asked.join(', ')}): ${resolution.message}` };
    return { allowed: true, patch: [] };
  }
  const { network } = resolution;
  if (network.source === 'Default') return { allowed: true, patch: [] };

  const patch: JsonPatchOperation[] = [];
  if (network.source === 'PodNetworking' && network.podNetworking !== undefined && annotations[AnnotationPodNetworking] === undefined) {
    patch.push(
      pod.metadata?.annotations === undefined
        ? { op: 'add', path: '/metadata/annotations', value: { [AnnotationPodNetworking]: network.podNetworking } }
        : { op: 'add', path: `/metadata/annotations/${pointerSegment(AnnotationPodNetworking)}`, value: network.podNetworking },
    );
  }
  // A pod bound by name skips the scheduler: nothing to pin.
  let pinnedZones: string[] | undefined;
  if (!pod.spec?.nodeName) {
    const affinity = withZoneRequirement(pod.spec?.affinity, network.allowedZones);
    if (affinity) patch.push({ op: 'add', path: '/spec/affinity', value: affinity });
    pinnedZones = [...network.allowedZones];
  }
  return {
    allowed: true,
    patch,
    ...(pinnedZones ? { pinnedZones } : {}),
    ...(network.podNetworking !== undefined ? { podNetworking: network.podNetworking } : {}),
  };
}
