// Disruption metrics under upstream Karpenter's names (pkg/controllers/disruption/metrics.go,
// pkg/metrics) and the AWS provider's interruption counter.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { NodeClaimsCreated } from '../provisioning/metrics.js';

export class DisruptionMetrics {
  readonly nodeClaimsDisrupted: Counter<'reason' | 'nodepool' | 'capacity_type'>;
  readonly decisions: Counter<'decision' | 'reason' | 'consolidation_type'>;
  readonly eligibleNodes: Gauge<'reason'>;
  readonly allowedDisruptions: Gauge<'nodepool' | 'reason'>;
  readonly evaluationDuration: Histogram<'method' | 'consolidation_type'>;
  readonly failedValidations: Counter<'consolidation_type'>;
  readonly podsDisrupted: Counter<'reason' | 'nodepool'>;
  readonly interruptionMessages: Counter<'message_type'>;
  /** The provisioner's counter: replacements are NodeClaims created too. */
  readonly nodeClaimsCreated: NodeClaimsCreated;

  constructor(registry: Registry) {
    const registers = [registry];
    this.nodeClaimsCreated = new NodeClaimsCreated(registry);
    this.nodeClaimsDisrupted = new Counter({
      name: 'karpenter_nodeclaims_disrupted_total',
      help: 'Number of nodeclaims disrupted in total by Karpenter. Labeled by reason the nodeclaim was disrupted, nodepool and capacity type.',
      labelNames: ['reason', 'nodepool', 'capacity_type'],
      registers,
    });
    this.decisions = new Counter({
      name: 'karpenter_voluntary_disruption_decisions_total',
      help: 'Number of disruption decisions performed. Labeled by disruption decision, reason, and consolidation type.',
      labelNames: ['decision', 'reason', 'consolidation_type'],
      registers,
    });
    this.eligibleNodes = new Gauge({
      name: 'karpenter_voluntary_disruption_eligible_nodes',
      help: 'Number of nodes eligible for disruption by Karpenter. Labeled by disruption reason.',
      labelNames: ['reason'],
      registers,
    });
    this.allowedDisruptions = new Gauge({
      name: 'karpenter_nodepools_allowed_disruptions',
      help: 'The number of nodes for a given NodePool that can be concurrently disrupting at a point in time. Labeled by NodePool and reason.',
      labelNames: ['nodepool', 'reason'],
      registers,
    });
    this.evaluationDuration = new Histogram({
      name: 'karpenter_voluntary_disruption_decision_evaluation_duration_seconds',
      help: 'Duration of the disruption decision evaluation process in seconds. Labeled by method and consolidation type.',
      labelNames: ['method', 'consolidation_type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.failedValidations = new Counter({
      name: 'karpenter_voluntary_disruption_failed_validations_total',
      help: 'Number of candidates that were selected for disruption but failed validation. Labeled by consolidation type.',
      labelNames: ['consolidation_type'],
      registers,
    });
    this.podsDisrupted = new Counter({
      name: 'karpenter_voluntary_disruption_pods_disrupted_total',
      help: 'Number of pods disrupted in total by Karpenter disruption actions. Labeled by disruption reason and nodepool.',
      labelNames: ['reason', 'nodepool'],
      registers,
    });
    this.interruptionMessages = new Counter({
      name: 'karpenter_interruption_received_messages_total',
      help: 'Count of interruption signals received (ACK spot reclaim notices on Nodes). Labeled by message type.',
      labelNames: ['message_type'],
      registers,
    });
  }
}
