// Node join and spot-interruption signalling against a real API server with kwok as the kubelet:
// a Running instance whose user data carries ACK_NODE_BOOTSTRAP registers its Node (name,
// providerID, labels, taints, capacity, allocatable), kwok makes it Ready, a reclaim puts the
// InstanceTerminating condition and a PreemptibleInstanceInterruption event on it (and kwok's own
// status patches keep that condition), and releasing the instance leaves the Node alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { encodeUserData } from '../../../src/simulator/index.js';
import { parseQuantity } from '../../../src/simulator/nodejoin/quantity.js';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane.js';
import { eventually } from '../../harness/eventually.js';
import { describeInstance, run, startFixture, type Fixture } from '../../unit/simulator/sdk.js';

const nodeSchema = z.object({
  metadata: z.object({
    name: z.string(),
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()).default({}),
  }),
  spec: z.object({
    providerID: z.string(),
    taints: z.array(z.object({ key: z.string(), value: z.string().optional(), effect: z.string() })).default([]),
  }),
  status: z.object({
    capacity: z.record(z.string(), z.string()),
    allocatable: z.record(z.string(), z.string()),
    conditions: z.array(z.object({ type: z.string(), status: z.string(), reason: z.string().optional(), message: z.string().optional() })).default([]),
  }),
});
type NodeObject = z.infer<typeof nodeSchema>;

/** The API server canonicalizes quantities (16777216Ki becomes 16Gi): compare amounts. */
const amounts = (list: Record<string, string>) => Object.fromEntries(Object.entries(list).map(([k, v]) => [k, parseQuantity(v)]));

describe('simulator node join against a real control plane', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let f: Fixture;

  before(async () => {
    cp = await startControlPlane({ kwok: true });
    f = await startFixture({ kubeconfig: cp.kubeconfigPath, logLevel: 'warn' });
  });
  after(async () => {
    await f?.close();
    await cp?.stop();
  });

  const getNode = async (name: string): Promise<NodeObject | undefined> => {
    const res = await cp.kubectl(['get', 'node', name, '-o', 'json']);
    return res.code === 0 ? nodeSchema.parse(JSON.parse(res.stdout)) : undefined;
  };
  const condition = (node: NodeObject | undefined, type: string) => node?.status.conditions.find((c) => c.type === type);

  let instanceId = '';
  let nodeName = '';

  it('registers the Node a bootstrap would, and kwok makes it Ready', async () => {
    const userData = encodeUserData(
      {
        labels: { 'karpenter.sh/nodepool': 'default', 'karpenter.sh/capacity-type': 'spot', team: 'core' },
        taints: [{ key: 'karpenter.sh/unregistered', effect: 'NoExecute' }, { key: 'dedicated', value: 'core', effect: 'NoSchedule' }],
        kubelet: { maxPods: 29, kubeReserved: { cpu: '100m', memory: '512Mi' }, systemReserved: { cpu: '100m', memory: '256Mi' } },
      },
      '#!/bin/bash\necho "the user\'s own script"',
    );
    [instanceId] = (await run(f, { instanceType: 'ecs.g7.xlarge', spotStrategy: 'SpotAsPriceGo', userData })) as [string];
    const ip = f.sim.state.instance(instanceId)!.primaryIp;
    nodeName = `cn-hangzhou.${ip}`;
    const node = await eventually('the Node is Ready', async () => {
      const n = await getNode(nodeName);
      return condition(n, 'Ready')?.status === 'True' ? n : undefined;
    }, { timeoutMs: 60_000 });
    assert.equal(node.spec.providerID, `cn-hangzhou.${instanceId}`);
    const instance = f.sim.state.instance(instanceId)!;
    assert.deepEqual(
      Object.fromEntries(
        ['kubernetes.io/hostname', 'node.kubernetes.io/instance-type', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region', 'kubernetes.io/arch', 'kubernetes.io/os', 'karpenter.sh/nodepool', 'karpenter.sh/capacity-type', 'team', 'type'].map((k) => [k, node.metadata.labels[k]]),
      ),
      {
        'kubernetes.io/hostname': nodeName,
        'node.kubernetes.io/instance-type': 'ecs.g7.xlarge',
        'topology.kubernetes.io/zone': instance.zoneId,
        'topology.kubernetes.io/region': 'cn-hangzhou',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'karpenter.sh/nodepool': 'default',
        'karpenter.sh/capacity-type': 'spot',
        team: 'core',
        type: 'kwok',
      },
    );
    assert.equal(node.metadata.annotations['kwok.x-k8s.io/node'], 'fake');
    assert.deepEqual(node.spec.taints, [{ key: 'karpenter.sh/unregistered', effect: 'NoExecute' }, { key: 'dedicated', value: 'core', effect: 'NoSchedule' }]);
    const GiB = 2 ** 30;
    const MiB = 2 ** 20;
    assert.deepEqual(amounts(node.status.capacity), { cpu: 4, memory: 16 * GiB, 'ephemeral-storage': 40 * GiB, pods: 29 });
    assert.deepEqual(amounts(node.status.allocatable), {
      cpu: 3.8,
      memory: 16 * GiB - 768 * MiB - 100 * MiB,
      'ephemeral-storage': 36 * GiB,
      pods: 29,
    });
  });

  it('registers no Node for an instance whose user data has no bootstrap line', async () => {
    const [plain] = await run(f, { userData: Buffer.from('#!/bin/sh\necho hi\n').toString('base64') });
    await f.sim.settled();
    assert.equal(await getNode(`cn-hangzhou.${f.sim.state.instance(plain!)!.primaryIp}`), undefined);
  });

  it('signals a spot reclaim with the InstanceTerminating condition and an event, which kwok keeps', async () => {
    const terminationTime = f.sim.faults.reclaimSpot(instanceId, { noticeMs: 8_000 });
    const node = await eventually('the Node has InstanceTerminating', async () => {
      const n = await getNode(nodeName);
      return condition(n, 'InstanceTerminating') ? n : undefined;
    }, { timeoutMs: 30_000 });
    const terminating = condition(node, 'InstanceTerminating')!;
    assert.deepEqual([terminating.status, terminating.reason], ['True', 'SpotInterruption']);
    assert.match(terminating.message ?? '', new RegExp(terminationTime));
    const events = await cp.kubectl(['get', 'events', '-n', 'default', '--field-selector', `involvedObject.name=${nodeName}`, '-o', 'json']);
    const reasons = z.object({ items: z.array(z.object({ reason: z.string(), type: z.string() })) }).parse(JSON.parse(events.stdout)).items;
    assert.ok(reasons.some((e) => e.reason === 'PreemptibleInstanceInterruption' && e.type === 'Warning'), JSON.stringify(reasons));

    // Make kwok patch the Node's status again (its node-initialize stage runs while Ready is not
    // True): its strategic-merge status patch must leave the custom condition in place.
    const notReady = JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Test', message: 'forced' }] } });
    const patched = await cp.kubectl(['patch', 'node', nodeName, '--subresource=status', '--type=strategic', '-p', notReady]);
    assert.equal(patched.code, 0, patched.stderr);
    const again = await eventually('kwok makes the Node Ready again', async () => {
      const n = await getNode(nodeName);
      return condition(n, 'Ready')?.status === 'True' ? n : undefined;
    }, { timeoutMs: 30_000 });
    assert.equal(condition(again, 'InstanceTerminating')?.status, 'True');
  });

  it('releases the instance after the notice and leaves the Node in Kubernetes', async () => {
    await eventually('the instance is released', async () => ((await describeInstance(f, instanceId)) === undefined ? true : undefined), {
      timeoutMs: 30_000,
    });
    assert.ok(await getNode(nodeName), 'the Node is still there');
  });
});
