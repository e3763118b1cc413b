// The cluster snapshot: real-shaped Pods, Nodes, NodeClaims, NodePools and PodNetworkings in, the
// scheduling core's input out; and, through solve(), the behaviour that input produces.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIpamConfig } from '../ipam/config.js';
import { solve } from '../scheduling/index.js';
import { buildClusterSnapshot, type ClusterObjects, type SnapshotContext } from './snapshot.js';
import { PodSpecCache } from './pod-spec.js';
import { DefaultNetworkKey, describeNetworkKeys } from './network.js';
import { instanceType } from '../scheduling/test-fixtures.js';
import { daemonSetJson, fakeCatalog, nodeClaim, nodeClass, nodeJson, nodePool, podJson, podNetworking } from './test-fixtures.js';

const Mi = 2 ** 20;
const Gi = 2 ** 30;

function objects(o: Partial<ClusterObjects> = {}): ClusterObjects {
  return {
    pods: [],
    nodes: [],
    nodeClaims: [],
    nodePools: [nodePool()],
    nodeClasses: [nodeClass()],
    daemonSets: [],
    namespaces: [{ metadata: { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } } }],
    podNetworkings: [],
    ...o,
  };
}

function context(o: Partial<SnapshotContext> = {}): SnapshotContext {
  return {
    catalog: fakeCatalog(),
    ipamDefaults: parseIpamConfig({ clusterName: 'e2e' }).defaults,
    defaultEniType: 'Default',
    ...o,
  };
}

const defaultsInBothZones = parseIpamConfig({
  clusterName: 'e2e',
  defaults: { vSwitchesByZone: { 'zone-a': ['vsw-pod-a'], 'zone-b': ['vsw-pod-b'] }, securityGroupIds: ['sg-default'] },
}).defaults;

describe('pending pods', () => {
  it('takes only pods kube-scheduler failed to place, as Karpenter IsProvisionable', () => {
    const pending = podJson({ name: 'pending' });
    const pods = [
      pending,
      podJson({ name: 'not-tried-yet', unschedulable: false }),
      podJson({ name: 'bound', nodeName: 'n1' }),
      podJson({ name: 'daemon', owner: { kind: 'DaemonSet', apiVersion: 'apps/v1', name: 'agent' } }),
      podJson({ name: 'static', owner: { kind: 'Node', apiVersion: 'v1', name: 'n1' } }),
      podJson({ name: 'terminating', deletionTimestamp: '2025-06-01T09:00:00Z' }),
      podJson({ name: 'preempting', status: { nominatedNodeName: 'n1' } }),
      podJson({ name: 'failed', phase: 'Failed' }),
    ];
    const snap = buildClusterSnapshot(objects({ pods }), context());
    assert.deepEqual(snap.input.pods.map((p) => p.name), ['pending']);
    assert.equal(snap.pendingPods.get(pending.metadata?.uid ?? '')?.metadata?.name, 'pending');
  });

  it('converts requests, init containers, sidecars, overhead, selectors, tolerations, spread and host ports', () => {
    const pod = podJson({
      spec: {
        containers: [
          { name: 'app', image: 'x', resources: { requests: { cpu: '1500m', memory: '1Gi' }, limits: { 'nvidia.com/gpu': '1' } }, ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }, { containerPort: 9090 }] },
        ],
        initContainers: [
          { name: 'init', image: 'x', resources: { requests: { cpu: '2' } } },
          { name: 'proxy', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
        ],
        overhead: { cpu: '250m' },
        nodeSelector: { 'topology.kubernetes.io/zone': 'zone-b' },
        affinity: {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.sh/capacity-type', operator: 'Exists' }] }] } },
          podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'inflate' } } }] },
        },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'inflate' } } }],
      },
    });
    const [spec] = buildClusterSnapshot(objects({ pods: [pod] }), context()).input.pods;
    assert.ok(spec);
    assert.deepEqual(spec.containers[0]?.requests, { cpu: 1500, memory: Gi });
    assert.deepEqual(spec.containers[0]?.limits, { 'nvidia.com/gpu': 1 });
    assert.deepEqual(spec.containers[0]?.ports, [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }]);
    assert.equal(spec.initContainers?.[1]?.restartPolicy, 'Always');
    assert.deepEqual(spec.overhead, { cpu: 250 });
    assert.deepEqual(spec.nodeSelector, { 'topology.kubernetes.io/zone': 'zone-b' });
    assert.equal(spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.operator, 'Exists');
    assert.equal(spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.topologyKey, 'kubernetes.io/hostname');
    assert.equal(spec.topologySpreadConstraints?.[0]?.whenUnsatisfiable, 'DoNotSchedule');
    assert.equal(spec.tolerations?.length, 2);
  });

  it('converts a pod once per resourceVersion', () => {
    const cache = new PodSpecCache();
    const pod = podJson();
    const first = buildClusterSnapshot(objects({ pods: [pod] }), context({ podCache: cache })).input.pods[0];
    const second = buildClusterSnapshot(objects({ pods: [pod] }), context({ podCache: cache })).input.pods[0];
    assert.equal(first, second, 'the same object: not converted again');
    const changed = { ...pod, metadata: { ...pod.metadata, resourceVersion: '99999' }, spec: { ...pod.spec, containers: [{ name: 'c', resources: { requests: { cpu: '3' } } }] } };
    const third = buildClusterSnapshot(objects({ pods: [changed] }), context({ podCache: cache })).input.pods[0];
    assert.deepEqual(third?.containers[0]?.requests, { cpu: 3000 });
  });
});

describe('existing nodes', () => {
  it('lists Nodes with their bound pods, allocatable, taints, pool and ENI facts', () => {
    const node = nodeJson({ name: 'cn-hangzhou.10.0.0.5', nodePool: 'ecsnodepool', providerID: 'cn-hangzhou.i-1', initialized: true, taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] });
    const bound = podJson({ nodeName: 'cn-hangzhou.10.0.0.5', cpu: '1' });
    const done = podJson({ nodeName: 'cn-hangzhou.10.0.0.5', phase: 'Succeeded' });
    const snap = buildClusterSnapshot(objects({ nodes: [node], pods: [bound, done], nodeClaims: [nodeClaim({ name: 'ecsnodepool-a', providerID: 'cn-hangzhou.i-1', initialized: true })] }), context());
    const [existing] = snap.input.nodes ?? [];
    assert.ok(existing);
    assert.equal(existing.name, 'cn-hangzhou.10.0.0.5');
    assert.deepEqual(existing.allocatable, { cpu: 2000, memory: 4 * Gi, pods: 110 });
    assert.deepEqual(existing.taints, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]);
    assert.deepEqual(existing.pods.map((p) => p.uid), [bound.metadata?.uid], 'finished pods hold nothing');
    assert.equal(existing.initialized, true);
    assert.equal(existing.markedForDeletion, false);
    assert.equal(existing.nodePool, 'ecsnodepool');
    assert.deepEqual(existing.eni, { eniQuantity: 3, eniPrivateIpAddressQuantity: 10, eniTotalQuantity: null, eniTrunkSupported: false });
    assert.equal(snap.input.inFlightClaims?.length, 0, 'a claim with a Node is not in flight');
  });

  it('a managed node is uninitialized until its NodeClaim is, and then expects its DaemonSet pods', () => {
    const node = nodeJson({ name: 'n1', nodePool: 'ecsnodepool', providerID: 'p.i-1' });
    const ds = daemonSetJson('agent');
    const snap = buildClusterSnapshot(objects({ nodes: [node], daemonSets: [ds], nodeClaims: [nodeClaim({ name: 'c1', providerID: 'p.i-1' })] }), context());
    const [existing] = snap.input.nodes ?? [];
    assert.equal(existing?.initialized, false);
    assert.deepEqual(existing?.pods.map((p) => p.name), ['agent'], 'the DaemonSet pod to come is reserved');
  });

  it('a node being deleted or disrupted takes no pods, and its pods are planned again', () => {
    const disrupted = nodeJson({ name: 'n1', nodePool: 'ecsnodepool', initialized: true, taints: [{ key: 'karpenter.sh/disrupted', effect: 'NoSchedule' }] });
    const app = podJson({ nodeName: 'n1', owner: { kind: 'ReplicaSet', apiVersion: 'apps/v1', name: 'inflate-1' } });
    const daemon = podJson({ nodeName: 'n1', owner: { kind: 'DaemonSet', apiVersion: 'apps/v1', name: 'agent' } });
    const snap = buildClusterSnapshot(objects({ nodes: [disrupted], pods: [app, daemon] }), context());
    assert.equal(snap.input.nodes?.[0]?.markedForDeletion, true);
    assert.deepEqual(snap.input.pods.map((p) => p.uid), [app.metadata?.uid]);
    assert.deepEqual(snap.input.nodes?.[0]?.pods.map((p) => p.uid), [daemon.metadata?.uid]);
  });

  it('removeNodes simulates nodes gone: left out, their reschedulable pods pending (disruption)', () => {
    const n1 = nodeJson({ name: 'n1', nodePool: 'ecsnodepool', providerID: 'p.i-1', initialized: true });
    const n2 = nodeJson({ name: 'n2', nodePool: 'ecsnodepool', providerID: 'p.i-2', initialized: true });
    const app = podJson({ nodeName: 'n1', owner: { kind: 'ReplicaSet', apiVersion: 'apps/v1', name: 'inflate-1' } });
    const daemon = podJson({ nodeName: 'n1', owner: { kind: 'DaemonSet', apiVersion: 'apps/v1', name: 'agent' } });
    const claims = [nodeClaim({ name: 'c1', providerID: 'p.i-1', initialized: true, capacity: { cpu: '2', memory: '4Gi', pods: '110' } }), nodeClaim({ name: 'c2', providerID: 'p.i-2', initialized: true, capacity: { cpu: '2', memory: '4Gi', pods: '110' } })];
    const snap = buildClusterSnapshot(objects({ nodes: [n1, n2], pods: [app, daemon], nodeClaims: claims }), context(), { removeNodes: ['c1'] });
    assert.deepEqual(snap.input.nodes?.map((n) => n.name), ['n2']);
    assert.deepEqual(snap.input.pods.map((p) => p.uid), [app.metadata?.uid]);
    assert.deepEqual(snap.input.nodePools[0]?.usage, { cpu: 2000, memory: 4 * Gi, pods: 110, nodes: 1 }, 'the removed node no longer counts against limits');
    // Its pod fits on the remaining node: no new capacity needed.
    const result = solve(snap.input);
    assert.equal(result.existingPlacements.get(app.metadata?.uid ?? ''), 'n2');
    assert.equal(result.newClaims.length, 0);
  });
});

describe('in-flight NodeClaims', () => {
  it('describes a claim with no Node by its single-valued requirements, labels and cheapest option', () => {
    const claim = nodeClaim({ name: 'ecsnodepool-x7k2p', labels: { team: 'a' } });
    const snap = buildClusterSnapshot(objects({ nodeClaims: [claim], daemonSets: [daemonSetJson('agent')] }), context());
    const [inflight] = snap.input.inFlightClaims ?? [];
    assert.ok(inflight);
    assert.equal(inflight.name, 'ecsnodepool-x7k2p');
    assert.equal(inflight.initialized, false);
    assert.equal(inflight.labels['karpenter.sh/capacity-type'], 'spot');
    assert.equal(inflight.labels['kubernetes.io/arch'], 'amd64');
    assert.equal(inflight.labels.team, 'a');
    assert.equal(inflight.labels['topology.kubernetes.io/zone'], undefined, 'two zones allowed: not decided yet');
    assert.deepEqual(inflight.allocatable, { cpu: 2000, memory: 4 * Gi, pods: 110 }, 'c.large, the cheapest option');
    assert.deepEqual(inflight.pods.map((p) => p.name), ['agent']);
    assert.deepEqual(snap.capacity.get('ecsnodepool-x7k2p')?.kind, 'claim');
  });

  it('once launched, uses the launched type and status allocatable', () => {
    const claim = nodeClaim({ name: 'c1', providerID: 'p.i-9', labels: { 'node.kubernetes.io/instance-type': 'c.xlarge', 'topology.kubernetes.io/zone': 'zone-b' }, allocatable: { cpu: '3900m', memory: '7Gi', pods: '29' } });
    const [inflight] = buildClusterSnapshot(objects({ nodeClaims: [claim] }), context()).input.inFlightClaims ?? [];
    assert.deepEqual(inflight?.allocatable, { cpu: 3900, memory: 7 * Gi, pods: 29 });
    assert.equal(inflight?.labels['topology.kubernetes.io/zone'], 'zone-b');
  });

  it('pods a claim was created for are placed on it by the next solve: no second claim', () => {
    const pods = Array.from({ length: 6 }, () => podJson());
    const first = solve(buildClusterSnapshot(objects({ pods }), context()).input);
    assert.equal(first.newClaims.length, 1);
    const planned = first.newClaims[0];
    assert.ok(planned);
    // The claim as the provisioner writes it (labels from the plan, requirements with the options).
    const claim = nodeClaim({
      name: 'ecsnodepool-abcde',
      labels: planned.labels,
      requirements: planned.requirements.map((r) => ({ key: r.key, operator: r.operator, values: [...(r.values ?? [])] })),
      requests: { cpu: `${planned.requests.cpu ?? 0}m`, memory: String(planned.requests.memory ?? 0), pods: String(planned.requests.pods ?? 0) },
    });
    const second = solve(buildClusterSnapshot(objects({ pods, nodeClaims: [claim] }), context()).input);
    assert.equal(second.newClaims.length, 0, 'no duplicate claim');
    for (const p of pods) assert.equal(second.existingPlacements.get(p.metadata?.uid ?? ''), 'ecsnodepool-abcde');
  });
});

describe('NodePools', () => {
  it('become templates with the node class instance types, labels, taints, limits and usage', () => {
    const pool = nodePool('ecsnodepool', {
      limits: { cpu: '100', memory: '400Gi' },
      weight: 10,
      template: {
        metadata: { labels: { team: 'a' } },
        spec: {
          requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'], minValues: 1 }],
          taints: [{ key: 'dedicated', value: 'a', effect: 'NoSchedule' }],
          startupTaints: [{ key: 'node.cilium.io/agent-not-ready', effect: 'NoExecute' }],
          nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'defaultnodeclass' },
        },
      },
    });
    const launched = nodeClaim({ name: 'c1', providerID: 'p.i-1', capacity: { cpu: '4', memory: '8Gi', pods: '29' } });
    const pending = nodeClaim({ name: 'c2' });
    const catalog = fakeCatalog();
    const snap = buildClusterSnapshot(objects({ nodePools: [pool], nodeClaims: [launched, pending] }), context({ catalog }));
    const [t] = snap.input.nodePools;
    assert.ok(t);
    assert.equal(t.weight, 10);
    assert.deepEqual(t.labels, { team: 'a' });
    assert.deepEqual(t.taints, [{ key: 'dedicated', value: 'a', effect: 'NoSchedule' }]);
    assert.deepEqual(t.startupTaints, [{ key: 'node.cilium.io/agent-not-ready', effect: 'NoExecute' }]);
    assert.deepEqual(t.limits, { cpu: 100_000, memory: 400 * Gi });
    assert.deepEqual(t.requirements, [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'], minValues: 1 }]);
    assert.equal(t.instanceTypes, catalog.types);
    // c1: its capacity; c2 (not launched): its cheapest option, c.large.
    assert.deepEqual(t.usage, { cpu: 6000, memory: 12 * Gi, pods: 139, nodes: 2 });
  });

  it('are left out, with why, when their node class is missing, not Ready, or of another provider', () => {
    const other = nodePool('other', {
      template: { spec: { requirements: [], nodeClassRef: { group: 'karpenter.alibabacloud.com', kind: 'ECSNodeClass', name: 'default' } } },
    });
    const missing = nodePool('missing', {
      template: { spec: { requirements: [], nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'nope' } } },
    });
    const snap = buildClusterSnapshot(objects({ nodePools: [nodePool(), other, missing], nodeClasses: [nodeClass('defaultnodeclass', false)] }), context());
    assert.equal(snap.input.nodePools.length, 0);
    assert.equal(snap.skippedNodePools.get('ecsnodepool')?.reason, 'NodeClassNotReady');
    assert.match(snap.skippedNodePools.get('ecsnodepool')?.message ?? '', /not ready: no vSwitch matches/);
    assert.equal(snap.skippedNodePools.get('other')?.reason, 'UnsupportedNodeClass');
    assert.equal(snap.skippedNodePools.get('missing')?.reason, 'NodeClassNotFound');
  });
});

describe('networking', () => {
  const coreTrade = podNetworking('core-trade', { vSwitches: [{ id: 'vsw-corea', zone: 'zone-a' }, { id: 'vsw-coreb', zone: 'zone-b' }] });

  it('gives a PodNetworking pod its network and the vSwitches their free IPs', () => {
    const pod = podJson({ labels: { 'app-type': 'core-trade' } });
    const office = podJson();
    const snap = buildClusterSnapshot(
      objects({ pods: [pod, office], podNetworkings: [coreTrade] }),
      context({ ipamDefaults: defaultsInBothZones, vSwitchFreeIPs: new Map([['vsw-corea', 0], ['vsw-coreb', 40]]) }),
    );
    const byName = new Map(snap.input.pods.map((p) => [p.uid, p]));
    assert.deepEqual(byName.get(pod.metadata?.uid ?? '')?.network, { podNetworking: 'core-trade', eniType: 'ENIIP' });
    assert.deepEqual(byName.get(office.metadata?.uid ?? '')?.network, { eniType: 'ENIIP' }, 'the defaults cover every zone: no zone constraint');
    assert.deepEqual(snap.input.networking?.podNetworkings, [{ name: 'core-trade', vSwitchIds: ['vsw-corea', 'vsw-coreb'] }]);
    assert.deepEqual(
      snap.input.networking?.vSwitches?.map((v) => [v.id, v.zone, v.freeIPs]),
      [['vsw-corea', 'zone-a', 0], ['vsw-coreb', 'zone-b', 40]],
    );
    assert.equal(snap.podNetworks.get(pod.metadata?.uid ?? ''), 'core-trade');
    // The core then puts the core-trade pod only where its vSwitch has IPs.
    const result = solve(snap.input);
    const claim = result.newClaims.find((c) => c.pods.includes(pod.metadata?.uid ?? ''));
    assert.deepEqual(claim?.requirements.find((r) => r.key === 'topology.kubernetes.io/zone')?.values, ['zone-b']);
  });

  it('constrains default-network pods when a zone new nodes could use has no default pod vSwitch', () => {
    const defaults = parseIpamConfig({ clusterName: 'e2e', defaults: { vSwitchesByZone: { 'zone-b': ['vsw-pod-b'] }, securityGroupIds: ['sg-default'] } }).defaults;
    const pod = podJson();
    const snap = buildClusterSnapshot(objects({ pods: [pod] }), context({ ipamDefaults: defaults }));
    assert.deepEqual(snap.input.pods[0]?.network, { podNetworking: DefaultNetworkKey, eniType: 'ENIIP' });
    const result = solve(snap.input);
    assert.deepEqual(result.newClaims[0]?.requirements.find((r) => r.key === 'topology.kubernetes.io/zone')?.values, ['zone-b']);
  });

  it('a pod naming a PodNetworking that is not Ready cannot be placed, with the reason', () => {
    const failing = podNetworking('core-trade', { vSwitches: [{ id: 'vsw-corea', zone: 'zone-a' }], ready: false });
    const pod = podJson({ annotations: { 'k8s.aliyun.com/pod-networking': 'core-trade' } });
    const snap = buildClusterSnapshot(objects({ pods: [pod], podNetworkings: [failing] }), context({ ipamDefaults: defaultsInBothZones }));
    assert.equal(snap.input.pods.length, 0);
    assert.match(snap.unschedulable.get(pod.metadata?.uid ?? '') ?? '', /PodNetworking core-trade is not Ready/);
  });

  it('an exclusive-ENI PodNetworking makes its pods count ENIs, not IPs', () => {
    const eni = podNetworking('dedicated', { vSwitches: [{ id: 'vsw-da', zone: 'zone-a' }], eniType: 'ENI' });
    const pod = podJson({ labels: { 'app-type': 'dedicated' } });
    const snap = buildClusterSnapshot(objects({ pods: [pod], podNetworkings: [eni] }), context({ ipamDefaults: defaultsInBothZones }));
    assert.deepEqual(snap.input.pods[0]?.network, { podNetworking: 'dedicated', eniType: 'ENI' });
  });

  describe('new nodes for several ENIIP networks', () => {
    // ecs.c6a.large-like: one secondary ENI, so one network; the xlarge has two.
    const oneEni = instanceType('c.large', 2, 4, { zones: ['zone-a', 'zone-b'], eni: { eniQuantity: 2, eniPrivateIpAddressQuantity: 6 }, family: 'c', price: 0.1, spotDiscount: 0.3 });
    const twoEni = instanceType('c.xlarge', 4, 8, { zones: ['zone-a', 'zone-b'], eni: { eniQuantity: 3, eniPrivateIpAddressQuantity: 10 }, family: 'c', price: 0.2, spotDiscount: 0.3 });
    const typeNames = (snap: ReturnType<typeof buildClusterSnapshot>) => snap.input.nodePools.map((t) => (t.instanceTypes ?? []).map((it) => it.name));

    it('launch only types with a secondary ENI per network when pods use two (kube-scheduler may mix them on a node)', () => {
      const office = podJson();
      const trade = podJson({ labels: { 'app-type': 'core-trade' }, nodeName: 'n1' });
      // The bank scenario: a core-trade pod took the only secondary ENI of n1.
      const info = (name: string) => {
        const eni = [oneEni, twoEni].find((t) => t.name === name)?.eni;
        return eni && { eniQuantity: eni.eniQuantity, eniPrivateIpAddressQuantity: eni.eniPrivateIpAddressQuantity, eniTrunkSupported: false };
      };
      const catalog = { ...fakeCatalog([oneEni, twoEni]), info };
      const snap = buildClusterSnapshot(
        objects({ pods: [office, trade], nodes: [nodeJson({ name: 'n1', instanceType: 'c.large', zone: 'zone-b' })], podNetworkings: [coreTrade] }),
        context({ catalog, ipamDefaults: defaultsInBothZones }),
      );
      assert.deepEqual(typeNames(snap), [['c.xlarge']]);
      const result = solve(snap.input);
      assert.equal(result.existingPlacements.size, 0, 'n1 has no secondary ENI left for the default network');
      assert.deepEqual(result.newClaims.flatMap((c) => c.instanceTypeOptions.map((o) => o.name)), ['c.xlarge']);
    });

    it('keep every type while ENIIP pods use one network; host-network and exclusive-ENI pods add none', () => {
      const dedicated = podNetworking('dedicated', { vSwitches: [{ id: 'vsw-da', zone: 'zone-a' }], eniType: 'ENI' });
      const pods = [podJson(), podJson({ labels: { 'app-type': 'dedicated' } }), podJson({ name: 'host', spec: { hostNetwork: true } })];
      const snap = buildClusterSnapshot(
        objects({ pods, podNetworkings: [coreTrade, dedicated] }),
        context({ catalog: fakeCatalog([oneEni, twoEni]), ipamDefaults: defaultsInBothZones }),
      );
      assert.deepEqual(typeNames(snap), [['c.large', 'c.xlarge']]);
    });

    it('a pool with no type serving every network is left out, with why', () => {
      const pods = [podJson(), podJson({ labels: { 'app-type': 'core-trade' } })];
      const snap = buildClusterSnapshot(
        objects({ pods, podNetworkings: [coreTrade] }),
        context({ catalog: fakeCatalog([oneEni]), ipamDefaults: defaultsInBothZones }),
      );
      assert.equal(snap.input.nodePools.length, 0);
      assert.match(snap.skippedNodePools.get('ecsnodepool')?.message ?? '', /secondary ENI for each of the 2 pod networks/);
    });
  });

  it('words synthetic network keys for people', () => {
    assert.equal(describeNetworkKeys(`PodNetworking "${DefaultNetworkKey}" has no free IPs in any zone`), 'the default pod vSwitches has no free IPs in any zone');
    assert.equal(describeNetworkKeys('PodNetworking "core-trade" has no free IPs'), 'PodNetworking "core-trade" has no free IPs');
  });
});

describe('DaemonSets', () => {
  it('are templates with their requests, and count on in-flight claims they tolerate', () => {
    const tolerating = daemonSetJson('everywhere', { tolerations: [{ operator: 'Exists' }] });
    const picky = daemonSetJson('gpu-only', { nodeSelector: { 'karpenter.k8s.alibabacloud/instance-gpu-count': '1' } });
    const claim = nodeClaim({ name: 'c1', taints: [{ key: 'dedicated', value: 'a', effect: 'NoSchedule' }] });
    const snap = buildClusterSnapshot(objects({ daemonSets: [tolerating, picky, daemonSetJson('plain')], nodeClaims: [claim] }), context());
    assert.deepEqual(snap.input.daemonSets?.map((d) => d.name), ['everywhere', 'gpu-only', 'plain']);
    assert.deepEqual(snap.input.daemonSets?.[2]?.containers[0]?.requests, { cpu: 100, memory: 128 * Mi });
    assert.deepEqual(snap.input.inFlightClaims?.[0]?.pods.map((p) => p.name), ['everywhere'], 'plain does not tolerate the taint; gpu-only selects GPU nodes');
  });
});
