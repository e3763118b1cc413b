// ENIs and private IPs: lifecycle, per-instance-type limits (the primary ENI and primary IP
// count), at most 10 IPs a call, vSwitch address accounting, idempotency and Describe filters.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../../harness/eventually.js';
import { ecs, run, sdkError, startFixture, type Fixture } from './sdk.js';

/** ecs.g7.large: 3 ENIs (primary included), 6 IPv4 per ENI (primary IP included). */
const instanceType = 'ecs.g7.large';

async function setup(f: Fixture) {
  const [instanceId] = await run(f, { instanceType });
  const zoneId = f.sim.state.instance(instanceId!)!.zoneId;
  const podVSwitch = f.sim.state.vSwitches().find((v) => v.name === `pod-vsw-${zoneId}`)!;
  return { instanceId: instanceId!, zoneId, podVSwitchId: podVSwitch.id };
}

describe('simulator network interfaces', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(() => f.close());

  const create = (vSwitchId: string, req: Record<string, unknown> = {}) =>
    f.ecs.createNetworkInterface(
      new ecs.CreateNetworkInterfaceRequest({ regionId: f.region, vSwitchId, securityGroupIds: [f.sg('sg-default')], ...req }),
    );
  const attach = (eniId: string, instanceId: string) =>
    f.ecs.attachNetworkInterface(new ecs.AttachNetworkInterfaceRequest({ regionId: f.region, networkInterfaceId: eniId, instanceId }));
  const detach = (eniId: string, instanceId: string) =>
    f.ecs.detachNetworkInterface(new ecs.DetachNetworkInterfaceRequest({ regionId: f.region, networkInterfaceId: eniId, instanceId }));
  const remove = (eniId: string) => f.ecs.deleteNetworkInterface(new ecs.DeleteNetworkInterfaceRequest({ regionId: f.region, networkInterfaceId: eniId }));
  const assign = (eniId: string, req: Record<string, unknown>) =>
    f.ecs.assignPrivateIpAddresses(new ecs.AssignPrivateIpAddressesRequest({ regionId: f.region, networkInterfaceId: eniId, ...req }));
  const free = (vSwitchId: string) => f.sim.state.vSwitches().find((v) => v.id === vSwitchId)!.availableIpAddressCount;

  it('creates an ENI with secondary IPs, and the vSwitch count goes down by every address', async () => {
    const { podVSwitchId, zoneId } = await setup(f);
    const before = free(podVSwitchId);
    const answer = await create(podVSwitchId, {
      secondaryPrivateIpAddressCount: 3,
      networkInterfaceName: 'pool-eni',
      tag: [new ecs.CreateNetworkInterfaceRequestTag({ key: 'terway', value: 'eni' })],
      securityGroupIds: [f.sg('sg-default'), f.sg('sg-core-trade')],
    });
    const body = answer.body!;
    assert.match(body.networkInterfaceId!, /^eni-/);
    assert.equal(body.status, 'Available');
    assert.equal(body.zoneId, zoneId);
    assert.equal(body.privateIpSets?.privateIpSet?.length, 4);
    assert.deepEqual(body.privateIpSets?.privateIpSet?.filter((s) => s.primary).map((s) => s.privateIpAddress), [body.privateIpAddress]);
    assert.deepEqual(body.securityGroupIds?.securityGroupId, [f.sg('sg-default'), f.sg('sg-core-trade')]);
    assert.deepEqual(body.tags?.tag?.map((t) => [t.tagKey, t.tagValue]), [['terway', 'eni']]);
    assert.equal(free(podVSwitchId), before - 4);
    await remove(body.networkInterfaceId!);
    assert.equal(free(podVSwitchId), before);
  });

  it('goes Available -> InUse on attach and back on detach; deleting needs it detached', async () => {
    const { instanceId, podVSwitchId } = await setup(f);
    const eniId = (await create(podVSwitchId)).body!.networkInterfaceId!;
    await attach(eniId, instanceId);
    const described = await f.ecs.describeNetworkInterfaces(new ecs.DescribeNetworkInterfacesRequest({ regionId: f.region, networkInterfaceId: [eniId] }));
    const set = described.body?.networkInterfaceSets?.networkInterfaceSet?.[0];
    assert.equal(set?.status, 'InUse');
    assert.equal(set?.instanceId, instanceId);
    assert.equal(set?.attachment?.deviceIndex, 1);
    assert.equal((await sdkError(remove(eniId))).code, 'InvalidOperation.InvalidEniState');
    assert.equal((await sdkError(attach(eniId, instanceId))).code, 'InvalidOperation.InvalidEniState');
    await detach(eniId, instanceId);
    assert.equal(f.sim.state.networkInterfaces().find((e) => e.id === eniId)?.status, 'Available');
    assert.equal((await sdkError(detach(eniId, instanceId))).code, 'InvalidOperation.InvalidEcsState');
    await remove(eniId);
    assert.equal((await sdkError(remove(eniId))).code, 'InvalidEniId.NotFound');
  });

  it('refuses to detach or delete the primary ENI', async () => {
    const { instanceId } = await setup(f);
    const primary = f.sim.state.networkInterfaces().find((e) => e.instanceId === instanceId && e.type === 'Primary')!;
    assert.equal((await sdkError(detach(primary.id, instanceId))).code, 'InvalidOperation.DetachPrimaryEniNotAllowed');
    assert.equal((await sdkError(remove(primary.id))).code, 'InvalidOperation.DetachPrimaryEniNotAllowed');
  });

  it('enforces the ENI limit of the instance type, counting the primary ENI', async () => {
    const { instanceId, podVSwitchId } = await setup(f);
    const enis = [];
    for (let i = 0; i < 3; i++) enis.push((await create(podVSwitchId)).body!.networkInterfaceId!);
    await attach(enis[0]!, instanceId);
    await attach(enis[1]!, instanceId);
    const err = await sdkError(attach(enis[2]!, instanceId));
    assert.equal(err.code, 'EniPerInstanceLimitExceeded');
    assert.equal(f.sim.state.networkInterfaces().filter((e) => e.instanceId === instanceId).length, 3);
  });

  it('enforces IPs per ENI, counting the primary IP, on assign and on attach', async () => {
    const { instanceId, podVSwitchId } = await setup(f);
    const eniId = (await create(podVSwitchId, { secondaryPrivateIpAddressCount: 2 })).body!.networkInterfaceId!;
    await attach(eniId, instanceId);
    const added = await assign(eniId, { secondaryPrivateIpAddressCount: 3 });
    assert.equal(added.body?.assignedPrivateIpAddressesSet?.privateIpSet?.privateIpAddress?.length, 3);
    assert.equal(added.body?.assignedPrivateIpAddressesSet?.networkInterfaceId, eniId);
    assert.equal((await sdkError(assign(eniId, { secondaryPrivateIpAddressCount: 1 }))).code, 'InvalidOperation.Ipv4CountExceeded');
    const big = (await create(podVSwitchId, { secondaryPrivateIpAddressCount: 9 })).body!.networkInterfaceId!;
    assert.equal((await sdkError(attach(big, instanceId))).code, 'InvalidOperation.Ipv4CountExceeded');
  });

  it('takes at most 10 IPs a call', async () => {
    const { podVSwitchId } = await setup(f);
    assert.equal((await sdkError(create(podVSwitchId, { secondaryPrivateIpAddressCount: 11 }))).code, 'InvalidParameter');
    const eniId = (await create(podVSwitchId)).body!.networkInterfaceId!;
    assert.equal((await sdkError(assign(eniId, { secondaryPrivateIpAddressCount: 11 }))).code, 'InvalidParameter');
    assert.equal((await assign(eniId, { secondaryPrivateIpAddressCount: 10 })).body?.assignedPrivateIpAddressesSet?.privateIpSet?.privateIpAddress?.length, 10);
  });

  it('assigns given addresses, refuses ones in use or outside the CIDR, and unassigns back to the vSwitch', async () => {
    const { podVSwitchId } = await setup(f);
    const eniId = (await create(podVSwitchId)).body!.networkInterfaceId!;
    const cidr = f.sim.state.vSwitches().find((v) => v.id === podVSwitchId)!.cidrBlock;
    const base = cidr.split('/')[0]!.split('.').slice(0, 2).join('.');
    const wanted = [`${base}.200.7`, `${base}.200.8`];
    const before = free(podVSwitchId);
    await assign(eniId, { privateIpAddress: wanted });
    assert.equal(free(podVSwitchId), before - 2);
    const other = (await create(podVSwitchId)).body!.networkInterfaceId!;
    assert.equal((await sdkError(assign(other, { privateIpAddress: [wanted[0]] }))).code, 'InvalidPrivateIpAddress.Duplicated');
    assert.equal((await sdkError(assign(other, { privateIpAddress: ['192.168.1.1'] }))).code, 'InvalidPrivateIpAddress.Malformed');
    const primary = f.sim.state.networkInterfaces().find((e) => e.id === eniId)!.primaryIp;
    const unassign = (ips: string[]) =>
      f.ecs.unassignPrivateIpAddresses(new ecs.UnassignPrivateIpAddressesRequest({ regionId: f.region, networkInterfaceId: eniId, privateIpAddress: ips }));
    assert.equal((await sdkError(unassign([primary]))).code, 'InvalidOperation.UnassignPrimaryIp');
    assert.equal((await sdkError(unassign([`${base}.200.9`]))).code, 'InvalidIp.NotFound');
    await unassign(wanted);
    await remove(other);
    assert.equal(free(podVSwitchId), before);
    assert.deepEqual(f.sim.state.networkInterfaces().find((e) => e.id === eniId)?.secondaryIps, []);
  });

  it('answers InvalidVSwitchId.IpNotEnough when the vSwitch runs dry, for create and assign', async () => {
    const { podVSwitchId } = await setup(f);
    const eniId = (await create(podVSwitchId)).body!.networkInterfaceId!;
    f.sim.faults.exhaustVSwitch(podVSwitchId);
    try {
      assert.equal(free(podVSwitchId), 0);
      assert.equal((await sdkError(create(podVSwitchId))).code, 'InvalidVSwitchId.IpNotEnough');
      assert.equal((await sdkError(assign(eniId, { secondaryPrivateIpAddressCount: 1 }))).code, 'InvalidVSwitchId.IpNotEnough');
    } finally {
      f.sim.faults.restoreVSwitch(podVSwitchId);
    }
  });

  it('CreateNetworkInterface and AssignPrivateIpAddresses are idempotent by ClientToken', async () => {
    const { podVSwitchId } = await setup(f);
    const first = await create(podVSwitchId, { clientToken: 'eni-token', secondaryPrivateIpAddressCount: 2 });
    const before = free(podVSwitchId);
    const again = await create(podVSwitchId, { clientToken: 'eni-token', secondaryPrivateIpAddressCount: 2 });
    assert.equal(again.body?.networkInterfaceId, first.body?.networkInterfaceId);
    assert.deepEqual(again.body?.privateIpSets, first.body?.privateIpSets);
    assert.equal(free(podVSwitchId), before);
    assert.equal((await sdkError(create(podVSwitchId, { clientToken: 'eni-token', secondaryPrivateIpAddressCount: 3 }))).code, 'IdempotentFailed');
    const eniId = first.body!.networkInterfaceId!;
    const a = await assign(eniId, { secondaryPrivateIpAddressCount: 2, clientToken: 'assign-token' });
    const b = await assign(eniId, { secondaryPrivateIpAddressCount: 2, clientToken: 'assign-token' });
    assert.deepEqual(b.body?.assignedPrivateIpAddressesSet, a.body?.assignedPrivateIpAddressesSet);
    assert.equal(f.sim.state.networkInterfaces().find((e) => e.id === eniId)?.secondaryIps.length, 4);
  });

  it('DescribeNetworkInterfaces filters by instance, vSwitch, tag, status and type, and pages by NextToken', async () => {
    const { instanceId, podVSwitchId } = await setup(f);
    const tag = [new ecs.DescribeNetworkInterfacesRequestTag({ key: 'batch', value: 'describe' })];
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await create(podVSwitchId, { tag: [new ecs.CreateNetworkInterfaceRequestTag({ key: 'batch', value: 'describe' })] })).body!.networkInterfaceId!);
    }
    await attach(ids[0]!, instanceId);
    const ask = async (req: Record<string, unknown>) =>
      (await f.ecs.describeNetworkInterfaces(new ecs.DescribeNetworkInterfacesRequest({ regionId: f.region, ...req }))).body!;
    const onInstance = await ask({ instanceId });
    assert.deepEqual(onInstance.networkInterfaceSets?.networkInterfaceSet?.map((e) => e.type), ['Primary', 'Secondary']);
    assert.equal((await ask({ tag, status: 'Available' })).totalCount, 4);
    assert.equal((await ask({ tag, type: 'Secondary', vSwitchId: podVSwitchId })).totalCount, 5);
    const seen: string[] = [];
    let nextToken = '';
    do {
      const page = await ask({ tag, maxResults: 2, ...(nextToken ? { nextToken } : {}) });
      seen.push(...(page.networkInterfaceSets?.networkInterfaceSet ?? []).map((e) => e.networkInterfaceId!));
      nextToken = page.nextToken ?? '';
    } while (nextToken);
    assert.deepEqual(seen, ids);
  });

  it('TagResources tags ENIs for tag-based garbage collection', async () => {
    const { podVSwitchId } = await setup(f);
    const eniId = (await create(podVSwitchId)).body!.networkInterfaceId!;
    await f.ecs.tagResources(
      new ecs.TagResourcesRequest({ regionId: f.region, resourceType: 'eni', resourceId: [eniId], tag: [new ecs.TagResourcesRequestTag({ key: 'cluster', value: 'gc' })] }),
    );
    const found = await f.ecs.describeNetworkInterfaces(
      new ecs.DescribeNetworkInterfacesRequest({ regionId: f.region, tag: [new ecs.DescribeNetworkInterfacesRequestTag({ key: 'cluster', value: 'gc' })] }),
    );
    assert.deepEqual(found.body?.networkInterfaceSets?.networkInterfaceSet?.map((e) => e.networkInterfaceId), [eniId]);
  });

  it('detaches secondary ENIs (keeping their IPs) when their instance is released', async () => {
    const { instanceId, podVSwitchId } = await setup(f);
    const eniId = (await create(podVSwitchId, { secondaryPrivateIpAddressCount: 2 })).body!.networkInterfaceId!;
    await attach(eniId, instanceId);
    await f.ecs.deleteInstance(new ecs.DeleteInstanceRequest({ instanceId, force: true }));
    const eni = f.sim.state.networkInterfaces().find((e) => e.id === eniId);
    assert.equal(eni?.status, 'Available');
    assert.equal(eni?.instanceId, undefined);
    assert.equal(eni?.secondaryIps.length, 2);
    assert.deepEqual(f.sim.state.checkConsistency(), []);
  });
});

describe('simulator ENI lifecycle with delays', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture({ delays: { eniAttachingMs: 40, eniDetachingMs: 40 } });
  });
  after(() => f.close());

  it('passes through Attaching and Detaching, refusing IP changes and detach in between', async () => {
    const { instanceId, podVSwitchId } = await setup(f);
    const eniId = (
      await f.ecs.createNetworkInterface(new ecs.CreateNetworkInterfaceRequest({ regionId: f.region, vSwitchId: podVSwitchId, securityGroupId: f.sg('sg-default') }))
    ).body!.networkInterfaceId!;
    const status = () => f.sim.state.networkInterfaces().find((e) => e.id === eniId)?.status;
    await f.ecs.attachNetworkInterface(new ecs.AttachNetworkInterfaceRequest({ regionId: f.region, networkInterfaceId: eniId, instanceId }));
    assert.equal(status(), 'Attaching');
    const during = await sdkError(
      f.ecs.assignPrivateIpAddresses(new ecs.AssignPrivateIpAddressesRequest({ regionId: f.region, networkInterfaceId: eniId, secondaryPrivateIpAddressCount: 1 })),
    );
    assert.equal(during.code, 'InvalidOperation.InvalidEniState');
    const early = await sdkError(f.ecs.detachNetworkInterface(new ecs.DetachNetworkInterfaceRequest({ regionId: f.region, networkInterfaceId: eniId, instanceId })));
    assert.equal(early.code, 'InvalidOperation.InvalidEniState');
    await eventually('the ENI is InUse', async () => (status() === 'InUse' ? true : undefined), { timeoutMs: 5000, intervalMs: 10 });
    await f.ecs.detachNetworkInterface(new ecs.DetachNetworkInterfaceRequest({ regionId: f.region, networkInterfaceId: eniId, instanceId }));
    assert.equal(status(), 'Detaching');
    const deleting = await sdkError(f.ecs.deleteNetworkInterface(new ecs.DeleteNetworkInterfaceRequest({ regionId: f.region, networkInterfaceId: eniId })));
    assert.equal(deleting.code, 'InvalidOperation.InvalidEniState');
    await eventually('the ENI is Available', async () => (status() === 'Available' ? true : undefined), { timeoutMs: 5000, intervalMs: 10 });
    await f.ecs.deleteNetworkInterface(new ecs.DeleteNetworkInterfaceRequest({ regionId: f.region, networkInterfaceId: eniId }));
  });
});
