// Free IPs of the vSwitches pods draw addresses from, read with DescribeVSwitches at most every
// `ttlMs` per vSwitch, so a burst of batches costs one cloud call. A failed read keeps the last
// known counts (a vSwitch never read stays unlimited for the core): provisioning does not stop
// because the VPC API is throttled.
import type { Logger } from 'pino';
import type { CloudProvider } from '../../cloud/index.js';

export class VSwitchReadings {
  private readonly free = new Map<string, { count: number; at: number }>();
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly cloud: Pick<CloudProvider, 'listVSwitches'>,
    private readonly log: Logger,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Re-reads the vSwitches among `ids` whose reading is older than the TTL; true when any count changed. */
  async refresh(ids: readonly string[]): Promise<boolean> {
    const stale = ids.filter((id) => {
      const r = this.free.get(id);
      return !r || this.now() - r.at >= this.ttlMs;
    });
    if (stale.length === 0) return false;
    if (this.inFlight) await this.inFlight.catch(() => undefined);
    let changed = false;
    this.inFlight = (async () => {
      try {
        const at = this.now();
        for (const v of await this.cloud.listVSwitches({ ids: stale })) {
          if (this.free.get(v.id)?.count !== v.availableIpAddressCount) changed = true;
          this.free.set(v.id, { count: v.availableIpAddressCount, at });
        }
      } catch (error) {
        this.log.warn({ err: error, vSwitches: stale }, 'reading vSwitch free IPs failed; using the last known counts');
      }
    })();
    await this.inFlight;
    this.inFlight = undefined;
    return changed;
  }

  /** The last known free IPs, with node class status counts for vSwitches never read here. */
  snapshot(fallback: Iterable<[string, number]> = []): Map<string, number> {
    const out = new Map<string, number>(fallback);
    for (const [id, r] of this.free) out.set(id, r.count);
    return out;
  }
}
