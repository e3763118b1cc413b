// Real-shaped objects for snapshot tests: Pods, Nodes and NodeClaims as the API server returns them
// (JSON form), and the CRs parsed by their schemas, as the informer cache holds them.
import { ECSNodeClass } from '../apis/ecsnodeclass.js';
import { NodeClaim } from '../apis/nodeclaim.js';
import { NodePool } from '../apis/nodepool.js';
import { PodNetworking } from '../apis/podnetworking.js';
import type { DaemonSet, Node, Pod } from '../operator/index.js';
import type { InstanceType } from '../scheduling/index.js';
import { instanceType } from '../scheduling/test-fixtures.js';
import type { SnapshotCatalog } from './snapshot.js';

let counter = 0;
const ts = '2025-06-01T08:00:00Z';

export interface PodOptions {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  cpu?: string;
  memory?: string;
  nodeName?: string;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** PodScheduled=False/Unschedulable (default true when unbound). */
  unschedulable?: boolean;
  owner?: { kind: string; apiVersion: string; name: string; uid?: string };
  spec?: Partial<NonNullable<Pod['spec']>>;
  status?: Partial<NonNullable<Pod['status']>>;
  deletionTimestamp?: string;
  resourceVersion?: string;
}

export function podJson(o: PodOptions = {}): Pod {
  const id = ++counter;
  const name = o.name ?? `pod-${id}`;
  const unbound = !o.nodeName;
  const unschedulable = o.unschedulable ?? unbound;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
      resourceVersion: o.resourceVersion ?? String(1000 + id),
      creationTimestamp: ts,
      labels: o.labels ?? { app: 'inflate' },
      ...(o.annotations ? { annotations: o.annotations } : {}),
      ...(o.owner ? { ownerReferences: [{ ...o.owner, uid: o.owner.uid ?? `owner-${o.owner.name}`, controller: true, blockOwnerDeletion: true }] } : {}),
      ...(o.deletionTimestamp ? { deletionTimestamp: o.deletionTimestamp } : {}),
    },
    spec: {
      containers: [
        {
          name: 'inflate',
          image: 'public.ecr.aws/eks-distro/kubernetes/pause:3.2',
          resources: { requests: { cpu: o.cpu ?? '250m', memory: o.memory ?? '250Mi' } },
        },
      ],
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...o.spec,
    },
    status: {
      phase: o.phase ?? (unbound ? 'Pending' : 'Running'),
      ...(unschedulable
        ? {
            conditions: [
              {
                type: 'PodScheduled',
                status: 'False',
                reason: 'Unschedulable',
                message: '0/1 nodes are available: 1 node(s) had untolerated taint.',
                lastTransitionTime: ts,
              },
            ],
          }
        : {}),
      qosClass: 'Burstable',
      ...o.status,
    },
  };
}

export interface NodeOptions {
  name: string;
  instanceType?: string;
  zone?: string;
  capacityType?: string;
  nodePool?: string;
  providerID?: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  taints?: { key: string; value?: string; effect: string }[];
  initialized?: boolean;
  labels?: Record<string, string>;
  deletionTimestamp?: string;
}

export function nodeJson(o: NodeOptions): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: o.name,
      uid: `node-uid-${o.name}`,
      resourceVersion: '500',
      creationTimestamp: ts,
      labels: {
        'kubernetes.io/hostname': o.name,
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': o.instanceType ?? 'c.large',
        'topology.kubernetes.io/zone': o.zone ?? 'zone-a',
        'topology.kubernetes.io/region': 'cn-hangzhou',
        ...(o.nodePool ? { 'karpenter.sh/nodepool': o.nodePool, 'karpenter.sh/capacity-type': o.capacityType ?? 'spot' } : {}),
        ...(o.initialized ? { 'karpenter.sh/initialized': 'true' } : {}),
        ...o.labels,
      },
      ...(o.deletionTimestamp ? { deletionTimestamp: o.deletionTimestamp, finalizers: ['karpenter.sh/termination'] } : {}),
    },
    spec: { ...(o.providerID ? { providerID: o.providerID } : {}), ...(o.taints ? { taints: o.taints } : {}) },
    status: {
      capacity: { cpu: o.cpu ?? '2', memory: o.memory ?? '4Gi', pods: o.pods ?? '110' },
      allocatable: { cpu: o.cpu ?? '2', memory: o.memory ?? '4Gi', pods: o.pods ?? '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: ts, lastTransitionTime: ts }],
    },
  };
}

export function nodePool(name = 'ecsnodepool', spec: Record<string, unknown> = {}): NodePool {
  return NodePool.parse({
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name, uid: `np-${name}`, resourceVersion: '10', generation: 1, creationTimestamp: ts },
    spec: {
      disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m' },
      template: {
        spec: {
          requirements: [
            { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
            { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
          ],
          nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'defaultnodeclass' },
        },
      },
      ...spec,
    },
  });
}

export function nodeClass(name = 'defaultnodeclass', ready = true): ECSNodeClass {
  return ECSNodeClass.parse({
    apiVersion: 'karpenter.k8s.alibabacloud/v1alpha1',
    kind: 'ECSNodeClass',
    metadata: { name, uid: `nc-${name}`, resourceVersion: '20', generation: 1, creationTimestamp: ts },
    spec: {
      vSwitchSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'e2e' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'e2e' } }],
      imageSelectorTerms: [{ alias: 'ContainerOS' }],
    },
    status: {
      vSwitches: [
        { id: 'vsw-node-a', zoneID: 'zone-a', availableIPAddressCount: 4000 },
        { id: 'vsw-node-b', zoneID: 'zone-b', availableIPAddressCount: 4000 },
      ],
      securityGroups: [{ id: 'sg-default' }],
      images: [{ id: 'm-x64', requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] }],
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'Ready' : 'VSwitchesNotFound', message: ready ? '' : 'no vSwitch matches', lastTransitionTime: ts },
      ],
    },
  });
}

export interface ClaimOptions {
  name: string;
  nodePool?: string;
  requirements?: { key: string; operator: string; values?: string[] }[];
  requests?: Record<string, string>;
  labels?: Record<string, string>;
  providerID?: string;
  capacity?: Record<string, string>;
  allocatable?: Record<string, string>;
  initialized?: boolean;
  deletionTimestamp?: string;
  taints?: { key: string; value?: string; effect: string }[];
  startupTaints?: { key: string; value?: string; effect: string }[];
}

export function nodeClaim(o: ClaimOptions): NodeClaim {
  const pool = o.nodePool ?? 'ecsnodepool';
  return NodeClaim.parse({
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodeClaim',
    metadata: {
      name: o.name,
      uid: `claim-${o.name}`,
      resourceVersion: '30',
      generation: 1,
      creationTimestamp: ts,
      labels: { 'karpenter.sh/nodepool': pool, ...o.labels },
      ...(o.deletionTimestamp ? { deletionTimestamp: o.deletionTimestamp, finalizers: ['karpenter.sh/termination'] } : {}),
    },
    spec: {
      requirements: o.requirements ?? [
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
        { key: 'karpenter.sh/nodepool', operator: 'In', values: [pool] },
        { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
        { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['c.large', 'c.xlarge'] },
        { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-a', 'zone-b'] },
      ],
      resources: { requests: o.requests ?? { cpu: '1', memory: '1Gi', pods: '4' } },
      nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'defaultnodeclass' },
      ...(o.taints ? { taints: o.taints } : {}),
      ...(o.startupTaints ? { startupTaints: o.startupTaints } : {}),
    },
    status: {
      ...(o.providerID ? { providerID: o.providerID } : {}),
      ...(o.capacity ? { capacity: o.capacity } : {}),
      ...(o.allocatable ? { allocatable: o.allocatable } : {}),
      conditions: o.initialized ? [{ type: 'Initialized', status: 'True', reason: 'Initialized', message: '', lastTransitionTime: ts }] : [],
    },
  });
}

export function podNetworking(name: string, o: { podSelector?: Record<string, string>; vSwitches: { id: string; zone: string }[]; ready?: boolean; eniType?: string }): PodNetworking {
  return PodNetworking.parse({
    apiVersion: 'network.alibabacloud.com/v1beta1',
    kind: 'PodNetworking',
    metadata: { name, uid: `pn-${name}`, resourceVersion: '40', creationTimestamp: ts },
    spec: {
      selector: { podSelector: { matchLabels: o.podSelector ?? { 'app-type': name } } },
      vSwitchOptions: o.vSwitches.map((v) => v.id),
      securityGroupIDs: ['sg-core'],
      eniOptions: { eniType: o.eniType ?? 'Default' },
    },
    status: { status: o.ready === false ? 'Fail' : 'Ready', vSwitches: o.vSwitches },
  });
}

export function daemonSetJson(name: string, o: { cpu?: string; tolerations?: NonNullable<Pod['spec']>['tolerations']; nodeSelector?: Record<string, string> } = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'kube-system', uid: `ds-${name}`, resourceVersion: '50', creationTimestamp: ts },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name, image: 'agent:1', resources: { requests: { cpu: o.cpu ?? '100m', memory: '128Mi' } } }],
          ...(o.tolerations ? { tolerations: o.tolerations } : {}),
          ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
        },
      },
    },
  };
}

/** A catalog of small types in zone-a and zone-b, spot and on-demand, with ENI facts. */
export function fakeCatalog(types: InstanceType[] = defaultTypes()): SnapshotCatalog & { types: InstanceType[] } {
  return {
    types,
    forNodeClass: () => types,
    info: (name) => (types.some((t) => t.name === name) ? { eniQuantity: 3, eniPrivateIpAddressQuantity: 10, eniTrunkSupported: false } : undefined),
  };
}

export function defaultTypes(): InstanceType[] {
  const eni = { eniQuantity: 3, eniPrivateIpAddressQuantity: 10 };
  return [
    instanceType('c.large', 2, 4, { zones: ['zone-a', 'zone-b'], spotDiscount: 0.3, eni, family: 'c' }),
    instanceType('c.xlarge', 4, 8, { zones: ['zone-a', 'zone-b'], spotDiscount: 0.3, eni, family: 'c' }),
    instanceType('c.4xlarge', 16, 32, { zones: ['zone-a', 'zone-b'], spotDiscount: 0.3, eni, family: 'c' }),
  ];
}
