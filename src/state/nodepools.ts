// NodePools to the core's templates: requirements, labels, taints, limits and what the pool already
// holds (usage), with the instance types its ECSNodeClass can launch. A pool whose node class is
// missing, of another provider, being deleted or not Ready cannot launch anything: it is left out,
// with the reason, so the caller can report it on the NodePool.
import { isConditionTrue, ConditionReady } from '../apis/conditions.js';
import { ECSNodeClassGroup, ECSNodeClassKind, type ECSNodeClass } from '../apis/ecsnodeclass.js';
import type { NodeClaim } from '../apis/nodeclaim.js';
import type { NodePool } from '../apis/nodepool.js';
import {
  resourcesFromQuantities,
  type InstanceType,
  type NodePoolTemplate,
  type NodeSelectorOperator,
  type ResourceList,
} from '../scheduling/index.js';
import { cheapestOptionOf } from './nodes.js';
import { taintsOf } from './pod-spec.js';

/** The `nodes` limit and usage key (Karpenter v1 counts nodes as a resource of the pool). */
export const ResourceNodes = 'nodes';

export type NodePoolSkipReason = 'NodeClassNotFound' | 'NodeClassNotReady' | 'NodeClassTerminating' | 'UnsupportedNodeClass' | 'NoInstanceTypes' | 'Terminating';

export interface SkippedNodePool {
  reason: NodePoolSkipReason;
  message: string;
}

export interface NodeClassLookup {
  get(name: string): ECSNodeClass | undefined;
}

export type NodeClassResolution = { ok: true; nodeClass: ECSNodeClass } | { ok: false; skip: SkippedNodePool };

export function nodeClassOf(pool: NodePool, nodeClasses: NodeClassLookup): NodeClassResolution {
  const ref = pool.spec.template.spec.nodeClassRef;
  if (ref.group !== ECSNodeClassGroup || ref.kind !== ECSNodeClassKind) {
    return { ok: false, skip: { reason: 'UnsupportedNodeClass', message: `nodeClassRef ${ref.group}/${ref.kind} is not ${ECSNodeClassGroup}/${ECSNodeClassKind}` } };
  }
  const nodeClass = nodeClasses.get(ref.name);
  if (!nodeClass) return { ok: false, skip: { reason: 'NodeClassNotFound', message: `ECSNodeClass ${ref.name} not found` } };
  if (nodeClass.metadata.deletionTimestamp) return { ok: false, skip: { reason: 'NodeClassTerminating', message: `ECSNodeClass ${ref.name} is being deleted` } };
  if (!isConditionTrue(nodeClass.status?.conditions, ConditionReady)) {
    const ready = nodeClass.status?.conditions?.find((c) => c.type === ConditionReady);
    return { ok: false, skip: { reason: 'NodeClassNotReady', message: `ECSNodeClass ${ref.name} is not ready${ready?.message ? `: ${ready.message}` : ''}` } };
  }
  return { ok: true, nodeClass };
}

/**
 * What the pool's NodeClaims hold: launched claims their capacity, claims not launched yet the
 * capacity of their cheapest option (so a burst of claims cannot overshoot a limit), plus `nodes`.
 */
export function nodePoolUsage(claims: readonly NodeClaim[], instanceTypes: readonly InstanceType[]): Record<string, number> {
  const usage: Record<string, number> = {};
  for (const claim of claims) {
    let capacity: ResourceList | undefined;
    if (claim.status?.capacity && Object.keys(claim.status.capacity).length > 0) capacity = resourcesFromQuantities(claim.status.capacity);
    else capacity = cheapestOptionOf(claim, instanceTypes)?.capacity ?? resourcesFromQuantities(claim.spec.resources?.requests);
    for (const [k, v] of Object.entries(capacity)) usage[k] = (usage[k] ?? 0) + v;
    usage[ResourceNodes] = (usage[ResourceNodes] ?? 0) + 1;
  }
  return usage;
}

export function nodePoolTemplateOf(pool: NodePool, instanceTypes: readonly InstanceType[], usage: ResourceList): NodePoolTemplate {
  const spec = pool.spec.template.spec;
  const template: NodePoolTemplate = {
    name: pool.metadata.name ?? '',
    requirements: spec.requirements.map((r) => ({
      key: r.key,
      operator: r.operator as NodeSelectorOperator,
      values: r.values ?? [],
      ...(r.minValues !== undefined ? { minValues: r.minValues } : {}),
    })),
    labels: pool.spec.template.metadata?.labels ?? {},
    taints: taintsOf(spec.taints),
    startupTaints: taintsOf(spec.startupTaints),
    usage,
    instanceTypes,
    ...(pool.spec.weight !== undefined ? { weight: pool.spec.weight } : {}),
    ...(pool.spec.limits ? { limits: resourcesFromQuantities(pool.spec.limits) } : {}),
  };
  return template;
}
