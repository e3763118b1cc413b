// Issue 6's real-catalog workloads: Deployments of mixed sizes against the shared ECS catalog,
// plain, with zonal topology spread, with hostname anti-affinity, and a mix that also has zonal
// self-affinity and PodNetworking pods (network-aware placement).
import type { NetworkingInput, NodePoolTemplate, PodSpecLite } from '../../src/scheduling/index.js';
import { LabelArch, LabelCapacityType, LabelHostname, LabelOS, LabelZone } from '../../src/apis/labels.js';
import { pick, type Rng } from './prng.js';

const Mi = 2 ** 20;
const Gi = 2 ** 30;

export const catalogNodePool: NodePoolTemplate = {
  name: 'default',
  requirements: [
    { key: LabelArch, operator: 'In', values: ['amd64'] },
    { key: LabelOS, operator: 'In', values: ['linux'] },
    { key: LabelCapacityType, operator: 'In', values: ['spot', 'on-demand'] },
  ],
};

export type CatalogWorkload = 'plain' | 'zonal-spread' | 'hostname-anti-affinity' | 'mix';

const cpus = [100, 250, 500, 1000, 1500];
const mems = [100 * Mi, 256 * Mi, 512 * Mi, 1 * Gi, 2 * Gi, 4 * Gi];

type Kind = 'plain' | 'spread' | 'anti' | 'affinity' | 'network';

function kindFor(workload: CatalogWorkload, rng: Rng): Kind {
  switch (workload) {
    case 'plain': return 'plain';
    case 'zonal-spread': return 'spread';
    case 'hostname-anti-affinity': return 'anti';
    case 'mix': {
      const r = rng();
      return r < 0.5 ? 'plain' : r < 0.7 ? 'spread' : r < 0.85 ? 'anti' : r < 0.95 ? 'affinity' : 'network';
    }
  }
}

/** Deployments of 5 to 50 replicas, each with one random size, until `count` pods. */
export function catalogPods(workload: CatalogWorkload, count: number, rng: Rng): PodSpecLite[] {
  const pods: PodSpecLite[] = [];
  let deployment = 0;
  while (pods.length < count) {
    const app = `app-${++deployment}`;
    const replicas = Math.min(count - pods.length, 5 + Math.floor(rng() * 46));
    const requests = { cpu: pick(rng, cpus), memory: pick(rng, mems) };
    const kind = kindFor(workload, rng);
    const sel = { matchLabels: { app } };
    for (let i = 0; i < replicas; i++) {
      const uid = `${app}-${i}`;
      const p: PodSpecLite = {
        uid, name: uid, namespace: 'default', labels: { app },
        containers: [{ requests }],
        ...(kind === 'spread' ? { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: LabelZone, whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: sel }] } : {}),
        ...(kind === 'anti' ? { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: LabelHostname, labelSelector: sel }] } } } : {}),
        ...(kind === 'affinity' ? { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: LabelZone, labelSelector: sel }] } } } : {}),
        ...(kind === 'network' ? { labels: { app, 'app-type': 'core-trade' }, network: { podNetworking: 'core-trade' } } : {}),
      };
      pods.push(p);
    }
  }
  return pods;
}

/** The bank's core-trade PodNetworking: vSwitches in three of the region's zones, one nearly full. */
export function catalogNetworking(zones: readonly string[]): NetworkingInput {
  const [a = 'z-a', b = 'z-b', c = 'z-c'] = zones.slice(1, 4);
  return {
    vSwitches: [
      { id: 'vsw-core-1', zone: a, freeIPs: 4000 },
      { id: 'vsw-core-2', zone: b, freeIPs: 4000 },
      { id: 'vsw-core-3', zone: c, freeIPs: 20 },
    ],
    podNetworkings: [{ name: 'core-trade', vSwitchIds: ['vsw-core-1', 'vsw-core-2', 'vsw-core-3'] }],
  };
}
