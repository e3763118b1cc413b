// Leader election on a coordination.k8s.io Lease, with client-go's rules and timings:
//  - a candidate takes the Lease when it is free (no holder) or when its record has not changed
//    for leaseDuration as measured on the candidate's own monotonic clock since it last saw it
//    change (never by comparing wall clocks across machines);
//  - every write is an optimistic update on the resourceVersion read, so two candidates can never
//    both win the same record;
//  - the leader renews every retryPeriod and steps down if it has not renewed for renewDeadline;
//    since renewDeadline < leaseDuration, the old leader has stopped before anyone else may take
//    over;
//  - release() empties the holder so a standby takes over at once on a clean shutdown.
// Besides polling, the candidate watches the Lease, so it sees each renewal within milliseconds
// and its expiry clock starts when the old leader's last renewal happened, not up to a poll
// later: a crashed leader is replaced about leaseDuration after its last renewal.
import { CoordinationV1Api, V1MicroTime, Watch, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { isConflict, isNotFound, statusCodeOf } from '../kube/errors.js';
import type { RuntimeMetrics } from '../metrics.js';
import { recordOf, sameRecord, type LeaseRecord } from './lease-record.js';

export interface LeaderElectionConfig {
  namespace: string;
  leaseName: string;
  /** Unique per replica: the pod name plus a random suffix. */
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const defaultLeaderElectionTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export interface LeaderElectorOptions extends LeaderElectionConfig {
  kubeConfig: KubeConfig;
  logger: Logger;
  metrics?: RuntimeMetrics;
}

export type LeadershipOutcome = 'lost' | 'stopped';

interface Observation {
  record: LeaseRecord;
  /** performance.now() when this record was first seen. */
  at: number;
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly log: Logger;
  private observed: Observation | undefined;
  private leading = false;
  private wake: (() => void) | undefined;
  private lastLeader = '';

  constructor(private readonly options: LeaderElectorOptions) {
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = options;
    if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > retryPeriodMs && retryPeriodMs > 0)) {
      throw new Error(`leader election needs leaseDuration > renewDeadline > retryPeriod > 0 (got ${leaseDurationMs}, ${renewDeadlineMs}, ${retryPeriodMs} ms)`);
    }
    this.api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.log = options.logger.child({ component: 'leader-election', lease: `${options.namespace}/${options.leaseName}`, identity: options.identity });
    options.metrics?.leaderStatus.set({ name: options.leaseName }, 0);
  }

  get identity(): string {
    return this.options.identity;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Campaigns until this replica leads, calls `lead` with a signal that aborts the moment
   * leadership is lost or `signal` aborts, and keeps renewing. Resolves 'lost' when the Lease
   * could not be renewed within renewDeadline (or another holder took it), 'stopped' when
   * `signal` aborted. Never rejects on API errors: they are retried.
   */
  async run(signal: AbortSignal, lead: (leadership: AbortSignal) => void): Promise<LeadershipOutcome> {
    // The Lease watch lives as long as this call, which ends on loss as well as on stop.
    const watchStop = new AbortController();
    const stopWatch = () => watchStop.abort();
    signal.addEventListener('abort', stopWatch, { once: true });
    const watching = this.watchLease(watchStop.signal);
    try {
      const acquired = await this.acquire(signal);
      if (!acquired) return 'stopped';
      const leadership = new AbortController();
      this.setLeading(true);
      try {
        lead(leadership.signal);
      } catch (error) {
        this.log.error({ err: error }, 'starting the leader work failed');
      }
      const outcome = await this.renewUntilLost(signal);
      this.setLeading(false);
      leadership.abort(new Error(outcome === 'lost' ? 'leadership lost' : 'shutting down'));
      return outcome;
    } finally {
      signal.removeEventListener('abort', stopWatch);
      watchStop.abort();
      this.wake?.();
      await watching;
    }
  }

  /** Gives the Lease up (if held) so a standby can take over without waiting for expiry. */
  async release(): Promise<void> {
    try {
      const lease = await this.api.readNamespacedLease({ name: this.options.leaseName, namespace: this.options.namespace });
      if (recordOf(lease).holderIdentity !== this.options.identity) return;
      const now = new V1MicroTime(Date.now());
      lease.spec = {
        ...lease.spec,
        holderIdentity: undefined,
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
      };
      await this.api.replaceNamespacedLease({ name: this.options.leaseName, namespace: this.options.namespace, body: lease });
      this.log.info('released the lease');
    } catch (error) {
      this.log.warn({ err: describe(error) }, 'could not release the lease; a standby takes over when it expires');
    } finally {
      this.setLeading(false);
    }
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.log.info('campaigning for the lease');
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) {
        this.log.info('acquired the lease; now leading');
        return true;
      }
      let delay = this.options.retryPeriodMs * (1 + Math.random() * 0.2);
      const expiresIn = this.expiresInMs();
      if (expiresIn !== undefined) delay = Math.min(delay, Math.max(0, expiresIn) + 20);
      await this.sleep(delay, signal);
    }
    return false;
  }

  private async renewUntilLost(signal: AbortSignal): Promise<LeadershipOutcome> {
    let lastRenew = performance.now();
    while (!signal.aborted) {
      await this.sleep(this.options.retryPeriodMs, signal, false);
      if (signal.aborted) break;
      const remaining = this.options.renewDeadlineMs - (performance.now() - lastRenew);
      if (remaining <= 0) {
        this.log.error({ renewDeadlineMs: this.options.renewDeadlineMs }, 'could not renew the lease within the renew deadline; stepping down');
        return 'lost';
      }
      const result = await withTimeout(this.tryAcquireOrRenew(), remaining);
      if (result === true) {
        lastRenew = performance.now();
        continue;
      }
      const holder = this.observed?.record.holderIdentity;
      if (holder && holder !== this.options.identity) {
        this.log.error({ holder }, 'another replica holds the lease; stepping down');
        return 'lost';
      }
    }
    return 'stopped';
  }

  /** One read-modify-write of the Lease; true when this replica holds it afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, leaseName: name, identity } = this.options;
    const durationSeconds = Math.ceil(this.options.leaseDurationMs / 1000);
    const now = new V1MicroTime(Date.now());
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (!isNotFound(error)) {
        this.log.warn({ err: describe(error), status: statusCodeOf(error) }, 'could not read the lease');
        return false;
      }
      try {
        const created = await this.api.createNamespacedLease({
          namespace,
          body: {
            metadata: { name, namespace },
            spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
          },
        });
        this.observe(created);
        return true;
      } catch (createError) {
        if (!isConflict(createError)) this.log.warn({ err: describe(createError) }, 'could not create the lease');
        return false;
      }
    }

    this.observe(lease);
    const current = this.observed!.record;
    const heldByOther = current.holderIdentity !== '' && current.holderIdentity !== identity;
    if (heldByOther && (this.expiresInMs() ?? 0) > 0) return false;

    const takingOver = current.holderIdentity !== identity;
    lease.spec = {
      holderIdentity: identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: takingOver || !lease.spec?.acquireTime ? now : lease.spec.acquireTime,
      renewTime: now,
      leaseTransitions: takingOver && current.holderIdentity !== '' ? current.leaseTransitions + 1 : current.leaseTransitions,
    };
    try {
      const updated = await this.api.replaceNamespacedLease({ name, namespace, body: lease });
      this.observe(updated);
      return true;
    } catch (error) {
      if (!isConflict(error)) this.log.warn({ err: describe(error), status: statusCodeOf(error) }, 'could not update the lease');
      return false;
    }
  }

  /** Milliseconds until the observed record expires, on this replica's clock. */
  private expiresInMs(): number | undefined {
    const observed = this.observed;
    if (!observed || observed.record.holderIdentity === '') return undefined;
    const durationMs = Math.max(observed.record.leaseDurationSeconds * 1000, 0);
    return observed.at + durationMs - performance.now();
  }

  private observe(lease: Parameters<typeof recordOf>[0]): void {
    const record = recordOf(lease);
    if (this.observed && sameRecord(this.observed.record, record)) return;
    this.observed = { record, at: performance.now() };
    if (record.holderIdentity !== this.lastLeader) {
      this.lastLeader = record.holderIdentity;
      if (record.holderIdentity && record.holderIdentity !== this.options.identity) this.log.info({ leader: record.holderIdentity }, 'new leader observed');
    }
    // A released Lease can be taken now: cut a candidate's sleep short.
    if (record.holderIdentity === '' && !this.leading) this.wake?.();
  }

  /** Feeds every change of the Lease into observe(); falls back to polling alone when watching is not allowed. */
  private async watchLease(signal: AbortSignal): Promise<void> {
    const watch = new Watch(this.options.kubeConfig);
    const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.options.namespace)}/leases`;
    while (!signal.aborted) {
      let controller: AbortController | undefined;
      const ended = new Promise<unknown>((resolve) => {
        watch
          .watch(
            path,
            { fieldSelector: `metadata.name=${this.options.leaseName}` },
            (type: string, object: Parameters<typeof recordOf>[0]) => {
              if (type === 'ADDED' || type === 'MODIFIED') this.observe(object);
            },
            (error: unknown) => resolve(error ?? null),
          )
          .then((c) => {
            controller = c;
            if (signal.aborted) c.abort();
          }, resolve);
      });
      const onAbort = () => controller?.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      const error = await ended;
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) return;
      const status = statusCodeOf(error);
      if (status === 403 || status === 401) {
        this.log.info({ status }, 'not allowed to watch the lease; relying on polling every retry period');
        return;
      }
      await this.sleep(this.options.retryPeriodMs, signal, false);
    }
  }

  private sleep(ms: number, signal: AbortSignal, wakeable = true): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      if (wakeable) this.wake = done;
    });
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    this.options.metrics?.leaderStatus.set({ name: this.options.leaseName }, leading ? 1 : 0);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
