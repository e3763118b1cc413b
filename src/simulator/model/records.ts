// Instances and network interfaces as the simulated cloud holds them.
import type { InstanceTypeSpec } from './catalog.js';
import type { CapacityType } from './offerings.js';
import type { Tags } from './tags.js';

export type InstanceStatus = 'Pending' | 'Starting' | 'Running' | 'Stopping' | 'Stopped';
export type SpotStrategy = 'NoSpot' | 'SpotAsPriceGo' | 'SpotWithPriceLimit';

export interface InstanceRecord {
  id: string;
  regionId: string;
  zoneId: string;
  spec: InstanceTypeSpec;
  imageId: string;
  vpcId: string;
  vSwitchId: string;
  securityGroupIds: string[];
  status: InstanceStatus;
  spotStrategy: SpotStrategy;
  spotPriceLimit?: number;
  instanceChargeType: 'PostPaid' | 'PrePaid';
  instanceName: string;
  hostName: string;
  description: string;
  userData?: string;
  tags: Tags;
  systemDisk: { category: string; sizeGiB: number };
  primaryEniId: string;
  primaryIp: string;
  creationTime: string;
  startTime?: string;
  autoProvisioningGroupId?: string;
  /** Set when a spot interruption was signalled; the instance is released at this time. */
  interruption?: { terminationTime: string };
  /** True once DeleteInstance(s) accepted it: it is on its way out. */
  releasing: boolean;
}

export function capacityTypeOf(instance: Pick<InstanceRecord, 'spotStrategy'>): CapacityType {
  return instance.spotStrategy === 'NoSpot' ? 'on-demand' : 'spot';
}

export type EniStatus = 'Available' | 'Attaching' | 'InUse' | 'Detaching';

export interface NetworkInterfaceRecord {
  id: string;
  regionId: string;
  zoneId: string;
  vpcId: string;
  vSwitchId: string;
  securityGroupIds: string[];
  type: 'Primary' | 'Secondary';
  status: EniStatus;
  /** Set from the start of attaching until the end of detaching. */
  instanceId?: string;
  deviceIndex?: number;
  primaryIp: string;
  secondaryIps: string[];
  mac: string;
  name: string;
  description: string;
  tags: Tags;
  creationTime: string;
  deleteOnRelease: boolean;
  resourceGroupId: string;
}

export function ipCountOf(eni: Pick<NetworkInterfaceRecord, 'secondaryIps'>): number {
  return 1 + eni.secondaryIps.length;
}
