// A small cluster builder for the disruption core's tests: NodePools, NodeClaims with their Nodes
// and pods, PDBs, and the matching scheduling snapshot, all consistent with each other.
import { NodeClaim } from '../apis/nodeclaim.js';
import { NodePool } from '../apis/nodepool.js';
import { ECSNodeClass } from '../apis/ecsnodeclass.js';
import { LabelCapacityType, LabelHostname, LabelInstanceType, LabelNodePool, LabelZone } from '../apis/labels.js';
import type { Budget } from '../apis/nodepool.js';
import type { CapacityType, ExistingNode, InstanceType, NetworkingInput, PodSpecLite } from '../scheduling/index.js';
import { Gi, pod as podSpec } from '../scheduling/test-fixtures.js';
import type { ClusterState, NodeLike, PdbLike, PodLike } from './types.js';

export { Gi, Mi, instanceType } from '../scheduling/test-fixtures.js';

export const T0 = Date.parse('2025-06-02T12:00:00Z'); // a Monday

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface PoolOptions {
  consolidateAfter?: string;
  consolidationPolicy?: 'WhenEmpty' | 'WhenEmptyOrUnderutilized';
  budgets?: Partial<Budget>[];
  requirements?: { key: string; operator: string; values?: string[] }[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  expireAfter?: string;
}

export interface PodOptions {
  cpu?: number;
  mem?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  daemonSet?: boolean;
  network?: PodSpecLite['network'];
  namespace?: string;
}

export interface NodeOptions {
  pool?: string;
  type: InstanceType;
  zone?: string;
  capacityType?: CapacityType;
  pods?: PodOptions[];
  /** ms before `now` the claim was created / initialized / last saw a pod event. */
  age?: number;
  consolidatable?: boolean;
  drifted?: { reason: string; since?: number };
  annotations?: Record<string, string>;
  claimAnnotations?: Record<string, string>;
  claimLabels?: Record<string, string>;
  ready?: boolean;
  deleting?: boolean;
  tainted?: boolean;
  initialized?: boolean;
  imageId?: string;
  expireAfter?: string;
}

export class World {
  readonly nodePools: NodePool[] = [];
  readonly nodeClasses: ECSNodeClass[] = [];
  readonly claims: NodeClaim[] = [];
  readonly nodes: NodeLike[] = [];
  readonly pods: PodLike[] = [];
  readonly pdbs: PdbLike[] = [];
  readonly existing: ExistingNode[] = [];
  readonly pending: PodSpecLite[] = [];
  networking?: NetworkingInput;
  private seq = 0;

  constructor(
    readonly types: InstanceType[],
    public now = T0,
  ) {}

  pool(name: string, o: PoolOptions = {}): NodePool {
    const pool = NodePool.parse({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name, annotations: o.annotations ?? {} },
      spec: {
        template: {
          ...(o.labels ? { metadata: { labels: o.labels } } : {}),
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'default' },
            requirements: o.requirements ?? [],
            ...(o.expireAfter ? { expireAfter: o.expireAfter } : {}),
          },
        },
        disruption: {
          consolidateAfter: o.consolidateAfter ?? '30s',
          consolidationPolicy: o.consolidationPolicy ?? 'WhenEmptyOrUnderutilized',
          budgets: o.budgets ?? [{ nodes: '100%' }],
        },
      },
    });
    this.nodePools.push(pool);
    return pool;
  }

  nodeClass(status: { images?: string[]; vSwitches?: string[]; securityGroups?: string[] }, annotations: Record<string, string> = {}): ECSNodeClass {
    const nodeClass = ECSNodeClass.parse({
      apiVersion: 'karpenter.k8s.alibabacloud/v1alpha1',
      kind: 'ECSNodeClass',
      metadata: { name: 'default', annotations },
      spec: {
        vSwitchSelectorTerms: [{ tags: { a: 'b' } }],
        securityGroupSelectorTerms: [{ tags: { a: 'b' } }],
        imageSelectorTerms: [{ alias: 'ContainerOS' }],
      },
      status: {
        images: (status.images ?? []).map((id) => ({ id, requirements: [] })),
        vSwitches: (status.vSwitches ?? []).map((id) => ({ id, zoneID: 'zone-a' })),
        securityGroups: (status.securityGroups ?? []).map((id) => ({ id })),
      },
    });
    this.nodeClasses.push(nodeClass);
    return nodeClass;
  }

  podObject(nodeName: string | undefined, o: PodOptions = {}): { object: PodLike; spec: PodSpecLite } {
    const spec = podSpec({
      cpu: o.cpu ?? 1000,
      mem: o.mem ?? Gi,
      namespace: o.namespace ?? 'default',
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.network ? { network: o.network } : {}),
    });
    const object: PodLike = {
      metadata: {
        name: spec.name,
        namespace: spec.namespace,
        uid: spec.uid,
        labels: o.labels ?? {},
        annotations: o.annotations ?? {},
        ownerReferences: o.daemonSet ? [{ kind: 'DaemonSet', name: 'ds', controller: true }] : [{ kind: 'ReplicaSet', name: 'rs', controller: true }],
      },
      spec: { ...(nodeName ? { nodeName } : {}) },
      status: { phase: nodeName ? 'Running' : 'Pending' },
    };
    this.pods.push(object);
    return { object, spec };
  }

  pendingPod(o: PodOptions = {}): PodLike {
    const { object, spec } = this.podObject(undefined, o);
    this.pending.push(spec);
    return object;
  }

  node(o: NodeOptions): { claim: NodeClaim; node: NodeLike; pods: PodLike[] } {
    const id = ++this.seq;
    const name = `node-${id}`;
    const pool = o.pool ?? 'default';
    const zone = o.zone ?? 'zone-a';
    const capacityType = o.capacityType ?? 'on-demand';
    const age = o.age ?? 3_600_000;
    const created = iso(this.now - age);
    const providerID = `cn-hangzhou.i-${id}`;
    const labels = {
      ...o.type.labels,
      [LabelNodePool]: pool,
      [LabelZone]: zone,
      [LabelCapacityType]: capacityType,
      [LabelInstanceType]: o.type.name,
      ...(o.claimLabels ?? {}),
    };
    const conditions = [
      { type: 'Launched', status: 'True', reason: 'Launched', message: '', lastTransitionTime: created },
      ...(o.initialized === false ? [] : [{ type: 'Initialized', status: 'True', reason: 'Initialized', message: '', lastTransitionTime: created }]),
      ...(o.consolidatable === false ? [] : [{ type: 'Consolidatable', status: 'True', reason: 'Consolidatable', message: '', lastTransitionTime: created }]),
      ...(o.drifted ? [{ type: 'Drifted', status: 'True', reason: o.drifted.reason, message: '', lastTransitionTime: iso(o.drifted.since ?? this.now - 60_000) }] : []),
    ];
    const claim = NodeClaim.parse({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: {
        name: `claim-${id}`,
        uid: `claim-uid-${id}`,
        creationTimestamp: created,
        labels,
        annotations: o.claimAnnotations ?? {},
        ...(o.deleting ? { deletionTimestamp: iso(this.now) } : {}),
      },
      spec: {
        requirements: [],
        nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'default' },
        ...(o.expireAfter ? { expireAfter: o.expireAfter } : {}),
      },
      status: { providerID, nodeName: name, conditions, ...(o.imageId ? { imageID: o.imageId } : {}) },
    });
    const node: NodeLike = {
      metadata: { name, labels: { ...labels, [LabelHostname]: name }, annotations: o.annotations ?? {} },
      spec: { providerID, taints: o.tainted ? [{ key: 'karpenter.sh/disrupted', effect: 'NoSchedule' }] : [] },
      status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
    };
    const pods = (o.pods ?? []).map((p) => this.podObject(name, p));
    this.claims.push(claim);
    this.nodes.push(node);
    this.existing.push({
      name,
      labels: node.metadata?.labels ?? {},
      allocatable: o.type.allocatable,
      pods: pods.map((p) => p.spec),
      nodePool: pool,
      ...(o.type.eni ? { eni: o.type.eni } : {}),
      ...(o.tainted || o.deleting ? { markedForDeletion: true } : {}),
    });
    return { claim, node, pods: pods.map((p) => p.object) };
  }

  pdb(name: string, matchLabels: Record<string, string>, disruptionsAllowed: number, namespace = 'default'): void {
    this.pdbs.push({ metadata: { name, namespace }, spec: { selector: { matchLabels } }, status: { disruptionsAllowed } });
  }

  state(): ClusterState {
    return {
      now: this.now,
      nodePools: this.nodePools,
      nodeClasses: this.nodeClasses,
      claims: this.claims,
      nodes: this.nodes,
      pods: this.pods,
      pdbs: this.pdbs,
      scheduling: {
        pods: this.pending,
        nodes: this.existing,
        nodePools: this.nodePools.map((p) => ({
          name: p.metadata.name ?? '',
          requirements: p.spec.template.spec.requirements.map((r) => ({ key: r.key, operator: r.operator as 'In', values: r.values ?? [] })),
        })),
        instanceTypes: this.types,
        ...(this.networking ? { networking: this.networking } : {}),
      },
    };
  }
}
