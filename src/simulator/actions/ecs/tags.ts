// TagResources, UntagResources and AddTags for the ECS resources the simulator models.
import { z } from 'zod';
import { ApiError, apiErrors } from '../../errors.js';
import type { Cloud } from '../../model/cloud.js';
import { applyTags, type Tags } from '../../model/tags.js';
import { p } from '../../server/params.js';
import { defineAction } from '../action.js';

const resourceTypes = ['instance', 'eni', 'securitygroup', 'image'] as const;
type TaggableType = (typeof resourceTypes)[number];

function tagsOf(cloud: Cloud, type: string, id: string): Tags {
  const lookup: Record<TaggableType, () => { tags: Tags } | undefined> = {
    instance: () => cloud.instances.get(id),
    eni: () => cloud.networkInterfaces.get(id),
    securitygroup: () => cloud.securityGroups.get(id),
    image: () => cloud.images.get(id),
  };
  const key = type.toLowerCase();
  if (!(resourceTypes as readonly string[]).includes(key)) {
    throw apiErrors.invalidParameter('ResourceType', `Supported: ${resourceTypes.join(', ')}.`);
  }
  const resource = lookup[key as TaggableType]();
  if (!resource) throw new ApiError('InvalidResourceId.NotFound', `The specified ResourceId ${id} does not exist.`, 404);
  return resource.tags;
}

function checkTagKeys(tags: readonly { Key?: string | undefined }[]): void {
  for (const { Key } of tags) {
    if (Key === undefined || Key === '' || /^(aliyun|acs:)/i.test(Key) || /https?:\/\//.test(Key) || Key.length > 128) {
      throw new ApiError('InvalidTagKey.Malformed', `The specified tag key ${Key ?? ''} is not valid.`, 400);
    }
  }
}

/** Tags several resources all or none: every resource is checked before any is changed. */
function tagAll(cloud: Cloud, type: string, ids: readonly string[], tags: readonly { Key?: string; Value?: string }[]): void {
  checkTagKeys(tags);
  const targets = ids.map((id) => tagsOf(cloud, type, id));
  for (const target of targets) {
    const trial = new Map(target);
    applyTags(trial, tags);
  }
  for (const target of targets) applyTags(target, tags);
}

export const tagResources = defineAction({
  name: 'TagResources',
  product: 'ecs',
  params: z.object({
    RegionId: p.nonEmpty(),
    ResourceType: p.nonEmpty(),
    ResourceId: p.list(p.nonEmpty()).min(1).max(50),
    Tag: p.tags().min(1),
  }),
  handle: ({ cloud }, q) => {
    cloud.checkRegion(q.RegionId);
    tagAll(cloud, q.ResourceType, q.ResourceId, q.Tag);
    return {};
  },
});

export const addTags = defineAction({
  name: 'AddTags',
  product: 'ecs',
  params: z.object({ RegionId: p.nonEmpty(), ResourceType: p.nonEmpty(), ResourceId: p.nonEmpty(), Tag: p.tags().min(1) }),
  handle: ({ cloud }, q) => {
    cloud.checkRegion(q.RegionId);
    tagAll(cloud, q.ResourceType, [q.ResourceId], q.Tag);
    return {};
  },
});

export const untagResources = defineAction({
  name: 'UntagResources',
  product: 'ecs',
  params: z.object({
    RegionId: p.nonEmpty(),
    ResourceType: p.nonEmpty(),
    ResourceId: p.list(p.nonEmpty()).min(1).max(50),
    TagKey: p.list(p.str()).max(20).optional(),
    All: p.bool().optional(),
  }),
  handle: ({ cloud }, q) => {
    cloud.checkRegion(q.RegionId);
    const targets = q.ResourceId.map((id) => tagsOf(cloud, q.ResourceType, id));
    for (const tags of targets) {
      if (q.All) tags.clear();
      for (const key of q.TagKey ?? []) tags.delete(key);
    }
    return {};
  },
});
