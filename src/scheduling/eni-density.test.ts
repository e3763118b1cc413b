import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addEniDemand, emptyEniUsage, eniDemandOf, eniSlots, eniUsageFits, maxPodsForInstanceType, type EniUsage } from './eni-density.js';

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

describe('ENIIP pods of several pod networks', () => {
  // ecs.c6a.large: one secondary ENI of 6 addresses; a 3-ENI type has two.
  const oneSecondary = eniSlots({ eniQuantity: 2, eniPrivateIpAddressQuantity: 6 });
  const twoSecondary = eniSlots({ eniQuantity: 3, eniPrivateIpAddressQuantity: 6 });
  const usage = (perNetwork: [string | undefined, number][], exclusive = 0): EniUsage => {
    const u = emptyEniUsage();
    for (const [network, count] of perNetwork) addEniDemand(u, 'ENIIP', count, network);
    addEniDemand(u, 'ENI', exclusive);
    return u;
  };

  it('a type with one secondary ENI cannot host pods of two networks, however few', () => {
    assert.equal(eniUsageFits(oneSecondary, usage([[undefined, 1], ['core-trade', 1]])), false);
    assert.equal(eniUsageFits(oneSecondary, usage([['core-trade', 1], ['payments', 1]])), false);
    assert.equal(eniUsageFits(oneSecondary, usage([['core-trade', 6]])), true);
  });

  it('a type with two secondary ENIs hosts two networks, one ENI each', () => {
    assert.equal(eniUsageFits(twoSecondary, usage([[undefined, 6], ['core-trade', 6]])), true);
    assert.equal(eniUsageFits(twoSecondary, usage([[undefined, 1], ['core-trade', 1], ['payments', 1]])), false);
  });

  it('addresses per network are still bounded: a network that outgrows its ENI needs another', () => {
    assert.equal(eniUsageFits(twoSecondary, usage([[undefined, 7], ['core-trade', 1]])), false);
    assert.equal(eniUsageFits(twoSecondary, usage([['core-trade', 12]])), true);
    assert.equal(eniUsageFits(twoSecondary, usage([['core-trade', 13]])), false);
  });

  it('exclusive ENIs leave fewer ENIs for networks', () => {
    assert.equal(eniUsageFits(twoSecondary, usage([[undefined, 1], ['core-trade', 1]], 1)), false);
    assert.equal(eniUsageFits(twoSecondary, usage([['core-trade', 6]], 1)), true);
  });
});
