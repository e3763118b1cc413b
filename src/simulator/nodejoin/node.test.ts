import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstanceTypeSpec } from '../model/catalog.js';
import type { InstanceRecord } from '../model/records.js';
import { buildNode } from './node.js';
import { nodeBootstrapSchema } from './userData.js';

const spec = {
  instanceTypeId: 'ecs.g7.xlarge',
  family: 'ecs.g7',
  cpuCoreCount: 4,
  memoryGiB: 16,
  cpuArchitecture: 'X86',
  gpuAmount: 0,
} as InstanceTypeSpec;

const instance = {
  id: 'i-sim1',
  regionId: 'cn-hangzhou',
  zoneId: 'cn-hangzhou-h',
  primaryIp: '10.0.0.7',
  spec,
  systemDisk: { category: 'cloud_essd', sizeGiB: 40 },
} as InstanceRecord;

const settings = { kubeletVersion: 'v1.35.4', memoryOverheadPercent: 0 };

describe('buildNode', () => {
  it('names the Node <region>.<ip> with providerID <region>.<instanceId> and well-known labels winning over launch labels', () => {
    const node = buildNode(instance, nodeBootstrapSchema.parse({ labels: { 'karpenter.sh/nodepool': 'default', 'kubernetes.io/arch': 'arm64' } }), settings, 'os');
    assert.equal(node.metadata.name, 'cn-hangzhou.10.0.0.7');
    assert.equal(node.spec.providerID, 'cn-hangzhou.i-sim1');
    assert.equal(node.metadata.labels['karpenter.sh/nodepool'], 'default');
    assert.equal(node.metadata.labels['kubernetes.io/arch'], 'amd64');
    assert.equal(node.metadata.labels['topology.kubernetes.io/zone'], 'cn-hangzhou-h');
    assert.equal(node.metadata.annotations['kwok.x-k8s.io/node'], 'fake');
    assert.equal(node.spec.taints, undefined);
  });

  it('computes capacity and allocatable as the kubelet does, with default eviction thresholds', () => {
    const node = buildNode(instance, nodeBootstrapSchema.parse({}), settings, 'os');
    assert.deepEqual(node.status.capacity, { cpu: '4', memory: `${16 * 1024 * 1024}Ki`, 'ephemeral-storage': `${40 * 1024 * 1024}Ki`, pods: '110' });
    assert.equal(node.status.allocatable.memory, `${16 * 1024 * 1024 - 100 * 1024}Ki`);
    assert.equal(node.status.allocatable['ephemeral-storage'], `${36 * 1024 * 1024}Ki`);
  });

  it('subtracts kube and system reservations and honours maxPods, podsPerCore and taints', () => {
    const node = buildNode(
      instance,
      nodeBootstrapSchema.parse({
        taints: [{ key: 'dedicated', value: 'core', effect: 'NoSchedule' }],
        kubelet: {
          maxPods: 60,
          podsPerCore: 10,
          kubeReserved: { cpu: '100m', memory: '1Gi' },
          systemReserved: { cpu: '50m', memory: '512Mi', 'ephemeral-storage': '1Gi' },
          evictionHard: { 'memory.available': '5%' },
        },
      }),
      settings,
      'os',
    );
    assert.equal(node.status.capacity.pods, '40');
    assert.equal(node.status.allocatable.cpu, '3850m');
    const memoryKi = 16 * 1024 * 1024;
    assert.equal(node.status.allocatable.memory, `${Math.floor(memoryKi - 1024 * 1024 - 512 * 1024 - memoryKi * 0.05)}Ki`);
    assert.equal(node.status.allocatable['ephemeral-storage'], `${39 * 1024 * 1024}Ki`, 'no nodefs threshold when evictionHard omits it');
    assert.deepEqual(node.spec.taints, [{ key: 'dedicated', value: 'core', effect: 'NoSchedule' }]);
  });
});
