// The instance-type catalog: the ECS facts (DescribeInstanceTypes), where each type is sold and
// for how much (offerings with prices), and the insufficient-capacity cache, turned into the
// scheduler's InstanceTypes for one ECSNodeClass. No Kubernetes client and no manager: the
// refresh loop lives in src/controllers/catalog, so this stays testable against the cloud alone.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CapacityType, CloudProvider, InstanceTypeInfo, Offering as CloudOffering } from '../cloud/types.js';
import { buildInstanceType, type EniMode, type InstanceType, type Offering } from '../scheduling/index.js';
import { registerCatalogMetrics } from './metrics.js';
import { capacitySettingsKey, capacitySettingsOf, effectiveEvictionHard, type NodeClassCapacityInput, type NodeClassCapacitySettings } from './node-class-settings.js';
import { offeringKey, UnavailableOfferings, type OfferingKey, type UnavailableEntry } from './unavailable-offerings.js';

export interface InstanceTypeCatalog {
  /**
   * Scheduling InstanceTypes for launches from this node class: allocatable from capacity minus
   * kube-reserved, system-reserved and eviction thresholds per its spec.kubeletConfiguration; max
   * pods from the ENI model (eni-density.ts, cluster default ENI mode) capped by kubelet
   * maxPods/podsPerCore; offerings only in zones of the node class's resolved status.vSwitches;
   * offerings in the unavailable cache have available=false. Types without an offering in those
   * zones, or (once status.images is resolved) without an image for their architecture, are left
   * out. [] until loaded. The result is cached and shared: treat it as read-only.
   */
  forNodeClass(nodeClass: NodeClassCapacityInput): InstanceType[];
  /** Raw facts of one type (ENI quantities etc.), for the IPAM and launch. */
  info(instanceType: string): InstanceTypeInfo | undefined;
  /** After a NoStock/InsufficientCapacity launch answer: unavailable for ttl (default 3 min, Karpenter's ICE cache). */
  markUnavailable(offering: { instanceType: string; zone: string; capacityType: CapacityType }, reason: string): void;
  /** Reloads offerings and prices, and the instance types when older than typesRefreshMs. Concurrent calls share one load. */
  refresh(signal?: AbortSignal): Promise<void>;
  loaded(): boolean;
  /** Bumps on every refresh or availability change, so callers can cache derived data. */
  readonly version: number;
  /** Offerings currently in the unavailable cache, with why. */
  unavailableOfferings(): UnavailableEntry[];
}

export interface InstanceTypeCatalogOptions {
  logger: Logger;
  /** Where the karpenter_cloudprovider_instance_type_* gauges go (collected at scrape time). */
  registry: Registry;
  /** The cluster's ENI mode for pods no PodNetworking overrides (settings.defaultEniType). */
  defaultEniType: 'Default' | 'ENIIP' | 'ENI' | 'Trunk';
  now?: () => number;
  /** How long a NoStock offering stays unavailable. Default 3 minutes. */
  unavailableTtlMs?: number;
  /** Instance types change rarely: reload them at most this often. Default 12 hours. */
  typesRefreshMs?: number;
}

export const DefaultUnavailableTtlMs = 3 * 60_000;
export const DefaultTypesRefreshMs = 12 * 60 * 60_000;
/** Distinct node-class settings kept per catalog version; a cluster has a handful of node classes. */
const MaxCachedNodeClasses = 64;

/**
 * Pods per node follow the IPAM's model for the cluster's mode. Trunk clusters give member ENIs
 * only to pods whose PodNetworking asks for them; every other pod still takes a secondary IP, so
 * node density is the ENIIP count (the scheduler bounds trunk pods separately through the ENI spec).
 */
export function eniModeFor(defaultEniType: InstanceTypeCatalogOptions['defaultEniType']): EniMode {
  return defaultEniType === 'ENI' ? 'ENI' : 'ENIIP';
}

export function createInstanceTypeCatalog(cloud: CloudProvider, opts: InstanceTypeCatalogOptions): InstanceTypeCatalog {
  return new Catalog(cloud, opts);
}

class Catalog implements InstanceTypeCatalog {
  private types = new Map<string, InstanceTypeInfo>();
  private offeringsByType = new Map<string, CloudOffering[]>();
  private typesLoadedAt: number | undefined;
  private offeringsLoaded = false;
  private currentVersion = 0;
  private inFlight: Promise<void> | undefined;
  private readonly unavailable: UnavailableOfferings;
  private readonly cache = new Map<string, InstanceType[]>();
  private cacheVersion = -1;
  private readonly now: () => number;
  private readonly eniMode: EniMode;
  private readonly log: Logger;

  constructor(
    private readonly cloud: CloudProvider,
    private readonly opts: InstanceTypeCatalogOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.unavailable = new UnavailableOfferings(opts.unavailableTtlMs ?? DefaultUnavailableTtlMs, this.now);
    this.eniMode = eniModeFor(opts.defaultEniType);
    this.log = opts.logger.child({ component: 'instance-type-catalog' });
    registerCatalogMetrics(opts.registry, {
      types: () => this.types.values(),
      offerings: () => this.allOfferings(),
    });
  }

  get version(): number {
    if (this.unavailable.prune()) this.currentVersion++;
    return this.currentVersion;
  }

  loaded(): boolean {
    return this.typesLoadedAt !== undefined && this.offeringsLoaded;
  }

  info(instanceType: string): InstanceTypeInfo | undefined {
    return this.types.get(instanceType);
  }

  unavailableOfferings(): UnavailableEntry[] {
    return this.unavailable.list();
  }

  markUnavailable(offering: OfferingKey, reason: string): void {
    this.unavailable.mark(offering, reason);
    this.currentVersion++;
    this.log.info({ ...offering, reason }, 'offering marked unavailable');
  }

  refresh(signal?: AbortSignal): Promise<void> {
    // One load at a time: the periodic loop and a caller that needs fresh data share it.
    this.inFlight ??= this.load(signal).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async load(signal?: AbortSignal): Promise<void> {
    const started = this.now();
    const typesDue = this.typesLoadedAt === undefined || started - this.typesLoadedAt >= (this.opts.typesRefreshMs ?? DefaultTypesRefreshMs);
    // Both reads are independent; on a first load they run side by side.
    const [types, offerings] = await Promise.all([typesDue ? this.cloud.listInstanceTypes() : undefined, this.cloud.listOfferings()]);
    signal?.throwIfAborted();
    if (types) {
      this.types = new Map(types.map((t) => [t.name, t]));
      this.typesLoadedAt = started;
    }
    const byType = new Map<string, CloudOffering[]>();
    for (const offering of offerings) {
      const list = byType.get(offering.instanceType);
      if (list) list.push(offering);
      else byType.set(offering.instanceType, [offering]);
    }
    this.offeringsByType = byType;
    this.offeringsLoaded = true;
    this.currentVersion++;
    this.log.debug(
      { instanceTypes: this.types.size, offerings: offerings.length, typesReloaded: types !== undefined, ms: this.now() - started },
      'instance-type catalog refreshed',
    );
  }

  forNodeClass(nodeClass: NodeClassCapacityInput): InstanceType[] {
    if (!this.loaded()) return [];
    const version = this.version;
    if (version !== this.cacheVersion) {
      this.cache.clear();
      this.cacheVersion = version;
    }
    const settings = capacitySettingsOf(nodeClass);
    const key = capacitySettingsKey(settings);
    let result = this.cache.get(key);
    if (!result) {
      result = this.build(settings);
      if (this.cache.size >= MaxCachedNodeClasses) this.cache.clear();
      this.cache.set(key, result);
    }
    return result;
  }

  private build(settings: NodeClassCapacitySettings): InstanceType[] {
    const zones = new Set(settings.zones);
    const architectures = settings.architectures ? new Set(settings.architectures) : undefined;
    const out: InstanceType[] = [];
    for (const [name, info] of this.types) {
      if (architectures && !architectures.has(info.architecture)) continue;
      const offerings: Offering[] = [];
      for (const o of this.offeringsByType.get(name) ?? []) {
        if (!zones.has(o.zone)) continue;
        offerings.push({ zone: o.zone, capacityType: o.capacityType, price: o.pricePerHour, available: o.available && !this.unavailable.has(o) });
      }
      if (offerings.length === 0) continue;
      const evictionHard = effectiveEvictionHard(settings, { memoryBytes: info.memoryMiB * 2 ** 20, storageBytes: settings.systemDiskGiB * 2 ** 30 });
      out.push(
        buildInstanceType(info, offerings, {
          eniMode: this.eniMode,
          kubelet: { ...settings.kubelet, evictionHard },
          systemDiskGiB: settings.systemDiskGiB,
          region: this.cloud.region,
        }),
      );
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Every offering in the region with the unavailable cache applied, for the metrics. */
  private *allOfferings(): Iterable<CloudOffering> {
    for (const list of this.offeringsByType.values()) {
      for (const o of list) yield o.available && this.unavailable.hasKey(offeringKey(o)) ? { ...o, available: false } : o;
    }
  }
}
