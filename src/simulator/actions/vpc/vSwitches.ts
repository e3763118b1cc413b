// VPC DescribeVSwitches: tags, ids, zone, VPC, name; PageNumber paging; the live free-address count.
import { z } from 'zod';
import { apiErrors } from '../../errors.js';
import type { VSwitchRecord } from '../../model/network.js';
import { matchesTags, vpcTags } from '../../model/tags.js';
import { p } from '../../server/params.js';
import { defineAction, inSimulatedRegion, pageOf } from '../action.js';

function vSwitchAnswer(vsw: VSwitchRecord, routeTableId: string): Record<string, unknown> {
  return {
    VSwitchId: vsw.id,
    VpcId: vsw.vpcId,
    Status: 'Available',
    CidrBlock: vsw.cidrBlock,
    ZoneId: vsw.zoneId,
    AvailableIpAddressCount: vsw.pool.available,
    Description: vsw.description,
    VSwitchName: vsw.name,
    CreationTime: vsw.creationTime,
    IsDefault: false,
    ResourceGroupId: '',
    NetworkAclId: '',
    EnabledIpv6: false,
    Ipv6CidrBlock: '',
    ShareType: 'Sharing',
    RouteTable: { RouteTableId: routeTableId, RouteTableType: 'System' },
    Tags: vpcTags(vsw.tags),
  };
}

export const describeVSwitches = defineAction({
  name: 'DescribeVSwitches',
  product: 'vpc',
  params: z.object({
    RegionId: p.str().optional(),
    VpcId: p.str().optional(),
    VSwitchId: p.str().optional(),
    ZoneId: p.str().optional(),
    VSwitchName: p.str().optional(),
    IsDefault: p.bool().optional(),
    Tag: p.tags().optional(),
    PageNumber: p.int().min(1).optional(),
    PageSize: p.int().min(1).max(50).optional(),
  }),
  handle: (ctx, q) => {
    if (q.RegionId === undefined && q.VpcId === undefined) throw apiErrors.missingParameter('RegionId');
    const inRegion = q.RegionId === undefined || inSimulatedRegion(ctx, q.RegionId);
    const ids = q.VSwitchId?.split(',').map((s) => s.trim()).filter(Boolean);
    if (ids && ids.length > 20) throw apiErrors.invalidParameter('VSwitchId', 'At most 20 ids.');
    const matches = inRegion
      ? [...ctx.cloud.vSwitches.values()].filter(
          (v) =>
            (q.VpcId === undefined || v.vpcId === q.VpcId) &&
            (!ids || ids.includes(v.id)) &&
            (q.ZoneId === undefined || v.zoneId === q.ZoneId) &&
            (q.VSwitchName === undefined || v.name === q.VSwitchName) &&
            (q.IsDefault === undefined || q.IsDefault === false) &&
            matchesTags(v.tags, q.Tag),
        )
      : [];
    const { page, ...paging } = pageOf(matches, q.PageNumber, q.PageSize, 50);
    return {
      ...paging,
      VSwitches: {
        VSwitch: page.map((v) => vSwitchAnswer(v, ctx.cloud.vpcs.get(v.vpcId)?.vRouterId.replace(/^vrt-/, 'vtb-') ?? '')),
      },
    };
  },
});
