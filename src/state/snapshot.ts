// The cluster as the scheduling core sees it: informer objects (JSON form) in, SchedulingInput out.
// Shared by the provisioner (pending pods onto existing and new capacity) and disruption (the same
// cluster with candidate nodes removed and their pods pending: `removeNodes`).
//
// Pure apart from the caches passed in: no API calls, no cloud calls. Free IPs of vSwitches are
// read by the caller (they come from the cloud) and passed as `vSwitchFreeIPs`.
import type { ECSNodeClass } from '../apis/ecsnodeclass.js';
import { LabelNodePool } from '../apis/labels.js';
import type { NodeClaim } from '../apis/nodeclaim.js';
import type { NodePool } from '../apis/nodepool.js';
import type { PodNetworking } from '../apis/podnetworking.js';
import type { DefaultPodNetwork } from '../ipam/config.js';
import type { DaemonSet, Namespace, Node, Pod } from '../operator/index.js';
import { Requirements, type EniSpec, type ExistingNode, type InstanceType, type NodePoolTemplate, type PodSpecLite, type SchedulingInput } from '../scheduling/index.js';
import { DefaultNetworkKey, demandOf, NetworkRegistry, resolveNetwork, type NetworkContext, type PodNetworkOutcome } from './network.js';
import { daemonRunsOn, existingNodeOf, inFlightClaimOf, isClaimBeingDeleted, isNodeBeingDeleted, isNodeInitialized } from './nodes.js';
import { nodeClassOf, nodePoolTemplateOf, nodePoolUsage, type SkippedNodePool } from './nodepools.js';
import { isActiveOnNode, isProvisionable, isReschedulable } from './pod-filters.js';
import { PodSpecCache, podSpecLiteOf, taintsOf } from './pod-spec.js';

/** The objects a snapshot is built from: what the informers hold. */
export interface ClusterObjects {
  pods: readonly Pod[];
  nodes: readonly Node[];
  nodeClaims: readonly NodeClaim[];
  nodePools: readonly NodePool[];
  nodeClasses: readonly ECSNodeClass[];
  daemonSets: readonly DaemonSet[];
  namespaces: readonly Namespace[];
  podNetworkings: readonly PodNetworking[];
}

/** The instance-type catalog, as far as a snapshot needs it (src/catalog's InstanceTypeCatalog fits). */
export interface SnapshotCatalog {
  forNodeClass(nodeClass: Pick<ECSNodeClass, 'spec' | 'status'>): InstanceType[];
  info(instanceType: string): { eniQuantity: number; eniPrivateIpAddressQuantity: number; eniTotalQuantity?: number; eniTrunkSupported: boolean } | undefined;
}

export interface SnapshotContext {
  catalog: SnapshotCatalog;
  /** The operator's default pod vSwitches and security groups (settings.ipam.defaults). */
  ipamDefaults: DefaultPodNetwork;
  /** settings.defaultEniType: the mode of pods no PodNetworking overrides. */
  defaultEniType: 'Default' | 'ENI' | 'Trunk';
  /** Free IPs per vSwitch id, as last read from the cloud; vSwitches missing here are not limited. */
  vSwitchFreeIPs?: ReadonlyMap<string, number>;
  /** Reuse across snapshots so unchanged pods are not converted again. */
  podCache?: PodSpecCache;
}

export interface SnapshotOptions {
  /**
   * Node or NodeClaim names to simulate as gone (disruption): they are left out, and their
   * reschedulable pods become pending. DaemonSet pods go with them.
   */
  removeNodes?: Iterable<string>;
  /**
   * Pods on nodes being deleted (deletionTimestamp, karpenter.sh/disrupted taint) are pending too,
   * so replacements are planned before they are evicted (Karpenter's provisioner does this).
   * Default true.
   */
  includeDeletingNodePods?: boolean;
  /** Only these NodePools (by name) may create claims; every pool when absent. */
  nodePools?: ReadonlySet<string>;
}

export interface ClusterSnapshot {
  input: SchedulingInput;
  /** The API object of every pod in input.pods, by UID. */
  pendingPods: Map<string, Pod>;
  /** Why pending pods left out of the solve cannot be placed (e.g. their PodNetworking is not Ready). */
  unschedulable: Map<string, string>;
  /** The network key (see network.ts) of each pending pod that draws IPs from a network. */
  podNetworks: Map<string, string>;
  /** NodePools left out, with why. */
  skippedNodePools: Map<string, SkippedNodePool>;
  /** The NodePools that were included, with their node class and usage. */
  nodePools: Map<string, { nodePool: NodePool; nodeClass: ECSNodeClass; usage: Record<string, number> }>;
  /** ExistingNode name to what it is: a Node, or a NodeClaim in flight. */
  capacity: Map<string, { kind: 'node'; node: Node; claim?: NodeClaim } | { kind: 'claim'; claim: NodeClaim }>;
  /** vSwitches the pods' networks use (for the caller to read their free IPs). */
  networkVSwitchIds: string[];
}

function eniSpecOf(catalog: SnapshotCatalog, instanceType: string | undefined): EniSpec | undefined {
  if (!instanceType) return undefined;
  const info = catalog.info(instanceType);
  if (!info) return undefined;
  return {
    eniQuantity: info.eniQuantity,
    eniPrivateIpAddressQuantity: info.eniPrivateIpAddressQuantity,
    eniTotalQuantity: info.eniTotalQuantity ?? null,
    eniTrunkSupported: info.eniTrunkSupported,
  };
}

function daemonSetOwner(pod: Pod): string | undefined {
  return pod.metadata?.ownerReferences?.find((r) => r.kind === 'DaemonSet')?.uid;
}

export function buildClusterSnapshot(objects: ClusterObjects, ctx: SnapshotContext, options: SnapshotOptions = {}): ClusterSnapshot {
  const podCache = ctx.podCache ?? new PodSpecCache();
  podCache.beginSnapshot();
  const removed = new Set(options.removeNodes ?? []);
  const includeDeletingNodePods = options.includeDeletingNodePods ?? true;
  const clusterEniType = ctx.defaultEniType === 'ENI' ? 'ENI' : 'ENIIP';
  const freeIPs = ctx.vSwitchFreeIPs ?? new Map<string, number>();

  // Namespaces and vSwitch zones, for network resolution.
  const namespaceLabels: Record<string, Record<string, string>> = {};
  for (const ns of objects.namespaces) if (ns.metadata?.name) namespaceLabels[ns.metadata.name] = ns.metadata.labels ?? {};
  const vSwitchZones: Record<string, string> = {};
  for (const nc of objects.nodeClasses) for (const v of nc.status?.vSwitches ?? []) vSwitchZones[v.id] = v.zoneID;
  for (const pn of objects.podNetworkings) for (const v of pn.status?.vSwitches ?? []) if (v.id && v.zone) vSwitchZones[v.id] = v.zone;
  const netCtx: NetworkContext = { podNetworkings: objects.podNetworkings, namespaceLabels, defaults: ctx.ipamDefaults, clusterEniType, vSwitchZones };
  const networks = new NetworkRegistry();
  const outcomes = new Map<string, PodNetworkOutcome>();
  const networkOf = (pod: Pod, spec: PodSpecLite, pending: boolean): PodNetworkOutcome => {
    let outcome = outcomes.get(spec.uid);
    if (!outcome) {
      outcome = resolveNetwork(
        {
          namespace: spec.namespace,
          name: spec.name,
          ...(spec.labels ? { labels: spec.labels } : {}),
          ...(pod.metadata?.annotations ? { annotations: pod.metadata.annotations } : {}),
          ...(pod.metadata?.ownerReferences ? { ownerReferences: pod.metadata.ownerReferences } : {}),
          ...(spec.hostNetwork ? { hostNetwork: true } : {}),
        },
        netCtx,
      );
      outcomes.set(spec.uid, outcome);
    }
    if (outcome.kind === 'Network') networks.add(outcome, pending);
    return outcome;
  };

  // Node classes and NodePools.
  const nodeClassByName = new Map(objects.nodeClasses.map((nc) => [nc.metadata.name ?? '', nc]));
  const claimsByPool = new Map<string, NodeClaim[]>();
  for (const claim of objects.nodeClaims) {
    const pool = claim.metadata.labels?.[LabelNodePool];
    if (!pool) continue;
    const list = claimsByPool.get(pool);
    if (list) list.push(claim);
    else claimsByPool.set(pool, [claim]);
  }
  const templates: NodePoolTemplate[] = [];
  const skippedNodePools = new Map<string, SkippedNodePool>();
  const includedPools: ClusterSnapshot['nodePools'] = new Map();
  for (const pool of objects.nodePools) {
    const name = pool.metadata.name ?? '';
    if (options.nodePools && !options.nodePools.has(name)) continue;
    if (pool.metadata.deletionTimestamp) {
      skippedNodePools.set(name, { reason: 'Terminating', message: `NodePool ${name} is being deleted` });
      continue;
    }
    const resolved = nodeClassOf(pool, nodeClassByName);
    if (!resolved.ok) {
      skippedNodePools.set(name, resolved.skip);
      continue;
    }
    const instanceTypes = ctx.catalog.forNodeClass(resolved.nodeClass);
    const usage = nodePoolUsage((claimsByPool.get(name) ?? []).filter((c) => !removed.has(c.metadata.name ?? '')), instanceTypes);
    includedPools.set(name, { nodePool: pool, nodeClass: resolved.nodeClass, usage });
    if (instanceTypes.length === 0) {
      skippedNodePools.set(name, { reason: 'NoInstanceTypes', message: `no instance types are known for ECSNodeClass ${resolved.nodeClass.metadata.name} yet` });
      continue;
    }
    templates.push(nodePoolTemplateOf(pool, instanceTypes, usage));
  }

  // DaemonSet templates (their pods run on every new node they tolerate and select).
  const daemonSets: PodSpecLite[] = [];
  for (const ds of objects.daemonSets) {
    if (ds.metadata?.deletionTimestamp || !ds.spec?.template.spec) continue;
    const meta = ds.spec.template.metadata;
    const spec = podSpecLiteOf(
      { uid: ds.metadata?.uid ?? `${ds.metadata?.namespace}/${ds.metadata?.name}`, name: ds.metadata?.name ?? '', namespace: ds.metadata?.namespace ?? 'default', ...(meta?.labels ? { labels: meta.labels } : {}) },
      ds.spec.template.spec,
    );
    const pseudoPod: Pod = { metadata: { ...(meta?.annotations ? { annotations: meta.annotations } : {}) } };
    const demand = demandOf(networkOf(pseudoPod, spec, false), false);
    daemonSets.push(demand ? { ...spec, network: demand } : spec);
  }

  // Pods: pending ones, and bound ones per node.
  const boundByNode = new Map<string, Pod[]>();
  const pendingRaw: Pod[] = [];
  for (const pod of objects.pods) {
    if (isActiveOnNode(pod)) {
      const nodeName = pod.spec?.nodeName as string;
      const list = boundByNode.get(nodeName);
      if (list) list.push(pod);
      else boundByNode.set(nodeName, [pod]);
    } else if (isProvisionable(pod)) {
      pendingRaw.push(pod);
    }
  }

  // Nodes and the claims behind them.
  const claimByProviderID = new Map<string, NodeClaim>();
  for (const c of objects.nodeClaims) if (c.status?.providerID) claimByProviderID.set(c.status.providerID, c);
  const claimsWithNode = new Set<NodeClaim>();
  const nodes: ExistingNode[] = [];
  const capacity: ClusterSnapshot['capacity'] = new Map();
  const nodeBoundSpecs: { raw: Pod; spec: PodSpecLite }[][] = [];
  const nodeRecords: { node: Node; claim: NodeClaim | undefined; pods: Pod[]; deleting: boolean }[] = [];
  for (const node of objects.nodes) {
    const name = node.metadata?.name ?? '';
    const claim = node.spec?.providerID ? claimByProviderID.get(node.spec.providerID) : undefined;
    if (claim) claimsWithNode.add(claim);
    const pods = boundByNode.get(name) ?? [];
    if (removed.has(name) || (claim && removed.has(claim.metadata.name ?? ''))) {
      for (const p of pods) if (isReschedulable(p)) pendingRaw.push(p);
      continue;
    }
    const deleting = isNodeBeingDeleted(node) || (claim !== undefined && isClaimBeingDeleted(claim));
    nodeRecords.push({ node, claim, pods, deleting });
  }
  for (const { pods, deleting } of nodeRecords) {
    const moved = deleting && includeDeletingNodePods;
    const specs: { raw: Pod; spec: PodSpecLite }[] = [];
    for (const p of pods) {
      if (moved && isReschedulable(p)) {
        pendingRaw.push(p);
        continue;
      }
      specs.push({ raw: p, spec: podCache.convert(p) });
    }
    nodeBoundSpecs.push(specs);
  }

  // Pending pods: convert, attach networks.
  const pendingPods = new Map<string, Pod>();
  const pendingSpecs: { raw: Pod; spec: PodSpecLite }[] = [];
  for (const raw of pendingRaw) {
    const spec = podCache.convert(raw);
    if (pendingPods.has(spec.uid)) continue;
    pendingPods.set(spec.uid, raw);
    pendingSpecs.push({ raw, spec });
  }
  for (const { raw, spec } of pendingSpecs) networkOf(raw, spec, true);
  for (const specs of nodeBoundSpecs) for (const { raw, spec } of specs) networkOf(raw, spec, false);
  keepTypesServingEveryNetwork(templates, skippedNodePools, eniipNetworkCount(outcomes.values()));

  // Does the default network constrain anything? Only if a zone new nodes could be in lacks room.
  const candidateZones = new Set<string>();
  for (const t of templates) for (const it of t.instanceTypes ?? []) for (const o of it.offerings) if (o.available) candidateZones.add(o.zone);
  const includeDefault = networks.defaultIsRestrictive(candidateZones, freeIPs);

  const unschedulable = new Map<string, string>();
  const podNetworks = new Map<string, string>();
  const withNetwork = (spec: PodSpecLite): PodSpecLite => {
    const outcome = outcomes.get(spec.uid);
    return podCache.withNetwork(spec, outcome ? demandOf(outcome, includeDefault) : undefined);
  };
  const inputPods: PodSpecLite[] = [];
  for (const { spec } of pendingSpecs) {
    const outcome = outcomes.get(spec.uid);
    if (outcome?.kind === 'Invalid') {
      unschedulable.set(spec.uid, outcome.message);
      pendingPods.delete(spec.uid);
      continue;
    }
    if (outcome?.kind === 'Network') podNetworks.set(spec.uid, outcome.key);
    inputPods.push(withNetwork(spec));
  }

  // Existing nodes, with DaemonSet pods still to come on uninitialized ones.
  nodeRecords.forEach(({ node, claim, deleting }, i) => {
    const specs = nodeBoundSpecs[i] ?? [];
    const present = new Set(specs.map(({ raw }) => daemonSetOwner(raw)).filter((u): u is string => u !== undefined));
    const initialized = isNodeInitialized(node, claim);
    const missingDaemons = initialized ? [] : daemonSets.filter((d) => !present.has(d.uid));
    const existing = existingNodeOf({
      node,
      claim,
      pods: specs.map(({ spec }) => withNetwork(spec)),
      missingDaemons: missingDaemons.length > 0 ? filterDaemonsFor(node, missingDaemons) : [],
      eni: eniSpecOf(ctx.catalog, node.metadata?.labels?.['node.kubernetes.io/instance-type']),
      markedForDeletion: deleting,
    });
    nodes.push(existing);
    capacity.set(existing.name, claim ? { kind: 'node', node, claim } : { kind: 'node', node });
  });

  // In-flight claims: no Node yet.
  const inFlightClaims: ExistingNode[] = [];
  for (const claim of objects.nodeClaims) {
    if (claimsWithNode.has(claim) || removed.has(claim.metadata.name ?? '')) continue;
    const nodeClass = nodeClassByName.get(claim.spec.nodeClassRef.name);
    const instanceTypes = nodeClass ? ctx.catalog.forNodeClass(nodeClass) : [];
    const existing = inFlightClaimOf({ claim, instanceTypes, daemons: daemonSets, eniOf: (t) => eniSpecOf(ctx.catalog, t) });
    inFlightClaims.push(existing);
    capacity.set(existing.name, { kind: 'claim', claim });
  }

  const input: SchedulingInput = {
    pods: inputPods,
    nodes,
    inFlightClaims,
    nodePools: templates,
    daemonSets,
    namespaceLabels,
    networking: networks.networkingInput(clusterEniType, freeIPs, includeDefault),
  };
  return {
    input,
    pendingPods,
    unschedulable,
    podNetworks,
    skippedNodePools,
    nodePools: includedPools,
    capacity,
    networkVSwitchIds: networks.vSwitchIds(),
  };
}

/** Distinct networks ENIIP pods draw shared-ENI addresses from (host-network and exclusive-ENI pods take none). */
function eniipNetworkCount(outcomes: Iterable<PodNetworkOutcome>): number {
  const keys = new Set<string>();
  for (const o of outcomes) {
    if (o.kind === 'Network' && o.eniType === 'ENIIP') keys.add(o.key);
    else if (o.kind === 'Unconstrained' && o.eniType === 'ENIIP') keys.add(DefaultNetworkKey);
  }
  return keys.size;
}

/**
 * New nodes only of types with a secondary ENI for every ENIIP network in use. The IPAM gives each
 * network (vSwitch and security groups) ENIs of its own, and kube-scheduler, which does not see
 * ENIs, may put a pod of any network on any node: on a type with fewer secondary ENIs than
 * networks, pods of the network that came last would never get an address. Pools left without
 * types are reported as skipped.
 */
function keepTypesServingEveryNetwork(templates: NodePoolTemplate[], skipped: Map<string, SkippedNodePool>, networks: number): void {
  if (networks <= 1) return;
  for (let i = templates.length - 1; i >= 0; i--) {
    const t = templates[i] as NodePoolTemplate;
    const all = t.instanceTypes ?? [];
    const kept = all.filter((it) => !it.eni || it.eni.eniQuantity - 1 >= networks);
    if (kept.length === all.length) continue;
    if (kept.length > 0) {
      templates[i] = { ...t, instanceTypes: kept };
      continue;
    }
    templates.splice(i, 1);
    skipped.set(t.name, { reason: 'NoInstanceTypes', message: `no instance type of the pool has a secondary ENI for each of the ${networks} pod networks in use` });
  }
}

/** DaemonSet templates that would run on this node (its labels and taints), e.g. before it is initialized. */
function filterDaemonsFor(node: Node, daemons: readonly PodSpecLite[]): PodSpecLite[] {
  const requirements = Requirements.fromLabels(node.metadata?.labels ?? {});
  const taints = taintsOf(node.spec?.taints);
  return daemons.filter((d) => daemonRunsOn(d, requirements, taints));
}
