import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../operator/index.js';
import { planDrain } from './drain.js';

function pod(name: string, extra: { annotations?: Record<string, string>; owner?: string; tolerations?: NonNullable<Pod['spec']>['tolerations']; priorityClassName?: string; phase?: string; deleting?: boolean; grace?: number } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: extra.owner, name: 'x', uid: 'o', controller: true }] } : {}),
      ...(extra.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}),
    },
    spec: {
      containers: [{ name: 'c' }],
      ...(extra.tolerations ? { tolerations: extra.tolerations } : {}),
      ...(extra.priorityClassName ? { priorityClassName: extra.priorityClassName } : {}),
      ...(extra.grace !== undefined ? { terminationGracePeriodSeconds: extra.grace } : {}),
    },
    status: { phase: extra.phase ?? 'Running' },
  };
}
const names = (pods: readonly Pod[]) => pods.map((p) => p.metadata?.name).sort();
const now = new Date('2025-01-01T00:00:00Z');

describe('drain plan', () => {
  it('leaves DaemonSet, mirror, finished and disrupted-tolerating pods alone and evicts the rest', () => {
    const plan = planDrain(
      [
        pod('web'),
        pod('ds', { owner: 'DaemonSet' }),
        pod('rs', { owner: 'ReplicaSet' }),
        pod('static', { annotations: { 'kubernetes.io/config.mirror': 'abc' } }),
        pod('done', { phase: 'Succeeded' }),
        pod('tolerant', { tolerations: [{ key: 'karpenter.sh/disrupted', operator: 'Exists', effect: 'NoSchedule' }] }),
        pod('tolerates-all', { tolerations: [{ operator: 'Exists' }] }),
      ],
      now,
    );
    assert.deepEqual(names(plan.evict), ['rs', 'web']);
    assert.deepEqual(names(plan.ignored), ['done', 'ds', 'static', 'tolerant', 'tolerates-all']);
    assert.equal(plan.drained, false);
  });

  it('is drained when only exempt pods remain', () => {
    assert.equal(planDrain([pod('ds', { owner: 'DaemonSet' })], now).drained, true);
    assert.equal(planDrain([], now).drained, true);
  });

  it('evicts critical pods only once the other pods are gone', () => {
    const critical = pod('dns', { priorityClassName: 'system-cluster-critical' });
    const first = planDrain([pod('web'), critical], now);
    assert.deepEqual(names(first.evict), ['web']);
    assert.deepEqual(names(first.waiting), ['dns']);
    const terminating = planDrain([pod('web', { deleting: true }), critical], now);
    assert.deepEqual(names(terminating.evict), [], 'still waiting for the terminating web pod');
    assert.deepEqual(names(planDrain([critical], now).evict), ['dns']);
  });

  it('never evicts do-not-disrupt pods, but deletes them in time for the terminationGracePeriod', () => {
    const guarded = pod('batch', { annotations: { 'karpenter.sh/do-not-disrupt': 'true' }, grace: 30 });
    const noDeadline = planDrain([guarded], now);
    assert.deepEqual(names(noDeadline.evict), []);
    assert.deepEqual(names(noDeadline.doNotDisrupt), ['batch']);
    assert.equal(noDeadline.drained, false);

    const early = planDrain([guarded], now, new Date(now.getTime() + 120_000));
    assert.deepEqual(early.delete, [], 'two minutes left, its own grace is 30 s: not yet');
    const late = planDrain([guarded], now, new Date(now.getTime() + 20_000));
    assert.deepEqual(late.delete.map((d) => [d.pod.metadata?.name, d.gracePeriodSeconds]), [['batch', 20]]);
  });
});
