// The IPAM engine: every node's pool, every pod's allocation, fixed IPs, GC and node teardown.
// It talks to the cloud only through CloudProvider and persists only through IpamStore; the
// Kubernetes side (src/controllers/ipam) feeds it nodes and pods and writes pod annotations.
//
// Order of writes for an allocation: the node's record (the address is taken), then the pod's
// record, then the answer. A crash between the two writes leaves a taken address without a pod
// record; `heldAddresses()` shows it so the controller releases it when the pod is gone.
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { TagCluster, TagENICreator, TagENICreatorValue } from '../apis/labels.js';
import type { CloudProvider, InstanceTypeInfo } from '../cloud/types.js';
import { systemClock, type Clock } from './clock.js';
import { parseIpamConfig, type IpamConfig, type IpamConfigInput } from './config.js';
import { detachAndDeleteEni, type PollOptions } from './eni-lifecycle.js';
import { IpamError } from './errors.js';
import { IpamMetrics } from './metrics.js';
import { NodePool } from './node-pool.js';
import { defaultPlaneInZone, planeInZone, type ResolvedPodNetwork } from './pod-network-resolver.js';
import { podId, type EniState, type NodeIpamState, type PodAllocation } from './state.js';
import type { IpamStore } from './store.js';
import { VSwitchPool } from './vswitch-pool.js';

export interface IpamEngineDeps {
  cloud: CloudProvider;
  store: IpamStore;
  config: IpamConfigInput | IpamConfig;
  clock?: Clock;
  logger?: Logger;
  /** Where the pool metrics go; none when absent. */
  registry?: Registry;
  random?: () => number;
  /** A pod's recorded address vanished from the cloud; the controller should act on the pod. */
  onAddressLost?: (podId: string, ip: string, reason: string) => void;
  /** Called after each successful allocation (for tracing and the benchmark). */
  onAllocated?: (info: AllocationObservation) => void;
}

export interface AllocationObservation {
  podId: string;
  eniType: 'ENIIP' | 'ENI';
  /** Served from an idle address of the node's pool, without waiting for the cloud. */
  warm: boolean;
  seconds: number;
}

export interface NodeRegistration {
  name: string;
  instanceId: string;
  zone: string;
  instanceType: Pick<InstanceTypeInfo, 'name' | 'eniQuantity' | 'eniPrivateIpAddressQuantity'>;
  /** Pool sizes from the NodePool or the node's annotations; the configuration's when absent. */
  pool?: { minPoolSize?: number; maxPoolSize?: number };
}

export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
}

export interface AllocateRequest {
  pod: PodRef;
  nodeName: string;
  network: ResolvedPodNetwork;
}

export class IpamEngine {
  readonly config: IpamConfig;
  private readonly cloud: CloudProvider;
  private readonly store: IpamStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly metrics: IpamMetrics | undefined;
  private readonly vSwitches: VSwitchPool;
  private readonly nodes = new Map<string, NodePool>();
  private readonly pods = new Map<string, PodAllocation>();
  private readonly orphanSince = new Map<string, number>();
  private readonly onAddressLost: IpamEngineDeps['onAddressLost'];
  private readonly onAllocated: IpamEngineDeps['onAllocated'];
  /** Set by allocateInner for the observation of the allocation in progress. */
  private lastWarm = new Map<string, boolean>();
  private started = false;
  private stopped = false;

  constructor(deps: IpamEngineDeps) {
    // A parsed config is valid input too: parsing again is a no-op that keeps one code path.
    this.config = parseIpamConfig(deps.config);
    this.cloud = deps.cloud;
    this.store = deps.store;
    this.clock = deps.clock ?? systemClock;
    this.log = (deps.logger ?? pino({ level: 'silent' })).child({ component: 'ipam' });
    this.metrics = deps.registry ? new IpamMetrics(deps.registry, () => [...this.nodes.values()].filter((p) => !p.closed).map((p) => p.sample())) : undefined;
    this.onAddressLost = deps.onAddressLost;
    this.onAllocated = deps.onAllocated;
    this.vSwitches = new VSwitchPool(this.cloud, this.clock, {
      ttlMs: this.config.vSwitchCacheTtlMs,
      blockMs: this.config.vSwitchBlockMs,
      ...(deps.random ? { random: deps.random } : {}),
    });
  }

  private get poll(): PollOptions {
    return { timeoutMs: this.config.eniStatusTimeoutMs, initialMs: this.config.eniPollInitialMs, maxMs: this.config.eniPollMaxMs };
  }

  private newPool(state: NodeIpamState): NodePool {
    return new NodePool(
      {
        cloud: this.cloud,
        store: this.store,
        clock: this.clock,
        config: this.config,
        vSwitches: this.vSwitches,
        logger: this.log,
        ...(this.metrics ? { metrics: this.metrics } : {}),
        defaultPlane: defaultPlaneInZone(this.config.defaults, state.zone),
        onAddressLost: (pod, ip, reason) => {
          this.log.error({ pod, ip, reason }, 'a pod lost its recorded address');
          this.onAddressLost?.(pod, ip, reason);
        },
      },
      state,
    );
  }

  /**
   * Rebuilds from the store, drops pod records whose address the node record does not give to
   * that pod, then reconciles every node with the cloud (unless `reconcile: false`).
   */
  async start(opts: { reconcile?: boolean } = {}): Promise<void> {
    this.nodes.clear();
    this.pods.clear();
    for (const state of await this.store.listNodes()) this.nodes.set(state.name, this.newPool(state));
    for (const alloc of await this.store.listPodAllocations()) {
      const id = podId(alloc.namespace, alloc.name);
      if (alloc.phase === 'Bind' && alloc.nodeName !== undefined) {
        const held = this.nodes.get(alloc.nodeName)?.findByPod(id);
        if (!held || held.ip.ip !== alloc.ip) {
          if (alloc.allocation.type === 'Fixed') {
            // The ENI survives in the cloud; only the binding is gone.
            alloc.phase = 'Unbind';
            alloc.podLastSeen ??= this.clock.now();
            delete alloc.nodeName;
            await this.store.savePodAllocation(alloc);
          } else {
            this.log.warn({ pod: id, ip: alloc.ip }, 'pod record without a matching node record; dropping it');
            await this.store.deletePodAllocation(alloc.namespace, alloc.name);
            continue;
          }
        }
      }
      this.pods.set(id, alloc);
    }
    this.started = true;
    if (opts.reconcile !== false) await this.reconcileAll();
    this.log.info({ nodes: this.nodes.size, pods: this.pods.size }, 'IPAM state rebuilt');
  }

  private requireStarted(): void {
    if (this.stopped) throw new IpamError('CloudUnavailable', 'this replica no longer leads the IPAM');
    if (!this.started) throw new Error('IpamEngine.start() must complete first');
  }

  /**
   * This replica stopped leading: no node starts another cloud call (a background refill
   * included), and this resolves once the calls in flight are done. The next leader plans from
   * what it reconciles; a call of ours landing after that would make its counts stale. Close the
   * store first, so nothing in flight is recorded either.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.nodes.values()].map((pool) => pool.stop()));
  }

  // ------------------------------------------------------------------------------- nodes

  /**
   * Registers a node whose instance is Running (or updates its limits and pool sizes), and warms
   * its pool up, before any pod lands.
   */
  async registerNode(reg: NodeRegistration, opts: { warmUp?: boolean } = {}): Promise<void> {
    this.requireStarted();
    const pool = {
      minPoolSize: reg.pool?.minPoolSize ?? this.config.pool.minPoolSize,
      maxPoolSize: reg.pool?.maxPoolSize ?? this.config.pool.maxPoolSize,
    };
    if (pool.minPoolSize > pool.maxPoolSize) pool.maxPoolSize = pool.minPoolSize;
    const capacity = { adapters: reg.instanceType.eniQuantity, ipv4PerAdapter: reg.instanceType.eniPrivateIpAddressQuantity };
    let nodePool = this.nodes.get(reg.name);
    if (nodePool && nodePool.state.instanceId !== reg.instanceId) {
      // Same name, new instance: the old one is gone with its ENIs.
      await this.removeNode(reg.name);
      nodePool = undefined;
    }
    if (!nodePool) {
      nodePool = this.newPool({
        name: reg.name,
        instanceId: reg.instanceId,
        instanceType: reg.instanceType.name,
        zone: reg.zone,
        capacity,
        pool,
        enis: {},
      });
      this.nodes.set(reg.name, nodePool);
      await nodePool.persist();
      this.log.info({ node: reg.name, instanceId: reg.instanceId, instanceType: reg.instanceType.name, zone: reg.zone, ...pool }, 'node registered');
    } else {
      await nodePool.configure({ capacity, pool });
    }
    if (opts.warmUp !== false) await nodePool.warmUp();
  }

  /**
   * Warms a pool for pods the provisioner planned onto the node with another network than the
   * default (a PodNetworking's vSwitches and security groups): `count` idle addresses of that
   * plane, before the pods land. Exclusive-ENI networks are not pooled (each pod creates its own).
   */
  async warmUpNetwork(nodeName: string, network: ResolvedPodNetwork, count: number): Promise<void> {
    this.requireStarted();
    const pool = this.nodes.get(nodeName);
    if (!pool || count <= 0 || network.eniType !== 'ENIIP') return;
    const plane = planeInZone(network, pool.state.zone);
    if (!plane) throw new IpamError('NoVSwitchInZone', `node ${nodeName}: the network has no vSwitch in zone ${pool.state.zone}`);
    await pool.warmUpPlane(plane, count);
  }

  /** Tops every node's default pool up to minPoolSize (after reclaim or failures). */
  async warmUpAll(): Promise<void> {
    await this.eachNode((pool) => pool.warmUp(pool.state.pool.minPoolSize));
  }

  /**
   * The node is gone: its secondary ENIs are detached and deleted, except fixed-IP ENIs, which
   * are detached and kept for their pods. Elastic pod records on the node are dropped.
   */
  async removeNode(name: string): Promise<void> {
    const pool = this.nodes.get(name);
    if (!pool) {
      await this.store.deleteNode(name).catch(() => undefined);
      return;
    }
    const keep = new Set<string>();
    for (const alloc of this.pods.values()) {
      if (alloc.nodeName === name && alloc.allocation.type === 'Fixed') keep.add(alloc.eni.id);
    }
    await pool.teardown(keep);
    for (const [id, alloc] of [...this.pods.entries()]) {
      if (alloc.nodeName !== name) continue;
      if (alloc.allocation.type === 'Fixed') {
        delete alloc.nodeName;
        delete alloc.instanceId;
        if (alloc.phase === 'Bind') {
          alloc.phase = 'Unbind';
          alloc.podLastSeen = this.clock.now();
        }
        await this.store.savePodAllocation(alloc);
      } else {
        await this.store.deletePodAllocation(alloc.namespace, alloc.name);
        this.pods.delete(id);
      }
    }
    this.nodes.delete(name);
    await this.store.deleteNode(name);
    this.log.info({ node: name, keptFixedEnis: keep.size }, 'node torn down');
  }

  // ------------------------------------------------------------------------------- pods

  /**
   * Gives the pod its address on the node and records it (node record, then pod record) before
   * returning. Idempotent for the same pod UID. A fixed-IP pod gets its kept address back.
   */
  async allocate(req: AllocateRequest): Promise<PodAllocation> {
    this.requireStarted();
    const started = performance.now();
    const eniType = req.network.eniType;
    try {
      const result = await this.allocateInner(req);
      const seconds = (performance.now() - started) / 1000;
      const id = podId(req.pod.namespace, req.pod.name);
      const warm = this.lastWarm.get(id) ?? false;
      this.lastWarm.delete(id);
      this.metrics?.allocationSeconds.observe({ eni_type: eniType, result: 'success' }, seconds);
      this.onAllocated?.({ podId: id, eniType: result.eniType, warm, seconds });
      return result;
    } catch (err) {
      this.metrics?.allocationSeconds.observe({ eni_type: eniType, result: err instanceof IpamError ? err.reason : 'error' }, (performance.now() - started) / 1000);
      throw err;
    }
  }

  private async allocateInner(req: AllocateRequest): Promise<PodAllocation> {
    const { pod, network } = req;
    const id = podId(pod.namespace, pod.name);
    if (network.eniType === 'Trunk') throw new IpamError('Unsupported', `pod ${id}: trunk member ENIs are not supported; use eniType ENI or Default`);
    const pool = this.nodes.get(req.nodeName);
    if (!pool) throw new IpamError('NodeNotRegistered', `node ${req.nodeName} is not registered with the IPAM (instance not Running yet?)`);

    const existing = this.pods.get(id);
    if (existing) {
      if (existing.podUid === pod.uid && existing.phase === 'Bind' && existing.nodeName === req.nodeName) {
        const held = pool.findByPod(id);
        if (held?.ip.ip === existing.ip) {
          await pool.persist();
          return structuredClone(existing);
        }
      }
      if (existing.allocation.type === 'Fixed') return this.rebindFixed(existing, pod, pool);
      // An older pod of the same name still holds an address: it is gone now.
      await this.release({ namespace: pod.namespace, name: pod.name, uid: existing.podUid });
    }

    const plane = planeInZone(network, pool.state.zone);
    if (!plane) {
      throw new IpamError('NoVSwitchInZone', `pod ${id}: its network has no vSwitch in zone ${pool.state.zone} of node ${req.nodeName} (zones: ${network.allowedZones.join(', ')})`);
    }

    let eni: EniState;
    let ip: string;
    if (network.eniType === 'ENIIP') {
      const held = await pool.allocateShared(id, pod.uid, plane);
      eni = held.eni;
      ip = held.ip.ip;
      if (this.onAllocated) this.lastWarm.set(id, held.warm === true);
    } else {
      eni = await pool.allocateExclusive(id, pod.uid, plane);
      ip = eni.primaryIp;
    }
    const alloc: PodAllocation = {
      namespace: pod.namespace,
      name: pod.name,
      podUid: pod.uid,
      nodeName: pool.name,
      instanceId: pool.state.instanceId,
      zone: pool.state.zone,
      eniType: network.eniType,
      ip,
      eni: { id: eni.id, macAddress: eni.macAddress, vSwitchId: eni.vSwitchId, securityGroupIds: [...eni.securityGroupIds] },
      allocation: { ...network.allocation },
      phase: 'Bind',
      allocatedAt: this.clock.now(),
    };
    if (eni.ipv4CIDR) alloc.ipv4CIDR = eni.ipv4CIDR;
    if (network.podNetworking) alloc.podNetworking = network.podNetworking;
    try {
      await this.store.savePodAllocation(alloc);
    } catch (err) {
      // Not handed out: undo the node side.
      if (network.eniType === 'ENIIP') await pool.releaseShared(id, pod.uid).catch(() => undefined);
      else await pool.deleteExclusive(eni.id).catch(() => undefined);
      throw err;
    }
    this.pods.set(id, alloc);
    this.log.debug({ pod: id, ip, eniId: eni.id, node: pool.name }, 'address allocated');
    return structuredClone(alloc);
  }

  private async rebindFixed(alloc: PodAllocation, pod: PodRef, pool: NodePool): Promise<PodAllocation> {
    const id = podId(pod.namespace, pod.name);
    if (alloc.phase === 'Bind' && alloc.podUid !== pod.uid && alloc.nodeName !== undefined) {
      // The old pod object is gone (same name, new UID): its binding ends here.
      alloc.phase = 'Unbind';
      alloc.podLastSeen = this.clock.now();
    }
    if (alloc.zone !== pool.state.zone) {
      throw new IpamError('ZoneMismatch', `pod ${id}: its fixed IP ${alloc.ip} lives in zone ${alloc.zone}, node ${pool.name} is in ${pool.state.zone}`);
    }
    let eni: EniState | undefined;
    if (alloc.nodeName === pool.name) {
      eni = await pool.bindExclusive(alloc.eni.id, id, pod.uid);
    }
    if (!eni) {
      if (alloc.nodeName !== undefined && alloc.nodeName !== pool.name) {
        const previous = this.nodes.get(alloc.nodeName);
        if (previous) await previous.detachExclusive(alloc.eni.id);
        delete alloc.nodeName;
        delete alloc.instanceId;
        await this.store.savePodAllocation(alloc);
      }
      const moved = {
        id: alloc.eni.id,
        macAddress: alloc.eni.macAddress,
        vSwitchId: alloc.eni.vSwitchId,
        securityGroupIds: alloc.eni.securityGroupIds,
        primaryIp: alloc.ip,
        ...(alloc.ipv4CIDR ? { ipv4CIDR: alloc.ipv4CIDR } : {}),
      };
      eni = await pool.attachExclusive(moved, id, pod.uid);
    }
    alloc.podUid = pod.uid;
    alloc.nodeName = pool.name;
    alloc.instanceId = pool.state.instanceId;
    alloc.phase = 'Bind';
    delete alloc.podLastSeen;
    await this.store.savePodAllocation(alloc);
    this.log.info({ pod: id, ip: alloc.ip, eniId: eni.id, node: pool.name }, 'fixed IP bound');
    return structuredClone(alloc);
  }

  /**
   * The pod is gone. A shared address cools down and returns to the pool; an exclusive ENI is
   * deleted; a fixed IP is kept for the pod's name until its TTL. With `uid`, a release for an
   * older pod of the same name does not touch the newer pod's address.
   */
  async release(pod: { namespace: string; name: string; uid?: string }): Promise<void> {
    this.requireStarted();
    const id = podId(pod.namespace, pod.name);
    const alloc = this.pods.get(id);
    if (alloc && pod.uid !== undefined && alloc.podUid !== pod.uid) return;
    if (alloc?.allocation.type === 'Fixed') {
      if (alloc.phase === 'Unbind') return;
      alloc.phase = 'Unbind';
      alloc.podLastSeen = this.clock.now();
      await this.store.savePodAllocation(alloc);
      const pool = alloc.nodeName ? this.nodes.get(alloc.nodeName) : undefined;
      await pool?.unbindExclusive(alloc.eni.id);
      this.log.info({ pod: id, ip: alloc.ip }, 'fixed IP unbound; kept for the pod');
      return;
    }
    // Node side first: a crash after it leaves a pod record the restart drops.
    const pools = alloc?.nodeName && this.nodes.get(alloc.nodeName) ? [this.nodes.get(alloc.nodeName)!] : [...this.nodes.values()];
    for (const pool of pools) {
      const held = pool.findByPod(id);
      if (!held) continue;
      if (pod.uid !== undefined && held.ip.podUid !== undefined && held.ip.podUid !== pod.uid) continue;
      if (held.eni.usage === 'Shared') await pool.releaseShared(id, pod.uid);
      else await pool.deleteExclusive(held.eni.id);
    }
    if (alloc) {
      await this.store.deletePodAllocation(pod.namespace, pod.name);
      this.pods.delete(id);
    }
  }

  /** Releases a fixed IP now (its PodNetworking or StatefulSet is gone). */
  async releaseFixed(namespace: string, name: string): Promise<void> {
    const id = podId(namespace, name);
    const alloc = this.pods.get(id);
    if (!alloc || alloc.allocation.type !== 'Fixed') return;
    const pool = alloc.nodeName ? this.nodes.get(alloc.nodeName) : undefined;
    if (pool) await pool.deleteExclusive(alloc.eni.id);
    else await detachAndDeleteEni(this.cloud, this.clock, alloc.eni.id, this.poll);
    await this.store.deletePodAllocation(namespace, name);
    this.pods.delete(id);
    this.log.info({ pod: id, ip: alloc.ip }, 'fixed IP released');
  }

  /** Releases fixed IPs whose TTL ran out since their pod was last seen. */
  async sweepFixedIps(): Promise<number> {
    const now = this.clock.now();
    let released = 0;
    for (const alloc of [...this.pods.values()]) {
      const policy = alloc.allocation;
      if (policy.type !== 'Fixed' || alloc.phase !== 'Unbind' || policy.releaseStrategy === 'Never') continue;
      const ttl = policy.releaseAfterMs ?? 0;
      if ((alloc.podLastSeen ?? now) + ttl > now) continue;
      try {
        await this.releaseFixed(alloc.namespace, alloc.name);
        released++;
      } catch (err) {
        this.log.warn({ err, pod: podId(alloc.namespace, alloc.name) }, 'could not release expired fixed IP; will retry');
      }
    }
    return released;
  }

  // ------------------------------------------------------------------------------- upkeep

  private async eachNode(fn: (pool: NodePool) => Promise<unknown>): Promise<void> {
    const results = await Promise.allSettled([...this.nodes.values()].map((pool) => fn(pool)));
    for (const r of results) if (r.status === 'rejected') this.log.warn({ err: r.reason }, 'node upkeep failed; will retry');
  }

  /** Gives idle addresses back on every node (above maxPoolSize at once, above minPoolSize once aged). */
  async reclaimIdle(): Promise<void> {
    await this.eachNode((pool) => pool.reclaim());
  }

  /** Reconciles every node's record with DescribeNetworkInterfaces. */
  async reconcileAll(): Promise<void> {
    await this.eachNode((pool) => pool.reconcile());
  }

  /**
   * Deletes ENIs tagged with this cluster and Terway's creator that no node record and no pod
   * record owns, once they have been seen unowned for the grace period (and are that old).
   */
  async collectGarbage(): Promise<string[]> {
    if (this.stopped) return [];
    const now = this.clock.now();
    const tagged = await this.cloud.listNetworkInterfaces({
      tags: { [TagCluster]: this.config.clusterName, [TagENICreator]: TagENICreatorValue },
    });
    const owned = new Set<string>();
    for (const pool of this.nodes.values()) for (const eniId of Object.keys(pool.state.enis)) owned.add(eniId);
    for (const alloc of this.pods.values()) owned.add(alloc.eni.id);
    const deleted: string[] = [];
    const unowned = new Set<string>();
    for (const eni of tagged) {
      if (owned.has(eni.id) || eni.type !== 'Secondary') continue;
      unowned.add(eni.id);
      const first = this.orphanSince.get(eni.id) ?? now;
      this.orphanSince.set(eni.id, first);
      const created = Date.parse(eni.creationTime);
      const oldEnough = Number.isNaN(created) || now - created >= this.config.orphanEniGraceMs;
      if (now - first < this.config.orphanEniGraceMs || !oldEnough) continue;
      try {
        await detachAndDeleteEni(this.cloud, this.clock, eni.id, this.poll);
        deleted.push(eni.id);
        this.orphanSince.delete(eni.id);
        this.log.info({ eniId: eni.id, instanceId: eni.instanceId, vSwitchId: eni.vSwitchId }, 'deleted orphaned ENI');
      } catch (err) {
        this.log.warn({ err, eniId: eni.id }, 'could not delete orphaned ENI; will retry');
      }
    }
    for (const id of this.orphanSince.keys()) if (!unowned.has(id)) this.orphanSince.delete(id);
    return deleted;
  }

  // ------------------------------------------------------------------------------- views

  allocationOf(namespace: string, name: string): PodAllocation | undefined {
    const alloc = this.pods.get(podId(namespace, name));
    return alloc ? structuredClone(alloc) : undefined;
  }

  allocations(): PodAllocation[] {
    return [...this.pods.values()].map((a) => structuredClone(a));
  }

  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  nodeState(name: string): NodeIpamState | undefined {
    const pool = this.nodes.get(name);
    return pool ? structuredClone(pool.state) : undefined;
  }

  /** Every pod holding an address, per node: the controller releases those whose pod is gone. */
  heldAddresses(): { podId: string; podUid?: string; nodeName: string; ip: string }[] {
    const out: { podId: string; podUid?: string; nodeName: string; ip: string }[] = [];
    for (const pool of this.nodes.values()) {
      for (const [pid, held] of pool.holders()) {
        const entry: { podId: string; podUid?: string; nodeName: string; ip: string } = { podId: pid, nodeName: pool.name, ip: held.ip.ip };
        if (held.ip.podUid) entry.podUid = held.ip.podUid;
        out.push(entry);
      }
    }
    return out;
  }

  idleCount(nodeName?: string): number {
    if (nodeName !== undefined) return this.nodes.get(nodeName)?.idleCount() ?? 0;
    let n = 0;
    for (const pool of this.nodes.values()) n += pool.idleCount();
    return n;
  }
}
