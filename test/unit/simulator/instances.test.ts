// RunInstances, DescribeInstances, DeleteInstance(s), tags: the instance lifecycle, IP and stock
// accounting, ClientToken idempotency, and the errors production gives.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../../harness/eventually.js';
import { describeInstance, ecs, latestImage, nodeVSwitchFor, run, sdkError, startFixture, x64Family, type Fixture } from './sdk.js';

describe('simulator instances', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(() => f.close());

  it('RunInstances launches Running instances (zero profile) with a primary IP from the vSwitch', async () => {
    const { vSwitchId, zoneId } = nodeVSwitchFor(f, 'ecs.g7.large');
    const before = f.sim.state.vSwitches().find((v) => v.id === vSwitchId)!.availableIpAddressCount;
    const ids = await run(f, {
      vSwitchId,
      amount: 2,
      instanceName: 'web',
      userData: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
      tag: [new ecs.RunInstancesRequestTag({ key: 'owner', value: 'test-run' })],
      systemDisk: new ecs.RunInstancesRequestSystemDisk({ category: 'cloud_essd', size: '60' }),
    });
    assert.equal(ids.length, 2);
    assert.equal(f.sim.state.vSwitches().find((v) => v.id === vSwitchId)!.availableIpAddressCount, before - 2);
    const described = await describeInstance(f, ids[0]!);
    assert.equal(described?.status, 'Running');
    assert.equal(described?.zoneId, zoneId);
    assert.equal(described?.instanceType, 'ecs.g7.large');
    assert.equal(described?.instanceName, 'web');
    assert.equal(described?.cpu, 2);
    assert.equal(described?.memory, 8192);
    assert.equal(described?.vpcAttributes?.vSwitchId, vSwitchId);
    assert.equal(described?.vpcAttributes?.privateIpAddress?.ipAddress?.length, 1);
    assert.equal(described?.networkInterfaces?.networkInterface?.[0]?.type, 'Primary');
    assert.deepEqual(described?.tags?.tag?.map((t) => [t.tagKey, t.tagValue]), [['owner', 'test-run']]);
    assert.equal(described?.spotStrategy, 'NoSpot');
  });

  it('RunInstances with the same ClientToken and parameters returns the same instances; other parameters give IdempotentFailed', async () => {
    const clientToken = 'token-run-1';
    const first = await run(f, { clientToken, instanceName: 'idem' });
    const countBefore = f.sim.state.instances().length;
    const again = await run(f, { clientToken, instanceName: 'idem' });
    assert.deepEqual(again, first);
    assert.equal(f.sim.state.instances().length, countBefore, 'no second instance');
    const err = await sdkError(run(f, { clientToken, instanceName: 'different' }));
    assert.equal(err.code, 'IdempotentFailed');
    assert.equal(err.statusCode, 400);
  });

  it('RunInstances refuses unknown types, images, vSwitches, types not sold in the zone, and a too-low spot price', async () => {
    assert.equal((await sdkError(run(f, { instanceType: 'ecs.nope.large', vSwitchId: nodeVSwitchFor(f, 'ecs.g7.large').vSwitchId }))).code, 'InvalidInstanceType.ValueNotSupported');
    assert.equal((await sdkError(run(f, { imageId: 'm-missing' }))).code, 'InvalidImageId.NotFound');
    assert.equal((await sdkError(run(f, { vSwitchId: 'vsw-missing' }))).code, 'InvalidVSwitchId.NotFound');
    const arm = await sdkError(run(f, { instanceType: 'ecs.g8y.large', vSwitchId: nodeVSwitchFor(f, 'ecs.g8y.large').vSwitchId }));
    assert.equal(arm.code, 'ImageNotSupportInstanceType', 'an x86 image on an ARM type');
    const notSold = f.sim.state.vSwitches().find((v) => v.name.startsWith('node-vsw-') && !f.sim.state.cloud.offerings.offered(f.region, 'ecs.g7.large', v.zoneId));
    if (notSold) assert.equal((await sdkError(run(f, { vSwitchId: notSold.id }))).code, 'InvalidResourceType.NotSupported');
    const lowBid = await sdkError(run(f, { spotStrategy: 'SpotWithPriceLimit', spotPriceLimit: 0.0001 }));
    assert.equal(lowBid.code, 'InvalidSpotPriceLimit.LowerThanPublicPrice');
    const badUserData = await sdkError(run(f, { userData: 'not base64!' }));
    assert.equal(badUserData.code, 'InvalidUserData.Base64FormatInvalid');
  });

  it('RunInstances answers OperationDenied.NoStock when the offering is out of stock, and MinAmount takes what is left', async () => {
    const { zoneId } = nodeVSwitchFor(f, 'ecs.c7.large');
    f.sim.faults.stockOut({ instanceType: 'ecs.c7.large', zone: zoneId, capacityType: 'spot' });
    try {
      const err = await sdkError(run(f, { instanceType: 'ecs.c7.large', spotStrategy: 'SpotAsPriceGo' }));
      assert.equal(err.code, 'OperationDenied.NoStock');
      assert.ok((await run(f, { instanceType: 'ecs.c7.large' })).length === 1, 'on-demand still has stock');
      f.sim.faults.setStock({ instanceType: 'ecs.c7.large', zone: zoneId, capacityType: 'spot' }, 2);
      assert.equal((await sdkError(run(f, { instanceType: 'ecs.c7.large', spotStrategy: 'SpotAsPriceGo', amount: 3 }))).code, 'OperationDenied.NoStock');
      const some = await run(f, { instanceType: 'ecs.c7.large', spotStrategy: 'SpotAsPriceGo', amount: 3, minAmount: 1 });
      assert.equal(some.length, 2);
    } finally {
      f.sim.faults.restock();
    }
  });

  it('RunInstances answers InvalidVSwitchId.IpNotEnough when the vSwitch is dry', async () => {
    const { vSwitchId } = nodeVSwitchFor(f, 'ecs.g7.large', 1);
    const taken = f.sim.faults.exhaustVSwitch(vSwitchId);
    try {
      assert.ok(taken > 0);
      const err = await sdkError(run(f, { vSwitchId }));
      assert.equal(err.code, 'InvalidVSwitchId.IpNotEnough');
    } finally {
      assert.equal(f.sim.faults.restoreVSwitch(vSwitchId), taken);
    }
    assert.equal((await run(f, { vSwitchId })).length, 1);
  });

  it('DescribeInstances filters by ids, tags and status, and pages by number and by NextToken', async () => {
    const ids = await run(f, { amount: 5, tag: [new ecs.RunInstancesRequestTag({ key: 'batch', value: 'paging' })] });
    const tag = [new ecs.DescribeInstancesRequestTag({ key: 'batch', value: 'paging' })];
    const paged = await f.ecs.describeInstances(new ecs.DescribeInstancesRequest({ regionId: f.region, tag, pageSize: 2, pageNumber: 3 }));
    assert.equal(paged.body?.totalCount, 5);
    assert.deepEqual(paged.body?.instances?.instance?.map((i) => i.instanceId), ids.slice(4));
    const seen: string[] = [];
    let nextToken = '';
    do {
      const page = await f.ecs.describeInstances(
        new ecs.DescribeInstancesRequest({ regionId: f.region, tag, maxResults: 2, ...(nextToken ? { nextToken } : {}) }),
      );
      seen.push(...(page.body?.instances?.instance ?? []).map((i) => i.instanceId!));
      nextToken = page.body?.nextToken ?? '';
    } while (nextToken);
    assert.deepEqual(seen, ids);
    const two = await f.ecs.describeInstances(new ecs.DescribeInstancesRequest({ regionId: f.region, instanceIds: JSON.stringify(ids.slice(0, 2)) }));
    assert.deepEqual(two.body?.instances?.instance?.map((i) => i.instanceId), ids.slice(0, 2));
    const other = await f.ecs.describeInstances(new ecs.DescribeInstancesRequest({ regionId: 'cn-beijing', instanceIds: JSON.stringify(ids) }));
    assert.equal(other.body?.totalCount, 0, 'another region has none of them');
  });

  it('DescribeInstances of a released instance answers an empty list, not an error', async () => {
    const [id] = await run(f);
    await f.ecs.deleteInstance(new ecs.DeleteInstanceRequest({ instanceId: id, force: true }));
    assert.equal(await describeInstance(f, id!), undefined);
  });

  it('DeleteInstance needs Force for a Running instance and releases its IP and ENIs', async () => {
    const { vSwitchId } = nodeVSwitchFor(f, 'ecs.g7.large');
    const [id] = await run(f, { vSwitchId });
    const free = () => f.sim.state.vSwitches().find((v) => v.id === vSwitchId)!.availableIpAddressCount;
    const before = free();
    const err = await sdkError(f.ecs.deleteInstance(new ecs.DeleteInstanceRequest({ instanceId: id })));
    assert.equal(err.code, 'IncorrectInstanceStatus');
    await f.ecs.deleteInstance(new ecs.DeleteInstanceRequest({ instanceId: id, force: true }));
    assert.equal(f.sim.state.instance(id!), undefined);
    assert.equal(free(), before + 1);
    assert.equal(f.sim.state.networkInterfaces().filter((e) => e.instanceId === id).length, 0);
    const gone = await sdkError(f.ecs.deleteInstance(new ecs.DeleteInstanceRequest({ instanceId: id, force: true })));
    assert.equal(gone.code, 'InvalidInstanceId.NotFound');
  });

  it('DeleteInstances releases several at once, all or none', async () => {
    const ids = await run(f, { amount: 2 });
    const err = await sdkError(f.ecs.deleteInstances(new ecs.DeleteInstancesRequest({ regionId: f.region, instanceId: [...ids, 'i-missing'], force: true })));
    assert.equal(err.code, 'InvalidInstanceId.NotFound');
    assert.ok(ids.every((id) => f.sim.state.instance(id)), 'none released');
    await f.ecs.deleteInstances(new ecs.DeleteInstancesRequest({ regionId: f.region, instanceId: ids, force: true, clientToken: 'del-1' }));
    assert.ok(ids.every((id) => !f.sim.state.instance(id)));
    await f.ecs.deleteInstances(new ecs.DeleteInstancesRequest({ regionId: f.region, instanceId: ids, force: true, clientToken: 'del-1' }));
  });

  it('TagResources, AddTags and UntagResources change what tag filters find', async () => {
    const [id] = await run(f);
    await f.ecs.tagResources(
      new ecs.TagResourcesRequest({ regionId: f.region, resourceType: 'instance', resourceId: [id], tag: [new ecs.TagResourcesRequestTag({ key: 'nodeclaim', value: 'a' })] }),
    );
    await f.ecs.addTags(new ecs.AddTagsRequest({ regionId: f.region, resourceType: 'instance', resourceId: id, tag: [new ecs.AddTagsRequestTag({ key: 'pool', value: 'p' })] }));
    const found = await f.ecs.describeInstances(
      new ecs.DescribeInstancesRequest({ regionId: f.region, tag: [new ecs.DescribeInstancesRequestTag({ key: 'nodeclaim', value: 'a' }), new ecs.DescribeInstancesRequestTag({ key: 'pool' })] }),
    );
    assert.deepEqual(found.body?.instances?.instance?.map((i) => i.instanceId), [id]);
    await f.ecs.untagResources(new ecs.UntagResourcesRequest({ regionId: f.region, resourceType: 'instance', resourceId: [id], tagKey: ['nodeclaim'] }));
    assert.deepEqual(f.sim.state.instance(id!)?.tags, { pool: 'p' });
    const reserved = await sdkError(
      f.ecs.tagResources(new ecs.TagResourcesRequest({ regionId: f.region, resourceType: 'instance', resourceId: [id], tag: [new ecs.TagResourcesRequestTag({ key: 'acs:x', value: 'y' })] })),
    );
    assert.equal(reserved.code, 'InvalidTagKey.Malformed');
    const missing = await sdkError(
      f.ecs.tagResources(new ecs.TagResourcesRequest({ regionId: f.region, resourceType: 'instance', resourceId: ['i-missing'], tag: [new ecs.TagResourcesRequestTag({ key: 'k', value: 'v' })] })),
    );
    assert.equal(missing.code, 'InvalidResourceId.NotFound');
  });
});

describe('simulator instance lifecycle with delays', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture({ delays: { instancePendingMs: 50, instanceStartingMs: 50, instanceStoppingMs: 50 } });
  });
  after(() => f.close());

  it('goes Pending -> Starting -> Running, refuses deletion until Running, then Stopping -> released', async () => {
    const [id] = await run(f);
    const statuses: string[] = [];
    assert.equal((await describeInstance(f, id!))?.status, 'Pending');
    const early = await sdkError(f.ecs.deleteInstance(new ecs.DeleteInstanceRequest({ instanceId: id, force: true })));
    assert.equal(early.code, 'IncorrectInstanceStatus');
    await eventually('the instance is Running', async () => {
      const status = (await describeInstance(f, id!))?.status;
      if (status && statuses.at(-1) !== status) statuses.push(status);
      return status === 'Running' ? true : undefined;
    }, { timeoutMs: 5000, intervalMs: 10 });
    const order = ['Pending', 'Starting', 'Running'];
    assert.deepEqual([...statuses].sort((a, b) => order.indexOf(a) - order.indexOf(b)), statuses, `in lifecycle order: ${statuses.join(' -> ')}`);
    assert.equal(statuses.at(-1), 'Running');
    assert.ok((await describeInstance(f, id!))?.startTime);
    await f.ecs.deleteInstance(new ecs.DeleteInstanceRequest({ instanceId: id, force: true }));
    assert.equal((await describeInstance(f, id!))?.status, 'Stopping');
    await eventually('the instance is released', async () => ((await describeInstance(f, id!)) === undefined ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 10,
    });
  });

  it('launches from an image family, resolving its newest image', async () => {
    const [id] = await run(f, { imageId: undefined, imageFamily: x64Family });
    assert.equal(f.sim.state.instance(id!)?.imageId, latestImage(f.sim, x64Family));
  });
});
