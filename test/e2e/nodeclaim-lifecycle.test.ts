// A hand-written NodeClaim through the operator PROCESS, running with exactly the chart's RBAC:
// the node class controller resolves the ECSNodeClass, the NodeClaim launches, its Node joins and
// goes Ready with the labels and allocatable planned, and deleting the NodeClaim drains the Node,
// releases the instance and removes the Node, with no request refused by RBAC along the way.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NodeClaim } from '../../src/apis/nodeclaim.js';
import { parseQuantity } from '../../src/scheduling/index.js';
import { eventually } from '../harness/eventually.js';
import { startE2e, type E2eEnv } from '../harness/e2e.js';
import { sampleValue } from '../harness/operator-process.js';

interface NodeJson {
  metadata: { labels?: Record<string, string>; finalizers?: string[] };
  spec: { taints?: { key: string; effect: string }[] };
  status: { allocatable?: Record<string, string> };
}

describe('NodeClaim lifecycle under the chart ServiceAccount', { timeout: 300_000 }, () => {
  let env: E2eEnv;
  before(async () => {
    env = await startE2e();
  });
  after(async () => {
    await env?.stop();
  });

  const claim = async (name: string) => {
    const result = await env.cp.kubectl(['get', 'nodeclaim', name, '-o', 'json']);
    return result.code === 0 ? NodeClaim.parse(JSON.parse(result.stdout)) : undefined;
  };
  const node = async (name: string) => {
    const result = await env.cp.kubectl(['get', 'node', name, '-o', 'json']);
    return result.code === 0 ? (JSON.parse(result.stdout) as NodeJson) : undefined;
  };

  it('launches, registers and initializes a NodeClaim, then terminates it', async () => {
    await env.apply(JSON.stringify({
      apiVersion: 'karpenter.k8s.alibabacloud/v1alpha1',
      kind: 'ECSNodeClass',
      metadata: { name: 'default' },
      spec: {
        vSwitchSelectorTerms: [{ tags: { 'karpenter.sh/discovery': env.clusterName } }],
        securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': env.clusterName } }],
        imageSelectorTerms: [{ alias: 'ContainerOS' }],
      },
    }));
    await env.apply(JSON.stringify({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: { name: 'hand-written', labels: { 'karpenter.sh/nodepool': 'default' } },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'default' },
        requirements: [
          { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
        ],
        resources: { requests: { cpu: '2', memory: '4Gi' } },
      },
    }));
    const ready = await eventually('the NodeClaim is Ready', async () => {
      const c = await claim('hand-written');
      return c?.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'True' ? c : undefined;
    }, { timeoutMs: 120_000, lastSeen: () => 'see the operator log' });
    const nodeName = ready.status?.nodeName ?? '';
    const joined = (await node(nodeName))!;
    assert.equal(joined.metadata.labels?.['karpenter.sh/initialized'], 'true');
    assert.equal(joined.metadata.labels?.['karpenter.sh/capacity-type'], 'on-demand');
    assert.equal(joined.metadata.labels?.['node.kubernetes.io/instance-type'], ready.metadata.labels?.['node.kubernetes.io/instance-type']);
    assert.ok(!(joined.spec.taints ?? []).some((t) => t.key === 'karpenter.sh/unregistered'));
    assert.deepEqual(joined.metadata.finalizers, ['karpenter.sh/termination']);
    for (const resource of ['cpu', 'memory', 'pods']) {
      assert.equal(parseQuantity(joined.status.allocatable?.[resource] ?? '0'), parseQuantity(ready.status?.allocatable?.[resource] ?? '-1'), resource);
    }
    const instanceId = (ready.status?.providerID ?? '').split('.').slice(1).join('.');
    assert.ok(env.simulator.state.instance(instanceId));

    await env.kubectl(['delete', 'nodeclaim', 'hand-written', '--wait=false']);
    await eventually('the NodeClaim is gone', async () => ((await claim('hand-written')) ? undefined : true), { timeoutMs: 60_000 });
    assert.equal(env.simulator.state.instance(instanceId), undefined);
    await eventually('the Node is gone', async () => ((await node(nodeName)) ? undefined : true));

    const metrics = await env.operator.metrics();
    assert.equal(sampleValue(metrics, 'karpenter_nodeclaims_launched_total'), 1);
    assert.equal(sampleValue(metrics, 'karpenter_nodeclaims_terminated_total'), 1);
    assert.doesNotMatch(await env.operator.log(), /forbidden/i, 'no request of the operator was refused by RBAC');
  });
});
