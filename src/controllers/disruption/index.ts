// Disruption: the NodeClaim conditions it reads (conditions.ts), the pod-event clock, the voluntary disruption loop (voluntary.ts: expiration, drift, emptiness, consolidation,
// one validated command at a time) and spot interruption (interruption.ts). The decisions are the
// pure core's (src/disruption); this folder reads the cache and carries them out.
import { keyOf, periodic, watch, type Manager } from '../../operator/index.js';
import { PodSpecCache } from '../../state/index.js';
import type { ControllerDeps } from '../index.js';
import { reconcileConditions, podEventClaims, recordPodEvent } from './conditions.js';
import { IndexClaimByNodeClassName, IndexClaimByNodePool, informersOf, type DisruptionContext, type DisruptionOptions } from './context.js';
import { isInterrupted, reconcileInterruption } from './interruption.js';
import { DisruptionMetrics } from './metrics.js';
import { DisruptionLoop } from './voluntary.js';

export type { DisruptionOptions } from './context.js';

export function registerDisruption(manager: Manager, deps: ControllerDeps, overrides: Partial<DisruptionOptions> = {}): DisruptionContext {
  const informers = informersOf(manager);
  const ctx: DisruptionContext = {
    manager,
    cloud: deps.cloud,
    catalog: deps.catalog,
    settings: deps.settings,
    options: {
      pollIntervalMs: deps.settings.disruption.pollIntervalMs,
      validationDelayMs: deps.settings.disruption.validationDelayMs,
      replacementTimeoutMs: 10 * 60_000,
      consolidatedTtlMs: 5 * 60_000,
      podEventDedupeMs: 5_000,
      interruptionDrainLeadMs: 30_000,
      ...overrides,
    },
    metrics: new DisruptionMetrics(manager.registry),
    instanceFacts: new Map(),
    podCache: new PodSpecCache(),
    now: () => Date.now(),
    ...informers,
  };
  const { claims, nodes, pods, nodePools, nodeClasses } = ctx;

  manager.addController({
    name: 'nodeclaim-disruption',
    concurrency: 4,
    watches: [
      watch(claims),
      watch(nodePools, (e) => claims.byIndex(IndexClaimByNodePool, e.object.metadata.name ?? '').map((c) => keyOf(c))),
      watch(nodeClasses, (e) => claims.byIndex(IndexClaimByNodeClassName, e.object.metadata.name ?? '').map((c) => keyOf(c))),
    ],
    reconcile: (key, rc) => reconcileConditions(ctx, key, rc),
  });

  manager.addController({
    name: 'nodeclaim-podevents',
    concurrency: 2,
    watches: [watch(pods, (e) => podEventClaims(ctx, e))],
    async reconcile(key) {
      const claim = claims.getByKey(key);
      if (claim && !claim.metadata.deletionTimestamp) await recordPodEvent(ctx, claim);
    },
  });

  manager.addController({
    name: 'interruption',
    concurrency: 4,
    watches: [watch(nodes, (e) => (e.type !== 'delete' && isInterrupted(e.object) ? keyOf(e.object) : undefined))],
    reconcile: (key, rc) => reconcileInterruption(ctx, key, rc),
  });

  const loop = new DisruptionLoop(ctx);
  manager.addRunnable(
    periodic({
      name: 'disruption',
      intervalMs: ctx.options.pollIntervalMs,
      jitter: 0,
      run: async (run) => {
        await loop.pass(run);
      },
    }),
  );
  return ctx;
}
