import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LabelHostname, LabelInstanceFamily } from '../apis/labels.js';
import { greedyPack, repack, usefulTypes, type RepackSize, type RepackType } from './repack.js';
import { solve } from './scheduler.js';
import { Gi, instanceType, Mi, pod, pods, seededRandom } from './test-fixtures.js';
import type { NewClaim, PodSpecLite } from './types.js';

const size = (cpu: number, mem: number, count: number, alonePrice: number, ips = 1): RepackSize => ({ need: Float64Array.of(cpu, mem, 1), ips, count, alonePrice });
const type = (cpu: number, mem: number, pods: number, price: number, ipSlots = Infinity): RepackType => ({ room: Float64Array.of(cpu, mem, pods), ipSlots, price });
const total = (claims: readonly NewClaim[]) => claims.reduce((s, c) => s + c.price, 0);

describe('repack', () => {
  it('buys a large type while there are pods to fill it and small ones for the rest', () => {
    const types = [type(2000, 2 * Gi, 2, 0.03), type(16_000, 64 * Gi, 100, 1)];
    const plan = repack([size(100, 128 * Mi, 150, 0.03)], types);
    // One large node (100 pods) and 25 small ones: 1.75, where small nodes alone cost 2.25 and two large 2.
    assert.ok(plan);
    assert.ok(Math.abs(plan.price - 1.75) < 1e-9, `price ${plan.price}`);
    assert.equal(plan.nodes.filter((n) => n.type === 1).length, 1);
  });

  it('places every pod exactly once within each node\'s room and pod IP slots', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const rng = seededRandom(seed);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)] as T;
      const types = Array.from({ length: 2 + Math.floor(rng() * 5) }, () => type(pick([2000, 4000, 8000]), pick([2, 4, 16]) * Gi, pick([4, 20, 110]), 0.05 + rng(), pick([Infinity, 3, 10])));
      const sizes = Array.from({ length: 1 + Math.floor(rng() * 5) }, () => size(pick([100, 500, 1000]), pick([128, 512, 1024]) * Mi, 1 + Math.floor(rng() * 30), 0.05 + rng(), rng() < 0.2 ? 0 : 1));
      const plan = repack(sizes, types);
      assert.ok(plan, `seed ${seed}: no plan`);
      const placed = new Array<number>(sizes.length).fill(0);
      let price = 0;
      for (const node of plan.nodes) {
        const t = types[node.type] as RepackType;
        price += t.price;
        const used = new Float64Array(3);
        let ips = 0;
        node.counts.forEach((c, k) => {
          const s = sizes[k] as RepackSize;
          placed[k] = (placed[k] as number) + c;
          ips += c * s.ips;
          for (let d = 0; d < 3; d++) used[d] = (used[d] as number) + c * (s.need[d] as number);
        });
        for (let d = 0; d < 3; d++) assert.ok((used[d] as number) <= (t.room[d] as number), `seed ${seed}: node over room in dimension ${d}`);
        assert.ok(ips <= t.ipSlots, `seed ${seed}: node over its pod IP slots`);
      }
      sizes.forEach((s, k) => assert.equal(placed[k], s.count, `seed ${seed}: size ${k}`));
      assert.ok(Math.abs(price - plan.price) < 1e-9);
    }
  });

  it('answers undefined when a pod fits no type', () => {
    assert.equal(greedyPack([size(4000, Gi, 1, 1)], [type(2000, 2 * Gi, 10, 1)], [0], Float64Array.of(1)), undefined);
  });

  it('ignores types another beats on every dimension at no higher price', () => {
    assert.deepEqual(usefulTypes([type(2000, 2 * Gi, 10, 1), type(4000, 4 * Gi, 10, 1), type(1000, 8 * Gi, 10, 0.5), type(4000, 4 * Gi, 10, 1, 5)]), [1, 2]);
  });
});

describe('solve with re-pack', () => {
  const tiny = instanceType('tiny.small', 2, 2, { price: 0.03, pods: 2, family: 'tiny' });
  const large = instanceType('large.big', 16, 64, { price: 1, pods: 110, family: 'large' });

  it('launches the type that is cheapest per pod once enough interchangeable pods are pending', () => {
    const work = pods(150, { cpu: 100, mem: 128 * Mi });
    const input = { pods: work, nodePools: [{ name: 'default' }], instanceTypes: [tiny, large] };
    const firstFit = solve(input, { repackRounds: 0 });
    const repacked = solve(input);
    assert.ok(total(repacked.newClaims) < total(firstFit.newClaims) - 0.1, `${total(repacked.newClaims)} vs ${total(firstFit.newClaims)}`);
    assert.equal(repacked.newClaims.reduce((s, c) => s + c.pods.length, 0), 150);
    assert.ok(repacked.newClaims.some((c) => c.instanceTypeOptions[0]?.name === 'large.big'));
    for (const c of repacked.newClaims) {
      assert.ok(c.pods.length <= (c.instanceTypeOptions[0]?.name === 'tiny.small' ? 2 : 110));
      assert.ok(c.instanceTypeOptions.every((o, i, all) => i === 0 || (all[i - 1] as typeof o).price <= o.price), 'options cheapest first');
    }
  });

  it('leaves claims holding constrained pods exactly as first fit made them', () => {
    const anti: PodSpecLite[] = Array.from({ length: 6 }, () => pod({
      cpu: 500, mem: 256 * Mi, labels: { app: 'db' },
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: LabelHostname, labelSelector: { matchLabels: { app: 'db' } } }] } },
    }));
    const input = { pods: [...anti, ...pods(150, { cpu: 100, mem: 128 * Mi })], nodePools: [{ name: 'default' }], instanceTypes: [tiny, large] };
    const antiUids = new Set(anti.map((p) => p.uid));
    const holding = (claims: readonly NewClaim[]) => claims.filter((c) => c.pods.some((u) => antiUids.has(u))).map((c) => [c.pods, c.price]);
    const repacked = solve(input);
    assert.deepEqual(holding(repacked.newClaims), holding(solve(input, { repackRounds: 0 }).newClaims));
    assert.ok(repacked.newClaims.some((c) => c.instanceTypeOptions[0]?.name === 'large.big'), 'the plain pods were re-packed');
  });

  it('does not re-pack a pool with limits', () => {
    const input = { pods: pods(150, { cpu: 100, mem: 128 * Mi }), nodePools: [{ name: 'default', limits: { cpu: 1_000_000 } }], instanceTypes: [tiny, large] };
    const summary = (claims: readonly NewClaim[]) => claims.map((c) => [c.pods.length, c.price]);
    assert.deepEqual(summary(solve(input).newClaims), summary(solve(input, { repackRounds: 0 }).newClaims));
  });

  it('keeps minValues: every re-packed claim still spans the required families', () => {
    const large2 = instanceType('large2.big', 16, 64, { price: 1.05, pods: 110, family: 'large2' });
    const tiny2 = instanceType('tiny2.small', 2, 2, { price: 0.032, pods: 2, family: 'tiny2' });
    const input = {
      pods: pods(150, { cpu: 100, mem: 128 * Mi }),
      nodePools: [{ name: 'default', requirements: [{ key: LabelInstanceFamily, operator: 'Exists' as const, minValues: 2 }] }],
      instanceTypes: [tiny, tiny2, large, large2],
    };
    const r = solve(input);
    assert.equal(r.unschedulable.size, 0);
    assert.ok(total(r.newClaims) < total(solve(input, { repackRounds: 0 }).newClaims) - 0.1, 'the pods were re-packed');
    for (const c of r.newClaims) {
      const families = new Set(c.instanceTypeOptions.map((o) => [tiny, tiny2, large, large2].find((t) => t.name === o.name)?.labels[LabelInstanceFamily]));
      assert.ok(families.size >= 2, `claim with ${c.pods.length} pods spans ${[...families].join(',')}`);
    }
  });

  it('counts pod IP slots of the ENI model when choosing the large type', () => {
    // The large type has 110 kubelet pods but only (3 - 1) * 40 = 80 pod IPs under ENIIP: still
    // cheaper per pod (0.0125) than the two-pod type (0.015): two of them (80 + 70 pods) cost 2,
    // where one large and 35 small ones would cost 2.05 and small ones alone 2.25.
    const eniBound = instanceType('large.eni', 16, 64, { price: 1, pods: 110, eni: { eniQuantity: 3, eniPrivateIpAddressQuantity: 40 } });
    const input = { pods: pods(150, { cpu: 100, mem: 128 * Mi }), nodePools: [{ name: 'default' }], instanceTypes: [tiny, eniBound] };
    const r = solve(input);
    assert.equal(r.unschedulable.size, 0);
    const large = r.newClaims.filter((c) => c.instanceTypeOptions[0]?.name === 'large.eni');
    assert.deepEqual(large.map((c) => c.pods.length).sort((a, b) => b - a), [80, 70]);
    assert.ok(Math.abs(total(r.newClaims) - 2) < 1e-9, `price ${total(r.newClaims)}`);
  });

  it('leaves the ENIs a DaemonSet\'s own pod network takes to that network', () => {
    // Two secondary ENIs of 40 IPs; a DaemonSet pod on another PodNetworking takes one of them, so
    // a node holds 40 default-network pods, not 80.
    const eniBound = instanceType('large.eni', 16, 64, { price: 1, pods: 110, eni: { eniQuantity: 3, eniPrivateIpAddressQuantity: 40 } });
    const daemon: PodSpecLite = { uid: 'ds', name: 'ds', namespace: 'kube-system', containers: [{ requests: { cpu: 10, memory: 16 * Mi } }], network: { podNetworking: 'monitoring' } };
    const r = solve({ pods: pods(150, { cpu: 100, mem: 128 * Mi }), nodePools: [{ name: 'default' }], instanceTypes: [tiny, eniBound], daemonSets: [daemon] });
    assert.equal(r.unschedulable.size, 0);
    const large = r.newClaims.filter((c) => c.instanceTypeOptions[0]?.name === 'large.eni');
    assert.ok(large.length > 0, 'the large type is still worth buying');
    for (const c of large) assert.ok(c.pods.length <= 40, `${c.pods.length} default-network pods on a node with one ENI of 40 IPs left`);
  });
});
