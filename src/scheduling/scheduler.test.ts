import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { solve } from './scheduler.js';
import { Gi, instanceType, Mi, pod, pods } from './test-fixtures.js';
import type { ExistingNode, NodePoolTemplate, SchedulingInput, SchedulingResult } from './types.js';

const large = instanceType('c.large', 2, 4);
const xlarge = instanceType('c.xlarge', 4, 8);
const x2large = instanceType('c.2xlarge', 8, 16);
const types = [large, xlarge, x2large];
const pool: NodePoolTemplate = { name: 'default' };

function run(partial: Partial<SchedulingInput>, options?: Parameters<typeof solve>[1]): SchedulingResult {
  return solve({ pods: [], nodePools: [pool], instanceTypes: types, ...partial }, options);
}

function claimOf(result: SchedulingResult, uid: string) {
  return result.newClaims.find((c) => c.pods.includes(uid));
}

function requirement(result: SchedulingResult, uid: string, key: string) {
  return claimOf(result, uid)?.requirements.find((r) => r.key === key);
}

describe('packing', () => {
  it('packs pods onto one node of the cheapest type that fits them, options cheapest first', () => {
    const r = run({ pods: pods(3, { cpu: 1000, mem: Gi }) });
    assert.equal(r.newClaims.length, 1);
    const claim = r.newClaims[0];
    assert.deepEqual(claim?.instanceTypeOptions.map((o) => o.name), ['c.xlarge', 'c.2xlarge']);
    assert.equal(claim?.price, xlarge.offerings[0]?.price);
    assert.deepEqual(claim?.requests, { cpu: 3000, memory: 3 * Gi, pods: 3 });
    assert.equal(r.unschedulable.size, 0);
  });

  it('opens more nodes when one is full, at the lowest total price', () => {
    const r = run({ pods: pods(10, { cpu: 1000, mem: Gi }) });
    assert.equal(r.unschedulable.size, 0);
    assert.ok(r.newClaims.length >= 2);
    // Ten one-core pods need ten cores; at 0.12 per core-and-2GiB no plan is cheaper than 1.2.
    const total = r.newClaims.reduce((s, c) => s + c.price, 0);
    assert.ok(Math.abs(total - 10 * 0.12) < 1e-9, `total ${total}`);
  });

  it('does not grow a node into a type that costs more than its pods would alone', () => {
    // One big pod, then small ones: growing the 8-core node to a pricier type just for the small
    // pods would cost more than giving them a small node.
    const pricey = instanceType('p.4xlarge', 16, 32, { price: 100 });
    const r = run({ instanceTypes: [...types, pricey], pods: [pod({ cpu: 7000, mem: Gi }), ...pods(2, { cpu: 1000, mem: Gi })] });
    assert.equal(r.newClaims.some((c) => c.instanceTypeOptions[0]?.name === 'p.4xlarge'), false);
    assert.equal(r.newClaims.length, 2);
  });

  it('grows nodes toward the largest type when told to, as upstream Karpenter does', () => {
    const r = run({ pods: pods(10, { cpu: 1000, mem: Gi }) }, { growthCostRatio: Infinity });
    assert.deepEqual(r.newClaims.map((c) => c.pods.length).sort(), [2, 8]);
  });

  it('sizes nodes by the larger of init containers and app containers, plus overhead', () => {
    const p = pod({ containers: [{ requests: { cpu: 500 } }], initContainers: [{ requests: { cpu: 3000 } }], overhead: { cpu: 200 } });
    const r = run({ pods: [p] });
    assert.equal(r.newClaims[0]?.instanceTypeOptions[0]?.name, 'c.xlarge');
    assert.equal(r.newClaims[0]?.requests.cpu, 3200);
  });

  it('reports a pod larger than every type, with the resources it asked for', () => {
    const r = run({ pods: [pod({ cpu: 16000 })] });
    assert.equal(r.newClaims.length, 0);
    assert.match(r.unschedulable.values().next().value ?? '', /nodepool "default".*cpu=16/);
  });

  it('adds DaemonSet overhead to every new node, only for DaemonSets that tolerate the pool', () => {
    const daemon = pod({ cpu: 1000, mem: Gi });
    const tainted: NodePoolTemplate = { name: 'tainted', taints: [{ key: 'dedicated', effect: 'NoSchedule' }] };
    const r = run({ pods: pods(2, { cpu: 1000, mem: Gi }), daemonSets: [daemon] });
    assert.equal(r.newClaims[0]?.requests.cpu, 3000);
    assert.equal(r.newClaims[0]?.instanceTypeOptions[0]?.name, 'c.xlarge');
    const t = run({
      nodePools: [tainted],
      pods: pods(2, { cpu: 1000, mem: Gi, tolerations: [{ key: 'dedicated', operator: 'Exists' }] }),
      daemonSets: [daemon],
    });
    assert.equal(t.newClaims[0]?.requests.cpu, 2000);
  });

  it('prefers spot when it is cheaper and honours a capacity-type requirement', () => {
    const spotty = [instanceType('s.large', 2, 4, { spotDiscount: 0.3 })];
    const r = run({ instanceTypes: spotty, pods: [pod()] });
    assert.equal(r.newClaims[0]?.instanceTypeOptions[0]?.offerings[0]?.capacityType, 'spot');
    const od = run({ instanceTypes: spotty, pods: [pod({ nodeSelector: { 'karpenter.sh/capacity-type': 'on-demand' } })] });
    assert.equal(od.newClaims[0]?.instanceTypeOptions[0]?.offerings[0]?.capacityType, 'on-demand');
    assert.deepEqual(requirement(od, od.newClaims[0]?.pods[0] ?? '', 'karpenter.sh/capacity-type')?.values, ['on-demand']);
  });
});

describe('node selection', () => {
  const arm = instanceType('a.large', 2, 4, { arch: 'arm64', price: 0.1 });

  it('honours nodeSelector', () => {
    const r = run({ instanceTypes: [...types, arm], pods: [pod({ nodeSelector: { 'kubernetes.io/arch': 'amd64' } })] });
    assert.equal(r.newClaims[0]?.instanceTypeOptions.some((o) => o.name === 'a.large'), false);
    const any = run({ instanceTypes: [...types, arm], pods: [pod()] });
    assert.equal(any.newClaims[0]?.instanceTypeOptions[0]?.name, 'a.large');
  });

  it('required node affinity terms are ORed: an impossible first term falls back to the next', () => {
    const p = pod({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-x'] }] },
              { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-b'] }] },
            ],
          },
        },
      },
    });
    const r = run({ pods: [p] });
    assert.deepEqual(requirement(r, p.uid, 'topology.kubernetes.io/zone')?.values, ['zone-b']);
  });

  it('a label no pool can provide makes the pod unschedulable with the label named', () => {
    const r = run({ pods: [pod({ nodeSelector: { team: 'payments' } })] });
    assert.match(r.unschedulable.values().next().value ?? '', /label "team" does not have known values/);
    const labelled = run({ nodePools: [{ name: 'payments', labels: { team: 'payments' } }], pods: [pod({ nodeSelector: { team: 'payments' } })] });
    assert.equal(labelled.newClaims[0]?.labels.team, 'payments');
  });

  it('a preferred node affinity is honoured when possible and relaxed when not', () => {
    const pref = (zone: string) => pod({
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [zone] }] } }] } },
    });
    const ok = pref('zone-c');
    assert.deepEqual(requirement(run({ pods: [ok] }), ok.uid, 'topology.kubernetes.io/zone')?.values, ['zone-c']);
    const impossible = pref('zone-x');
    const r = run({ pods: [impossible] });
    assert.equal(r.unschedulable.size, 0);
    assert.equal(requirement(r, impossible.uid, 'topology.kubernetes.io/zone'), undefined);
  });

  it('ignores preferences entirely with preferencePolicy Ignore', () => {
    const p = pod({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-c'] }] } }] } } });
    const r = run({ pods: [p] }, { preferencePolicy: 'Ignore' });
    assert.equal(requirement(r, p.uid, 'topology.kubernetes.io/zone'), undefined);
  });
});

describe('taints and tolerations', () => {
  const tainted: NodePoolTemplate = { name: 'gpu', taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }], startupTaints: [{ key: 'node.cilium.io/agent-not-ready', effect: 'NoExecute' }] };

  it('a pod must tolerate the pool taints but not its startup taints', () => {
    const r = run({ nodePools: [tainted], pods: [pod()] });
    assert.match(r.unschedulable.values().next().value ?? '', /did not tolerate taint nvidia.com\/gpu:NoSchedule/);
    const ok = run({ nodePools: [tainted], pods: [pod({ tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }] })] });
    assert.equal(ok.newClaims.length, 1);
    assert.deepEqual(ok.newClaims[0]?.startupTaints, tainted.startupTaints);
  });

  it('PreferNoSchedule is tolerated only after relaxation', () => {
    const soft: NodePoolTemplate = { name: 'soft', taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] };
    const r = run({ nodePools: [soft], pods: [pod()] });
    assert.equal(r.newClaims.length, 1);
  });
});

function node(name: string, zone: string, cpu: number, extra: Partial<ExistingNode> = {}): ExistingNode {
  return {
    name,
    labels: { 'topology.kubernetes.io/zone': zone, 'kubernetes.io/hostname': name, 'kubernetes.io/arch': 'amd64', 'karpenter.sh/nodepool': 'default' },
    allocatable: { cpu: cpu * 1000, memory: 64 * Gi, pods: 110 },
    pods: [],
    ...extra,
  };
}

describe('existing nodes and in-flight claims', () => {
  it('fills existing capacity before launching, then launches for the rest', () => {
    const r = run({ nodes: [node('n1', 'zone-a', 2)], pods: pods(3, { cpu: 1000 }) });
    assert.equal(r.existingPlacements.size, 2);
    assert.equal(r.newClaims.length, 1);
    assert.equal(r.newClaims[0]?.pods.length, 1);
  });

  it('counts bound pods against allocatable', () => {
    const busy = node('n1', 'zone-a', 2, { pods: [pod({ cpu: 1500 })] });
    const r = run({ nodes: [busy], pods: [pod({ cpu: 1000 })] });
    assert.equal(r.existingPlacements.size, 0);
  });

  it('ignores startup and not-ready taints on uninitialized nodes and skips nodes being deleted', () => {
    const starting = node('n1', 'zone-a', 4, {
      initialized: false,
      taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }, { key: 'startup', effect: 'NoSchedule' }],
      startupTaints: [{ key: 'startup', effect: 'NoSchedule' }],
    });
    const r = run({ inFlightClaims: [starting], pods: [pod()] });
    assert.equal(r.existingPlacements.get([...r.existingPlacements.keys()][0] ?? ''), 'n1');
    const deleting = run({ nodes: [node('n1', 'zone-a', 4, { markedForDeletion: true })], pods: [pod()] });
    assert.equal(deleting.existingPlacements.size, 0);
    assert.equal(deleting.newClaims.length, 1);
  });

  it('requires existing nodes to carry every label a pod selects', () => {
    const r = run({ nodes: [node('n1', 'zone-a', 4)], pods: [pod({ nodeSelector: { 'karpenter.k8s.alibabacloud/instance-family': 'c' } })] });
    assert.equal(r.existingPlacements.size, 0);
  });
});

describe('topology spread', () => {
  const spread = (key: string, maxSkew = 1, extra: object = {}) => ({
    labels: { app: 'web' },
    topologySpreadConstraints: [{ maxSkew, topologyKey: key, whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchLabels: { app: 'web' } }, ...extra }],
  });

  it('spreads across zones within maxSkew', () => {
    const ps = pods(7, { cpu: 100, ...spread('topology.kubernetes.io/zone') });
    const r = run({ pods: ps });
    const perZone = new Map<string, number>();
    for (const p of ps) {
      const z = requirement(r, p.uid, 'topology.kubernetes.io/zone')?.values?.[0] ?? '?';
      perZone.set(z, (perZone.get(z) ?? 0) + 1);
    }
    assert.deepEqual([...perZone.values()].sort(), [2, 2, 3]);
  });

  it('counts existing pods in their zone', () => {
    const existing = node('n1', 'zone-a', 1, { pods: pods(2, { cpu: 400, labels: { app: 'web' } }) });
    const ps = pods(4, { cpu: 100, ...spread('topology.kubernetes.io/zone') });
    const r = run({ nodes: [existing], pods: ps });
    const zonesUsed = ps.map((p) => requirement(r, p.uid, 'topology.kubernetes.io/zone')?.values?.[0] ?? r.existingPlacements.get(p.uid));
    assert.equal(zonesUsed.filter((z) => z === 'zone-a' || z === 'n1').length, 0);
  });

  it('DoNotSchedule leaves pods pending when a pool reaches only one zone and minDomains asks for three', () => {
    const oneZone: NodePoolTemplate = { name: 'a-only', requirements: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-a'] }] };
    const ps = pods(3, { cpu: 100, ...spread('topology.kubernetes.io/zone', 1, { minDomains: 3 }) });
    const r = run({ nodePools: [oneZone], pods: ps });
    // The global minimum counts as zero below minDomains: one pod fits, the rest would exceed maxSkew.
    assert.equal(r.unschedulable.size, 2);
    assert.match([...r.unschedulable.values()][0] ?? '', /topology spread/);
  });

  it('ScheduleAnyway is relaxed when it cannot be met', () => {
    const oneZone: NodePoolTemplate = { name: 'a-only', requirements: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-a'] }] };
    const ps = pods(3, { cpu: 100, labels: { app: 'web' }, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', minDomains: 3, labelSelector: { matchLabels: { app: 'web' } } }] });
    const r = run({ nodePools: [oneZone], pods: ps });
    assert.equal(r.unschedulable.size, 0);
  });

  it('hostname spread puts at most maxSkew matching pods on a node', () => {
    const ps = pods(6, { cpu: 100, ...spread('kubernetes.io/hostname', 2) });
    const r = run({ pods: ps });
    assert.equal(r.newClaims.length, 3);
    for (const c of r.newClaims) assert.equal(c.pods.length, 2);
  });

  it('spreads over capacity types', () => {
    const spotty = [instanceType('s.large', 2, 4, { spotDiscount: 0.5 })];
    const ps = pods(4, { cpu: 100, ...spread('karpenter.sh/capacity-type') });
    const r = run({ instanceTypes: spotty, pods: ps });
    const cts = ps.map((p) => requirement(r, p.uid, 'karpenter.sh/capacity-type')?.values?.[0]);
    assert.equal(cts.filter((c) => c === 'spot').length, 2);
    assert.equal(cts.filter((c) => c === 'on-demand').length, 2);
  });

  it('nodeAffinityPolicy Honor ignores pods on nodes the pod could not use', () => {
    const armNode = node('arm1', 'zone-a', 8, { labels: { ...node('x', 'zone-a', 1).labels, 'kubernetes.io/arch': 'arm64' }, pods: pods(3, { cpu: 100, labels: { app: 'web' } }) });
    const ps = pods(3, { cpu: 100, nodeSelector: { 'kubernetes.io/arch': 'amd64' }, ...spread('topology.kubernetes.io/zone') });
    const r = run({ nodes: [armNode], pods: ps });
    const perZone = new Set(ps.map((p) => requirement(r, p.uid, 'topology.kubernetes.io/zone')?.values?.[0]));
    assert.equal(perZone.size, 3);
  });
});

describe('pod affinity and anti-affinity', () => {
  const term = (key: string, app: string) => ({ topologyKey: key, labelSelector: { matchLabels: { app } } });

  it('zonal self-affinity keeps a group in one zone', () => {
    const ps = pods(12, { cpu: 1000, labels: { app: 'db' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('topology.kubernetes.io/zone', 'db')] } } });
    const r = run({ pods: ps });
    const zonesUsed = new Set(ps.map((p) => requirement(r, p.uid, 'topology.kubernetes.io/zone')?.values?.[0]));
    assert.equal(zonesUsed.size, 1);
    assert.ok(r.newClaims.length >= 2);
  });

  it('affinity to pods on an existing node follows them to their zone', () => {
    const existing = node('n1', 'zone-b', 0.1, { pods: [pod({ cpu: 100, labels: { app: 'cache' } })] });
    const p = pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('topology.kubernetes.io/zone', 'cache')] } } });
    const r = run({ nodes: [existing], pods: [p] });
    assert.deepEqual(requirement(r, p.uid, 'topology.kubernetes.io/zone')?.values, ['zone-b']);
  });

  it('affinity to pods later in the batch is satisfied by retrying', () => {
    const follower = pod({ cpu: 2000, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('kubernetes.io/hostname', 'leader')] } } });
    const leader = pod({ cpu: 100, labels: { app: 'leader' } });
    const r = run({ pods: [follower, leader] });
    assert.equal(r.unschedulable.size, 0);
    assert.equal(claimOf(r, follower.uid), claimOf(r, leader.uid));
  });

  it('hostname anti-affinity puts each pod on its own node', () => {
    const ps = pods(5, { cpu: 100, labels: { app: 'web' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('kubernetes.io/hostname', 'web')] } } });
    const r = run({ pods: ps });
    assert.equal(r.newClaims.length, 5);
  });

  it('zonal anti-affinity allows one pod per zone and explains the rest', () => {
    const ps = pods(5, { cpu: 100, labels: { app: 'web' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('topology.kubernetes.io/zone', 'web')] } } });
    const r = run({ pods: ps });
    assert.equal(r.newClaims.length, 3);
    assert.equal(r.unschedulable.size, 2);
    assert.match([...r.unschedulable.values()][0] ?? '', /anti-affinity/);
  });

  it('anti-affinity avoids nodes whose pods it selects, and existing pods repel pods they select', () => {
    const existing = node('n1', 'zone-a', 8, { pods: [pod({ cpu: 100, labels: { app: 'web' } })] });
    const avoid = pod({ cpu: 100, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('kubernetes.io/hostname', 'web')] } } });
    const r1 = run({ nodes: [existing], pods: [avoid] });
    assert.equal(r1.existingPlacements.size, 0);
    const repeller = node('n2', 'zone-a', 8, { pods: [pod({ cpu: 100, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('topology.kubernetes.io/zone', 'web')] } } })] });
    const web = pod({ cpu: 100, labels: { app: 'web' } });
    const r2 = run({ nodes: [repeller], pods: [web] });
    assert.equal(r2.existingPlacements.size, 0);
    const z = requirement(r2, web.uid, 'topology.kubernetes.io/zone');
    assert.equal(z?.operator === 'In' ? z.values?.includes('zone-a') : !z?.values?.includes('zone-a'), false);
  });

  it('a placed pod with anti-affinity repels later pods it selects', () => {
    const guard = pod({ cpu: 2000, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('kubernetes.io/hostname', 'noisy')] } } });
    const noisy = pod({ cpu: 100, labels: { app: 'noisy' } });
    const r = run({ pods: [guard, noisy] });
    assert.notEqual(claimOf(r, guard.uid), claimOf(r, noisy.uid));
  });

  it('preferred anti-affinity is honoured while it can be and relaxed after', () => {
    const ps = pods(4, { cpu: 100, labels: { app: 'web' }, affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: term('topology.kubernetes.io/zone', 'web') }] } } });
    const r = run({ pods: ps });
    assert.equal(r.unschedulable.size, 0);
    const zonesUsed = new Set(ps.map((p) => requirement(r, p.uid, 'topology.kubernetes.io/zone')?.values?.[0]).filter(Boolean));
    assert.equal(zonesUsed.size, 3);
  });
});

describe('host ports', () => {
  it('pods binding the same host port go to different nodes', () => {
    const ps = pods(3, { containers: [{ requests: { cpu: 100 }, ports: [{ containerPort: 8080, hostPort: 8080 }] }] });
    const r = run({ pods: ps });
    assert.equal(r.newClaims.length, 3);
  });

  it('a DaemonSet host port blocks pods that need it', () => {
    const daemon = pod({ containers: [{ requests: { cpu: 10 }, ports: [{ containerPort: 9100, hostPort: 9100 }] }] });
    const p = pod({ containers: [{ requests: { cpu: 100 }, ports: [{ containerPort: 9100, hostPort: 9100 }] }] });
    const r = run({ pods: [p], daemonSets: [daemon] });
    assert.match(r.unschedulable.get(p.uid) ?? '', /host port TCP\/9100/);
  });
});

describe('node pools', () => {
  it('respects pool requirements', () => {
    const arm = instanceType('a.large', 2, 4, { arch: 'arm64', price: 0.01 });
    const amd: NodePoolTemplate = { name: 'amd', requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] };
    const r = run({ nodePools: [amd], instanceTypes: [...types, arm], pods: [pod()] });
    assert.equal(r.newClaims[0]?.instanceTypeOptions.some((o) => o.name === 'a.large'), false);
  });

  it('keeps at least minValues families among a claim’s options, or refuses', () => {
    const fams = ['f1', 'f2', 'f3'].map((f, i) => instanceType(`${f}.big`, 4 + i, 8, { family: f }));
    const small = instanceType('f4.small', 1, 2, { family: 'f4' });
    const mv: NodePoolTemplate = { name: 'mv', requirements: [{ key: 'karpenter.k8s.alibabacloud/instance-family', operator: 'Exists', minValues: 3 }] };
    const ok = run({ nodePools: [mv], instanceTypes: [...fams, small], pods: pods(3, { cpu: 1000, mem: Gi }) });
    const families = new Set(ok.newClaims.flatMap((c) => c.instanceTypeOptions.map((o) => o.name.split('.')[0])));
    assert.ok(families.size >= 3);
    for (const c of ok.newClaims) assert.ok(c.instanceTypeOptions.length >= 3);
    const tooBig = run({ nodePools: [mv], instanceTypes: [...fams, small], pods: [pod({ cpu: 5500 })] });
    assert.match(tooBig.unschedulable.values().next().value ?? '', /minValues/);
  });

  it('never plans past a pool’s limits', () => {
    const limited: NodePoolTemplate = { name: 'limited', limits: { cpu: 10_000 }, usage: { cpu: 2000 } };
    const r = run({ nodePools: [limited], pods: pods(12, { cpu: 1000, mem: Gi }) });
    // 8 cores left: one 8-core node can take 8 one-core pods.
    const worst = r.newClaims.reduce((s, c) => s + Math.max(...c.instanceTypeOptions.map((o) => (types.find((t) => t.name === o.name)?.capacity.cpu ?? 0))), 0);
    assert.ok(worst <= 8000, `planned up to ${worst}m`);
    assert.ok(r.unschedulable.size >= 4);
    assert.match([...r.unschedulable.values()][0] ?? '', /exceed limits/);
  });

  it('tries heavier pools first and falls back to lighter ones', () => {
    const heavy: NodePoolTemplate = { name: 'heavy', weight: 50, requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }] };
    const light: NodePoolTemplate = { name: 'light', weight: 10 };
    const arm = instanceType('a.large', 2, 4, { arch: 'arm64', price: 5 });
    const r = run({ nodePools: [light, heavy], instanceTypes: [...types, arm], pods: [pod(), pod({ nodeSelector: { 'kubernetes.io/arch': 'amd64' } })] });
    assert.deepEqual(r.newClaims.map((c) => c.nodePool).sort(), ['heavy', 'light']);
  });
});

describe('network awareness', () => {
  const eni = { eniQuantity: 3, eniPrivateIpAddressQuantity: 4 }; // 8 ENIIP pods, 2 exclusive ENIs
  const small = instanceType('n.large', 2, 16, { eni, price: 1 });
  const big = instanceType('n.4xlarge', 16, 64, { eni: { eniQuantity: 8, eniPrivateIpAddressQuantity: 10 }, price: 8 });
  const networking = {
    vSwitches: [
      { id: 'vsw-a', zone: 'zone-a', freeIPs: 0 },
      { id: 'vsw-b', zone: 'zone-b', freeIPs: 3 },
      { id: 'vsw-c', zone: 'zone-c', freeIPs: 2 },
    ],
    podNetworkings: [{ name: 'core', vSwitchIds: ['vsw-a', 'vsw-b', 'vsw-c'] }],
  };

  it('caps pods per node by the ENIIP address count', () => {
    const r = run({ instanceTypes: [small], pods: pods(10, { cpu: 100, mem: 100 * Mi }) });
    assert.deepEqual(r.newClaims.map((c) => c.pods.length).sort(), [2, 8]);
  });

  it('host-network pods take no address', () => {
    const r = run({ instanceTypes: [small], pods: [...pods(8, { cpu: 100, mem: 100 * Mi }), ...pods(2, { cpu: 100, mem: 100 * Mi, hostNetwork: true })] });
    assert.equal(r.newClaims.length, 1);
  });

  it('exclusive-ENI pods are bounded by eniQuantity - 1 and take a whole ENI of addresses', () => {
    const eniPods = pods(3, { cpu: 100, mem: 100 * Mi, network: { eniType: 'ENI' } });
    const r = run({ instanceTypes: [small], pods: eniPods });
    assert.deepEqual(r.newClaims.map((c) => c.pods.length).sort(), [1, 2]);
    const mixed = run({ instanceTypes: [small], pods: [pod({ cpu: 100, mem: 100 * Mi, network: { eniType: 'ENI' } }), ...pods(5, { cpu: 100, mem: 100 * Mi })] });
    // One ENI left for addresses: 4 IP pods fit beside the exclusive one.
    assert.deepEqual(mixed.newClaims.map((c) => c.pods.length).sort(), [1, 5]);
  });

  it('places PodNetworking pods only in zones with free IPs, never more than the free IPs', () => {
    const ps = pods(7, { cpu: 100, mem: 100 * Mi, network: { podNetworking: 'core' } });
    const r = run({ instanceTypes: [big], pods: ps, networking });
    const placed = ps.filter((p) => !r.unschedulable.has(p.uid));
    assert.equal(placed.length, 5);
    const perZone = new Map<string, number>();
    for (const p of placed) {
      const z = requirement(r, p.uid, 'topology.kubernetes.io/zone')?.values?.[0] ?? '?';
      perZone.set(z, (perZone.get(z) ?? 0) + 1);
      assert.equal(r.networkReservations.get(p.uid)?.zone, z);
    }
    assert.equal(perZone.get('zone-a'), undefined);
    assert.equal(perZone.get('zone-b'), 3);
    assert.equal(perZone.get('zone-c'), 2);
    assert.match(r.unschedulable.values().next().value ?? '', /PodNetworking "core"/);
  });

  it('does not place PodNetworking pods on existing nodes in a zone without free IPs', () => {
    const existing = { ...node('n1', 'zone-a', 8) };
    const p = pod({ cpu: 100, network: { podNetworking: 'core' } });
    const r = run({ instanceTypes: [big], nodes: [existing], pods: [p], networking });
    assert.equal(r.existingPlacements.size, 0);
    assert.notEqual(requirement(r, p.uid, 'topology.kubernetes.io/zone')?.values?.[0], 'zone-a');
  });

  it('puts pods of two networks on one node only when it has a secondary ENI for each', () => {
    // The IPAM keys shared ENIs by vSwitch and security groups: each network fills ENIs of its own.
    const oneSecondary = instanceType('n.one-eni', 8, 16, { eni: { eniQuantity: 2, eniPrivateIpAddressQuantity: 6 }, price: 1 });
    const twoSecondary = instanceType('n.two-eni', 8, 16, { eni: { eniQuantity: 3, eniPrivateIpAddressQuantity: 6 }, price: 1.5 });
    const office = pod({ cpu: 100, mem: 100 * Mi });
    const trade = pod({ cpu: 100, mem: 100 * Mi, network: { podNetworking: 'core' } });
    const r = run({ instanceTypes: [oneSecondary], pods: [office, trade], networking });
    assert.equal(r.unschedulable.size, 0);
    assert.notEqual(claimOf(r, office.uid), claimOf(r, trade.uid));
    const both = run({ instanceTypes: [oneSecondary, twoSecondary], pods: [office, trade], networking });
    assert.equal(both.newClaims.length, 1);
    assert.deepEqual(both.newClaims[0]?.instanceTypeOptions.map((o) => o.name), ['n.two-eni']);
  });

  it('does not add a second network to an existing node whose only secondary ENI serves the first', () => {
    const existing = node('n1', 'zone-b', 8, { eni: { eniQuantity: 2, eniPrivateIpAddressQuantity: 6 }, pods: [pod({ cpu: 100, network: { podNetworking: 'core' } })] });
    const office = pod({ cpu: 100, mem: 100 * Mi });
    const trade = pod({ cpu: 100, mem: 100 * Mi, network: { podNetworking: 'core' } });
    const r = run({ instanceTypes: [big], nodes: [existing], pods: [office, trade], networking });
    assert.equal(r.existingPlacements.get(trade.uid), 'n1');
    assert.equal(r.existingPlacements.has(office.uid), false);
    assert.ok(claimOf(r, office.uid));
  });

  it('pods without a PodNetworking are not limited by its vSwitches', () => {
    const r = run({ instanceTypes: [big], pods: pods(7, { cpu: 100, mem: 100 * Mi }), networking });
    assert.equal(r.unschedulable.size, 0);
  });

  it('an unknown PodNetworking is reported', () => {
    const p = pod({ network: { podNetworking: 'missing' } });
    const r = run({ pods: [p], networking });
    assert.match(r.unschedulable.get(p.uid) ?? '', /PodNetworking "missing"/);
  });
});
