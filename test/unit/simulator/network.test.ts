// Seeded network, security groups and images, through the real SDK: tags, ids, names, paging.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ecs, sdkError, startFixture, vpc, type Fixture } from './sdk.js';

describe('simulator network, security group and image actions', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture({ clusterName: 'bank' });
  });
  after(() => f.close());

  const vSwitches = async (req: Record<string, unknown>) =>
    (await f.vpc.describeVSwitches(new vpc.DescribeVSwitchesRequest({ regionId: 'cn-hangzhou', pageSize: 50, ...req }))).body!;

  it('DescribeVSwitches finds the node vSwitches by the discovery tag, one per zone', async () => {
    const body = await vSwitches({ tag: [new vpc.DescribeVSwitchesRequestTag({ key: 'karpenter.sh/discovery', value: 'bank' })] });
    const found = body.vSwitches?.vSwitch ?? [];
    assert.equal(found.length, 8);
    assert.equal(new Set(found.map((v) => v.zoneId)).size, 8);
    for (const v of found) {
      assert.match(v.cidrBlock!, /^10\.0\.\d+\.0\/20$/);
      assert.equal(v.availableIpAddressCount, 4096 - 4);
      assert.deepEqual(v.tags?.tag?.map((t) => [t.key, t.value]), [['karpenter.sh/discovery', 'bank']]);
    }
  });

  it('DescribeVSwitches finds the core-trade vSwitches in two zones with a small CIDR', async () => {
    const found = (await vSwitches({ tag: [new vpc.DescribeVSwitchesRequestTag({ key: 'network', value: 'core-trade' })] })).vSwitches?.vSwitch ?? [];
    assert.deepEqual(found.map((v) => v.vSwitchName), ['core-trade-a', 'core-trade-b']);
    assert.deepEqual(found.map((v) => v.availableIpAddressCount), [252, 252]);
    assert.notEqual(found[0]!.zoneId, found[1]!.zoneId);
    const byKeyOnly = (await vSwitches({ tag: [new vpc.DescribeVSwitchesRequestTag({ key: 'terway' })] })).vSwitches?.vSwitch ?? [];
    assert.equal(byKeyOnly.length, 8, 'a tag filter without a value matches the key');
  });

  it('DescribeVSwitches filters by id (comma list), zone and VPC, and pages by number', async () => {
    const ids = [f.vsw('core-trade-a'), f.vsw('core-trade-b')];
    assert.deepEqual((await vSwitches({ vSwitchId: ids.join(',') })).vSwitches?.vSwitch?.map((v) => v.vSwitchId), ids);
    const inZone = (await vSwitches({ zoneId: 'cn-hangzhou-f' })).vSwitches?.vSwitch ?? [];
    assert.ok(inZone.length >= 2 && inZone.every((v) => v.zoneId === 'cn-hangzhou-f'));
    const first = await vSwitches({ pageSize: 5, pageNumber: 1 });
    const fourth = await vSwitches({ pageSize: 5, pageNumber: 4 });
    assert.equal(first.totalCount, 18);
    assert.equal(first.vSwitches?.vSwitch?.length, 5);
    assert.equal(fourth.vSwitches?.vSwitch?.length, 3);
    assert.equal(fourth.pageNumber, 4);
    const none = await vSwitches({ vpcId: 'vpc-nope' });
    assert.equal(none.totalCount, 0);
  });

  it('DescribeVpcs lists the VPC with its vSwitches', async () => {
    const body = (await f.vpc.describeVpcs(new vpc.DescribeVpcsRequest({ regionId: 'cn-hangzhou' }))).body!;
    const only = body.vpcs?.vpc?.[0];
    assert.equal(body.totalCount, 1);
    assert.equal(only?.cidrBlock, '10.0.0.0/8');
    assert.equal(only?.vSwitchIds?.vSwitchId?.length, 18);
    const elsewhere = (await f.vpc.describeVpcs(new vpc.DescribeVpcsRequest({ regionId: 'cn-beijing' }))).body!;
    assert.equal(elsewhere.totalCount, 0);
  });

  it('DescribeSecurityGroups selects by tag, id list, name, and pages by NextToken', async () => {
    const ask = async (req: Record<string, unknown>) =>
      (await f.ecs.describeSecurityGroups(new ecs.DescribeSecurityGroupsRequest({ regionId: 'cn-hangzhou', ...req }))).body!;
    const tagged = await ask({ tag: [new ecs.DescribeSecurityGroupsRequestTag({ key: 'karpenter.sh/discovery', value: 'bank' })] });
    assert.deepEqual(tagged.securityGroups?.securityGroup?.map((s) => s.securityGroupName), ['sg-default']);
    assert.deepEqual(tagged.securityGroups?.securityGroup?.[0]?.tags?.tag?.map((t) => [t.tagKey, t.tagValue]), [['karpenter.sh/discovery', 'bank']]);
    const core = await ask({ securityGroupName: 'sg-core-trade' });
    assert.equal(core.securityGroups?.securityGroup?.[0]?.securityGroupId, f.sg('sg-core-trade'));
    const byIds = await ask({ securityGroupIds: JSON.stringify([f.sg('sg-default'), f.sg('sg-core-trade')]) });
    assert.equal(byIds.totalCount, 2);
    for (let i = 0; i < 13; i++) f.sim.state.addSecurityGroup({ name: `extra-${i}`, tags: { batch: 'extra' } });
    const names: string[] = [];
    let nextToken = '';
    let pages = 0;
    do {
      const page = await ask({ maxResults: 10, ...(nextToken ? { nextToken } : {}) });
      names.push(...(page.securityGroups?.securityGroup ?? []).map((s) => s.securityGroupName!));
      nextToken = page.nextToken ?? '';
      pages++;
    } while (nextToken);
    assert.equal(pages, 2);
    assert.equal(new Set(names).size, 15);
    const extra = await ask({ tag: [new ecs.DescribeSecurityGroupsRequestTag({ key: 'batch', value: 'extra' })], pageSize: 10, pageNumber: 2 });
    assert.deepEqual([extra.totalCount, extra.securityGroups?.securityGroup?.length], [13, 3]);
  });

  it('DescribeImages finds each family in both architectures with dated versions, newest first', async () => {
    for (const family of [
      'acs:containeros_3_x64',
      'acs:containeros_3_arm64',
      'acs:alibaba_cloud_linux_3_2104_lts_x64',
      'acs:alibaba_cloud_linux_3_2104_lts_arm64',
    ]) {
      const images = (await f.ecs.describeImages(new ecs.DescribeImagesRequest({ regionId: 'cn-hangzhou', imageFamily: family }))).body!;
      const list = images.images?.image ?? [];
      assert.equal(list.length, 3, family);
      assert.deepEqual(list.map((i) => i.imageName!.slice(-9)), ['_20250601', '_20250325', '_20241218']);
      assert.equal(list[0]!.architecture, family.endsWith('arm64') ? 'arm64' : 'x86_64');
      assert.ok(list.every((i) => i.imageFamily === family && i.OSType === 'linux' && i.imageOwnerAlias === 'system'));
    }
  });

  it('DescribeImages filters by id and architecture, and pages', async () => {
    const arm = (await f.ecs.describeImages(new ecs.DescribeImagesRequest({ regionId: 'cn-hangzhou', architecture: 'arm64', pageSize: 4 }))).body!;
    assert.equal(arm.totalCount, 6);
    assert.equal(arm.images?.image?.length, 4);
    assert.ok(arm.images?.image?.every((i) => i.architecture === 'arm64'));
    const second = (await f.ecs.describeImages(new ecs.DescribeImagesRequest({ regionId: 'cn-hangzhou', architecture: 'arm64', pageSize: 4, pageNumber: 2 }))).body!;
    assert.equal(second.images?.image?.length, 2);
    const id = arm.images!.image![0]!.imageId!;
    const byId = (await f.ecs.describeImages(new ecs.DescribeImagesRequest({ regionId: 'cn-hangzhou', imageId: id }))).body!;
    assert.deepEqual(byId.images?.image?.map((i) => i.imageId), [id]);
  });

  it('refuses a PageSize above the action maximum', async () => {
    const err = await sdkError(f.vpc.describeVSwitches(new vpc.DescribeVSwitchesRequest({ regionId: 'cn-hangzhou', pageSize: 51 })));
    assert.equal(err.code, 'InvalidParameter');
  });
});
