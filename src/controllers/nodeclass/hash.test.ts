// The node class hash as drift sees it across its life: a NodeClaim stamped at launch, the node
// class stamped by its controller, a spec change, and an upgrade that changes the hash version.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnnotationECSNodeClassHash, AnnotationECSNodeClassHashVersion } from '../../apis/labels.js';
import { driftOf, hashVersionUpdate } from '../../disruption/index.js';
import { instanceType, World } from '../../disruption/testing.js';
import { nodeClassHash, nodeClassHashAnnotations, NodeClassHashVersion } from './hash.js';

const keys = { hash: AnnotationECSNodeClassHash, version: AnnotationECSNodeClassHashVersion };
const instance = { imageId: 'm-1', vSwitchId: 'vsw-1', securityGroupIds: ['sg-1'] };

function setup() {
  const w = new World([instanceType('c.large', 2, 4)]);
  const pool = w.pool('default');
  const nodeClass = w.nodeClass({ images: ['m-1'], vSwitches: ['vsw-1'], securityGroups: ['sg-1'] });
  const { claim } = w.node({ type: instanceType('c.large', 2, 4), imageId: 'm-1' });
  /** What the node class controller writes on the node class. */
  const stampClass = () => (nodeClass.metadata.annotations = { ...nodeClass.metadata.annotations, ...nodeClassHashAnnotations(nodeClass) });
  return { pool, nodeClass, claim, stampClass };
}

describe('ECSNodeClass hash annotations', () => {
  it('a launch stamps the hash of the spec it launched with and the current hash version, whatever the node class annotation says', () => {
    const { nodeClass } = setup();
    nodeClass.metadata.annotations = { [AnnotationECSNodeClassHash]: 'stale' };
    assert.deepEqual(nodeClassHashAnnotations(nodeClass), {
      [AnnotationECSNodeClassHash]: nodeClassHash(nodeClass.spec),
      [AnnotationECSNodeClassHashVersion]: NodeClassHashVersion,
    });
  });

  it('launch, spec change, upgrade: drift only for a real change at the same hash version', () => {
    const { pool, nodeClass, claim, stampClass } = setup();
    stampClass();
    claim.metadata.annotations = { ...claim.metadata.annotations, ...nodeClassHashAnnotations(nodeClass) };
    assert.equal(driftOf(claim, pool, nodeClass, instance), undefined, 'just launched: not drifted');

    nodeClass.spec.tags = { team: 'payments' };
    stampClass();
    assert.equal(driftOf(claim, pool, nodeClass, instance)?.reason, 'NodeClassDrifted', 'tags changed: drifted');

    // An upgrade bumps the hash version: the node class carries a hash the claim's cannot be compared with.
    const { claim: other } = setup();
    other.metadata.annotations = { ...other.metadata.annotations, ...nodeClassHashAnnotations(nodeClass) };
    nodeClass.metadata.annotations = { [AnnotationECSNodeClassHash]: 'hashed-the-new-way', [AnnotationECSNodeClassHashVersion]: 'v-next' };
    assert.equal(driftOf(other, pool, nodeClass, instance), undefined, 'a hash-version mismatch is not drift');
    // The node class controller re-stamps the claim to the new version; then it compares like with like.
    const update = hashVersionUpdate(other, { hash: 'hashed-the-new-way', version: 'v-next' }, keys);
    assert.ok(update);
    other.metadata.annotations = { ...other.metadata.annotations, ...update };
    assert.equal(driftOf(other, pool, nodeClass, instance), undefined, 're-stamped: still not drifted');
    nodeClass.metadata.annotations[AnnotationECSNodeClassHash] = 'changed-after-the-upgrade';
    assert.equal(driftOf(other, pool, nodeClass, instance)?.reason, 'NodeClassDrifted', 'a later change drifts it');
  });
});
