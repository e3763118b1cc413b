import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { categoryOf, generationOf, toInstanceTypeInfo } from './instance-types.js';

describe('instance types', () => {
  it('derive the generation from the family name', () => {
    assert.deepEqual(['ecs.g7', 'ecs.g8a', 'ecs.gn7i', 'ecs.u1', 'ecs.c8y', 'ecs.e'].map(generationOf), [7, 8, 7, 1, 8, 0]);
  });

  it('name categories as the contract does', () => {
    assert.equal(categoryOf({ instanceTypeFamily: 'ecs.g7', instanceCategory: 'General-purpose' }), 'general-purpose');
    assert.equal(categoryOf({ instanceTypeFamily: 'ecs.r7', instanceCategory: 'Memory-optimized' }), 'memory-optimized');
    assert.equal(categoryOf({ instanceTypeFamily: 'ecs.gn7i', instanceCategory: 'Compute-optimized with GPU', GPUAmount: 1 }), 'gpu');
    assert.equal(categoryOf({ instanceTypeFamily: 'ecs.u1', instanceCategory: 'General-purpose' }), 'universal');
    assert.equal(categoryOf({ instanceTypeFamily: 'ecs.e', instanceCategory: 'Shared' }), 'shared');
  });

  it('map the API model to Kubernetes terms', () => {
    const info = toInstanceTypeInfo({
      instanceTypeId: 'ecs.g8y.xlarge',
      instanceTypeFamily: 'ecs.g8y',
      instanceCategory: 'General-purpose',
      cpuArchitecture: 'ARM',
      cpuCoreCount: 4,
      memorySize: 16,
      GPUAmount: 0,
      GPUSpec: '',
      eniQuantity: 4,
      eniPrivateIpAddressQuantity: 15,
      eniIpv6AddressQuantity: 15,
      eniTotalQuantity: 0,
      instanceBandwidthRx: 2_500_000,
    });
    assert.deepEqual(info, {
      name: 'ecs.g8y.xlarge',
      family: 'ecs.g8y',
      category: 'general-purpose',
      generation: 8,
      architecture: 'arm64',
      vcpu: 4,
      memoryMiB: 16384,
      gpuCount: 0,
      eniQuantity: 4,
      eniPrivateIpAddressQuantity: 15,
      eniIpv6AddressQuantity: 15,
      eniTrunkSupported: false,
      baselineBandwidthGbps: 2.5,
    });
  });
});
