// The admin endpoint: JSON over HTTP on the same port under /admin, no signature, loopback
// callers only. It exposes the observable state (instances, ENIs and IPs, vSwitch free counts,
// per-action calls, a consistency check) and every fault of faults.ts. README.md lists the routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import { stockSelectorSchema, type Faults } from '../faults/faults.js';
import { faultRuleSchema } from '../faults/rules.js';
import type { SimulatorState } from '../state.js';

const loopback = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const stockBodySchema = stockSelectorSchema.extend({ count: z.number().int().min(0).nullable() });
const reclaimBodySchema = z.object({ noticeMs: z.number().nonnegative().optional() });

function reply(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload, null, 2);
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function json(body: Buffer): unknown {
  if (body.length === 0) return {};
  return JSON.parse(body.toString('utf8'));
}

export function createAdmin(state: SimulatorState, faults: Faults) {
  const snapshot = () => ({
    region: state.region,
    instances: state.instances(),
    networkInterfaces: state.networkInterfaces(),
    vSwitches: state.vSwitches(),
    calls: state.calls(),
    faults: faults.rules.list(),
    stock: state.cloud.offerings.stockOverrides(),
    consistency: state.checkConsistency(),
  });

  type Route = { method: string; pattern: RegExp; run: (match: RegExpMatchArray, body: Buffer) => unknown };
  const routes: Route[] = [
    { method: 'GET', pattern: /^\/admin\/?$|^\/admin\/state$/, run: () => snapshot() },
    { method: 'GET', pattern: /^\/admin\/instances$/, run: () => state.instances() },
    { method: 'GET', pattern: /^\/admin\/network-interfaces$/, run: () => state.networkInterfaces() },
    { method: 'GET', pattern: /^\/admin\/vswitches$/, run: () => state.vSwitches() },
    { method: 'GET', pattern: /^\/admin\/security-groups$/, run: () => state.securityGroups() },
    { method: 'GET', pattern: /^\/admin\/calls$/, run: () => state.calls() },
    { method: 'DELETE', pattern: /^\/admin\/calls$/, run: () => (state.resetCalls(), {}) },
    { method: 'GET', pattern: /^\/admin\/consistency$/, run: () => ({ problems: state.checkConsistency() }) },
    { method: 'GET', pattern: /^\/admin\/faults$/, run: () => faults.rules.list() },
    { method: 'POST', pattern: /^\/admin\/faults$/, run: (_m, body) => ({ id: faults.add(faultRuleSchema.parse(json(body))) }) },
    { method: 'DELETE', pattern: /^\/admin\/faults$/, run: () => (faults.clear(), {}) },
    { method: 'DELETE', pattern: /^\/admin\/faults\/(\d+)$/, run: (m) => ({ removed: faults.removeRule(Number(m[1])) }) },
    {
      method: 'POST',
      pattern: /^\/admin\/stock$/,
      run: (_m, body) => {
        const { count, ...selector } = stockBodySchema.parse(json(body));
        faults.setStock(selector, count ?? undefined);
        return { stock: state.cloud.offerings.stockOverrides() };
      },
    },
    { method: 'POST', pattern: /^\/admin\/vswitches\/([\w-]+)\/exhaust$/, run: (m) => ({ taken: faults.exhaustVSwitch(m[1]!) }) },
    { method: 'POST', pattern: /^\/admin\/vswitches\/([\w-]+)\/restore$/, run: (m) => ({ released: faults.restoreVSwitch(m[1]!) }) },
    {
      method: 'POST',
      pattern: /^\/admin\/instances\/([\w-]+)\/reclaim$/,
      run: (m, body) => ({ terminationTime: faults.reclaimSpot(m[1]!, reclaimBodySchema.parse(json(body))) }),
    },
  ];

  return function admin(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): void {
    if (!loopback.has(req.socket.remoteAddress ?? '')) {
      reply(res, 403, { error: 'the admin endpoint answers loopback callers only' });
      return;
    }
    const pathname = url.pathname.replace(/\/+$/, '') || '/admin';
    const candidates = routes.filter((r) => r.pattern.test(pathname));
    const route = candidates.find((r) => r.method === req.method);
    if (!route) {
      reply(res, candidates.length > 0 ? 405 : 404, { error: `no route ${req.method} ${pathname}` });
      return;
    }
    try {
      reply(res, 200, route.run(pathname.match(route.pattern)!, body) ?? {});
    } catch (err) {
      if (err instanceof z.ZodError) reply(res, 400, { error: 'invalid body', issues: err.issues });
      else if (err instanceof SyntaxError) reply(res, 400, { error: `invalid JSON: ${err.message}` });
      else if (err instanceof ApiError) reply(res, err.httpStatus, { Code: err.code, Message: err.message });
      else reply(res, 500, { error: (err as Error).message });
    }
  };
}
