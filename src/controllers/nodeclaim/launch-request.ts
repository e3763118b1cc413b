// From a NodeClaim, its node class and its ordered candidates to the cloud's LaunchRequest. Pure.
//
// One launch call carries one image and one user data, so the candidates of one launch must agree
// on both. The user data holds the kubelet settings (max pods from the ENI model, kube-reserved),
// which differ between instance types of different sizes, and a node whose kubelet disagrees with
// the catalog would take more pods than the IPAM can address. So a launch offers the cheapest
// candidate and the candidates right behind it in price order with the same image and kubelet
// settings (the same type in other zones, sibling families of the same shape); when all of them
// are out of stock the launch is planned again without them, so the next cheapest offering of any
// shape goes next.
import type { ECSNodeClass } from '../../apis/ecsnodeclass.js';
import {
  LabelCapacityType,
  LabelNodePool,
  LabelRegion,
  LabelZone,
  TagCluster,
  TagClusterKarpenter,
  TagManagedBy,
  TagManagedByValue,
  TagNodeClaim,
  TagNodePool,
  TaintUnregistered,
} from '../../apis/labels.js';
import type { NodeClaim } from '../../apis/nodeclaim.js';
import type { DiskSpec, InstanceTypeInfo, LaunchRequest } from '../../cloud/types.js';
import { capacitySettingsOf, systemDiskGiB } from '../../catalog/index.js';
import { effectiveEvictionHard } from '../../catalog/node-class-settings.js';
import { Requirements, instanceTypeOverhead, parseQuantity, type NodeSelectorOperator } from '../../scheduling/index.js';
import type { PlannedCandidate } from './candidates.js';
import { formatQuantity, toQuantities } from './quantities.js';
import { bootstrapUserData, type BootstrapKubelet, type BootstrapTaint, type NodeBootstrap } from './user-data.js';

/** Karpenter caps the instance types of one launch at 60; more only slows the call down. */
export const MaxLaunchCandidates = 60;

export interface ClusterIdentity {
  clusterId: string;
  clusterName: string;
  region: string;
}

export interface LaunchPlan {
  request: LaunchRequest;
  /** The candidates offered, in the order the cloud tries them. */
  candidates: PlannedCandidate[];
  bootstrap: NodeBootstrap;
}

/**
 * The kubelet settings a node of this type registers with: exactly what the catalog subtracted
 * from capacity (src/catalog/catalog.ts), so the Node's allocatable is the one the scheduler planned
 * with: max pods from the ENI model, kube-reserved (defaults merged with the node class's),
 * system-reserved, and per signal the larger of the hard and soft eviction thresholds.
 */
export function kubeletFor(candidate: PlannedCandidate, nodeClass: ECSNodeClass, info: InstanceTypeInfo | undefined): BootstrapKubelet {
  const settings = capacitySettingsOf(nodeClass);
  const capacity = candidate.instanceType.capacity;
  const kubelet: BootstrapKubelet = {};
  const maxPods = capacity.pods;
  if (maxPods !== undefined && maxPods > 0) kubelet.maxPods = maxPods;
  if (!info) {
    // Unknown to the catalog (cannot happen for a candidate it listed): pass the node class's own settings.
    if (settings.kubelet.kubeReserved) kubelet.kubeReserved = { ...settings.kubelet.kubeReserved };
    if (settings.kubelet.systemReserved) kubelet.systemReserved = { ...settings.kubelet.systemReserved };
    kubelet.evictionHard = { ...(settings.kubelet.evictionHard ?? {}) };
    return kubelet;
  }
  const thresholds = effectiveEvictionHard(settings, { memoryBytes: info.memoryMiB * 2 ** 20, storageBytes: settings.systemDiskGiB * 2 ** 30 });
  const overhead = instanceTypeOverhead(info, capacity, { ...settings.kubelet, evictionHard: thresholds });
  kubelet.kubeReserved = toQuantities(overhead.kubeReserved);
  if (Object.keys(overhead.systemReserved).length > 0) kubelet.systemReserved = toQuantities(overhead.systemReserved);
  // The configured text when it means the same amount on this type (a percentage stays a
  // percentage, so types that differ only in memory share their user data), else the amount.
  const bases: Record<string, number> = { 'memory.available': info.memoryMiB * 2 ** 20, 'nodefs.available': settings.systemDiskGiB * 2 ** 30 };
  kubelet.evictionHard = Object.fromEntries(
    Object.entries(thresholds).map(([signal, amount]) => {
      const configured = settings.kubelet.evictionHard?.[signal];
      const configuredAmount =
        configured === undefined ? undefined : configured.endsWith('%') ? Math.ceil(((bases[signal] ?? 0) * Number(configured.slice(0, -1))) / 100) : Math.ceil(parseQuantity(configured));
      return [signal, configured !== undefined && configuredAmount === Number(amount) ? configured : formatQuantity('memory', parseQuantity(amount))];
    }),
  );
  return kubelet;
}

function stableKey(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

/** Labels a node of this candidate carries: its type's, plus zone and capacity type. */
export function candidateLabels(candidate: PlannedCandidate, region: string): Record<string, string> {
  return {
    ...candidate.instanceType.labels,
    [LabelRegion]: region,
    [LabelZone]: candidate.zone,
    [LabelCapacityType]: candidate.capacityType,
  };
}

/** Labels every candidate agrees on (the instance type's, zone and capacity type only when shared). */
function sharedLabels(candidates: readonly PlannedCandidate[], region: string): Record<string, string> {
  const [first, ...rest] = candidates.map((c) => candidateLabels(c, region));
  const out: Record<string, string> = { ...(first ?? {}) };
  for (const labels of rest) for (const [k, v] of Object.entries(out)) if (labels[k] !== v) delete out[k];
  return out;
}

/** The labels the NodeClaim asks for: its own, and its single-valued requirements (e.g. team In [a]). */
export function claimLabels(claim: NodeClaim): Record<string, string> {
  const requirements = Requirements.fromNodeSelector(
    claim.spec.requirements.map((r) => ({ key: r.key, operator: r.operator as NodeSelectorOperator, values: r.values ?? [] })),
  );
  const fromRequirements = requirements.labels();
  // Per-offering keys are decided by the launch, not by a requirement that happens to be single-valued.
  delete fromRequirements['kubernetes.io/hostname'];
  return { ...fromRequirements, ...(claim.metadata.labels ?? {}) };
}

function stripTaint(t: { key: string; value?: string; effect: BootstrapTaint['effect'] }): BootstrapTaint {
  return { key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect };
}

/** The taints a node registers with: unregistered (until the operator syncs it), the claim's, its startup taints. */
export function registrationTaints(claim: NodeClaim): BootstrapTaint[] {
  const out: BootstrapTaint[] = [{ key: TaintUnregistered, effect: 'NoExecute' }];
  for (const t of [...(claim.spec.taints ?? []), ...(claim.spec.startupTaints ?? [])]) {
    if (!out.some((o) => o.key === t.key && o.effect === t.effect)) out.push(stripTaint(t));
  }
  return out;
}

const gib = 2 ** 30;

/** ECS sizes disks in GiB; decimal sizes ("100G") are rounded up. */
export function volumeSizeGiB(size: string): number {
  return Math.ceil(parseQuantity(size) / gib);
}

export function systemDiskOf(nodeClass: ECSNodeClass): DiskSpec {
  const spec = nodeClass.spec.systemDisk;
  const category = spec?.categories[0] ?? 'cloud_essd';
  // The same size the catalog assumed for ephemeral-storage.
  const sizeGiB = Math.ceil(systemDiskGiB(nodeClass));
  return { category, sizeGiB, ...(category === 'cloud_essd' && spec?.performanceLevel ? { performanceLevel: spec.performanceLevel } : {}) };
}

export function dataDisksOf(nodeClass: ECSNodeClass): DiskSpec[] {
  const category = nodeClass.spec.dataDiskCategories?.[0] ?? 'cloud_essd';
  return (nodeClass.spec.dataDisks ?? []).map((d) => ({ category, sizeGiB: volumeSizeGiB(d.volumeSize) }));
}

export function launchTags(claim: NodeClaim, nodeClass: ECSNodeClass, cluster: ClusterIdentity): Record<string, string> {
  const nodePool = claim.metadata.labels?.[LabelNodePool];
  return {
    ...(nodeClass.spec.tags ?? {}),
    [TagCluster]: cluster.clusterId,
    [TagClusterKarpenter]: cluster.clusterName,
    [TagManagedBy]: TagManagedByValue,
    [TagNodeClaim]: claim.metadata.name ?? '',
    ...(nodePool ? { [TagNodePool]: nodePool } : {}),
  };
}

/**
 * The launch request for the cheapest candidate and the candidates right behind it that share its
 * image and kubelet settings. `candidates` must be non-empty and ordered (see planCandidates).
 */
export function buildLaunchPlan(
  claim: NodeClaim,
  nodeClass: ECSNodeClass,
  ordered: readonly PlannedCandidate[],
  info: (instanceType: string) => InstanceTypeInfo | undefined,
  cluster: ClusterIdentity,
): LaunchPlan {
  const first = ordered[0];
  if (!first) throw new Error('a launch plan needs at least one candidate');
  const kubeletKey = (c: PlannedCandidate) => stableKey(kubeletFor(c, nodeClass, info(c.instanceType.name)));
  const firstKey = kubeletKey(first);
  // Only the leading run that shares the first's settings: a compatible candidate behind a cheaper
  // incompatible one would be launched before it (a stock-out of the cheapest type would then land
  // on the same type in a dearer zone instead of the next cheapest offering). The rest get their
  // own launch when this one runs out of capacity.
  const run = ordered.findIndex((c) => c.imageId !== first.imageId || kubeletKey(c) !== firstKey);
  const candidates = (run < 0 ? ordered : ordered.slice(0, run)).slice(0, MaxLaunchCandidates);
  const bootstrap: NodeBootstrap = {
    labels: { ...sharedLabels(candidates, cluster.region), ...claimLabels(claim) },
    taints: registrationTaints(claim),
    kubelet: kubeletFor(first, nodeClass, info(first.instanceType.name)),
  };
  const uid = claim.metadata.uid;
  if (!uid) throw new Error('a NodeClaim without a uid cannot be launched idempotently');
  const request: LaunchRequest = {
    clientToken: uid,
    name: claim.metadata.name ?? uid,
    candidates: candidates.map((c) => ({ instanceType: c.instanceType.name, zone: c.zone, capacityType: c.capacityType, vSwitchId: c.vSwitchId })),
    imageId: first.imageId,
    securityGroupIds: (nodeClass.status?.securityGroups ?? []).map((g) => g.id),
    systemDisk: systemDiskOf(nodeClass),
    dataDisks: dataDisksOf(nodeClass),
    userData: bootstrapUserData(bootstrap, nodeClass.spec.userData),
    tags: launchTags(claim, nodeClass, cluster),
    ...(nodeClass.spec.resourceGroupId ? { resourceGroupId: nodeClass.spec.resourceGroupId } : {}),
  };
  return { request, candidates, bootstrap };
}
