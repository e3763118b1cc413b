// The IPAM's periodic work (leader only): pool upkeep (idle reclaim, then top-up to
// minPoolSize), reconciliation with DescribeNetworkInterfaces, tag-based GC of leaked ENIs, and
// releases the watch events can miss: addresses held for pods that no longer exist (a crash
// between the engine's two writes, a delete event lost while the operator was down), fixed IPs
// past their TTL, and pools of instances whose Node and NodeClaim are gone.
import { podId } from '../../ipam/state.js';
import { periodic, splitKey, type Manager, type RunContext } from '../../operator/index.js';
import { whenReady, type IpamContext } from './context.js';

function pending(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** Releases addresses whose pod is gone or finished; returns how many. */
export async function releaseOrphans(ctx: IpamContext, run: RunContext): Promise<number> {
  let released = 0;
  for (const held of ctx.engine.heldAddresses()) {
    if (pending(run.signal)) break;
    const { namespace = '', name } = splitKey(held.podId);
    const pod = ctx.pods.get(name, namespace);
    const finished = pod?.status?.phase === 'Succeeded' || pod?.status?.phase === 'Failed';
    const sameUid = held.podUid === undefined || pod?.metadata?.uid === held.podUid;
    if (pod && sameUid && !finished) continue;
    // A fixed IP whose pod is gone stays on its ENI, unbound, until its TTL: nothing to release.
    const alloc = ctx.engine.allocationOf(namespace, name);
    if (alloc?.allocation.type === 'Fixed' && alloc.phase === 'Unbind') continue;
    try {
      await ctx.engine.release({ namespace, name, ...(held.podUid !== undefined ? { uid: held.podUid } : {}) });
      released++;
      run.log.info({ pod: podId(namespace, name), ip: held.ip, node: held.nodeName }, 'released the address of a pod that is gone');
    } catch (err) {
      run.log.warn({ err: (err as Error).message, pod: held.podId }, 'could not release the address of a pod that is gone; will retry');
    }
  }
  return released;
}

/**
 * A fixed IP kept for a pod that is gone goes at once when its PodNetworking is deleted (Terway
 * keeps it only while the PodNetworking that promised it exists).
 */
export async function releaseFixedOfDeletedPodNetworkings(ctx: IpamContext, run: RunContext): Promise<void> {
  await ctx.podNetworkings.waitForSync(run.signal);
  for (const alloc of ctx.engine.allocations()) {
    if (alloc.allocation.type !== 'Fixed' || alloc.phase !== 'Unbind' || !alloc.podNetworking) continue;
    if (ctx.podNetworkings.get(alloc.podNetworking)) continue;
    try {
      await ctx.engine.releaseFixed(alloc.namespace, alloc.name);
      run.log.info({ pod: podId(alloc.namespace, alloc.name), ip: alloc.ip, podNetworking: alloc.podNetworking }, 'released a fixed IP whose PodNetworking is gone');
    } catch (err) {
      run.log.warn({ err: (err as Error).message, pod: podId(alloc.namespace, alloc.name) }, 'could not release a fixed IP; will retry');
    }
  }
}

export function registerUpkeep(manager: Manager, ctx: IpamContext, nodeInstances: () => string[]): void {
  const { engine, options } = ctx;
  const task = (name: string, intervalMs: number, work: (run: RunContext) => Promise<unknown>) =>
    manager.addRunnable(
      periodic({
        name,
        intervalMs,
        runAtStart: false,
        async run(run) {
          if (!(await whenReady(ctx, run.signal))) return;
          await work(run);
        },
      }),
    );

  task('ipam-pool-upkeep', options.poolUpkeepIntervalMs, async () => {
    await engine.reclaimIdle();
    await engine.warmUpAll();
  });
  task('ipam-reconcile', options.reconcileIntervalMs, () => engine.reconcileAll());
  task('ipam-eni-garbage-collection', options.garbageCollectionIntervalMs, async (run) => {
    const deleted = await engine.collectGarbage();
    if (deleted.length > 0) run.log.info({ enis: deleted }, 'deleted leaked ENIs');
  });
  task('ipam-release', options.releaseIntervalMs, async (run) => {
    await ctx.pods.waitForSync(run.signal);
    await releaseOrphans(ctx, run);
    await releaseFixedOfDeletedPodNetworkings(ctx, run);
    const fixed = await engine.sweepFixedIps();
    if (fixed > 0) run.log.info({ released: fixed }, 'released fixed IPs past their TTL');
    // Pools whose instance lost its Node and NodeClaim while no event reached us.
    for (const instanceId of nodeInstances()) ctx.nodeTrigger.trigger(instanceId);
  });
}
