import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eniDemandOf, eniSlots, eniUsageFits, maxPodsForInstanceType } from './eni-density.js';

// ecs.g7.xlarge as DescribeInstanceTypes reports it.
const g7xlarge = { eniQuantity: 4, eniPrivateIpAddressQuantity: 15, eniTotalQuantity: 20, eniTrunkSupported: true };

describe('maxPodsForInstanceType', () => {
  it('ENIIP: (eniQuantity - 1) * IPs per ENI', () => {
    assert.equal(maxPodsForInstanceType(g7xlarge, 'ENIIP'), 45);
  });
  it('exclusive ENI: eniQuantity - 1', () => {
    assert.equal(maxPodsForInstanceType(g7xlarge, 'ENI'), 3);
  });
  it('trunk: member ENIs, none without trunk support', () => {
    assert.equal(maxPodsForInstanceType(g7xlarge, 'Trunk'), 16);
    assert.equal(maxPodsForInstanceType({ ...g7xlarge, eniTrunkSupported: false }, 'Trunk'), 0);
    assert.equal(maxPodsForInstanceType({ ...g7xlarge, eniTotalQuantity: null }, 'Trunk'), 0);
  });
  it('is capped by kubelet maxPods and podsPerCore', () => {
    assert.equal(maxPodsForInstanceType(g7xlarge, 'ENIIP', { maxPods: 30, vcpu: 4 }), 30);
    assert.equal(maxPodsForInstanceType(g7xlarge, 'ENIIP', { podsPerCore: 5, vcpu: 4 }), 20);
  });
});

describe('ENI slot usage', () => {
  const slots = eniSlots({ eniQuantity: 3, eniPrivateIpAddressQuantity: 6 });
  it('an exclusive ENI takes a whole ENI of IP slots', () => {
    assert.equal(eniUsageFits(slots, { ip: 12, eni: 0, trunk: 0 }), true);
    assert.equal(eniUsageFits(slots, { ip: 13, eni: 0, trunk: 0 }), false);
    assert.equal(eniUsageFits(slots, { ip: 6, eni: 1, trunk: 0 }), true);
    assert.equal(eniUsageFits(slots, { ip: 7, eni: 1, trunk: 0 }), false);
    assert.equal(eniUsageFits(slots, { ip: 0, eni: 3, trunk: 0 }), false);
  });
  it('host-network pods take no slot', () => {
    assert.equal(eniDemandOf({ hostNetwork: true }), undefined);
    assert.equal(eniDemandOf({}), 'ENIIP');
    assert.equal(eniDemandOf({ network: { eniType: 'ENI' } }, 'ENIIP'), 'ENI');
  });
});
