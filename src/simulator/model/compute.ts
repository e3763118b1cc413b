// Instances: launch (shared by RunInstances and CreateAutoProvisioningGroup), the
// Pending -> Starting -> Running lifecycle, release, and spot interruption.
import { ApiError, apiErrors } from '../errors.js';
import type { InstanceTypeSpec } from './catalog.js';
import type { Cloud } from './cloud.js';
import type { ImageRecord } from './images.js';
import { imageArchitectureOf } from './images.js';
import { createPrimaryInterface, releaseInterfacesOf, takeAddresses } from './interfaces.js';
import type { VSwitchRecord } from './network.js';
import type { CapacityType } from './offerings.js';
import { capacityTypeOf, type InstanceRecord, type SpotStrategy } from './records.js';
import { tagsFrom, type TagFilter } from './tags.js';
import { ecsMinuteTime, ecsSecondTime } from './time.js';

export interface LaunchRequest {
  instanceType: string;
  vSwitchId: string;
  zoneId?: string;
  imageId?: string;
  imageFamily?: string;
  securityGroupIds: string[];
  spotStrategy: SpotStrategy;
  spotPriceLimit?: number;
  instanceChargeType: 'PostPaid' | 'PrePaid';
  instanceName?: string;
  hostName?: string;
  description?: string;
  userData?: string;
  tags?: TagFilter[];
  systemDisk: { category: string; sizeGiB: number };
  amount: number;
  /** Launch fewer than `amount` (but at least this many) when stock is short. */
  minAmount?: number;
  privateIpAddress?: string;
  autoProvisioningGroupId?: string;
}

export function resolveImage(cloud: Cloud, imageId: string | undefined, imageFamily: string | undefined): ImageRecord {
  if (imageId) {
    const image = cloud.images.get(imageId);
    if (!image) throw apiErrors.imageNotFound(imageId);
    return image;
  }
  if (imageFamily) {
    const latest = [...cloud.images.values()]
      .filter((i) => i.family === imageFamily)
      .sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
    if (!latest) throw new ApiError('InvalidImageFamily.NotFound', `The specified ImageFamily ${imageFamily} does not exist.`, 404);
    return latest;
  }
  throw apiErrors.missingParameter('ImageId');
}

/** The current price of one instance of the request's capacity type, for TradePrice and APG ordering. */
export function currentPrice(cloud: Cloud, instanceType: string, zone: string, capacityType: CapacityType): number | undefined {
  return capacityType === 'spot'
    ? cloud.offerings.spotPrice(cloud.regionId, instanceType, zone, cloud.now())
    : cloud.offerings.onDemandPrice(cloud.regionId, instanceType);
}

/**
 * Validates and creates the instances, all or (with minAmount) as many as stock allows. The
 * instances start their lifecycle only when `start` is called, so a caller can still roll back.
 */
export function launchInstances(cloud: Cloud, req: LaunchRequest): InstanceRecord[] {
  const spec = cloud.catalog.instanceTypes.get(req.instanceType);
  if (!spec) throw apiErrors.instanceTypeNotFound(req.instanceType);
  const vsw = cloud.vSwitch(req.vSwitchId);
  if (req.zoneId !== undefined && req.zoneId !== vsw.zoneId) {
    throw new ApiError('InvalidParameter.Mismatch', 'Specified virtual switch is not in the specified zone.', 400);
  }
  const image = resolveImage(cloud, req.imageId, req.imageFamily);
  if (image.architecture !== imageArchitectureOf(spec.cpuArchitecture)) {
    throw new ApiError('ImageNotSupportInstanceType', 'The specified image does not support the specified instance type.', 400);
  }
  const securityGroupIds = cloud.securityGroupsFor(req.securityGroupIds, vsw.vpcId);
  if (!cloud.offerings.offered(cloud.regionId, spec.instanceTypeId, vsw.zoneId)) throw apiErrors.resourceTypeNotSupported();
  const capacityType: CapacityType = req.spotStrategy === 'NoSpot' ? 'on-demand' : 'spot';
  if (req.spotStrategy === 'SpotWithPriceLimit') {
    if (req.spotPriceLimit === undefined) throw apiErrors.missingParameter('SpotPriceLimit');
    const price = currentPrice(cloud, spec.instanceTypeId, vsw.zoneId, 'spot');
    if (price !== undefined && req.spotPriceLimit < price) throw apiErrors.spotPriceTooLow();
  }
  if (req.privateIpAddress !== undefined && req.amount !== 1) {
    throw apiErrors.invalidParameter('PrivateIpAddress', 'Only one instance can be created with a given private IP address.');
  }

  const stockKey = { instanceType: spec.instanceTypeId, zone: vsw.zoneId, capacityType };
  const minAmount = Math.min(req.minAmount ?? req.amount, req.amount);
  const count = cloud.offerings.take(stockKey, req.amount);
  if (count < minAmount || count === 0) {
    cloud.offerings.giveBack(stockKey, count);
    throw apiErrors.noStock();
  }
  if (vsw.pool.available < count) {
    cloud.offerings.giveBack(stockKey, count);
    throw apiErrors.vSwitchIpNotEnough();
  }

  const created: InstanceRecord[] = [];
  try {
    createInstances(cloud, req, { spec, image, vsw, securityGroupIds, count }, created);
  } catch (err) {
    discardInstances(cloud, created);
    cloud.offerings.giveBack(stockKey, count - created.length);
    throw err;
  }
  return created;
}

function createInstances(
  cloud: Cloud,
  req: LaunchRequest,
  resolved: { spec: InstanceTypeSpec; image: ImageRecord; vsw: VSwitchRecord; securityGroupIds: string[]; count: number },
  created: InstanceRecord[],
): void {
  const { spec, image, vsw, securityGroupIds, count } = resolved;
  const now = cloud.now();
  for (let i = 0; i < count; i++) {
    const id = cloud.ids.next('i');
    const eniId = cloud.ids.next('eni');
    const specific = req.privateIpAddress !== undefined ? [req.privateIpAddress] : [];
    const [primaryIp] = takeAddresses(vsw.pool, eniId, specific, specific.length === 0 ? 1 : 0);
    const instance: InstanceRecord = {
      id,
      regionId: cloud.regionId,
      zoneId: vsw.zoneId,
      spec,
      imageId: image.id,
      vpcId: vsw.vpcId,
      vSwitchId: vsw.id,
      securityGroupIds,
      status: 'Pending',
      spotStrategy: req.spotStrategy,
      instanceChargeType: req.instanceChargeType,
      instanceName: req.instanceName ?? id,
      hostName: req.hostName ?? `iZ${id.slice(2)}Z`,
      description: req.description ?? '',
      tags: tagsFrom(req.tags),
      systemDisk: req.systemDisk,
      primaryEniId: eniId,
      primaryIp: primaryIp!,
      creationTime: ecsMinuteTime(now),
      releasing: false,
    };
    if (req.spotPriceLimit !== undefined) instance.spotPriceLimit = req.spotPriceLimit;
    if (req.userData !== undefined) instance.userData = req.userData;
    if (req.autoProvisioningGroupId !== undefined) instance.autoProvisioningGroupId = req.autoProvisioningGroupId;
    cloud.instances.set(id, instance);
    createPrimaryInterface(cloud, instance, primaryIp!, eniId);
    created.push(instance);
  }
}

/** Pending -> Starting -> Running, with the profile's delays. */
export function startInstances(cloud: Cloud, instances: readonly InstanceRecord[]): void {
  for (const instance of instances) {
    cloud.scheduler.after(cloud.delays.instancePendingMs, () => {
      if (instance.releasing || !cloud.instances.has(instance.id)) return;
      instance.status = 'Starting';
      cloud.scheduler.after(cloud.delays.instanceStartingMs, () => {
        if (instance.releasing || !cloud.instances.has(instance.id)) return;
        instance.status = 'Running';
        instance.startTime = ecsMinuteTime(cloud.now());
        cloud.emit('instanceRunning', instance);
      });
    });
  }
}

/** Removes an instance at once, with no trace: for rolling back a launch that did not commit. */
export function discardInstances(cloud: Cloud, instances: readonly InstanceRecord[]): void {
  for (const instance of instances) {
    releaseInterfacesOf(cloud, instance.id);
    cloud.offerings.giveBack(
      { instanceType: instance.spec.instanceTypeId, zone: instance.zoneId, capacityType: capacityTypeOf(instance) },
      1,
    );
    cloud.instances.delete(instance.id);
  }
}

function finishRelease(cloud: Cloud, instance: InstanceRecord): void {
  if (!cloud.instances.has(instance.id)) return;
  discardInstances(cloud, [instance]);
  cloud.emit('instanceReleased', instance);
}

/**
 * DeleteInstance(s): all ids are checked before any is touched. A Running instance needs Force
 * (real ECS wants it Stopped otherwise); Pending and Starting instances cannot be deleted yet.
 * An instance already being released is accepted again, as ECS does.
 */
export function deleteInstances(cloud: Cloud, ids: readonly string[], force: boolean): void {
  const instances = ids.map((id) => cloud.instance(id));
  for (const instance of instances) {
    if (instance.releasing) continue;
    if (instance.status === 'Pending' || instance.status === 'Starting') throw apiErrors.incorrectInstanceStatus(instance.status);
    if (instance.status === 'Running' && !force) throw apiErrors.incorrectInstanceStatus(instance.status);
  }
  for (const instance of instances) {
    if (instance.releasing) continue;
    instance.releasing = true;
    if (instance.status === 'Running') {
      instance.status = 'Stopping';
      cloud.scheduler.after(cloud.delays.instanceStoppingMs, () => finishRelease(cloud, instance));
    } else {
      finishRelease(cloud, instance);
    }
  }
}

/**
 * Signals a spot interruption: listeners (node join) publish the ACK-style Node condition and
 * event; the instance is released after the notice period.
 */
export function interruptSpotInstance(cloud: Cloud, instanceId: string, noticeMs?: number): string {
  const instance = cloud.instance(instanceId);
  if (capacityTypeOf(instance) !== 'spot') {
    throw new ApiError('InvalidOperation.NotSpotInstance', `Instance ${instanceId} is not a spot instance.`, 400);
  }
  if (instance.interruption) return instance.interruption.terminationTime;
  const notice = noticeMs ?? cloud.delays.spotReclaimNoticeMs;
  const terminationTime = ecsSecondTime(new Date(cloud.now().getTime() + notice));
  instance.interruption = { terminationTime };
  cloud.emit('instanceInterrupted', instance, terminationTime);
  cloud.scheduler.after(notice, () => {
    if (!cloud.instances.has(instance.id)) return;
    instance.releasing = true;
    instance.status = 'Stopping';
    finishRelease(cloud, instance);
  });
  return terminationTime;
}
