// Pods' networks for the scheduling core: which network each pod draws its IP from (a
// PodNetworking, the vSwitches its annotations name, or the operator's default pod vSwitches),
// resolved with the IPAM's own pure resolver so the provisioner and the IPAM agree, and the
// per-vSwitch IP headroom of those networks.
//
// The core knows networks by name (PodNetworkDemand.podNetworking). PodNetworkings keep their
// name; the other two get keys no Kubernetes object can have ('<default>', '<vswitches:...>'),
// and `describeNetworkKey` turns those back into words for Events.
import type { PodNetworking } from '../apis/podnetworking.js';
import type { DefaultPodNetwork } from '../ipam/config.js';
import { matchPodNetworking, resolvePodNetwork, type PodFacts, type ResolvedPodNetwork } from '../ipam/pod-network-resolver.js';
import type { EniType, NetworkingInput, PodNetworkDemand, VSwitchHeadroom } from '../scheduling/index.js';

export const DefaultNetworkKey = '<default>';
const annotationKeyPrefix = '<vswitches:';

/** Free IPs assumed for a vSwitch nobody has read yet: no constraint until a reading says otherwise. */
export const UnknownFreeIPs = 1_000_000;

export function isSyntheticNetworkKey(key: string): boolean {
  return key.startsWith('<');
}

/** The network key as people read it, e.g. for the planned-networks annotation ('' for the default). */
export function networkNameOf(key: string): string {
  return key === DefaultNetworkKey ? '' : key;
}

/** Replaces the core's `PodNetworking "<key>"` wording for networks that are not PodNetworkings. */
export function describeNetworkKeys(message: string): string {
  return message.replace(/PodNetworking "(<[^"]*>)"/g, (_all, key: string) => {
    if (key === DefaultNetworkKey) return 'the default pod vSwitches';
    if (key.startsWith(annotationKeyPrefix)) return `the pod's vSwitches (${key.slice(annotationKeyPrefix.length, -1)})`;
    return key;
  });
}

export type PodNetworkOutcome =
  /** No address from the IPAM (host network, ignored by Terway). */
  | { kind: 'None' }
  | { kind: 'Network'; key: string; eniType: EniType; vSwitchesByZone: Readonly<Record<string, readonly string[]>> }
  /** The pod names a network that cannot serve it: it cannot be placed until that is fixed. */
  | { kind: 'Invalid'; message: string }
  /** No default pod vSwitches are configured: the IPAM is not managing pods' IPs, so no network constraint. */
  | { kind: 'Unconstrained'; eniType: EniType };

export interface NetworkContext {
  podNetworkings: readonly PodNetworking[];
  namespaceLabels: Readonly<Record<string, Readonly<Record<string, string>>>>;
  defaults: DefaultPodNetwork;
  /** The cluster's mode for pods no exclusive-ENI PodNetworking selects. */
  clusterEniType: 'ENIIP' | 'ENI';
  /** Zones of vSwitches known from node class and PodNetworking statuses (for annotation vSwitches). */
  vSwitchZones: Readonly<Record<string, string>>;
}

export function defaultsConfigured(defaults: DefaultPodNetwork): boolean {
  return Object.keys(defaults.vSwitchesByZone).length > 0 && defaults.securityGroupIds.length > 0;
}

function keyOf(network: ResolvedPodNetwork): string {
  if (network.podNetworking !== undefined) return network.podNetworking;
  if (network.source === 'Default') return DefaultNetworkKey;
  return `${annotationKeyPrefix}${[...network.vSwitchIds].sort().join(',')}>`;
}

export function resolveNetwork(pod: PodFacts, ctx: NetworkContext): PodNetworkOutcome {
  const resolution = resolvePodNetwork({
    pod,
    namespaceLabels: ctx.namespaceLabels[pod.namespace],
    podNetworkings: ctx.podNetworkings,
    defaults: ctx.defaults,
    defaultEniType: ctx.clusterEniType,
    vSwitchZones: ctx.vSwitchZones,
  });
  if (resolution.kind === 'NoAddress') return { kind: 'None' };
  if (resolution.kind === 'Invalid') {
    // Only the defaults are missing and the pod asked for nothing else: IPAM is not configured.
    if (!defaultsConfigured(ctx.defaults) && !asksForNetwork(pod, ctx)) return { kind: 'Unconstrained', eniType: ctx.clusterEniType };
    return { kind: 'Invalid', message: resolution.message };
  }
  const n = resolution.network;
  return { kind: 'Network', key: keyOf(n), eniType: n.eniType, vSwitchesByZone: n.vSwitchesByZone };
}

const networkAnnotations = ['k8s.aliyun.com/pod-networks', 'k8s.aliyun.com/pod-networking', 'k8s.aliyun.com/vswitches', 'k8s.aliyun.com/security-group'];

function asksForNetwork(pod: PodFacts, ctx: NetworkContext): boolean {
  if (networkAnnotations.some((a) => pod.annotations?.[a] !== undefined)) return true;
  return matchPodNetworking(pod, ctx.namespaceLabels[pod.namespace], ctx.podNetworkings) !== undefined;
}

/**
 * Collects the networks pods of one snapshot use, then builds the core's NetworkingInput.
 * The default network constrains pods only where it must: when some zone new nodes could be in
 * has no default pod vSwitch with room for them. Otherwise default pods carry just their ENI type,
 * and claims keep every zone (the launch can then fall back across zones on a stock-out).
 */
export class NetworkRegistry {
  private readonly vSwitchesByKey = new Map<string, Map<string, string>>(); // key -> vSwitch id -> zone
  private readonly podsByKey = new Map<string, number>();

  add(outcome: Extract<PodNetworkOutcome, { kind: 'Network' }>, pending: boolean): void {
    let vs = this.vSwitchesByKey.get(outcome.key);
    if (!vs) {
      vs = new Map();
      this.vSwitchesByKey.set(outcome.key, vs);
      for (const [zone, ids] of Object.entries(outcome.vSwitchesByZone)) for (const id of ids) vs.set(id, zone);
    }
    if (pending) this.podsByKey.set(outcome.key, (this.podsByKey.get(outcome.key) ?? 0) + 1);
  }

  /** Whether the default network limits where its pending pods may go (see the class comment). */
  defaultIsRestrictive(candidateZones: ReadonlySet<string>, freeIPs: ReadonlyMap<string, number>): boolean {
    const vs = this.vSwitchesByKey.get(DefaultNetworkKey);
    if (!vs) return false;
    const demand = this.podsByKey.get(DefaultNetworkKey) ?? 0;
    const freeByZone = new Map<string, number>();
    for (const [id, zone] of vs) freeByZone.set(zone, (freeByZone.get(zone) ?? 0) + (freeIPs.get(id) ?? UnknownFreeIPs));
    for (const zone of candidateZones) if ((freeByZone.get(zone) ?? 0) < Math.max(1, demand)) return true;
    return false;
  }

  networkingInput(defaultEniType: EniType, freeIPs: ReadonlyMap<string, number>, includeDefault: boolean): NetworkingInput {
    const vSwitches = new Map<string, VSwitchHeadroom>();
    const podNetworkings: { name: string; vSwitchIds: string[] }[] = [];
    for (const [key, vs] of this.vSwitchesByKey) {
      if (key === DefaultNetworkKey && !includeDefault) continue;
      podNetworkings.push({ name: key, vSwitchIds: [...vs.keys()] });
      for (const [id, zone] of vs) if (!vSwitches.has(id)) vSwitches.set(id, { id, zone, freeIPs: freeIPs.get(id) ?? UnknownFreeIPs });
    }
    return { defaultEniType, vSwitches: [...vSwitches.values()], podNetworkings };
  }

  /** Every vSwitch id some network of this snapshot uses (to read their free IPs). */
  vSwitchIds(): string[] {
    const out = new Set<string>();
    for (const vs of this.vSwitchesByKey.values()) for (const id of vs.keys()) out.add(id);
    return [...out];
  }
}

export function demandOf(outcome: PodNetworkOutcome, includeDefault: boolean): PodNetworkDemand | undefined {
  if (outcome.kind === 'Network') {
    if (outcome.key === DefaultNetworkKey && !includeDefault) return { eniType: outcome.eniType };
    return { podNetworking: outcome.key, eniType: outcome.eniType };
  }
  if (outcome.kind === 'Unconstrained') return { eniType: outcome.eniType };
  return undefined;
}
