// The operator runtime against a real API server: informers see creates, updates and deletes of
// Pods and of custom resources (typed and validated), keep indexes, recover what happened while
// stopped, and keep invalid objects out; Events are written and aggregated; the probe and metrics
// servers answer, and /readyz is not ready before the caches sync; a controller reconciles.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { InformerCache } from '../../src/operator/informers/cache.js';
import type { InformerEvent } from '../../src/operator/informers/informer.js';
import { KubeEventSink } from '../../src/operator/events/kube-event-sink.js';
import { KubeEventRecorder } from '../../src/operator/events/recorder.js';
import {
  builtinResource,
  customResource,
  loadKubeConfig,
  Manager,
  NodePools,
  patch,
  PodIndex,
  Pods,
  watch,
  type KubeObject,
  type Pod,
} from '../../src/operator/index.js';
import { RuntimeMetrics } from '../../src/operator/metrics.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { eventually } from '../harness/eventually.js';
import { httpGet } from '../harness/operator-process.js';

const silent = pino({ level: 'silent' });

type ConfigMap = KubeObject & { data?: Record<string, string> };
const ConfigMaps = builtinResource<ConfigMap>({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true });

const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.test.example.com' },
  spec: {
    group: 'test.example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        // The API server accepts anything: the operator's schema is the only check, as with a CRD
        // installed at an older version than the operator expects.
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

const Widgets = customResource({
  group: 'test.example.com',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
  schema: z.looseObject({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: z.looseObject({ name: z.string(), namespace: z.string(), resourceVersion: z.string() }),
    spec: z.object({ size: z.number().int().positive() }),
  }),
});

describe('operator runtime on a real API server', () => {
  let cp: ControlPlane;

  before(async () => {
    cp = await startControlPlane({ kwok: false });
  });
  after(async () => {
    await cp?.stop();
  });

  async function kubectl(args: string[], input?: string): Promise<string> {
    const result = await cp.kubectl(args, input === undefined ? {} : { input });
    assert.equal(result.code, 0, `kubectl ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  }

  async function applyCrd(path: string): Promise<void> {
    await kubectl(['apply', '-f', path]);
  }

  describe('informers', () => {
    let cache: InformerCache;
    const registry = new Registry();
    const invalid: Array<{ name: string | undefined; problems: string }> = [];

    before(async () => {
      await kubectl(['create', 'namespace', 'informers']);
      cache = new InformerCache(loadKubeConfig(cp.kubeconfigPath), {
        logger: silent,
        metrics: new RuntimeMetrics(registry),
        onInvalid: (raw, error) => invalid.push({ name: raw.metadata?.name, problems: error.problems }),
      });
    });
    after(async () => {
      await cache?.stop();
    });

    it('sees a Pod created, updated and deleted, with old and new state, and indexes it by node', async () => {
      const pods = cache.informer(Pods);
      const seen: Array<InformerEvent<Pod>> = [];
      pods.addHandler((event) => {
        if (event.object.metadata?.namespace === 'informers') seen.push(event);
      });
      cache.start();
      await cache.waitForSync();
      assert.ok(pods.hasSynced());

      await kubectl(['apply', '-n', 'informers', '-f', '-'], JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web-1', labels: { app: 'web' } },
        // Bound directly: no scheduler or kubelet is needed for the API object to exist.
        spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
      }));
      const added = await eventually('the informer caches web-1', async () => pods.get('web-1', 'informers'));
      assert.equal(added.spec?.nodeName, 'node-a');
      assert.equal(added.kind, 'Pod', 'cached objects carry their kind');
      assert.equal(typeof added.metadata?.creationTimestamp, 'string', 'timestamps stay in their JSON form');
      assert.deepEqual(pods.byIndex(PodIndex.byNodeName, 'node-a').map((p) => p.metadata?.name), ['web-1']);
      assert.ok(pods.byIndex(PodIndex.byPhase, 'Pending').some((p) => p.metadata?.name === 'web-1'));

      await kubectl(['label', 'pod', '-n', 'informers', 'web-1', 'tier=frontend']);
      const update = await eventually('an update event for the label', async () =>
        seen.find((e) => e.type === 'update' && e.object.metadata?.labels?.tier === 'frontend'),
      );
      assert.equal(update.type === 'update' ? update.old.metadata?.labels?.tier : 'n/a', undefined, 'the old state lacks the label');

      await kubectl(['delete', 'pod', '-n', 'informers', 'web-1', '--grace-period=0', '--force']);
      await eventually('a delete event', async () => seen.find((e) => e.type === 'delete' && e.object.metadata?.name === 'web-1'));
      assert.equal(pods.get('web-1', 'informers'), undefined);
      assert.deepEqual(pods.byIndex(PodIndex.byNodeName, 'node-a'), []);
      assert.deepEqual(seen.map((e) => e.type).filter((t) => t !== 'update'), ['add', 'delete']);
    });

    it('reports what changed while it was stopped once restarted', async () => {
      const pods = cache.informer(Pods);
      for (const name of ['keep', 'gone']) {
        await kubectl(['run', name, '-n', 'informers', '--image=registry.k8s.io/pause:3.10', '--overrides', JSON.stringify({ spec: { nodeName: 'node-b' } })]);
      }
      await eventually('both pods cached', async () => (pods.byIndex(PodIndex.byNodeName, 'node-b').length === 2 ? true : undefined));
      const deletes: string[] = [];
      const adds: string[] = [];
      pods.addHandler((event) => {
        if (event.type === 'delete') deletes.push(event.object.metadata?.name ?? '');
        if (event.type === 'add') adds.push(event.object.metadata?.name ?? '');
      }, { replay: false });

      await pods.stop();
      await kubectl(['delete', 'pod', '-n', 'informers', 'gone', '--grace-period=0', '--force']);
      await kubectl(['run', 'new', '-n', 'informers', '--image=registry.k8s.io/pause:3.10', '--overrides', JSON.stringify({ spec: { nodeName: 'node-b' } })]);
      assert.ok(pods.get('gone', 'informers'), 'a stopped informer does not change');
      pods.start();
      await eventually('the deletion made while stopped is reported', async () => (deletes.includes('gone') ? true : undefined));
      await eventually('the creation made while stopped is reported', async () => (adds.includes('new') ? true : undefined));
      assert.deepEqual(pods.byIndex(PodIndex.byNodeName, 'node-b').map((p) => p.metadata?.name).sort(), ['keep', 'new']);
    });

    it('sees custom resources created, updated and deleted, parsed by their schema', async () => {
      await applyCrd('crds/karpenter.sh_nodepools.yaml');
      await kubectl(['wait', '--for=condition=Established', 'crd/nodepools.karpenter.sh', '--timeout=30s']);
      const nodePools = cache.informer(NodePools);
      await nodePools.waitForSync();
      const seen: string[] = [];
      nodePools.addHandler((event) => seen.push(`${event.type}:${event.object.metadata?.name}`));

      const text = await readFile('test/fixtures/upstream/alibabacloud-provider-default-nodepool.yaml', 'utf8');
      await kubectl(['apply', '-f', '-'], text);
      const pool = await eventually('the NodePool is cached', async () => nodePools.get('default'));
      assert.equal(pool.spec.template.spec.nodeClassRef.kind, 'ECSNodeClass');
      assert.equal(pool.spec.disruption.consolidationPolicy, 'WhenEmptyOrUnderutilized', 'defaults are applied');

      await kubectl(['patch', 'nodepool', 'default', '--type=merge', '-p', '{"spec":{"weight":7}}']);
      await eventually('the update is seen', async () => (nodePools.get('default')?.spec.weight === 7 ? true : undefined));
      await kubectl(['delete', 'nodepool', 'default']);
      await eventually('the delete is seen', async () => (nodePools.get('default') === undefined ? true : undefined));
      assert.deepEqual(seen.filter((s) => !s.startsWith('update')), ['add:default', 'delete:default']);
    });

    it('keeps an invalid custom resource out of the cache, reports it, and admits it once fixed', async () => {
      await kubectl(['apply', '-f', '-'], JSON.stringify(widgetCrd));
      await kubectl(['wait', '--for=condition=Established', 'crd/widgets.test.example.com', '--timeout=30s']);
      const widgets = cache.informer(Widgets);
      await widgets.waitForSync();
      const widget = (name: string, size: unknown) => JSON.stringify({ apiVersion: 'test.example.com/v1', kind: 'Widget', metadata: { name, namespace: 'informers' }, spec: { size } });

      await kubectl(['apply', '-f', '-'], widget('good', 1));
      await kubectl(['apply', '-f', '-'], widget('bad', 'big'));
      await eventually('good is cached', async () => widgets.get('good', 'informers'));
      await eventually('bad is reported', async () => invalid.find((i) => i.name === 'bad'));
      assert.equal(widgets.get('bad', 'informers'), undefined);
      assert.match(invalid.find((i) => i.name === 'bad')!.problems, /spec\.size/);

      // An invalid update keeps the last valid state rather than dropping the object.
      await kubectl(['apply', '-f', '-'], widget('good', -3));
      await eventually('the invalid update is reported', async () => (invalid.filter((i) => i.name === 'good').length === 1 ? true : undefined));
      assert.equal(widgets.get('good', 'informers')?.spec.size, 1);

      await kubectl(['apply', '-f', '-'], widget('bad', 2));
      const fixed = await eventually('bad is admitted once fixed', async () => widgets.get('bad', 'informers'));
      assert.equal(fixed.spec.size, 2);
      const metrics = await registry.metrics();
      assert.match(metrics, /operator_informer_invalid_objects_total\{resource="widgets.test.example.com"\} 2/);
    });
  });

  describe('events', () => {
    it('writes one events.k8s.io Event per distinct occurrence, with the repeat count in its series', async () => {
      await kubectl(['create', 'namespace', 'events']);
      await kubectl(['run', 'target', '-n', 'events', '--image=registry.k8s.io/pause:3.10', '--overrides', JSON.stringify({ spec: { nodeName: 'node-c' } })]);
      const pod = JSON.parse(await kubectl(['get', 'pod', '-n', 'events', 'target', '-o', 'json'])) as KubeObject;
      const recorder = new KubeEventRecorder({
        sink: new KubeEventSink(loadKubeConfig(cp.kubeconfigPath)),
        logger: silent,
        reportingController: 'karpenter.k8s.alibabacloud/ack-node-operator',
        reportingInstance: 'test-replica',
      });
      for (let i = 0; i < 5; i++) recorder.warning(pod, 'FailedScheduling', 'no NodePool allows arm64');
      recorder.normal(pod, 'Nominated', 'pod should schedule on nodeclaim default-abc', { action: 'Nominate' });
      await recorder.close();

      const list = z
        .object({ items: z.array(z.looseObject({ reason: z.string(), note: z.string(), type: z.string(), reportingController: z.string(), action: z.string(), regarding: z.looseObject({ name: z.string(), uid: z.string() }), series: z.object({ count: z.number() }).optional() })) })
        .parse(JSON.parse(await kubectl(['get', 'events.events.k8s.io', '-n', 'events', '-o', 'json'])));
      const ours = list.items.filter((e) => e.reportingController === 'karpenter.k8s.alibabacloud/ack-node-operator');
      assert.equal(ours.length, 2);
      const failed = ours.find((e) => e.reason === 'FailedScheduling')!;
      assert.equal(failed.type, 'Warning');
      assert.equal(failed.regarding.uid, pod.metadata?.uid);
      assert.equal(failed.series?.count, 5);
      const nominated = ours.find((e) => e.reason === 'Nominated')!;
      assert.equal(nominated.action, 'Nominate');
      assert.equal(nominated.series, undefined);
    });
  });

  describe('manager: controllers, probes and metrics', () => {
    let manager: Manager;
    let cloudReachable = false;

    before(async () => {
      await kubectl(['create', 'namespace', 'toy']);
      manager = new Manager({
        kubeConfig: loadKubeConfig(cp.kubeconfigPath),
        logger: silent,
        identity: 'test-manager',
        leaderElection: false,
        metricsPort: 0,
        healthPort: 0,
        bindAddress: '127.0.0.1',
      });
      manager.addReadinessCheck('cloud', () => (cloudReachable ? undefined : 'DescribeZones: connect ECONNREFUSED'));
      const configMaps = manager.informer(ConfigMaps, { namespace: 'toy' });
      // Not installed yet: this informer cannot sync until the CRD exists.
      manager.informer(customResource({ group: 'late.example.com', version: 'v1', kind: 'Late', plural: 'lates', namespaced: false, schema: z.looseObject({ metadata: z.looseObject({ name: z.string() }) }) }));
      manager.addController({
        name: 'toy',
        watches: [watch(configMaps)],
        concurrency: 2,
        async reconcile(key, ctx) {
          const [namespace, name] = key.split('/') as [string, string];
          const cm = configMaps.get(name, namespace);
          if (!cm || cm.data?.reconciled === 'true') return;
          await manager.clients.core.patchNamespacedConfigMap({ name, namespace, body: { data: { reconciled: 'true' } } }, patch.merge);
          ctx.recorder.normal(cm, 'Reconciled', `reconciled ${name}`);
        },
      });
      await manager.start();
    });
    after(async () => {
      await manager?.stop();
    });

    it('is alive at once, but not ready before its caches sync and the cloud answers', async () => {
      const { health } = manager.boundPorts;
      assert.ok(health);
      assert.equal((await httpGet(health, '/healthz')).status, 200);
      const notReady = await httpGet(health, '/readyz');
      assert.equal(notReady.status, 500);
      assert.match(notReady.body, /\[-\]informers failed: not synced: (.*, )?lates\.late\.example\.com/);
      assert.match(notReady.body, /\[-\]cloud failed: DescribeZones: connect ECONNREFUSED/);

      await kubectl(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'lates.late.example.com' },
        spec: { group: 'late.example.com', scope: 'Cluster', names: { plural: 'lates', singular: 'late', kind: 'Late' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
      }));
      await eventually('the informers sync', async () => ((await httpGet(health, '/readyz')).body.includes('[-]informers') ? undefined : true), { timeoutMs: 60_000 });
      assert.equal((await httpGet(health, '/readyz')).status, 500, 'still not ready: the cloud is unreachable');
      cloudReachable = true;
      const ready = await httpGet(health, '/readyz?verbose');
      assert.equal(ready.status, 200, ready.body);
      assert.match(ready.body, /\[\+\]informers ok\n\[\+\]cloud ok/);
    });

    it('runs the controller on every object and exports controller-runtime metrics', async () => {
      for (let i = 0; i < 3; i++) await kubectl(['create', 'configmap', `job-${i}`, '-n', 'toy', '--from-literal=n=1']);
      for (let i = 0; i < 3; i++) {
        await eventually(`job-${i} reconciled`, async () => {
          const cm = JSON.parse(await kubectl(['get', 'configmap', `job-${i}`, '-n', 'toy', '-o', 'json'])) as ConfigMap;
          return cm.data?.reconciled === 'true' ? true : undefined;
        });
      }
      const { metrics } = manager.boundPorts;
      const scraped = await httpGet(metrics!, '/metrics');
      assert.equal(scraped.status, 200);
      const successes = /controller_runtime_reconcile_total\{controller="toy",result="success"\} (\d+)/.exec(scraped.body);
      assert.ok(successes && Number(successes[1]) >= 3, scraped.body.slice(0, 2000));
      assert.match(scraped.body, /controller_runtime_reconcile_time_seconds_count\{controller="toy"\} \d+/);
      assert.match(scraped.body, /workqueue_adds_total\{name="toy"\} \d+/);
      assert.match(scraped.body, /workqueue_depth\{name="toy"\} 0/);
      assert.match(scraped.body, /process_resident_memory_bytes \d+/);
      assert.equal((await httpGet(metrics!, '/nope')).status, 404);
    });
  });
});
