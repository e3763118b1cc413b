// The OpenAPI front door. For each request: route /admin to the admin API; otherwise read the
// action and version headers, verify the V3 signature, find the action, apply injected faults
// and latency, replay or record ClientToken answers, run the handler and answer JSON in the
// production shape. Every call is counted per action with its outcome.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { productVersions, type Answer, type Product } from '../actions/action.js';
import { findAction } from '../actions/registry.js';
import { ApiError, apiErrors } from '../errors.js';
import type { Faults } from '../faults/faults.js';
import type { Cloud } from '../model/cloud.js';
import { ClientTokenStore } from '../model/idempotency.js';
import type { CallStats } from './callStats.js';
import { unflatten } from './params.js';
import { NonceCache, verifySignature } from './signature.js';

const maxBodyBytes = 1 << 20;

export interface FrontDoorDeps {
  cloud: Cloud;
  faults: Faults;
  stats: CallStats;
  secretOf(accessKeyId: string): string | undefined;
  logger: Logger;
  admin(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> | void;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) throw new ApiError('RequestEntityTooLarge', 'The request body is too large.', 413);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function flatQuery(text: string): Record<string, string> {
  const parsed = parseQuery(text);
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (value === undefined) continue;
    flat[key] = Array.isArray(value) ? (value[0] ?? '') : value;
  }
  return flat;
}

function productOf(version: string): Product | undefined {
  return (Object.keys(productVersions) as Product[]).find((p) => productVersions[p] === version);
}

function send(res: ServerResponse, status: number, requestId: string, payload: Answer): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-acs-request-id': requestId,
  });
  res.end(text);
}

function errorBody(err: ApiError, requestId: string, product: Product | undefined, region: string): Answer {
  const productName = product === 'vpc' ? 'Vpc' : 'Ecs';
  return {
    RequestId: requestId,
    HostId: `${product ?? 'ecs'}.${region}.aliyuncs.com`,
    Code: err.code,
    Message: err.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(err.code)}&product=${productName}&requestId=${requestId}`,
  };
}

export function createFrontDoor(deps: FrontDoorDeps) {
  const nonces = new NonceCache();

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID().toUpperCase();
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://simulator');
    let action = '(none)';
    let product: Product | undefined;
    try {
      const body = await readBody(req);
      if (url.pathname === '/admin' || url.pathname.startsWith('/admin/')) {
        await deps.admin(req, res, url, body);
        return;
      }
      const actionHeader = req.headers['x-acs-action'];
      const versionHeader = req.headers['x-acs-version'];
      if (typeof actionHeader !== 'string' || actionHeader === '') throw apiErrors.missingParameter('Action');
      action = actionHeader;
      if (typeof versionHeader !== 'string' || versionHeader === '') throw apiErrors.missingParameter('Version');
      product = productOf(versionHeader);
      if (!product) throw apiErrors.invalidVersion(versionHeader);

      const query = flatQuery(url.search.slice(1));
      verifySignature(
        { method: req.method ?? 'GET', path: url.pathname, query, headers: req.headers, body },
        { secretOf: deps.secretOf, nonces, now: Date.now() },
      );
      const definition = findAction(product, action);
      if (!definition) throw apiErrors.actionNotFound(action);

      const params: Record<string, string> = { ...query };
      if (body.length > 0 && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        Object.assign(params, flatQuery(body.toString('utf8')));
      }

      const decision = deps.faults.rules.decide(action);
      const delay = deps.cloud.delays.apiLatencyMs + decision.delayMs;
      if (delay > 0) await sleep(delay);
      if (decision.error) throw decision.error;

      // From here on no await: validation and mutation happen in one step of the event loop.
      const token = definition.idempotent ? params.ClientToken : undefined;
      const digest = token ? ClientTokenStore.digest(params) : '';
      const now = Date.now();
      let answer = token ? deps.cloud.clientTokens.lookup(action, token, digest, now) : undefined;
      if (!answer) {
        answer = definition.execute({ cloud: deps.cloud, requestId }, unflatten(params));
        if (token) deps.cloud.clientTokens.remember(action, token, digest, answer, now);
      }
      deps.stats.record(action);
      send(res, 200, requestId, { RequestId: requestId, ...answer });
      deps.logger.debug({ action, requestId, ms: Date.now() - started }, 'answered');
    } catch (err) {
      const apiError = err instanceof ApiError ? err : apiErrors.internalError();
      if (!(err instanceof ApiError)) deps.logger.error({ err, action, requestId }, 'handler failed');
      deps.stats.record(action, apiError.code);
      deps.logger.debug({ action, requestId, code: apiError.code }, 'answered with error');
      if (!res.headersSent) send(res, apiError.httpStatus, requestId, errorBody(apiError, requestId, product, deps.cloud.regionId));
    }
  };
}
