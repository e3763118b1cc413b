// What the disruption controllers share: the informers, the cloud, the catalog, metrics, and the
// few API writes they make (NodeClaim status conditions, node taints, NodeClaim create/delete).
// Every write of an object read from the cache carries its resourceVersion, so a concurrent write
// by the lifecycle controller or kwok fails with a conflict and is retried on fresh data.
import { NodeClaim, NodeClaimApiVersion, NodeClaimKind } from '../../apis/nodeclaim.js';
import { TaintDisrupted } from '../../apis/labels.js';
import type { Condition } from '../../apis/conditions.js';
import type { InstanceTypeCatalog } from '../../catalog/index.js';
import type { CloudProvider } from '../../cloud/index.js';
import type { OperatorSettings } from '../../config/settings.js';
import type { InstanceFacts } from '../../disruption/index.js';
import { isConflict, isNotFound, PodDisruptionBudgets, patch, type Informer, type Manager, type Node } from '../../operator/index.js';
import { PodSpecCache } from '../../state/index.js';
import { ClaimIndex, snapshotInformers } from '../shared/cluster-informers.js';
import { nodeClaimApi } from '../shared/nodeclaim-api.js';
import type { DisruptionMetrics } from './metrics.js';

export { claimOfNode } from '../shared/cluster-informers.js';
export { deleteClaim } from '../shared/nodeclaim-api.js';
export const IndexClaimByNodePool = ClaimIndex.byNodePool;
export const IndexClaimByNodeClassName = ClaimIndex.byNodeClass;

export interface DisruptionOptions {
  pollIntervalMs: number;
  validationDelayMs: number;
  /** How long a command waits for its replacements to initialize before it is abandoned. */
  replacementTimeoutMs: number;
  /** Skip consolidation while nothing changed since it last found nothing, at most this long. */
  consolidatedTtlMs: number;
  /** Pod events within this window of the last recorded one are not written again (upstream: 5 s). */
  podEventDedupeMs: number;
  /** A spot node is drained this long before its release time even if its replacements are not up. */
  interruptionDrainLeadMs: number;
}

/** What a scheduling snapshot is built from (the NodeClaims as `claims`), and the PDBs. */
export function informersOf(manager: Manager) {
  const { nodeClaims: claims, ...cluster } = snapshotInformers(manager);
  return { ...cluster, claims, pdbs: manager.informer(PodDisruptionBudgets) };
}

export type DisruptionInformers = ReturnType<typeof informersOf>;

export interface DisruptionContext extends DisruptionInformers {
  manager: Manager;
  cloud: CloudProvider;
  catalog: InstanceTypeCatalog;
  settings: OperatorSettings;
  options: DisruptionOptions;
  metrics: DisruptionMetrics;
  /** Instance facts never change for an instance: read once per providerID. */
  instanceFacts: Map<string, InstanceFacts>;
  podCache: PodSpecCache;
  now(): number;
}

/** Replaces the claim's conditions, guarded by its resourceVersion. */
export async function patchClaimConditions(ctx: DisruptionContext, claim: NodeClaim, conditions: Condition[]): Promise<void> {
  await ctx.manager.clients.customObjects.patchClusterCustomObjectStatus(
    { ...nodeClaimApi, name: claim.metadata.name ?? '', body: { metadata: { resourceVersion: claim.metadata.resourceVersion }, status: { conditions } } },
    patch.merge,
  );
}

export async function patchClaimStatusField(ctx: DisruptionContext, name: string, status: Record<string, unknown>): Promise<void> {
  await ctx.manager.clients.customObjects.patchClusterCustomObjectStatus({ ...nodeClaimApi, name, body: { status } }, patch.merge);
}

export async function createClaim(ctx: DisruptionContext, body: Record<string, unknown>): Promise<NodeClaim> {
  const created: unknown = await ctx.manager.clients.customObjects.createClusterCustomObject({
    ...nodeClaimApi,
    body: { apiVersion: NodeClaimApiVersion, kind: NodeClaimKind, ...body },
  });
  return NodeClaim.parse(created);
}

const nodeWriteAttempts = 4;

/** Adds (or removes) the karpenter.sh/disrupted:NoSchedule taint, re-reading the Node on conflicts. */
export async function setDisruptedTaint(ctx: DisruptionContext, nodeName: string, present: boolean): Promise<void> {
  let node: Node | undefined = ctx.nodes.get(nodeName);
  for (let attempt = 1; node; attempt++) {
    const taints = node.spec?.taints ?? [];
    const has = taints.some((t) => t.key === TaintDisrupted && t.effect === 'NoSchedule');
    if (has === present) return;
    const next = present
      ? [...taints, { key: TaintDisrupted, effect: 'NoSchedule', timeAdded: new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') }]
      : taints.filter((t) => !(t.key === TaintDisrupted && t.effect === 'NoSchedule'));
    try {
      await ctx.manager.clients.core.patchNode(
        { name: nodeName, body: { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { taints: next } } },
        patch.merge,
      );
      return;
    } catch (error) {
      if (isNotFound(error)) return;
      if (!isConflict(error) || attempt >= nodeWriteAttempts) throw error;
      try {
        node = JSON.parse(JSON.stringify(await ctx.manager.clients.core.readNode({ name: nodeName }))) as Node;
      } catch (readError) {
        if (isNotFound(readError)) return;
        throw readError;
      }
    }
  }
}

export type { Informer };
