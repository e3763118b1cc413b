// The probe and metrics HTTP servers: /healthz (alive: the event loop turns), /readyz (ready:
// every named check passes, e.g. informers synced and the cloud reachable) and /metrics (the
// prom-client registry). Checks answer within a timeout so a hanging dependency reads as a
// failure, not as a hanging probe.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** Resolves when healthy; rejects (or resolves a string reason) when not. */
export type Check = () => Promise<void | string> | void | string;

export interface NamedCheck {
  name: string;
  check: Check;
}

export interface HttpServerHandle {
  port: number;
  close(): Promise<void>;
}

const checkTimeoutMs = 5_000;

async function runCheck(check: Check): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const outcome = await Promise.race([
      Promise.resolve().then(check),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`timed out after ${checkTimeoutMs} ms`), checkTimeoutMs);
      }),
    ]);
    return typeof outcome === 'string' && outcome.length > 0 ? outcome : undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Runs the checks; answers 200 with "ok" lines or 500 listing the failures (?verbose lists all). */
async function answerChecks(checks: readonly NamedCheck[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const results = await Promise.all(checks.map(async ({ name, check }) => ({ name, failure: await runCheck(check) })));
  const failed = results.filter((r) => r.failure !== undefined);
  const verbose = new URL(req.url ?? '/', 'http://localhost').searchParams.has('verbose');
  const lines = results
    .filter((r) => verbose || r.failure !== undefined)
    .map((r) => (r.failure === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: ${r.failure}`));
  res.writeHead(failed.length === 0 ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(failed.length === 0 ? `${lines.length ? `${lines.join('\n')}\n` : ''}ok\n` : `${lines.join('\n')}\nnot ok\n`);
}

function listen(server: Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function handle(server: Server): (port: number) => HttpServerHandle {
  return (port) => ({
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

export interface HealthServerOptions {
  port: number;
  host?: string;
  liveness: NamedCheck[];
  readiness: NamedCheck[];
  logger: Logger;
}

export async function startHealthServer(options: HealthServerOptions): Promise<HttpServerHandle> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const respond = (checks: NamedCheck[]) =>
      answerChecks(checks, req, res).catch((error: unknown) => {
        options.logger.error({ err: error }, 'probe handler failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    if (path === '/healthz' || path === '/livez') return void respond(options.liveness);
    if (path === '/readyz') return void respond(options.readiness);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  const port = await listen(server, options.port, options.host);
  options.logger.info({ port }, 'health probes listening (/healthz, /readyz)');
  return handle(server)(port);
}

export interface MetricsServerOptions {
  port: number;
  host?: string;
  registry: Registry;
  logger: Logger;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<HttpServerHandle> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    options.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': options.registry.contentType });
        res.end(text);
      },
      (error: unknown) => {
        options.logger.error({ err: error }, 'collecting metrics failed');
        res.writeHead(500);
        res.end();
      },
    );
  });
  const port = await listen(server, options.port, options.host);
  options.logger.info({ port }, 'metrics listening (/metrics)');
  return handle(server)(port);
}
