// The launch request a NodeClaim turns into, decoded the way the node bootstrap decodes it: the
// simulator's own parseUserData (the operator never imports it) reads back exactly the labels,
// taints and kubelet settings the launch meant, whatever quotes the user's script holds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ECSNodeClass } from '../../../src/apis/ecsnodeclass.js';
import { NodeClaim } from '../../../src/apis/nodeclaim.js';
import type { InstanceTypeInfo } from '../../../src/cloud/types.js';
import { planCandidates, type PlannedCandidate } from '../../../src/controllers/nodeclaim/candidates.js';
import { buildLaunchPlan } from '../../../src/controllers/nodeclaim/launch-request.js';
import { buildInstanceType, type Offering } from '../../../src/scheduling/index.js';
import { parseUserData } from '../../../src/simulator/index.js';

const cluster = { clusterId: 'c-123', clusterName: 'local', region: 'cn-hangzhou' };

function info(name: string, vcpu: number, memoryMiB: number, eniQuantity: number, ips: number): InstanceTypeInfo {
  const family = name.split('.').slice(0, 2).join('.');
  return { name, family, category: 'general-purpose', generation: 7, architecture: 'amd64', vcpu, memoryMiB, gpuCount: 0, eniQuantity, eniPrivateIpAddressQuantity: ips, eniIpv6AddressQuantity: 0, eniTrunkSupported: false };
}
const infos = new Map([
  ['ecs.g7.large', info('ecs.g7.large', 2, 8192, 3, 6)],
  ['ecs.c7.large', info('ecs.c7.large', 2, 4096, 3, 6)],
  ['ecs.g7.xlarge', info('ecs.g7.xlarge', 4, 16384, 4, 15)],
]);
const offerings = (price: number): Offering[] => [
  { zone: 'cn-hangzhou-h', capacityType: 'spot', price: price * 0.2, available: true },
  { zone: 'cn-hangzhou-i', capacityType: 'spot', price: price * 0.25, available: true },
];
const prices: Record<string, number> = { 'ecs.g7.large': 0.5, 'ecs.c7.large': 0.4, 'ecs.g7.xlarge': 1.0 };

const nodeClass = ECSNodeClass.parse({
  apiVersion: 'karpenter.k8s.alibabacloud/v1alpha1',
  kind: 'ECSNodeClass',
  metadata: { name: 'default', annotations: { 'karpenter.k8s.alibabacloud/ecsnodeclass-hash': '42' } },
  spec: {
    vSwitchSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'local' } }],
    securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'local' } }],
    imageSelectorTerms: [{ alias: 'ContainerOS' }],
    kubeletConfiguration: { systemReserved: { cpu: '100m', memory: '256Mi' }, evictionHard: { 'memory.available': '5%' } },
    systemDisk: { categories: ['cloud_essd'], size: 60 },
    dataDisks: [{ volumeSize: '100Gi' }],
    tags: { team: 'platform' },
    userData: "#!/bin/bash\necho 'hello from the user'\nexport ACK_NODE_BOOTSTRAP='{\"labels\":{\"evil\":\"1\"}}'",
  },
  status: {
    vSwitches: [{ id: 'vsw-h', zoneID: 'cn-hangzhou-h', availableIPAddressCount: 100 }, { id: 'vsw-i', zoneID: 'cn-hangzhou-i', availableIPAddressCount: 100 }],
    securityGroups: [{ id: 'sg-1' }],
    images: [{ id: 'm-amd', requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] }],
  },
});

const instanceTypes = [...infos.values()].map((i) =>
  buildInstanceType(i, offerings(prices[i.name]!), {
    kubelet: { systemReserved: { cpu: '100m', memory: '256Mi' }, evictionHard: { 'memory.available': String(Math.ceil(i.memoryMiB * 2 ** 20 * 0.05)), 'nodefs.available': String(60 * 2 ** 30 * 0.1) } },
    systemDiskGiB: 60,
    region: 'cn-hangzhou',
  }),
);

function claim(labels: Record<string, string> = { 'karpenter.sh/nodepool': 'default', team: "o'brien" }) {
  return NodeClaim.parse({
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodeClaim',
    metadata: { name: 'default-abcde', uid: '6b1f0a52-1111-4222-8333-944455556666', labels },
    spec: {
      nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'default' },
      requirements: [
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
        { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['ecs.c7.large', 'ecs.g7.large', 'ecs.g7.xlarge'] },
        { key: 'example.com/tier', operator: 'In', values: ['gold'] },
      ],
      resources: { requests: { cpu: '1', memory: '1Gi', pods: '3' } },
      taints: [{ key: 'dedicated', value: 'core', effect: 'NoSchedule' }],
      startupTaints: [{ key: 'example.com/agent-not-ready', effect: 'NoExecute' }],
    },
  });
}

function plan(c = claim()) {
  const candidates = planCandidates({ requirements: c.spec.requirements, requests: { cpu: 1000, memory: 2 ** 30, pods: 3 }, instanceTypes, vSwitches: nodeClass.status!.vSwitches!, images: nodeClass.status!.images! });
  assert.ok(candidates.ok);
  return buildLaunchPlan(c, nodeClass, candidates.candidates as PlannedCandidate[], (n) => infos.get(n), cluster);
}

describe('launch request of a NodeClaim', () => {
  it('offers the cheapest candidate and those sharing its image and kubelet settings, cheapest first', () => {
    const { request } = plan();
    // kube-reserved follows vCPUs and max pods, and the eviction threshold is a percentage: both
    // 2-vCPU types with 3 ENIs share their kubelet settings, the 4-vCPU type does not.
    assert.deepEqual(
      request.candidates.map((c) => `${c.instanceType}/${c.zone}/${c.vSwitchId}`),
      ['ecs.c7.large/cn-hangzhou-h/vsw-h', 'ecs.c7.large/cn-hangzhou-i/vsw-i', 'ecs.g7.large/cn-hangzhou-h/vsw-h', 'ecs.g7.large/cn-hangzhou-i/vsw-i'],
    );
    assert.equal(request.clientToken, '6b1f0a52-1111-4222-8333-944455556666');
    assert.equal(request.name, 'default-abcde');
    assert.equal(request.imageId, 'm-amd');
    assert.deepEqual(request.securityGroupIds, ['sg-1']);
    assert.deepEqual(request.systemDisk, { category: 'cloud_essd', sizeGiB: 60, performanceLevel: 'PL0' });
    assert.deepEqual(request.dataDisks, [{ category: 'cloud_essd', sizeGiB: 100 }]);
    assert.deepEqual(request.tags, {
      team: 'platform',
      'ack.aliyun.com': 'c-123',
      'karpenter.k8s.alibabacloud/cluster': 'local',
      'karpenter.k8s.alibabacloud/managed-by': 'ack-node-operator',
      'karpenter.k8s.alibabacloud/nodeclaim': 'default-abcde',
      'karpenter.sh/nodepool': 'default',
    });
  });

  it("writes user data the simulator's node bootstrap decodes to the intended labels, taints and kubelet settings", () => {
    const { request } = plan();
    const decoded = parseUserData(Buffer.from(request.userData).toString('base64'));
    assert.ok(decoded);
    assert.equal(decoded.labels['karpenter.sh/nodepool'], 'default');
    assert.equal(decoded.labels.team, "o'brien", 'a quote in a label survives the shell quoting');
    assert.equal(decoded.labels['example.com/tier'], 'gold', 'single-valued requirements become labels');
    assert.equal(decoded.labels['karpenter.sh/capacity-type'], 'spot', 'shared by every candidate');
    assert.equal(decoded.labels['node.kubernetes.io/instance-type'], undefined, 'differs between candidates');
    assert.equal(decoded.labels.evil, undefined, "the user's own bootstrap line is dropped");
    assert.deepEqual(decoded.taints, [
      { key: 'karpenter.sh/unregistered', effect: 'NoExecute' },
      { key: 'dedicated', value: 'core', effect: 'NoSchedule' },
      { key: 'example.com/agent-not-ready', effect: 'NoExecute' },
    ]);
    // ENIIP: (3 - 1) * 6 = 12 pods; kube-reserved by Karpenter's formula for 2 vCPUs and 12 pods.
    assert.deepEqual(decoded.kubelet, {
      maxPods: 12,
      kubeReserved: { cpu: '70m', memory: '387Mi', 'ephemeral-storage': '1Gi' },
      systemReserved: { cpu: '100m', memory: '256Mi' },
      evictionHard: { 'memory.available': '5%', 'nodefs.available': '10%' },
    });
    assert.match(request.userData, /^#!\/bin\/bash\necho 'hello from the user'\nexport ACK_NODE_BOOTSTRAP='/);
  });

  it('is byte-identical for the same NodeClaim, whatever order its labels come in', () => {
    const a = plan(claim({ 'karpenter.sh/nodepool': 'default', team: "o'brien" })).request;
    const b = plan(claim({ team: "o'brien", 'karpenter.sh/nodepool': 'default' })).request;
    assert.equal(a.userData, b.userData);
    assert.deepEqual(a, b);
  });
});
