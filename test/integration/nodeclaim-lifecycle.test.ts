// The NodeClaim lifecycle on a real control plane with kwok, against the simulator through the
// real SDK, with the nodeclaim controllers in an in-process Manager: a hand-written NodeClaim
// launches the cheapest fitting offering, its Node joins from the user data and goes Registered,
// Initialized and Ready; NoStock falls through to the next offering (and exhausting every offering
// deletes the claim); two controller instances racing on one launch make one instance; deletion
// drains through PDBs; deleting the Node terminates its claim; liveness; garbage collection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ECSNodeClass, ECSNodeClassPlural } from '../../src/apis/ecsnodeclass.js';
import { NodeClaim } from '../../src/apis/nodeclaim.js';
import type { InstanceTypeCatalog } from '../../src/catalog/index.js';
import type { TestProvider } from '../../src/cloud/alibaba/testing.js';
import type { ControllerDeps } from '../../src/controllers/index.js';
import { registerNodeClaim } from '../../src/controllers/nodeclaim/index.js';
import { nodeClassHash, NodeClassHashVersion } from '../../src/controllers/nodeclass/hash.js';
import { patch, type Manager, type Node } from '../../src/operator/index.js';
import { parseQuantity } from '../../src/scheduling/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { ControlPlane } from '../harness/controlplane.js';
import { startControllerEnv, type ControllerEnv, type EventObject } from '../harness/controller-env.js';
import { eventually } from '../harness/eventually.js';

const clusterName = 'local';
const registrationTtlMs = 45_000;

describe('NodeClaim lifecycle on a real control plane and the simulator', { timeout: 600_000 }, () => {
  let env: ControllerEnv;
  let cp: ControlPlane;
  let sim: RunningSimulator;
  let provider: TestProvider;
  let catalog: InstanceTypeCatalog;
  let deps: ControllerDeps;
  const managers: Manager[] = [];

  const kubectl = (args: string[], input?: string) => env.kubectl(args, input);
  async function getJson<T>(args: string[]): Promise<T | undefined> {
    const result = await cp.kubectl([...args, '-o', 'json']);
    return result.code === 0 ? (JSON.parse(result.stdout) as T) : undefined;
  }
  const getClaim = async (name: string) => {
    const raw = await getJson<unknown>(['get', 'nodeclaim', name]);
    return raw ? NodeClaim.parse(raw) : undefined;
  };
  const getNode = (name: string) => getJson<Node>(['get', 'node', name]);
  const condition = (claim: NodeClaim | undefined, type: string) => claim?.status?.conditions?.find((c) => c.type === type);
  const events = async (name: string): Promise<EventObject[]> => {
    const list = await getJson<{ items: EventObject[] }>(['get', 'events.events.k8s.io', '-A']);
    return (list?.items ?? []).filter((e) => e.regarding?.name === name);
  };
  const instancesFor = (uid: string) => sim.state.instances().filter((i) => i.tags['karpenter.k8s.alibabacloud/launch-token'] === uid);

  async function startManager(overrides: Parameters<typeof registerNodeClaim>[2] = {}): Promise<Manager> {
    const manager = env.manager({ identity: `test-${managers.length}` });
    registerNodeClaim(manager, deps, { registrationTtlMs, garbageCollectionIntervalMs: 3_000, garbageCollectionGraceMs: 2_000, drainRetryMs: 1_000, instanceTerminationPollMs: 500, ...overrides });
    managers.push(manager);
    await manager.start();
    return manager;
  }

  function claimManifest(name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): string {
    return JSON.stringify({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: { name, labels: { 'karpenter.sh/nodepool': 'default', ...labels } },
      spec: { nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'default' }, ...spec },
    });
  }

  /** The cheapest available spot offering among `types` for the node class, as the catalog prices it. */
  function cheapestSpot(types: string[], exclude: (o: { name: string; zone: string }) => boolean = () => false) {
    const nodeClass = ECSNodeClass.parse({ apiVersion: 'karpenter.k8s.alibabacloud/v1alpha1', kind: 'ECSNodeClass', metadata: { name: 'default' }, spec: nodeClassSpec, status: nodeClassStatus });
    const offers = catalog
      .forNodeClass(nodeClass)
      .filter((t) => types.includes(t.name))
      .flatMap((t) => t.offerings.filter((o) => o.available && o.capacityType === 'spot').map((o) => ({ name: t.name, zone: o.zone, price: o.price })))
      .filter((o) => !exclude(o))
      .sort((a, b) => a.price - b.price || a.name.localeCompare(b.name) || a.zone.localeCompare(b.zone));
    assert.ok(offers[0], `no spot offering among ${types.join(', ')}`);
    return offers[0];
  }

  const nodeClassSpec = {
    vSwitchSelectorTerms: [{ tags: { 'karpenter.sh/discovery': clusterName } }],
    securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': clusterName } }],
    imageSelectorTerms: [{ alias: 'ContainerOS' }],
    kubeletConfiguration: { systemReserved: { cpu: '100m', memory: '256Mi' } },
  };
  let nodeClassStatus: Record<string, unknown> = {};

  before(async () => {
    env = await startControllerEnv({ kwok: true, clusterName, refreshCatalog: true });
    ({ cp, sim, provider, deps } = env);
    catalog = deps.catalog;

    // The node class controller's work, done here from the same cloud answers: this test is about NodeClaims.
    const vSwitches = await provider.cloud.listVSwitches({ tags: { 'karpenter.sh/discovery': clusterName } });
    const groups = await provider.cloud.listSecurityGroups({ tags: { 'karpenter.sh/discovery': clusterName } });
    const images = await provider.cloud.listImages({ family: 'ContainerOS', version: 'latest' });
    nodeClassStatus = {
      vSwitches: vSwitches.map((v) => ({ id: v.id, zoneID: v.zone, availableIPAddressCount: v.availableIpAddressCount })),
      securityGroups: groups.map((g) => ({ id: g.id, name: g.name })),
      images: images.map((i) => ({ id: i.id, name: i.name, requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: [i.architecture] }] })),
      conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: '', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
    };
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'karpenter.k8s.alibabacloud/v1alpha1',
      kind: 'ECSNodeClass',
      metadata: { name: 'default', annotations: { 'karpenter.k8s.alibabacloud/ecsnodeclass-hash': '1234' } },
      spec: nodeClassSpec,
    }));
    const manager0 = env.manager({ identity: 'status-writer' });
    await manager0.clients.customObjects.patchClusterCustomObjectStatus(
      { group: 'karpenter.k8s.alibabacloud', version: 'v1alpha1', plural: ECSNodeClassPlural, name: 'default', body: { status: nodeClassStatus } },
      patch.merge,
    );
    await startManager();
  });

  after(async () => {
    await env?.stop();
  });

  const generalTypes = ['ecs.g7.large', 'ecs.c7.large', 'ecs.g6.large', 'ecs.c6.large', 'ecs.g7.xlarge'];
  let nodeA = '';
  let uidA = '';

  it('starts a NodeClaim that can never register, for the liveness check at the end', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      ...JSON.parse(claimManifest('never-registers', { requirements: [] })),
      spec: { nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'missing' }, requirements: [] },
    }));
    const claim = await eventually('the claim waits for its node class', async () => {
      const c = await getClaim('never-registers');
      return condition(c, 'Launched')?.reason === 'NodeClassNotFound' ? c : undefined;
    });
    assert.equal(condition(claim, 'Launched')?.status, 'Unknown');
    assert.deepEqual(claim.metadata.finalizers, ['karpenter.sh/termination']);
  });

  it('launches the cheapest fitting offering; the Node joins, registers and initializes once its startup taint is gone', async () => {
    const expected = cheapestSpot(generalTypes);
    await kubectl(['apply', '-f', '-'], claimManifest('claim-a', {
      requirements: [
        { key: 'node.kubernetes.io/instance-type', operator: 'In', values: generalTypes },
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
      ],
      resources: { requests: { cpu: '1', memory: '2Gi', pods: '3' } },
      taints: [{ key: 'dedicated', value: 'core', effect: 'NoSchedule' }],
      startupTaints: [{ key: 'example.com/agent-not-ready', effect: 'NoSchedule' }],
    }, { team: 'core' }));
    const registered = await eventually('claim-a is registered', async () => {
      const c = await getClaim('claim-a');
      return condition(c, 'Registered')?.status === 'True' ? c : undefined;
    });
    uidA = registered.metadata.uid ?? '';
    nodeA = registered.status?.nodeName ?? '';
    const instances = instancesFor(uidA);
    assert.equal(instances.length, 1);
    const instance = instances[0]!;
    assert.equal(`${instance.instanceType}/${instance.zoneId}`, `${expected.name}/${expected.zone}`, 'the cheapest fitting spot offering');
    assert.equal(registered.status?.providerID, `${sim.region}.${instance.id}`);
    assert.equal(registered.metadata.labels?.['node.kubernetes.io/instance-type'], expected.name);
    assert.equal(registered.metadata.labels?.['topology.kubernetes.io/zone'], expected.zone);
    assert.equal(registered.metadata.labels?.['karpenter.sh/capacity-type'], 'spot');
    // The hash of the spec it launched with and its hash version, not the node class's (stale) annotation: drift compares like with like.
    const launchedSpec = ECSNodeClass.parse({ apiVersion: 'karpenter.k8s.alibabacloud/v1alpha1', kind: 'ECSNodeClass', metadata: { name: 'default' }, spec: nodeClassSpec }).spec;
    assert.equal(registered.metadata.annotations?.['karpenter.k8s.alibabacloud/ecsnodeclass-hash'], nodeClassHash(launchedSpec));
    assert.equal(registered.metadata.annotations?.['karpenter.k8s.alibabacloud/ecsnodeclass-hash-version'], NodeClassHashVersion);
    assert.ok(Number(registered.metadata.annotations?.['karpenter.k8s.alibabacloud/price-per-hour']) > 0);
    assert.equal(instance.tags['karpenter.k8s.alibabacloud/managed-by'], 'ack-node-operator');
    assert.equal(instance.tags['karpenter.k8s.alibabacloud/nodeclaim'], 'claim-a');
    assert.equal(condition(registered, 'Launched')?.status, 'True');

    const node = (await getNode(nodeA))!;
    assert.equal(node.metadata?.labels?.['karpenter.sh/registered'], 'true');
    assert.equal(node.metadata?.labels?.['karpenter.sh/nodepool'], 'default');
    assert.equal(node.metadata?.labels?.['karpenter.sh/capacity-type'], 'spot');
    assert.equal(node.metadata?.labels?.team, 'core');
    assert.deepEqual((node.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort(), ['dedicated:NoSchedule', 'example.com/agent-not-ready:NoSchedule']);
    assert.deepEqual(node.metadata?.finalizers, ['karpenter.sh/termination']);
    assert.deepEqual(node.metadata?.ownerReferences?.map((o) => `${o.kind}/${o.name}/${o.uid}`), [`NodeClaim/claim-a/${uidA}`]);
    // The kubelet settings in the user data give the Node exactly the allocatable the catalog planned with.
    for (const resource of ['cpu', 'memory', 'ephemeral-storage', 'pods']) {
      assert.equal(parseQuantity(node.status?.allocatable?.[resource] ?? '0'), parseQuantity(registered.status?.allocatable?.[resource] ?? '-1'), `allocatable ${resource}`);
    }

    const waiting = await eventually('initialization waits for the startup taint', async () => {
      const c = await getClaim('claim-a');
      return condition(c, 'Initialized')?.message.includes('example.com/agent-not-ready') ? c : undefined;
    });
    assert.equal(condition(waiting, 'Ready')?.status, 'Unknown');
    // The agent daemon's job (kwok does not do it).
    await kubectl(['taint', 'node', nodeA, 'example.com/agent-not-ready:NoSchedule-']);
    const ready = await eventually('claim-a is Ready', async () => {
      const c = await getClaim('claim-a');
      return condition(c, 'Ready')?.status === 'True' ? c : undefined;
    });
    assert.equal(condition(ready, 'Initialized')?.status, 'True');
    assert.equal((await getNode(nodeA))?.metadata?.labels?.['karpenter.sh/initialized'], 'true');
    assert.ok((await events('claim-a')).some((e) => e.reason === 'Launched' && e.note?.includes(instance.id)));
  });

  it('falls through a NoStock offering to the next one and marks it unavailable', async () => {
    const types = ['ecs.c7.large'];
    const cheapest = cheapestSpot(types);
    sim.faults.stockOut({ instanceType: cheapest.name, zone: cheapest.zone, capacityType: 'spot' });
    const next = cheapestSpot(types, (o) => o.zone === cheapest.zone);
    await kubectl(['apply', '-f', '-'], claimManifest('claim-b', {
      requirements: [
        { key: 'node.kubernetes.io/instance-type', operator: 'In', values: types },
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
      ],
      resources: { requests: { cpu: '500m', memory: '1Gi' } },
    }));
    const launched = await eventually('claim-b launched', async () => {
      const c = await getClaim('claim-b');
      return c?.status?.providerID ? c : undefined;
    });
    const instances = instancesFor(launched.metadata.uid ?? '');
    assert.deepEqual(instances.map((i) => `${i.instanceType}/${i.zoneId}`), [`${next.name}/${next.zone}`]);
    assert.ok(
      catalog.unavailableOfferings().some((u) => u.instanceType === cheapest.name && u.zone === cheapest.zone && u.capacityType === 'spot'),
      'the sold-out offering is in the unavailable cache',
    );
    sim.faults.restock();
    await eventually('claim-b is Ready', async () => (condition(await getClaim('claim-b'), 'Ready')?.status === 'True' ? true : undefined));
  });

  it('deletes a NodeClaim when every offering it may use is out of stock, saying why', async () => {
    sim.faults.stockOut({ instanceType: 'ecs.g6.large', capacityType: 'spot' });
    await kubectl(['apply', '-f', '-'], claimManifest('claim-ice', {
      requirements: [
        { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['ecs.g6.large'] },
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
      ],
    }));
    await eventually('claim-ice is deleted', async () => ((await getClaim('claim-ice')) ? undefined : true));
    const ice = (await events('claim-ice')).find((e) => e.reason === 'InsufficientCapacity');
    assert.ok(ice, 'an InsufficientCapacity event');
    assert.match(ice.note ?? '', /out of capacity/);
    assert.equal(sim.state.instances().filter((i) => i.tags['karpenter.k8s.alibabacloud/nodeclaim'] === 'claim-ice').length, 0);
    sim.faults.restock();
  });

  it('makes exactly one instance when two controller instances launch the same NodeClaim at once', async () => {
    // Both see the claim before either launch returns.
    const slow = sim.faults.latency({ action: 'CreateAutoProvisioningGroup', ms: 1_500 });
    const second = await startManager({ garbageCollectionIntervalMs: 600_000 });
    await kubectl(['apply', '-f', '-'], claimManifest('claim-race', {
      requirements: [
        { key: 'node.kubernetes.io/instance-type', operator: 'In', values: generalTypes },
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
      ],
    }));
    const claim = await eventually('claim-race is registered', async () => {
      const c = await getClaim('claim-race');
      return condition(c, 'Registered')?.status === 'True' ? c : undefined;
    });
    sim.faults.removeRule(slow);
    await second.stop();
    managers.splice(managers.indexOf(second), 1);
    assert.ok((sim.state.callCount('CreateAutoProvisioningGroup') ?? 0) >= 1);
    const instances = instancesFor(claim.metadata.uid ?? '');
    assert.equal(instances.length, 1, `instances: ${instances.map((i) => i.id).join(', ')}`);
    // A retried launch call with the same request answers with the same instance.
    assert.equal(claim.status?.providerID, `${sim.region}.${instances[0]!.id}`);
  });

  it('drains on deletion through the eviction API: a PDB at its limit blocks until relaxed; then the instance and the Node go', async () => {
    await kubectl(['create', 'namespace', 'work']);
    await kubectl(['apply', '-n', 'work', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            nodeSelector: { 'kubernetes.io/hostname': (await getNode(nodeA))?.metadata?.labels?.['kubernetes.io/hostname'] ?? '' },
            tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'core', effect: 'NoSchedule' }],
            containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
          },
        },
      },
    }));
    await kubectl(['apply', '-n', 'work', '-f', '-'], JSON.stringify({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
    }));
    await eventually('both pods run on node A', async () => {
      const pods = await getJson<{ items: { spec: { nodeName?: string }; status: { phase?: string } }[] }>(['get', 'pods', '-n', 'work']);
      const running = (pods?.items ?? []).filter((p) => p.spec.nodeName === nodeA && p.status.phase === 'Running');
      return running.length === 2 ? true : undefined;
    }, { timeoutMs: 90_000 });
    await eventually('the PDB sees two healthy pods', async () => {
      const pdb = await getJson<{ status?: { currentHealthy?: number } }>(['get', 'pdb', 'web', '-n', 'work']);
      return pdb?.status?.currentHealthy === 2 ? true : undefined;
    });

    const instanceId = instancesFor(uidA)[0]!.id;
    await kubectl(['delete', 'nodeclaim', 'claim-a', '--wait=false']);
    await eventually('the drain is blocked by the PDB', async () =>
      (await events('claim-a')).some((e) => e.reason === 'DrainBlocked') ? true : undefined,
    );
    const tainted = (await getNode(nodeA))!;
    assert.ok(tainted.spec?.taints?.some((t) => t.key === 'karpenter.sh/disrupted' && t.effect === 'NoSchedule'));
    assert.ok(sim.state.instance(instanceId), 'the instance stays while pods cannot be evicted');
    assert.ok(await getClaim('claim-a'), 'the claim waits on its finalizer');
    const pods = await getJson<{ items: unknown[] }>(['get', 'pods', '-n', 'work', '--field-selector', `spec.nodeName=${nodeA}`]);
    assert.equal(pods?.items.length, 2, 'no pod was evicted');

    await kubectl(['patch', 'pdb', 'web', '-n', 'work', '--type=merge', '-p', JSON.stringify({ spec: { minAvailable: 0 } })]);
    await eventually('claim-a is gone', async () => ((await getClaim('claim-a')) ? undefined : true), { timeoutMs: 90_000 });
    assert.equal(sim.state.instance(instanceId), undefined, 'the instance is released');
    assert.equal(await getNode(nodeA), undefined, 'the Node is deleted');
    await kubectl(['delete', 'namespace', 'work', '--wait=false']);
  });

  it('terminates the NodeClaim of a Node a person deletes, and only then lets the Node go', async () => {
    const claim = (await getClaim('claim-b'))!;
    const nodeName = claim.status?.nodeName ?? '';
    const instanceId = instancesFor(claim.metadata.uid ?? '')[0]!.id;
    await kubectl(['delete', 'node', nodeName, '--wait=false']);
    await eventually('claim-b is gone', async () => ((await getClaim('claim-b')) ? undefined : true), { timeoutMs: 60_000 });
    assert.equal(sim.state.instance(instanceId), undefined);
    await eventually('the Node is gone', async () => ((await getNode(nodeName)) ? undefined : true));
  });

  it('garbage-collects an orphaned tagged instance, leaves owned and foreign ones alone, and deletes a claim whose instance vanished', async () => {
    const race = (await getClaim('claim-race'))!;
    const raceInstance = instancesFor(race.metadata.uid ?? '')[0]!;
    const ours = { 'ack.aliyun.com': 'test-cluster', 'karpenter.k8s.alibabacloud/cluster': clusterName, 'karpenter.k8s.alibabacloud/managed-by': 'ack-node-operator' };
    const offer = cheapestSpot(generalTypes);
    const vSwitch = (nodeClassStatus.vSwitches as { id: string; zoneID: string }[]).find((v) => v.zoneID === offer.zone)!.id;
    const base = {
      candidates: [{ instanceType: offer.name, zone: offer.zone, capacityType: 'spot' as const, vSwitchId: vSwitch }],
      imageId: (nodeClassStatus.images as { id: string }[])[0]!.id,
      securityGroupIds: (nodeClassStatus.securityGroups as { id: string }[]).map((g) => g.id),
      userData: '#!/bin/bash\n',
    };
    const orphan = await provider.cloud.createInstance({ ...base, clientToken: 'orphan-token', name: 'orphan', tags: ours });
    const foreign = await provider.cloud.createInstance({ ...base, clientToken: 'foreign-token', name: 'foreign', tags: { ...ours, 'ack.aliyun.com': 'another-cluster' } });
    await eventually('the orphan is deleted', async () => (sim.state.instance(orphan.id) ? undefined : true), { timeoutMs: 30_000 });
    assert.ok(sim.state.instance(foreign.id), "another cluster's instance is not touched");
    assert.ok(sim.state.instance(raceInstance.id), 'an owned instance is not touched');

    // A person deletes claim-race's instance: the claim goes, and its Node with it.
    const nodeName = race.status?.nodeName ?? '';
    await provider.cloud.deleteInstance(raceInstance.id);
    await eventually('claim-race is gone', async () => ((await getClaim('claim-race')) ? undefined : true), { timeoutMs: 30_000 });
    assert.ok((await events('claim-race')).some((e) => e.reason === 'InstanceTerminated'));
    await eventually('its Node is gone', async () => ((await getNode(nodeName)) ? undefined : true));
    await provider.cloud.deleteInstance(foreign.id);
  });

  it('deletes a NodeClaim that did not register within the liveness timeout', async () => {
    await eventually('never-registers is deleted', async () => ((await getClaim('never-registers')) ? undefined : true), { timeoutMs: registrationTtlMs + 30_000 });
    const timeout = (await events('never-registers')).find((e) => e.reason === 'RegistrationTimeout');
    assert.ok(timeout);
    assert.match(timeout.note ?? '', /no instance was launched within 45s/);
  });

  it('left no instance behind and exported the lifecycle metrics', async () => {
    await eventually('no live instance of this cluster is left', async () =>
      sim.state.instances().filter((i) => i.tags['karpenter.k8s.alibabacloud/managed-by'] === 'ack-node-operator').length === 0 ? true : undefined,
    );
    const metrics = await managers[0]!.registry.metrics();
    for (const name of ['karpenter_nodeclaims_launched_total', 'karpenter_nodeclaims_registered_total', 'karpenter_nodeclaims_initialized_total', 'karpenter_nodeclaims_terminated_total', 'karpenter_nodes_terminated_total']) {
      assert.match(metrics, new RegExp(`${name}\\{nodepool="default"\\} [1-9]`), name);
    }
    assert.match(metrics, /ack_node_operator_instances_garbage_collected_total\{reason="orphaned"\} 1/);
    assert.match(metrics, /karpenter_cloudprovider_errors_total\{controller="nodeclaim.lifecycle",method="Create",provider="alibabacloud",error="InsufficientCapacityError"\} [1-9]/);
    assert.match(metrics, /karpenter_nodeclaims_instance_termination_duration_seconds_count\{nodepool="default"\} [1-9]/);
  });
});
