// Offerings: where each instance type can be bought (DescribeAvailableResource, per capacity
// type) and for how much (DescribePrice for pay-as-you-go, DescribeSpotPriceHistory for spot,
// per zone). Prices change slowly and cost a call per instance type, so they are cached.
import type { CapacityType, Offering } from '../types.js';
import type { AvailableResourceBody } from './schemas.js';

export interface Availability {
  instanceType: string;
  zone: string;
  capacityType: CapacityType;
  available: boolean;
}

/**
 * Reads DescribeAvailableResource (DestinationResource=InstanceType). A type is available in a
 * zone when both the zone and the type say Available; SoldOut (or a closed zone) lists it as
 * unavailable rather than dropping it, so the scheduler can tell "sold out" from "never sold".
 */
export function availabilityFrom(body: AvailableResourceBody, capacityType: CapacityType): Availability[] {
  const byKey = new Map<string, Availability>();
  for (const zone of body.availableZones?.availableZone ?? []) {
    const zoneOpen = zone.status === undefined || zone.status === 'Available';
    for (const resource of zone.availableResources?.availableResource ?? []) {
      if (resource.type !== undefined && resource.type !== 'InstanceType') continue;
      for (const supported of resource.supportedResources?.supportedResource ?? []) {
        const key = `${supported.value}/${zone.zoneId}`;
        const available = zoneOpen && supported.status === 'Available';
        const previous = byKey.get(key);
        byKey.set(key, {
          instanceType: supported.value,
          zone: zone.zoneId,
          capacityType,
          available: available || (previous?.available ?? false),
        });
      }
    }
  }
  return [...byKey.values()];
}

export interface Prices {
  onDemand: ReadonlyMap<string, number>;
  /** Keyed by `${instanceType}/${zone}`. */
  spot: ReadonlyMap<string, number>;
}

export const spotPriceKey = (instanceType: string, zone: string) => `${instanceType}/${zone}`;

/**
 * Offerings with a price. A spot offering with no spot price is priced at the pay-as-you-go
 * price, which is what SpotAsPriceGo can cost at most; an offering with no price at all is left
 * out (the caller logs it), since a scheduler comparing prices cannot use it.
 */
export function assembleOfferings(availability: Availability[], prices: Prices): Offering[] {
  const offerings: Offering[] = [];
  for (const entry of availability) {
    const onDemand = prices.onDemand.get(entry.instanceType);
    const price =
      entry.capacityType === 'on-demand' ? onDemand : prices.spot.get(spotPriceKey(entry.instanceType, entry.zone)) ?? onDemand;
    if (price === undefined) continue;
    offerings.push({ ...entry, pricePerHour: price });
  }
  return offerings.sort(
    (a, b) =>
      a.instanceType.localeCompare(b.instanceType) || a.zone.localeCompare(b.zone) || a.capacityType.localeCompare(b.capacityType),
  );
}

/** A value per key that expires after a fixed time. */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > this.now() ? entry.value : undefined;
  }

  /** The last value even if expired: better a stale price than none when a refresh fails. */
  getStale(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  set(key: string, value: V): void {
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the items' order. */
export async function mapWithConcurrency<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}
