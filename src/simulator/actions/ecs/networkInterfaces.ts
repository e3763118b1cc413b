// CreateNetworkInterface, AttachNetworkInterface, DetachNetworkInterface,
// DeleteNetworkInterface and DescribeNetworkInterfaces.
import { z } from 'zod';
import { apiErrors } from '../../errors.js';
import {
  attachNetworkInterface,
  createNetworkInterface,
  deleteNetworkInterface,
  detachNetworkInterface,
} from '../../model/interfaces.js';
import type { NetworkInterfaceRecord } from '../../model/records.js';
import { ecsTags, matchesTags } from '../../model/tags.js';
import { p } from '../../server/params.js';
import { defineAction, inSimulatedRegion, pageOf, tokenPageOf } from '../action.js';
import { stripUndefined } from './instances.js';

function privateIpSets(eni: NetworkInterfaceRecord) {
  return {
    PrivateIpSet: [
      { PrivateIpAddress: eni.primaryIp, Primary: true },
      ...eni.secondaryIps.map((ip) => ({ PrivateIpAddress: ip, Primary: false })),
    ],
  };
}

function interfaceAnswer(eni: NetworkInterfaceRecord): Record<string, unknown> {
  const answer: Record<string, unknown> = {
    NetworkInterfaceId: eni.id,
    NetworkInterfaceName: eni.name,
    Description: eni.description,
    Status: eni.status,
    Type: eni.type,
    VpcId: eni.vpcId,
    VSwitchId: eni.vSwitchId,
    ZoneId: eni.zoneId,
    PrivateIpAddress: eni.primaryIp,
    MacAddress: eni.mac,
    SecurityGroupIds: { SecurityGroupId: eni.securityGroupIds },
    PrivateIpSets: privateIpSets(eni),
    Tags: ecsTags(eni.tags),
    CreationTime: eni.creationTime,
    ResourceGroupId: eni.resourceGroupId,
    DeleteOnRelease: eni.deleteOnRelease,
    ServiceManaged: false,
    InstanceId: eni.instanceId ?? '',
  };
  if (eni.instanceId !== undefined) {
    answer.Attachment = { InstanceId: eni.instanceId, DeviceIndex: eni.deviceIndex ?? 0, NetworkCardIndex: 0 };
  }
  return answer;
}

export const createNetworkInterfaceAction = defineAction({
  name: 'CreateNetworkInterface',
  product: 'ecs',
  idempotent: true,
  params: z.object({
    RegionId: p.nonEmpty(),
    VSwitchId: p.nonEmpty(),
    SecurityGroupId: p.str().optional(),
    SecurityGroupIds: p.list(p.str()).max(10).optional(),
    PrimaryIpAddress: p.str().optional(),
    PrivateIpAddress: p.list(p.str()).optional(),
    SecondaryPrivateIpAddressCount: p.int().min(0).optional(),
    NetworkInterfaceName: p.str().optional(),
    Description: p.str().optional(),
    Tag: p.tags().optional(),
    DeleteOnRelease: p.bool().optional(),
    ResourceGroupId: p.str().optional(),
    InstanceType: p.str().optional(),
    ClientToken: p.str().optional(),
  }),
  handle: ({ cloud }, q) => {
    cloud.checkRegion(q.RegionId);
    const eni = createNetworkInterface(
      cloud,
      stripUndefined({
        vSwitchId: q.VSwitchId,
        securityGroupIds: [...(q.SecurityGroupIds ?? []), ...(q.SecurityGroupId ? [q.SecurityGroupId] : [])],
        primaryIpAddress: q.PrimaryIpAddress,
        privateIpAddresses: q.PrivateIpAddress,
        secondaryPrivateIpAddressCount: q.SecondaryPrivateIpAddressCount,
        name: q.NetworkInterfaceName,
        description: q.Description,
        tags: q.Tag,
        deleteOnRelease: q.DeleteOnRelease,
        resourceGroupId: q.ResourceGroupId,
      }),
    );
    const { InstanceId: _unattached, ...answer } = interfaceAnswer(eni);
    return { ...answer, SourceDestCheck: false };
  },
});

const attachParams = z.object({ RegionId: p.nonEmpty(), NetworkInterfaceId: p.nonEmpty(), InstanceId: p.nonEmpty() });

export const attachNetworkInterfaceAction = defineAction({
  name: 'AttachNetworkInterface',
  product: 'ecs',
  params: attachParams.extend({ TrunkNetworkInstanceId: p.str().optional(), WaitForNetworkConfigurationReady: p.bool().optional() }),
  handle: ({ cloud }, q) => {
    cloud.checkRegion(q.RegionId);
    attachNetworkInterface(cloud, q.NetworkInterfaceId, q.InstanceId);
    return {};
  },
});

export const detachNetworkInterfaceAction = defineAction({
  name: 'DetachNetworkInterface',
  product: 'ecs',
  params: attachParams.extend({ TrunkNetworkInstanceId: p.str().optional() }),
  handle: ({ cloud }, q) => {
    cloud.checkRegion(q.RegionId);
    detachNetworkInterface(cloud, q.NetworkInterfaceId, q.InstanceId);
    return {};
  },
});

export const deleteNetworkInterfaceAction = defineAction({
  name: 'DeleteNetworkInterface',
  product: 'ecs',
  params: z.object({ RegionId: p.nonEmpty(), NetworkInterfaceId: p.nonEmpty() }),
  handle: ({ cloud }, q) => {
    cloud.checkRegion(q.RegionId);
    deleteNetworkInterface(cloud, q.NetworkInterfaceId);
    return {};
  },
});

export const describeNetworkInterfaces = defineAction({
  name: 'DescribeNetworkInterfaces',
  product: 'ecs',
  params: z.object({
    RegionId: p.nonEmpty(),
    NetworkInterfaceId: p.list(p.str()).max(100).optional(),
    NetworkInterfaceName: p.str().optional(),
    InstanceId: p.str().optional(),
    VSwitchId: p.str().optional(),
    VpcId: p.str().optional(),
    SecurityGroupId: p.str().optional(),
    PrimaryIpAddress: p.str().optional(),
    PrivateIpAddress: p.list(p.str()).optional(),
    Type: z.enum(['Primary', 'Secondary']).optional(),
    Status: z.enum(['Available', 'Attaching', 'InUse', 'Detaching', 'Deleting']).optional(),
    Tag: p.tags().optional(),
    PageNumber: p.int().min(1).optional(),
    PageSize: p.int().min(1).max(1000).optional(),
    MaxResults: p.int().min(1).max(500).optional(),
    NextToken: p.str().optional(),
  }),
  handle: (ctx, q) => {
    const interfaces = inSimulatedRegion(ctx, q.RegionId)
      ? [...ctx.cloud.networkInterfaces.values()].filter(
          (eni) =>
            (!q.NetworkInterfaceId || q.NetworkInterfaceId.includes(eni.id)) &&
            (q.NetworkInterfaceName === undefined || eni.name === q.NetworkInterfaceName) &&
            (q.InstanceId === undefined || eni.instanceId === q.InstanceId) &&
            (q.VSwitchId === undefined || eni.vSwitchId === q.VSwitchId) &&
            (q.VpcId === undefined || eni.vpcId === q.VpcId) &&
            (q.SecurityGroupId === undefined || eni.securityGroupIds.includes(q.SecurityGroupId)) &&
            (q.PrimaryIpAddress === undefined || eni.primaryIp === q.PrimaryIpAddress) &&
            (!q.PrivateIpAddress || q.PrivateIpAddress.some((ip) => ip === eni.primaryIp || eni.secondaryIps.includes(ip))) &&
            (q.Type === undefined || eni.type === q.Type) &&
            (q.Status === undefined || eni.status === q.Status) &&
            matchesTags(eni.tags, q.Tag),
        )
      : [];
    if (q.NextToken !== undefined || q.MaxResults !== undefined) {
      const paged = tokenPageOf(interfaces, q.NextToken, q.MaxResults ?? 10);
      if (!paged) throw apiErrors.invalidParameter('NextToken');
      return {
        NextToken: paged.NextToken,
        TotalCount: interfaces.length,
        NetworkInterfaceSets: { NetworkInterfaceSet: paged.page.map(interfaceAnswer) },
      };
    }
    const { page, ...paging } = pageOf(interfaces, q.PageNumber, q.PageSize, 1000);
    return { ...paging, NextToken: '', NetworkInterfaceSets: { NetworkInterfaceSet: page.map(interfaceAnswer) } };
  },
});
