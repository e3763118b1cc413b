// The provisioner: pending pods are batched (settings.batch: a batch closes after `idleMs` without
// a new pod, or `maxMs` after its first), then one pass snapshots the cluster, runs the scheduling
// core and creates the NodeClaims of the plan. Also keeps NodePool status, hash and Ready condition.
import { BatchWindow, type Manager } from '../../operator/index.js';
import { isNodeBeingDeleted, isProvisionable } from '../../state/index.js';
import type { ControllerDeps } from '../index.js';
import { ProvisioningMetrics } from './metrics.js';
import { registerNodePoolStatus, type UsageByPool } from './nodepool-status.js';
import { snapshotInformers } from '../shared/cluster-informers.js';
import { Provisioner } from './provisioner.js';
import { VSwitchReadings } from './vswitch-readings.js';

export { nodePoolHash, NodePoolHashVersion } from './nodepool-hash.js';
export { nodeClaimBody, claimRequirements, plannedPodNetworks } from './nodeclaim-builder.js';

export interface ProvisioningOptions {
  /** A pass that left pods unplaced runs again after this long even without new events (a node class may become Ready, stock may return). */
  retryAfterMs: number;
}

export const defaultProvisioningOptions: ProvisioningOptions = { retryAfterMs: 10_000 };

export function registerProvisioning(manager: Manager, deps: ControllerDeps, overrides: Partial<ProvisioningOptions> = {}): Provisioner {
  const options = { ...defaultProvisioningOptions, ...overrides };
  const informers = snapshotInformers(manager);
  const usageByPool: UsageByPool = new Map();
  const metrics = new ProvisioningMetrics(manager.registry, {
    pools: () => informers.nodePools.list(),
    usage: (pool) => usageByPool.get(pool),
    pods: () => informers.pods.list(),
    nodeLabels: (name) => informers.nodes.get(name)?.metadata?.labels,
  });
  const readings = new VSwitchReadings(deps.cloud, manager.logger.child({ controller: 'provisioner' }));
  const provisioner = new Provisioner(manager, deps, informers, metrics, readings);
  const window = new BatchWindow({ idleMs: deps.settings.batch.idleMs, maxMs: deps.settings.batch.maxMs });

  informers.pods.addHandler((e) => {
    const uid = e.object.metadata?.uid;
    if (e.type === 'delete') {
      if (uid) provisioner.forget(uid);
      return;
    }
    if (isProvisionable(e.object)) {
      if (uid) provisioner.seen(uid);
      // A resync replays every pod; only a real change opens a batch.
      if (e.type !== 'resync') window.add();
    } else if (uid) {
      provisioner.forget(uid);
    }
  });
  // Capacity going away (its pods need a new home) or a claim that failed to launch and was deleted.
  informers.nodes.addHandler((e) => {
    if (e.type === 'update' && isNodeBeingDeleted(e.object) && !(e.old && isNodeBeingDeleted(e.old))) window.add();
  }, { replay: false });
  informers.nodeClaims.addHandler((e) => {
    if (e.type === 'delete' || (e.type === 'update' && e.object.metadata.deletionTimestamp && !e.old?.metadata.deletionTimestamp)) window.add();
  }, { replay: false });
  // A NodePool or node class that changes may make pending pods placeable.
  informers.nodePools.addHandler((e) => { if (e.type !== 'resync' && e.type !== 'delete' && (e.type === 'add' || e.old?.metadata.generation !== e.object.metadata.generation)) window.add(); }, { replay: false });
  informers.nodeClasses.addHandler((e) => { if (e.type === 'update' && JSON.stringify(e.old?.status?.conditions) !== JSON.stringify(e.object.status?.conditions)) window.add(); }, { replay: false });

  registerNodePoolStatus(manager, deps, informers, usageByPool);

  manager.addRunnable({
    name: 'provisioner',
    async run(ctx) {
      const { signal, log } = ctx;
      await Promise.all(Object.values(informers).map((i) => i.waitForSync(signal)));
      window.add(); // whatever was pending before this replica led
      let retry: NodeJS.Timeout | undefined;
      signal.addEventListener('abort', () => clearTimeout(retry), { once: true });
      while (await window.wait(signal)) {
        clearTimeout(retry);
        let again = false;
        try {
          const outcome = await provisioner.provisionOnce(ctx);
          again = outcome.unschedulable > 0 || outcome.failedCreates > 0;
        } catch (error) {
          log.error({ err: error }, 'provisioning pass failed');
          again = true;
        }
        if (again && !signal.aborted) {
          retry = setTimeout(() => window.add(), options.retryAfterMs);
          retry.unref();
        }
      }
    },
  });
  return provisioner;
}
