// The IPAM's Kubernetes side: the engine (src/ipam) persisted in NetworkNode and PodENI CRs
// (store.ts), the node pool controller (nodes.ts), the pod controller (pods.ts) and the periodic
// upkeep (upkeep.ts). See README.md in this folder for the CNI contract.
import { IpamEngine } from '../../ipam/engine.js';
import { splitKey, ManualSource, untilAborted, watch, type Manager } from '../../operator/index.js';
import type { ControllerDeps } from '../index.js';
import { instanceIdOf } from '../shared/provider-id.js';
import { defaultIpamControllerOptions, informersOf, whenReady, type IpamContext, type IpamControllerOptions } from './context.js';
import { NodePoolController } from './nodes.js';
import { PodIpamController } from './pods.js';
import { KubeIpamStore } from './store.js';
import { registerUpkeep } from './upkeep.js';

export { KubeIpamStore } from './store.js';
export { defaultIpamControllerOptions, type IpamControllerOptions } from './context.js';
export { podAnnotationsFor } from './pod-annotations.js';

export interface IpamRegistration {
  engine: IpamEngine;
  store: KubeIpamStore;
  /** Resolves once the engine rebuilt its state from the CRs (leader only). */
  ready: Promise<void>;
}

export function registerIpam(manager: Manager, deps: ControllerDeps, overrides: Partial<IpamControllerOptions> = {}): IpamRegistration {
  const logger = manager.logger.child({ component: 'ipam' });
  const informers = informersOf(manager);
  const store = new KubeIpamStore(manager.clients, deps.cloud.region, logger);
  const engine = new IpamEngine({
    cloud: deps.cloud,
    store,
    config: deps.settings.ipam,
    logger,
    registry: manager.registry,
    onAddressLost: (id, ip, reason) => {
      const { namespace = '', name } = splitKey(id);
      const pod = informers.pods.get(name, namespace);
      if (pod) manager.recorder.warning(pod, 'IPLost', `address ${ip} was taken away in the cloud (${reason}); restart the pod to get a new one`);
    },
  });
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const ctx: IpamContext = {
    manager,
    engine,
    cloud: deps.cloud,
    catalog: deps.catalog,
    settings: deps.settings,
    options: { ...defaultIpamControllerOptions, ...overrides },
    ready,
    ...informers,
    podTrigger: new ManualSource('ipam pods of a newly registered node'),
    nodeTrigger: new ManualSource('ipam instances to look at again'),
  };

  let started = false;
  manager.addRunnable({
    name: 'ipam-engine-start',
    async run({ signal, log }) {
      if (!started) {
        // Rebuilds every node and pod record from the CRs and reconciles them with the cloud,
        // before any controller allocates or releases.
        await engine.start();
        started = true;
        markReady();
        log.info({ nodes: engine.nodeNames().length, pods: engine.allocations().length }, 'IPAM engine started');
      }
      await untilAborted(signal);
      // No longer leading (or shutting down): nothing this engine still has in flight may land,
      // and no scheduled refill may reach the cloud after the next leader has reconciled.
      store.close();
      await engine.stop();
    },
  });

  const nodesController = new NodePoolController(ctx);
  manager.addController({
    name: 'ipam-node',
    concurrency: 4,
    watches: [
      watch(ctx.nodes, (e) => instanceIdOf(e.object.spec?.providerID)),
      watch(ctx.claims, (e) => instanceIdOf(e.object.status?.providerID)),
      ctx.nodeTrigger,
    ],
    async reconcile(instanceId, rc) {
      if (!(await whenReady(ctx, rc.signal))) return;
      return nodesController.reconcile(instanceId, rc);
    },
  });

  const podsController = new PodIpamController(ctx);
  manager.addController({
    name: 'ipam-pod',
    concurrency: 8,
    watches: [
      watch(ctx.pods, (e) => {
        const meta = e.object.metadata;
        if (!meta?.name || !meta.namespace) return undefined;
        // Unbound pods have nothing to allocate or release.
        if (!e.object.spec?.nodeName && !(e.type === 'update' && e.old.spec?.nodeName)) return undefined;
        return `${meta.namespace}/${meta.name}`;
      }),
      ctx.podTrigger,
    ],
    async reconcile(key, rc) {
      if (!(await whenReady(ctx, rc.signal))) return;
      return podsController.reconcile(key, rc);
    },
  });

  registerUpkeep(manager, ctx, () => engine.nodeNames().map((n) => engine.nodeState(n)?.instanceId).filter((id): id is string => id !== undefined));
  return { engine, store, ready };
}
