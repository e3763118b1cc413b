// ack_node_operator_vswitch_available_ips{vswitch_id, zone}: free IPs of every vSwitch some
// ECSNodeClass or PodNetworking selects, as last read from DescribeVSwitches. The chart's alert
// and dashboard read it (charts/ack-node-operator/METRICS.md). Several owners may select one
// vSwitch; a vSwitch leaves the gauge when no owner selects it any more.
import { Gauge, type Registry } from 'prom-client';
import type { VSwitch } from '../../cloud/index.js';

interface Reading {
  zone: string;
  available: number;
  at: number;
}

export class VSwitchIpGauge {
  private readonly byOwner = new Map<string, Map<string, Reading>>();

  constructor(registry: Registry) {
    const owners = this.byOwner;
    new Gauge({
      name: 'ack_node_operator_vswitch_available_ips',
      help: 'AvailableIpAddressCount of every vSwitch an ECSNodeClass or PodNetworking selects, as last read from DescribeVSwitches.',
      labelNames: ['vswitch_id', 'zone'],
      registers: [registry],
      collect() {
        this.reset();
        // The newest reading of each vSwitch across owners.
        const newest = new Map<string, Reading>();
        for (const readings of owners.values()) {
          for (const [id, r] of readings) {
            const current = newest.get(id);
            if (!current || r.at >= current.at) newest.set(id, r);
          }
        }
        for (const [id, r] of newest) this.set({ vswitch_id: id, zone: r.zone }, r.available);
      },
    });
  }

  /** Replaces what `owner` (e.g. "ecsnodeclass/default") selects. */
  report(owner: string, vSwitches: readonly Pick<VSwitch, 'id' | 'zone' | 'availableIpAddressCount'>[], at = Date.now()): void {
    this.byOwner.set(owner, new Map(vSwitches.map((v) => [v.id, { zone: v.zone, available: v.availableIpAddressCount, at }])));
  }

  forget(owner: string): void {
    this.byOwner.delete(owner);
  }
}
