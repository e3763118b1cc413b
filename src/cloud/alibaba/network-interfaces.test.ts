// ENIs and secondary IPs through the real SDK against the simulator.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import type { Instance, VSwitch } from '../types.js';
import { cheapestCandidates, eventually, launchRequest, providerFor, type TestProvider } from './testing.js';

describe('network interfaces against the simulator', () => {
  let sim: RunningSimulator;
  let p: TestProvider;
  let instance: Instance;
  let podVSwitch: VSwitch;
  let securityGroupId: string;
  const eniTags = { creator: 'terway', 'karpenter.k8s.alibabacloud/cluster': 'local' };

  before(async () => {
    sim = await startSimulator();
    p = providerFor(sim);
    const types = await p.cloud.listInstanceTypes();
    // A small type whose limits are reached quickly: 3 ENIs (one primary), 6 IPs per ENI.
    const small = types.find((t) => t.name === 'ecs.g8a.large');
    assert.ok(small && small.eniQuantity === 3 && small.eniPrivateIpAddressQuantity === 6);
    const nodeVSwitches = await p.cloud.listVSwitches({ tags: { 'karpenter.sh/discovery': 'local' } });
    const offerings = await p.cloud.listOfferings();
    const [candidate] = cheapestCandidates(offerings, new Map(nodeVSwitches.map((v) => [v.zone, v.id])), {
      capacityType: 'on-demand',
      instanceTypes: [small.name],
      count: 1,
    });
    assert.ok(candidate);
    const [image] = await p.cloud.listImages({ family: 'AlibabaCloudLinux3', architecture: 'amd64', version: 'latest' });
    const [sg] = await p.cloud.listSecurityGroups({ tags: { 'karpenter.sh/discovery': 'local' } });
    assert.ok(image && sg);
    securityGroupId = sg.id;
    instance = await p.cloud.createInstance(launchRequest(randomUUID(), [candidate], image.id, [sg.id]));
    await eventually(() => p.cloud.getInstance(instance.id), (i) => i?.state === 'Running');
    const [pod] = await p.cloud.listVSwitches({ tags: { terway: 'pod' }, zone: instance.zone });
    assert.ok(pod);
    podVSwitch = pod;
  });
  afterEach(() => sim.faults.clear());
  after(() => sim.close());

  const create = (secondaryIpCount: number, clientToken = randomUUID()) =>
    p.cloud.createNetworkInterface({ clientToken, vSwitchId: podVSwitch.id, securityGroupIds: [securityGroupId], secondaryIpCount, tags: eniTags });

  const waitFor = (eniId: string, status: string) => eventually(() => p.cloud.getNetworkInterface(eniId), (e) => e?.status === status);

  it('takes an ENI through create, attach, IP assignment, detach and delete', async () => {
    const freeBefore = (await p.cloud.listVSwitches({ ids: [podVSwitch.id] }))[0]?.availableIpAddressCount ?? 0;
    const eni = await create(3);
    assert.equal(eni.status, 'Available');
    assert.equal(eni.type, 'Secondary');
    assert.equal(eni.vSwitchId, podVSwitch.id);
    assert.equal(eni.zone, podVSwitch.zone);
    assert.deepEqual(eni.securityGroupIds, [securityGroupId]);
    assert.equal(eni.secondaryIpAddresses.length, 3);
    assert.ok(!eni.secondaryIpAddresses.includes(eni.primaryIpAddress));
    assert.deepEqual(eni.tags, eniTags);
    const freeAfter = (await p.cloud.listVSwitches({ ids: [podVSwitch.id] }))[0]?.availableIpAddressCount;
    assert.equal(freeAfter, freeBefore - 4, 'the primary and three secondary addresses come out of the vSwitch');

    await p.cloud.attachNetworkInterface(eni.id, instance.id);
    const attached = await waitFor(eni.id, 'InUse');
    assert.equal(attached?.instanceId, instance.id);

    const added = await p.cloud.assignPrivateIpAddresses(eni.id, 2);
    assert.equal(added.length, 2);
    const withIps = await p.cloud.getNetworkInterface(eni.id);
    assert.deepEqual(new Set(withIps?.secondaryIpAddresses), new Set([...eni.secondaryIpAddresses, ...added]));

    await p.cloud.unassignPrivateIpAddresses(eni.id, [...added, eni.secondaryIpAddresses[0] ?? '']);
    assert.equal((await p.cloud.getNetworkInterface(eni.id))?.secondaryIpAddresses.length, 2);

    await p.cloud.detachNetworkInterface(eni.id, instance.id);
    const detached = await waitFor(eni.id, 'Available');
    assert.equal(detached?.instanceId, undefined);
    await p.cloud.deleteNetworkInterface(eni.id);
    await p.cloud.deleteNetworkInterface(eni.id);
    assert.equal(await p.cloud.getNetworkInterface(eni.id), undefined);
    assert.equal((await p.cloud.listVSwitches({ ids: [podVSwitch.id] }))[0]?.availableIpAddressCount, freeBefore);
  });

  it('creates one ENI for one ClientToken however often it is asked', async () => {
    const token = randomUUID();
    const first = await create(2, token);
    const again = await create(2, token);
    assert.equal(again.id, first.id);
    assert.deepEqual(again.secondaryIpAddresses, first.secondaryIpAddresses);
    await p.cloud.deleteNetworkInterface(first.id);
  });

  it('refuses more than 10 addresses a call before calling the cloud', async () => {
    const eni = await create(0);
    sim.state.resetCalls();
    await assert.rejects(p.cloud.assignPrivateIpAddresses(eni.id, 11), { kind: 'InvalidRequest' });
    await assert.rejects(create(11), { kind: 'InvalidRequest' });
    assert.equal(sim.state.callCount('AssignPrivateIpAddresses') + sim.state.callCount('CreateNetworkInterface'), 0);
    await p.cloud.deleteNetworkInterface(eni.id);
  });

  it('surfaces a vSwitch without free addresses as IpExhausted', async () => {
    sim.faults.exhaustVSwitch(podVSwitch.id);
    try {
      await assert.rejects(create(1), { kind: 'IpExhausted', code: 'InvalidVSwitchId.IpNotEnough' });
    } finally {
      sim.faults.restoreVSwitch(podVSwitch.id);
    }
  });

  it('surfaces the instance type’s ENI and IP limits as QuotaExceeded', async () => {
    const enis = [await create(0), await create(0), await create(0)];
    await p.cloud.attachNetworkInterface(enis[0]!.id, instance.id);
    await p.cloud.attachNetworkInterface(enis[1]!.id, instance.id);
    await waitFor(enis[1]!.id, 'InUse');
    // The primary ENI plus two: a third secondary ENI is one too many for ecs.g8a.large.
    await assert.rejects(p.cloud.attachNetworkInterface(enis[2]!.id, instance.id), { kind: 'QuotaExceeded' });
    await waitFor(enis[0]!.id, 'InUse');
    await p.cloud.assignPrivateIpAddresses(enis[0]!.id, 5);
    // Six addresses per ENI, the primary included.
    await assert.rejects(p.cloud.assignPrivateIpAddresses(enis[0]!.id, 1), { kind: 'QuotaExceeded' });
    for (const eni of enis.slice(0, 2)) {
      await p.cloud.detachNetworkInterface(eni.id, instance.id);
      await waitFor(eni.id, 'Available');
    }
    for (const eni of enis) await p.cloud.deleteNetworkInterface(eni.id);
  });

  it('refuses to delete an attached ENI with a Conflict', async () => {
    const eni = await create(0);
    await p.cloud.attachNetworkInterface(eni.id, instance.id);
    await waitFor(eni.id, 'InUse');
    await assert.rejects(p.cloud.deleteNetworkInterface(eni.id), { kind: 'Conflict' });
    await p.cloud.detachNetworkInterface(eni.id, instance.id);
    await waitFor(eni.id, 'Available');
    await p.cloud.deleteNetworkInterface(eni.id);
  });

  it('lists ENIs by tag, instance and status across pages', async () => {
    const tag = { 'karpenter.k8s.alibabacloud/cluster': `paging-${randomUUID().slice(0, 8)}` };
    const created = [];
    for (let i = 0; i < 12; i++) {
      created.push(
        await p.cloud.createNetworkInterface({ clientToken: randomUUID(), vSwitchId: podVSwitch.id, securityGroupIds: [securityGroupId], secondaryIpCount: 0, tags: tag }),
      );
    }
    const paged = providerFor(sim, { pageSize: 10 });
    sim.state.resetCalls();
    const listed = await paged.cloud.listNetworkInterfaces({ tags: tag, status: 'Available' });
    assert.deepEqual(listed.map((e) => e.id).sort(), created.map((e) => e.id).sort());
    assert.equal(sim.state.callCount('DescribeNetworkInterfaces'), 2);
    const byIds = await paged.cloud.listNetworkInterfaces({ ids: created.slice(0, 3).map((e) => e.id) });
    assert.equal(byIds.length, 3);
    const primary = await p.cloud.listNetworkInterfaces({ instanceId: instance.id });
    assert.ok(primary.some((e) => e.type === 'Primary' && e.primaryIpAddress === instance.privateIpAddress));
    for (const eni of created) await p.cloud.deleteNetworkInterface(eni.id);
  });
});
