// VPC DescribeVpcs.
import { z } from 'zod';
import type { VpcRecord } from '../../model/network.js';
import { matchesTags, vpcTags } from '../../model/tags.js';
import { p } from '../../server/params.js';
import { defineAction, inSimulatedRegion, pageOf } from '../action.js';
import type { Cloud } from '../../model/cloud.js';

function vpcAnswer(cloud: Cloud, vpc: VpcRecord): Record<string, unknown> {
  return {
    VpcId: vpc.id,
    RegionId: vpc.regionId,
    Status: 'Available',
    VpcName: vpc.name,
    CidrBlock: vpc.cidrBlock,
    Description: vpc.description,
    CreationTime: vpc.creationTime,
    IsDefault: false,
    VRouterId: vpc.vRouterId,
    ResourceGroupId: '',
    EnabledIpv6: false,
    VSwitchIds: { VSwitchId: [...cloud.vSwitches.values()].filter((v) => v.vpcId === vpc.id).map((v) => v.id) },
    RouterTableIds: { RouterTableIds: [vpc.vRouterId.replace(/^vrt-/, 'vtb-')] },
    NatGatewayIds: { NatGatewayIds: [] },
    SecondaryCidrBlocks: { SecondaryCidrBlock: [] },
    UserCidrs: { UserCidr: [] },
    Tags: vpcTags(vpc.tags),
  };
}

export const describeVpcs = defineAction({
  name: 'DescribeVpcs',
  product: 'vpc',
  params: z.object({
    RegionId: p.nonEmpty(),
    VpcId: p.str().optional(),
    VpcName: p.str().optional(),
    IsDefault: p.bool().optional(),
    Tag: p.tags().optional(),
    PageNumber: p.int().min(1).optional(),
    PageSize: p.int().min(1).max(50).optional(),
  }),
  handle: (ctx, q) => {
    const ids = q.VpcId?.split(',').map((s) => s.trim()).filter(Boolean);
    const matches = inSimulatedRegion(ctx, q.RegionId)
      ? [...ctx.cloud.vpcs.values()].filter(
          (v) =>
            (!ids || ids.includes(v.id)) &&
            (q.VpcName === undefined || v.name === q.VpcName) &&
            (q.IsDefault === undefined || q.IsDefault === false) &&
            matchesTags(v.tags, q.Tag),
        )
      : [];
    const { page, ...paging } = pageOf(matches, q.PageNumber, q.PageSize, 50);
    return { ...paging, Vpcs: { Vpc: page.map((v) => vpcAnswer(ctx.cloud, v)) } };
  },
});
