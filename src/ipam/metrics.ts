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

export interface PoolSample {
  labels: PoolGaugeLabels;
  total: number;
  idle: number;
}

export class IpamMetrics {
  readonly poolTotal: Gauge<(typeof poolLabels)[number]>;
  readonly poolIdle: Gauge<(typeof poolLabels)[number]>;
  readonly poolDisposed: Counter<(typeof poolLabels)[number]>;
  readonly allocationSeconds: Histogram<'eni_type' | 'result'>;

  /** `pools` is read at scrape time, so allocations never pay for the gauges. */
  constructor(registry: Registry, pools: () => Iterable<PoolSample>) {
    const samples = (): PoolSample[] => [...pools()];
    const labels = (l: PoolGaugeLabels) => this.labels(l);
    this.poolTotal = new Gauge({
      name: 'terway_resource_pool_total_count',
      help: 'terway total resources amount in the pool',
      labelNames: poolLabels,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of samples()) this.set(labels(s.labels), s.total);
      },
    });
    this.poolIdle = new Gauge({
      name: 'terway_resource_pool_idle_count',
      help: 'terway amount of idle resources in the pool',
      labelNames: poolLabels,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of samples()) this.set(labels(s.labels), s.idle);
      },
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

  disposed(l: PoolGaugeLabels, count: number): void {
    if (count > 0) this.poolDisposed.inc(this.labels(l), count);
  }
}
