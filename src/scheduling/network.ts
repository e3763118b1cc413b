// IP headroom of the vSwitches PodNetworkings draw from: a pod of a PodNetworking may only land in
// a zone where one of its vSwitches still has a free address, and each placement takes one.
import type { NetworkingInput } from './types.js';

interface VSwitchState {
  id: string;
  zone: string;
  free: number;
}

export class IpHeadroom {
  private readonly vSwitches = new Map<string, VSwitchState>();
  private readonly podNetworkings = new Map<string, VSwitchState[]>();
  private readonly zoneCache = new Map<string, ReadonlySet<string>>();

  constructor(input: NetworkingInput | undefined) {
    for (const v of input?.vSwitches ?? []) this.vSwitches.set(v.id, { id: v.id, zone: v.zone, free: Math.max(0, Math.floor(v.freeIPs)) });
    for (const pn of input?.podNetworkings ?? []) {
      this.podNetworkings.set(pn.name, pn.vSwitchIds.map((id) => this.vSwitches.get(id)).filter((v): v is VSwitchState => v !== undefined));
    }
  }

  knows(podNetworking: string): boolean {
    return this.podNetworkings.has(podNetworking);
  }

  /** Zones where the PodNetworking has a vSwitch with a free IP. */
  zonesWithFreeIPs(podNetworking: string): ReadonlySet<string> {
    let zones = this.zoneCache.get(podNetworking);
    if (!zones) {
      const set = new Set<string>();
      for (const v of this.podNetworkings.get(podNetworking) ?? []) if (v.free > 0) set.add(v.zone);
      zones = set;
      this.zoneCache.set(podNetworking, zones);
    }
    return zones;
  }

  freeIPs(podNetworking: string, zone: string): number {
    let n = 0;
    for (const v of this.podNetworkings.get(podNetworking) ?? []) if (v.zone === zone) n += v.free;
    return n;
  }

  /** Takes one IP in `zone` from the PodNetworking's vSwitch with the most free IPs; its id, or undefined. */
  reserve(podNetworking: string, zone: string): string | undefined {
    let best: VSwitchState | undefined;
    for (const v of this.podNetworkings.get(podNetworking) ?? []) {
      if (v.zone === zone && v.free > 0 && (!best || v.free > best.free)) best = v;
    }
    if (!best) return undefined;
    best.free--;
    if (best.free === 0) this.zoneCache.clear();
    return best.id;
  }

  describe(podNetworking: string): string {
    const vs = this.podNetworkings.get(podNetworking) ?? [];
    if (vs.length === 0) return 'no vSwitches';
    return vs.map((v) => `${v.id}(${v.zone}): ${v.free} free`).join(', ');
  }
}
