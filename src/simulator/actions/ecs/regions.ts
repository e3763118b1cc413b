// DescribeRegions and DescribeZones.
import { z } from 'zod';
import { p } from '../../server/params.js';
import { defineAction } from '../action.js';

const regionNames: Record<string, { zh: string; en: string }> = {
  'cn-hangzhou': { zh: '华东1（杭州）', en: 'China (Hangzhou)' },
  'cn-shanghai': { zh: '华东2（上海）', en: 'China (Shanghai)' },
  'cn-beijing': { zh: '华北2（北京）', en: 'China (Beijing)' },
  'cn-shenzhen': { zh: '华南1（深圳）', en: 'China (Shenzhen)' },
};

function english(acceptLanguage: string | undefined): boolean {
  return acceptLanguage === 'en-US';
}

export const describeRegions = defineAction({
  name: 'DescribeRegions',
  product: 'ecs',
  params: z.object({ AcceptLanguage: p.str().optional(), InstanceChargeType: p.str().optional(), ResourceType: p.str().optional() }),
  handle: ({ cloud }, params) => ({
    Regions: {
      Region: [...cloud.catalog.regions.keys()].map((regionId) => {
        const names = regionNames[regionId];
        return {
          RegionId: regionId,
          LocalName: names ? (english(params.AcceptLanguage) ? names.en : names.zh) : regionId,
          RegionEndpoint: `ecs.${regionId}.aliyuncs.com`,
          Status: 'available',
        };
      }),
    },
  }),
});

export const diskCategories = ['cloud_essd', 'cloud_auto', 'cloud_essd_entry', 'cloud_efficiency', 'cloud_ssd'];

export const describeZones = defineAction({
  name: 'DescribeZones',
  product: 'ecs',
  params: z.object({
    RegionId: p.nonEmpty(),
    AcceptLanguage: p.str().optional(),
    InstanceChargeType: p.str().optional(),
    SpotStrategy: z.enum(['NoSpot', 'SpotAsPriceGo', 'SpotWithPriceLimit']).optional(),
    Verbose: p.bool().optional(),
  }),
  handle: ({ cloud }, params) => {
    cloud.checkRegion(params.RegionId);
    const zones = cloud.offerings.zonesOf(params.RegionId);
    const verbose = params.Verbose ?? true;
    const cityEn = (regionNames[params.RegionId]?.en ?? params.RegionId).replace(/^China \((.*)\)$/, '$1');
    const cityZh = regionNames[params.RegionId]?.zh ?? params.RegionId;
    return {
      Zones: {
        Zone: zones.map((zoneId) => {
          const letter = zoneId.slice(zoneId.lastIndexOf('-') + 1).toUpperCase();
          const zone: Record<string, unknown> = {
            ZoneId: zoneId,
            LocalName: english(params.AcceptLanguage) ? `${cityEn} Zone ${letter}` : `${cityZh} 可用区${letter}`,
            ZoneType: 'AvailabilityZone',
            AvailableResourceCreation: { ResourceTypes: ['VSwitch', 'IoOptimized', 'Instance', 'Disk', 'DedicatedHost'] },
            AvailableDiskCategories: { DiskCategories: diskCategories },
            AvailableVolumeCategories: { VolumeCategories: ['cloud_essd', 'cloud_ssd', 'cloud_efficiency'] },
          };
          if (verbose) {
            zone.AvailableInstanceTypes = {
              InstanceTypes: [...cloud.catalog.instanceTypes.keys()].filter((t) => cloud.offerings.offered(params.RegionId, t, zoneId)),
            };
          }
          return zone;
        }),
      },
    };
  },
});
