// DescribeSecurityGroups: by id, ids (JSON), name, VPC and tags; page-number or NextToken paging.
import { z } from 'zod';
import { apiErrors } from '../../errors.js';
import type { SecurityGroupRecord } from '../../model/securityGroups.js';
import { ecsTags, matchesTags } from '../../model/tags.js';
import { p } from '../../server/params.js';
import { defineAction, inSimulatedRegion, pageOf, tokenPageOf } from '../action.js';

function securityGroupAnswer(sg: SecurityGroupRecord): Record<string, unknown> {
  return {
    SecurityGroupId: sg.id,
    SecurityGroupName: sg.name,
    Description: sg.description,
    VpcId: sg.vpcId,
    SecurityGroupType: sg.type,
    CreationTime: sg.creationTime,
    ResourceGroupId: '',
    ServiceManaged: false,
    Tags: ecsTags(sg.tags),
  };
}

export const describeSecurityGroups = defineAction({
  name: 'DescribeSecurityGroups',
  product: 'ecs',
  params: z.object({
    RegionId: p.nonEmpty(),
    VpcId: p.str().optional(),
    SecurityGroupId: p.str().optional(),
    SecurityGroupIds: p.jsonStrings().optional(),
    SecurityGroupName: p.str().optional(),
    SecurityGroupType: z.enum(['normal', 'enterprise']).optional(),
    Tag: p.tags().optional(),
    PageNumber: p.int().min(1).optional(),
    PageSize: p.int().min(1).max(50).optional(),
    MaxResults: p.int().min(10).max(100).optional(),
    NextToken: p.str().optional(),
  }),
  handle: (ctx, q) => {
    const groups = inSimulatedRegion(ctx, q.RegionId)
      ? [...ctx.cloud.securityGroups.values()].filter(
          (sg) =>
            (q.VpcId === undefined || sg.vpcId === q.VpcId) &&
            (q.SecurityGroupId === undefined || sg.id === q.SecurityGroupId) &&
            (q.SecurityGroupIds === undefined || q.SecurityGroupIds.includes(sg.id)) &&
            (q.SecurityGroupName === undefined || sg.name === q.SecurityGroupName) &&
            (q.SecurityGroupType === undefined || sg.type === q.SecurityGroupType) &&
            matchesTags(sg.tags, q.Tag),
        )
      : [];
    if (q.NextToken !== undefined || q.MaxResults !== undefined) {
      const paged = tokenPageOf(groups, q.NextToken, q.MaxResults ?? 10);
      if (!paged) throw apiErrors.invalidParameter('NextToken');
      return { RegionId: q.RegionId, NextToken: paged.NextToken, SecurityGroups: { SecurityGroup: paged.page.map(securityGroupAnswer) } };
    }
    const { page, ...paging } = pageOf(groups, q.PageNumber, q.PageSize, 50);
    return { RegionId: q.RegionId, ...paging, SecurityGroups: { SecurityGroup: page.map(securityGroupAnswer) } };
  },
});
