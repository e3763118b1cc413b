// The provisioner on a real API server (kube-scheduler marks pods Unschedulable: there are no
// nodes), with the catalog read from the simulator through the real SDK and only the
// provisioning controllers in an in-process Manager: pending pods become NodeClaims with
// Karpenter's shape and the cheapest fitting instance types first; a second batch does not ask
// again for pods already planned; a pod nothing can hold gets a FailedScheduling Event; NodePools
// get their hash, status.resources and Ready condition.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import { parseAllDocuments } from 'yaml';
import { ECSNodeClass, ECSNodeClassPlural } from '../../src/apis/ecsnodeclass.js';
import { NodeClaim } from '../../src/apis/nodeclaim.js';
import { NodePool } from '../../src/apis/nodepool.js';
import type { InstanceTypeCatalog } from '../../src/catalog/index.js';
import type { TestProvider } from '../../src/cloud/alibaba/testing.js';
import { nodePoolHash, registerProvisioning } from '../../src/controllers/provisioning/index.js';
import { patch, type Manager } from '../../src/operator/index.js';
import { resourcesFromQuantities } from '../../src/scheduling/index.js';
import { startControllerEnv, type ControllerEnv, type EventObject } from '../harness/controller-env.js';
import { eventually } from '../harness/eventually.js';

const upstream = (file: string) => fileURLToPath(new URL(`../fixtures/upstream/${file}`, import.meta.url));
const clusterName = 'prov';

describe('provisioning on a real API server', { timeout: 300_000 }, () => {
  let env: ControllerEnv;
  let provider: TestProvider;
  let catalog: InstanceTypeCatalog;
  let manager: Manager;
  let registry: Registry;
  let nodeClass: ECSNodeClass;

  const kubectl = (args: string[], input?: string) => env.kubectl(args, input);
  async function getJson<T>(args: string[]): Promise<T> {
    return JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
  }
  const claims = async () => (await getJson<{ items: unknown[] }>(['get', 'nodeclaims'])).items.map((c) => NodeClaim.parse(c));
  const events = async (namespace = 'default'): Promise<EventObject[]> => (await getJson<{ items: EventObject[] }>(['get', 'events.events.k8s.io', '-n', namespace])).items;
  const podNames = async (selector: string) => (await getJson<{ items: { metadata: { name: string } }[] }>(['get', 'pods', '-l', selector])).items.map((p) => p.metadata.name);

  /** The cheapest spot type for amd64 whose allocatable holds `requests`, computed from the catalog's raw numbers. */
  function cheapestFitting(requests: Record<string, number>): string {
    let best: { name: string; price: number } | undefined;
    for (const t of catalog.forNodeClass(nodeClass)) {
      if (t.labels['kubernetes.io/arch'] !== 'amd64') continue;
      if (Object.entries(requests).some(([k, v]) => v > (t.allocatable[k] ?? 0))) continue;
      for (const o of t.offerings) {
        if (o.capacityType !== 'spot' || !o.available) continue;
        if (!best || o.price < best.price || (o.price === best.price && t.name < best.name)) best = { name: t.name, price: o.price };
      }
    }
    assert.ok(best);
    return best.name;
  }

  before(async () => {
    env = await startControllerEnv({ clusterName, flags: ['--batch-idle-duration=300ms', '--batch-max-duration=3s'], refreshCatalog: true });
    ({ provider } = env);
    catalog = env.deps.catalog;

    // The upstream getting-started NodePool and ECSNodeClass, unchanged but for the cluster name.
    const fixture = (await readFile(upstream('karpenter-alibabacloud-getting-started.yaml'), 'utf8')).replaceAll('${CLUSTER_NAME}', clusterName);
    await kubectl(['apply', '-f', '-'], fixture);
    // The node class controller's part, from the same cloud answers: this test is about provisioning.
    const vSwitches = await provider.cloud.listVSwitches({ tags: { 'karpenter.sh/discovery': clusterName } });
    const status = {
      vSwitches: vSwitches.map((v) => ({ id: v.id, zoneID: v.zone, availableIPAddressCount: v.availableIpAddressCount })),
      securityGroups: [{ id: 'sg-x' }],
      images: [{ id: 'm-x', requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] }],
      conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: '', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
    };
    manager = env.manager({ identity: 'provisioning-test' });
    registry = manager.registry;
    await manager.clients.customObjects.patchClusterCustomObjectStatus(
      { group: 'karpenter.k8s.alibabacloud', version: 'v1alpha1', plural: ECSNodeClassPlural, name: 'defaultnodeclass', body: { status } },
      patch.merge,
    );
    nodeClass = ECSNodeClass.parse(await getJson(['get', 'ecsnodeclass', 'defaultnodeclass']));
    registerProvisioning(manager, env.deps, { retryAfterMs: 1_000 });
    await manager.start();
  });

  after(async () => {
    await env?.stop();
  });

  it('turns pending inflate pods into NodeClaims with the cheapest fitting types first, and nominates the pods', async () => {
    const deployment = parseAllDocuments(await readFile(upstream('karpenter-inflate.yaml'), 'utf8'))[0]?.toJS() as { spec: { replicas: number } };
    deployment.spec.replicas = 5;
    await kubectl(['apply', '-f', '-'], JSON.stringify(deployment));
    const created = await eventually('NodeClaims for the 5 pods', async () => {
      const list = await claims();
      const planned = list.reduce((n, c) => n + resourcesFromQuantities(c.spec.resources?.requests).pods!, 0);
      return planned >= 5 ? list : undefined;
    });
    const pool = NodePool.parse(await getJson(['get', 'nodepool', 'ecsnodepool']));
    for (const claim of created) {
      const req = new Map(claim.spec.requirements.map((r) => [r.key, r]));
      const types = req.get('node.kubernetes.io/instance-type')?.values ?? [];
      const requests = resourcesFromQuantities(claim.spec.resources?.requests);
      assert.equal(types[0], cheapestFitting(requests), 'the first option is the cheapest spot type that holds the claim');
      assert.ok(types.length > 1 && types.length <= 60);
      assert.deepEqual(req.get('karpenter.sh/capacity-type')?.values, ['spot']);
      assert.deepEqual(req.get('kubernetes.io/arch')?.values, ['amd64']);
      assert.equal(claim.metadata.labels?.['karpenter.sh/nodepool'], 'ecsnodepool');
      assert.equal(claim.metadata.labels?.['karpenter.sh/capacity-type'], 'spot');
      assert.equal(claim.metadata.annotations?.['karpenter.sh/nodepool-hash'], nodePoolHash(pool));
      assert.deepEqual(claim.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}/${o.uid}`), [`NodePool/ecsnodepool/${pool.metadata.uid}`]);
      assert.deepEqual(claim.spec.nodeClassRef, { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'defaultnodeclass' });
      assert.equal(claim.spec.expireAfter, '720h');
    }
    assert.equal(created.reduce((n, c) => n + resourcesFromQuantities(c.spec.resources?.requests).cpu!, 0), 5 * 250);
    const names = await podNames('app=inflate');
    await eventually('every pod has a Nominated Event naming a NodeClaim', async () => {
      const nominated = (await events()).filter((e) => e.reason === 'Nominated' && /^Pod should schedule on: nodeclaim\/ecsnodepool-[a-z0-9]{5}$/.test(e.note ?? ''));
      return names.every((n) => nominated.some((e) => e.regarding?.name === n)) ? true : undefined;
    });
    const state = await registry.getSingleMetricAsString('karpenter_pods_state');
    assert.match(state, new RegExp(`karpenter_pods_state\\{name="${names[0]}",namespace="default",owner="/apis/apps/v1/namespaces/default/replicasets/inflate-[a-z0-9]+",node="",nodepool="",zone="",arch="",capacity_type="",instance_type="",phase="Pending"\\} 1`));
    const metrics = await registry.getSingleMetricAsString('karpenter_nodeclaims_created_total');
    assert.match(metrics, new RegExp(`karpenter_nodeclaims_created_total\\{reason="provisioned",nodepool="ecsnodepool",min_values_relaxed="false"\\} ${created.length}`));
  });

  it('does not ask again for pods already planned onto claims in flight', async () => {
    const before = (await claims()).map((c) => c.metadata.name).sort();
    // A change to the pending pods opens new batches; the solve places them on the claims in flight.
    for (const name of await podNames('app=inflate')) await kubectl(['annotate', 'pod', name, `touched=${Date.now()}`, '--overwrite']);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await kubectl(['annotate', 'pods', '-l', 'app=inflate', `touched=again-${Date.now()}`, '--overwrite']);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.deepEqual((await claims()).map((c) => c.metadata.name).sort(), before, 'no second NodeClaim for the same pods');
    const passes = await registry.getSingleMetricAsString('karpenter_scheduler_scheduling_duration_seconds');
    assert.match(passes, /karpenter_scheduler_scheduling_duration_seconds_count\{controller="provisioner"\} ([2-9]|\d\d+)/, 'later batches ran');
  });

  it('records FailedScheduling with the reason on a pod nothing can hold', async () => {
    const count = (await claims()).length;
    await kubectl(['run', 'huge', '--image=pause', '--restart=Never', '--overrides', JSON.stringify({ spec: { containers: [{ name: 'huge', image: 'pause', resources: { requests: { cpu: '2000', memory: '1Gi' } } }] } })]);
    const event = await eventually('FailedScheduling on the huge pod', async () =>
      // kube-scheduler writes FailedScheduling too; this one is the operator's.
      (await events()).find((e) => e.regarding?.name === 'huge' && e.reason === 'FailedScheduling' && e.reportingController === 'karpenter.k8s.alibabacloud/ack-node-operator'),
    );
    assert.equal(event.type, 'Warning');
    assert.match(event.note ?? '', /^Failed to schedule pod, .*(instance type|cpu)/);
    assert.equal((await claims()).length, count, 'no NodeClaim for it');
  });

  it('keeps the NodePool hash, status.resources and Ready condition, and reports a pool whose node class is missing', async () => {
    const pool = await eventually('the NodePool is Ready with resources', async () => {
      const p = NodePool.parse(await getJson(['get', 'nodepool', 'ecsnodepool']));
      const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'True' && p.status?.resources?.nodes !== undefined ? p : undefined;
    });
    assert.equal(pool.metadata.annotations?.['karpenter.sh/nodepool-hash'], nodePoolHash(pool));
    assert.equal(pool.status?.resources?.nodes, String((await claims()).length));
    assert.ok(resourcesFromQuantities(pool.status?.resources).cpu! >= 2000);
    assert.equal(pool.status?.conditions?.find((c) => c.type === 'NodeClassReady')?.status, 'True');

    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'orphan' },
      spec: { template: { spec: { requirements: [], nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'nope' } } } },
    }));
    const orphan = await eventually('the orphan NodePool is not Ready', async () => {
      const p = NodePool.parse(await getJson(['get', 'nodepool', 'orphan']));
      return p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False' ? p : undefined;
    });
    assert.equal(orphan.status?.conditions?.find((c) => c.type === 'NodeClassReady')?.reason, 'NodeClassNotFound');
    await eventually('a Warning Event on the orphan NodePool', async () =>
      (await events('default')).concat(await getJson<{ items: EventObject[] }>(['get', 'events.events.k8s.io', '-A']).then((l) => l.items)).find((e) => e.regarding?.name === 'orphan' && e.reason === 'NodeClassNotFound'),
    );
  });
});
