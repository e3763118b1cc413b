// Launch requests and the reading of their answers, without I/O, so the request shape is unit
// tested and the provider only sends what these functions build.
//
// Two ways to launch are supported:
// - CreateAutoProvisioningGroup, type instant (the default): one call per run of consecutive
//   candidates with the same capacity type, each candidate a LaunchTemplateConfig override in
//   priority order, so ECS itself falls through sold-out candidates.
// - RunInstances: one call per candidate, cheapest first.
// Either way every call carries a ClientToken derived from the request's token and the call's
// exact parameters (so a retried call is answered with the instance it made, and a different
// call can never be mistaken for it), and the instance carries the request's token as a tag, so
// a relaunch after a crash finds it even if the candidate list has changed since.
import { createHash } from 'node:crypto';
import { TagLaunchToken } from '../../apis/labels.js';
import type { CloudErrorKind, FailedCandidate } from '../errors.js';
import type { DiskSpec, LaunchCandidate, LaunchRequest } from '../types.js';
import { classifyCode } from './error-classification.js';
import type { LaunchResultModel } from './schemas.js';

/** CreateAutoProvisioningGroup takes at most 20 LaunchTemplateConfig entries. */
export const maxLaunchTemplateConfigs = 20;

/** A ClientToken (at most 64 ASCII characters) for one call made on behalf of `clientToken`. */
export function callClientToken(clientToken: string, callParameters: unknown): string {
  return createHash('sha256').update(clientToken).update('\0').update(JSON.stringify(callParameters)).digest('hex');
}

export function encodeUserData(userData: string): string {
  return Buffer.from(userData, 'utf8').toString('base64');
}

/** Candidates split into runs of the same capacity type, order kept, each at most `maxSize` long. */
export function capacityRuns(candidates: LaunchCandidate[], maxSize = maxLaunchTemplateConfigs): LaunchCandidate[][] {
  const runs: LaunchCandidate[][] = [];
  for (const candidate of candidates) {
    const last = runs.at(-1);
    if (last && last[0]?.capacityType === candidate.capacityType && last.length < maxSize) last.push(candidate);
    else runs.push([candidate]);
  }
  return runs;
}

/** The tags every launched instance carries: the request's, plus the launch token. */
export function instanceTags(request: LaunchRequest): { key: string; value: string }[] {
  return Object.entries({ ...request.tags, [TagLaunchToken]: request.clientToken }).map(([key, value]) => ({ key, value }));
}

function dataDisks(disks: DiskSpec[] | undefined) {
  return (disks ?? []).map((disk) => ({
    category: disk.category,
    size: disk.sizeGiB,
    ...(disk.performanceLevel ? { performanceLevel: disk.performanceLevel } : {}),
    deleteWithInstance: true,
  }));
}

export interface AutoProvisioningGroupParams {
  regionId: string;
  clientToken: string;
  autoProvisioningGroupType: 'instant';
  totalTargetCapacity: string;
  defaultTargetCapacityType: 'Spot' | 'PayAsYouGo';
  spotTargetCapacity: string;
  payAsYouGoTargetCapacity: string;
  payAsYouGoAllocationStrategy?: 'prioritized';
  spotAllocationStrategy?: 'lowest-price';
  spotInstanceInterruptionBehavior?: 'Terminate';
  resourceGroupId?: string;
  launchTemplateConfig: {
    instanceType: string;
    vSwitchId: string;
    priority: number;
    weightedCapacity: number;
    maxPrice?: number;
  }[];
  launchConfiguration: Record<string, unknown>;
  tag: { key: string; value: string }[];
}

/** CreateAutoProvisioningGroup (instant) for one capacity run, candidates in priority order. */
export function autoProvisioningGroupParams(region: string, request: LaunchRequest, run: LaunchCandidate[]): AutoProvisioningGroupParams {
  const capacityType = run[0]?.capacityType;
  if (!capacityType || run.some((c) => c.capacityType !== capacityType)) {
    throw new Error('a capacity run must be non-empty and of one capacity type');
  }
  const spot = capacityType === 'spot';
  const tags = instanceTags(request);
  const params: Omit<AutoProvisioningGroupParams, 'clientToken'> = {
    regionId: region,
    autoProvisioningGroupType: 'instant',
    totalTargetCapacity: '1',
    defaultTargetCapacityType: spot ? 'Spot' : 'PayAsYouGo',
    spotTargetCapacity: spot ? '1' : '0',
    payAsYouGoTargetCapacity: spot ? '0' : '1',
    ...(spot
      ? { spotAllocationStrategy: 'lowest-price' as const, spotInstanceInterruptionBehavior: 'Terminate' as const }
      : { payAsYouGoAllocationStrategy: 'prioritized' as const }),
    ...(request.resourceGroupId ? { resourceGroupId: request.resourceGroupId } : {}),
    launchTemplateConfig: run.map((candidate, index) => ({
      instanceType: candidate.instanceType,
      vSwitchId: candidate.vSwitchId,
      // 0 is the highest priority.
      priority: index,
      weightedCapacity: 1,
      ...(spot && candidate.maxSpotPrice !== undefined ? { maxPrice: candidate.maxSpotPrice } : {}),
    })),
    launchConfiguration: {
      imageId: request.imageId,
      securityGroupIds: request.securityGroupIds,
      instanceName: request.name,
      hostName: request.name,
      userData: encodeUserData(request.userData),
      internetMaxBandwidthOut: 0,
      ...(request.systemDisk
        ? {
            systemDiskCategory: request.systemDisk.category,
            systemDiskSize: request.systemDisk.sizeGiB,
            ...(request.systemDisk.performanceLevel ? { systemDiskPerformanceLevel: request.systemDisk.performanceLevel } : {}),
          }
        : {}),
      ...(request.dataDisks?.length ? { dataDisk: dataDisks(request.dataDisks) } : {}),
      ...(request.resourceGroupId ? { resourceGroupId: request.resourceGroupId } : {}),
      tag: tags,
    },
    tag: tags,
  };
  return { ...params, clientToken: callClientToken(request.clientToken, params) };
}

/** RunInstances for one candidate. */
export function runInstancesParams(region: string, request: LaunchRequest, candidate: LaunchCandidate): Record<string, unknown> {
  const spot = candidate.capacityType === 'spot';
  const params: Record<string, unknown> = {
    regionId: region,
    zoneId: candidate.zone,
    instanceType: candidate.instanceType,
    vSwitchId: candidate.vSwitchId,
    imageId: request.imageId,
    securityGroupIds: request.securityGroupIds,
    instanceName: request.name,
    hostName: request.name,
    userData: encodeUserData(request.userData),
    instanceChargeType: 'PostPaid',
    internetMaxBandwidthOut: 0,
    amount: 1,
    minAmount: 1,
    spotStrategy: spot ? (candidate.maxSpotPrice !== undefined ? 'SpotWithPriceLimit' : 'SpotAsPriceGo') : 'NoSpot',
    ...(spot && candidate.maxSpotPrice !== undefined ? { spotPriceLimit: candidate.maxSpotPrice } : {}),
    ...(spot ? { spotInterruptionBehavior: 'Terminate' } : {}),
    ...(request.systemDisk
      ? {
          systemDisk: {
            category: request.systemDisk.category,
            size: String(request.systemDisk.sizeGiB),
            ...(request.systemDisk.performanceLevel ? { performanceLevel: request.systemDisk.performanceLevel } : {}),
          },
        }
      : {}),
    ...(request.dataDisks?.length ? { dataDisk: dataDisks(request.dataDisks) } : {}),
    ...(request.resourceGroupId ? { resourceGroupId: request.resourceGroupId } : {}),
    tag: instanceTags(request),
  };
  return { ...params, clientToken: callClientToken(request.clientToken, params) };
}

/** Kinds of a candidate's failure after which the next candidate is worth trying. */
export function isCandidateFailure(kind: CloudErrorKind): boolean {
  return kind === 'InsufficientCapacity' || kind === 'IpExhausted';
}

export interface RunOutcome {
  instanceIds: { instanceId: string; candidate: LaunchCandidate }[];
  failed: FailedCandidate[];
  /** When the run launched: candidates ECS reported out of capacity before it fell through to another. */
  skipped: FailedCandidate[];
  /** A per-result error that no other candidate can fix (bad image, quota, ...), if any. */
  fatal?: { code: string; message: string };
}

export function failedCandidate(candidate: LaunchCandidate, code: string): FailedCandidate {
  return { instanceType: candidate.instanceType, zone: candidate.zone, capacityType: candidate.capacityType, code };
}

/**
 * Reads CreateAutoProvisioningGroup's LaunchResults for one run. Every candidate of a run that
 * launched nothing counts as failed: with the code ECS reported for it, or else the run's most
 * common code, so the caller never retries a candidate ECS silently passed over.
 */
export function interpretLaunchResults(run: LaunchCandidate[], results: LaunchResultModel[]): RunOutcome {
  const outcome: RunOutcome = { instanceIds: [], failed: [], skipped: [] };
  const codeByCandidate = new Map<LaunchCandidate, string>();
  const codeCounts = new Map<string, number>();
  const forResult = (result: LaunchResultModel) =>
    run.filter((c) => c.instanceType === result.instanceType && (!result.zoneId || c.zone === result.zoneId));

  for (const result of results) {
    const ids = result.instanceIds?.instanceId ?? [];
    const candidates = forResult(result);
    if (ids.length > 0) {
      const candidate = candidates[0] ?? run[0];
      if (candidate) for (const instanceId of ids) outcome.instanceIds.push({ instanceId, candidate });
      continue;
    }
    if (!result.errorCode) continue;
    codeCounts.set(result.errorCode, (codeCounts.get(result.errorCode) ?? 0) + 1);
    if (!isCandidateFailure(classifyCode(result.errorCode)) && !outcome.fatal) {
      outcome.fatal = { code: result.errorCode, message: result.errorMsg ?? result.errorCode };
    }
    for (const candidate of candidates) codeByCandidate.set(candidate, result.errorCode);
  }
  if (outcome.instanceIds.length > 0) {
    for (const [candidate, code] of codeByCandidate) {
      if (isCandidateFailure(classifyCode(code))) outcome.skipped.push(failedCandidate(candidate, code));
    }
    return outcome;
  }
  const commonCode = [...codeCounts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'NoInstanceLaunched';
  outcome.failed = run.map((candidate) => failedCandidate(candidate, codeByCandidate.get(candidate) ?? commonCode));
  return outcome;
}
