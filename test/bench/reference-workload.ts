// Issue 10's reference workload, reproduced exactly: 400 synthetic instance types and Karpenter's
// "diverse" pod mix (plain, zonal spread, hostname spread, zonal self-affinity, hostname
// anti-affinity), plus the 4,000-pod preference case.
import type { InstanceType, NodePoolTemplate, PodSpecLite } from '../../src/scheduling/index.js';
import { LabelArch, LabelHostname, LabelInstanceType, LabelOS, LabelZone } from '../../src/apis/labels.js';
import { pick, type Rng } from './prng.js';

const Mi = 2 ** 20;
const Gi = 2 ** 30;
export const FakeZones = ['test-zone-1', 'test-zone-2', 'test-zone-3'];

/** fake-it-<i>: i+1 vCPU, 2(i+1) GiB, 10(i+1) pods, kube-reserved 100m and 10Mi, five offerings at 0.1/vCPU + 0.1/GiB. */
export function fakeInstanceTypes(count = 400): InstanceType[] {
  const out: InstanceType[] = [];
  for (let i = 0; i < count; i++) {
    const vcpu = i + 1;
    const memGiB = 2 * (i + 1);
    const price = 0.1 * vcpu + 0.1 * memGiB;
    const capacity = { cpu: vcpu * 1000, memory: memGiB * Gi, pods: 10 * (i + 1) };
    out.push({
      name: `fake-it-${i}`,
      labels: { [LabelInstanceType]: `fake-it-${i}`, [LabelArch]: 'amd64', [LabelOS]: 'linux' },
      capacity,
      allocatable: { cpu: capacity.cpu - 100, memory: capacity.memory - 10 * Mi, pods: capacity.pods },
      offerings: [
        { zone: 'test-zone-1', capacityType: 'spot', price, available: true },
        { zone: 'test-zone-2', capacityType: 'spot', price, available: true },
        { zone: 'test-zone-1', capacityType: 'on-demand', price, available: true },
        { zone: 'test-zone-2', capacityType: 'on-demand', price, available: true },
        { zone: 'test-zone-3', capacityType: 'on-demand', price, available: true },
      ],
    });
  }
  return out;
}

export const defaultNodePool: NodePoolTemplate = { name: 'default' };

const cpus = [100, 250, 500, 1000, 1500];
const mems = [100 * Mi, 256 * Mi, 512 * Mi, 1 * Gi, 2 * Gi, 4 * Gi];
const labelValues = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

let uidCounter = 0;
function pod(rng: Rng, labels: Record<string, string>, extra: Partial<PodSpecLite> = {}): PodSpecLite {
  const n = ++uidCounter;
  return {
    uid: `pod-${n}`,
    name: `pod-${n}`,
    namespace: 'default',
    labels,
    containers: [{ requests: { cpu: pick(rng, cpus), memory: pick(rng, mems) } }],
    ...extra,
  };
}

function spreadPod(rng: Rng, key: string): PodSpecLite {
  return pod(rng, { 'my-label': pick(rng, labelValues) }, {
    topologySpreadConstraints: [{
      maxSkew: 1, topologyKey: key, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { 'my-label': pick(rng, labelValues) } },
    }],
  });
}

/** One fifth each: plain, zonal spread, hostname spread, zonal self-affinity, hostname anti-affinity. */
export function diversePods(count: number, rng: Rng): PodSpecLite[] {
  const fifth = Math.floor(count / 5);
  const pods: PodSpecLite[] = [];
  for (let i = 0; i < fifth; i++) pods.push(pod(rng, { 'my-label': pick(rng, labelValues) }));
  for (let i = 0; i < fifth; i++) pods.push(spreadPod(rng, LabelZone));
  for (let i = 0; i < fifth; i++) pods.push(spreadPod(rng, LabelHostname));
  for (let i = 0; i < fifth; i++) {
    const v = pick(rng, labelValues);
    pods.push(pod(rng, { 'my-affinity': v }, {
      affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: LabelZone, labelSelector: { matchLabels: { 'my-affinity': v } } }] } },
    }));
  }
  for (let i = 0; i < fifth; i++) {
    pods.push(pod(rng, { app: 'nginx' }, {
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: LabelHostname, labelSelector: { matchLabels: { app: 'nginx' } } }] } },
    }));
  }
  while (pods.length < count) pods.push(pod(rng, { 'my-label': pick(rng, labelValues) }));
  return pods;
}

/**
 * Pods whose constraints are all preferences: a zonal node affinity that can be met, a zonal
 * anti-affinity that cannot (only three zones for thousands of pods; the heaviest term), and a
 * hostname anti-affinity.
 */
export function preferencePods(count: number, rng: Rng): PodSpecLite[] {
  const pods: PodSpecLite[] = [];
  for (let i = 0; i < count; i++) {
    pods.push(pod(rng, { app: 'preferences' }, {
      affinity: {
        nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: LabelZone, operator: 'In', values: ['test-zone-1'] }] } }] },
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, podAffinityTerm: { topologyKey: LabelZone, labelSelector: { matchLabels: { app: 'preferences' } } } },
            { weight: 50, podAffinityTerm: { topologyKey: LabelHostname, labelSelector: { matchLabels: { app: 'preferences' } } } },
          ],
        },
      },
    }));
  }
  return pods;
}
