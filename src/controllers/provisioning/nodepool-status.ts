// NodePool status and hash, as Karpenter's nodepool controllers keep them: status.resources sums
// the capacity of the pool's NodeClaims (plus `nodes`), the NodeClassReady condition says whether
// the pool can launch at all (rolled up into Ready), and the template hash annotation is what
// drift compares each NodeClaim's copy against.
import { NodePoolConditions } from '../../apis/conditions.js';
import { AnnotationNodePoolHash, AnnotationNodePoolHashVersion, LabelNodePool } from '../../apis/labels.js';
import type { NodeClaim } from '../../apis/nodeclaim.js';
import { KarpenterGroup, KarpenterVersion, NodePoolPlural, type NodePool } from '../../apis/nodepool.js';
import { canonicalJson } from '../../catalog/index.js';
import { keyOf, patch, watch, type Manager, type ReconcileContext } from '../../operator/index.js';
import { nodeClassOf, nodePoolUsage } from '../../state/index.js';
import type { ControllerDeps } from '../index.js';
import { toQuantities } from '../nodeclaim/quantities.js';
import { readyFrom, setConditions, type ConditionInput } from '../resolve/conditions.js';
import { ClaimIndex, type SnapshotInformers } from '../shared/cluster-informers.js';
import { restampNodeClaimHashes } from '../shared/hash-version.js';
import { nodePoolHash, NodePoolHashVersion } from './nodepool-hash.js';

const api = { group: KarpenterGroup, version: KarpenterVersion, plural: NodePoolPlural } as const;

/** Current usage per pool, shared with the metrics (karpenter_nodepools_usage). */
export type UsageByPool = Map<string, Record<string, number>>;

export function registerNodePoolStatus(manager: Manager, deps: ControllerDeps, informers: SnapshotInformers, usageByPool: UsageByPool): void {
  const { nodePools, nodeClaims, nodeClasses } = informers;

  manager.addController({
    name: 'nodepool-status',
    concurrency: 2,
    watches: [
      watch(nodePools),
      watch(nodeClaims, (e) => e.object.metadata.labels?.[LabelNodePool] ?? (e.type === 'update' ? e.old?.metadata.labels?.[LabelNodePool] : undefined)),
      watch(nodeClasses, (e) =>
        nodePools
          .list()
          .filter((p) => p.spec.template.spec.nodeClassRef.name === e.object.metadata.name)
          .map((p) => keyOf(p)),
      ),
    ],
    async reconcile(key, rc) {
      const pool = nodePools.getByKey(key);
      if (!pool) {
        usageByPool.delete(key);
        return;
      }
      await reconcileNodePool(manager, deps, informers, pool, nodeClaims.byIndex(ClaimIndex.byNodePool, key), usageByPool, rc);
    },
  });
}

async function reconcileNodePool(
  manager: Manager,
  deps: ControllerDeps,
  informers: SnapshotInformers,
  pool: NodePool,
  claims: readonly NodeClaim[],
  usageByPool: UsageByPool,
  { log, recorder }: ReconcileContext,
): Promise<void> {
  const name = pool.metadata.name ?? '';
  const hash = nodePoolHash(pool);
  const annotations = pool.metadata.annotations ?? {};
  if (annotations[AnnotationNodePoolHash] !== hash || annotations[AnnotationNodePoolHashVersion] !== NodePoolHashVersion) {
    // Claims first: if this fails the pool keeps its old version and the next pass retries.
    if (annotations[AnnotationNodePoolHashVersion] !== NodePoolHashVersion) {
      await restampNodeClaimHashes(manager, claims, { hash, version: NodePoolHashVersion }, { hash: AnnotationNodePoolHash, version: AnnotationNodePoolHashVersion }, log);
    }
    await manager.clients.customObjects.patchClusterCustomObject(
      { ...api, name, body: { metadata: { annotations: { [AnnotationNodePoolHash]: hash, [AnnotationNodePoolHashVersion]: NodePoolHashVersion } } } },
      patch.merge,
    );
    log.info({ hash }, 'nodepool hash updated');
  }

  const resolved = nodeClassOf(pool, informers.nodeClasses);
  const instanceTypes = resolved.ok ? deps.catalog.forNodeClass(resolved.nodeClass) : [];
  const usage = nodePoolUsage(claims, instanceTypes);
  usageByPool.set(name, usage);

  const nodeClassReady: ConditionInput = resolved.ok
    ? { type: NodePoolConditions.NodeClassReady, status: 'True', reason: 'NodeClassReady', message: '' }
    : { type: NodePoolConditions.NodeClassReady, status: 'False', reason: resolved.skip.reason, message: resolved.skip.message };
  const validation: ConditionInput = { type: NodePoolConditions.ValidationSucceeded, status: 'True', reason: 'ValidationSucceeded', message: '' };
  const conditions = setConditions(
    pool.status?.conditions,
    [nodeClassReady, validation, readyFrom([validation, nodeClassReady], NodePoolConditions.Ready)],
    pool.metadata.generation,
    new Date(),
  );
  if (!resolved.ok) recorder.warning(pool, resolved.skip.reason, `Cannot launch nodes: ${resolved.skip.message}`);

  const resources = toQuantities(usage);
  const status = {
    resources,
    conditions,
    ...(resolved.ok && resolved.nodeClass.metadata.generation !== undefined ? { nodeClassObservedGeneration: resolved.nodeClass.metadata.generation } : {}),
  };
  const current = { resources: pool.status?.resources ?? {}, conditions: pool.status?.conditions ?? [], ...(pool.status?.nodeClassObservedGeneration !== undefined ? { nodeClassObservedGeneration: pool.status.nodeClassObservedGeneration } : {}) };
  if (canonicalJson(current) === canonicalJson(status)) return;
  // resources is replaced whole (a resource that dropped to nothing must disappear), so null the old keys first.
  const cleared: Record<string, string | null> = Object.fromEntries(Object.keys(pool.status?.resources ?? {}).map((k) => [k, null]));
  await manager.clients.customObjects.patchClusterCustomObjectStatus(
    { ...api, name, body: { status: { ...status, resources: { ...cleared, ...resources } } } },
    patch.merge,
  );
}
