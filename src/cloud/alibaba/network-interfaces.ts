// ENIs and their secondary IPs. Attach and detach are asynchronous: they return when ECS has
// accepted the change, and the ENI's status (Attaching -> InUse, Detaching -> Available) tells
// when it is done.
import { randomUUID } from 'node:crypto';
import { CloudError } from '../errors.js';
import type { CreateNetworkInterfaceRequest, NetworkInterface, NetworkInterfaceFilter } from '../types.js';
import { chunks, ecsModels, pageByToken, pageSizeFor, type AlibabaContext } from './context.js';
import { matchesTags, tagFilter, toNetworkInterface } from './mappers.js';
import * as schema from './schemas.js';

/** AssignPrivateIpAddresses and CreateNetworkInterface take at most 10 IPs per call. */
export const maxIpsPerCall = 10;
const maxIdsPerCall = 100;

function invalid(action: string, message: string): CloudError {
  return new CloudError({ kind: 'InvalidRequest', code: 'InvalidParameter', action, message });
}

export class NetworkInterfaces {
  constructor(private readonly ctx: AlibabaContext) {}

  async create(request: CreateNetworkInterfaceRequest): Promise<NetworkInterface> {
    const action = 'CreateNetworkInterface';
    if (!request.clientToken) throw invalid(action, 'a network interface needs a clientToken');
    if (!Number.isInteger(request.secondaryIpCount) || request.secondaryIpCount < 0 || request.secondaryIpCount > maxIpsPerCall) {
      throw invalid(action, `secondaryIpCount must be an integer from 0 to ${maxIpsPerCall}, got ${request.secondaryIpCount}`);
    }
    if (request.securityGroupIds.length === 0) throw invalid(action, 'a network interface needs at least one security group');
    const body = await this.ctx.caller.call(
      action,
      { idempotent: true, logFields: { clientToken: request.clientToken, vSwitchId: request.vSwitchId } },
      schema.createNetworkInterfaceBody,
      () =>
        this.ctx.ecs.createNetworkInterface(
          new ecsModels.CreateNetworkInterfaceRequest({
            regionId: this.ctx.region,
            clientToken: request.clientToken,
            vSwitchId: request.vSwitchId,
            securityGroupIds: request.securityGroupIds,
            ...(request.secondaryIpCount > 0 ? { secondaryPrivateIpAddressCount: request.secondaryIpCount } : {}),
            ...(request.description ? { description: request.description } : {}),
            ...(tagFilter(request.tags) ? { tag: Object.entries(request.tags).map(([key, value]) => ({ key, value })) } : {}),
          }),
        ),
    );
    this.ctx.logger.info({ eniId: body.networkInterfaceId, vSwitchId: body.vSwitchId, requestId: body.requestId }, 'network interface created');
    // CreateNetworkInterface does not say when; the answer's time is within the call.
    return toNetworkInterface(body, new Date().toISOString());
  }

  async attach(eniId: string, instanceId: string): Promise<void> {
    // Not idempotent: a resend after a lost answer would be refused as already attaching, so only
    // throttled attempts (which never ran) are resent.
    await this.ctx.caller.call('AttachNetworkInterface', { idempotent: false, logFields: { eniId, instanceId } }, schema.emptyBody, () =>
      this.ctx.ecs.attachNetworkInterface(
        new ecsModels.AttachNetworkInterfaceRequest({ regionId: this.ctx.region, networkInterfaceId: eniId, instanceId }),
      ),
    );
  }

  async detach(eniId: string, instanceId: string): Promise<void> {
    await this.ctx.caller.call('DetachNetworkInterface', { idempotent: false, logFields: { eniId, instanceId } }, schema.emptyBody, () =>
      this.ctx.ecs.detachNetworkInterface(
        new ecsModels.DetachNetworkInterfaceRequest({ regionId: this.ctx.region, networkInterfaceId: eniId, instanceId }),
      ),
    );
  }

  async delete(eniId: string): Promise<void> {
    try {
      await this.ctx.caller.call('DeleteNetworkInterface', { idempotent: true, logFields: { eniId } }, schema.emptyBody, () =>
        this.ctx.ecs.deleteNetworkInterface(new ecsModels.DeleteNetworkInterfaceRequest({ regionId: this.ctx.region, networkInterfaceId: eniId })),
      );
      this.ctx.logger.info({ eniId }, 'network interface deleted');
    } catch (err) {
      if (err instanceof CloudError && (err.code === 'InvalidEniId.NotFound' || err.code === 'InvalidNetworkInterfaceId.NotFound')) return;
      throw err;
    }
  }

  async get(eniId: string): Promise<NetworkInterface | undefined> {
    const [eni] = await this.list({ ids: [eniId] });
    return eni?.id === eniId ? eni : undefined;
  }

  async list(filter: NetworkInterfaceFilter): Promise<NetworkInterface[]> {
    const idChunks = filter.ids?.length ? chunks(filter.ids, maxIdsPerCall) : [undefined];
    const now = new Date().toISOString();
    const pages = await Promise.all(
      idChunks.map((ids) =>
        pageByToken(async (nextToken) => {
          const body = await this.ctx.caller.call('DescribeNetworkInterfaces', { idempotent: true }, schema.describeNetworkInterfacesBody, () =>
            this.ctx.ecs.describeNetworkInterfaces(
              new ecsModels.DescribeNetworkInterfacesRequest({
                regionId: this.ctx.region,
                maxResults: pageSizeFor(this.ctx.config, 'DescribeNetworkInterfaces'),
                ...(nextToken ? { nextToken } : {}),
                ...(ids ? { networkInterfaceId: ids } : {}),
                ...(filter.instanceId ? { instanceId: filter.instanceId } : {}),
                ...(filter.vSwitchId ? { vSwitchId: filter.vSwitchId } : {}),
                ...(filter.status ? { status: filter.status } : {}),
                ...(tagFilter(filter.tags) ? { tag: tagFilter(filter.tags) } : {}),
              }),
            ),
          );
          return { items: body.networkInterfaceSets?.networkInterfaceSet ?? [], nextToken: body.nextToken };
        }),
      ),
    );
    const seen = new Set<string>();
    return pages
      .flat()
      .map((model) => toNetworkInterface(model, now))
      .filter((eni) => {
        if (seen.has(eni.id)) return false;
        seen.add(eni.id);
        return (
          (!filter.ids?.length || filter.ids.includes(eni.id)) &&
          (!filter.instanceId || eni.instanceId === filter.instanceId) &&
          (!filter.vSwitchId || eni.vSwitchId === filter.vSwitchId) &&
          (!filter.status || eni.status === filter.status) &&
          matchesTags(eni.tags, filter.tags)
        );
      });
  }

  async assignPrivateIps(eniId: string, count: number): Promise<string[]> {
    const action = 'AssignPrivateIpAddresses';
    if (!Number.isInteger(count) || count < 1 || count > maxIpsPerCall) {
      throw invalid(action, `count must be an integer from 1 to ${maxIpsPerCall}, got ${count}`);
    }
    // One token for every attempt of this call, so a resend after a lost answer assigns nothing new.
    const clientToken = randomUUID();
    const body = await this.ctx.caller.call(action, { idempotent: true, logFields: { eniId, count } }, schema.assignPrivateIpAddressesBody, () =>
      this.ctx.ecs.assignPrivateIpAddresses(
        new ecsModels.AssignPrivateIpAddressesRequest({
          regionId: this.ctx.region,
          networkInterfaceId: eniId,
          secondaryPrivateIpAddressCount: count,
          clientToken,
        }),
      ),
    );
    const ips = body.assignedPrivateIpAddressesSet.privateIpSet.privateIpAddress;
    if (ips.length !== count) {
      throw new CloudError({
        kind: 'Unknown',
        code: 'InvalidResponse',
        action,
        message: `asked for ${count} addresses on ${eniId}, got ${ips.length}`,
        requestId: body.requestId,
      });
    }
    return ips;
  }

  async unassignPrivateIps(eniId: string, ips: string[]): Promise<void> {
    const action = 'UnassignPrivateIpAddresses';
    if (ips.length === 0) return;
    // The API takes at most 10 addresses a call as well.
    for (const batch of chunks(ips, maxIpsPerCall)) {
      await this.ctx.caller.call(action, { idempotent: true, logFields: { eniId, count: batch.length } }, schema.emptyBody, () =>
        this.ctx.ecs.unassignPrivateIpAddresses(
          new ecsModels.UnassignPrivateIpAddressesRequest({ regionId: this.ctx.region, networkInterfaceId: eniId, privateIpAddress: batch }),
        ),
      );
    }
  }
}
