// What the NodeClaim lifecycle's steps share: the caches (with the indexes they look things up
// by), the cloud, the catalog, options, metrics, and the few API writes they make. Every write of
// an object read from the cache carries its resourceVersion, so a concurrent change (another
// controller's condition, kwok's status) makes the write fail with a conflict and the step retry
// on fresh data instead of overwriting it.
import { NodeClaim } from '../../apis/nodeclaim.js';
import type { ECSNodeClass } from '../../apis/ecsnodeclass.js';
import type { CloudProvider } from '../../cloud/index.js';
import { ECSNodeClasses, isConflict, isNotFound, Pods, patch, type Informer, type Manager, type Node, type Pod } from '../../operator/index.js';
import type { InstanceTypeCatalog } from '../../catalog/index.js';
import { nodeClaimInformer, nodeInformer } from '../shared/cluster-informers.js';
import { nodeClaimApi } from '../shared/nodeclaim-api.js';
import type { ClusterIdentity } from './launch-request.js';
import type { NodeClaimMetrics } from './metrics.js';
import type { NodeClaimOptions } from './options.js';

export { deleteClaim } from '../shared/nodeclaim-api.js';

export interface NodeClaimContext {
  manager: Manager;
  cloud: CloudProvider;
  catalog: InstanceTypeCatalog;
  cluster: ClusterIdentity;
  options: NodeClaimOptions;
  metrics: NodeClaimMetrics;
  claims: Informer<NodeClaim>;
  nodes: Informer<Node>;
  nodeClasses: Informer<ECSNodeClass>;
  pods: Informer<Pod>;
  now(): Date;
}

export function informersOf(manager: Manager): Pick<NodeClaimContext, 'claims' | 'nodes' | 'nodeClasses' | 'pods'> {
  return { claims: nodeClaimInformer(manager), nodes: nodeInformer(manager), nodeClasses: manager.informer(ECSNodeClasses), pods: manager.informer(Pods) };
}

function parseClaim(body: unknown): NodeClaim {
  return NodeClaim.parse(body);
}

/** Merge-patches the NodeClaim's status; fails with a conflict if the claim changed since it was read. */
export async function patchClaimStatus(ctx: NodeClaimContext, claim: NodeClaim, status: Partial<NonNullable<NodeClaim['status']>>): Promise<NodeClaim> {
  const body = { metadata: { resourceVersion: claim.metadata.resourceVersion }, status };
  const updated: unknown = await ctx.manager.clients.customObjects.patchClusterCustomObjectStatus(
    { ...nodeClaimApi, name: claim.metadata.name ?? '', body },
    patch.merge,
  );
  return parseClaim(updated);
}

/** Merge-patches labels, annotations or finalizers (finalizers replace the list, hence the resourceVersion). */
export async function patchClaimMetadata(
  ctx: NodeClaimContext,
  claim: NodeClaim,
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] },
): Promise<NodeClaim> {
  const body = { metadata: { resourceVersion: claim.metadata.resourceVersion, ...metadata } };
  const updated: unknown = await ctx.manager.clients.customObjects.patchClusterCustomObject(
    { ...nodeClaimApi, name: claim.metadata.name ?? '', body },
    patch.merge,
  );
  return parseClaim(updated);
}

/** Merge-patches the Node guarded by its resourceVersion. */
export async function patchNode(ctx: NodeClaimContext, node: Node, body: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> }): Promise<void> {
  const guarded = { ...body, metadata: { ...(body.metadata ?? {}), resourceVersion: node.metadata?.resourceVersion } };
  await ctx.manager.clients.core.patchNode({ name: node.metadata?.name ?? '', body: guarded }, patch.merge);
}

/**
 * A fresh read, for retrying a write that conflicted with the cache's copy. Round-tripped through
 * JSON so it has the cache's form (the typed client turns timestamps into Dates).
 */
export async function readNode(ctx: NodeClaimContext, name: string): Promise<Node | undefined> {
  try {
    return JSON.parse(JSON.stringify(await ctx.manager.clients.core.readNode({ name }))) as Node;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

const nodeWriteAttempts = 3;

/**
 * Writes a Node, re-reading it when the cache's copy was stale (kwok and other controllers write
 * Nodes too). `change` returns the merge patch for the Node as it is, or undefined when none is needed.
 */
export async function updateNode(
  ctx: NodeClaimContext,
  node: Node,
  change: (current: Node) => { metadata?: Record<string, unknown>; spec?: Record<string, unknown> } | undefined,
): Promise<void> {
  let current: Node | undefined = node;
  for (let attempt = 1; current; attempt++) {
    const body = change(current);
    if (!body) return;
    try {
      await patchNode(ctx, current, body);
      return;
    } catch (error) {
      if (isNotFound(error)) return;
      if (!isConflict(error) || attempt >= nodeWriteAttempts) throw error;
      current = await readNode(ctx, current.metadata?.name ?? '');
    }
  }
}
