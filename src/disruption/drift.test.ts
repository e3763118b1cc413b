import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consolidatableCondition, driftedCondition } from './conditions.js';
import { driftOf, hashVersionUpdate } from './drift.js';
import { expirations } from './expiration.js';
import { instanceType, World } from './testing.js';

const large = instanceType('c.large', 2, 4);
const classHash = 'karpenter.k8s.alibabacloud/ecsnodeclass-hash';
const classVersion = 'karpenter.k8s.alibabacloud/ecsnodeclass-hash-version';
const instance = { imageId: 'm-new', vSwitchId: 'vsw-1', securityGroupIds: ['sg-1'] };

function setup() {
  const w = new World([large]);
  const pool = w.pool('default', { requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand', 'spot'] }] });
  const nodeClass = w.nodeClass({ images: ['m-new'], vSwitches: ['vsw-1'], securityGroups: ['sg-1'] });
  const { claim } = w.node({ type: large, imageId: 'm-new' });
  return { w, pool, nodeClass, claim };
}

describe('drift detection', () => {
  it('nothing drifted when hashes, requirements and resolved resources agree', () => {
    const { pool, nodeClass, claim } = setup();
    assert.equal(driftOf(claim, pool, nodeClass, instance), undefined);
  });

  it('NodePool template hash: drifted when it differs at the same version, not across versions', () => {
    const { pool, nodeClass, claim } = setup();
    pool.metadata.annotations = { 'karpenter.sh/nodepool-hash': 'aaa', 'karpenter.sh/nodepool-hash-version': 'v1' };
    claim.metadata.annotations = { 'karpenter.sh/nodepool-hash': 'aaa', 'karpenter.sh/nodepool-hash-version': 'v1' };
    assert.equal(driftOf(claim, pool, nodeClass, instance), undefined);
    pool.metadata.annotations['karpenter.sh/nodepool-hash'] = 'bbb';
    assert.equal(driftOf(claim, pool, nodeClass, instance)?.reason, 'NodePoolDrifted');
    claim.metadata.annotations['karpenter.sh/nodepool-hash-version'] = 'v0';
    assert.equal(driftOf(claim, pool, nodeClass, instance), undefined);
  });

  it('ECSNodeClass hash: drifted when the class spec changed', () => {
    const { pool, nodeClass, claim } = setup();
    nodeClass.metadata.annotations = { [classHash]: 'new', [classVersion]: 'v1' };
    claim.metadata.annotations = { [classHash]: 'old', [classVersion]: 'v1' };
    assert.equal(driftOf(claim, pool, nodeClass, instance)?.reason, 'NodeClassDrifted');
    claim.metadata.annotations[classHash] = 'new';
    assert.equal(driftOf(claim, pool, nodeClass, instance), undefined);
  });

  it('ECSNodeClass hash: a hash-version mismatch is not drift (an upgrade changed the hashing), nor a missing hash or version', () => {
    const { pool, nodeClass, claim } = setup();
    nodeClass.metadata.annotations = { [classHash]: 'rehashed', [classVersion]: 'v2' };
    claim.metadata.annotations = { [classHash]: 'old', [classVersion]: 'v1' };
    assert.equal(driftOf(claim, pool, nodeClass, instance), undefined, 'v1 and v2 hashes are not compared');
    claim.metadata.annotations = { [classHash]: 'old' };
    assert.equal(driftOf(claim, pool, nodeClass, instance), undefined, 'a claim without a hash version is not compared');
    claim.metadata.annotations = { [classHash]: 'old', [classVersion]: 'v2' };
    nodeClass.metadata.annotations = { [classHash]: 'rehashed' };
    assert.equal(driftOf(claim, pool, nodeClass, instance), undefined, 'a node class without a hash version is not compared');
    nodeClass.metadata.annotations[classVersion] = 'v2';
    assert.equal(driftOf(claim, pool, nodeClass, instance)?.reason, 'NodeClassDrifted', 'same version, different hash');
  });

  it('hashVersionUpdate: a claim on another hash version gets the current version and hash; a drifted one keeps its hash', () => {
    const { claim } = setup();
    const keys = { hash: classHash, version: classVersion };
    claim.metadata.annotations = { [classHash]: 'old', [classVersion]: 'v1' };
    assert.deepEqual(hashVersionUpdate(claim, { hash: 'rehashed', version: 'v2' }, keys), { [classVersion]: 'v2', [classHash]: 'rehashed' });
    assert.equal(hashVersionUpdate(claim, { hash: 'rehashed', version: 'v1' }, keys), undefined, 'already on the current version');
    delete claim.metadata.annotations[classVersion];
    assert.deepEqual(hashVersionUpdate(claim, { hash: 'rehashed', version: 'v1' }, keys), { [classVersion]: 'v1', [classHash]: 'rehashed' }, 'no version at all');
    claim.status!.conditions!.push({ type: 'Drifted', status: 'True', reason: 'NodeClassDrifted', message: '', lastTransitionTime: new Date(0).toISOString() });
    assert.deepEqual(hashVersionUpdate(claim, { hash: 'rehashed', version: 'v2' }, keys), { [classVersion]: 'v2' }, 'drifted stays drifted');
  });

  it('requirements: drifted when the claim labels no longer meet them', () => {
    const { pool, nodeClass, claim } = setup();
    pool.spec.template.spec.requirements = [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }];
    const drift = driftOf(claim, pool, nodeClass, instance);
    assert.equal(drift?.reason, 'RequirementsDrifted');
    assert.match(drift?.message ?? '', /karpenter.sh\/capacity-type=on-demand/);
    pool.spec.template.spec.requirements = [{ key: 'team', operator: 'In', values: ['a'] }];
    assert.equal(driftOf(claim, pool, nodeClass, instance)?.reason, 'RequirementsDrifted', 'a custom label the node lacks');
    pool.spec.template.spec.requirements = [{ key: 'karpenter.k8s.alibabacloud/instance-gpu-count', operator: 'Exists' }];
    assert.equal(driftOf(claim, pool, nodeClass, instance), undefined, 'a well-known label it lacks is not held against it');
  });

  it('image, vSwitch and security groups: drifted when the class resolves to others', () => {
    const { pool, nodeClass, claim } = setup();
    nodeClass.status!.images = [{ id: 'm-newer', requirements: [] }];
    assert.equal(driftOf(claim, pool, nodeClass, undefined)?.reason, 'ImageDrift', 'the claim status imageID suffices');
    nodeClass.status!.images = [];
    assert.equal(driftOf(claim, pool, nodeClass, instance), undefined, 'an empty resolution drifts nothing');
    nodeClass.status!.vSwitches = [{ id: 'vsw-2', zoneID: 'zone-a' }];
    assert.equal(driftOf(claim, pool, nodeClass, instance)?.reason, 'VSwitchDrift');
    nodeClass.status!.vSwitches = [{ id: 'vsw-1', zoneID: 'zone-a' }];
    nodeClass.status!.securityGroups = [{ id: 'sg-1' }, { id: 'sg-2' }];
    assert.equal(driftOf(claim, pool, nodeClass, instance)?.reason, 'SecurityGroupDrift');
  });

  it('the Drifted condition is only for launched claims', () => {
    const { pool, nodeClass, claim } = setup();
    nodeClass.status!.images = [{ id: 'm-newer', requirements: [] }];
    assert.equal(driftedCondition(claim, pool, nodeClass, instance)?.reason, 'ImageDrift');
    claim.status!.conditions = claim.status!.conditions!.filter((c) => c.type !== 'Launched');
    assert.equal(driftedCondition(claim, pool, nodeClass, instance), null);
  });
});

describe('Consolidatable condition', () => {
  it('turns True consolidateAfter after the last pod event, or after initialization', () => {
    const { w, claim } = setup();
    const pool = w.pool('p', { consolidateAfter: '30s' });
    const init = Date.parse(claim.status!.conditions!.find((c) => c.type === 'Initialized')!.lastTransitionTime);
    assert.equal(consolidatableCondition(claim, pool, init + 29_000).condition, null);
    assert.equal(consolidatableCondition(claim, pool, init + 29_000).recheckAt, init + 30_000);
    assert.equal(consolidatableCondition(claim, pool, init + 30_000).condition?.status, 'True');
    claim.status!.lastPodEventTime = new Date(init + 100_000).toISOString();
    assert.equal(consolidatableCondition(claim, pool, init + 120_000).condition, null);
    assert.equal(consolidatableCondition(claim, pool, init + 130_000).condition?.status, 'True');
  });

  it('is never set with consolidateAfter Never or before initialization', () => {
    const { w, claim } = setup();
    const never = w.pool('never', { consolidateAfter: 'Never' });
    assert.equal(consolidatableCondition(claim, never, Date.now()).condition, null);
    const pool = w.pool('p', { consolidateAfter: '0s' });
    claim.status!.conditions = claim.status!.conditions!.filter((c) => c.type !== 'Initialized');
    assert.equal(consolidatableCondition(claim, pool, Date.now()).condition, null);
  });
});

describe('expiration', () => {
  it('expires claims older than expireAfter, whatever protects them, and says when the next one is due', () => {
    const w = new World([large]);
    w.pool('default');
    const old = w.node({ type: large, age: 3 * 3_600_000, expireAfter: '2h', annotations: { 'karpenter.sh/do-not-disrupt': 'true' } });
    const young = w.node({ type: large, age: 3_600_000, expireAfter: '2h' });
    w.node({ type: large, age: 1000 * 3_600_000, expireAfter: 'Never' });
    const e = expirations(w.claims, w.now);
    assert.deepEqual(e.expired.map((c) => c.metadata.name), [old.claim.metadata.name]);
    assert.equal(e.nextAt, Date.parse(young.claim.metadata.creationTimestamp!) + 2 * 3_600_000);
  });
});
