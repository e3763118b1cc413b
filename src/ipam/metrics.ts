// The IPAM's metrics. Pool gauges carry Terway's names and labels (pkg/metric/resource_pool.go),
// so Terway dashboards keep working; allocation latency is ours. OpenAPI latency
// (aliyun_openapi_latency) is recorded by the cloud provider, where the calls are made.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const poolLabels = ['name', 'type', 'capacity', 'max_idle', 'min_idle'] as const;

export interface PoolGaugeLabels {
  name: string;
  type: 'eniip' | 'eni';
  capacity: number;
  maxIdle: number;
  minIdle: number;
}

export class IpamMetrics {
  readonly poolTotal: Gauge<(typeof poolLabels)[number]>;
  readonly poolIdle: Gauge<(typeof poolLabels)[number]>;
  readonly poolDisposed: Counter<(typeof poolLabels)[number]>;
  readonly allocationSeconds: Histogram<'eni_type' | 'result'>;
  private readonly lastLabels = new Map<string, Record<(typeof poolLabels)[number], string>>();

  constructor(registry: Registry) {
    this.poolTotal = new Gauge({
      name: 'terway_resource_pool_total_count',
      help: 'terway total resources amount in the pool',
      labelNames: poolLabels,
      registers: [registry],
    });
    this.poolIdle = new Gauge({
      name: 'terway_resource_pool_idle_count',
      help: 'terway amount of idle resources in the pool',
      labelNames: poolLabels,
      registers: [registry],
    });
    this.poolDisposed = new Counter({
      name: 'terway_resource_pool_disposed_count',
      help: 'terway resource count of being disposed',
      labelNames: poolLabels,
      registers: [registry],
    });
    this.allocationSeconds = new Histogram({
      name: 'ack_node_operator_ipam_allocation_duration_seconds',
      help: 'Time from an allocation request to its address being recorded, by ENI type and result',
      labelNames: ['eni_type', 'result'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
  }

  private labels(l: PoolGaugeLabels): Record<(typeof poolLabels)[number], string> {
    return { name: l.name, type: l.type, capacity: String(l.capacity), max_idle: String(l.maxIdle), min_idle: String(l.minIdle) };
  }

  setPool(l: PoolGaugeLabels, total: number, idle: number): void {
    const labels = this.labels(l);
    const key = `${l.name}|${l.type}`;
    const previous = this.lastLabels.get(key);
    if (previous && JSON.stringify(previous) !== JSON.stringify(labels)) {
      this.poolTotal.remove(previous);
      this.poolIdle.remove(previous);
    }
    this.lastLabels.set(key, labels);
    this.poolTotal.set(labels, total);
    this.poolIdle.set(labels, idle);
  }

  disposed(l: PoolGaugeLabels, count: number): void {
    if (count > 0) this.poolDisposed.inc(this.labels(l), count);
  }

  forgetNode(name: string): void {
    for (const [key, labels] of this.lastLabels) {
      if (labels.name !== name) continue;
      this.poolTotal.remove(labels);
      this.poolIdle.remove(labels);
      this.lastLabels.delete(key);
    }
  }
}
