import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TagLaunchToken } from '../../apis/labels.js';
import type { LaunchCandidate, LaunchRequest } from '../types.js';
import { autoProvisioningGroupParams, capacityRuns, interpretLaunchResults, runInstancesParams } from './launch.js';

const candidate = (instanceType: string, zone: string, capacityType: LaunchCandidate['capacityType'], maxSpotPrice?: number): LaunchCandidate => ({
  instanceType,
  zone,
  capacityType,
  vSwitchId: `vsw-${zone}`,
  ...(maxSpotPrice !== undefined ? { maxSpotPrice } : {}),
});

const request = (candidates: LaunchCandidate[]): LaunchRequest => ({
  clientToken: '5b8f0f4e-1c1d-4a53-9d9e-3d1e8f1f2a10',
  name: 'default-abcde',
  candidates,
  imageId: 'm-containeros',
  securityGroupIds: ['sg-1', 'sg-2'],
  systemDisk: { category: 'cloud_essd', sizeGiB: 40, performanceLevel: 'PL0' },
  dataDisks: [{ category: 'cloud_auto', sizeGiB: 100 }],
  userData: '#!/bin/bash\necho join --token secret\n',
  tags: { 'karpenter.sh/nodepool': 'default', 'karpenter.k8s.alibabacloud/nodeclaim': 'default-abcde' },
  resourceGroupId: 'rg-1',
});

describe('capacityRuns', () => {
  it('splits candidates into runs of one capacity type without reordering them', () => {
    const c = [
      candidate('a', 'h', 'spot'),
      candidate('b', 'h', 'spot'),
      candidate('c', 'h', 'on-demand'),
      candidate('d', 'i', 'spot'),
    ];
    assert.deepEqual(capacityRuns(c).map((run) => run.map((x) => x.instanceType)), [['a', 'b'], ['c'], ['d']]);
  });

  it('caps a run at the API limit of launch template overrides', () => {
    const many = Array.from({ length: 45 }, (_, i) => candidate(`t${i}`, 'h', 'on-demand'));
    assert.deepEqual(capacityRuns(many).map((run) => run.length), [20, 20, 5]);
  });
});

describe('CreateAutoProvisioningGroup parameters', () => {
  it('launch one instant instance from the run, candidates in priority order', () => {
    const run = [candidate('ecs.g7.large', 'cn-hangzhou-h', 'on-demand'), candidate('ecs.g8a.large', 'cn-hangzhou-i', 'on-demand')];
    const params = autoProvisioningGroupParams('cn-hangzhou', request(run), run);
    assert.equal(params.autoProvisioningGroupType, 'instant');
    assert.equal(params.totalTargetCapacity, '1');
    assert.equal(params.payAsYouGoTargetCapacity, '1');
    assert.equal(params.spotTargetCapacity, '0');
    assert.equal(params.defaultTargetCapacityType, 'PayAsYouGo');
    assert.equal(params.payAsYouGoAllocationStrategy, 'prioritized');
    assert.deepEqual(params.launchTemplateConfig, [
      { instanceType: 'ecs.g7.large', vSwitchId: 'vsw-cn-hangzhou-h', priority: 0, weightedCapacity: 1 },
      { instanceType: 'ecs.g8a.large', vSwitchId: 'vsw-cn-hangzhou-i', priority: 1, weightedCapacity: 1 },
    ]);
    assert.equal(params.resourceGroupId, 'rg-1');
  });

  it('ask for spot capacity with each candidate’s price ceiling', () => {
    const run = [candidate('ecs.g7.large', 'cn-hangzhou-h', 'spot', 0.2)];
    const params = autoProvisioningGroupParams('cn-hangzhou', request(run), run);
    assert.equal(params.spotTargetCapacity, '1');
    assert.equal(params.payAsYouGoTargetCapacity, '0');
    assert.equal(params.defaultTargetCapacityType, 'Spot');
    assert.equal(params.launchTemplateConfig[0]?.maxPrice, 0.2);
    assert.equal(params.spotInstanceInterruptionBehavior, 'Terminate');
  });

  it('carry image, security groups, disks, base64 user data and the tags with the launch token', () => {
    const run = [candidate('ecs.g7.large', 'cn-hangzhou-h', 'on-demand')];
    const req = request(run);
    const lc = autoProvisioningGroupParams('cn-hangzhou', req, run).launchConfiguration;
    assert.equal(lc.imageId, 'm-containeros');
    assert.deepEqual(lc.securityGroupIds, ['sg-1', 'sg-2']);
    assert.equal(Buffer.from(String(lc.userData), 'base64').toString('utf8'), req.userData);
    assert.equal(lc.systemDiskCategory, 'cloud_essd');
    assert.equal(lc.systemDiskSize, 40);
    assert.equal(lc.systemDiskPerformanceLevel, 'PL0');
    assert.deepEqual(lc.dataDisk, [{ category: 'cloud_auto', size: 100, deleteWithInstance: true }]);
    assert.equal(lc.instanceName, 'default-abcde');
    assert.deepEqual(lc.tag, [
      { key: 'karpenter.sh/nodepool', value: 'default' },
      { key: 'karpenter.k8s.alibabacloud/nodeclaim', value: 'default-abcde' },
      { key: TagLaunchToken, value: req.clientToken },
    ]);
  });

  it('derive the same ClientToken for the same call and a different one for a different call', () => {
    const run = [candidate('ecs.g7.large', 'cn-hangzhou-h', 'on-demand')];
    const other = [candidate('ecs.g8a.large', 'cn-hangzhou-h', 'on-demand')];
    const a = autoProvisioningGroupParams('cn-hangzhou', request(run), run).clientToken;
    assert.equal(autoProvisioningGroupParams('cn-hangzhou', request(run), run).clientToken, a);
    assert.notEqual(autoProvisioningGroupParams('cn-hangzhou', request(other), other).clientToken, a);
    assert.notEqual(autoProvisioningGroupParams('cn-hangzhou', { ...request(run), clientToken: 'another-claim' }, run).clientToken, a);
    assert.ok(a.length <= 64, 'ClientToken takes at most 64 characters');
  });
});

describe('RunInstances parameters', () => {
  it('launch one instance of the candidate with its spot strategy', () => {
    const spot = runInstancesParams('cn-hangzhou', request([]), candidate('ecs.g7.large', 'cn-hangzhou-h', 'spot', 0.3));
    assert.equal(spot.spotStrategy, 'SpotWithPriceLimit');
    assert.equal(spot.spotPriceLimit, 0.3);
    assert.equal(spot.zoneId, 'cn-hangzhou-h');
    assert.equal(spot.amount, 1);
    assert.deepEqual(spot.systemDisk, { category: 'cloud_essd', size: '40', performanceLevel: 'PL0' });
    const onDemand = runInstancesParams('cn-hangzhou', request([]), candidate('ecs.g7.large', 'cn-hangzhou-h', 'on-demand'));
    assert.equal(onDemand.spotStrategy, 'NoSpot');
    assert.notEqual(onDemand.clientToken, spot.clientToken);
  });
});

describe('interpretLaunchResults', () => {
  const run = [
    candidate('ecs.g7.large', 'cn-hangzhou-h', 'on-demand'),
    candidate('ecs.g8a.large', 'cn-hangzhou-h', 'on-demand'),
    candidate('ecs.g7.large', 'cn-hangzhou-i', 'on-demand'),
  ];

  it('returns the launched instance with the candidate it came from', () => {
    const outcome = interpretLaunchResults(run, [
      { instanceType: 'ecs.g7.large', zoneId: 'cn-hangzhou-h', errorCode: 'OperationDenied.NoStock', errorMsg: 'sold out' },
      { instanceType: 'ecs.g8a.large', zoneId: 'cn-hangzhou-h', instanceIds: { instanceId: ['i-1'] } },
    ]);
    assert.deepEqual(outcome.instanceIds, [{ instanceId: 'i-1', candidate: run[1] }]);
    assert.deepEqual(outcome.failed, []);
    assert.deepEqual(outcome.skipped.map((f) => `${f.instanceType}/${f.zone}:${f.code}`), ['ecs.g7.large/cn-hangzhou-h:OperationDenied.NoStock']);
    assert.equal(outcome.fatal, undefined);
  });

  it('fails every candidate of a run that launched nothing, with the code reported for it', () => {
    const outcome = interpretLaunchResults(run, [
      { instanceType: 'ecs.g7.large', zoneId: 'cn-hangzhou-h', errorCode: 'OperationDenied.NoStock' },
      { instanceType: 'ecs.g8a.large', zoneId: 'cn-hangzhou-h', errorCode: 'OperationDenied.NoStock' },
      { instanceType: 'ecs.g7.large', zoneId: 'cn-hangzhou-i', errorCode: 'InvalidVSwitchId.IpNotEnough' },
    ]);
    assert.deepEqual(outcome.failed.map((f) => `${f.instanceType}/${f.zone}:${f.code}`), [
      'ecs.g7.large/cn-hangzhou-h:OperationDenied.NoStock',
      'ecs.g8a.large/cn-hangzhou-h:OperationDenied.NoStock',
      'ecs.g7.large/cn-hangzhou-i:InvalidVSwitchId.IpNotEnough',
    ]);
    assert.equal(outcome.fatal, undefined);
  });

  it('marks a failure no other candidate can fix as fatal', () => {
    const outcome = interpretLaunchResults(run, [{ instanceType: 'ecs.g7.large', zoneId: 'cn-hangzhou-h', errorCode: 'InvalidImageId.NotFound', errorMsg: 'no image' }]);
    assert.deepEqual(outcome.fatal, { code: 'InvalidImageId.NotFound', message: 'no image' });
    // Candidates ECS did not report on take the run's most common code.
    assert.ok(outcome.failed.every((f) => f.code === 'InvalidImageId.NotFound'));
  });
});
