// Karpenter's instance-type gauges (pkg/cloudprovider/metrics), computed when Prometheus scrapes
// rather than on every refresh: a few thousand series rebuilt once per scrape, nothing per loop.
import { Gauge, type Registry } from 'prom-client';
import type { InstanceTypeInfo, Offering } from '../cloud/types.js';

export interface CatalogMetricSources {
  types(): Iterable<InstanceTypeInfo>;
  /** Every offering, with available=false while it is in the unavailable cache. */
  offerings(): Iterable<Offering>;
}

const offeringLabels = ['instance_type', 'capacity_type', 'zone'] as const;

export function registerCatalogMetrics(registry: Registry, sources: CatalogMetricSources): void {
  new Gauge({
    name: 'karpenter_cloudprovider_instance_type_offering_available',
    help: 'Whether an offering (instance type, capacity type, zone) can be launched: 1 available, 0 sold out or recently out of stock.',
    labelNames: offeringLabels,
    registers: [registry],
    collect() {
      this.reset();
      for (const o of sources.offerings()) this.set({ instance_type: o.instanceType, capacity_type: o.capacityType, zone: o.zone }, o.available ? 1 : 0);
    },
  });
  new Gauge({
    name: 'karpenter_cloudprovider_instance_type_offering_price_estimate',
    help: 'Estimated hourly price of an offering (CNY per hour): pay-as-you-go list price, or the current spot price.',
    labelNames: offeringLabels,
    registers: [registry],
    collect() {
      this.reset();
      for (const o of sources.offerings()) this.set({ instance_type: o.instanceType, capacity_type: o.capacityType, zone: o.zone }, o.pricePerHour);
    },
  });
  new Gauge({
    name: 'karpenter_cloudprovider_instance_type_cpu_cores',
    help: 'vCPUs of an instance type.',
    labelNames: ['instance_type'],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of sources.types()) this.set({ instance_type: t.name }, t.vcpu);
    },
  });
  new Gauge({
    name: 'karpenter_cloudprovider_instance_type_memory_bytes',
    help: 'Memory of an instance type, in bytes.',
    labelNames: ['instance_type'],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of sources.types()) this.set({ instance_type: t.name }, t.memoryMiB * 2 ** 20);
    },
  });
}
