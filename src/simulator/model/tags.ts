// Tags as ECS and VPC keep them: an ordered key-value map, at most 20 per resource, matched by
// key and (optionally) value in Describe* filters.
import { ApiError } from '../errors.js';

export type Tags = Map<string, string>;

export interface TagFilter {
  Key?: string | undefined;
  Value?: string | undefined;
}

export const maxTagsPerResource = 20;

/** Every filter must match: the key present, and the value equal when one is given. */
export function matchesTags(tags: Tags, filters: readonly TagFilter[] | undefined): boolean {
  if (!filters) return true;
  return filters.every((f) => {
    if (f.Key === undefined || f.Key === '') return true;
    if (!tags.has(f.Key)) return false;
    return f.Value === undefined || tags.get(f.Key) === f.Value;
  });
}

export function applyTags(tags: Tags, entries: readonly TagFilter[] | undefined): void {
  for (const { Key, Value } of entries ?? []) {
    if (Key === undefined || Key === '') continue;
    tags.set(Key, Value ?? '');
  }
  if (tags.size > maxTagsPerResource) {
    throw new ApiError('InvalidTagCount', `The number of tags on a resource cannot exceed ${maxTagsPerResource}.`, 400);
  }
}

export function tagsFrom(entries: readonly TagFilter[] | undefined): Tags {
  const tags: Tags = new Map();
  applyTags(tags, entries);
  return tags;
}

/** ECS shape: { Tag: [{ TagKey, TagValue }] }. */
export function ecsTags(tags: Tags): { Tag: { TagKey: string; TagValue: string }[] } {
  return { Tag: [...tags].map(([TagKey, TagValue]) => ({ TagKey, TagValue })) };
}

/** VPC shape: { Tag: [{ Key, Value }] }. */
export function vpcTags(tags: Tags): { Tag: { Key: string; Value: string }[] } {
  return { Tag: [...tags].map(([Key, Value]) => ({ Key, Value })) };
}
