// The manager: owns the shared informer cache, the API clients, the event recorder, the metrics
// registry and the probe servers, and runs the registered controllers while this replica holds
// the leader Lease. Informers run on every replica, so a standby's cache is warm when it takes over.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ControllerRunner } from './controller/runner.js';
import { sleep, untilAborted } from './controller/periodic.js';
import type { Controller, Runnable } from './controller/types.js';
import { KubeEventSink } from './events/kube-event-sink.js';
import { KubeEventRecorder, type EventRecorder, type EventSink } from './events/recorder.js';
import { EventLoopWatchdog } from './health/liveness.js';
import { startHealthServer, startMetricsServer, type Check, type HttpServerHandle, type NamedCheck } from './health/server.js';
import { InformerCache, type InformerSelector } from './informers/cache.js';
import type { Informer } from './informers/informer.js';
import { createKubeClients, type KubeClients } from './kube/clients.js';
import type { ResourceType } from './kube/resource-type.js';
import type { KubeObject } from './kube/types.js';
import { LeaderElector, type LeaderElectionConfig } from './leader/elector.js';
import { RuntimeMetrics } from './metrics.js';

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** This replica's name, e.g. the pod name; the Lease holder and the Events' reportingInstance. */
  identity: string;
  /** false runs the controllers at once, with no Lease (a single replica, or tests). */
  leaderElection: false | Omit<LeaderElectionConfig, 'identity'>;
  /**
   * What to do when the Lease is lost while leading. Controllers are stopped first either way.
   * 'exit' (the default, as controller-runtime) ends the process with code 1 so the pod restarts
   * clean; 'recampaign' becomes a standby again.
   */
  onLeadershipLost?: 'exit' | 'recampaign';
  /** Where the metrics go; a fresh registry with the process metrics by default. */
  registry?: Registry;
  /** Port of /metrics; undefined serves none, 0 picks a free port. */
  metricsPort?: number;
  /** Port of /healthz and /readyz; undefined serves none, 0 picks a free port. */
  healthPort?: number;
  /** Address the servers bind; all interfaces by default. */
  bindAddress?: string;
  /** Replays cached objects to the controllers this often (0 disables). Default 10 minutes. */
  resyncPeriodMs?: number;
  /** events.k8s.io reportingController. */
  reportingController?: string;
  /** In-flight reconciles get this long to finish on shutdown or leadership loss. Default 20 s. */
  shutdownGraceMs?: number;
  /** Replaces the events.k8s.io writer (tests). */
  eventSink?: EventSink;
}

interface Registered {
  kind: 'controller' | 'runnable';
  name: string;
  needsLeaderElection: boolean;
  run(signal: AbortSignal): Promise<void>;
}

export class Manager {
  readonly kubeConfig: KubeConfig;
  readonly clients: KubeClients;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly metrics: RuntimeMetrics;
  readonly informers: InformerCache;
  /** The recorder every controller uses. */
  readonly recorder: EventRecorder;
  readonly identity: string;

  private readonly eventRecorder: KubeEventRecorder;
  private readonly elector: LeaderElector | undefined;
  private readonly registered: Registered[] = [];
  private readonly readinessChecks: NamedCheck[] = [];
  private readonly watchdog: EventLoopWatchdog;
  private readonly servers: HttpServerHandle[] = [];
  private stopController: AbortController | undefined;
  private leaderWork: Promise<void> | undefined;
  private alwaysWork: Promise<void> | undefined;
  private lifecycle: Promise<void> | undefined;
  private leading = false;
  private leadership: AbortSignal | undefined;
  private stopping: Promise<void> | undefined;
  private readonly ports: { metrics?: number; health?: number } = {};

  constructor(private readonly options: ManagerOptions) {
    this.kubeConfig = options.kubeConfig;
    this.logger = options.logger;
    this.identity = options.identity;
    this.registry = options.registry ?? newRegistry();
    this.metrics = new RuntimeMetrics(this.registry);
    this.clients = createKubeClients(options.kubeConfig);
    this.eventRecorder = new KubeEventRecorder({
      sink: options.eventSink ?? new KubeEventSink(options.kubeConfig),
      logger: options.logger,
      metrics: this.metrics,
      reportingController: options.reportingController ?? 'karpenter.k8s.alibabacloud/ack-node-operator',
      reportingInstance: options.identity,
    });
    this.recorder = this.eventRecorder;
    this.informers = new InformerCache(options.kubeConfig, {
      logger: options.logger,
      metrics: this.metrics,
      resyncPeriodMs: options.resyncPeriodMs ?? 10 * 60_000,
      onInvalid: (raw, error) => {
        // Only the acting replica tells users, or every standby would repeat the Event.
        if (this.isLeader()) this.recorder.warning(raw, 'InvalidObject', `ignored by the operator until fixed: ${error.problems}`, { action: 'Validate' });
      },
    });
    this.elector = options.leaderElection
      ? new LeaderElector({ ...options.leaderElection, identity: options.identity, kubeConfig: options.kubeConfig, logger: options.logger, metrics: this.metrics })
      : undefined;
    this.watchdog = new EventLoopWatchdog();
    this.addReadinessCheck('informers', () => {
      const unsynced = this.informers.unsynced();
      return unsynced.length === 0 ? undefined : `not synced: ${unsynced.join(', ')}`;
    });
  }

  // ---- registration ----

  /** The shared informer of a resource; see InformerCache.informer. */
  informer<T extends KubeObject>(resource: ResourceType<T>, selector?: InformerSelector): Informer<T> {
    return this.informers.informer(resource, selector);
  }

  /** Registers a keyed controller. Names must be unique. May be called before or after start(). */
  addController(controller: Controller): void {
    const runner = new ControllerRunner(controller, { logger: this.logger, recorder: this.recorder, metrics: this.metrics });
    this.register({ kind: 'controller', name: controller.name, needsLeaderElection: controller.needsLeaderElection ?? true, run: (signal) => runner.run(signal) });
  }

  /** Registers a runnable (a periodic task, a batcher loop). A failing run() restarts after a backoff. */
  addRunnable(runnable: Runnable): void {
    const log = this.logger.child({ controller: runnable.name });
    this.register({
      kind: 'runnable',
      name: runnable.name,
      needsLeaderElection: runnable.needsLeaderElection ?? true,
      run: async (signal) => {
        let failures = 0;
        while (!signal.aborted) {
          try {
            await runnable.run({ signal, log, recorder: this.recorder });
            if (!signal.aborted) log.warn('runnable returned while still running; restarting');
            failures = 0;
          } catch (error) {
            failures++;
            log.error({ err: error instanceof Error ? error.message : String(error), failures }, 'runnable failed; restarting after backoff');
          }
          await sleep(Math.min(30_000, 500 * 2 ** failures), signal);
        }
      },
    });
  }

  /** Adds a /readyz check, e.g. cloud reachability. */
  addReadinessCheck(name: string, check: Check): void {
    this.readinessChecks.push({ name, check });
  }

  isLeader(): boolean {
    return this.elector ? this.leading : this.stopController !== undefined;
  }

  /** The ports the servers bound (useful when 0 was asked for). */
  get boundPorts(): { metrics?: number; health?: number } {
    return { ...this.ports };
  }

  // ---- lifecycle ----

  /** Starts the servers, the informers and the leader campaign; returns once they are started. */
  async start(): Promise<void> {
    if (this.stopController) throw new Error('manager already started');
    this.stopController = new AbortController();
    const signal = this.stopController.signal;
    const { bindAddress } = this.options;
    if (this.options.metricsPort !== undefined) {
      const server = await startMetricsServer({ port: this.options.metricsPort, registry: this.registry, logger: this.logger, ...(bindAddress ? { host: bindAddress } : {}) });
      this.servers.push(server);
      this.ports.metrics = server.port;
    }
    if (this.options.healthPort !== undefined) {
      const server = await startHealthServer({
        port: this.options.healthPort,
        logger: this.logger,
        liveness: [{ name: 'event-loop', check: () => (this.watchdog.healthy() ? undefined : `event loop stalled for ${Math.round(this.watchdog.lagMs())} ms`) }],
        readiness: this.readinessChecks,
        ...(bindAddress ? { host: bindAddress } : {}),
      });
      this.servers.push(server);
      this.ports.health = server.port;
    }
    this.informers.start();
    this.alwaysWork = this.runAll(this.registered.filter((r) => !r.needsLeaderElection), signal);
    this.lifecycle = this.campaign(signal);
    this.logger.info({ identity: this.identity, leaderElection: Boolean(this.elector), controllers: this.registered.map((r) => r.name) }, 'manager started');
  }

  /** Resolves when the manager has stopped (after stop(), or after losing the lease with 'exit'). */
  async done(): Promise<void> {
    await this.lifecycle;
  }

  /**
   * Stops in the order that keeps the single-actor guarantee: controllers first (in-flight
   * reconciles get the grace period), then the Lease is released, then the informers, the
   * pending Events and the servers.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    if (!this.stopController) return;
    this.logger.info('manager stopping');
    this.stopController.abort(new Error('manager stopping'));
    await Promise.all([this.withGrace(this.leaderWork, 'leader work'), this.withGrace(this.alwaysWork, 'standby work')]);
    await this.lifecycle;
    // Only releases when this replica still holds the Lease; controllers have stopped by now.
    await this.elector?.release();
    this.leading = false;
    await this.informers.stop();
    await this.eventRecorder.close();
    this.watchdog.stop();
    await Promise.all(this.servers.map((server) => server.close()));
    this.logger.info('manager stopped');
  }

  private async campaign(signal: AbortSignal): Promise<void> {
    if (!this.elector) {
      this.leaderWork = this.runAll(this.registered.filter((r) => r.needsLeaderElection), signal);
      // Without controllers (or once they return) the manager still runs until stopped.
      await Promise.all([this.leaderWork, untilAborted(signal)]);
      return;
    }
    while (!signal.aborted) {
      const outcome = await this.elector.run(signal, (leadership) => {
        this.leading = true;
        this.leadership = leadership;
        this.leaderWork = this.runAll(this.registered.filter((r) => r.needsLeaderElection), leadership);
      });
      this.leading = false;
      this.leadership = undefined;
      // Controllers saw the leadership signal abort; wait for them before anything else acts.
      await this.withGrace(this.leaderWork, 'leader work');
      this.leaderWork = undefined;
      if (outcome === 'stopped') return;
      if ((this.options.onLeadershipLost ?? 'exit') === 'exit') {
        this.logger.fatal('leader election lost; exiting so the pod restarts as a standby');
        await this.informers.stop();
        await this.eventRecorder.close();
        process.exit(1);
      }
      this.logger.warn('leader election lost; campaigning again');
    }
  }

  private runAll(entries: Registered[], signal: AbortSignal): Promise<void> {
    return Promise.all(entries.map((entry) => this.runOne(entry, signal))).then(() => undefined);
  }

  private async runOne(entry: Registered, signal: AbortSignal): Promise<void> {
    try {
      await entry.run(signal);
    } catch (error) {
      this.logger.error({ err: error, controller: entry.name }, 'controller ended with an error');
    }
  }

  private register(entry: Registered): void {
    if (this.registered.some((r) => r.name === entry.name)) throw new Error(`a controller named ${JSON.stringify(entry.name)} is already registered`);
    this.registered.push(entry);
    const signal = this.stopController?.signal;
    if (!signal) return;
    // Registered after start: run it now if this replica is acting.
    if (!entry.needsLeaderElection) {
      this.alwaysWork = Promise.all([this.alwaysWork, this.runOne(entry, signal)]).then(() => undefined);
      return;
    }
    const leadership = this.elector ? this.leadership : signal;
    if (leadership && !leadership.aborted) this.leaderWork = Promise.all([this.leaderWork, this.runOne(entry, leadership)]).then(() => undefined);
  }

  private async withGrace(work: Promise<void> | undefined, what: string): Promise<void> {
    if (!work) return;
    const graceMs = this.options.shutdownGraceMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    const expired = await Promise.race([
      work.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    if (timer) clearTimeout(timer);
    if (expired) this.logger.warn({ graceMs, what }, 'in-flight work did not finish within the shutdown grace period');
  }
}

function newRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
