// OpenAPI metrics. `aliyun_openapi_latency` keeps Terway's definition (a histogram in
// milliseconds with labels api and error="true"|"false", and Terway's buckets) so existing
// dashboards keep working; the two counters add the error code Terway's histogram lacks.
import { Counter, Histogram, register as globalRegistry, type Registry } from 'prom-client';

export interface OpenApiMetrics {
  /** Records one attempt: its duration and its outcome ('OK' or the error code). */
  observe(action: string, durationMs: number, code: string): void;
}

// Terway's aliyun_openapi_latency buckets, in milliseconds.
const latencyBucketsMs = [50, 100, 200, 400, 800, 1600, 3200, 6400, 12800, 13800, 14800, 16800, 20800, 28800, 44800];

function getOrCreate<T>(registry: Registry, name: string, create: () => T): T {
  // Several providers may share one registry (tests, a restart in-process): reuse the metric.
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function createOpenApiMetrics(registry: Registry = globalRegistry): OpenApiMetrics {
  const latency = getOrCreate(
    registry,
    'aliyun_openapi_latency',
    () =>
      new Histogram({
        name: 'aliyun_openapi_latency',
        help: 'aliyun openapi latency in ms',
        labelNames: ['api', 'error'] as const,
        buckets: latencyBucketsMs,
        registers: [registry],
      }),
  );
  const requests = getOrCreate(
    registry,
    'aliyun_openapi_requests_total',
    () =>
      new Counter({
        name: 'aliyun_openapi_requests_total',
        help: 'Alibaba Cloud OpenAPI requests sent, by action and result code (OK on success).',
        labelNames: ['action', 'code'] as const,
        registers: [registry],
      }),
  );
  const errors = getOrCreate(
    registry,
    'aliyun_openapi_errors_total',
    () =>
      new Counter({
        name: 'aliyun_openapi_errors_total',
        help: 'Alibaba Cloud OpenAPI requests that failed, by action and error code.',
        labelNames: ['action', 'code'] as const,
        registers: [registry],
      }),
  );
  return {
    observe(action, durationMs, code) {
      const failed = code !== 'OK';
      latency.labels({ api: action, error: String(failed) }).observe(durationMs);
      requests.labels({ action, code }).inc();
      if (failed) errors.labels({ action, code }).inc();
    },
  };
}
