// Karpenter's insufficient-capacity (ICE) cache: after a launch answer of NoStock for an
// (instance type, zone, capacity type), that offering is treated as unavailable for a while, so
// the next scheduling pass picks the next cheapest offering instead of failing on the same one.
import type { CapacityType } from '../cloud/types.js';

export interface OfferingKey {
  instanceType: string;
  zone: string;
  capacityType: CapacityType;
}

export interface UnavailableEntry extends OfferingKey {
  reason: string;
  expiresAt: number;
}

export const offeringKey = (o: OfferingKey): string => `${o.instanceType}/${o.zone}/${o.capacityType}`;

export class UnavailableOfferings {
  private readonly entries = new Map<string, UnavailableEntry>();
  /** Earliest expiry among the entries, so a read knows cheaply whether anything expired. */
  private nextExpiry = Infinity;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Marks the offering unavailable until now + ttl (a repeated mark extends it). */
  mark(offering: OfferingKey, reason: string): void {
    const expiresAt = this.now() + this.ttlMs;
    this.entries.set(offeringKey(offering), { ...offering, reason, expiresAt });
    this.nextExpiry = Math.min(this.nextExpiry, expiresAt);
  }

  has(offering: OfferingKey): boolean {
    const entry = this.entries.get(offeringKey(offering));
    return entry !== undefined && entry.expiresAt > this.now();
  }

  hasKey(key: string): boolean {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.expiresAt > this.now();
  }

  /** Drops expired entries; true when any was dropped (what callers cached is then stale). */
  prune(): boolean {
    const now = this.now();
    if (now < this.nextExpiry) return false;
    let dropped = false;
    let next = Infinity;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        dropped = true;
      } else {
        next = Math.min(next, entry.expiresAt);
      }
    }
    this.nextExpiry = next;
    return dropped;
  }

  list(): UnavailableEntry[] {
    return [...this.entries.values()].filter((e) => e.expiresAt > this.now());
  }
}
