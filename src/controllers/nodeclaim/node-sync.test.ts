import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeClaim } from '../../apis/nodeclaim.js';
import type { Node } from '../../operator/index.js';
import { initializationBlocker, isRegistered, registrationOf } from './node-sync.js';

const claim = NodeClaim.parse({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodeClaim',
  metadata: { name: 'default-x', uid: 'u-1', labels: { 'karpenter.sh/nodepool': 'default', 'karpenter.sh/capacity-type': 'spot' } },
  spec: {
    nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'default' },
    requirements: [],
    resources: { requests: { cpu: '1', 'nvidia.com/gpu': '1' } },
    taints: [{ key: 'dedicated', value: 'core', effect: 'NoSchedule' }],
    startupTaints: [{ key: 'agent-not-ready', effect: 'NoSchedule' }],
  },
});

function node(taints: { key: string; value?: string; effect: string }[], extra: Partial<Node> = {}): Node {
  return {
    metadata: { name: 'cn-hangzhou.10.0.0.5', labels: { 'kubernetes.io/hostname': 'h' }, resourceVersion: '1' },
    spec: { providerID: 'cn-hangzhou.i-1', taints },
    ...extra,
  };
}

describe('registration', () => {
  it('adds labels, the registered label, the claim as owner and the finalizer, and removes the unregistered taint', () => {
    const n = node([{ key: 'karpenter.sh/unregistered', effect: 'NoExecute' }, { key: 'dedicated', value: 'core', effect: 'NoSchedule' }, { key: 'agent-not-ready', effect: 'NoSchedule' }]);
    const r = registrationOf(n, claim, true);
    assert.deepEqual(r.labels, { 'kubernetes.io/hostname': 'h', 'karpenter.sh/nodepool': 'default', 'karpenter.sh/capacity-type': 'spot', 'karpenter.sh/registered': 'true' });
    assert.deepEqual(r.taints.map((t) => t.key), ['dedicated', 'agent-not-ready'], 'taints already there are not added twice');
    assert.deepEqual(r.ownerReferences, [{ apiVersion: 'karpenter.sh/v1', kind: 'NodeClaim', name: 'default-x', uid: 'u-1', blockOwnerDeletion: true }]);
    assert.deepEqual(r.finalizers, ['karpenter.sh/termination']);
    assert.equal(isRegistered(n, r), false);
  });

  it('merges missing claim taints on first registration only, so a removed startup taint stays removed', () => {
    assert.deepEqual(registrationOf(node([]), claim, true).taints.map((t) => t.key), ['dedicated', 'agent-not-ready']);
    assert.deepEqual(registrationOf(node([{ key: 'dedicated', value: 'core', effect: 'NoSchedule' }]), claim, false).taints.map((t) => t.key), ['dedicated']);
  });
});

describe('initialization', () => {
  const ready = { conditions: [{ type: 'Ready', status: 'True' }], allocatable: { cpu: '2', 'nvidia.com/gpu': '1' } };
  it('waits for Ready, for the startup taints to go and for requested extended resources', () => {
    assert.match(initializationBlocker(node([]), claim) ?? '', /is not Ready/);
    assert.match(initializationBlocker(node([{ key: 'agent-not-ready', effect: 'NoSchedule' }], { status: ready }), claim) ?? '', /startup taint agent-not-ready:NoSchedule/);
    assert.match(initializationBlocker(node([], { status: { ...ready, allocatable: { cpu: '2' } } }), claim) ?? '', /nvidia.com\/gpu is not allocatable/);
    assert.equal(initializationBlocker(node([{ key: 'dedicated', value: 'core', effect: 'NoSchedule' }], { status: ready }), claim), undefined, "the claim's own taints stay");
  });
});
