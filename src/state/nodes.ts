// Capacity that exists or is on its way, for the scheduling core: Nodes with the pods bound to them,
// and NodeClaims that have no Node yet (in flight), described like nodes so the next solve places
// the pods they were created for on them instead of asking for more capacity.
import { isConditionTrue, NodeClaimConditions } from '../apis/conditions.js';
import {
  LabelCapacityType,
  LabelInstanceType,
  LabelNodeInitialized,
  LabelNodePool,
  LabelZone,
  TaintDisrupted,
  WellKnownLabels,
} from '../apis/labels.js';
import type { NodeClaim } from '../apis/nodeclaim.js';
import type { Node } from '../operator/index.js';
import {
  Requirement,
  Requirements,
  resourcesFromQuantities,
  untoleratedTaint,
  type EniSpec,
  type ExistingNode,
  type InstanceType,
  type NodeSelectorOperator,
  type PodSpecLite,
  type ResourceList,
  type Taint,
} from '../scheduling/index.js';
import { taintsOf } from './pod-spec.js';

const wellKnown: ReadonlySet<string> = new Set(WellKnownLabels);

export function isNodeBeingDeleted(node: Node): boolean {
  return Boolean(node.metadata?.deletionTimestamp) || (node.spec?.taints ?? []).some((t) => t.key === TaintDisrupted);
}

export function isClaimBeingDeleted(claim: NodeClaim): boolean {
  return Boolean(claim.metadata.deletionTimestamp);
}

/** A managed node is initialized once its NodeClaim says so (or the node carries Karpenter's label); unmanaged nodes always are. */
export function isNodeInitialized(node: Node, claim: NodeClaim | undefined): boolean {
  if (node.metadata?.labels?.[LabelNodeInitialized] === 'true') return true;
  if (claim) return isConditionTrue(claim.status?.conditions, NodeClaimConditions.Initialized);
  return node.metadata?.labels?.[LabelNodePool] === undefined;
}

export function claimRequirements(claim: NodeClaim): Requirements {
  return Requirements.fromNodeSelector(
    claim.spec.requirements.map((r) => ({ key: r.key, operator: r.operator as NodeSelectorOperator, values: r.values ?? [] })),
  );
}

/** What a NodeClaim's node will be labelled before it exists: its single-valued requirements, then the labels it carries (the launch adds type, zone and capacity type). */
export function claimLabels(claim: NodeClaim): Record<string, string> {
  const labels = claimRequirements(claim).labels();
  delete labels['kubernetes.io/hostname'];
  return { ...labels, ...(claim.metadata.labels ?? {}) };
}

/**
 * The instance type the claim most likely launches as: the cheapest of its `instance-type`
 * requirement values that the catalog sells in a zone and capacity type it allows.
 */
export function cheapestOptionOf(claim: NodeClaim, instanceTypes: readonly InstanceType[]): InstanceType | undefined {
  const reqs = claimRequirements(claim);
  const types = reqs.get(LabelInstanceType);
  const zones = reqs.get(LabelZone);
  const capacityTypes = reqs.get(LabelCapacityType);
  let best: InstanceType | undefined;
  let bestPrice = Infinity;
  for (const it of instanceTypes) {
    if (!types.has(it.name)) continue;
    for (const o of it.offerings) {
      if (!o.available || !zones.has(o.zone) || !capacityTypes.has(o.capacityType)) continue;
      if (o.price < bestPrice) {
        best = it;
        bestPrice = o.price;
      }
    }
  }
  return best;
}

/** Whether a DaemonSet's pod would run on a node with these requirements and taints. */
export function daemonRunsOn(daemon: PodSpecLite, requirements: Requirements, taints: readonly Taint[]): boolean {
  if (untoleratedTaint(taints, daemon.tolerations)) return false;
  const selector = new Requirements();
  for (const [k, v] of Object.entries(daemon.nodeSelector ?? {})) selector.add(Requirement.in(k, v));
  if (requirements.compatible(selector, wellKnown) !== undefined) return false;
  const terms = daemon.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return true;
  return terms.some((t) => requirements.compatible(Requirements.fromNodeSelector(t.matchExpressions ?? []), wellKnown) === undefined);
}

export interface NodeInputs {
  node: Node;
  claim: NodeClaim | undefined;
  /** Pods bound to it (DaemonSet pods included). */
  pods: PodSpecLite[];
  /** DaemonSet templates whose pods are not on it yet (they will be, so their requests are reserved). */
  missingDaemons: readonly PodSpecLite[];
  eni: EniSpec | undefined;
  /** Forced (e.g. a disruption simulation); otherwise derived from the Node and its NodeClaim. */
  markedForDeletion?: boolean;
}

export function existingNodeOf({ node, claim, pods, missingDaemons, eni, markedForDeletion }: NodeInputs): ExistingNode {
  const labels = node.metadata?.labels ?? {};
  const taints = taintsOf(node.spec?.taints);
  const initialized = isNodeInitialized(node, claim);
  let allocatable: ResourceList = resourcesFromQuantities(node.status?.allocatable as Record<string, string> | undefined);
  if (Object.keys(allocatable).length === 0 && claim?.status?.allocatable) allocatable = resourcesFromQuantities(claim.status.allocatable);
  const deleting = markedForDeletion ?? (isNodeBeingDeleted(node) || (claim !== undefined && isClaimBeingDeleted(claim)));
  const out: ExistingNode = {
    name: node.metadata?.name ?? '',
    labels,
    taints,
    allocatable,
    pods: initialized ? pods : [...pods, ...missingDaemons],
    initialized,
    markedForDeletion: deleting,
    ...(claim?.spec.startupTaints ? { startupTaints: taintsOf(claim.spec.startupTaints) } : {}),
    ...(labels[LabelNodePool] ? { nodePool: labels[LabelNodePool] } : {}),
    ...(eni ? { eni } : {}),
  };
  return out;
}

export interface ClaimInputs {
  claim: NodeClaim;
  /** The instance types of the claim's node class (to estimate allocatable before the launch). */
  instanceTypes: readonly InstanceType[];
  daemons: readonly PodSpecLite[];
  eniOf: (instanceType: string) => EniSpec | undefined;
  markedForDeletion?: boolean;
}

/** A NodeClaim with no Node yet, as the core's ExistingNode (initialized: false). */
export function inFlightClaimOf({ claim, instanceTypes, daemons, eniOf, markedForDeletion }: ClaimInputs): ExistingNode {
  const labels = claimLabels(claim);
  const taints = taintsOf(claim.spec.taints);
  const startupTaints = taintsOf(claim.spec.startupTaints);
  const launchedType = labels[LabelInstanceType];
  const estimate = launchedType ? instanceTypes.find((t) => t.name === launchedType) : cheapestOptionOf(claim, instanceTypes);
  let allocatable: ResourceList;
  if (claim.status?.allocatable && Object.keys(claim.status.allocatable).length > 0) allocatable = resourcesFromQuantities(claim.status.allocatable);
  else if (estimate) allocatable = estimate.allocatable;
  // Unknown type (catalog not loaded, node class gone): room for exactly what it was created for.
  else allocatable = { ...resourcesFromQuantities(claim.spec.resources?.requests) };
  const requirements = claimRequirements(claim);
  for (const [k, v] of Object.entries(labels)) requirements.add(Requirement.in(k, v));
  const allTaints = [...taints, ...startupTaints];
  const typeName = launchedType ?? estimate?.name;
  const eni = typeName ? (eniOf(typeName) ?? estimate?.eni) : undefined;
  return {
    name: claim.metadata.name ?? '',
    labels,
    taints,
    startupTaints,
    allocatable,
    pods: daemons.filter((d) => daemonRunsOn(d, requirements, allTaints)),
    initialized: false,
    markedForDeletion: markedForDeletion ?? isClaimBeingDeleted(claim),
    ...(labels[LabelNodePool] ? { nodePool: labels[LabelNodePool] } : {}),
    ...(eni ? { eni } : {}),
  };
}
