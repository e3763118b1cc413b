// Karpenter's node termination path: a Node carrying the karpenter.sh/termination finalizer that
// someone deletes directly (kubectl delete node) is not removed at once; its NodeClaim is deleted
// instead, and the NodeClaim's termination drains the Node, deletes the instance and finally
// removes the Node's finalizer. A Node whose NodeClaim is already gone just loses the finalizer.
import { FinalizerTermination } from '../../apis/labels.js';
import type { ReconcileContext, ReconcileResult } from '../../operator/index.js';
import { claimOfNode } from '../shared/cluster-informers.js';
import { deleteClaim, updateNode, type NodeClaimContext } from './context.js';

export async function reconcileNodeTermination(ctx: NodeClaimContext, nodeName: string, rc: ReconcileContext): Promise<ReconcileResult | void> {
  const node = ctx.nodes.get(nodeName);
  if (!node?.metadata?.deletionTimestamp || !node.metadata.finalizers?.includes(FinalizerTermination)) return;
  const claim = claimOfNode(ctx, node);
  if (claim) {
    if (!claim.metadata.deletionTimestamp) {
      rc.recorder.normal(claim, 'NodeDeleted', `Node ${nodeName} was deleted; terminating its NodeClaim`);
      rc.log.info({ nodeClaim: claim.metadata.name }, 'node deleted directly; deleting its NodeClaim');
      await deleteClaim(ctx, claim);
    }
    // The NodeClaim's termination removes the finalizer once the instance is gone.
    return;
  }
  // The cache may not show a NodeClaim that was just launched for this Node: ask again shortly before letting go.
  const age = ctx.now().getTime() - Date.parse(node.metadata.creationTimestamp ?? '');
  if (!(age > ctx.options.garbageCollectionGraceMs)) return { requeueAfter: ctx.options.garbageCollectionGraceMs };
  await updateNode(ctx, node, (current) => {
    const finalizers = current.metadata?.finalizers ?? [];
    return finalizers.includes(FinalizerTermination) ? { metadata: { finalizers: finalizers.filter((f) => f !== FinalizerTermination) } } : undefined;
  });
  rc.log.info({ node: nodeName }, 'node has no NodeClaim; removed its termination finalizer');
}
