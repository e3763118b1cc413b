// ECS instances: launch (CreateAutoProvisioningGroup or RunInstances), describe, delete, tag.
import { TagLaunchToken } from '../../apis/labels.js';
import { CloudError, type FailedCandidate } from '../errors.js';
import type { Instance, LaunchCandidate, LaunchRequest } from '../types.js';
import { chunks, ecsModels, pageByToken, pageSizeFor, type AlibabaContext } from './context.js';
import { classifyCode } from './error-classification.js';
import {
  autoProvisioningGroupParams,
  capacityRuns,
  failedCandidate,
  interpretLaunchResults,
  isCandidateFailure,
  runInstancesParams,
} from './launch.js';
import { matchesTags, providerIdOf, tagFilter, toInstance } from './mappers.js';
import * as schema from './schemas.js';

/** DescribeInstances takes at most 100 ids and 20 tags per call; TagResources 20 tags. */
const maxIdsPerCall = 100;
const maxTagsPerCall = 20;

interface Launched {
  instanceId: string;
  candidate: LaunchCandidate;
  /** Candidates refused for capacity before this one launched. */
  skipped: FailedCandidate[];
}

function withFailedCandidates(err: unknown, failed: FailedCandidate[]): unknown {
  if (!(err instanceof CloudError) || failed.length === 0) return err;
  return new CloudError({
    kind: err.kind,
    code: err.code,
    action: err.action,
    message: err.message.replace(`${err.action}: ${err.code}: `, ''),
    requestId: err.requestId,
    failedCandidates: [...failed, ...err.failedCandidates],
  });
}

function mostCommonCode(failed: FailedCandidate[]): string {
  const counts = new Map<string, number>();
  for (const f of failed) counts.set(f.code, (counts.get(f.code) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'NoInstanceLaunched';
}

/** The error when no candidate could launch: IpExhausted if every one failed for want of IPs. */
function noCapacityError(action: string, failed: FailedCandidate[]): CloudError {
  const allIps = failed.length > 0 && failed.every((f) => classifyCode(f.code) === 'IpExhausted');
  const summary = failed.map((f) => `${f.instanceType}/${f.zone}/${f.capacityType}: ${f.code}`).join(', ');
  return new CloudError({
    kind: allIps ? 'IpExhausted' : 'InsufficientCapacity',
    code: mostCommonCode(failed),
    action,
    message: `no launch candidate had capacity (${summary || 'none was tried'})`,
    failedCandidates: failed,
  });
}

export class Instances {
  constructor(private readonly ctx: AlibabaContext) {}

  async create(request: LaunchRequest): Promise<Instance> {
    const action = this.ctx.config.launchApi;
    if (!request.clientToken || request.candidates.length === 0) {
      throw new CloudError({ kind: 'InvalidRequest', code: 'InvalidLaunchRequest', action, message: 'a launch needs a clientToken and at least one candidate' });
    }
    const log = this.ctx.logger.child({ clientToken: request.clientToken, instanceName: request.name });

    // An earlier attempt (before a crash, or with other candidates) may have launched already.
    // One that is stopping or gone (a reclaimed spot instance, say) does not count: launch anew.
    const earlier = (await this.list({ [TagLaunchToken]: request.clientToken })).filter((i) =>
      ['Pending', 'Starting', 'Running'].includes(i.state),
    );
    if (earlier[0]) {
      log.info({ instanceId: earlier[0].id }, 'launch found the instance of an earlier attempt');
      return earlier[0];
    }

    const launched = action === 'RunInstances' ? await this.launchWithRunInstances(request) : await this.launchWithAutoProvisioningGroup(request);
    log.info(
      { instanceId: launched.instanceId, instanceType: launched.candidate.instanceType, zone: launched.candidate.zone, capacityType: launched.candidate.capacityType },
      'instance launched',
    );
    const described = await this.get(launched.instanceId);
    const instance = described ?? this.launchedInstance(request, launched);
    return launched.skipped.length > 0 ? { ...instance, launchFailures: launched.skipped } : instance;
  }

  private async launchWithAutoProvisioningGroup(request: LaunchRequest): Promise<Launched> {
    const action = 'CreateAutoProvisioningGroup';
    const failed: FailedCandidate[] = [];
    for (const run of capacityRuns(request.candidates)) {
      const params = autoProvisioningGroupParams(this.ctx.region, request, run);
      let body;
      try {
        body = await this.ctx.caller.call(
          action,
          { idempotent: true, logFields: { clientToken: request.clientToken, capacityType: run[0]?.capacityType } },
          schema.createAutoProvisioningGroupBody,
          () => this.ctx.ecs.createAutoProvisioningGroup(new ecsModels.CreateAutoProvisioningGroupRequest(params)),
        );
      } catch (err) {
        // A whole-call stock or IP answer fails every candidate of the run; anything else is final.
        if (err instanceof CloudError && isCandidateFailure(err.kind)) {
          failed.push(...run.map((c) => failedCandidate(c, err.code)));
          continue;
        }
        throw withFailedCandidates(err, failed);
      }
      const outcome = interpretLaunchResults(run, body.launchResults?.launchResult ?? []);
      const [first, ...extra] = outcome.instanceIds;
      if (first) {
        await this.deleteExtras(extra.map((e) => e.instanceId));
        return { ...first, skipped: [...failed, ...outcome.skipped] };
      }
      failed.push(...outcome.failed);
      if (outcome.fatal) {
        throw new CloudError({
          // A per-result error has no HTTP status of its own; it is the request's fault unless its code says otherwise.
          kind: classifyCode(outcome.fatal.code, 400),
          code: outcome.fatal.code,
          action,
          message: outcome.fatal.message,
          requestId: body.requestId,
          failedCandidates: failed,
        });
      }
    }
    throw noCapacityError(action, failed);
  }

  private async launchWithRunInstances(request: LaunchRequest): Promise<Launched> {
    const action = 'RunInstances';
    const failed: FailedCandidate[] = [];
    for (const candidate of request.candidates) {
      const params = runInstancesParams(this.ctx.region, request, candidate);
      try {
        const body = await this.ctx.caller.call(
          action,
          { idempotent: true, logFields: { clientToken: request.clientToken, instanceType: candidate.instanceType, zone: candidate.zone } },
          schema.runInstancesBody,
          () => this.ctx.ecs.runInstances(new ecsModels.RunInstancesRequest(params)),
        );
        const [instanceId, ...extra] = body.instanceIdSets?.instanceIdSet ?? [];
        if (instanceId) {
          await this.deleteExtras(extra);
          return { instanceId, candidate, skipped: failed };
        }
        failed.push(failedCandidate(candidate, 'NoInstanceLaunched'));
      } catch (err) {
        if (err instanceof CloudError && isCandidateFailure(err.kind)) {
          failed.push(failedCandidate(candidate, err.code));
          continue;
        }
        throw withFailedCandidates(err, failed);
      }
    }
    throw noCapacityError(action, failed);
  }

  /** An answer with more instances than asked for must not leak the rest. */
  private async deleteExtras(instanceIds: string[]): Promise<void> {
    for (const instanceId of instanceIds) {
      this.ctx.logger.error({ instanceId }, 'launch returned more than one instance; deleting the extra one');
      await this.delete(instanceId).catch((err: unknown) =>
        this.ctx.logger.error({ instanceId, err: String(err) }, 'could not delete an extra instance; garbage collection will'),
      );
    }
  }

  /** The instance as launched, for when DescribeInstances does not show it yet. */
  private launchedInstance(request: LaunchRequest, launched: Launched): Instance {
    return {
      id: launched.instanceId,
      providerID: providerIdOf(this.ctx.region, launched.instanceId),
      name: request.name,
      instanceType: launched.candidate.instanceType,
      zone: launched.candidate.zone,
      capacityType: launched.candidate.capacityType,
      state: 'Pending',
      imageId: request.imageId,
      vSwitchId: launched.candidate.vSwitchId,
      securityGroupIds: request.securityGroupIds,
      tags: { ...request.tags, [TagLaunchToken]: request.clientToken },
      creationTime: new Date().toISOString(),
    };
  }

  async get(instanceId: string): Promise<Instance | undefined> {
    const [instance] = await this.describe({ instanceIds: JSON.stringify([instanceId]) }, { instanceId });
    return instance?.id === instanceId ? instance : undefined;
  }

  async getMany(instanceIds: string[]): Promise<Instance[]> {
    const pages = await Promise.all(chunks(instanceIds, maxIdsPerCall).map((ids) => this.describe({ instanceIds: JSON.stringify(ids) })));
    return pages.flat();
  }

  async list(tags: Record<string, string>): Promise<Instance[]> {
    if (Object.keys(tags).length > maxTagsPerCall) {
      throw new CloudError({ kind: 'InvalidRequest', code: 'InvalidTagCount', action: 'DescribeInstances', message: `at most ${maxTagsPerCall} tags per filter` });
    }
    const instances = await this.describe(Object.keys(tags).length ? { tag: tagFilter(tags) } : {});
    return instances.filter((i) => matchesTags(i.tags, tags));
  }

  private async describe(query: Record<string, unknown>, logFields?: Record<string, string>): Promise<Instance[]> {
    const models = await pageByToken(async (nextToken) => {
      const body = await this.ctx.caller.call('DescribeInstances', { idempotent: true, ...(logFields ? { logFields } : {}) }, schema.describeInstancesBody, () =>
        this.ctx.ecs.describeInstances(
          new ecsModels.DescribeInstancesRequest({
            regionId: this.ctx.region,
            maxResults: pageSizeFor(this.ctx.config, 'DescribeInstances'),
            ...(nextToken ? { nextToken } : {}),
            ...query,
          }),
        ),
      );
      return { items: body.instances?.instance ?? [], nextToken: body.nextToken };
    });
    return models.map((m) => toInstance(this.ctx.region, m));
  }

  async delete(instanceId: string): Promise<void> {
    try {
      await this.ctx.caller.call('DeleteInstance', { idempotent: true, logFields: { instanceId } }, schema.emptyBody, () =>
        this.ctx.ecs.deleteInstance(new ecsModels.DeleteInstanceRequest({ instanceId, force: true })),
      );
      this.ctx.logger.info({ instanceId }, 'instance deleted');
    } catch (err) {
      if (err instanceof CloudError && err.code === 'InvalidInstanceId.NotFound') return;
      throw err;
    }
  }

  async tag(instanceId: string, tags: Record<string, string>): Promise<void> {
    const entries = Object.entries(tags).map(([key, value]) => ({ key, value }));
    for (const tag of chunks(entries, maxTagsPerCall)) {
      await this.ctx.caller.call('TagResources', { idempotent: true, logFields: { instanceId } }, schema.emptyBody, () =>
        this.ctx.ecs.tagResources(
          new ecsModels.TagResourcesRequest({ regionId: this.ctx.region, resourceType: 'instance', resourceId: [instanceId], tag }),
        ),
      );
    }
  }
}
