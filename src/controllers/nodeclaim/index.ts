// The NodeClaim lifecycle: launch, registration, initialization, liveness (lifecycle.ts),
// termination with drain (termination.ts), the node termination path (node-termination.ts) and
// garbage collection (garbage-collection.ts). See README.md in this folder.
import { FinalizerTermination } from '../../apis/labels.js';
import { keyOf, periodic, watch, type Manager } from '../../operator/index.js';
import type { ControllerDeps } from '../index.js';
import { ClaimIndex, claimOfNode } from '../shared/cluster-informers.js';
import { informersOf, type NodeClaimContext } from './context.js';
import { collectGarbage } from './garbage-collection.js';
import { reconcileLifecycle } from './lifecycle.js';
import { NodeClaimMetrics } from './metrics.js';
import { reconcileNodeTermination } from './node-termination.js';
import { defaultNodeClaimOptions, type NodeClaimOptions } from './options.js';
import { reconcileTermination } from './termination.js';

export { defaultNodeClaimOptions, type NodeClaimOptions } from './options.js';

export function registerNodeClaim(manager: Manager, deps: ControllerDeps, overrides: Partial<NodeClaimOptions> = {}): NodeClaimContext {
  const informers = informersOf(manager);
  const ctx: NodeClaimContext = {
    manager,
    cloud: deps.cloud,
    catalog: deps.catalog,
    cluster: { clusterId: deps.settings.clusterId, clusterName: deps.settings.clusterName, region: deps.settings.region },
    options: { ...defaultNodeClaimOptions, ...(deps.settings.nodeClaim ?? {}), ...overrides },
    metrics: new NodeClaimMetrics(manager.registry, () => informers.claims.list()),
    ...informers,
    now: () => new Date(),
  };
  const { claims, nodes, nodeClasses, pods } = ctx;

  manager.addController({
    name: 'nodeclaim-lifecycle',
    concurrency: 10,
    watches: [
      watch(claims),
      // A Node joining, becoming Ready or losing a startup taint moves its NodeClaim along.
      watch(nodes, (e) => {
        const claim = claimOfNode(ctx, e.object);
        return claim ? keyOf(claim) : undefined;
      }),
      // A node class becoming Ready releases the NodeClaims waiting to launch from it.
      watch(nodeClasses, (e) =>
        claims
          .byIndex(ClaimIndex.byNodeClass, e.object.metadata.name ?? '')
          .filter((c) => !c.status?.providerID)
          .map((c) => keyOf(c)),
      ),
      // A pod leaving a draining node lets its drain go on at once.
      watch(pods, (e) => {
        if (e.type !== 'delete') return undefined;
        const node = e.object.spec?.nodeName ? nodes.get(e.object.spec.nodeName) : undefined;
        const claim = node ? claimOfNode(ctx, node) : undefined;
        return claim?.metadata.deletionTimestamp ? keyOf(claim) : undefined;
      }),
    ],
    async reconcile(key, rc) {
      const claim = claims.getByKey(key);
      if (!claim) return;
      if (claim.metadata.deletionTimestamp) return reconcileTermination(ctx, claim, rc);
      return reconcileLifecycle(ctx, claim, rc);
    },
  });

  manager.addController({
    name: 'node-termination',
    watches: [
      watch(nodes, (e) => (e.object.metadata?.deletionTimestamp && e.object.metadata.finalizers?.includes(FinalizerTermination) ? keyOf(e.object) : undefined)),
    ],
    reconcile: (key, rc) => reconcileNodeTermination(ctx, key, rc),
  });

  manager.addRunnable(
    periodic({
      name: 'nodeclaim-garbage-collection',
      intervalMs: ctx.options.garbageCollectionIntervalMs,
      run: (run) => collectGarbage(ctx, run),
    }),
  );
  return ctx;
}
