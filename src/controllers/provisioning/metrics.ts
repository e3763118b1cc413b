// Provisioning metrics under Karpenter's names (kubernetes-sigs/karpenter
// pkg/controllers/provisioning/scheduling/metrics.go, pkg/metrics), so upstream dashboards work.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { AnnotationNodeClaimMinValuesRelaxed, LabelNodePool } from '../../apis/labels.js';
import type { NodePool } from '../../apis/nodepool.js';
import type { Pod } from '../../operator/index.js';
import { resourcesFromQuantities } from '../../scheduling/index.js';

/** Karpenter's DurationBuckets: 5 ms to 60 s. */
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60];

export interface NodePoolGaugeSource {
  pools(): Iterable<NodePool>;
  usage(pool: string): Readonly<Record<string, number>> | undefined;
  /** For karpenter_pods_state: every pod, and a node's labels by name. */
  pods(): Iterable<Pod>;
  nodeLabels(name: string): Readonly<Record<string, string>> | undefined;
}

/** Karpenter's `owner` label: the self link of the pod's first owner. */
function ownerLink(pod: Pod): string {
  const ref = pod.metadata?.ownerReferences?.[0];
  if (!ref) return '';
  return `/apis/${ref.apiVersion}/namespaces/${pod.metadata?.namespace ?? ''}/${ref.kind.toLowerCase()}s/${ref.name}`;
}

/** Karpenter reports cpu in cores and memory in bytes; the core counts cpu in millicores. */
function reported(resource: string, value: number): number {
  return resource === 'cpu' ? value / 1000 : value;
}

/** A scrape-time gauge of an amount per NodePool and resource type (usage, limits), in Karpenter's units. */
function nodePoolResourceGauge(
  registry: Registry,
  source: Pick<NodePoolGaugeSource, 'pools'>,
  metric: { name: string; help: string; resources: (pool: NodePool) => Readonly<Record<string, number>> | undefined },
): void {
  new Gauge({
    name: metric.name,
    help: metric.help,
    labelNames: ['nodepool', 'resource_type'],
    registers: [registry],
    collect() {
      this.reset();
      for (const pool of source.pools()) {
        const nodepool = pool.metadata.name ?? '';
        for (const [resource, value] of Object.entries(metric.resources(pool) ?? {})) this.set({ nodepool, resource_type: resource }, reported(resource, value));
      }
    },
  });
}

/**
 * Why a NodeClaim was created, as upstream Karpenter labels karpenter_nodeclaims_created_total:
 * `provisioned` for pending pods (metrics.ProvisionedReason), the disruption command's reason
 * lower-cased for its replacements (`underutilized`, `drifted`; `empty` never replaces), and here
 * also `interrupted` for the replacements launched on a spot reclaim notice (upstream leaves those
 * to the provisioner after the node is gone; this operator launches them ahead of the drain).
 */
export type NodeClaimCreatedReason = 'provisioned' | 'underutilized' | 'drifted' | 'empty' | 'interrupted';

const nodeClaimsCreatedName = 'karpenter_nodeclaims_created_total';
type NodeClaimsCreatedLabels = 'reason' | 'nodepool' | 'min_values_relaxed';

/**
 * karpenter_nodeclaims_created_total, one per registry: the provisioner and disruption both create
 * NodeClaims and must count into the same series (prom-client refuses a second registration).
 */
export class NodeClaimsCreated {
  private readonly counter: Counter<NodeClaimsCreatedLabels>;

  constructor(registry: Registry) {
    const existing = registry.getSingleMetric(nodeClaimsCreatedName);
    if (existing && !(existing instanceof Counter)) throw new Error(`${nodeClaimsCreatedName} is registered as another metric type`);
    this.counter =
      (existing as Counter<NodeClaimsCreatedLabels> | undefined) ??
      new Counter({
        name: nodeClaimsCreatedName,
        help: 'Number of nodeclaims created in total by Karpenter. Labeled by reason the nodeclaim was created, the owning nodepool, and if min values was relaxed.',
        labelNames: ['reason', 'nodepool', 'min_values_relaxed'],
        registers: [registry],
      });
  }

  /** Counts a NodeClaim the API server accepted, labelled from the body that was sent (as upstream reads the created object). */
  count(reason: NodeClaimCreatedReason, claim: { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } }): void {
    this.counter.inc({
      reason,
      nodepool: claim.metadata.labels?.[LabelNodePool] ?? '',
      // Upstream: a missing annotation means minValues was not relaxed.
      min_values_relaxed: claim.metadata.annotations?.[AnnotationNodeClaimMinValuesRelaxed] ?? 'false',
    });
  }
}

export class ProvisioningMetrics {
  readonly schedulingDuration: Histogram<'controller'>;
  /** The chart's dashboard reads this v0.3x name; kept beside the v1 one. */
  readonly provisionerSchedulingDuration: Histogram;
  readonly queueDepth: Gauge<'controller'>;
  readonly unschedulablePods: Gauge<'controller'>;
  readonly nodeClaimsCreated: NodeClaimsCreated;
  readonly schedulingDecisionDuration: Histogram;

  constructor(registry: Registry, nodePools: NodePoolGaugeSource) {
    const registers = [registry];
    this.schedulingDuration = new Histogram({
      name: 'karpenter_scheduler_scheduling_duration_seconds',
      help: 'Duration of scheduling simulations used for deprovisioning and provisioning in seconds.',
      labelNames: ['controller'],
      buckets: durationBuckets,
      registers,
    });
    this.provisionerSchedulingDuration = new Histogram({
      name: 'karpenter_provisioner_scheduling_duration_seconds',
      help: 'Duration of one provisioning scheduling simulation (one batch) in seconds.',
      buckets: durationBuckets,
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'karpenter_scheduler_queue_depth',
      help: 'The number of pods currently waiting to be scheduled.',
      labelNames: ['controller'],
      registers,
    });
    this.unschedulablePods = new Gauge({
      name: 'karpenter_scheduler_unschedulable_pods_count',
      help: 'The number of unschedulable pods in the last scheduling simulation.',
      labelNames: ['controller'],
      registers,
    });
    this.nodeClaimsCreated = new NodeClaimsCreated(registry);
    this.schedulingDecisionDuration = new Histogram({
      name: 'karpenter_pods_scheduling_decision_duration_seconds',
      help: "The time it takes for Karpenter to first try to schedule a pod after it's been seen.",
      buckets: durationBuckets,
      registers,
    });
    new Gauge({
      name: 'karpenter_pods_state',
      help: 'Pod state is the current state of pods. Labeled by the pod name, namespace, owner, node, nodepool name, zone, architecture, capacity type, instance type and pod phase.',
      labelNames: ['name', 'namespace', 'owner', 'node', 'nodepool', 'zone', 'arch', 'capacity_type', 'instance_type', 'phase'],
      registers,
      collect() {
        this.reset();
        for (const pod of nodePools.pods()) {
          const node = pod.spec?.nodeName ?? '';
          const labels = node ? (nodePools.nodeLabels(node) ?? {}) : {};
          this.set(
            {
              name: pod.metadata?.name ?? '',
              namespace: pod.metadata?.namespace ?? '',
              owner: ownerLink(pod),
              node,
              nodepool: labels['karpenter.sh/nodepool'] ?? '',
              zone: labels['topology.kubernetes.io/zone'] ?? '',
              arch: labels['kubernetes.io/arch'] ?? '',
              capacity_type: labels['karpenter.sh/capacity-type'] ?? '',
              instance_type: labels['node.kubernetes.io/instance-type'] ?? '',
              phase: pod.status?.phase ?? '',
            },
            1,
          );
        }
      },
    });
    nodePoolResourceGauge(registry, nodePools, {
      name: 'karpenter_nodepools_usage',
      help: 'The amount of resources that have been provisioned for a nodepool. Labeled by nodepool name and resource type.',
      resources: (pool) => nodePools.usage(pool.metadata.name ?? ''),
    });
    nodePoolResourceGauge(registry, nodePools, {
      name: 'karpenter_nodepools_limit',
      help: 'Limits specified on the nodepool that restrict the quantity of resources provisioned. Labeled by nodepool name and resource type.',
      resources: (pool) => resourcesFromQuantities(pool.spec.limits),
    });
  }
}
