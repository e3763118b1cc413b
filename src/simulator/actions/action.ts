// How an OpenAPI action is declared: its product, a zod schema of its (unflattened) parameters,
// whether it honours ClientToken, and a synchronous handler. Handlers must not await: running
// validate-then-mutate in one synchronous step is what makes concurrent calls safe.
import type { z } from 'zod';
import type { Cloud } from '../model/cloud.js';
import { parseParams } from '../server/params.js';

export type Product = 'ecs' | 'vpc';

export const productVersions: Record<Product, string> = { ecs: '2014-05-26', vpc: '2016-04-28' };

export interface ActionContext {
  cloud: Cloud;
  requestId: string;
}

export type Answer = Record<string, unknown>;

export interface Action {
  name: string;
  product: Product;
  /** ClientToken makes the call idempotent: see model/idempotency.ts. */
  idempotent: boolean;
  execute(ctx: ActionContext, params: Record<string, unknown>): Answer;
}

export function defineAction<S extends z.ZodType>(def: {
  name: string;
  product: Product;
  idempotent?: boolean;
  params: S;
  handle(ctx: ActionContext, params: z.output<S>): Answer;
}): Action {
  return {
    name: def.name,
    product: def.product,
    idempotent: def.idempotent ?? false,
    execute: (ctx, params) => def.handle(ctx, parseParams(def.params, params)),
  };
}

/** PageNumber/PageSize paging as ECS and VPC do it (1-based, PageSize capped). */
export function pageOf<T>(items: readonly T[], pageNumber = 1, pageSize = 10, maxPageSize = 100) {
  const size = Math.min(Math.max(pageSize, 1), maxPageSize);
  const number = Math.max(pageNumber, 1);
  return { page: items.slice((number - 1) * size, number * size), PageNumber: number, PageSize: size, TotalCount: items.length };
}

/**
 * NextToken paging: the token is the index of the next item, opaque to callers (base64). An
 * unparsable token is an InvalidParameter, as in production.
 */
export function tokenPageOf<T>(items: readonly T[], nextToken: string | undefined, maxResults: number) {
  let start = 0;
  if (nextToken) {
    const decoded = Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0 || decoded > items.length) return undefined;
    start = decoded;
  }
  const end = start + maxResults;
  const page = items.slice(start, end);
  const NextToken = end < items.length ? Buffer.from(String(end), 'utf8').toString('base64url') : '';
  return { page, NextToken };
}

/** Requests naming a region we do not simulate get an empty answer, as another region would give. */
export function inSimulatedRegion(ctx: ActionContext, regionId: string): boolean {
  ctx.cloud.checkRegion(regionId);
  return regionId === ctx.cloud.regionId;
}
