// CreateAutoProvisioningGroup (instant): cheapest candidate first, per-candidate LaunchResults
// with ErrorCode, prioritized on-demand, MaxPrice, MinTargetCapacity and ClientToken.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ecs, latestImage, sdkError, startFixture, x64Family, type Fixture } from './sdk.js';

const { CreateAutoProvisioningGroupRequest: Request, CreateAutoProvisioningGroupRequestLaunchTemplateConfig: Candidate } = ecs;

const now = Date.parse('2025-06-01T10:30:00Z');

describe('simulator CreateAutoProvisioningGroup', () => {
  let f: Fixture;
  /** (type, node vSwitch) pairs on sale, over several zones. */
  let candidates: { instanceType: string; vSwitchId: string; zoneId: string }[];

  before(async () => {
    // A fixed clock: spot prices change hourly, and the test compares against them.
    f = await startFixture({ now: () => new Date(now) });
    candidates = [];
    for (const instanceType of ['ecs.g7.large', 'ecs.c7.large', 'ecs.g6.large']) {
      for (const v of f.sim.state.vSwitches().filter((v) => v.name.startsWith('node-vsw-'))) {
        if (f.sim.state.cloud.offerings.offered(f.region, instanceType, v.zoneId)) candidates.push({ instanceType, vSwitchId: v.id, zoneId: v.zoneId });
      }
    }
    // LaunchTemplateConfig takes at most 20 candidates.
    candidates = candidates.filter((_, i) => i % 2 === 0).slice(0, 12);
  });
  after(() => f.close());

  const spotPrice = (c: { instanceType: string; zoneId: string }) =>
    f.sim.state.cloud.offerings.spotPrice(f.region, c.instanceType, c.zoneId, new Date(now))!;

  const create = (req: Record<string, unknown>) =>
    f.ecs.createAutoProvisioningGroup(
      new Request({
        regionId: f.region,
        autoProvisioningGroupType: 'instant',
        totalTargetCapacity: '1',
        launchTemplateConfig: candidates.map((c) => new Candidate({ instanceType: c.instanceType, vSwitchId: c.vSwitchId, weightedCapacity: 1 })),
        launchConfiguration: new ecs.CreateAutoProvisioningGroupRequestLaunchConfiguration({
          imageId: latestImage(f.sim, x64Family),
          securityGroupIds: [f.sg('sg-default')],
          systemDiskSize: 40,
          tag: [new ecs.CreateAutoProvisioningGroupRequestLaunchConfigurationTag({ key: 'owner', value: 'apg-test' })],
        }),
        ...req,
      }),
    );

  it('launches the cheapest spot candidate and reports it in LaunchResults', async () => {
    const answer = await create({ spotTargetCapacity: '1', payAsYouGoTargetCapacity: '0' });
    const results = answer.body?.launchResults?.launchResult ?? [];
    assert.match(answer.body?.autoProvisioningGroupId ?? '', /^apg-/);
    assert.equal(results.length, 1);
    const cheapest = [...candidates].sort((a, b) => spotPrice(a) - spotPrice(b))[0]!;
    assert.deepEqual(
      { type: results[0]?.instanceType, zone: results[0]?.zoneId, strategy: results[0]?.spotStrategy, amount: results[0]?.amount },
      { type: cheapest.instanceType, zone: cheapest.zoneId, strategy: 'SpotAsPriceGo', amount: 1 },
    );
    const id = results[0]?.instanceIds?.instanceId?.[0];
    assert.equal(f.sim.state.instance(id!)?.capacityType, 'spot');
    assert.deepEqual(f.sim.state.instance(id!)?.tags, { owner: 'apg-test' });
  });

  it('falls back past a stocked-out candidate, with a NoStock LaunchResult for it', async () => {
    const ordered = [...candidates].sort((a, b) => spotPrice(a) - spotPrice(b));
    f.sim.faults.stockOut({ instanceType: ordered[0]!.instanceType, zone: ordered[0]!.zoneId, capacityType: 'spot' });
    try {
      const results = (await create({ spotTargetCapacity: '1' })).body?.launchResults?.launchResult ?? [];
      assert.equal(results[0]?.instanceType, ordered[1]!.instanceType);
      assert.equal(results[0]?.zoneId, ordered[1]!.zoneId);
      assert.equal(results[0]?.instanceIds?.instanceId?.length, 1);
      const failed = results.find((r) => r.errorCode);
      assert.deepEqual({ code: failed?.errorCode, type: failed?.instanceType, zone: failed?.zoneId }, {
        code: 'OperationDenied.NoStock',
        type: ordered[0]!.instanceType,
        zone: ordered[0]!.zoneId,
      });
      assert.match(failed?.errorMsg ?? '', /sold out/);
    } finally {
      f.sim.faults.restock();
    }
  });

  it('answers only failed LaunchResults when every candidate is out of stock', async () => {
    f.sim.faults.stockOut({ capacityType: 'spot' });
    const before = f.sim.state.instances().length;
    try {
      const results = (await create({ spotTargetCapacity: '1' })).body?.launchResults?.launchResult ?? [];
      assert.equal(results.length, candidates.length);
      assert.ok(results.every((r) => r.errorCode === 'OperationDenied.NoStock' && !r.instanceIds));
      assert.equal(f.sim.state.instances().length, before);
    } finally {
      f.sim.faults.restock();
    }
  });

  it('launches on-demand by Priority with the prioritized strategy, spreading over weighted capacity', async () => {
    const last = candidates[candidates.length - 1]!;
    const answer = await create({
      totalTargetCapacity: '4',
      payAsYouGoTargetCapacity: '4',
      defaultTargetCapacityType: 'PayAsYouGo',
      payAsYouGoAllocationStrategy: 'prioritized',
      launchTemplateConfig: candidates.map(
        (c) => new Candidate({ instanceType: c.instanceType, vSwitchId: c.vSwitchId, priority: c === last ? 0 : 5, weightedCapacity: 2 }),
      ),
    });
    const results = answer.body?.launchResults?.launchResult ?? [];
    assert.deepEqual(
      results.map((r) => [r.instanceType, r.zoneId, r.spotStrategy, r.amount]),
      [[last.instanceType, last.zoneId, 'NoSpot', 2]],
    );
  });

  it('does not launch a spot candidate whose MaxPrice is below the current price', async () => {
    const only = candidates[0]!;
    const results = (
      await create({
        spotTargetCapacity: '1',
        launchTemplateConfig: [new Candidate({ instanceType: only.instanceType, vSwitchId: only.vSwitchId, maxPrice: spotPrice(only) / 2 })],
      })
    ).body?.launchResults?.launchResult;
    assert.equal(results?.[0]?.errorCode, 'InvalidSpotPriceLimit.LowerThanPublicPrice');
  });

  it('keeps nothing when MinTargetCapacity cannot be met', async () => {
    const only = candidates[0]!;
    f.sim.faults.setStock({ instanceType: only.instanceType, zone: only.zoneId, capacityType: 'spot' }, 1);
    const before = f.sim.state.instances().length;
    try {
      const results = (
        await create({
          totalTargetCapacity: '3',
          minTargetCapacity: '3',
          launchTemplateConfig: [new Candidate({ instanceType: only.instanceType, vSwitchId: only.vSwitchId })],
        })
      ).body?.launchResults?.launchResult ?? [];
      assert.ok(results.every((r) => !r.instanceIds));
      assert.equal(f.sim.state.instances().length, before);
      assert.equal(f.sim.state.cloud.offerings.remaining({ instanceType: only.instanceType, zone: only.zoneId, capacityType: 'spot' }), 1);
    } finally {
      f.sim.faults.restock();
    }
  });

  it('replays the same answer for the same ClientToken and refuses changed parameters', async () => {
    const first = await create({ clientToken: 'apg-token', spotTargetCapacity: '1' });
    const count = f.sim.state.instances().length;
    const again = await create({ clientToken: 'apg-token', spotTargetCapacity: '1' });
    assert.deepEqual(again.body?.launchResults, first.body?.launchResults);
    assert.equal(again.body?.autoProvisioningGroupId, first.body?.autoProvisioningGroupId);
    assert.equal(f.sim.state.instances().length, count);
    assert.equal((await sdkError(create({ clientToken: 'apg-token', spotTargetCapacity: '1', totalTargetCapacity: '2' }))).code, 'IdempotentFailed');
  });

  it('refuses request-level mistakes as a whole: missing security group, non-instant types', async () => {
    const noSg = await sdkError(
      create({ launchConfiguration: new ecs.CreateAutoProvisioningGroupRequestLaunchConfiguration({ imageId: latestImage(f.sim, x64Family) }) }),
    );
    assert.equal(noSg.code, 'MissingLaunchConfigurationSecurityGroupId');
    assert.equal((await sdkError(create({ autoProvisioningGroupType: 'maintain' }))).code, 'InvalidParameter');
  });
});
