// Many parallel CreateNetworkInterface, AttachNetworkInterface and AssignPrivateIpAddresses
// calls: no address is handed out twice, and no ENI or instance goes past its limits. The
// numbers of successes are exact, since the limits are.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ecs, latestImage, sdkError, startFixture, vpc, x64Family, type Fixture, type SdkError } from './sdk.js';

async function settle<T>(calls: Promise<T>[]): Promise<{ ok: T[]; failed: SdkError[] }> {
  const results = await Promise.allSettled(calls);
  return {
    ok: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    failed: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as SdkError] : [])),
  };
}

describe('simulator under concurrent IPAM calls', () => {
  let f: Fixture;
  let coreVSwitch: { id: string; zoneId: string };
  let instanceId: string;
  /** A type on sale in the core zone and its limits. */
  let limits: { eniQuantity: number; ipsPerEni: number };

  before(async () => {
    f = await startFixture({ seed: 7 });
    // Interleave the calls: some wait a little before being handled.
    f.sim.faults.latency({ ms: 3, probability: 0.5 });
    const core = f.sim.state.vSwitchByName('core-trade-a')!;
    coreVSwitch = { id: core.id, zoneId: core.zoneId };
    const type = ['ecs.g7.large', 'ecs.g6.large', 'ecs.c7.large', 'ecs.g8i.large'].find((t) =>
      f.sim.state.cloud.offerings.offered(f.region, t, core.zoneId),
    )!;
    const spec = f.sim.state.cloud.catalog.instanceTypes.get(type)!;
    limits = { eniQuantity: spec.eniQuantity, ipsPerEni: spec.eniPrivateIpAddressQuantity };
    const nodeVSwitch = f.sim.state.vSwitchByName(`node-vsw-${core.zoneId}`)!;
    const answer = await f.ecs.runInstances(
      new ecs.RunInstancesRequest({
        regionId: f.region,
        instanceType: type,
        vSwitchId: nodeVSwitch.id,
        imageId: latestImage(f.sim, x64Family),
        securityGroupId: f.sg('sg-core-trade'),
      }),
    );
    instanceId = answer.body!.instanceIdSets!.instanceIdSet![0]!;
  });
  after(() => f.close());

  const createEni = (secondaryPrivateIpAddressCount: number) =>
    f.ecs.createNetworkInterface(
      new ecs.CreateNetworkInterfaceRequest({
        regionId: f.region,
        vSwitchId: coreVSwitch.id,
        securityGroupId: f.sg('sg-core-trade'),
        secondaryPrivateIpAddressCount,
      }),
    );

  it('hands out each address of a small vSwitch once: 60 parallel creates of 6 IPs fit 42 times in 252', async () => {
    const { ok, failed } = await settle(Array.from({ length: 60 }, () => createEni(5)));
    assert.equal(ok.length, 42);
    assert.equal(failed.length, 18);
    assert.ok(failed.every((e) => e.code === 'InvalidVSwitchId.IpNotEnough'), failed.map((e) => e.code).join());
    const ips = ok.flatMap((a) => a.body!.privateIpSets!.privateIpSet!.map((s) => s.privateIpAddress!));
    assert.equal(new Set(ips).size, 252);
    const vsw = await f.vpc.describeVSwitches(new vpc.DescribeVSwitchesRequest({ regionId: f.region, vSwitchId: coreVSwitch.id }));
    assert.equal(vsw.body?.vSwitches?.vSwitch?.[0]?.availableIpAddressCount, 0);
    assert.deepEqual(f.sim.state.checkConsistency(), []);
    // Give the addresses back for the next tests.
    await Promise.all(ok.map((a) => f.ecs.deleteNetworkInterface(new ecs.DeleteNetworkInterfaceRequest({ regionId: f.region, networkInterfaceId: a.body!.networkInterfaceId! }))));
    assert.equal(f.sim.state.vSwitchByName('core-trade-a')!.availableIpAddressCount, 252);
  });

  it('attaches exactly as many ENIs as the instance type allows, the primary included', async () => {
    const enis = (await Promise.all(Array.from({ length: 10 }, () => createEni(0)))).map((a) => a.body!.networkInterfaceId!);
    const { ok, failed } = await settle(
      enis.map((networkInterfaceId) =>
        f.ecs.attachNetworkInterface(new ecs.AttachNetworkInterfaceRequest({ regionId: f.region, networkInterfaceId, instanceId })),
      ),
    );
    assert.equal(ok.length, limits.eniQuantity - 1);
    assert.ok(failed.every((e) => e.code === 'EniPerInstanceLimitExceeded'));
    const attached = await f.ecs.describeNetworkInterfaces(new ecs.DescribeNetworkInterfacesRequest({ regionId: f.region, instanceId }));
    assert.equal(attached.body?.totalCount, limits.eniQuantity);
    assert.deepEqual(new Set(attached.body?.networkInterfaceSets?.networkInterfaceSet?.map((e) => e.attachment?.deviceIndex)).size, limits.eniQuantity);
  });

  it('assigns exactly up to the IPs-per-ENI limit under 30 parallel single-IP assigns per ENI', async () => {
    const attached = (await f.ecs.describeNetworkInterfaces(new ecs.DescribeNetworkInterfacesRequest({ regionId: f.region, instanceId }))).body!
      .networkInterfaceSets!.networkInterfaceSet!;
    const calls = attached.flatMap((eni) =>
      Array.from({ length: 30 }, (_, i) =>
        f.ecs.assignPrivateIpAddresses(
          new ecs.AssignPrivateIpAddressesRequest({
            regionId: f.region,
            networkInterfaceId: eni.networkInterfaceId,
            secondaryPrivateIpAddressCount: 1,
            clientToken: `${eni.networkInterfaceId}-${i}`,
          }),
        ),
      ),
    );
    const { ok, failed } = await settle(calls);
    assert.equal(ok.length, attached.length * (limits.ipsPerEni - 1));
    assert.ok(failed.every((e) => e.code === 'InvalidOperation.Ipv4CountExceeded'), failed.map((e) => e.code).join());
    const after = (await f.ecs.describeNetworkInterfaces(new ecs.DescribeNetworkInterfacesRequest({ regionId: f.region, instanceId }))).body!
      .networkInterfaceSets!.networkInterfaceSet!;
    const all = after.flatMap((e) => e.privateIpSets!.privateIpSet!.map((s) => s.privateIpAddress!));
    assert.equal(new Set(all).size, all.length, 'no address on two ENIs');
    for (const eni of after) assert.equal(eni.privateIpSets?.privateIpSet?.length, limits.ipsPerEni);
    assert.deepEqual(f.sim.state.checkConsistency(), []);
  });

  it('keeps the books right when creates, assigns and unassigns race on one vSwitch', async () => {
    const start = f.sim.state.vSwitchByName('core-trade-a')!.availableIpAddressCount;
    const free = (await Promise.all(Array.from({ length: 8 }, () => createEni(2)))).map((a) => a.body!);
    const work: Promise<unknown>[] = [];
    for (const eni of free) {
      const id = eni.networkInterfaceId!;
      const secondaries = eni.privateIpSets!.privateIpSet!.filter((s) => !s.primary).map((s) => s.privateIpAddress!);
      work.push(f.ecs.assignPrivateIpAddresses(new ecs.AssignPrivateIpAddressesRequest({ regionId: f.region, networkInterfaceId: id, secondaryPrivateIpAddressCount: 4 })));
      work.push(f.ecs.unassignPrivateIpAddresses(new ecs.UnassignPrivateIpAddressesRequest({ regionId: f.region, networkInterfaceId: id, privateIpAddress: secondaries })));
      work.push(createEni(3));
    }
    const { failed } = await settle(work);
    assert.deepEqual(failed.map((e) => e.code), []);
    const enis = f.sim.state.networkInterfaces().filter((e) => e.vSwitchId === coreVSwitch.id);
    const held = enis.reduce((n, e) => n + 1 + e.secondaryIps.length, 0);
    const startHeld = 252 - start;
    assert.equal(held - startHeld, 8 * (1 + 4) + 8 * 4, '8 ENIs with primary + 4 assigned, and 8 new ENIs of 4');
    assert.equal(f.sim.state.vSwitchByName('core-trade-a')!.availableIpAddressCount, 252 - held);
    assert.deepEqual(f.sim.state.checkConsistency(), []);
    assert.equal((await sdkError(createEni(11))).code, 'InvalidParameter');
  });
});
