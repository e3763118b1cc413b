// One provisioning pass: snapshot the cache, solve, create the NodeClaims of the plan, and tell
// each pod what happened (Nominated onto a node or NodeClaim, or FailedScheduling with the core's
// reason). Pods planned onto claims still in flight are placed there again by the next pass
// (the snapshot describes in-flight claims as capacity), so a pass never asks twice for them.
import { describeKubeError, isAlreadyExists, type Manager, type RunContext } from '../../operator/index.js';
import { solve, type NewClaim } from '../../scheduling/index.js';
import { buildClusterSnapshot, describeNetworkKeys, PodSpecCache, type ClusterSnapshot } from '../../state/index.js';
import type { ControllerDeps } from '../index.js';
import { snapshotObjects, type SnapshotInformers } from '../shared/cluster-informers.js';
import { nodeClaimApi } from '../shared/nodeclaim-api.js';
import { nodeClaimBody, nodeClaimName } from './nodeclaim-builder.js';
import type { ProvisioningMetrics } from './metrics.js';
import type { VSwitchReadings } from './vswitch-readings.js';

export interface PassOutcome {
  /** Pods that went into the solve. */
  pending: number;
  created: string[];
  unschedulable: number;
  /** A claim could not be created: the pass should run again. */
  failedCreates: number;
}

const controllerLabel = 'provisioner';
const createAttempts = 3;
const createConcurrency = 8;

export class Provisioner {
  private readonly podCache = new PodSpecCache();
  /** When each pending pod was first seen, for karpenter_pods_scheduling_decision_duration_seconds. */
  private readonly firstSeen = new Map<string, number>();

  constructor(
    private readonly manager: Manager,
    private readonly deps: ControllerDeps,
    private readonly informers: SnapshotInformers,
    private readonly metrics: ProvisioningMetrics,
    private readonly readings: VSwitchReadings,
  ) {}

  /** A pending pod was seen (an informer event): starts its decision clock. */
  seen(uid: string): void {
    if (!this.firstSeen.has(uid)) this.firstSeen.set(uid, performance.now());
  }

  forget(uid: string): void {
    this.firstSeen.delete(uid);
  }

  async snapshot(): Promise<ClusterSnapshot> {
    const objects = snapshotObjects(this.informers);
    const { settings, catalog } = this.deps;
    // Node class statuses carry free IPs too; a fresh DescribeVSwitches reading wins.
    const fallback: [string, number][] = [];
    for (const nc of objects.nodeClasses) for (const v of nc.status?.vSwitches ?? []) if (v.availableIPAddressCount !== undefined) fallback.push([v.id, v.availableIPAddressCount]);
    const ctx = { catalog, ipamDefaults: settings.ipam.defaults, defaultEniType: settings.defaultEniType, podCache: this.podCache };
    let snapshot = buildClusterSnapshot(objects, { ...ctx, vSwitchFreeIPs: this.readings.snapshot(fallback) });
    if (snapshot.input.pods.length > 0 && snapshot.networkVSwitchIds.length > 0 && (await this.readings.refresh(snapshot.networkVSwitchIds))) {
      snapshot = buildClusterSnapshot(objects, { ...ctx, vSwitchFreeIPs: this.readings.snapshot(fallback) });
    }
    return snapshot;
  }

  async provisionOnce({ signal, log, recorder }: RunContext): Promise<PassOutcome> {
    const snapshot = await this.snapshot();
    const outcome: PassOutcome = { pending: snapshot.input.pods.length, created: [], unschedulable: snapshot.unschedulable.size, failedCreates: 0 };
    for (const [uid, reason] of snapshot.unschedulable) this.failed(snapshot, uid, reason, recorder);
    if (snapshot.input.pods.length === 0) {
      this.metrics.unschedulablePods.set({ controller: controllerLabel }, snapshot.unschedulable.size);
      return outcome;
    }

    this.metrics.queueDepth.set({ controller: controllerLabel }, snapshot.input.pods.length);
    const started = performance.now();
    const result = solve(snapshot.input);
    const seconds = (performance.now() - started) / 1000;
    this.metrics.schedulingDuration.observe({ controller: controllerLabel }, seconds);
    this.metrics.provisionerSchedulingDuration.observe(seconds);
    this.metrics.queueDepth.set({ controller: controllerLabel }, 0);
    this.metrics.unschedulablePods.set({ controller: controllerLabel }, result.unschedulable.size + snapshot.unschedulable.size);
    const decidedAt = performance.now();
    for (const uid of snapshot.pendingPods.keys()) {
      const first = this.firstSeen.get(uid);
      if (first === undefined) continue;
      this.metrics.schedulingDecisionDuration.observe(Math.max(0, decidedAt - first) / 1000);
      this.firstSeen.delete(uid);
    }

    const skipped = [...snapshot.skippedNodePools].map(([name, s]) => `NodePool ${name}: ${s.message}`);
    for (const [uid, reason] of result.unschedulable) {
      this.failed(snapshot, uid, skipped.length > 0 ? `${reason} (left out: ${skipped.join('; ')})` : reason, recorder);
    }
    outcome.unschedulable += result.unschedulable.size;

    for (const [uid, target] of result.existingPlacements) {
      const pod = snapshot.pendingPods.get(uid);
      const capacity = snapshot.capacity.get(target);
      if (!pod || !capacity) continue;
      const ref = capacity.kind === 'claim' ? `nodeclaim/${target}` : `node/${target}`;
      recorder.normal(pod, 'Nominated', `Pod should schedule on: ${ref}`);
    }

    // Create the new claims, a few at a time.
    const queue = [...result.newClaims];
    const workers = Array.from({ length: Math.min(createConcurrency, queue.length) }, async () => {
      for (let claim = queue.shift(); claim; claim = queue.shift()) {
        if (signal.aborted) return;
        const name = await this.create(claim, snapshot, log);
        if (!name) {
          outcome.failedCreates++;
          continue;
        }
        outcome.created.push(name);
        for (const uid of claim.pods) {
          const pod = snapshot.pendingPods.get(uid);
          if (pod) recorder.normal(pod, 'Nominated', `Pod should schedule on: nodeclaim/${name}`);
        }
      }
    });
    await Promise.all(workers);
    log.info(
      {
        pods: snapshot.input.pods.length,
        existing: result.existingPlacements.size,
        nodeClaims: outcome.created.length,
        unschedulable: outcome.unschedulable,
        failedCreates: outcome.failedCreates,
        ms: Math.round(seconds * 1000),
        podCacheHits: this.podCache.hits,
      },
      'provisioning pass',
    );
    return outcome;
  }

  private failed(snapshot: ClusterSnapshot, uid: string, reason: string, recorder: RunContext['recorder']): void {
    const pod = snapshot.pendingPods.get(uid) ?? this.informers.pods.list().find((p) => p.metadata?.uid === uid);
    if (pod) recorder.warning(pod, 'FailedScheduling', `Failed to schedule pod, ${describeNetworkKeys(reason)}`);
  }

  /** Creates the NodeClaim; its name, or undefined when it could not be created. */
  private async create(claim: NewClaim, snapshot: ClusterSnapshot, log: RunContext['log']): Promise<string | undefined> {
    const pool = snapshot.nodePools.get(claim.nodePool)?.nodePool;
    if (!pool) return undefined;
    for (let attempt = 1; attempt <= createAttempts; attempt++) {
      const name = nodeClaimName(claim.nodePool);
      const body = nodeClaimBody(claim, pool, name, snapshot.podNetworks);
      try {
        await this.manager.clients.customObjects.createClusterCustomObject({ ...nodeClaimApi, body });
        this.metrics.nodeClaimsCreated.count('provisioned', body);
        log.info(
          {
            nodeClaim: name,
            nodePool: claim.nodePool,
            pods: claim.pods.length,
            requests: body.spec.resources.requests,
            instanceTypes: claim.instanceTypeOptions.length,
            cheapest: claim.instanceTypeOptions[0]?.name,
            price: claim.price,
          },
          'created nodeclaim',
        );
        return name;
      } catch (error) {
        // A name taken by another claim: pick another (the random suffix makes this rare).
        if (isAlreadyExists(error) && attempt < createAttempts) continue;
        log.error({ nodePool: claim.nodePool, err: describeKubeError(error) }, 'creating nodeclaim failed');
        return undefined;
      }
    }
    return undefined;
  }
}
