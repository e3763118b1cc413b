// The simulated cloud's state for one region: every resource map plus the shared services
// (ids, catalog and offerings, timers, idempotency). Operations that span resources live in
// compute.ts (instances) and interfaces.ts (ENIs and IPs); Describe* reads go straight to the maps.
import { apiErrors } from '../errors.js';
import type { Catalog } from './catalog.js';
import { ClientTokenStore } from './idempotency.js';
import { IdGenerator } from './ids.js';
import type { ImageRecord } from './images.js';
import type { LifecycleDelays } from './lifecycle.js';
import type { VSwitchRecord, VpcRecord } from './network.js';
import { Offerings } from './offerings.js';
import type { InstanceRecord, NetworkInterfaceRecord } from './records.js';
import { Scheduler } from './scheduler.js';
import type { SecurityGroupRecord } from './securityGroups.js';

/** What the node-join side (and tests) want to hear about. */
export interface CloudListener {
  instanceRunning?(instance: InstanceRecord): void;
  instanceInterrupted?(instance: InstanceRecord, terminationTime: string): void;
  instanceReleased?(instance: InstanceRecord): void;
}

export interface CloudOptions {
  regionId: string;
  catalog: Catalog;
  seed: number;
  zoneCoverage: number;
  delays: LifecycleDelays;
  now?: () => Date;
}

export class Cloud {
  readonly regionId: string;
  readonly catalog: Catalog;
  readonly offerings: Offerings;
  readonly ids = new IdGenerator();
  readonly scheduler = new Scheduler();
  readonly clientTokens = new ClientTokenStore();
  readonly delays: LifecycleDelays;
  readonly vpcs = new Map<string, VpcRecord>();
  readonly vSwitches = new Map<string, VSwitchRecord>();
  readonly securityGroups = new Map<string, SecurityGroupRecord>();
  readonly images = new Map<string, ImageRecord>();
  readonly instances = new Map<string, InstanceRecord>();
  readonly networkInterfaces = new Map<string, NetworkInterfaceRecord>();
  private readonly listeners = new Set<CloudListener>();
  private readonly clock: () => Date;

  constructor(options: CloudOptions) {
    this.regionId = options.regionId;
    this.catalog = options.catalog;
    this.delays = options.delays;
    this.clock = options.now ?? (() => new Date());
    this.offerings = new Offerings(options.catalog, { seed: options.seed, zoneCoverage: options.zoneCoverage });
    if (!options.catalog.regions.has(options.regionId)) {
      throw new Error(`region ${options.regionId} is not in the catalog (known: ${[...options.catalog.regions.keys()].join(', ')})`);
    }
  }

  now(): Date {
    return this.clock();
  }

  get zones(): readonly string[] {
    return this.offerings.zonesOf(this.regionId);
  }

  subscribe(listener: CloudListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<K extends keyof CloudListener>(event: K, ...args: Parameters<NonNullable<CloudListener[K]>>): void {
    for (const listener of this.listeners) {
      const handler = listener[event] as ((...a: typeof args) => void) | undefined;
      handler?.apply(listener, args);
    }
  }

  /** Answers RegionId the way ECS does: unknown regions are an error, other known regions are empty. */
  checkRegion(regionId: string): void {
    if (!this.catalog.regions.has(regionId)) throw apiErrors.invalidRegion(regionId);
  }

  vSwitch(id: string): VSwitchRecord {
    const vsw = this.vSwitches.get(id);
    if (!vsw) throw apiErrors.vSwitchNotFound(id);
    return vsw;
  }

  instance(id: string): InstanceRecord {
    const instance = this.instances.get(id);
    if (!instance) throw apiErrors.instanceNotFound(id);
    return instance;
  }

  networkInterface(id: string): NetworkInterfaceRecord {
    const eni = this.networkInterfaces.get(id);
    if (!eni) throw apiErrors.eniNotFound(id);
    return eni;
  }

  /** Security groups by id, all in the vSwitch's VPC. */
  securityGroupsFor(ids: readonly string[], vpcId: string): string[] {
    if (ids.length === 0) throw apiErrors.missingParameter('SecurityGroupId');
    for (const id of ids) {
      const sg = this.securityGroups.get(id);
      if (!sg) throw apiErrors.securityGroupNotFound(id);
      if (sg.vpcId !== vpcId) throw apiErrors.securityGroupVpcMismatch();
    }
    return [...new Set(ids)];
  }

  /** ENIs attached (or attaching, or detaching) to an instance, primary first. */
  interfacesOf(instanceId: string): NetworkInterfaceRecord[] {
    return [...this.networkInterfaces.values()]
      .filter((eni) => eni.instanceId === instanceId)
      .sort((a, b) => (a.deviceIndex ?? 0) - (b.deviceIndex ?? 0));
  }

  close(): void {
    this.scheduler.close();
    this.listeners.clear();
  }
}
