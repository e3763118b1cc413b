// Regions, zones, instance types, availability and prices, through the real SDK.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { defaultCatalogPath } from '../../../src/simulator/model/catalog.js';
import { ecs, sdkError, startFixture, type Fixture } from './sdk.js';

const catalogFile = JSON.parse(readFileSync(defaultCatalogPath, 'utf8')) as {
  instanceTypes: { instanceTypeId: string; eniQuantity: number }[];
  regions: Record<string, { zones: string[] }>;
  onDemandPricePerHour: Record<string, Record<string, number>>;
};

describe('simulator catalog actions', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(() => f.close());

  it('DescribeRegions lists the catalog regions, localized by AcceptLanguage', async () => {
    const answer = await f.ecs.describeRegions(new ecs.DescribeRegionsRequest({ acceptLanguage: 'en-US' }));
    const regions = answer.body?.regions?.region ?? [];
    assert.deepEqual(regions.map((r) => r.regionId).sort(), Object.keys(catalogFile.regions).sort());
    assert.equal(regions.find((r) => r.regionId === 'cn-hangzhou')?.localName, 'China (Hangzhou)');
    assert.equal(regions.find((r) => r.regionId === 'cn-hangzhou')?.regionEndpoint, 'ecs.cn-hangzhou.aliyuncs.com');
  });

  it('DescribeZones lists the region zones with the types on sale in each', async () => {
    const answer = await f.ecs.describeZones(new ecs.DescribeZonesRequest({ regionId: 'cn-hangzhou' }));
    const zones = answer.body?.zones?.zone ?? [];
    assert.deepEqual(zones.map((z) => z.zoneId), catalogFile.regions['cn-hangzhou']!.zones);
    for (const zone of zones) assert.ok((zone.availableInstanceTypes?.instanceTypes ?? []).length > 100, `${zone.zoneId} sells types`);
    const sets = zones.map((z) => (z.availableInstanceTypes?.instanceTypes ?? []).join());
    assert.ok(new Set(sets).size > 1, 'zones do not all sell the same types');
    const terse = await f.ecs.describeZones(new ecs.DescribeZonesRequest({ regionId: 'cn-hangzhou', verbose: false }));
    assert.equal(terse.body?.zones?.zone?.[0]?.availableInstanceTypes, undefined);
  });

  it('DescribeInstanceTypes pages the whole catalog by NextToken without repeats', async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const answer = await f.ecs.describeInstanceTypes(new ecs.DescribeInstanceTypesRequest({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
      seen.push(...(answer.body?.instanceTypes?.instanceType ?? []).map((t) => t.instanceTypeId!));
      nextToken = answer.body?.nextToken || undefined;
      pages++;
    } while (nextToken);
    assert.equal(pages, Math.ceil(catalogFile.instanceTypes.length / 100));
    assert.equal(new Set(seen).size, catalogFile.instanceTypes.length);
  });

  it('DescribeInstanceTypes answers the ENI and IP limits, architecture and category fields', async () => {
    const answer = await f.ecs.describeInstanceTypes(
      new ecs.DescribeInstanceTypesRequest({ instanceTypes: ['ecs.g7.xlarge', 'ecs.g8y.large'] }),
    );
    const byId = new Map((answer.body?.instanceTypes?.instanceType ?? []).map((t) => [t.instanceTypeId, t]));
    const g7 = byId.get('ecs.g7.xlarge');
    assert.equal(g7?.cpuCoreCount, 4);
    assert.equal(g7?.memorySize, 16);
    assert.equal(g7?.eniQuantity, 4);
    assert.equal(g7?.eniTotalQuantity, 20);
    assert.equal(g7?.eniTrunkSupported, true);
    assert.equal(g7?.instanceCategory, 'General-purpose');
    assert.equal(byId.get('ecs.g8y.large')?.cpuArchitecture, 'ARM');
    const arm = await f.ecs.describeInstanceTypes(new ecs.DescribeInstanceTypesRequest({ cpuArchitecture: 'ARM', maxResults: 1600 }));
    assert.ok((arm.body?.instanceTypes?.instanceType ?? []).every((t) => t.cpuArchitecture === 'ARM'));
    assert.equal(arm.body?.instanceTypes?.instanceType?.length, 36);
  });

  it('DescribeInstanceTypes refuses a forged NextToken', async () => {
    const err = await sdkError(f.ecs.describeInstanceTypes(new ecs.DescribeInstanceTypesRequest({ nextToken: 'bm9wZQ' })));
    assert.equal(err.code, 'InvalidParameter');
  });

  it('DescribeAvailableResource reports per zone which types are on sale, and stock-outs per capacity type', async () => {
    const ask = (spotStrategy: string, zoneId?: string) =>
      f.ecs.describeAvailableResource(
        new ecs.DescribeAvailableResourceRequest({
          regionId: 'cn-hangzhou',
          destinationResource: 'InstanceType',
          instanceChargeType: 'PostPaid',
          spotStrategy,
          ...(zoneId ? { zoneId } : {}),
        }),
      );
    const statusOf = async (spotStrategy: string, zone: string, type: string) => {
      const answer = await ask(spotStrategy, zone);
      const resources = answer.body?.availableZones?.availableZone?.[0]?.availableResources?.availableResource?.[0];
      assert.equal(resources?.type, 'InstanceType');
      return resources?.supportedResources?.supportedResource?.find((r) => r.value === type);
    };
    const all = await ask('NoSpot');
    assert.equal(all.body?.availableZones?.availableZone?.length, catalogFile.regions['cn-hangzhou']!.zones.length);
    const zone = 'cn-hangzhou-b';
    const zoneTypes = (await ask('NoSpot', zone)).body?.availableZones?.availableZone?.[0]?.availableResources?.availableResource?.[0]
      ?.supportedResources?.supportedResource ?? [];
    const type = zoneTypes[0]!.value!;
    assert.equal((await statusOf('SpotAsPriceGo', zone, type))?.status, 'Available');
    f.sim.faults.stockOut({ instanceType: type, zone, capacityType: 'spot' });
    try {
      assert.deepEqual(
        { status: (await statusOf('SpotAsPriceGo', zone, type))?.status, category: (await statusOf('SpotAsPriceGo', zone, type))?.statusCategory },
        { status: 'SoldOut', category: 'WithoutStock' },
      );
      assert.equal((await statusOf('NoSpot', zone, type))?.status, 'Available', 'on-demand is unaffected');
      f.sim.faults.setStock({ instanceType: type, zone, capacityType: 'spot' }, 3);
      assert.equal((await statusOf('SpotAsPriceGo', zone, type))?.statusCategory, 'ClosedWithStock');
    } finally {
      f.sim.faults.restock();
    }
  });

  it('DescribeAvailableResource answers SystemDisk categories with size bounds', async () => {
    const answer = await f.ecs.describeAvailableResource(
      new ecs.DescribeAvailableResourceRequest({
        regionId: 'cn-hangzhou',
        destinationResource: 'SystemDisk',
        zoneId: 'cn-hangzhou-b',
        instanceType: (await firstTypeIn(f, 'cn-hangzhou-b')),
      }),
    );
    const disks = answer.body?.availableZones?.availableZone?.[0]?.availableResources?.availableResource?.[0];
    assert.equal(disks?.type, 'SystemDisk');
    const essd = disks?.supportedResources?.supportedResource?.find((d) => d.value === 'cloud_essd');
    assert.deepEqual({ min: essd?.min, max: essd?.max, unit: essd?.unit }, { min: 20, max: 2048, unit: 'GiB' });
  });

  it('DescribeSpotPriceHistory gives spot prices below on-demand that differ per zone and over time', async () => {
    const type = 'ecs.g7.large';
    const start = new Date(Date.UTC(2025, 5, 1, 0, 0, 0));
    const end = new Date(Date.UTC(2025, 5, 2, 0, 0, 0));
    const answer = await f.ecs.describeSpotPriceHistory(
      new ecs.DescribeSpotPriceHistoryRequest({
        regionId: 'cn-hangzhou',
        networkType: 'vpc',
        instanceType: type,
        startTime: start.toISOString().replace('.000', ''),
        endTime: end.toISOString().replace('.000', ''),
      }),
    );
    const points = answer.body?.spotPrices?.spotPriceType ?? [];
    const onDemand = catalogFile.onDemandPricePerHour['cn-hangzhou']![type]!;
    assert.ok(points.length > 24);
    for (const point of points) {
      assert.equal(point.originPrice, onDemand);
      assert.ok(point.spotPrice! > 0 && point.spotPrice! < onDemand, `${point.spotPrice} below ${onDemand}`);
    }
    const zones = new Set(points.map((p) => p.zoneId));
    assert.ok(zones.size > 1);
    const atMidnight = points.filter((p) => p.timestamp === '2025-06-01T00:00:00Z').map((p) => p.spotPrice);
    assert.ok(new Set(atMidnight).size > 1, 'zones have different prices');
    const oneZone = points.filter((p) => p.zoneId === points[0]!.zoneId).map((p) => p.spotPrice);
    assert.ok(new Set(oneZone).size > 1, 'prices move over the day');
    assert.equal(answer.body?.currency, 'CNY');
  });

  it('DescribeSpotPriceHistory is deterministic for a seed', async () => {
    const ask = (fx: Fixture) =>
      fx.ecs.describeSpotPriceHistory(
        new ecs.DescribeSpotPriceHistoryRequest({
          regionId: 'cn-hangzhou',
          networkType: 'vpc',
          instanceType: 'ecs.c7.xlarge',
          startTime: '2025-06-01T00:00:00Z',
          endTime: '2025-06-01T06:00:00Z',
        }),
      );
    const other = await startFixture({ seed: 1 });
    const differentSeed = await startFixture({ seed: 2 });
    try {
      const prices = async (fx: Fixture) => (await ask(fx)).body?.spotPrices?.spotPriceType?.map((p) => `${p.zoneId}@${p.timestamp}=${p.spotPrice}`);
      assert.deepEqual(await prices(f), await prices(other));
      assert.notDeepEqual(await prices(f), await prices(differentSeed));
    } finally {
      await other.close();
      await differentSeed.close();
    }
  });

  it('DescribePrice answers the on-demand list price, and the spot price for SpotAsPriceGo', async () => {
    const type = 'ecs.g7.large';
    const onDemand = await f.ecs.describePrice(
      new ecs.DescribePriceRequest({ regionId: 'cn-hangzhou', resourceType: 'instance', instanceType: type, priceUnit: 'Hour' }),
    );
    const listPrice = catalogFile.onDemandPricePerHour['cn-hangzhou']![type]!;
    assert.equal(onDemand.body?.priceInfo?.price?.tradePrice, listPrice);
    assert.equal(onDemand.body?.priceInfo?.price?.currency, 'CNY');
    const line = onDemand.body?.priceInfo?.price?.detailInfos?.detailInfo?.find((d) => d.resource === 'instanceType');
    assert.equal(line?.tradePrice, listPrice);
    const zone = 'cn-hangzhou-b';
    const spot = await f.ecs.describePrice(
      new ecs.DescribePriceRequest({ regionId: 'cn-hangzhou', instanceType: type, spotStrategy: 'SpotAsPriceGo', zoneId: zone }),
    );
    assert.ok(spot.body!.priceInfo!.price!.tradePrice! < listPrice);
    assert.equal(spot.body?.priceInfo?.price?.originalPrice, listPrice);
    const missing = await sdkError(f.ecs.describePrice(new ecs.DescribePriceRequest({ regionId: 'cn-hangzhou', instanceType: 'ecs.nope.large' })));
    assert.equal(missing.code, 'InvalidInstanceType.ValueNotSupported');
  });
});

async function firstTypeIn(f: Fixture, zone: string): Promise<string> {
  const zones = await f.ecs.describeZones(new ecs.DescribeZonesRequest({ regionId: 'cn-hangzhou' }));
  return zones.body!.zones!.zone!.find((z) => z.zoneId === zone)!.availableInstanceTypes!.instanceTypes![0]!;
}
