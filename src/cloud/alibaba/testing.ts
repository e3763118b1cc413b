// Helpers for the provider's tests against the simulator (the real SDK, a simulated cloud).
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import type { CloudProviderConfigInput } from '../config.js';
import type { LaunchCandidate, LaunchRequest, Offering } from '../types.js';
import { AlibabaCloudProvider } from './provider.js';

export interface SimulatorEndpoint {
  endpoint: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
}

export interface TestProvider {
  cloud: AlibabaCloudProvider;
  registry: Registry;
  /** Every log line the provider wrote, as JSON text. */
  logs: string[];
  logger: Logger;
}

/** A provider pointed at the simulator, with fast retries, its own metrics registry and captured logs. */
export function providerFor(sim: SimulatorEndpoint, overrides: Partial<CloudProviderConfigInput> = {}): TestProvider {
  const registry = new Registry();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const cloud = new AlibabaCloudProvider(
    {
      region: sim.region,
      ecsEndpoint: sim.endpoint,
      vpcEndpoint: sim.endpoint,
      protocol: 'http',
      credentials: { mode: 'accessKey', accessKeyId: sim.accessKeyId, accessKeySecret: sim.accessKeySecret },
      retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5, maxElapsedMs: 10_000 },
      ...overrides,
    },
    { registry, logger },
  );
  return { cloud, registry, logs, logger };
}

/** A counter's value, or a histogram's observation count, for the given labels; 0 when absent. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number>; metricName?: string }[];
  const match = values.find(
    (v) =>
      (v.metricName === undefined || v.metricName === name || v.metricName === `${name}_count`) &&
      Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val),
  );
  return match?.value ?? 0;
}

/** Launch candidates from offerings: available, of the given capacity type, cheapest first. */
export function cheapestCandidates(
  offerings: Offering[],
  vSwitchByZone: Map<string, string>,
  opts: { capacityType: LaunchCandidate['capacityType']; instanceTypes?: string[]; count: number },
): LaunchCandidate[] {
  return offerings
    .filter(
      (o) =>
        o.available &&
        o.capacityType === opts.capacityType &&
        vSwitchByZone.has(o.zone) &&
        (!opts.instanceTypes || opts.instanceTypes.includes(o.instanceType)),
    )
    .sort((a, b) => a.pricePerHour - b.pricePerHour || a.instanceType.localeCompare(b.instanceType) || a.zone.localeCompare(b.zone))
    .slice(0, opts.count)
    .map((o) => ({ instanceType: o.instanceType, zone: o.zone, capacityType: o.capacityType, vSwitchId: vSwitchByZone.get(o.zone) ?? '' }));
}

export function launchRequest(clientToken: string, candidates: LaunchCandidate[], imageId: string, securityGroupIds: string[]): LaunchRequest {
  return {
    clientToken,
    name: `node-${clientToken.slice(0, 8)}`,
    candidates,
    imageId,
    securityGroupIds,
    systemDisk: { category: 'cloud_essd', sizeGiB: 40 },
    userData: '#!/bin/bash\n/etc/kubernetes/join --token bootstrap-secret-abc123\n',
    tags: { 'karpenter.k8s.alibabacloud/cluster': 'local', 'karpenter.k8s.alibabacloud/nodeclaim': `claim-${clientToken.slice(0, 8)}` },
  };
}

/** Polls `read` until `done` says so; fails after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not reached in ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
