// vSwitch choice for new ENIs: the selection policies (ordered, random, most), a short-lived
// cache of free-IP counts, and blocking a vSwitch for a while after it answered IpNotEnough
// (as Terway's vswitch.SwitchPool does), so the next ENI tries the next vSwitch instead.
import type { VSwitchSelectionPolicy } from '../apis/podnetworking.js';
import type { CloudProvider, VSwitch } from '../cloud/types.js';
import type { Clock } from './clock.js';

export interface VSwitchCandidate {
  id: string;
  zone: string;
  availableIpAddressCount: number;
}

/**
 * Orders candidates by policy. Pure: `random` draws from `random`. Candidates with no free IP
 * go last (the count may be stale; a stale zero is still worth a try after the others).
 */
export function orderVSwitches(candidates: readonly VSwitchCandidate[], policy: VSwitchSelectionPolicy, random: () => number = Math.random): VSwitchCandidate[] {
  const withIps = candidates.filter((c) => c.availableIpAddressCount > 0);
  const empty = candidates.filter((c) => c.availableIpAddressCount <= 0);
  let ordered: VSwitchCandidate[];
  switch (policy) {
    case 'ordered':
      ordered = withIps;
      break;
    case 'most':
      ordered = [...withIps].sort((a, b) => b.availableIpAddressCount - a.availableIpAddressCount);
      break;
    case 'random': {
      ordered = [...withIps];
      for (let i = ordered.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [ordered[i], ordered[j]] = [ordered[j]!, ordered[i]!];
      }
      break;
    }
  }
  return [...ordered, ...empty];
}

export class VSwitchPool {
  private readonly cache = new Map<string, { vSwitch: VSwitch; fetchedAt: number }>();
  private readonly blockedUntil = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly cloud: CloudProvider,
    private readonly clock: Clock,
    private readonly opts: { ttlMs: number; blockMs: number; random?: () => number },
  ) {}

  block(vSwitchId: string): void {
    this.blockedUntil.set(vSwitchId, this.clock.now() + this.opts.blockMs);
    const cached = this.cache.get(vSwitchId);
    if (cached) cached.vSwitch = { ...cached.vSwitch, availableIpAddressCount: 0 };
  }

  isBlocked(vSwitchId: string): boolean {
    const until = this.blockedUntil.get(vSwitchId);
    if (until === undefined) return false;
    if (this.clock.now() >= until) {
      this.blockedUntil.delete(vSwitchId);
      return false;
    }
    return true;
  }

  /** The vSwitches, from cache when fresh; unknown ids are left out. */
  async describe(ids: readonly string[]): Promise<VSwitch[]> {
    const now = this.clock.now();
    const stale = ids.filter((id) => {
      const hit = this.cache.get(id);
      return !hit || now - hit.fetchedAt >= this.opts.ttlMs;
    });
    if (stale.length > 0) {
      // Nodes registering together ask for the same vSwitches: one DescribeVSwitches serves them all.
      const key = [...new Set(stale)].sort().join(',');
      let pending = this.inFlight.get(key);
      if (!pending) {
        pending = this.cloud.listVSwitches({ ids: key.split(',') }).then((fresh) => {
          for (const v of fresh) this.cache.set(v.id, { vSwitch: v, fetchedAt: now });
        });
        this.inFlight.set(key, pending);
        const clear = () => this.inFlight.delete(key);
        pending.then(clear, clear);
      }
      await pending;
    }
    return ids.map((id) => this.cache.get(id)?.vSwitch).filter((v): v is VSwitch => v !== undefined);
  }

  /** Candidates for a new ENI in `zone`, best first, blocked ones left out. */
  async candidates(ids: readonly string[], zone: string, policy: VSwitchSelectionPolicy): Promise<VSwitch[]> {
    const known = (await this.describe(ids)).filter((v) => v.zone === zone && !this.isBlocked(v.id));
    const byId = new Map(known.map((v) => [v.id, v]));
    return orderVSwitches(known, policy, this.opts.random).map((c) => byId.get(c.id)!);
  }

  /** Keeps the cached free count roughly right between refreshes. */
  noteTaken(vSwitchId: string, count: number): void {
    const cached = this.cache.get(vSwitchId);
    if (cached) cached.vSwitch = { ...cached.vSwitch, availableIpAddressCount: Math.max(0, cached.vSwitch.availableIpAddressCount - count) };
  }

  cidrOf(vSwitchId: string): string | undefined {
    return this.cache.get(vSwitchId)?.vSwitch.cidrBlock;
  }
}
