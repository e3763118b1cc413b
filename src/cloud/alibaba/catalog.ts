// The read side that feeds scheduling and the node class: zones, instance types, offerings and
// prices, vSwitches, security groups and images.
import type { CapacityType, Image, ImageFilter, InstanceTypeInfo, Offering, ResourceFilter, SecurityGroup, VSwitch } from '../types.js';
import { CloudError } from '../errors.js';
import { chunks, ecsModels, pageByNumber, pageByToken, pageSizeFor, vpcModels, type AlibabaContext } from './context.js';
import { imageFamiliesFor, isImageAlias, selectAliasImages, toImage } from './images.js';
import { toInstanceTypeInfo } from './instance-types.js';
import { matchesTags, tagFilter, tagsFromKeyValue, tagsFromKV } from './mappers.js';
import { assembleOfferings, availabilityFrom, mapWithConcurrency, spotPriceKey, TtlCache } from './offerings.js';
import * as schema from './schemas.js';

const spotStrategyOf: Record<CapacityType, string> = { 'on-demand': 'NoSpot', spot: 'SpotAsPriceGo' };

export class Catalog {
  private readonly onDemandPrices: TtlCache<number | null>;
  private readonly spotPrices: TtlCache<ReadonlyMap<string, number>>;

  constructor(private readonly ctx: AlibabaContext) {
    this.onDemandPrices = new TtlCache(ctx.config.onDemandPriceTtlMs);
    this.spotPrices = new TtlCache(ctx.config.spotPriceTtlMs);
  }

  async listZones(): Promise<string[]> {
    const body = await this.ctx.caller.call('DescribeZones', { idempotent: true }, schema.describeZonesBody, () =>
      this.ctx.ecs.describeZones(new ecsModels.DescribeZonesRequest({ regionId: this.ctx.region, verbose: false })),
    );
    return (body.zones?.zone ?? []).map((z) => z.zoneId).sort();
  }

  async listInstanceTypes(): Promise<InstanceTypeInfo[]> {
    const models = await pageByToken(async (nextToken) => {
      const body = await this.ctx.caller.call('DescribeInstanceTypes', { idempotent: true }, schema.describeInstanceTypesBody, () =>
        this.ctx.ecs.describeInstanceTypes(
          new ecsModels.DescribeInstanceTypesRequest({
            maxResults: pageSizeFor(this.ctx.config, 'DescribeInstanceTypes'),
            ...(nextToken ? { nextToken } : {}),
          }),
        ),
      );
      return { items: body.instanceTypes?.instanceType ?? [], nextToken: body.nextToken };
    });
    return models.map(toInstanceTypeInfo);
  }

  async listOfferings(): Promise<Offering[]> {
    const [onDemand, spot] = await Promise.all([this.availability('on-demand'), this.availability('spot')]);
    const availability = [...onDemand, ...spot];
    const types = [...new Set(availability.map((a) => a.instanceType))].sort();
    const spotTypes = [...new Set(spot.map((a) => a.instanceType))].sort();
    const [onDemandPrices, spotPrices] = await Promise.all([this.onDemandPriceMap(types), this.spotPriceMap(spotTypes)]);
    const offerings = assembleOfferings(availability, { onDemand: onDemandPrices, spot: spotPrices });
    const unpriced = types.filter((t) => !onDemandPrices.has(t));
    if (unpriced.length > 0) {
      this.ctx.logger.warn({ instanceTypes: unpriced.slice(0, 20), count: unpriced.length }, 'instance types without a price are not offered');
    }
    return offerings;
  }

  private async availability(capacityType: CapacityType) {
    const body = await this.ctx.caller.call('DescribeAvailableResource', { idempotent: true }, schema.describeAvailableResourceBody, () =>
      this.ctx.ecs.describeAvailableResource(
        new ecsModels.DescribeAvailableResourceRequest({
          regionId: this.ctx.region,
          destinationResource: 'InstanceType',
          instanceChargeType: 'PostPaid',
          spotStrategy: spotStrategyOf[capacityType],
          ioOptimized: 'optimized',
        }),
      ),
    );
    return availabilityFrom(body, capacityType);
  }

  /**
   * Pay-as-you-go prices per type from DescribePrice (the account's trade price), cached. A type
   * whose price cannot be had keeps its last known price, or has none.
   */
  private async onDemandPriceMap(types: string[]): Promise<Map<string, number>> {
    const prices = new Map<string, number>();
    const missing = types.filter((t) => {
      const cached = this.onDemandPrices.get(t);
      if (cached !== undefined && cached !== null) prices.set(t, cached);
      return cached === undefined;
    });
    await mapWithConcurrency(missing, this.ctx.config.priceConcurrency, async (instanceType) => {
      try {
        const price = await this.describePrice(instanceType);
        this.onDemandPrices.set(instanceType, price ?? null);
        if (price !== undefined) prices.set(instanceType, price);
      } catch (err) {
        // A price the API will not give (not sold here) is remembered as none until the TTL
        // ends; a failure that may pass keeps the last known price and is asked again next time.
        if (err instanceof CloudError && !err.retryable) this.onDemandPrices.set(instanceType, null);
        const stale = this.onDemandPrices.getStale(instanceType);
        if (stale !== undefined && stale !== null) prices.set(instanceType, stale);
        this.ctx.logger.warn({ instanceType, code: err instanceof CloudError ? err.code : undefined, err: String(err) }, 'pay-as-you-go price unavailable');
      }
    });
    return prices;
  }

  private async describePrice(instanceType: string): Promise<number | undefined> {
    const body = await this.ctx.caller.call('DescribePrice', { idempotent: true, logFields: { instanceType } }, schema.describePriceBody, () =>
      this.ctx.ecs.describePrice(
        new ecsModels.DescribePriceRequest({
          regionId: this.ctx.region,
          resourceType: 'instance',
          instanceType,
          priceUnit: 'Hour',
          period: 1,
          amount: 1,
          instanceNetworkType: 'vpc',
          ioOptimized: 'optimized',
          spotStrategy: 'NoSpot',
        }),
      ),
    );
    const price = body.priceInfo.price;
    // The total includes the default system disk; the instanceType line is the instance alone.
    const instanceLine = price.detailInfos?.detailInfo.find((d) => d.resource === 'instanceType' && d.tradePrice !== undefined);
    return instanceLine?.tradePrice ?? price.tradePrice;
  }

  /** The newest spot price per (type, zone) from DescribeSpotPriceHistory, cached per type. */
  private async spotPriceMap(types: string[]): Promise<Map<string, number>> {
    const prices = new Map<string, number>();
    await mapWithConcurrency(types, this.ctx.config.priceConcurrency, async (instanceType) => {
      let byZone = this.spotPrices.get(instanceType);
      if (!byZone) {
        try {
          byZone = await this.describeSpotPrices(instanceType);
          this.spotPrices.set(instanceType, byZone);
        } catch (err) {
          byZone = this.spotPrices.getStale(instanceType);
          this.ctx.logger.warn({ instanceType, err: String(err) }, 'spot price unavailable');
        }
      }
      for (const [zone, price] of byZone ?? []) prices.set(spotPriceKey(instanceType, zone), price);
    });
    return prices;
  }

  private async describeSpotPrices(instanceType: string): Promise<Map<string, number>> {
    const newest = new Map<string, { price: number; at: number }>();
    let offset: number | undefined;
    for (let page = 0; page < 100; page++) {
      const body = await this.ctx.caller.call(
        'DescribeSpotPriceHistory',
        { idempotent: true, logFields: { instanceType } },
        schema.describeSpotPriceHistoryBody,
        () =>
          this.ctx.ecs.describeSpotPriceHistory(
            new ecsModels.DescribeSpotPriceHistoryRequest({
              regionId: this.ctx.region,
              instanceType,
              networkType: 'vpc',
              OSType: 'linux',
              ioOptimized: 'optimized',
              ...(offset ? { offset } : {}),
            }),
          ),
      );
      for (const entry of body.spotPrices?.spotPriceType ?? []) {
        if (entry.instanceType !== instanceType) continue;
        const at = Date.parse(entry.timestamp);
        const current = newest.get(entry.zoneId);
        if (!current || at >= current.at) newest.set(entry.zoneId, { price: entry.spotPrice, at });
      }
      if (!body.nextOffset || body.nextOffset === offset) break;
      offset = body.nextOffset;
    }
    return new Map([...newest].map(([zone, { price }]) => [zone, price]));
  }

  async listVSwitches(filter: ResourceFilter): Promise<VSwitch[]> {
    // VSwitchId takes a single id: ask per id, else list with the server-side filters we can use.
    const queries: Record<string, unknown>[] = filter.ids?.length
      ? filter.ids.map((vSwitchId) => ({ vSwitchId }))
      : [{ ...(filter.names?.length === 1 ? { vSwitchName: filter.names[0] } : {}), ...(filter.zone ? { zoneId: filter.zone } : {}), ...(tagFilter(filter.tags) ? { tag: tagFilter(filter.tags) } : {}) }];
    const pageSize = pageSizeFor(this.ctx.config, 'DescribeVSwitches');
    const results = await Promise.all(
      queries.map((query) =>
        pageByNumber(pageSize, async (pageNumber) => {
          const body = await this.ctx.caller.call('DescribeVSwitches', { idempotent: true }, schema.describeVSwitchesBody, () =>
            this.ctx.vpc.describeVSwitches(
              new vpcModels.DescribeVSwitchesRequest({ regionId: this.ctx.region, pageNumber, pageSize, ...query }),
            ),
          );
          return { items: body.vSwitches?.vSwitch ?? [], totalCount: body.totalCount };
        }),
      ),
    );
    const seen = new Set<string>();
    const vSwitches: VSwitch[] = [];
    for (const model of results.flat()) {
      if (seen.has(model.vSwitchId)) continue;
      seen.add(model.vSwitchId);
      const vSwitch: VSwitch = {
        id: model.vSwitchId,
        vpcId: model.vpcId,
        zone: model.zoneId,
        cidrBlock: model.cidrBlock,
        availableIpAddressCount: model.availableIpAddressCount,
        name: model.vSwitchName,
        tags: tagsFromKV(model.tags?.tag),
      };
      // Server-side filters are applied again here: the API ignores some combinations.
      if (filter.ids?.length && !filter.ids.includes(vSwitch.id)) continue;
      if (filter.names?.length && !filter.names.includes(vSwitch.name)) continue;
      if (filter.zone && vSwitch.zone !== filter.zone) continue;
      if (!matchesTags(vSwitch.tags, filter.tags)) continue;
      vSwitches.push(vSwitch);
    }
    return vSwitches;
  }

  async listSecurityGroups(filter: ResourceFilter): Promise<SecurityGroup[]> {
    const idChunks = filter.ids?.length ? chunks(filter.ids, 100) : [undefined];
    const results = await Promise.all(
      idChunks.map((ids) =>
        pageByToken(async (nextToken) => {
          const body = await this.ctx.caller.call('DescribeSecurityGroups', { idempotent: true }, schema.describeSecurityGroupsBody, () =>
            this.ctx.ecs.describeSecurityGroups(
              new ecsModels.DescribeSecurityGroupsRequest({
                regionId: this.ctx.region,
                maxResults: pageSizeFor(this.ctx.config, 'DescribeSecurityGroups'),
                ...(nextToken ? { nextToken } : {}),
                ...(ids ? { securityGroupIds: JSON.stringify(ids) } : {}),
                ...(filter.names?.length === 1 ? { securityGroupName: filter.names[0] } : {}),
                ...(tagFilter(filter.tags) ? { tag: tagFilter(filter.tags) } : {}),
              }),
            ),
          );
          return { items: body.securityGroups?.securityGroup ?? [], nextToken: body.nextToken };
        }),
      ),
    );
    const seen = new Set<string>();
    return results
      .flat()
      .map((model) => ({
        id: model.securityGroupId,
        vpcId: model.vpcId,
        name: model.securityGroupName,
        tags: tagsFromKeyValue(model.tags?.tag),
      }))
      .filter((group) => {
        if (seen.has(group.id)) return false;
        seen.add(group.id);
        return (
          (!filter.ids?.length || filter.ids.includes(group.id)) &&
          (!filter.names?.length || filter.names.includes(group.name)) &&
          matchesTags(group.tags, filter.tags)
        );
      });
  }

  async listImages(filter: ImageFilter): Promise<Image[]> {
    const images: Image[] = [];
    if (filter.ids?.length) {
      for (const ids of chunks(filter.ids, 100)) {
        images.push(...(await this.describeImages({ imageId: ids.join(','), showExpired: true })));
      }
      return images.filter((i) => filter.ids?.includes(i.id) && (!filter.architecture || i.architecture === filter.architecture));
    }
    if (!filter.family || !isImageAlias(filter.family)) {
      throw new CloudError({
        kind: 'InvalidRequest',
        code: 'InvalidImageAlias',
        action: 'DescribeImages',
        message: `an image filter needs ids or an alias (ContainerOS or AlibabaCloudLinux3), got ${JSON.stringify(filter.family ?? null)}`,
      });
    }
    for (const { family, architecture } of imageFamiliesFor(filter.family, filter.architecture)) {
      const familyImages = await this.describeImages({ imageFamily: family, imageOwnerAlias: 'system', OSType: 'linux', status: 'Available' });
      images.push(...selectAliasImages(familyImages.filter((i) => i.architecture === architecture), filter.version));
    }
    return images;
  }

  private async describeImages(query: Record<string, unknown>): Promise<Image[]> {
    const pageSize = pageSizeFor(this.ctx.config, 'DescribeImages');
    const models = await pageByNumber(pageSize, async (pageNumber) => {
      const body = await this.ctx.caller.call('DescribeImages', { idempotent: true }, schema.describeImagesBody, () =>
        this.ctx.ecs.describeImages(new ecsModels.DescribeImagesRequest({ regionId: this.ctx.region, pageNumber, pageSize, ...query })),
      );
      return { items: body.images?.image ?? [], totalCount: body.totalCount };
    });
    return models.flatMap((m) => toImage(m) ?? []);
  }
}
