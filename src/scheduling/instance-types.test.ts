import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildInstanceType, computeAllocatable, defaultKubeReserved, evictionThreshold, instanceTypeLabels, type InstanceTypeSpec } from './instance-types.js';

const Mi = 2 ** 20;
const Gi = 2 ** 30;
const g7: InstanceTypeSpec = {
  name: 'ecs.g7.xlarge', family: 'ecs.g7', category: 'general-purpose', generation: 7, architecture: 'amd64',
  vcpu: 4, memoryMiB: 16384, gpuCount: 0, eniQuantity: 4, eniPrivateIpAddressQuantity: 15, eniTotalQuantity: 20, eniTrunkSupported: true,
};

describe('instance type model', () => {
  it('default kube-reserved follows the CPU tiers and 11Mi per pod + 255Mi', () => {
    const r = defaultKubeReserved(4, 45);
    assert.equal(r.cpu, 60 + 10 + 10); // 6% of 1000m, 1% of 1000m, 0.5% of 2000m
    assert.equal(r.memory, (11 * 45 + 255) * Mi);
    assert.equal(defaultKubeReserved(8, 10).cpu, 60 + 10 + 10 + 10); // + 0.25% of 4000m
  });

  it('eviction thresholds accept quantities and percentages', () => {
    assert.deepEqual(evictionThreshold({ memory: 16 * Gi, 'ephemeral-storage': 40 * Gi }, { 'memory.available': '500Mi', 'nodefs.available': '10%' }), {
      memory: 500 * Mi, 'ephemeral-storage': 4 * Gi,
    });
  });

  it('allocatable = capacity - kube-reserved - system-reserved - eviction', () => {
    const a = computeAllocatable({ cpu: 4000, memory: 16 * Gi }, { kubeReserved: { cpu: 80, memory: Gi }, systemReserved: { cpu: 100 }, evictionThreshold: { memory: 100 * Mi } });
    assert.deepEqual(a, { cpu: 3820, memory: 16 * Gi - Gi - 100 * Mi });
  });

  it('builds a type whose pods come from the ENI model and honours kubelet settings', () => {
    const it = buildInstanceType(g7, [{ zone: 'z', capacityType: 'spot', price: 1, available: true }], {
      kubelet: { maxPods: 40, kubeReserved: { cpu: '200m', memory: '1Gi' }, systemReserved: { memory: '512Mi' } },
    });
    assert.equal(it.capacity.pods, 40);
    assert.equal(it.allocatable.cpu, 3800);
    assert.equal(it.allocatable.memory, 16 * Gi - Gi - 512 * Mi - 100 * Mi);
    const plain = buildInstanceType(g7, []);
    assert.equal(plain.capacity.pods, 45);
    assert.equal(buildInstanceType(g7, [], { eniMode: 'ENI' }).capacity.pods, 3);
  });

  it('labels the well-known keys, GPUs included', () => {
    const labels = instanceTypeLabels({ ...g7, name: 'ecs.gn7i-c8g1.2xlarge', family: 'ecs.gn7i', category: 'gpu', gpuCount: 1, gpuSpec: 'NVIDIA A10' }, 'cn-hangzhou');
    assert.equal(labels['node.kubernetes.io/instance-type'], 'ecs.gn7i-c8g1.2xlarge');
    assert.equal(labels['kubernetes.io/arch'], 'amd64');
    assert.equal(labels['karpenter.k8s.alibabacloud/instance-family'], 'ecs.gn7i');
    assert.equal(labels['karpenter.k8s.alibabacloud/instance-cpu'], '4');
    assert.equal(labels['karpenter.k8s.alibabacloud/instance-memory'], '16384');
    assert.equal(labels['karpenter.k8s.alibabacloud/instance-gpu-manufacturer'], 'nvidia');
    assert.equal(labels['karpenter.k8s.alibabacloud/instance-gpu-name'], 'a10');
    assert.equal(labels['karpenter.k8s.alibabacloud/instance-gpu-count'], '1');
    assert.equal(labels['topology.kubernetes.io/region'], 'cn-hangzhou');
  });
});
