import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { instanceType } from '../../scheduling/test-fixtures.js';
import { planCandidates, vSwitchByZone, type CandidateInput } from './candidates.js';

const Gi = 2 ** 30;
const amd64Image = { id: 'm-amd', requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] };
const arm64Image = { id: 'm-arm', requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }] };
const vSwitches = [
  { id: 'vsw-a1', zoneID: 'zone-a', availableIPAddressCount: 10 },
  { id: 'vsw-a2', zoneID: 'zone-a', availableIPAddressCount: 200 },
  { id: 'vsw-b', zoneID: 'zone-b', availableIPAddressCount: 50 },
];

function input(overrides: Partial<CandidateInput> = {}): CandidateInput {
  return {
    requirements: [],
    requests: { cpu: 1000, memory: Gi },
    instanceTypes: [
      instanceType('big.4x', 4, 16, { price: 0.8, spotDiscount: 0.3, zones: ['zone-a', 'zone-b'] }),
      instanceType('small.1x', 1, 4, { price: 0.2, spotDiscount: 0.3, zones: ['zone-a', 'zone-b'] }),
      instanceType('mid.2x', 2, 8, { price: 0.4, zones: ['zone-b'] }),
    ],
    vSwitches,
    images: [amd64Image],
    ...overrides,
  };
}

describe('launch candidates', () => {
  it('orders spot before on-demand, then by price, each with the zone vSwitch that has the most free IPs', () => {
    const plan = planCandidates(input());
    assert.ok(plan.ok);
    assert.deepEqual(
      plan.candidates.map((c) => `${c.instanceType.name}/${c.zone}/${c.capacityType}/${c.vSwitchId}`),
      [
        'small.1x/zone-a/spot/vsw-a2',
        'small.1x/zone-b/spot/vsw-b',
        'big.4x/zone-a/spot/vsw-a2',
        'big.4x/zone-b/spot/vsw-b',
        'small.1x/zone-a/on-demand/vsw-a2',
        'small.1x/zone-b/on-demand/vsw-b',
        'mid.2x/zone-b/on-demand/vsw-b',
        'big.4x/zone-a/on-demand/vsw-a2',
        'big.4x/zone-b/on-demand/vsw-b',
      ],
    );
  });

  it('honours instance-type, zone and capacity-type requirements and the requests', () => {
    const plan = planCandidates(
      input({
        requests: { cpu: 1500, memory: Gi },
        requirements: [
          { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['small.1x', 'mid.2x', 'big.4x'] },
          { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-b'] },
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
          { key: 'karpenter.sh/nodepool', operator: 'In', values: ['default'] },
        ],
      }),
    );
    assert.ok(plan.ok);
    assert.deepEqual(plan.candidates.map((c) => `${c.instanceType.name}/${c.zone}/${c.capacityType}`), ['mid.2x/zone-b/on-demand', 'big.4x/zone-b/on-demand']);
  });

  it('skips unavailable offerings and vSwitches that ran out of IPs', () => {
    const types = input().instanceTypes.map((t) =>
      t.name === 'small.1x' ? { ...t, offerings: t.offerings.map((o) => (o.zone === 'zone-a' && o.capacityType === 'spot' ? { ...o, available: false } : o)) } : t,
    );
    const plan = planCandidates(input({ instanceTypes: types, excludedVSwitches: new Set(['vsw-b']), requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }] }));
    assert.ok(plan.ok);
    assert.deepEqual(plan.candidates.map((c) => `${c.instanceType.name}/${c.zone}/${c.vSwitchId}`), ['big.4x/zone-a/vsw-a2']);
  });

  it('gives each type the image of its architecture', () => {
    const plan = planCandidates(
      input({
        instanceTypes: [instanceType('arm.1x', 1, 4, { arch: 'arm64', price: 0.1, zones: ['zone-a'] }), instanceType('x86.1x', 1, 4, { price: 0.2, zones: ['zone-a'] })],
        images: [amd64Image, arm64Image],
      }),
    );
    assert.ok(plan.ok);
    assert.deepEqual(plan.candidates.map((c) => `${c.instanceType.name}:${c.imageId}`), ['arm.1x:m-arm', 'x86.1x:m-amd']);
  });

  it('explains why nothing can launch', () => {
    const tooBig = planCandidates(input({ requests: { cpu: 64_000 } }));
    assert.equal(tooBig.ok, false);
    assert.match(!tooBig.ok ? tooBig.reason : '', /no compatible instance type has room for the requests \{cpu=64\}/);

    const noMatch = planCandidates(input({ requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['ecs.none'] }] }));
    assert.match(!noMatch.ok ? noMatch.reason : '', /no instance type meets the requirements \(e.g. node.kubernetes.io\/instance-type In \[ecs.none\]\)/);

    const armOnly = planCandidates(input({ images: [arm64Image] }));
    assert.match(!armOnly.ok ? armOnly.reason : '', /no image of the node class supports/);

    const noZone = planCandidates(input({ requirements: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-c'] }] }));
    assert.match(!noZone.ok ? noZone.reason : '', /no available offering .*\(zones with free IPs: zone-a, zone-b\)/);
  });

  it('treats a label the catalog knows but the type lacks as absent (Exists excludes it)', () => {
    const gpu = instanceType('gpu.1x', 1, 4, { price: 5, zones: ['zone-a'] });
    const withGpuLabel = { ...gpu, labels: { ...gpu.labels, 'karpenter.k8s.alibabacloud/instance-gpu-count': '1' } };
    const plan = planCandidates(
      input({
        instanceTypes: [...input().instanceTypes, withGpuLabel],
        requirements: [{ key: 'karpenter.k8s.alibabacloud/instance-gpu-count', operator: 'Exists' }],
      }),
    );
    assert.ok(plan.ok);
    assert.deepEqual([...new Set(plan.candidates.map((c) => c.instanceType.name))], ['gpu.1x']);
  });

  it('picks per zone the vSwitch with the most free IPs, never an empty one', () => {
    const byZone = vSwitchByZone([...vSwitches, { id: 'vsw-c', zoneID: 'zone-c', availableIPAddressCount: 0 }]);
    assert.deepEqual(Object.fromEntries(byZone), { 'zone-a': 'vsw-a2', 'zone-b': 'vsw-b' });
  });
});
