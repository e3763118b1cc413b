import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeClaim } from '../../apis/nodeclaim.js';
import type { Instance } from '../../cloud/types.js';
import { claimsWithVanishedInstances, orphanedInstances } from './garbage-collection.js';

const now = new Date('2025-01-01T01:00:00Z');
const grace = 30_000;

function instance(id: string, created: string, extra: Partial<Instance> = {}): Instance {
  return {
    id, providerID: `cn-hangzhou.${id}`, name: id, instanceType: 'ecs.g7.large', zone: 'cn-hangzhou-h', capacityType: 'spot', state: 'Running',
    imageId: 'm', vSwitchId: 'vsw', securityGroupIds: [], tags: {}, creationTime: created, ...extra,
  };
}
function claim(name: string, uid: string, providerID?: string, launchedAt = '2025-01-01T00:00:00Z', deleting = false) {
  return NodeClaim.parse({
    apiVersion: 'karpenter.sh/v1', kind: 'NodeClaim',
    metadata: { name, uid, ...(deleting ? { deletionTimestamp: '2025-01-01T00:59:00Z' } : {}) },
    spec: { nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'default' }, requirements: [] },
    ...(providerID ? { status: { providerID, conditions: [{ type: 'Launched', status: 'True', reason: 'Launched', message: '', lastTransitionTime: launchedAt }] } } : {}),
  });
}

describe('garbage collection decisions', () => {
  it('collects old instances no NodeClaim owns, sparing young ones, owned ones, launches in flight and ones on their way out', () => {
    const instances = [
      instance('i-owned', '2025-01-01T00:00:00Z'),
      instance('i-orphan', '2025-01-01T00:00:00Z'),
      instance('i-young', '2025-01-01T00:59:50Z'),
      instance('i-inflight', '2025-01-01T00:00:00Z', { tags: { 'karpenter.k8s.alibabacloud/launch-token': 'uid-launching' } }),
      instance('i-duplicate', '2025-01-01T00:00:00Z', { tags: { 'karpenter.k8s.alibabacloud/launch-token': 'uid-owner' } }),
      instance('i-stopping', '2025-01-01T00:00:00Z', { state: 'Stopping' }),
    ];
    const claims = [claim('owner', 'uid-owner', 'cn-hangzhou.i-owned'), claim('launching', 'uid-launching')];
    assert.deepEqual(orphanedInstances(instances, claims, now, grace).map((i) => i.id), ['i-orphan', 'i-duplicate']);
  });

  it('finds launched NodeClaims whose instance is gone, not recent launches nor deleting claims', () => {
    const instances = [instance('i-live', '2025-01-01T00:00:00Z'), instance('i-stopping', '2025-01-01T00:00:00Z', { state: 'Stopping' })];
    const claims = [
      claim('live', 'u1', 'cn-hangzhou.i-live'),
      claim('vanished', 'u2', 'cn-hangzhou.i-gone'),
      claim('reclaimed', 'u3', 'cn-hangzhou.i-stopping'),
      claim('just-launched', 'u4', 'cn-hangzhou.i-new', '2025-01-01T00:59:59Z'),
      claim('deleting', 'u5', 'cn-hangzhou.i-gone2', '2025-01-01T00:00:00Z', true),
      claim('unlaunched', 'u6'),
    ];
    assert.deepEqual(claimsWithVanishedInstances(instances, claims, now, grace).map((c) => c.metadata.name), ['vanished', 'reclaimed']);
  });
});
