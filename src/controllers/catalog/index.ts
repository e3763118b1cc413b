// Keeps the instance-type catalog fresh: offerings and prices every few minutes (instance types
// themselves every 12 h, the catalog decides), retrying a failed first load quickly since nothing
// can be provisioned before it. Read-only, so it runs on standbys too: a replica that takes over
// the Lease has a warm catalog, and /readyz ("catalog") means the same on every replica.
import type { InstanceTypeCatalog } from '../../catalog/index.js';
import { sleep, type Manager } from '../../operator/index.js';

export interface CatalogRefreshOptions {
  /** Between refreshes once loaded. Default 5 minutes. */
  intervalMs?: number;
  /** First retry delay while the first load keeps failing (doubling to 30 s). Default 1 s. */
  firstLoadRetryMs?: number;
}

export const DefaultCatalogRefreshMs = 5 * 60_000;

export function registerCatalogRefresh(manager: Manager, catalog: InstanceTypeCatalog, opts: CatalogRefreshOptions = {}): void {
  const intervalMs = opts.intervalMs ?? DefaultCatalogRefreshMs;
  manager.addReadinessCheck('catalog', () => (catalog.loaded() ? undefined : 'instance-type catalog not loaded yet'));
  manager.addRunnable({
    name: 'instance-type-catalog',
    needsLeaderElection: false,
    async run({ signal, log }) {
      let retryMs = opts.firstLoadRetryMs ?? 1_000;
      while (!signal.aborted) {
        const started = performance.now();
        try {
          await catalog.refresh(signal);
          log.info({ ms: Math.round(performance.now() - started), version: catalog.version }, 'instance-type catalog refreshed');
          retryMs = opts.firstLoadRetryMs ?? 1_000;
          await sleep(intervalMs * (1 + Math.random() * 0.1), signal);
        } catch (error) {
          if (signal.aborted) return;
          const message = error instanceof Error ? error.message : String(error);
          if (catalog.loaded()) {
            // The last good catalog stays in use; prices a few minutes old are fine.
            log.warn({ err: message }, 'instance-type catalog refresh failed; keeping the previous one');
            await sleep(intervalMs, signal);
          } else {
            log.error({ err: message, retryMs }, 'instance-type catalog could not be loaded; retrying');
            await sleep(retryMs, signal);
            retryMs = Math.min(retryMs * 2, 30_000);
          }
        }
      }
    },
  });
}
