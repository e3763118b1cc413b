// DescribeSpotPriceHistory (hourly points per zone, Offset paging) and DescribePrice.
import { z } from 'zod';
import { ApiError, apiErrors } from '../../errors.js';
import { Offerings } from '../../model/offerings.js';
import { ecsSecondTime } from '../../model/time.js';
import { p } from '../../server/params.js';
import { defineAction } from '../action.js';

const historyPageSize = 1000;
const maxHistoryMs = 30 * 24 * 3_600_000;
const defaultHistoryMs = 3 * 3_600_000;

function parseTime(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw apiErrors.invalidParameter(name, 'Use UTC, yyyy-MM-ddTHH:mm:ssZ.');
  return date;
}

export const describeSpotPriceHistory = defineAction({
  name: 'DescribeSpotPriceHistory',
  product: 'ecs',
  params: z.object({
    RegionId: p.nonEmpty(),
    NetworkType: z.enum(['classic', 'vpc']),
    InstanceType: p.nonEmpty(),
    ZoneId: p.str().optional(),
    OSType: z.enum(['linux', 'windows']).optional(),
    IoOptimized: p.str().optional(),
    SpotDuration: p.int().optional(),
    StartTime: p.str().optional(),
    EndTime: p.str().optional(),
    Offset: p.int().min(0).optional(),
  }),
  handle: ({ cloud }, q) => {
    cloud.checkRegion(q.RegionId);
    const end = parseTime('EndTime', q.EndTime) ?? cloud.now();
    const start = parseTime('StartTime', q.StartTime) ?? new Date(end.getTime() - defaultHistoryMs);
    if (start > end || end.getTime() - start.getTime() > maxHistoryMs) {
      throw apiErrors.invalidParameter('StartTime', 'The time range must be positive and at most 30 days.');
    }
    if (!cloud.catalog.instanceTypes.has(q.InstanceType)) throw apiErrors.instanceTypeNotFound(q.InstanceType);
    const zones = cloud.offerings
      .zonesOf(q.RegionId)
      .filter((z) => (q.ZoneId === undefined || z === q.ZoneId) && cloud.offerings.offered(q.RegionId, q.InstanceType, z));
    const origin = cloud.offerings.onDemandPrice(q.RegionId, q.InstanceType) ?? 0;
    // One point at the start and one at every hourly price change after it.
    const moments: Date[] = [start];
    for (let t = Offerings.priceChangeAt(start).getTime() + Offerings.priceStepMs; t <= end.getTime(); t += Offerings.priceStepMs) {
      moments.push(new Date(t));
    }
    const points = zones.flatMap((zoneId) =>
      moments.map((at) => ({
        ZoneId: zoneId,
        InstanceType: q.InstanceType,
        IoOptimized: 'optimized',
        NetworkType: q.NetworkType,
        Timestamp: ecsSecondTime(at),
        SpotPrice: cloud.offerings.spotPrice(q.RegionId, q.InstanceType, zoneId, at) ?? 0,
        OriginPrice: origin,
      })),
    );
    const offset = q.Offset ?? 0;
    const page = points.slice(offset, offset + historyPageSize);
    return {
      Currency: 'CNY',
      NextOffset: offset + page.length < points.length ? offset + page.length : 0,
      SpotPrices: { SpotPriceType: page },
    };
  },
});

export const describePrice = defineAction({
  name: 'DescribePrice',
  product: 'ecs',
  params: z.object({
    RegionId: p.nonEmpty(),
    ResourceType: z.enum(['instance', 'disk', 'diskperformance', 'bandwidth', 'ddh', 'ElasticityAssurance', 'CapacityReservation']).optional(),
    InstanceType: p.str().optional(),
    ZoneId: p.str().optional(),
    SpotStrategy: z.enum(['NoSpot', 'SpotAsPriceGo', 'SpotWithPriceLimit']).optional(),
    PriceUnit: z.enum(['Hour', 'Week', 'Month', 'Year']).optional(),
    Period: p.int().optional(),
    Amount: p.int().min(1).max(1000).optional(),
    InstanceNetworkType: p.str().optional(),
    SystemDisk: z.object({ Category: p.str().optional(), Size: p.int().optional() }).optional(),
  }),
  handle: ({ cloud }, q) => {
    cloud.checkRegion(q.RegionId);
    if ((q.ResourceType ?? 'instance') !== 'instance') {
      throw new ApiError('InvalidResourceType.NotSupported', 'The simulator prices instances only.', 400);
    }
    if (q.InstanceType === undefined) throw apiErrors.missingParameter('InstanceType');
    if (!cloud.catalog.instanceTypes.has(q.InstanceType)) throw apiErrors.instanceTypeNotFound(q.InstanceType);
    const onDemand = cloud.offerings.onDemandPrice(q.RegionId, q.InstanceType);
    if (onDemand === undefined) {
      throw new ApiError('PriceNotFound', 'The price of your queried resource is not available now, please try other resources.', 400);
    }
    const amount = q.Amount ?? 1;
    const hours = { Hour: 1, Week: 168, Month: 720, Year: 8760 }[q.PriceUnit ?? 'Hour'] * (q.PriceUnit ? (q.Period ?? 1) : 1);
    let unit = onDemand;
    if ((q.SpotStrategy ?? 'NoSpot') !== 'NoSpot') {
      const zones = cloud.offerings
        .zonesOf(q.RegionId)
        .filter((z) => (q.ZoneId === undefined || z === q.ZoneId) && cloud.offerings.offered(q.RegionId, q.InstanceType!, z));
      const prices = zones.map((z) => cloud.offerings.spotPrice(q.RegionId, q.InstanceType!, z, cloud.now()) ?? onDemand);
      if (prices.length === 0) throw apiErrors.resourceTypeNotSupported();
      unit = Math.min(...prices);
    }
    const round = (n: number) => Math.round(n * 1_000_000) / 1_000_000;
    const original = round(onDemand * amount * hours);
    const trade = round(unit * amount * hours);
    const discount = round(original - trade);
    return {
      PriceInfo: {
        Price: {
          Currency: 'CNY',
          OriginalPrice: original,
          DiscountPrice: discount,
          TradePrice: trade,
          DetailInfos: {
            DetailInfo: [{ Resource: 'instanceType', OriginalPrice: original, DiscountPrice: discount, TradePrice: trade }],
          },
        },
        Rules: { Rule: [] },
      },
    };
  },
});
