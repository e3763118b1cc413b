// The NodeClaim lifecycle, one step per reconcile pass, Karpenter v1's order
// (pkg/controllers/nodeclaim/lifecycle): finalizer, launch, registration, initialization, with
// liveness watching the whole way until the Node registers. A deleted NodeClaim goes to
// termination.ts instead.
import { NodeClaimConditions, isConditionTrue } from '../../apis/conditions.js';
import { FinalizerTermination, LabelNodeInitialized, LabelNodePool } from '../../apis/labels.js';
import type { NodeClaim } from '../../apis/nodeclaim.js';
import { formatDuration } from '../../apis/duration.js';
import type { Node, ReconcileContext, ReconcileResult } from '../../operator/index.js';
import { withConditions, type ConditionUpdate } from './conditions.js';
import { nodeOfClaim } from '../shared/cluster-informers.js';
import { deleteClaim, patchClaimMetadata, patchClaimStatus, updateNode, type NodeClaimContext } from './context.js';
import { launch } from './launch.js';
import { initializationBlocker, isRegistered, registrationOf } from './node-sync.js';

/** Looks again at a launched claim whose Node is not there or not ready yet, besides Node events. */
const pollMs = 30_000;

function nodePoolOf(claim: NodeClaim): string {
  return claim.metadata.labels?.[LabelNodePool] ?? '';
}

async function setConditions(ctx: NodeClaimContext, claim: NodeClaim, updates: ConditionUpdate[]): Promise<NodeClaim> {
  const conditions = withConditions(claim.status?.conditions ?? [], updates, ctx.now(), claim.metadata.generation);
  if (conditions === claim.status?.conditions) return claim;
  return patchClaimStatus(ctx, claim, { conditions });
}

export async function reconcileLifecycle(ctx: NodeClaimContext, claim: NodeClaim, rc: ReconcileContext): Promise<ReconcileResult | void> {
  if (!claim.metadata.finalizers?.includes(FinalizerTermination)) {
    claim = await patchClaimMetadata(ctx, claim, { finalizers: [...(claim.metadata.finalizers ?? []), FinalizerTermination] });
  }

  const registered = isConditionTrue(claim.status?.conditions, NodeClaimConditions.Registered);
  if (!registered) {
    const liveness = await checkLiveness(ctx, claim, rc);
    if (liveness) return liveness;
  }

  if (!claim.status?.providerID) {
    const outcome = await launch(ctx, claim, rc);
    if ('result' in outcome) return outcome.result;
    claim = outcome.launched;
  }

  const node = nodeOfClaim(ctx, claim);
  if (!node) {
    await setConditions(ctx, claim, [
      { type: NodeClaimConditions.Registered, status: 'Unknown', reason: 'NodeNotFound', message: 'waiting for the Node to register' },
    ]);
    return { requeueAfter: Math.min(pollMs, remainingLiveness(ctx, claim)) };
  }
  // A Node being deleted is handled by the node termination controller, which deletes this claim.
  if (node.metadata?.deletionTimestamp) return;

  claim = await register(ctx, claim, node, rc, registered);
  return initialize(ctx, claim, node, rc);
}

function remainingLiveness(ctx: NodeClaimContext, claim: NodeClaim): number {
  const created = Date.parse(claim.metadata.creationTimestamp ?? '');
  if (Number.isNaN(created)) return ctx.options.registrationTtlMs;
  return Math.max(1_000, created + ctx.options.registrationTtlMs - ctx.now().getTime() + 100);
}

/** Karpenter's liveness: a NodeClaim whose Node has not registered within the TTL of its creation is deleted. */
async function checkLiveness(ctx: NodeClaimContext, claim: NodeClaim, rc: ReconcileContext): Promise<ReconcileResult | undefined> {
  const created = Date.parse(claim.metadata.creationTimestamp ?? '');
  if (Number.isNaN(created) || ctx.now().getTime() - created < ctx.options.registrationTtlMs) return undefined;
  const ttl = formatDuration(ctx.options.registrationTtlMs);
  const launched = Boolean(claim.status?.providerID);
  const message = launched
    ? `the Node of instance ${claim.status?.providerID ?? ''} did not register within ${ttl}`
    : `no instance was launched within ${ttl}`;
  await setConditions(ctx, claim, [{ type: NodeClaimConditions.Registered, status: 'False', reason: 'RegistrationTimeout', message }]).catch(() => claim);
  rc.recorder.warning(claim, 'RegistrationTimeout', `Deleting the NodeClaim: ${message}`);
  rc.log.warn({ providerID: claim.status?.providerID, ttl }, 'liveness: NodeClaim did not register in time; deleting it');
  await deleteClaim(ctx, claim);
  return {};
}

async function register(ctx: NodeClaimContext, claim: NodeClaim, node: Node, rc: ReconcileContext, alreadyRegistered: boolean): Promise<NodeClaim> {
  await updateNode(ctx, node, (fresh) => {
    const registration = registrationOf(fresh, claim, !alreadyRegistered);
    if (isRegistered(fresh, registration)) return undefined;
    return {
      metadata: { labels: registration.labels, ownerReferences: registration.ownerReferences, finalizers: registration.finalizers },
      spec: { taints: registration.taints },
    };
  });
  const nodeName = node.metadata?.name ?? '';
  if (alreadyRegistered && claim.status?.nodeName === nodeName) return claim;
  const conditions = withConditions(
    claim.status?.conditions ?? [],
    [{ type: NodeClaimConditions.Registered, status: 'True', reason: 'Registered', message: '' }],
    ctx.now(),
    claim.metadata.generation,
  );
  const updated = await patchClaimStatus(ctx, claim, { nodeName, conditions });
  if (!alreadyRegistered) {
    ctx.metrics.registered.inc({ nodepool: nodePoolOf(claim) });
    ctx.metrics.nodesCreated.inc({ nodepool: nodePoolOf(claim) });
    rc.recorder.normal(updated, 'Registered', `Node ${nodeName} registered`, { related: { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, uid: node.metadata?.uid } } });
    rc.log.info({ node: nodeName }, 'registered');
  }
  return updated;
}

async function initialize(ctx: NodeClaimContext, claim: NodeClaim, node: Node, rc: ReconcileContext): Promise<ReconcileResult | void> {
  const initialized = isConditionTrue(claim.status?.conditions, NodeClaimConditions.Initialized);
  if (initialized) {
    // Keep the label in place if someone removed it; nothing else to do.
    if (node.metadata?.labels?.[LabelNodeInitialized] !== 'true') {
      await updateNode(ctx, node, () => ({ metadata: { labels: { [LabelNodeInitialized]: 'true' } } }));
    }
    return;
  }
  const blocker = initializationBlocker(node, claim);
  if (blocker) {
    await setConditions(ctx, claim, [{ type: NodeClaimConditions.Initialized, status: 'Unknown', reason: 'NotInitialized', message: blocker }]);
    return { requeueAfter: pollMs };
  }
  await updateNode(ctx, node, (fresh) =>
    fresh.metadata?.labels?.[LabelNodeInitialized] === 'true' ? undefined : { metadata: { labels: { [LabelNodeInitialized]: 'true' } } },
  );
  const updated = await setConditions(ctx, claim, [{ type: NodeClaimConditions.Initialized, status: 'True', reason: 'Initialized', message: '' }]);
  ctx.metrics.initialized.inc({ nodepool: nodePoolOf(claim) });
  rc.recorder.normal(updated, 'Initialized', `Node ${node.metadata?.name ?? ''} is initialized and ready for pods`);
  rc.log.info({ node: node.metadata?.name }, 'initialized');
}
