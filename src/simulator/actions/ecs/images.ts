// DescribeImages: by id (comma-separated), family, name, architecture, owner, with paging.
import { z } from 'zod';
import type { ImageRecord } from '../../model/images.js';
import { ecsTags, matchesTags } from '../../model/tags.js';
import { p } from '../../server/params.js';
import { defineAction, inSimulatedRegion, pageOf } from '../action.js';

function imageAnswer(image: ImageRecord): Record<string, unknown> {
  return {
    ImageId: image.id,
    ImageName: image.name,
    ImageFamily: image.family,
    ImageVersion: image.version,
    ImageOwnerAlias: image.ownerAlias,
    Architecture: image.architecture,
    OSName: image.osName,
    OSNameEn: image.osNameEn,
    OSType: 'linux',
    Platform: image.platform,
    Description: image.description,
    Size: image.sizeGiB,
    CreationTime: image.creationTime,
    Status: 'Available',
    Usage: 'instance',
    IsPublic: image.ownerAlias === 'system',
    IsSupportCloudinit: true,
    IsSupportIoOptimized: true,
    BootMode: 'UEFI-Preferred',
    Progress: '100%',
    DiskDeviceMappings: { DiskDeviceMapping: [{ Device: '/dev/xvda', Size: String(image.sizeGiB), Type: 'system', Format: '', SnapshotId: '' }] },
    Tags: ecsTags(image.tags),
  };
}

export const describeImages = defineAction({
  name: 'DescribeImages',
  product: 'ecs',
  params: z.object({
    RegionId: p.nonEmpty(),
    ImageId: p.str().optional(),
    ImageName: p.str().optional(),
    ImageFamily: p.str().optional(),
    Architecture: z.enum(['i386', 'x86_64', 'arm64']).optional(),
    ImageOwnerAlias: z.enum(['system', 'self', 'others', 'marketplace']).optional(),
    OSType: z.enum(['windows', 'linux']).optional(),
    Status: p.str().optional(),
    IsPublic: p.bool().optional(),
    Tag: p.tags().optional(),
    PageNumber: p.int().min(1).optional(),
    PageSize: p.int().min(1).max(100).optional(),
  }),
  handle: (ctx, q) => {
    const ids = q.ImageId?.split(',').map((s) => s.trim()).filter(Boolean);
    const statuses = (q.Status ?? 'Available').split(',');
    const images = inSimulatedRegion(ctx, q.RegionId)
      ? [...ctx.cloud.images.values()]
          .filter(
            (i) =>
              (!ids || ids.includes(i.id)) &&
              (q.ImageName === undefined || i.name === q.ImageName) &&
              (q.ImageFamily === undefined || i.family === q.ImageFamily) &&
              (q.Architecture === undefined || i.architecture === q.Architecture) &&
              (q.ImageOwnerAlias === undefined || i.ownerAlias === q.ImageOwnerAlias) &&
              (q.OSType === undefined || q.OSType === 'linux') &&
              (q.IsPublic === undefined || q.IsPublic === (i.ownerAlias === 'system')) &&
              statuses.includes('Available') &&
              matchesTags(i.tags, q.Tag),
          )
          .sort((a, b) => b.creationTime.localeCompare(a.creationTime) || a.id.localeCompare(b.id))
      : [];
    const { page, ...paging } = pageOf(images, q.PageNumber, q.PageSize);
    return { RegionId: q.RegionId, ...paging, Images: { Image: page.map(imageAnswer) } };
  },
});
