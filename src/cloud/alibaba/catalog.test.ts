// The catalog side of the provider, through the real SDK against the simulator.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { providerFor, type TestProvider } from './testing.js';

const catalogFile = JSON.parse(
  readFileSync(new URL('../../../data/ecs-instance-types.json', import.meta.url), 'utf8'),
) as { instanceTypes: { instanceTypeId: string }[]; onDemandPricePerHour: Record<string, Record<string, number>> };

describe('catalog against the simulator', () => {
  let sim: RunningSimulator;
  let p: TestProvider;

  before(async () => {
    sim = await startSimulator();
    p = providerFor(sim, { pageSize: 40 });
  });
  after(() => sim.close());

  it('lists the region’s zones', async () => {
    const zones = await p.cloud.listZones();
    assert.ok(zones.length >= 2);
    assert.ok(zones.every((z) => z.startsWith(`${sim.region}-`)));
  });

  it('pages through every instance type with their ENI limits', async () => {
    sim.state.resetCalls();
    const types = await p.cloud.listInstanceTypes();
    assert.equal(types.length, catalogFile.instanceTypes.length);
    assert.equal(sim.state.callCount('DescribeInstanceTypes'), Math.ceil(catalogFile.instanceTypes.length / 40));
    const g7 = types.find((t) => t.name === 'ecs.g7.xlarge');
    assert.ok(g7);
    assert.equal(g7.family, 'ecs.g7');
    assert.equal(g7.generation, 7);
    assert.equal(g7.vcpu, 4);
    assert.equal(g7.memoryMiB, 16 * 1024);
    assert.equal(g7.eniTotalQuantity, 20);
    assert.equal(g7.eniTrunkSupported, true);
    assert.ok(g7.eniQuantity > 1 && g7.eniPrivateIpAddressQuantity > 1);
    assert.ok(types.some((t) => t.architecture === 'arm64'));
    const gpu = types.find((t) => t.gpuCount > 0);
    assert.equal(gpu?.category, 'gpu');
  });

  it('offers spot and on-demand per zone at the region’s prices, and caches prices', async () => {
    sim.state.resetCalls();
    const offerings = await p.cloud.listOfferings();
    const onDemand = offerings.filter((o) => o.instanceType === 'ecs.g7.large' && o.capacityType === 'on-demand');
    assert.ok(onDemand.length > 0);
    const listPrice = catalogFile.onDemandPricePerHour[sim.region]?.['ecs.g7.large'];
    assert.ok(listPrice !== undefined);
    // DescribePrice answers to the cent's hundredth, as the real API rounds.
    assert.ok(onDemand.every((o) => Math.abs(o.pricePerHour - listPrice) < 0.0001), `${onDemand[0]?.pricePerHour} vs ${listPrice}`);
    const spot = offerings.filter((o) => o.instanceType === 'ecs.g7.large' && o.capacityType === 'spot' && o.available);
    assert.ok(spot.length > 1);
    assert.ok(spot.every((o) => o.pricePerHour < listPrice), 'spot is cheaper than pay-as-you-go');
    assert.ok(new Set(spot.map((o) => o.pricePerHour)).size > 1, 'spot prices differ by zone');
    const priceCalls = sim.state.callCount('DescribePrice') + sim.state.callCount('DescribeSpotPriceHistory');
    assert.ok(priceCalls > 0);

    await p.cloud.listOfferings();
    assert.equal(sim.state.callCount('DescribePrice') + sim.state.callCount('DescribeSpotPriceHistory'), priceCalls, 'prices come from the cache');
    assert.equal(sim.state.callCount('DescribeAvailableResource'), 4, 'availability is asked every time, once per capacity type');
  });

  it('shows a sold-out offering as unavailable', async () => {
    const before = await p.cloud.listOfferings();
    const target = before.find((o) => o.available && o.capacityType === 'spot');
    assert.ok(target);
    sim.faults.stockOut({ instanceType: target.instanceType, zone: target.zone, capacityType: 'spot' });
    try {
      const afterStockOut = await p.cloud.listOfferings();
      const same = afterStockOut.find((o) => o.instanceType === target.instanceType && o.zone === target.zone && o.capacityType === 'spot');
      assert.equal(same?.available, false);
    } finally {
      sim.faults.restock();
    }
  });

  it('selects vSwitches by tag, id, name and zone, across pages', async () => {
    const p2 = providerFor(sim, { pageSize: 2 });
    sim.state.resetCalls();
    const nodeVSwitches = await p2.cloud.listVSwitches({ tags: { 'karpenter.sh/discovery': 'local' } });
    const expected = sim.state.vSwitches().filter((v) => v.tags['karpenter.sh/discovery'] === 'local');
    assert.deepEqual(nodeVSwitches.map((v) => v.id).sort(), expected.map((v) => v.id).sort());
    assert.ok(sim.state.callCount('DescribeVSwitches') > 1, 'more than one page was read');
    const first = expected[0];
    assert.ok(first);
    const vsw = nodeVSwitches.find((v) => v.id === first.id);
    assert.equal(vsw?.availableIpAddressCount, first.availableIpAddressCount);
    assert.equal(vsw?.cidrBlock, first.cidrBlock);

    assert.deepEqual((await p.cloud.listVSwitches({ ids: [first.id] })).map((v) => v.id), [first.id]);
    assert.deepEqual((await p.cloud.listVSwitches({ names: [first.name] })).map((v) => v.id), [first.id]);
    const inZone = await p.cloud.listVSwitches({ zone: first.zoneId, tags: { 'karpenter.sh/discovery': '*' } });
    assert.ok(inZone.length > 0 && inZone.every((v) => v.zone === first.zoneId && 'karpenter.sh/discovery' in v.tags));
    assert.deepEqual(await p.cloud.listVSwitches({ tags: { 'karpenter.sh/discovery': 'another-cluster' } }), []);
  });

  it('selects security groups by tag, id and name', async () => {
    const all = sim.state.securityGroups();
    const tagged = await p.cloud.listSecurityGroups({ tags: { 'karpenter.sh/discovery': 'local' } });
    assert.deepEqual(
      tagged.map((g) => g.id).sort(),
      all.filter((g) => g.tags['karpenter.sh/discovery'] === 'local').map((g) => g.id).sort(),
    );
    const one = all[0];
    assert.ok(one);
    assert.deepEqual((await p.cloud.listSecurityGroups({ ids: [one.id] })).map((g) => g.name), [one.name]);
    assert.deepEqual((await p.cloud.listSecurityGroups({ names: [one.name] })).map((g) => g.id), [one.id]);
  });

  it('resolves image aliases to the newest image per architecture, or to a version', async () => {
    const latest = await p.cloud.listImages({ family: 'ContainerOS', version: 'latest' });
    assert.deepEqual(latest.map((i) => i.architecture).sort(), ['amd64', 'arm64']);
    const seeded = sim.state.images().filter((i) => i.family === 'acs:containeros_3_x64');
    const newest = seeded.sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime))[0];
    assert.equal(latest.find((i) => i.architecture === 'amd64')?.id, newest?.id);
    assert.ok(latest.every((i) => i.family === 'ContainerOS'));

    const oldest = seeded.at(-1);
    assert.ok(oldest);
    const pinned = await p.cloud.listImages({ family: 'AlibabaCloudLinux3', version: oldest.version, architecture: 'arm64' });
    assert.equal(pinned.length, 1);
    assert.equal(pinned[0]?.architecture, 'arm64');
    assert.equal(pinned[0]?.version, oldest.version);
    assert.match(pinned[0]?.name ?? '', /^aliyun_3_arm64/);

    const byId = await p.cloud.listImages({ ids: [newest?.id ?? ''] });
    assert.deepEqual(byId.map((i) => i.id), [newest?.id]);
    await assert.rejects(p.cloud.listImages({ family: 'Ubuntu' }), { kind: 'InvalidRequest' });
  });
});
