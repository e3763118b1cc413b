// One node's addresses: its secondary ENIs, their IPs, and which pod holds which. The single
// writer for that node:
//  - State changes happen synchronously in memory (no await between choosing an address and
//    marking it taken), so two pods can never be handed the same address.
//  - Every change is written to the store (coalesced: one write in flight per node) and the write
//    is awaited before an address is handed out.
//  - Cloud operations (grow, reclaim, reconcile, ENI create/attach/detach) run one at a time per
//    node, so decisions about ENI slots and per-ENI limits are never made on stale counts, while
//    allocations from idle addresses proceed without waiting for the cloud.
import type { Logger } from 'pino';
import { isCloudError } from '../cloud/errors.js';
import type { CloudProvider, NetworkInterface, VSwitch } from '../cloud/types.js';
import { TagCluster, TagENICreator, TagENICreatorValue, TagENIInstance, TagENINode } from '../apis/labels.js';
import type { Clock } from './clock.js';
import type { IpamConfig } from './config.js';
import { attachEni, detachAndDeleteEni, detachEni, type PollOptions } from './eni-lifecycle.js';
import { IpamError } from './errors.js';
import type { IpamMetrics, PoolGaugeLabels, PoolSample } from './metrics.js';
import { normalizeSecurityGroups, planeKey, securityGroupKey, type NetworkPlane } from './network-plane.js';
import { availableIps, limitsOf, MaxIpsPerCall, planGrowth, planReclaim, poolMidpoint, roomOn, sharedEnisOf, type CloudOccupancy } from './pool-planner.js';
import { CoalescingWriter, SerialQueue } from './serial.js';
import { cloneNode, isCooling, isFree, type EniState, type IpState, type NodeIpamState } from './state.js';
import type { IpamStore } from './store.js';
import type { VSwitchPool } from './vswitch-pool.js';

export interface NodePoolContext {
  cloud: CloudProvider;
  store: IpamStore;
  clock: Clock;
  config: IpamConfig;
  vSwitches: VSwitchPool;
  logger: Logger;
  metrics?: IpamMetrics;
  /** The plane pods without a PodNetworking use on this node; what warm-up fills. */
  defaultPlane: NetworkPlane | undefined;
  /** A pod's recorded address vanished from the cloud (the controller should restart the pod). */
  onAddressLost?: (podId: string, ip: string, reason: string) => void;
}

export interface HeldAddress {
  eni: EniState;
  ip: IpState;
  /** Served from an idle address without waiting for the cloud. */
  warm?: boolean;
}

let tokenCounter = 0;

export class NodePool {
  private readonly cloudOps = new SerialQueue();
  private readonly writer: CoalescingWriter;
  /** Pods waiting for an address, per plane: the next growth sizes itself by them. */
  private readonly waiting = new Map<string, number>();
  /** Secondary ENIs attached to the instance that this pool does not own (seen by reconcile). */
  private foreignEnis = 0;
  private refillScheduled = false;
  /**
   * Per ENI of the pool: addresses the cloud has on it that the record lacks, with when they were
   * first seen. They take room on the ENI until reconcile unassigns them after the grace period.
   */
  private readonly unrecorded = new Map<string, Map<string, number>>();
  /** ENIs that refused addresses for a reason the record cannot explain: full until reconciled. */
  private readonly refusedEnis = new Set<string>();
  private readonly log: Logger;
  closed = false;
  /** The replica no longer leads: no further cloud call (see stop()). */
  private stopped = false;

  constructor(
    private readonly ctx: NodePoolContext,
    readonly state: NodeIpamState,
  ) {
    this.writer = new CoalescingWriter(() => ctx.store.saveNode(cloneNode(this.state)));
    this.log = ctx.logger.child({ node: state.name, instanceId: state.instanceId });
  }

  get name(): string {
    return this.state.name;
  }

  private get poll(): PollOptions {
    const c = this.ctx.config;
    return { timeoutMs: c.eniStatusTimeoutMs, initialMs: c.eniPollInitialMs, maxMs: c.eniPollMaxMs };
  }

  private get cooldownMs(): number {
    return this.ctx.config.releaseCooldownMs;
  }

  /**
   * Cloud operations of this node, one at a time. None starts once the replica stopped leading:
   * its calls would land behind the next leader's back, which plans from what it reconciled.
   */
  private runCloud<T>(task: () => Promise<T>): Promise<T> {
    return this.cloudOps.run(() => {
      if (this.stopped) return Promise.reject(this.stoppedError());
      return task();
    });
  }

  private stoppedError(): IpamError {
    return new IpamError('CloudUnavailable', `node ${this.name}: this replica no longer leads the IPAM`);
  }

  /** Stops calling the cloud for this node; resolves once the call in flight, if any, is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.cloudOps.run(async () => undefined);
  }

  /** Makes every change so far durable. */
  async persist(): Promise<void> {
    await this.writer.flush();
  }

  gaugeLabels(): PoolGaugeLabels {
    const limits = limitsOf(this.state);
    return {
      name: this.state.name,
      type: 'eniip',
      capacity: limits.maxSecondaryEnis * limits.ipsPerEni,
      maxIdle: this.state.pool.maxPoolSize,
      minIdle: this.state.pool.minPoolSize,
    };
  }

  /** The pool gauges' sample: addresses on shared ENIs, and those idle. */
  sample(): PoolSample {
    let total = 0;
    let idle = 0;
    for (const eni of Object.values(this.state.enis)) {
      if (eni.usage !== 'Shared') continue;
      for (const ip of Object.values(eni.ips)) {
        if (ip.status !== 'Valid') continue;
        total++;
        if (ip.podId === undefined) idle++;
      }
    }
    return { labels: this.gaugeLabels(), total, idle };
  }

  /** Where the pod's address is, if it holds one here. */
  findByPod(podId: string): HeldAddress | undefined {
    for (const eni of Object.values(this.state.enis)) {
      for (const ip of Object.values(eni.ips)) if (ip.podId === podId) return { eni, ip };
    }
    return undefined;
  }

  /** Every pod holding an address on this node. */
  holders(): Map<string, HeldAddress> {
    const out = new Map<string, HeldAddress>();
    for (const eni of Object.values(this.state.enis)) {
      for (const ip of Object.values(eni.ips)) if (ip.podId !== undefined) out.set(ip.podId, { eni, ip });
    }
    return out;
  }

  idleCount(): number {
    let n = 0;
    for (const eni of Object.values(this.state.enis)) {
      if (eni.usage === 'Shared') for (const ip of Object.values(eni.ips)) if (isFree(ip)) n++;
    }
    return n;
  }

  // ---------------------------------------------------------------- shared (ENIIP) addresses

  private takeIdle(plane: NetworkPlane, podId: string, podUid: string): HeldAddress | undefined {
    const now = this.ctx.clock.now();
    for (const eni of sharedEnisOf(this.state, plane)) {
      for (const ip of Object.values(eni.ips)) {
        if (!isFree(ip) || isCooling(ip, now, this.cooldownMs)) continue;
        ip.podId = podId;
        ip.podUid = podUid;
        delete ip.releasedAt;
        delete ip.idleSince;
        return { eni, ip };
      }
    }
    return undefined;
  }

  /**
   * Gives the pod an idle address of the plane, growing the pool when there is none. Resolves
   * only once the assignment is durable in the store.
   */
  async allocateShared(podId: string, podUid: string, plane: NetworkPlane): Promise<HeldAddress> {
    if (this.closed) throw new IpamError('NodeNotRegistered', `node ${this.name} is being torn down`);
    const held = this.findByPod(podId);
    if (held && held.ip.podUid === podUid && held.eni.usage === 'Shared') {
      await this.persist();
      return { ...held, warm: true };
    }
    const key = planeKey(plane);
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const taken = this.takeIdle(plane, podId, podUid);
      if (taken) {
        try {
          await this.persist();
        } catch (err) {
          // Not durable, so not handed out: give it back untouched.
          if (taken.ip.podId === podId && taken.ip.podUid === podUid) {
            delete taken.ip.podId;
            delete taken.ip.podUid;
            taken.ip.idleSince = this.ctx.clock.now();
          }
          throw err;
        }
        this.refillInBackground(plane);
        return { ...taken, warm: attempt === 0 };
      }
      this.waiting.set(key, (this.waiting.get(key) ?? 0) + 1);
      try {
        await this.runCloud(() => this.grow(plane, this.floorFor(plane)));
      } catch (err) {
        lastError = err;
        // Another waiter's growth may still have left an address for us.
        if (availableIps(this.state, plane, this.ctx.clock.now(), this.cooldownMs) === 0) throw err;
      } finally {
        const left = (this.waiting.get(key) ?? 1) - 1;
        if (left <= 0) this.waiting.delete(key);
        else this.waiting.set(key, left);
      }
    }
    throw lastError instanceof Error ? lastError : new IpamError('NodeCapacity', `node ${this.name}: no address after repeated growth`);
  }

  /** Keeps minPoolSize idle addresses ready for the next pods without making this one wait. */
  private refillInBackground(plane: NetworkPlane): void {
    const floor = this.floorFor(plane);
    if (floor <= 0 || this.refillScheduled || availableIps(this.state, plane, this.ctx.clock.now(), this.cooldownMs) >= floor) return;
    this.refillScheduled = true;
    // After the allocations already in progress: building and signing a cloud request is CPU
    // they should not wait behind.
    setImmediate(() => {
      this.refillScheduled = false;
      this.cloudOps
        .run(() => this.grow(plane, floor))
        .catch((err: unknown) => this.log.debug({ err }, 'background refill of the pool did not complete'));
    });
  }

  /** The pod's address cools down, then is idle again. Returns the address released, if any. */
  async releaseShared(podId: string, podUid?: string): Promise<string | undefined> {
    const held = this.findByPod(podId);
    if (!held || held.eni.usage !== 'Shared') return undefined;
    if (podUid !== undefined && held.ip.podUid !== undefined && held.ip.podUid !== podUid) return undefined;
    const now = this.ctx.clock.now();
    delete held.ip.podId;
    delete held.ip.podUid;
    held.ip.releasedAt = now;
    held.ip.idleSince = now;
    await this.persist();
    return held.ip.ip;
  }

  private isDefaultPlane(plane: NetworkPlane): boolean {
    const d = this.ctx.defaultPlane;
    return d !== undefined && securityGroupKey(d.securityGroupIds) === securityGroupKey(plane.securityGroupIds) && d.vSwitchIds.some((v) => plane.vSwitchIds.includes(v));
  }

  private floorFor(plane: NetworkPlane): number {
    return this.isDefaultPlane(plane) ? this.state.pool.minPoolSize : 0;
  }

  /** Fills the default plane up to `target` idle addresses (warm-up and minPoolSize). */
  async warmUp(target = Math.max(this.state.pool.minPoolSize, this.ctx.config.pool.warmUpSize)): Promise<void> {
    const plane = this.ctx.defaultPlane;
    if (!plane || target <= 0 || this.closed) return;
    await this.runCloud(() => this.grow(plane, target));
  }

  /** Fills any plane up to `target` available addresses (pre-warm for planned pods). */
  async warmUpPlane(plane: NetworkPlane, target: number): Promise<void> {
    if (target <= 0 || this.closed) return;
    await this.runCloud(() => this.grow(plane, target));
  }

  /** Runs inside cloudOps. Adds addresses until waiting pods plus `floor` are covered, or nothing fits. */
  private async grow(plane: NetworkPlane, floor: number): Promise<void> {
    const key = planeKey(plane);
    let lastError: unknown;
    // A few rounds: a vSwitch answering IpNotEnough is blocked and the next round plans around it.
    for (let round = 0; round < 4; round++) {
      if (this.closed) return;
      const waiting = this.waiting.get(key) ?? 0;
      const available = availableIps(this.state, plane, this.ctx.clock.now(), this.cooldownMs);
      const need = waiting + floor - available;
      if (need <= 0) return;
      // A call to the cloud costs the same for 1 address as for 10: fill towards the middle of
      // [minPoolSize, maxPoolSize], leaving room below maxPoolSize for released addresses, so
      // the pool neither refills nor reclaims on every small swing.
      const batch = Math.max(need, Math.min(MaxIpsPerCall, poolMidpoint(this.state.pool) + waiting - available));
      const steps = planGrowth(this.state, plane, batch, (id) => this.ctx.vSwitches.isBlocked(id), this.occupancy());
      if (steps.length === 0) throw lastError !== undefined ? toIpamError(lastError) : this.noRoomError(plane);
      let newEni: string | undefined;
      for (const step of steps) {
        if (this.stopped) throw this.stoppedError();
        try {
          if (step.kind === 'create') {
            newEni = (await this.createSharedEni(plane, step.count)).id;
          } else {
            const target = step.eniId === '<new>' ? newEni : step.eniId;
            if (target) await this.assign(target, step.count);
          }
        } catch (err) {
          lastError = err;
          if (isCloudError(err, 'IpExhausted') || isCloudError(err, 'QuotaExceeded') || (err instanceof IpamError && err.reason === 'IpExhausted')) break;
          throw toIpamError(err);
        }
      }
    }
    const need = (this.waiting.get(key) ?? 0) + floor - availableIps(this.state, plane, this.ctx.clock.now(), this.cooldownMs);
    if (need > 0 && lastError !== undefined) throw toIpamError(lastError);
  }

  /** What the cloud counts against the instance's limits beyond this pool's record. */
  private occupancy(): CloudOccupancy {
    const full = this.state.capacity.ipv4PerAdapter;
    return { foreignEnis: this.foreignEnis, unrecordedOn: (eniId) => (this.refusedEnis.has(eniId) ? full : (this.unrecorded.get(eniId)?.size ?? 0)) };
  }

  private noRoomError(plane: NetworkPlane): IpamError {
    const limits = limitsOf(this.state);
    const enis = Object.keys(this.state.enis).length + this.foreignEnis;
    const planeEnis = sharedEnisOf(this.state, plane);
    const planeRoom = planeEnis.some((e) => roomOn(e, limits, this.occupancy()) > 0);
    if (enis >= limits.maxSecondaryEnis && !planeRoom) {
      return new IpamError(
        'NodeCapacity',
        `node ${this.name} (${this.state.instanceType}) has all ${limits.maxSecondaryEnis} secondary ENIs attached and no room for more addresses of security groups ${plane.securityGroupIds.join(',')}`,
      );
    }
    return new IpamError('IpExhausted', `node ${this.name}: every vSwitch of ${plane.vSwitchIds.join(',')} is blocked after IpNotEnough`);
  }

  private async assign(eniId: string, count: number): Promise<void> {
    const eni = this.state.enis[eniId];
    if (!eni || eni.status !== 'InUse') return;
    let ips: string[];
    try {
      ips = await this.ctx.cloud.assignPrivateIpAddresses(eniId, Math.min(count, MaxIpsPerCall));
    } catch (err) {
      if (isCloudError(err, 'IpExhausted')) {
        this.log.warn({ vSwitchId: eni.vSwitchId, eniId }, 'vSwitch out of addresses; blocking it');
        this.ctx.vSwitches.block(eni.vSwitchId);
      }
      // On AssignPrivateIpAddresses, a quota answer is the per-ENI address limit (Ipv4CountExceeded).
      if (isCloudError(err, 'QuotaExceeded')) await this.learnUnrecorded(eni);
      throw err;
    }
    const now = this.ctx.clock.now();
    const current = this.state.enis[eniId];
    // The ENI cannot have been removed meanwhile (removals run in cloudOps too), but be safe.
    if (!current) return;
    for (const ip of ips) current.ips[ip] = { ip, primary: false, status: 'Valid', idleSince: now };
    this.ctx.vSwitches.noteTaken(eni.vSwitchId, ips.length);
    await this.persist();
  }

  /**
   * The cloud refused addresses the record said fit: something assigned addresses on the ENI
   * after the last reconcile (a replica that lost its lease, whose call landed late). Counts what
   * the cloud has beyond the record, so the next plan does not repeat the request.
   */
  private async learnUnrecorded(eni: EniState): Promise<void> {
    let remote: NetworkInterface | undefined;
    try {
      remote = await this.ctx.cloud.getNetworkInterface(eni.id);
    } catch (err) {
      this.log.warn({ err, eniId: eni.id }, 'could not re-read an ENI that refused addresses');
    }
    const now = this.ctx.clock.now();
    const extra = remote ? [remote.primaryIpAddress, ...remote.secondaryIpAddresses].filter((ip) => !eni.ips[ip]) : [];
    const known = this.unrecorded.get(eni.id) ?? new Map<string, number>();
    for (const ip of extra) if (!known.has(ip)) known.set(ip, now);
    this.unrecorded.set(eni.id, known);
    // Nothing beyond the record (or no answer): the cloud counts it full all the same; plan
    // away from it until the next reconcile has looked.
    if (extra.length === 0) this.refusedEnis.add(eni.id);
    this.log.error({ eniId: eni.id, recorded: Object.keys(eni.ips).length, unrecorded: extra, limit: this.state.capacity.ipv4PerAdapter }, 'the cloud refused more addresses on the ENI; counting what it holds beyond the record');
  }

  private async createSharedEni(plane: NetworkPlane, count: number): Promise<EniState> {
    const candidates = await this.ctx.vSwitches.candidates(plane.vSwitchIds, this.state.zone, plane.selectionPolicy);
    if (candidates.length === 0) throw await this.noVSwitchError(plane);
    let lastError: unknown;
    for (const vSwitch of candidates) {
      try {
        return await this.createEni(vSwitch, plane.securityGroupIds, count - 1, 'Shared');
      } catch (err) {
        if (!isCloudError(err, 'IpExhausted')) throw err;
        lastError = err;
      }
    }
    throw new IpamError('IpExhausted', `node ${this.name}: no vSwitch of ${plane.vSwitchIds.join(',')} in ${this.state.zone} has addresses`, { cause: lastError });
  }

  private async noVSwitchError(plane: NetworkPlane): Promise<IpamError> {
    const known = await this.ctx.vSwitches.describe(plane.vSwitchIds);
    if (!known.some((v) => v.zone === this.state.zone)) {
      return new IpamError('NoVSwitchInZone', `none of vSwitches ${plane.vSwitchIds.join(',')} is in zone ${this.state.zone} of node ${this.name}`);
    }
    return new IpamError('IpExhausted', `node ${this.name}: every vSwitch of ${plane.vSwitchIds.join(',')} in ${this.state.zone} is blocked after IpNotEnough`);
  }

  private eniTags(): Record<string, string> {
    return {
      [TagCluster]: this.ctx.config.clusterName,
      [TagENICreator]: TagENICreatorValue,
      [TagENINode]: this.state.name,
      [TagENIInstance]: this.state.instanceId,
    };
  }

  /**
   * Creates an ENI, records it (Attaching) before attaching, attaches and waits for InUse. On
   * failure the ENI is deleted again; what a crash leaves behind, GC finds by its tags.
   */
  private async createEni(vSwitch: VSwitch, securityGroupIds: readonly string[], secondaryIpCount: number, usage: EniState['usage'], holder?: { podId: string; podUid: string }): Promise<EniState> {
    const limits = limitsOf(this.state);
    if (Object.keys(this.state.enis).length + this.foreignEnis >= limits.maxSecondaryEnis) {
      throw new IpamError('NodeCapacity', `node ${this.name} (${this.state.instanceType}) has all ${limits.maxSecondaryEnis} secondary ENIs attached`);
    }
    const groups = normalizeSecurityGroups(securityGroupIds);
    let created: NetworkInterface;
    try {
      created = await this.ctx.cloud.createNetworkInterface({
        clientToken: `${this.state.instanceId}-${this.ctx.clock.now().toString(36)}-${(tokenCounter++).toString(36)}`,
        vSwitchId: vSwitch.id,
        securityGroupIds: groups,
        secondaryIpCount: Math.max(0, Math.min(secondaryIpCount, limits.ipsPerEni - 1, MaxIpsPerCall - 1)),
        tags: this.eniTags(),
        description: `pod ENI of node ${this.state.name}`,
      });
    } catch (err) {
      if (isCloudError(err, 'IpExhausted')) {
        this.log.warn({ vSwitchId: vSwitch.id }, 'vSwitch out of addresses; blocking it');
        this.ctx.vSwitches.block(vSwitch.id);
      }
      throw err;
    }
    const now = this.ctx.clock.now();
    const ips: Record<string, IpState> = {};
    for (const addr of [created.primaryIpAddress, ...created.secondaryIpAddresses]) {
      ips[addr] = { ip: addr, primary: addr === created.primaryIpAddress, status: 'Valid', idleSince: now };
    }
    if (holder) {
      const primary = ips[created.primaryIpAddress]!;
      primary.podId = holder.podId;
      primary.podUid = holder.podUid;
      delete primary.idleSince;
    }
    this.ctx.vSwitches.noteTaken(vSwitch.id, Object.keys(ips).length);
    const record: EniState = {
      id: created.id,
      macAddress: created.macAddress,
      vSwitchId: created.vSwitchId,
      zone: created.zone,
      securityGroupIds: normalizeSecurityGroups(created.securityGroupIds),
      primaryIp: created.primaryIpAddress,
      status: 'Attaching',
      usage,
      createdAt: now,
      ips,
    };
    const cidr = this.ctx.vSwitches.cidrOf(vSwitch.id);
    if (cidr) record.ipv4CIDR = cidr;
    this.state.enis[record.id] = record;
    try {
      await this.persist();
    } catch (err) {
      delete this.state.enis[record.id];
      await this.ctx.cloud.deleteNetworkInterface(record.id).catch((e: unknown) => this.log.error({ err: e, eniId: record.id }, 'could not delete unrecorded ENI; GC will'));
      throw err;
    }
    try {
      await attachEni(this.ctx.cloud, this.ctx.clock, record.id, this.state.instanceId, this.poll);
    } catch (err) {
      this.log.warn({ err, eniId: record.id }, 'attach failed; deleting the ENI');
      if (isCloudError(err, 'QuotaExceeded')) this.foreignEnis++; // something we do not own holds a slot
      try {
        await detachAndDeleteEni(this.ctx.cloud, this.ctx.clock, record.id, this.poll);
        delete this.state.enis[record.id];
        await this.persist().catch(() => undefined);
      } catch (cleanupErr) {
        record.status = 'Deleting';
        this.log.error({ err: cleanupErr, eniId: record.id }, 'could not delete ENI after failed attach; will retry');
      }
      throw isCloudError(err, 'QuotaExceeded') ? new IpamError('NodeCapacity', `node ${this.name}: the instance refused another ENI`, { cause: err }) : err;
    }
    const current = this.state.enis[record.id];
    if (current) current.status = 'InUse';
    await this.persist();
    this.log.info({ eniId: record.id, vSwitchId: record.vSwitchId, securityGroupIds: record.securityGroupIds, ips: Object.keys(ips).length, usage }, 'ENI attached');
    return record;
  }

  // ------------------------------------------------------------- exclusive ENIs (ENI mode, fixed IPs)

  /** Creates and attaches an ENI whose primary IP is the pod's. */
  async allocateExclusive(podId: string, podUid: string, plane: NetworkPlane): Promise<EniState> {
    if (this.closed) throw new IpamError('NodeNotRegistered', `node ${this.name} is being torn down`);
    return this.runCloud(async () => {
      const held = this.findByPod(podId);
      if (held && held.eni.usage === 'Exclusive') {
        held.ip.podUid = podUid;
        await this.persist();
        return held.eni;
      }
      const candidates = await this.ctx.vSwitches.candidates(plane.vSwitchIds, this.state.zone, plane.selectionPolicy);
      if (candidates.length === 0) throw await this.noVSwitchError(plane);
      let lastError: unknown;
      for (const vSwitch of candidates) {
        try {
          return await this.createEni(vSwitch, plane.securityGroupIds, 0, 'Exclusive', { podId, podUid });
        } catch (err) {
          if (!isCloudError(err, 'IpExhausted')) throw toIpamError(err);
          lastError = err;
        }
      }
      throw new IpamError('IpExhausted', `node ${this.name}: no vSwitch of ${plane.vSwitchIds.join(',')} has addresses`, { cause: lastError });
    });
  }

  /** Re-binds an exclusive ENI still attached here to a (recreated) pod. */
  async bindExclusive(eniId: string, podId: string, podUid: string): Promise<EniState | undefined> {
    const eni = this.state.enis[eniId];
    if (!eni || eni.usage !== 'Exclusive') return undefined;
    const primary = eni.ips[eni.primaryIp];
    if (!primary) return undefined;
    primary.podId = podId;
    primary.podUid = podUid;
    await this.persist();
    return eni;
  }

  /** The pod is gone but its fixed IP stays reserved for its name: keep the ENI, forget the UID. */
  async unbindExclusive(eniId: string): Promise<void> {
    const eni = this.state.enis[eniId];
    const primary = eni?.ips[eni.primaryIp];
    if (!primary) return;
    delete primary.podUid;
    await this.persist();
  }

  /** Attaches an existing (detached) ENI here for the pod: a fixed IP following its pod. */
  async attachExclusive(eni: { id: string; macAddress: string; vSwitchId: string; securityGroupIds: string[]; primaryIp: string; ipv4CIDR?: string }, podId: string, podUid: string): Promise<EniState> {
    if (this.closed) throw new IpamError('NodeNotRegistered', `node ${this.name} is being torn down`);
    return this.runCloud(async () => {
      const existing = this.state.enis[eni.id];
      if (existing?.status === 'InUse') return (await this.bindExclusive(eni.id, podId, podUid)) ?? existing;
      const limits = limitsOf(this.state);
      if (Object.keys(this.state.enis).length + this.foreignEnis >= limits.maxSecondaryEnis) {
        throw new IpamError('NodeCapacity', `node ${this.name} (${this.state.instanceType}) has no free ENI slot for fixed IP ${eni.primaryIp}`);
      }
      const record: EniState = {
        id: eni.id,
        macAddress: eni.macAddress,
        vSwitchId: eni.vSwitchId,
        zone: this.state.zone,
        securityGroupIds: normalizeSecurityGroups(eni.securityGroupIds),
        primaryIp: eni.primaryIp,
        status: 'Attaching',
        usage: 'Exclusive',
        createdAt: this.ctx.clock.now(),
        ips: { [eni.primaryIp]: { ip: eni.primaryIp, primary: true, status: 'Valid', podId, podUid } },
      };
      if (eni.ipv4CIDR) record.ipv4CIDR = eni.ipv4CIDR;
      this.state.enis[eni.id] = record;
      await this.persist();
      try {
        await attachEni(this.ctx.cloud, this.ctx.clock, eni.id, this.state.instanceId, this.poll);
      } catch (err) {
        delete this.state.enis[eni.id];
        await this.persist().catch(() => undefined);
        throw toIpamError(err);
      }
      record.status = 'InUse';
      await this.persist();
      return record;
    });
  }

  /** Detaches an exclusive ENI and forgets it here, keeping it in the cloud (a fixed IP moving away). */
  async detachExclusive(eniId: string): Promise<void> {
    await this.runCloud(async () => {
      const eni = this.state.enis[eniId];
      if (!eni) return;
      eni.status = 'Detaching';
      await this.persist();
      await detachEni(this.ctx.cloud, this.ctx.clock, eniId, this.poll);
      delete this.state.enis[eniId];
      await this.persist();
    });
  }

  /** Detaches and deletes an exclusive ENI (an elastic ENI-mode pod is gone, or a fixed IP expired). */
  async deleteExclusive(eniId: string): Promise<void> {
    await this.runCloud(async () => {
      const eni = this.state.enis[eniId];
      if (!eni) return;
      eni.status = 'Deleting';
      for (const ip of Object.values(eni.ips)) {
        delete ip.podId;
        delete ip.podUid;
      }
      await this.persist();
      await detachAndDeleteEni(this.ctx.cloud, this.ctx.clock, eniId, this.poll);
      delete this.state.enis[eniId];
      await this.persist();
    });
  }

  // ---------------------------------------------------------------- reclaim, reconcile, teardown

  /** Gives idle addresses back (see planReclaim) and finishes removals a failure left half done. */
  async reclaim(): Promise<number> {
    if (this.closed) return 0;
    return this.runCloud(async () => {
      const now = this.ctx.clock.now();
      const plan = planReclaim(this.state, {
        now,
        cooldownMs: this.cooldownMs,
        idleReclaimAfterMs: this.ctx.config.idleReclaimAfterMs,
        batchSize: this.ctx.config.idleReclaimBatchSize,
        defaultSecurityGroupKey: this.ctx.defaultPlane ? securityGroupKey(this.ctx.defaultPlane.securityGroupIds) : undefined,
      });
      for (const [eniId, ips] of plan.unassign) for (const ip of ips) this.state.enis[eniId]!.ips[ip]!.status = 'Deleting';
      for (const eniId of plan.deleteEnis) this.state.enis[eniId]!.status = 'Deleting';
      const ipWork = Object.values(this.state.enis).filter((e) => e.status === 'InUse' && Object.values(e.ips).some((ip) => ip.status === 'Deleting'));
      const eniWork = Object.values(this.state.enis).filter((e) => e.usage === 'Shared' && (e.status === 'Deleting' || e.status === 'Detaching'));
      if (ipWork.length === 0 && eniWork.length === 0) return 0;
      await this.persist();
      let released = 0;
      for (const eni of ipWork) {
        const doomed = Object.values(eni.ips).filter((ip) => ip.status === 'Deleting' && !ip.primary).map((ip) => ip.ip);
        for (let i = 0; i < doomed.length; i += MaxIpsPerCall) {
          const batch = doomed.slice(i, i + MaxIpsPerCall);
          try {
            await this.ctx.cloud.unassignPrivateIpAddresses(eni.id, batch);
          } catch (err) {
            if (!isCloudError(err, 'NotFound')) {
              this.log.warn({ err, eniId: eni.id }, 'unassign failed; will retry');
              continue;
            }
          }
          for (const ip of batch) delete eni.ips[ip];
          released += batch.length;
        }
      }
      for (const eni of eniWork) {
        try {
          await detachAndDeleteEni(this.ctx.cloud, this.ctx.clock, eni.id, this.poll);
          released += Object.keys(eni.ips).length;
          delete this.state.enis[eni.id];
        } catch (err) {
          this.log.warn({ err, eniId: eni.id }, 'ENI removal failed; will retry');
        }
      }
      this.ctx.metrics?.disposed(this.gaugeLabels(), released);
      await this.persist();
      return released;
    });
  }

  /**
   * Compares the record with DescribeNetworkInterfaces of the instance: recorded addresses the
   * cloud lacks are dropped (a pod holding one is reported through onAddressLost), addresses the
   * cloud has and the record lacks are unassigned once they have been seen for the grace period,
   * recorded ENIs no longer attached are forgotten (GC deletes them if nobody owns them).
   */
  async reconcile(): Promise<void> {
    if (this.closed) return;
    await this.runCloud(async () => {
      const remote = (await this.ctx.cloud.listNetworkInterfaces({ instanceId: this.state.instanceId })).filter((e) => e.type === 'Secondary');
      const byId = new Map(remote.map((e) => [e.id, e]));
      const now = this.ctx.clock.now();
      let changed = false;
      const unassign = new Map<string, string[]>();
      const unrecorded = new Map<string, Map<string, number>>();
      for (const eni of Object.values(this.state.enis)) {
        const cloudEni = byId.get(eni.id);
        if (!cloudEni || cloudEni.instanceId !== this.state.instanceId) {
          if (eni.status === 'Attaching' && (await this.resumeAttach(eni))) {
            changed = true;
            continue;
          }
          for (const ip of Object.values(eni.ips)) if (ip.podId) this.ctx.onAddressLost?.(ip.podId, ip.ip, `ENI ${eni.id} is no longer attached to ${this.state.instanceId}`);
          this.log.warn({ eniId: eni.id }, 'recorded ENI is not attached to the instance; forgetting it');
          delete this.state.enis[eni.id];
          changed = true;
          continue;
        }
        if (eni.status === 'Attaching' && cloudEni.status === 'InUse') {
          eni.status = 'InUse';
          changed = true;
        }
        const cloudIps = new Set([cloudEni.primaryIpAddress, ...cloudEni.secondaryIpAddresses]);
        for (const ip of Object.values(eni.ips)) {
          if (cloudIps.has(ip.ip)) continue;
          if (ip.podId) this.ctx.onAddressLost?.(ip.podId, ip.ip, `address ${ip.ip} is no longer assigned to ENI ${eni.id}`);
          delete eni.ips[ip.ip];
          changed = true;
        }
        const extra = [...cloudIps].filter((addr) => !eni.ips[addr]);
        if (extra.length === 0) continue;
        // Counted against the ENI's limit from now on, whatever its status, until they are gone.
        const before = this.unrecorded.get(eni.id);
        const sinces = new Map(extra.map((addr) => [addr, before?.get(addr) ?? now]));
        unrecorded.set(eni.id, sinces);
        if (eni.status !== 'InUse') continue;
        for (const [addr, first] of sinces) {
          if (now - first >= this.ctx.config.unrecordedIpGraceMs && addr !== cloudEni.primaryIpAddress) {
            unassign.set(eni.id, [...(unassign.get(eni.id) ?? []), addr]);
          }
        }
      }
      // The cloud's answer replaces what was known: addresses gone since are no longer counted.
      this.unrecorded.clear();
      for (const [eniId, sinces] of unrecorded) this.unrecorded.set(eniId, sinces);
      this.refusedEnis.clear();
      this.foreignEnis = remote.filter((e) => !this.state.enis[e.id]).length;
      if (changed) await this.persist();
      for (const [eniId, ips] of unassign) {
        for (let i = 0; i < ips.length; i += MaxIpsPerCall) {
          const batch = ips.slice(i, i + MaxIpsPerCall);
          try {
            await this.ctx.cloud.unassignPrivateIpAddresses(eniId, batch);
            for (const ip of batch) this.unrecorded.get(eniId)?.delete(ip);
            this.log.info({ eniId, ips: batch }, 'unassigned addresses nobody recorded');
          } catch (err) {
            this.log.warn({ err, eniId }, 'could not unassign unrecorded addresses; will retry');
          }
        }
      }
    });
  }

  /** A recorded ENI whose attach a crash interrupted: attach it now if it is still Available. */
  private async resumeAttach(eni: EniState): Promise<boolean> {
    const remote = await this.ctx.cloud.getNetworkInterface(eni.id);
    if (!remote) return false;
    if (remote.status === 'Attaching' && remote.instanceId === this.state.instanceId) return true; // still on its way
    if (remote.status !== 'Available') return false;
    try {
      await attachEni(this.ctx.cloud, this.ctx.clock, eni.id, this.state.instanceId, this.poll);
    } catch (err) {
      this.log.warn({ err, eniId: eni.id }, 'could not resume the attach of a recorded ENI');
      return false;
    }
    eni.status = 'InUse';
    return true;
  }

  /**
   * The node is gone: detach and delete its ENIs, except those in `keep` (fixed IPs), which are
   * only detached. Failures are logged; GC finishes what is left.
   */
  async teardown(keep: ReadonlySet<string>): Promise<void> {
    this.closed = true;
    await this.cloudOps.run(async () => {
      for (const eni of Object.values(this.state.enis)) {
        try {
          if (keep.has(eni.id)) await detachEni(this.ctx.cloud, this.ctx.clock, eni.id, this.poll);
          else await detachAndDeleteEni(this.ctx.cloud, this.ctx.clock, eni.id, this.poll);
          delete this.state.enis[eni.id];
        } catch (err) {
          this.log.warn({ err, eniId: eni.id }, 'teardown could not release ENI; GC will');
        }
      }
    });
  }

  /** Updates limits and pool sizes (a NodePool or node annotation changed). */
  async configure(update: Pick<NodeIpamState, 'capacity' | 'pool'>): Promise<void> {
    if (JSON.stringify(update.capacity) === JSON.stringify(this.state.capacity) && JSON.stringify(update.pool) === JSON.stringify(this.state.pool)) return;
    this.state.capacity = { ...update.capacity };
    this.state.pool = { ...update.pool };
    await this.persist();
  }
}

export function toIpamError(err: unknown): Error {
  if (err instanceof IpamError) return err;
  if (isCloudError(err)) {
    switch (err.kind) {
      case 'Throttled':
      case 'Transient':
        return new IpamError('CloudUnavailable', err.message, { cause: err });
      case 'IpExhausted':
        return new IpamError('IpExhausted', err.message, { cause: err });
      case 'QuotaExceeded':
        return new IpamError('NodeCapacity', err.message, { cause: err });
      default:
        return err;
    }
  }
  return err instanceof Error ? err : new Error(String(err));
}
