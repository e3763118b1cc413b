// CreateAutoProvisioningGroup, instant type: one synchronous attempt over the candidate
// (instance type, vSwitch) pairs of LaunchTemplateConfig, cheapest first (lowest-price) or by
// Priority (prioritized), until the target capacity is met. Each candidate tried gives a
// LaunchResult: instance ids on success, ErrorCode/ErrorMsg (e.g. OperationDenied.NoStock) on
// failure. If MinTargetCapacity is not reached nothing is kept.
import { z } from 'zod';
import { ApiError, apiErrors } from '../../errors.js';
import type { Cloud } from '../../model/cloud.js';
import { currentPrice, discardInstances, launchInstances, resolveImage, startInstances, type LaunchRequest } from '../../model/compute.js';
import type { CapacityType } from '../../model/offerings.js';
import type { InstanceRecord } from '../../model/records.js';
import { p } from '../../server/params.js';
import { defineAction } from '../action.js';
import { checkUserData, stripUndefined } from './instances.js';

const launchTemplateConfig = z.object({
  InstanceType: p.nonEmpty(),
  VSwitchId: p.nonEmpty(),
  MaxPrice: p.num().optional(),
  Priority: p.int().min(0).optional(),
  WeightedCapacity: p.num().positive().optional(),
  ImageId: p.str().optional(),
});

const launchConfiguration = z.object({
  ImageId: p.str().optional(),
  ImageFamily: p.str().optional(),
  SecurityGroupId: p.str().optional(),
  SecurityGroupIds: p.list(p.str()).optional(),
  UserData: p.str().optional(),
  InstanceName: p.str().optional(),
  InstanceDescription: p.str().optional(),
  HostName: p.str().optional(),
  SystemDiskCategory: p.str().optional(),
  SystemDiskSize: p.int().min(20).max(2048).optional(),
  Tag: p.tags().optional(),
  ResourceGroupId: p.str().optional(),
});

interface Candidate {
  instanceType: string;
  vSwitchId: string;
  zoneId: string | undefined;
  maxPrice: number | undefined;
  priority: number;
  weight: number;
  imageId: string | undefined;
  order: number;
}

interface LaunchResult {
  InstanceType: string;
  ZoneId: string;
  SpotStrategy: string;
  Amount: number;
  InstanceIds?: { InstanceId: string[] };
  ErrorCode?: string;
  ErrorMsg?: string;
}

function capacityOf(text: string | undefined, name: string): number {
  if (text === undefined || text === '') return 0;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw apiErrors.invalidParameter(name);
  return n;
}

function orderCandidates(
  cloud: Cloud,
  candidates: Candidate[],
  capacityType: CapacityType,
  strategy: string,
): Candidate[] {
  const price = (c: Candidate) =>
    c.zoneId === undefined ? Infinity : (currentPrice(cloud, c.instanceType, c.zoneId, capacityType) ?? Infinity);
  if (strategy === 'prioritized') return [...candidates].sort((a, b) => a.priority - b.priority || price(a) - price(b) || a.order - b.order);
  return [...candidates].sort((a, b) => price(a) - price(b) || a.order - b.order);
}

export const createAutoProvisioningGroup = defineAction({
  name: 'CreateAutoProvisioningGroup',
  product: 'ecs',
  idempotent: true,
  params: z.object({
    RegionId: p.nonEmpty(),
    TotalTargetCapacity: p.nonEmpty(),
    AutoProvisioningGroupType: z.enum(['request', 'maintain', 'instant']).optional(),
    AutoProvisioningGroupName: p.str().optional(),
    LaunchTemplateConfig: p.list(launchTemplateConfig).min(1).max(20),
    LaunchConfiguration: launchConfiguration.optional(),
    LaunchTemplateId: p.str().optional(),
    DefaultTargetCapacityType: z.enum(['Spot', 'PayAsYouGo']).optional(),
    SpotTargetCapacity: p.str().optional(),
    PayAsYouGoTargetCapacity: p.str().optional(),
    MinTargetCapacity: p.str().optional(),
    SpotAllocationStrategy: z.enum(['lowest-price', 'diversified', 'capacity-optimized']).optional(),
    PayAsYouGoAllocationStrategy: z.enum(['lowest-price', 'prioritized']).optional(),
    MaxSpotPrice: p.num().optional(),
    ExcessCapacityTerminationPolicy: p.str().optional(),
    Tag: p.tags().optional(),
    ClientToken: p.str().optional(),
  }),
  handle: ({ cloud }, q) => {
    cloud.checkRegion(q.RegionId);
    if ((q.AutoProvisioningGroupType ?? 'maintain') !== 'instant') {
      throw apiErrors.invalidParameter('AutoProvisioningGroupType', 'The simulator supports the instant type only.');
    }
    if (q.LaunchTemplateId !== undefined) throw apiErrors.invalidParameter('LaunchTemplateId', 'Not supported by the simulator.');
    const config = q.LaunchConfiguration ?? {};
    checkUserData(config.UserData);
    const total = capacityOf(q.TotalTargetCapacity, 'TotalTargetCapacity');
    if (total <= 0) throw apiErrors.invalidParameter('TotalTargetCapacity', 'Must be positive.');
    const spotTarget = capacityOf(q.SpotTargetCapacity, 'SpotTargetCapacity');
    const payTarget = capacityOf(q.PayAsYouGoTargetCapacity, 'PayAsYouGoTargetCapacity');
    if (spotTarget + payTarget > total) throw apiErrors.invalidParameter('TotalTargetCapacity', 'Smaller than Spot plus PayAsYouGo capacity.');
    const rest = total - spotTarget - payTarget;
    const defaultType = q.DefaultTargetCapacityType ?? 'Spot';
    const targets: Record<CapacityType, number> = {
      spot: spotTarget + (defaultType === 'Spot' ? rest : 0),
      'on-demand': payTarget + (defaultType === 'PayAsYouGo' ? rest : 0),
    };
    const minTarget = capacityOf(q.MinTargetCapacity, 'MinTargetCapacity');
    // Request-level mistakes fail the call; only capacity and placement fail per candidate.
    const securityGroupIds = [...(config.SecurityGroupIds ?? []), ...(config.SecurityGroupId ? [config.SecurityGroupId] : [])];
    if (securityGroupIds.length === 0) throw apiErrors.missingParameter('LaunchConfiguration.SecurityGroupId');
    for (const id of securityGroupIds) if (!cloud.securityGroups.has(id)) throw apiErrors.securityGroupNotFound(id);
    if (q.LaunchTemplateConfig.some((c) => c.ImageId === undefined)) resolveImage(cloud, config.ImageId, config.ImageFamily);

    const candidates: Candidate[] = q.LaunchTemplateConfig.map((c, order) => ({
      instanceType: c.InstanceType,
      vSwitchId: c.VSwitchId,
      zoneId: cloud.vSwitches.get(c.VSwitchId)?.zoneId,
      maxPrice: c.MaxPrice ?? q.MaxSpotPrice,
      priority: c.Priority ?? 0,
      weight: c.WeightedCapacity ?? 1,
      imageId: c.ImageId,
      order,
    }));

    const groupId = cloud.ids.next('apg');
    const results: LaunchResult[] = [];
    const launched: InstanceRecord[] = [];
    let fulfilled = 0;
    for (const capacityType of ['spot', 'on-demand'] as const) {
      let remaining = targets[capacityType];
      if (remaining <= 0) continue;
      const strategy = capacityType === 'spot' ? (q.SpotAllocationStrategy ?? 'lowest-price') : (q.PayAsYouGoAllocationStrategy ?? 'lowest-price');
      const spotStrategy = capacityType === 'spot' ? 'SpotAsPriceGo' : 'NoSpot';
      for (const candidate of orderCandidates(cloud, candidates, capacityType, strategy)) {
        if (remaining <= 0) break;
        const amount = Math.min(100, Math.ceil(remaining / candidate.weight));
        const base: LaunchResult = {
          InstanceType: candidate.instanceType,
          ZoneId: candidate.zoneId ?? '',
          SpotStrategy: spotStrategy,
          Amount: 0,
        };
        try {
          if (capacityType === 'spot' && candidate.maxPrice !== undefined && candidate.zoneId !== undefined) {
            const price = currentPrice(cloud, candidate.instanceType, candidate.zoneId, 'spot');
            if (price !== undefined && candidate.maxPrice < price) throw apiErrors.spotPriceTooLow();
          }
          const request: LaunchRequest = stripUndefined({
            instanceType: candidate.instanceType,
            vSwitchId: candidate.vSwitchId,
            imageId: candidate.imageId ?? config.ImageId,
            imageFamily: config.ImageFamily,
            securityGroupIds,
            spotStrategy,
            instanceChargeType: 'PostPaid' as const,
            instanceName: config.InstanceName,
            hostName: config.HostName,
            description: config.InstanceDescription,
            userData: config.UserData,
            tags: [...(config.Tag ?? []), ...(q.Tag ?? [])],
            systemDisk: { category: config.SystemDiskCategory ?? 'cloud_essd', sizeGiB: config.SystemDiskSize ?? 40 },
            amount,
            minAmount: 1,
            autoProvisioningGroupId: groupId,
          });
          const instances = launchInstances(cloud, request);
          launched.push(...instances);
          remaining -= instances.length * candidate.weight;
          fulfilled += instances.length * candidate.weight;
          results.push({ ...base, Amount: instances.length, InstanceIds: { InstanceId: instances.map((i) => i.id) } });
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          results.push({ ...base, ErrorCode: err.code, ErrorMsg: err.message });
        }
      }
    }
    if (fulfilled < minTarget) {
      discardInstances(cloud, launched);
      return {
        AutoProvisioningGroupId: groupId,
        LaunchResults: { LaunchResult: results.filter((r) => r.ErrorCode !== undefined) },
      };
    }
    startInstances(cloud, launched);
    // Successful results first: clients commonly read LaunchResult[0].
    const ordered = [...results.filter((r) => r.ErrorCode === undefined), ...results.filter((r) => r.ErrorCode !== undefined)];
    return { AutoProvisioningGroupId: groupId, LaunchResults: { LaunchResult: ordered } };
  },
});
