// What every part of the provider shares: the SDK clients, the call pipeline, the config.
import ecs from '@alicloud/ecs20140526';
import vpc from '@alicloud/vpc20160428';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CloudProviderConfig } from '../config.js';
import { sdkConfigs } from './credentials.js';
import { createOpenApiMetrics } from './metrics.js';
import { OpenApiCaller } from './openapi-caller.js';
import { ActionRateLimiter, type Clock } from './rate-limiter.js';

export type EcsClient = InstanceType<typeof ecs.default>;
export type VpcClient = InstanceType<typeof vpc.default>;
export { ecs as ecsModels, vpc as vpcModels };

export interface ProviderDeps {
  logger?: Logger;
  /** Where the OpenAPI metrics go; the global prom-client registry by default. */
  registry?: Registry;
  /** Aborts rate-limit and backoff waits, e.g. on shutdown. */
  signal?: AbortSignal;
  clock?: Clock;
  random?: () => number;
}

export interface AlibabaContext {
  region: string;
  config: CloudProviderConfig;
  ecs: EcsClient;
  vpc: VpcClient;
  caller: OpenApiCaller;
  logger: Logger;
}

export function createContext(config: CloudProviderConfig, deps: ProviderDeps = {}): AlibabaContext {
  const logger = (deps.logger ?? pino({ level: 'silent' })).child({ component: 'alibaba-cloud', region: config.region });
  const sdk = sdkConfigs(config);
  const caller = new OpenApiCaller({
    limiter: new ActionRateLimiter(config.rateLimits, deps.clock),
    metrics: createOpenApiMetrics(deps.registry),
    logger,
    retryPolicy: config.retry,
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.random ? { random: deps.random } : {}),
  });
  return {
    region: config.region,
    config,
    ecs: new ecs.default(sdk.ecs),
    vpc: new vpc.default(sdk.vpc),
    caller,
    logger,
  };
}

/**
 * Pages through a NextToken-paged Describe call. The bound on pages guards against an API that
 * keeps answering with a token.
 */
export async function pageByToken<T>(fetch: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string | undefined }>, maxPages = 1000): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const { items, nextToken } = await fetch(token);
    all.push(...items);
    if (!nextToken || nextToken === token) return all;
    token = nextToken;
  }
  throw new Error(`paging did not end after ${maxPages} pages`);
}

/** Pages through a PageNumber/PageSize-paged Describe call until TotalCount is reached or a page is short. */
export async function pageByNumber<T>(pageSize: number, fetch: (pageNumber: number) => Promise<{ items: T[]; totalCount?: number | undefined }>, maxPages = 1000): Promise<T[]> {
  const all: T[] = [];
  for (let pageNumber = 1; pageNumber <= maxPages; pageNumber++) {
    const { items, totalCount } = await fetch(pageNumber);
    all.push(...items);
    if (items.length < pageSize || (totalCount !== undefined && all.length >= totalCount)) return all;
  }
  throw new Error(`paging did not end after ${maxPages} pages`);
}

// Page-size bounds of the Describe calls, as the API documents them.
const pageSizeBounds: Record<string, [number, number]> = {
  DescribeInstanceTypes: [1, 1600],
  DescribeInstances: [1, 100],
  DescribeSecurityGroups: [10, 100],
  DescribeNetworkInterfaces: [10, 500],
  DescribeVSwitches: [1, 50],
  DescribeImages: [1, 100],
};

/** The configured page size, within what the action accepts. */
export function pageSizeFor(config: CloudProviderConfig, action: string): number {
  const [min, max] = pageSizeBounds[action] ?? [1, 100];
  return Math.min(max, Math.max(min, config.pageSize));
}

/** Splits a list into chunks of at most `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
