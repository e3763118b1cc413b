// Elastic network interfaces and their private IPs. Every operation validates everything first
// and mutates last, synchronously, so concurrent API calls (interleaved on the event loop) can
// never hand one address out twice or push an instance past its ENI or IP limits.
import { ApiError, apiErrors } from '../errors.js';
import { IpNotEnoughError, type AddressPool } from './addressPool.js';
import type { Cloud } from './cloud.js';
import { ipInCidr } from './network.js';
import { ipCountOf, type InstanceRecord, type NetworkInterfaceRecord } from './records.js';
import { tagsFrom, type TagFilter } from './tags.js';
import { ecsSecondTime } from './time.js';

/** AssignPrivateIpAddresses and CreateNetworkInterface take at most this many secondary IPs a call. */
export const maxIpsPerCall = 10;

/**
 * Takes specific addresses and/or a count of any addresses from a pool, all or none.
 * Maps pool exhaustion to InvalidVSwitchId.IpNotEnough.
 */
export function takeAddresses(pool: AddressPool, owner: string, specific: readonly string[], count: number): string[] {
  for (const ip of specific) {
    if (!pool.contains(ip)) throw apiErrors.ipOutOfRange(ip);
    if (pool.ownerOf(ip) !== undefined) throw apiErrors.ipInUse(ip);
  }
  if (new Set(specific).size !== specific.length) throw apiErrors.invalidParameter('PrivateIpAddress', 'Duplicate addresses.');
  if (specific.length + count > pool.available) throw apiErrors.vSwitchIpNotEnough();
  const taken: string[] = [];
  try {
    for (const ip of specific) {
      pool.allocateSpecific(owner, ip);
      taken.push(ip);
    }
    taken.push(...pool.allocate(owner, count));
  } catch (err) {
    for (const ip of taken) pool.release(ip);
    if (err instanceof IpNotEnoughError) throw apiErrors.vSwitchIpNotEnough();
    if (err instanceof ApiError) throw err;
    throw apiErrors.invalidParameter('PrivateIpAddress', (err as Error).message);
  }
  return taken;
}

export function releaseInterfaceAddresses(cloud: Cloud, eni: NetworkInterfaceRecord): void {
  const pool = cloud.vSwitch(eni.vSwitchId).pool;
  pool.release(eni.primaryIp);
  for (const ip of eni.secondaryIps) pool.release(ip);
}

/** The largest IP count any instance type allows per ENI: the cap for an ENI not attached to anything. */
function maxIpsPerEni(cloud: Cloud): number {
  let max = 1;
  for (const spec of cloud.catalog.instanceTypes.values()) max = Math.max(max, spec.eniPrivateIpAddressQuantity);
  return max;
}

function ipLimitOf(cloud: Cloud, eni: NetworkInterfaceRecord): number {
  const instance = eni.instanceId ? cloud.instances.get(eni.instanceId) : undefined;
  return instance ? instance.spec.eniPrivateIpAddressQuantity : maxIpsPerEni(cloud);
}

export interface CreateInterfaceRequest {
  vSwitchId: string;
  securityGroupIds: string[];
  primaryIpAddress?: string;
  privateIpAddresses?: string[];
  secondaryPrivateIpAddressCount?: number;
  name?: string;
  description?: string;
  tags?: TagFilter[];
  deleteOnRelease?: boolean;
  resourceGroupId?: string;
}

export function createNetworkInterface(cloud: Cloud, req: CreateInterfaceRequest): NetworkInterfaceRecord {
  const vsw = cloud.vSwitch(req.vSwitchId);
  const securityGroupIds = cloud.securityGroupsFor(req.securityGroupIds, vsw.vpcId);
  const specific = req.privateIpAddresses ?? [];
  const count = req.secondaryPrivateIpAddressCount ?? 0;
  if (specific.length > 0 && count > 0) {
    throw apiErrors.invalidParameter('SecondaryPrivateIpAddressCount', 'Cannot be combined with PrivateIpAddress.');
  }
  if (specific.length + count > maxIpsPerCall) {
    throw apiErrors.invalidParameter('SecondaryPrivateIpAddressCount', `At most ${maxIpsPerCall} secondary private IPs per call.`);
  }
  if (req.primaryIpAddress !== undefined && !ipInCidr(req.primaryIpAddress, vsw.cidrBlock)) {
    throw apiErrors.ipOutOfRange(req.primaryIpAddress);
  }
  const id = cloud.ids.next('eni');
  const primarySpecific = req.primaryIpAddress !== undefined ? [req.primaryIpAddress] : [];
  const primaryCount = primarySpecific.length === 0 ? 1 : 0;
  // One all-or-none take: the primary (given or not) and every secondary.
  const addresses = takeAddresses(vsw.pool, id, [...primarySpecific, ...specific], primaryCount + count);
  // Given addresses come first in the answer; without a given primary, the first counted one is it.
  const primaryIp = req.primaryIpAddress ?? addresses[specific.length]!;
  const secondaryIps = addresses.filter((ip) => ip !== primaryIp);
  const eni: NetworkInterfaceRecord = {
    id,
    regionId: cloud.regionId,
    zoneId: vsw.zoneId,
    vpcId: vsw.vpcId,
    vSwitchId: vsw.id,
    securityGroupIds,
    type: 'Secondary',
    status: 'Available',
    primaryIp,
    secondaryIps,
    mac: cloud.ids.nextMac(),
    name: req.name ?? '',
    description: req.description ?? '',
    tags: tagsFrom(req.tags),
    creationTime: ecsSecondTime(cloud.now()),
    deleteOnRelease: req.deleteOnRelease ?? false,
    resourceGroupId: req.resourceGroupId ?? '',
  };
  cloud.networkInterfaces.set(id, eni);
  return eni;
}

/** The primary ENI created with an instance; its primary IP is the instance's private IP. */
export function createPrimaryInterface(
  cloud: Cloud,
  instance: Pick<InstanceRecord, 'id' | 'vSwitchId' | 'securityGroupIds'>,
  primaryIp: string,
  eniId: string,
): NetworkInterfaceRecord {
  const vsw = cloud.vSwitch(instance.vSwitchId);
  const eni: NetworkInterfaceRecord = {
    id: eniId,
    regionId: cloud.regionId,
    zoneId: vsw.zoneId,
    vpcId: vsw.vpcId,
    vSwitchId: vsw.id,
    securityGroupIds: [...instance.securityGroupIds],
    type: 'Primary',
    status: 'InUse',
    instanceId: instance.id,
    deviceIndex: 0,
    primaryIp,
    secondaryIps: [],
    mac: cloud.ids.nextMac(),
    name: '',
    description: '',
    tags: new Map(),
    creationTime: ecsSecondTime(cloud.now()),
    deleteOnRelease: true,
    resourceGroupId: '',
  };
  cloud.networkInterfaces.set(eniId, eni);
  return eni;
}

export function attachNetworkInterface(cloud: Cloud, eniId: string, instanceId: string): void {
  const eni = cloud.networkInterface(eniId);
  const instance = cloud.instance(instanceId);
  if (instance.releasing) throw apiErrors.incorrectInstanceStatus('Stopping');
  if (instance.status !== 'Running' && instance.status !== 'Stopped') throw apiErrors.incorrectInstanceStatus(instance.status);
  if (eni.type === 'Primary' || eni.status !== 'Available') throw apiErrors.invalidEniState(eni.status);
  if (eni.zoneId !== instance.zoneId || eni.vpcId !== instance.vpcId) throw apiErrors.eniZoneMismatch();
  const attached = cloud.interfacesOf(instanceId);
  if (attached.length >= instance.spec.eniQuantity) throw apiErrors.eniPerInstanceLimitExceeded();
  if (ipCountOf(eni) > instance.spec.eniPrivateIpAddressQuantity) throw apiErrors.ipv4CountExceeded();
  const used = new Set(attached.map((e) => e.deviceIndex));
  let deviceIndex = 1;
  while (used.has(deviceIndex)) deviceIndex++;
  eni.status = 'Attaching';
  eni.instanceId = instanceId;
  eni.deviceIndex = deviceIndex;
  cloud.scheduler.after(cloud.delays.eniAttachingMs, () => {
    if (eni.status === 'Attaching' && eni.instanceId === instanceId) eni.status = 'InUse';
  });
}

export function detachNetworkInterface(cloud: Cloud, eniId: string, instanceId: string): void {
  const eni = cloud.networkInterface(eniId);
  if (!cloud.instances.has(instanceId)) throw apiErrors.instanceNotFound(instanceId);
  if (eni.type === 'Primary') throw apiErrors.primaryEniOperation();
  if (eni.instanceId !== instanceId) throw apiErrors.eniInstanceMismatch();
  if (eni.status !== 'InUse') throw apiErrors.invalidEniState(eni.status);
  eni.status = 'Detaching';
  cloud.scheduler.after(cloud.delays.eniDetachingMs, () => finishDetach(eni));
}

function finishDetach(eni: NetworkInterfaceRecord): void {
  if (eni.status !== 'Detaching') return;
  eni.status = 'Available';
  delete eni.instanceId;
  delete eni.deviceIndex;
}

export function deleteNetworkInterface(cloud: Cloud, eniId: string): void {
  const eni = cloud.networkInterface(eniId);
  if (eni.type === 'Primary') throw apiErrors.primaryEniOperation();
  if (eni.status !== 'Available') throw apiErrors.invalidEniState(eni.status);
  releaseInterfaceAddresses(cloud, eni);
  cloud.networkInterfaces.delete(eniId);
}

export function assignPrivateIpAddresses(
  cloud: Cloud,
  eniId: string,
  req: { count?: number; addresses?: string[] },
): string[] {
  const eni = cloud.networkInterface(eniId);
  const specific = req.addresses ?? [];
  const count = req.count ?? 0;
  if (specific.length > 0 && count > 0) {
    throw apiErrors.invalidParameter('SecondaryPrivateIpAddressCount', 'Cannot be combined with PrivateIpAddress.');
  }
  const requested = specific.length + count;
  if (requested === 0) throw apiErrors.missingParameter('SecondaryPrivateIpAddressCount');
  if (requested > maxIpsPerCall) {
    throw apiErrors.invalidParameter('SecondaryPrivateIpAddressCount', `At most ${maxIpsPerCall} private IPs per call.`);
  }
  if (eni.status !== 'Available' && eni.status !== 'InUse') throw apiErrors.invalidEniState(eni.status);
  if (ipCountOf(eni) + requested > ipLimitOf(cloud, eni)) throw apiErrors.ipv4CountExceeded();
  const taken = takeAddresses(cloud.vSwitch(eni.vSwitchId).pool, eni.id, specific, count);
  eni.secondaryIps.push(...taken);
  return taken;
}

export function unassignPrivateIpAddresses(cloud: Cloud, eniId: string, addresses: readonly string[]): void {
  const eni = cloud.networkInterface(eniId);
  if (addresses.length === 0) throw apiErrors.missingParameter('PrivateIpAddress.1');
  if (addresses.length > maxIpsPerCall) {
    throw apiErrors.invalidParameter('PrivateIpAddress', `At most ${maxIpsPerCall} private IPs per call.`);
  }
  if (eni.status !== 'Available' && eni.status !== 'InUse') throw apiErrors.invalidEniState(eni.status);
  for (const ip of addresses) {
    if (ip === eni.primaryIp) throw apiErrors.unassignPrimaryIp();
    if (!eni.secondaryIps.includes(ip)) throw apiErrors.ipNotOnEni(ip);
  }
  const pool = cloud.vSwitch(eni.vSwitchId).pool;
  const drop = new Set(addresses);
  for (const ip of drop) pool.release(ip);
  eni.secondaryIps = eni.secondaryIps.filter((ip) => !drop.has(ip));
}

/** When an instance is released: its primary ENI and DeleteOnRelease ENIs go, others are detached. */
export function releaseInterfacesOf(cloud: Cloud, instanceId: string): void {
  for (const eni of cloud.interfacesOf(instanceId)) {
    if (eni.type === 'Primary' || eni.deleteOnRelease) {
      releaseInterfaceAddresses(cloud, eni);
      cloud.networkInterfaces.delete(eni.id);
    } else {
      eni.status = 'Detaching';
      finishDetach(eni);
    }
  }
}
