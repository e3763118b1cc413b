// The ECSNodeClass controller on a real API server, against the simulator through the real SDK,
// in an in-process Manager authenticated as the chart's ServiceAccount (so a missing RBAC verb
// fails here): the upstream getting-started ECSNodeClass resolves to Ready with vSwitches, the
// security group and images; free IPs follow the cloud; a selector matching nothing is
// Ready=False with a Warning Event; the drift hash follows the spec; a new hash version re-stamps
// the NodeClaims (no mass drift after an upgrade); deletion waits for the
// NodeClaims launched from the class.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { ECSNodeClass } from '../../src/apis/ecsnodeclass.js';
import type { TestProvider } from '../../src/cloud/alibaba/testing.js';
import { nodeClassHash, NodeClassHashVersion, registerNodeClass } from '../../src/controllers/nodeclass/index.js';
import { VSwitchIpGauge } from '../../src/controllers/resolve/vswitch-ips-gauge.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { upstreamExamples } from '../fixtures/fixtures.js';
import type { ControlPlane } from '../harness/controlplane.js';
import { startControllerEnv, type ControllerEnv } from '../harness/controller-env.js';
import { eventually } from '../harness/eventually.js';

const clusterName = 'bank-prod';
const hashKey = 'karpenter.k8s.alibabacloud/ecsnodeclass-hash';
const versionKey = 'karpenter.k8s.alibabacloud/ecsnodeclass-hash-version';

describe('ECSNodeClass controller on a real API server', { timeout: 300_000 }, () => {
  let env: ControllerEnv;
  let cp: ControlPlane;
  let sim: RunningSimulator;
  let provider: TestProvider;
  let registry: Registry;

  const kubectl = (args: string[], input?: string) => env.kubectl(args, input);
  async function getNodeClass(name: string): Promise<ECSNodeClass | undefined> {
    const result = await cp.kubectl(['get', 'ecsnodeclass', name, '-o', 'json']);
    return result.code === 0 ? ECSNodeClass.parse(JSON.parse(result.stdout)) : undefined;
  }
  const condition = (nc: ECSNodeClass | undefined, type: string) => nc?.status?.conditions?.find((c) => c.type === type);
  const events = (name: string) => env.events('ECSNodeClass', name);
  function nodeClassManifest(name: string, spec: Record<string, unknown>): string {
    return JSON.stringify({ apiVersion: 'karpenter.k8s.alibabacloud/v1alpha1', kind: 'ECSNodeClass', metadata: { name }, spec });
  }

  before(async () => {
    registry = new Registry();
    env = await startControllerEnv({ clusterName, chartRbac: true, registry });
    ({ cp, sim, provider } = env);
    const manager = env.manager({ identity: 'nodeclass-test', registry });
    registerNodeClass(manager, env.deps, { vSwitchIps: new VSwitchIpGauge(registry), resyncMs: 1_000 });
    await manager.start();
  });
  after(async () => {
    await env?.stop();
  });

  it('resolves the upstream getting-started ECSNodeClass to Ready with vSwitches, security groups and images', async () => {
    const example = upstreamExamples().find((e) => e.file === 'karpenter-alibabacloud-getting-started.yaml');
    assert.ok(example);
    // What the guide's envsubst does with the cluster name.
    await kubectl(['apply', '-f', '-'], example.text.replaceAll('${CLUSTER_NAME}', clusterName));

    const ready = await eventually('defaultnodeclass is Ready', async () => {
      const nc = await getNodeClass('defaultnodeclass');
      return condition(nc, 'Ready')?.status === 'True' ? nc : undefined;
    });
    const zones = await provider.cloud.listZones();
    const nodeVSwitches = sim.state.vSwitches().filter((v) => v.tags['karpenter.sh/discovery'] === clusterName);
    assert.deepEqual(ready.status?.vSwitches?.map((v) => v.id).sort(), nodeVSwitches.map((v) => v.id).sort());
    assert.deepEqual([...new Set(ready.status?.vSwitches?.map((v) => v.zoneID))].sort(), zones);
    for (const v of ready.status?.vSwitches ?? []) assert.ok((v.availableIPAddressCount ?? 0) > 4000, 'a fresh /20 has ~4092 free IPs');
    assert.deepEqual(ready.status?.securityGroups?.map((g) => g.name), ['sg-default']);
    assert.deepEqual(ready.status?.images?.map((i) => i.requirements[0]?.values?.[0]), ['amd64', 'arm64']);
    for (const type of ['VSwitchesReady', 'SecurityGroupsReady', 'ImagesReady', 'Ready']) {
      const c = condition(ready, type);
      assert.equal(c?.status, 'True', type);
      assert.equal(c?.observedGeneration, ready.metadata.generation, `${type} observedGeneration`);
    }
    assert.ok(ready.metadata.finalizers?.includes('karpenter.k8s.alibabacloud/termination'));
    assert.equal(ready.metadata.annotations?.['karpenter.k8s.alibabacloud/ecsnodeclass-hash'], nodeClassHash(ready.spec));
    assert.equal(ready.metadata.annotations?.['karpenter.k8s.alibabacloud/ecsnodeclass-hash-version'], 'v1');

    const metrics = await registry.metrics();
    for (const v of nodeVSwitches) assert.match(metrics, new RegExp(`ack_node_operator_vswitch_available_ips\\{vswitch_id="${v.id}",zone="${v.zoneId}"\\} \\d+`));
  });

  it('follows the free IPs of its vSwitches', async () => {
    const target = sim.state.vSwitches().find((v) => v.tags['karpenter.sh/discovery'] === clusterName);
    assert.ok(target);
    sim.faults.exhaustVSwitch(target.id);
    try {
      await eventually('the exhausted vSwitch shows 0 free IPs', async () => {
        const nc = await getNodeClass('defaultnodeclass');
        return nc?.status?.vSwitches?.find((v) => v.id === target.id)?.availableIPAddressCount === 0 ? true : undefined;
      });
    } finally {
      sim.faults.restoreVSwitch(target.id);
    }
  });

  it('is not Ready, with a Warning Event, while a selector matches nothing, and recovers when fixed', async () => {
    await kubectl(['apply', '-f', '-'], nodeClassManifest('lonely', {
      vSwitchSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'foo' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': clusterName } }],
      imageSelectorTerms: [{ alias: 'AlibabaCloudLinux3' }],
    }));
    const failed = await eventually('lonely is Ready=False', async () => {
      const nc = await getNodeClass('lonely');
      return condition(nc, 'Ready')?.status === 'False' ? nc : undefined;
    });
    const message = 'no vSwitch matches vSwitchSelectorTerms [tags karpenter.sh/discovery=foo]';
    assert.equal(condition(failed, 'VSwitchesReady')?.status, 'False');
    assert.equal(condition(failed, 'VSwitchesReady')?.message, message);
    assert.equal(condition(failed, 'Ready')?.message, message);
    assert.equal(condition(failed, 'SecurityGroupsReady')?.status, 'True');
    await eventually('a Warning Event names the selector', async () =>
      (await events('lonely')).find((e) => e.type === 'Warning' && e.reason === 'VSwitchesNotFound' && e.note === message),
    );

    await kubectl(['patch', 'ecsnodeclass', 'lonely', '--type=json', '-p', JSON.stringify([
      { op: 'replace', path: '/spec/vSwitchSelectorTerms/0/tags/karpenter.sh~1discovery', value: clusterName },
    ])]);
    await eventually('lonely is Ready once fixed', async () => (condition(await getNodeClass('lonely'), 'Ready')?.status === 'True' ? true : undefined));
  });

  it('updates the drift hash when a node-shaping field changes, not when a selector does', async () => {
    const before = (await getNodeClass('lonely'))?.metadata.annotations?.['karpenter.k8s.alibabacloud/ecsnodeclass-hash'];
    assert.ok(before);
    await kubectl(['patch', 'ecsnodeclass', 'lonely', '--type=merge', '-p', JSON.stringify({ spec: { securityGroupSelectorTerms: [{ name: 'sg-core-trade' }] } })]);
    const reselected = await eventually('the new security group selector is resolved', async () => {
      const nc = await getNodeClass('lonely');
      return nc?.status?.securityGroups?.[0]?.name === 'sg-core-trade' ? nc : undefined;
    });
    assert.equal(reselected.metadata.annotations?.['karpenter.k8s.alibabacloud/ecsnodeclass-hash'], before, 'a selector change drifts through status, not the hash');
    await kubectl(['patch', 'ecsnodeclass', 'lonely', '--type=merge', '-p', JSON.stringify({ spec: { kubeletConfiguration: { maxPods: 40 } } })]);
    const after = await eventually('the hash follows the kubelet change', async () => {
      const nc = await getNodeClass('lonely');
      const hash = nc?.metadata.annotations?.['karpenter.k8s.alibabacloud/ecsnodeclass-hash'];
      return nc && hash === nodeClassHash(nc.spec) && nc.spec.kubeletConfiguration?.maxPods === 40 ? hash : undefined;
    });
    assert.notEqual(after, before);
  });

  it('a new hash version re-stamps the NodeClaims launched from it instead of drifting them; a drifted one stays drifted', async () => {
    const claim = (name: string) => JSON.stringify({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: { name, labels: { 'karpenter.sh/nodepool': 'default' }, annotations: { [hashKey]: 'hashed-the-old-way', [versionKey]: 'v0' } },
      spec: { nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'lonely' }, requirements: [] },
    });
    await kubectl(['apply', '-f', '-'], claim('launched-before-upgrade'));
    await kubectl(['apply', '-f', '-'], claim('drifted-before-upgrade'));
    const drifted = { type: 'Drifted', status: 'True', reason: 'NodeClassDrifted', message: 'ECSNodeClass lonely spec changed', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    await kubectl(['patch', 'nodeclaim', 'drifted-before-upgrade', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { conditions: [drifted] } })]);
    // What an older operator wrote on the node class: its hash version is not the running one's.
    await kubectl(['annotate', 'ecsnodeclass', 'lonely', '--overwrite', `${versionKey}=v0`]);

    const annotationsOf = async (name: string) => (JSON.parse(await kubectl(['get', 'nodeclaim', name, '-o', 'json'])) as { metadata: { annotations?: Record<string, string> } }).metadata.annotations ?? {};
    const restamped = await eventually('the NodeClaims carry the current hash version', async () => {
      const nc = await getNodeClass('lonely');
      const [launched, drift] = [await annotationsOf('launched-before-upgrade'), await annotationsOf('drifted-before-upgrade')];
      const done = nc?.metadata.annotations?.[versionKey] === NodeClassHashVersion && launched[versionKey] === NodeClassHashVersion && drift[versionKey] === NodeClassHashVersion;
      return done ? { nc, launched, drift } : undefined;
    });
    assert.equal(restamped.launched[hashKey], nodeClassHash(restamped.nc.spec), 'not drifted: takes the node class hash of the current version');
    assert.equal(restamped.drift[hashKey], 'hashed-the-old-way', 'already drifted: keeps its hash, so it stays drifted');
    await kubectl(['delete', 'nodeclaim', 'launched-before-upgrade', 'drifted-before-upgrade']);
  });

  it('waits for the NodeClaims launched from it before it goes away', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: { name: 'uses-lonely', labels: { 'karpenter.sh/nodepool': 'default' } },
      spec: { nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'lonely' }, requirements: [] },
    }));
    await kubectl(['delete', 'ecsnodeclass', 'lonely', '--wait=false']);
    await eventually('deletion is explained by an Event', async () =>
      (await events('lonely')).find((e) => e.reason === 'WaitingOnNodeClaimTermination' && e.note === 'Waiting on NodeClaim termination for uses-lonely'),
    );
    const waiting = await getNodeClass('lonely');
    assert.ok(waiting?.metadata.deletionTimestamp, 'still there, being deleted');

    await kubectl(['delete', 'nodeclaim', 'uses-lonely']);
    await eventually('the node class is gone once its NodeClaim is', async () => ((await getNodeClass('lonely')) === undefined ? true : undefined), { timeoutMs: 20_000 });
    const metrics = await registry.metrics();
    assert.ok(metrics.includes('ack_node_operator_vswitch_available_ips'), 'the other node class still reports its vSwitches');
  });
});
