// Which network a pod gets: PURE (no I/O), shared by the IPAM and the provisioner so the
// scheduler only places a pod in zones where its vSwitches are, and sizes nodes by the ENI mode
// the IPAM will really use.
//
// Precedence, as Terway's webhook (pkg/controller/webhook/mutating.go):
//   1. `k8s.aliyun.com/pod-networks` (Terway's JSON: vSwitchOptions and securityGroupIDs of eth0);
//      combining it with `k8s.aliyun.com/pod-networking` is refused, as Terway refuses it.
//   2. `k8s.aliyun.com/vswitches` and/or `k8s.aliyun.com/security-group` (comma-separated ids), a
//      shorthand for the same thing; the half not given comes from the defaults.
//   3. `k8s.aliyun.com/pod-networking: <name>`: that PodNetworking, which must be Ready.
//   4. The first Ready PodNetworking whose selectors match. A PodNetworking must set podSelector,
//      namespaceSelector or both, and every one it sets must match. A `Fixed` PodNetworking only
//      matches StatefulSet pods (fixed IPs are keyed by pod name). Tie-break: PodNetworkings are
//      tried oldest first (metadata.creationTimestamp), then by name, so the answer does not
//      depend on list order and a newer, overlapping PodNetworking never steals existing pods.
//   5. The defaults of the configuration (Terway's eni-config): default vSwitches per zone and
//      default security groups. A PodNetworking without vSwitchOptions or securityGroupIDs also
//      takes the missing half from here.
// Host-network pods and pods labelled `k8s.aliyun.com/ignore-by-terway: "true"` get no address.
import { z } from 'zod';
import { parseDuration } from '../apis/duration.js';
import {
  AnnotationPodNetworking,
  AnnotationPodNetworks,
  AnnotationPodSecurityGroups,
  AnnotationPodVSwitches,
} from '../apis/labels.js';
import type { PodNetworking, VSwitchSelectionPolicy } from '../apis/podnetworking.js';
import { compileLabelSelector } from '../scheduling/label-selector.js';
import type { LabelSelector } from '../scheduling/types.js';
import type { DefaultPodNetwork } from './config.js';
import { normalizeSecurityGroups, type NetworkPlane } from './network-plane.js';

export const LabelIgnoreByTerway = 'k8s.aliyun.com/ignore-by-terway';

/** How the pod's address is carried: a shared ENI's IP, an ENI of its own, or a trunk member. */
export type PodEniType = 'ENIIP' | 'ENI' | 'Trunk';

export interface PodFacts {
  namespace: string;
  name: string;
  labels?: Readonly<Record<string, string>>;
  annotations?: Readonly<Record<string, string>>;
  ownerReferences?: readonly { kind: string; controller?: boolean }[];
  hostNetwork?: boolean;
}

export interface AllocationPolicy {
  type: 'Elastic' | 'Fixed';
  /** For Fixed: TTL releases the IP releaseAfterMs after the pod is gone; Never keeps it. */
  releaseStrategy?: 'TTL' | 'Never';
  releaseAfterMs?: number;
}

export interface ResolvedPodNetwork {
  source: 'Annotation' | 'PodNetworking' | 'Default';
  podNetworking?: string;
  eniType: PodEniType;
  /** Every candidate vSwitch, in preference order. */
  vSwitchIds: string[];
  vSwitchesByZone: Record<string, string[]>;
  /** Zones a node must be in for this pod to get an address there, sorted. */
  allowedZones: string[];
  securityGroupIds: string[];
  selectionPolicy: VSwitchSelectionPolicy;
  allocation: AllocationPolicy;
}

export type PodNetworkResolution =
  | { kind: 'NoAddress'; reason: 'HostNetwork' | 'IgnoredByTerway' }
  | { kind: 'Resolved'; network: ResolvedPodNetwork }
  | { kind: 'Invalid'; message: string };

export interface ResolvePodNetworkInput {
  pod: PodFacts;
  namespaceLabels: Readonly<Record<string, string>> | undefined;
  podNetworkings: readonly PodNetworking[];
  defaults: DefaultPodNetwork;
  /** The cluster's mode for pods without an exclusive-ENI PodNetworking; ENIIP when absent. */
  defaultEniType?: 'ENIIP' | 'ENI';
  /** Zones of vSwitches named by pod annotations (from the vSwitch catalog). */
  vSwitchZones?: Readonly<Record<string, string>>;
  /** For a fixed-IP pod: the zone its kept address lives in (PodENI spec.zone). */
  previousZone?: string;
}

const podNetworksAnnotation = z.object({
  podNetworks: z
    .array(
      z.object({
        interface: z.string().optional(),
        vSwitchOptions: z.array(z.string()).optional(),
        securityGroupIDs: z.array(z.string()).optional(),
      }),
    )
    .default([]),
});

export function isStatefulSetPod(pod: PodFacts): boolean {
  return (pod.ownerReferences ?? []).some((ref) => ref.kind === 'StatefulSet' && ref.controller !== false);
}

function splitIds(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function selectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>> | undefined): boolean | undefined {
  if (selector === undefined) return undefined;
  return compileLabelSelector(selector)(labels ?? {});
}

/** PodNetworkings in the order they are tried: oldest first, then by name. */
export function orderPodNetworkings(podNetworkings: readonly PodNetworking[]): PodNetworking[] {
  return [...podNetworkings].sort((a, b) => {
    const ta = a.metadata.creationTimestamp ? Date.parse(a.metadata.creationTimestamp) : Number.POSITIVE_INFINITY;
    const tb = b.metadata.creationTimestamp ? Date.parse(b.metadata.creationTimestamp) : Number.POSITIVE_INFINITY;
    if (ta !== tb) return ta < tb ? -1 : 1;
    const na = a.metadata.name ?? '';
    const nb = b.metadata.name ?? '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
}

/** The PodNetworking that selects the pod, or undefined. */
export function matchPodNetworking(
  pod: PodFacts,
  namespaceLabels: Readonly<Record<string, string>> | undefined,
  podNetworkings: readonly PodNetworking[],
): PodNetworking | undefined {
  const sts = isStatefulSetPod(pod);
  for (const pn of orderPodNetworkings(podNetworkings)) {
    if (pn.status?.status !== 'Ready') continue;
    if (!sts && pn.spec.allocationType?.type === 'Fixed') continue;
    const byPod = selectorMatches(pn.spec.selector?.podSelector as LabelSelector | undefined, pod.labels);
    const byNamespace = selectorMatches(pn.spec.selector?.namespaceSelector as LabelSelector | undefined, namespaceLabels);
    if (byPod === undefined && byNamespace === undefined) continue;
    if (byPod === false || byNamespace === false) continue;
    return pn;
  }
  return undefined;
}

function zoneIndexOfDefaults(defaults: DefaultPodNetwork): Map<string, string> {
  const zones = new Map<string, string>();
  for (const [zone, ids] of Object.entries(defaults.vSwitchesByZone)) for (const id of ids) zones.set(id, zone);
  return zones;
}

function allDefaultVSwitches(defaults: DefaultPodNetwork): string[] {
  return Object.keys(defaults.vSwitchesByZone)
    .sort()
    .flatMap((zone) => defaults.vSwitchesByZone[zone] ?? []);
}

function groupByZone(vSwitchIds: readonly string[], zoneOf: (id: string) => string | undefined): Record<string, string[]> {
  const byZone: Record<string, string[]> = {};
  for (const id of vSwitchIds) {
    const zone = zoneOf(id);
    if (zone === undefined) continue;
    (byZone[zone] ??= []).push(id);
  }
  return byZone;
}

function allocationOf(pn: PodNetworking | undefined): AllocationPolicy | string {
  const spec = pn?.spec.allocationType;
  if (!spec || spec.type !== 'Fixed') return { type: 'Elastic' };
  const strategy = spec.releaseStrategy ?? 'TTL';
  if (strategy === 'Never') return { type: 'Fixed', releaseStrategy: 'Never' };
  // Terway's default TTL for a fixed IP is 5m0s when releaseAfter is left out.
  const text = spec.releaseAfter ?? '5m0s';
  try {
    return { type: 'Fixed', releaseStrategy: 'TTL', releaseAfterMs: parseDuration(text) };
  } catch {
    return `PodNetworking ${pn?.metadata.name}: releaseAfter ${JSON.stringify(text)} is not a duration`;
  }
}

export function resolvePodNetwork(input: ResolvePodNetworkInput): PodNetworkResolution {
  const { pod, defaults } = input;
  if (pod.hostNetwork) return { kind: 'NoAddress', reason: 'HostNetwork' };
  if (pod.labels?.[LabelIgnoreByTerway] === 'true') return { kind: 'NoAddress', reason: 'IgnoredByTerway' };
  const annotations = pod.annotations ?? {};
  const defaultZones = zoneIndexOfDefaults(defaults);
  const zoneOf = (id: string): string | undefined => defaultZones.get(id) ?? input.vSwitchZones?.[id];
  const clusterEniType = input.defaultEniType ?? 'ENIIP';

  let source: ResolvedPodNetwork['source'];
  let pn: PodNetworking | undefined;
  let vSwitchIds: string[] | undefined;
  let securityGroupIds: string[] | undefined;
  let selectionPolicy: VSwitchSelectionPolicy = defaults.vSwitchSelectionPolicy;
  let eniType: PodEniType = clusterEniType;

  const podNetworksText = annotations[AnnotationPodNetworks];
  const namedPodNetworking = annotations[AnnotationPodNetworking];
  if (podNetworksText !== undefined && namedPodNetworking !== undefined) {
    return { kind: 'Invalid', message: `${AnnotationPodNetworks} and ${AnnotationPodNetworking} cannot be used together` };
  }
  const shorthandVSwitches = splitIds(annotations[AnnotationPodVSwitches]);
  const shorthandSecurityGroups = splitIds(annotations[AnnotationPodSecurityGroups]);

  if (podNetworksText !== undefined) {
    let parsed: z.infer<typeof podNetworksAnnotation>;
    try {
      parsed = podNetworksAnnotation.parse(JSON.parse(podNetworksText));
    } catch (err) {
      return { kind: 'Invalid', message: `${AnnotationPodNetworks} is not valid: ${(err as Error).message}` };
    }
    const eth0 = parsed.podNetworks.find((n) => (n.interface ?? 'eth0') === 'eth0') ?? parsed.podNetworks[0];
    source = 'Annotation';
    if (eth0?.vSwitchOptions?.length) vSwitchIds = [...eth0.vSwitchOptions];
    if (eth0?.securityGroupIDs?.length) securityGroupIds = [...eth0.securityGroupIDs];
  } else if (shorthandVSwitches.length > 0 || shorthandSecurityGroups.length > 0) {
    source = 'Annotation';
    if (shorthandVSwitches.length > 0) vSwitchIds = shorthandVSwitches;
    if (shorthandSecurityGroups.length > 0) securityGroupIds = shorthandSecurityGroups;
  } else {
    if (namedPodNetworking !== undefined) {
      pn = input.podNetworkings.find((p) => p.metadata.name === namedPodNetworking);
      if (!pn) return { kind: 'Invalid', message: `PodNetworking ${namedPodNetworking} named by ${AnnotationPodNetworking} does not exist` };
      if (pn.status?.status !== 'Ready') {
        return { kind: 'Invalid', message: `PodNetworking ${namedPodNetworking} is not Ready${pn.status?.message ? `: ${pn.status.message}` : ''}` };
      }
    } else {
      pn = matchPodNetworking(pod, input.namespaceLabels, input.podNetworkings);
    }
    source = pn ? 'PodNetworking' : 'Default';
    if (pn) {
      if (pn.spec.vSwitchOptions?.length) vSwitchIds = [...pn.spec.vSwitchOptions];
      if (pn.spec.securityGroupIDs?.length) securityGroupIds = [...pn.spec.securityGroupIDs];
      selectionPolicy = pn.spec.vSwitchSelectOptions?.vSwitchSelectionPolicy ?? 'ordered';
      const declared = pn.spec.eniOptions?.eniType ?? 'Default';
      eniType = declared === 'ENI' ? 'ENI' : declared === 'Trunk' ? 'Trunk' : clusterEniType;
    }
  }

  const allocation = allocationOf(pn);
  if (typeof allocation === 'string') return { kind: 'Invalid', message: allocation };
  // A fixed IP must be able to follow its pod to another instance, so it rides on an ENI of its
  // own (as Terway's PodENI does): the pod takes an ENI slot, never a shared ENI's secondary IP.
  if (allocation.type === 'Fixed' && eniType === 'ENIIP') eniType = 'ENI';

  const candidates = vSwitchIds ?? allDefaultVSwitches(defaults);
  const groups = securityGroupIds ?? defaults.securityGroupIds;
  if (candidates.length === 0) return { kind: 'Invalid', message: 'no vSwitch for pods: neither the pod, a PodNetworking nor the defaults name one' };
  if (groups.length === 0) return { kind: 'Invalid', message: 'no security group for pods: neither the pod, a PodNetworking nor the defaults name one' };

  // A PodNetworking's resolved status says where its vSwitches are.
  const pnZones = new Map<string, string>();
  for (const v of pn?.status?.vSwitches ?? []) if (v.id && v.zone) pnZones.set(v.id, v.zone);
  const vSwitchesByZone = groupByZone(candidates, (id) => pnZones.get(id) ?? zoneOf(id));
  let allowedZones = Object.keys(vSwitchesByZone).sort();
  if (allocation.type === 'Fixed' && input.previousZone !== undefined) {
    allowedZones = allowedZones.filter((z) => z === input.previousZone);
  }
  if (allowedZones.length === 0) {
    const why = input.previousZone !== undefined && allocation.type === 'Fixed'
      ? `the fixed IP lives in zone ${input.previousZone}, where the pod's network has no vSwitch`
      : `the zones of vSwitches ${candidates.join(', ')} are unknown`;
    return { kind: 'Invalid', message: `no zone can give this pod an address: ${why}` };
  }
  const network: ResolvedPodNetwork = {
    source,
    eniType,
    vSwitchIds: candidates,
    vSwitchesByZone,
    allowedZones,
    securityGroupIds: normalizeSecurityGroups(groups),
    selectionPolicy,
    allocation,
  };
  if (pn?.metadata.name) network.podNetworking = pn.metadata.name;
  return { kind: 'Resolved', network };
}

/** The plane a node in `zone` gives this pod, or undefined when the pod cannot get an address there. */
export function planeInZone(network: ResolvedPodNetwork, zone: string): NetworkPlane | undefined {
  const ids = network.vSwitchesByZone[zone];
  if (!ids?.length || !network.allowedZones.includes(zone)) return undefined;
  return { vSwitchIds: ids, securityGroupIds: network.securityGroupIds, selectionPolicy: network.selectionPolicy };
}

/** The plane of pods without a PodNetworking on a node in `zone` (what the node warms up). */
export function defaultPlaneInZone(defaults: DefaultPodNetwork, zone: string): NetworkPlane | undefined {
  const ids = defaults.vSwitchesByZone[zone];
  if (!ids?.length || defaults.securityGroupIds.length === 0) return undefined;
  return { vSwitchIds: ids, securityGroupIds: normalizeSecurityGroups(defaults.securityGroupIds), selectionPolicy: defaults.vSwitchSelectionPolicy };
}
