// RunInstances, DescribeInstances, DeleteInstance and DeleteInstances.
import { z } from 'zod';
import { ApiError, apiErrors } from '../../errors.js';
import type { Cloud } from '../../model/cloud.js';
import { currentPrice, deleteInstances, discardInstances, launchInstances, startInstances } from '../../model/compute.js';
import { capacityTypeOf, type InstanceRecord } from '../../model/records.js';
import { ecsTags, matchesTags } from '../../model/tags.js';
import { p } from '../../server/params.js';
import { defineAction, inSimulatedRegion, pageOf, tokenPageOf } from '../action.js';

const maxUserDataBytes = 32 * 1024;

export function dryRunPassed(): ApiError {
  return new ApiError('DryRunOperation', 'Request validation has been passed with DryRun flag set.', 400);
}

/** UserData must be base64 of at most 32 KiB, as ECS checks it. */
export function checkUserData(userData: string | undefined): void {
  if (userData === undefined) return;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(userData) || userData.length % 4 !== 0) {
    throw new ApiError('InvalidUserData.Base64FormatInvalid', 'The specified UserData is not valid Base64.', 400);
  }
  if (Buffer.from(userData, 'base64').length > maxUserDataBytes) {
    throw new ApiError('InvalidUserData.SizeExceeded', 'The specified UserData exceeds 32 KB.', 400);
  }
}

const spotStrategy = z.enum(['NoSpot', 'SpotAsPriceGo', 'SpotWithPriceLimit']);

export const runInstances = defineAction({
  name: 'RunInstances',
  product: 'ecs',
  idempotent: true,
  params: z.object({
    RegionId: p.nonEmpty(),
    InstanceType: p.nonEmpty(),
    VSwitchId: p.nonEmpty(),
    ImageId: p.str().optional(),
    ImageFamily: p.str().optional(),
    SecurityGroupId: p.str().optional(),
    SecurityGroupIds: p.list(p.str()).max(5).optional(),
    ZoneId: p.str().optional(),
    Amount: p.int().min(1).max(100).optional(),
    MinAmount: p.int().min(1).max(100).optional(),
    SpotStrategy: spotStrategy.optional(),
    SpotPriceLimit: p.num().optional(),
    SpotInterruptionBehavior: z.enum(['Terminate', 'Stop']).optional(),
    InstanceChargeType: z.enum(['PrePaid', 'PostPaid']).optional(),
    InstanceName: p.str().max(128).optional(),
    HostName: p.str().optional(),
    Description: p.str().optional(),
    UserData: p.str().optional(),
    Tag: p.tags().optional(),
    SystemDisk: z.object({ Category: p.str().optional(), Size: p.int().min(20).max(2048).optional() }).optional(),
    PrivateIpAddress: p.str().optional(),
    LaunchTemplateId: p.str().optional(),
    NetworkInterface: z.array(z.unknown()).optional(),
    ClientToken: p.str().optional(),
    DryRun: p.bool().optional(),
  }),
  handle: ({ cloud }, q) => {
    cloud.checkRegion(q.RegionId);
    if (q.LaunchTemplateId !== undefined || q.NetworkInterface !== undefined) {
      throw apiErrors.invalidParameter(q.LaunchTemplateId !== undefined ? 'LaunchTemplateId' : 'NetworkInterface', 'Not supported by the simulator.');
    }
    checkUserData(q.UserData);
    const securityGroupIds = [...(q.SecurityGroupIds ?? []), ...(q.SecurityGroupId ? [q.SecurityGroupId] : [])];
    const request = {
      instanceType: q.InstanceType,
      vSwitchId: q.VSwitchId,
      zoneId: q.ZoneId,
      imageId: q.ImageId,
      imageFamily: q.ImageFamily,
      securityGroupIds,
      spotStrategy: q.SpotStrategy ?? 'NoSpot',
      spotPriceLimit: q.SpotPriceLimit,
      instanceChargeType: q.InstanceChargeType ?? 'PostPaid',
      instanceName: q.InstanceName,
      hostName: q.HostName,
      description: q.Description,
      userData: q.UserData,
      tags: q.Tag,
      systemDisk: { category: q.SystemDisk?.Category ?? 'cloud_essd', sizeGiB: q.SystemDisk?.Size ?? 40 },
      amount: q.Amount ?? 1,
      minAmount: q.MinAmount,
      privateIpAddress: q.PrivateIpAddress,
    } as const;
    const launched = launchInstances(cloud, stripUndefined(request));
    if (q.DryRun) {
      // A dry run leaves no trace: IPs and stock go back.
      discardInstances(cloud, launched);
      throw dryRunPassed();
    }
    startInstances(cloud, launched);
    const first = launched[0]!;
    const price = currentPrice(cloud, first.spec.instanceTypeId, first.zoneId, capacityTypeOf(first)) ?? 0;
    return {
      InstanceIdSets: { InstanceIdSet: launched.map((i) => i.id) },
      TradePrice: Math.round(price * launched.length * 10_000) / 10_000,
      OrderId: '',
    };
  },
});

/** Drops undefined fields so optional properties stay absent (exactOptionalPropertyTypes-safe). */
export function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

function operationLocks(instance: InstanceRecord): { LockReason: { LockReason: string; LockMsg: string }[] } {
  if (!instance.interruption) return { LockReason: [] };
  return {
    LockReason: [
      { LockReason: 'Recycling', LockMsg: `The spot instance is to be released at ${instance.interruption.terminationTime}.` },
    ],
  };
}

export function instanceAnswer(cloud: Cloud, instance: InstanceRecord): Record<string, unknown> {
  const image = cloud.images.get(instance.imageId);
  const interfaces = cloud.interfacesOf(instance.id);
  return {
    InstanceId: instance.id,
    InstanceName: instance.instanceName,
    HostName: instance.hostName,
    Description: instance.description,
    RegionId: instance.regionId,
    ZoneId: instance.zoneId,
    InstanceType: instance.spec.instanceTypeId,
    InstanceTypeFamily: instance.spec.family,
    Cpu: instance.spec.cpuCoreCount,
    Memory: Math.round(instance.spec.memoryGiB * 1024),
    GPUAmount: instance.spec.gpuAmount,
    GPUSpec: instance.spec.gpuSpec,
    ImageId: instance.imageId,
    OSName: image?.osName ?? '',
    OSNameEn: image?.osNameEn ?? '',
    OSType: 'linux',
    Status: instance.status,
    CreationTime: instance.creationTime,
    StartTime: instance.startTime ?? '',
    ExpiredTime: '2099-12-31T15:59Z',
    InstanceChargeType: instance.instanceChargeType,
    InternetChargeType: 'PayByTraffic',
    InstanceNetworkType: 'vpc',
    IoOptimized: true,
    SpotStrategy: instance.spotStrategy,
    SpotPriceLimit: instance.spotPriceLimit ?? 0,
    SpotInterruptionBehavior: 'Terminate',
    DeletionProtection: false,
    DeviceAvailable: true,
    Recyclable: false,
    ResourceGroupId: '',
    VpcAttributes: {
      VpcId: instance.vpcId,
      VSwitchId: instance.vSwitchId,
      PrivateIpAddress: { IpAddress: [instance.primaryIp] },
      NatIpAddress: '',
    },
    SecurityGroupIds: { SecurityGroupId: instance.securityGroupIds },
    NetworkInterfaces: {
      NetworkInterface: interfaces.map((eni) => ({
        NetworkInterfaceId: eni.id,
        Type: eni.type,
        MacAddress: eni.mac,
        PrimaryIpAddress: eni.primaryIp,
        PrivateIpSets: {
          PrivateIpSet: [
            { PrivateIpAddress: eni.primaryIp, Primary: true },
            ...eni.secondaryIps.map((ip) => ({ PrivateIpAddress: ip, Primary: false })),
          ],
        },
      })),
    },
    PublicIpAddress: { IpAddress: [] },
    InnerIpAddress: { IpAddress: [] },
    EipAddress: { AllocationId: '', IpAddress: '', Bandwidth: 0, InternetChargeType: '' },
    OperationLocks: operationLocks(instance),
    Tags: ecsTags(instance.tags),
  };
}

/** InstanceName filter: exact, or a prefix/suffix/infix pattern with *. */
function nameMatches(name: string, pattern: string | undefined): boolean {
  if (pattern === undefined) return true;
  if (!pattern.includes('*')) return name === pattern;
  const regex = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(name);
}

export const describeInstances = defineAction({
  name: 'DescribeInstances',
  product: 'ecs',
  params: z.object({
    RegionId: p.nonEmpty(),
    InstanceIds: p.jsonStrings().optional(),
    InstanceName: p.str().optional(),
    InstanceType: p.str().optional(),
    InstanceTypeFamily: p.str().optional(),
    InstanceChargeType: p.str().optional(),
    Status: z.enum(['Pending', 'Running', 'Starting', 'Stopping', 'Stopped']).optional(),
    ZoneId: p.str().optional(),
    VpcId: p.str().optional(),
    VSwitchId: p.str().optional(),
    SecurityGroupId: p.str().optional(),
    ImageId: p.str().optional(),
    PrivateIpAddresses: p.jsonStrings().optional(),
    Tag: p.tags().optional(),
    PageNumber: p.int().min(1).optional(),
    PageSize: p.int().min(1).max(100).optional(),
    MaxResults: p.int().min(1).max(100).optional(),
    NextToken: p.str().optional(),
  }),
  handle: (ctx, q) => {
    if (q.InstanceIds && q.InstanceIds.length > 100) throw apiErrors.invalidParameter('InstanceIds', 'At most 100 ids.');
    const instances = inSimulatedRegion(ctx, q.RegionId)
      ? [...ctx.cloud.instances.values()].filter(
          (i) =>
            (!q.InstanceIds || q.InstanceIds.includes(i.id)) &&
            nameMatches(i.instanceName, q.InstanceName) &&
            (q.InstanceType === undefined || i.spec.instanceTypeId === q.InstanceType) &&
            (q.InstanceTypeFamily === undefined || i.spec.family === q.InstanceTypeFamily) &&
            (q.InstanceChargeType === undefined || i.instanceChargeType === q.InstanceChargeType) &&
            (q.Status === undefined || i.status === q.Status) &&
            (q.ZoneId === undefined || i.zoneId === q.ZoneId) &&
            (q.VpcId === undefined || i.vpcId === q.VpcId) &&
            (q.VSwitchId === undefined || i.vSwitchId === q.VSwitchId) &&
            (q.SecurityGroupId === undefined || i.securityGroupIds.includes(q.SecurityGroupId)) &&
            (q.ImageId === undefined || i.imageId === q.ImageId) &&
            (!q.PrivateIpAddresses || q.PrivateIpAddresses.includes(i.primaryIp)) &&
            matchesTags(i.tags, q.Tag),
        )
      : [];
    if (q.NextToken !== undefined || q.MaxResults !== undefined) {
      const paged = tokenPageOf(instances, q.NextToken, q.MaxResults ?? 10);
      if (!paged) throw apiErrors.invalidParameter('NextToken');
      return { NextToken: paged.NextToken, Instances: { Instance: paged.page.map((i) => instanceAnswer(ctx.cloud, i)) } };
    }
    const { page, ...paging } = pageOf(instances, q.PageNumber, q.PageSize);
    return { ...paging, Instances: { Instance: page.map((i) => instanceAnswer(ctx.cloud, i)) } };
  },
});

export const deleteInstance = defineAction({
  name: 'DeleteInstance',
  product: 'ecs',
  params: z.object({
    InstanceId: p.nonEmpty(),
    Force: p.bool().optional(),
    ForceStop: p.bool().optional(),
    TerminateSubscription: p.bool().optional(),
    DryRun: p.bool().optional(),
  }),
  handle: ({ cloud }, q) => {
    if (q.DryRun) {
      cloud.instance(q.InstanceId);
      throw dryRunPassed();
    }
    deleteInstances(cloud, [q.InstanceId], q.Force ?? false);
    return {};
  },
});

export const deleteInstancesAction = defineAction({
  name: 'DeleteInstances',
  product: 'ecs',
  idempotent: true,
  params: z.object({
    RegionId: p.nonEmpty(),
    InstanceId: p.list(p.nonEmpty()).min(1).max(100),
    Force: p.bool().optional(),
    ForceStop: p.bool().optional(),
    TerminateSubscription: p.bool().optional(),
    ClientToken: p.str().optional(),
    DryRun: p.bool().optional(),
  }),
  handle: ({ cloud }, q) => {
    cloud.checkRegion(q.RegionId);
    if (q.DryRun) {
      for (const id of q.InstanceId) cloud.instance(id);
      throw dryRunPassed();
    }
    deleteInstances(cloud, q.InstanceId, q.Force ?? false);
    return {};
  },
});
