// Pool sizes and planned pods from annotations, with Terway's names and a clear precedence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { annotationPatch, podAnnotationsFor } from './pod-annotations.js';
import { plannedPodNetworks, poolSizeFrom } from './pool-size.js';

describe('pool sizes from annotations', () => {
  it('the Node wins over its NodeClaim, which wins over the NodePool template; each size on its own', () => {
    const r = poolSizeFrom([{ 'k8s.aliyun.com/min-pool-size': '4' }, { 'k8s.aliyun.com/min-pool-size': '1', 'k8s.aliyun.com/max-pool-size': '9' }, { 'k8s.aliyun.com/max-pool-size': '20' }]);
    assert.deepEqual(r, { pool: { minPoolSize: 4, maxPoolSize: 9 }, problems: [] });
    assert.deepEqual(poolSizeFrom([undefined, undefined, { 'k8s.aliyun.com/max-pool-size': '20' }]).pool, { maxPoolSize: 20 });
    assert.deepEqual(poolSizeFrom([undefined]).pool, {});
  });

  it('a value that is not a whole number is reported and not used', () => {
    const r = poolSizeFrom([{ 'k8s.aliyun.com/min-pool-size': 'lots' }, { 'k8s.aliyun.com/min-pool-size': '3' }]);
    assert.deepEqual(r.pool, {});
    assert.match(r.problems[0] ?? '', /min-pool-size: "lots" is not a whole number/);
    assert.equal(poolSizeFrom([{ 'k8s.aliyun.com/max-pool-size': '-1' }]).problems.length, 1);
  });

  it('reads the provisioner\'s planned pods per network, and reports a malformed plan', () => {
    assert.deepEqual(plannedPodNetworks({ 'karpenter.k8s.alibabacloud/planned-pod-networks': '{"core-trade":3,"":2}' }).plan, { 'core-trade': 3, '': 2 });
    assert.deepEqual(plannedPodNetworks({}), {});
    assert.match(plannedPodNetworks({ 'karpenter.k8s.alibabacloud/planned-pod-networks': '{"x":-1}' }).invalid ?? '', /not valid/);
  });
});

describe('pod annotations for the CNI', () => {
  it('a shared-ENI pod carries its IP and no pod-eni marker; an exclusive one is marked', () => {
    assert.deepEqual(podAnnotationsFor({ ip: '10.1.0.5', eniType: 'ENIIP' }), { 'k8s.aliyun.com/pod-ips': '10.1.0.5', 'k8s.aliyun.com/pod-eni': null });
    assert.deepEqual(podAnnotationsFor({ ip: '10.1.0.6', eniType: 'ENI' }), { 'k8s.aliyun.com/pod-ips': '10.1.0.6', 'k8s.aliyun.com/pod-eni': 'true' });
  });

  it('patches only what differs, and nothing when the pod is up to date', () => {
    const wanted = podAnnotationsFor({ ip: '10.1.0.5', eniType: 'ENIIP' });
    assert.equal(annotationPatch({ 'k8s.aliyun.com/pod-ips': '10.1.0.5', other: 'x' }, wanted), undefined);
    assert.deepEqual(annotationPatch({ 'k8s.aliyun.com/pod-ips': '10.9.9.9', 'k8s.aliyun.com/pod-eni': 'true' }, wanted), { 'k8s.aliyun.com/pod-ips': '10.1.0.5', 'k8s.aliyun.com/pod-eni': null });
  });
});
