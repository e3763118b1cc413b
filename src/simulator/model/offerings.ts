// Where each instance type is sold, how much is in stock, and what it costs. Which zones sell a
// type is a deterministic function of the seed (real regions do not sell every type in every
// zone). Spot prices are the on-demand price times a per-(type, zone) discount that drifts hour
// by hour, so zones differ and prices move, reproducibly for a seed.
import type { Catalog } from './catalog.js';
import { unitHash } from './random.js';

export type CapacityType = 'spot' | 'on-demand';

export interface OfferingOptions {
  seed: number;
  /** Share of (type, zone) pairs on sale, 0..1; every priced type is on sale in at least one zone. */
  zoneCoverage: number;
}

export interface StockKey {
  instanceType: string;
  zone: string;
  capacityType: CapacityType;
}

const hourMs = 3_600_000;

export class Offerings {
  /** Remaining instances per (type, zone, capacity type); absent means plenty. */
  private readonly stock = new Map<string, number>();

  constructor(
    private readonly catalog: Catalog,
    private readonly options: OfferingOptions,
  ) {}

  private static key(k: StockKey): string {
    return `${k.instanceType}|${k.zone}|${k.capacityType}`;
  }

  zonesOf(region: string): readonly string[] {
    return this.catalog.regions.get(region) ?? [];
  }

  /** Whether the type is sold at all in this zone (independent of stock). */
  offered(region: string, instanceType: string, zone: string): boolean {
    if (this.catalog.onDemandPrice(region, instanceType) === undefined) return false;
    const zones = this.zonesOf(region);
    if (!zones.includes(zone)) return false;
    const score = (z: string) => unitHash(this.options.seed, 'offered', instanceType, z);
    if (score(zone) < this.options.zoneCoverage) return true;
    // Guarantee one zone: the best-scoring one is always on sale.
    const best = [...zones].sort((a, b) => score(a) - score(b))[0];
    return best === zone;
  }

  remaining(k: StockKey): number {
    return this.stock.get(Offerings.key(k)) ?? Number.POSITIVE_INFINITY;
  }

  setStock(k: StockKey, count: number | undefined): void {
    if (count === undefined) this.stock.delete(Offerings.key(k));
    else this.stock.set(Offerings.key(k), Math.max(0, Math.floor(count)));
  }

  /** Takes up to `count` from stock; returns how many were taken. */
  take(k: StockKey, count: number): number {
    const remaining = this.remaining(k);
    const taken = Math.min(remaining, count);
    if (Number.isFinite(remaining)) this.stock.set(Offerings.key(k), remaining - taken);
    return taken;
  }

  /** Returns capacity to a finite stock when an instance is released. */
  giveBack(k: StockKey, count: number): void {
    const remaining = this.remaining(k);
    if (Number.isFinite(remaining)) this.stock.set(Offerings.key(k), remaining + count);
  }

  stockOverrides(): (StockKey & { remaining: number })[] {
    return [...this.stock].map(([key, remaining]) => {
      const [instanceType = '', zone = '', capacityType] = key.split('|');
      return { instanceType, zone, capacityType: capacityType as CapacityType, remaining };
    });
  }

  clearStockOverrides(): void {
    this.stock.clear();
  }

  onDemandPrice(region: string, instanceType: string): number | undefined {
    return this.catalog.onDemandPrice(region, instanceType);
  }

  /** Spot price per hour at a moment: constant within each UTC hour. */
  spotPrice(region: string, instanceType: string, zone: string, at: Date): number | undefined {
    const onDemand = this.onDemandPrice(region, instanceType);
    if (onDemand === undefined) return undefined;
    const hour = Math.floor(at.getTime() / hourMs);
    const seed = this.options.seed;
    // A zone-and-type base discount (spot at 12%..32% of on-demand), a daily wave whose phase
    // differs per zone, and a small hourly jitter.
    const base = 0.12 + 0.2 * unitHash(seed, 'spot-base', instanceType, zone);
    const phase = unitHash(seed, 'spot-phase', zone) * 24;
    const wave = 0.04 * Math.sin((2 * Math.PI * (hour + phase)) / 24);
    const jitter = 0.02 * (unitHash(seed, 'spot-jitter', instanceType, zone, hour) - 0.5);
    const ratio = Math.min(0.9, Math.max(0.1, base + wave + jitter));
    return Math.round(onDemand * ratio * 10_000) / 10_000;
  }

  /** The start of the hour containing `at`: the moment the spot price last changed. */
  static priceChangeAt(at: Date): Date {
    return new Date(Math.floor(at.getTime() / hourMs) * hourMs);
  }

  static readonly priceStepMs = hourMs;
}
