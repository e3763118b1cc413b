// Selector resolution, node class resolution and hash, and PodNetworking resolution against the
// simulator through the real SDK and provider: what a user's selectors turn into.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { ECSNodeClass, ECSNodeClassSpec } from '../../apis/ecsnodeclass.js';
import { providerFor } from '../../cloud/alibaba/testing.js';
import type { AlibabaCloudProvider } from '../../cloud/alibaba/provider.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { addVpc } from '../../simulator/model/seed.js';
import { resolvePodNetworking } from '../networking/resolve.js';
import { nodeClassHash } from '../nodeclass/hash.js';
import { resolveNodeClass } from '../nodeclass/resolve.js';
import { setConditions } from './conditions.js';
import { describeTerms, resolveSecurityGroups, resolveVSwitches } from './selectors.js';
import { VSwitchIpGauge } from './vswitch-ips-gauge.js';

const discovery = { 'karpenter.sh/discovery': 'local' };

function spec(overrides: Record<string, unknown> = {}): ECSNodeClassSpec {
  return ECSNodeClassSpec.parse({
    vSwitchSelectorTerms: [{ tags: discovery }],
    securityGroupSelectorTerms: [{ tags: discovery }],
    imageSelectorTerms: [{ alias: 'ContainerOS' }],
    ...overrides,
  });
}

describe('cloud selector resolution', () => {
  let sim: RunningSimulator;
  let cloud: AlibabaCloudProvider;
  let zones: string[];

  before(async () => {
    sim = await startSimulator({ latencyProfile: 'zero' });
    ({ cloud } = providerFor(sim));
    zones = await cloud.listZones();
  });
  after(async () => {
    await sim?.close();
  });

  describe('selector terms', () => {
    it('select by tags, by tag key with any value (*), by id and by name; terms are ORed and deduplicated', async () => {
      const nodeVSwitches = sim.state.vSwitches().filter((v) => v.name.startsWith('node-vsw-'));
      const byTags = await resolveVSwitches(cloud, [{ tags: discovery }]);
      assert.deepEqual(byTags.resources.map((v) => v.id).sort(), nodeVSwitches.map((v) => v.id).sort());
      const anyValue = await resolveVSwitches(cloud, [{ tags: { 'karpenter.sh/discovery': '*' } }]);
      assert.equal(anyValue.resources.length, nodeVSwitches.length);

      const core = sim.state.vSwitchByName('core-trade-a');
      assert.ok(core);
      const ored = await resolveVSwitches(cloud, [{ id: core.id }, { tags: discovery }, { id: nodeVSwitches[0]?.id as string }]);
      assert.equal(ored.resources[0]?.id, core.id, 'term order is kept');
      assert.equal(ored.resources.length, nodeVSwitches.length + 1, 'a vSwitch two terms select is listed once');
      assert.deepEqual(ored.unmatched, []);

      const groups = await resolveSecurityGroups(cloud, [{ name: 'sg-core-trade' }, { tags: discovery }]);
      assert.deepEqual(groups.resources.map((g) => g.name), ['sg-core-trade', 'sg-default']);
    });

    it('report the terms that matched nothing', async () => {
      const result = await resolveVSwitches(cloud, [{ tags: { 'karpenter.sh/discovery': 'foo' } }, { id: 'vsw-doesnotexist' }, { tags: discovery }]);
      assert.ok(result.resources.length > 0);
      assert.deepEqual(result.unmatched, [{ tags: { 'karpenter.sh/discovery': 'foo' } }, { id: 'vsw-doesnotexist' }]);
      assert.equal(describeTerms(result.unmatched), '[tags karpenter.sh/discovery=foo] or [id vsw-doesnotexist]');
    });
  });

  describe('ECSNodeClass', () => {
    it('resolves the upstream getting-started selectors: vSwitches in every zone with free IPs, the security group, one image per architecture', async () => {
      const result = await resolveNodeClass(cloud, spec());
      assert.deepEqual(new Set(result.status.vSwitches.map((v) => v.zoneID)), new Set(zones));
      const seeded = new Map(sim.state.vSwitches().map((v) => [v.id, v.availableIpAddressCount]));
      for (const v of result.status.vSwitches) assert.equal(v.availableIPAddressCount, seeded.get(v.id));
      assert.deepEqual(result.status.securityGroups.map((g) => g.name), ['sg-default']);
      const newest = sim.state
        .images()
        .filter((i) => i.family.startsWith('acs:containeros'))
        .sort((a, b) => (a.creationTime < b.creationTime ? 1 : -1));
      const expected = ['amd64', 'arm64'].map((arch) => newest.find((i) => (arch === 'amd64' ? i.architecture === 'x86_64' : i.architecture === 'arm64'))?.id);
      assert.deepEqual(result.status.images.map((i) => i.id), expected);
      assert.deepEqual(result.status.images.map((i) => i.requirements[0]?.values), [['amd64'], ['arm64']]);
      assert.deepEqual(
        result.conditions.map((c) => [c.type, c.status]),
        [['VSwitchesReady', 'True'], ['SecurityGroupsReady', 'True'], ['ImagesReady', 'True'], ['Ready', 'True']],
      );
    });

    it('pins an image version with alias@version and selects images by id', async () => {
      const pinned = await resolveNodeClass(cloud, spec({ imageSelectorTerms: [{ alias: 'AlibabaCloudLinux3@20241218' }] }));
      assert.ok(pinned.status.images.length === 2 && pinned.status.images.every((i) => i.name?.endsWith('20241218')));
      const one = pinned.status.images[0]?.id as string;
      const byId = await resolveNodeClass(cloud, spec({ imageSelectorTerms: [{ id: one }] }));
      assert.deepEqual(byId.status.images.map((i) => i.id), [one]);
    });

    it('says which selector matched nothing, and is not Ready', async () => {
      const result = await resolveNodeClass(cloud, spec({ vSwitchSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'foo' } }] }));
      const vsw = result.conditions.find((c) => c.type === 'VSwitchesReady');
      assert.equal(vsw?.status, 'False');
      assert.equal(vsw?.reason, 'VSwitchesNotFound');
      assert.equal(vsw?.message, 'no vSwitch matches vSwitchSelectorTerms [tags karpenter.sh/discovery=foo]');
      assert.equal(result.conditions.find((c) => c.type === 'Ready')?.status, 'False');
      assert.equal(result.conditions.find((c) => c.type === 'SecurityGroupsReady')?.status, 'True');

      const noImage = await resolveNodeClass(cloud, spec({ imageSelectorTerms: [{ id: 'm-doesnotexist' }] }));
      assert.equal(noImage.conditions.find((c) => c.type === 'ImagesReady')?.message, 'no image matches imageSelectorTerms [id m-doesnotexist]');
    });

    it('keeps lastTransitionTime while a condition keeps its status', () => {
      const t0 = new Date('2025-01-01T00:00:00Z');
      const first = setConditions(undefined, [{ type: 'Ready', status: 'True', reason: 'Ready', message: '' }], 1, t0);
      const same = setConditions(first, [{ type: 'Ready', status: 'True', reason: 'Ready', message: '' }], 2, new Date('2025-01-01T00:05:00Z'));
      assert.equal(same[0]?.lastTransitionTime, '2025-01-01T00:00:00Z');
      assert.equal(same[0]?.observedGeneration, 2);
      const flipped = setConditions(same, [{ type: 'Ready', status: 'False', reason: 'X', message: 'y' }], 2, new Date('2025-01-01T00:06:00Z'));
      assert.equal(flipped[0]?.lastTransitionTime, '2025-01-01T00:06:00Z');
    });

    it('hashes what shapes a node, stable under key order and defaults, blind to selectors', () => {
      const base = spec({ tags: { team: 'a', env: 'prod' }, kubeletConfiguration: { maxPods: 50 } });
      const reordered = spec({ kubeletConfiguration: { maxPods: 50 }, tags: { env: 'prod', team: 'a' } });
      assert.equal(nodeClassHash(base), nodeClassHash(reordered));
      assert.equal(nodeClassHash(spec()), nodeClassHash(spec({ formatDataDisk: false })), 'an explicit default changes nothing');
      assert.equal(
        nodeClassHash(base),
        nodeClassHash(spec({ tags: { team: 'a', env: 'prod' }, kubeletConfiguration: { maxPods: 50 }, vSwitchSelectorTerms: [{ id: 'vsw-other' }] })),
        'selectors drift through what they resolve to, not through the hash',
      );
      assert.notEqual(nodeClassHash(base), nodeClassHash(spec({ tags: { team: 'a', env: 'prod' }, kubeletConfiguration: { maxPods: 51 } })));
      assert.notEqual(nodeClassHash(spec()), nodeClassHash(spec({ userData: 'echo hi' })));
      assert.notEqual(nodeClassHash(spec()), nodeClassHash(spec({ systemDisk: { size: 80 } })));
      assert.match(nodeClassHash(spec()), /^[0-9a-f]{16}$/);
      // Same input, same hash across processes: the digest is of canonical JSON, nothing random.
      assert.equal(nodeClassHash(ECSNodeClass.shape.spec.parse(JSON.parse(JSON.stringify(base)))), nodeClassHash(base));
    });
  });

  describe('PodNetworking', () => {
    const none = { vSwitchesByZone: {}, securityGroupIds: [] };

    it('is Ready with the zones of its vSwitches', async () => {
      const a = sim.state.vSwitchByName('core-trade-a');
      const b = sim.state.vSwitchByName('core-trade-b');
      const sg = sim.state.securityGroups().find((g) => g.name === 'sg-core-trade');
      assert.ok(a && b && sg);
      const result = await resolvePodNetworking(cloud, { vSwitchOptions: [b.id, a.id], securityGroupIDs: [sg.id] }, none);
      assert.equal(result.status, 'Ready');
      assert.deepEqual(result.vSwitches.map((v) => [v.id, v.zone]), [[b.id, b.zoneId], [a.id, a.zoneId]], 'in vSwitchOptions order');
    });

    it('fails naming the vSwitch or security group that does not exist', async () => {
      const sg = sim.state.securityGroups().find((g) => g.name === 'sg-core-trade');
      const a = sim.state.vSwitchByName('core-trade-a');
      assert.ok(sg && a);
      const result = await resolvePodNetworking(cloud, { vSwitchOptions: [a.id, 'vsw-bpxxxx'], securityGroupIDs: ['sg-bpxxxx', sg.id] }, none);
      assert.equal(result.status, 'Fail');
      assert.equal(
        result.status === 'Fail' && result.message,
        `vSwitch vsw-bpxxxx does not exist in ${sim.region}; security group sg-bpxxxx does not exist in ${sim.region}`,
      );
    });

    it('fails when vSwitches and security groups are in different VPCs', async () => {
      const a = sim.state.vSwitchByName('core-trade-a');
      assert.ok(a);
      // A second VPC, as another team's network in the same region would be.
      const otherVpc = addVpc(sim.state.cloud, { name: 'other-vpc', cidrBlock: '172.16.0.0/12' });
      const foreign = sim.state.addSecurityGroup({ name: 'sg-foreign', vpcId: otherVpc });
      const result = await resolvePodNetworking(cloud, { vSwitchOptions: [a.id], securityGroupIDs: [foreign] }, none);
      assert.equal(result.status, 'Fail');
      assert.match(result.status === 'Fail' ? result.message : '', /must be in one VPC/);
    });

    it('falls back to the default pod network when options are left out', async () => {
      const pod = sim.state.vSwitchByName(`pod-vsw-${zones[0]}`);
      const sg = sim.state.securityGroups().find((g) => g.name === 'sg-default');
      assert.ok(pod && sg);
      const result = await resolvePodNetworking(cloud, {}, { vSwitchesByZone: { [zones[0] as string]: [pod.id] }, securityGroupIds: [sg.id] });
      assert.equal(result.status, 'Ready');
      assert.deepEqual(result.vSwitches.map((v) => v.id), [pod.id]);
      const nothing = await resolvePodNetworking(cloud, {}, none);
      assert.equal(nothing.status, 'Fail');
    });
  });

  it('exports the free IPs of every selected vSwitch once, and forgets what no owner selects', async () => {
    const registry = new Registry();
    const gauge = new VSwitchIpGauge(registry);
    const vsw = { id: 'vsw-a', zone: 'z1', availableIpAddressCount: 10 };
    gauge.report('ecsnodeclass/a', [vsw], 1);
    gauge.report('podnetworking/b', [{ ...vsw, availableIpAddressCount: 7 }, { id: 'vsw-b', zone: 'z2', availableIpAddressCount: 3 }], 2);
    const read = async () =>
      Object.fromEntries(((await registry.getSingleMetric('ack_node_operator_vswitch_available_ips')?.get())?.values ?? []).map((v) => [v.labels.vswitch_id, v.value]));
    assert.deepEqual(await read(), { 'vsw-a': 7, 'vsw-b': 3 }, 'the newest reading wins');
    gauge.forget('podnetworking/b');
    assert.deepEqual(await read(), { 'vsw-a': 10 });
  });
});
