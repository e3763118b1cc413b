// The NodeClaim lifecycle's metrics, with Karpenter's names and labels (pkg/metrics,
// pkg/controllers/nodeclaim/*) so upstream dashboards keep working; listed in
// charts/ack-node-operator/METRICS.md. karpenter_nodeclaims_created_total is counted where NodeClaims are created (provisioning/metrics.ts).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { NodeClaim } from '../../apis/nodeclaim.js';

/** A metric another controller may register too (one registry per process): shared, not duplicated. */
function shared<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export class NodeClaimMetrics {
  readonly launched: Counter<'nodepool'>;
  readonly registered: Counter<'nodepool'>;
  readonly initialized: Counter<'nodepool'>;
  readonly terminated: Counter<'nodepool'>;
  readonly nodesCreated: Counter<'nodepool'>;
  readonly nodesTerminated: Counter<'nodepool'>;
  readonly instanceTerminationDuration: Histogram<'nodepool'>;
  readonly nodeTerminationDuration: Histogram<'nodepool'>;
  readonly cloudProviderErrors: Counter<'controller' | 'method' | 'provider' | 'error'>;
  readonly garbageCollected: Counter<'reason'>;

  constructor(registry: Registry, claims: () => readonly NodeClaim[]) {
    const registers = [registry];
    this.launched = new Counter({ name: 'karpenter_nodeclaims_launched_total', help: 'NodeClaims whose instance was launched.', labelNames: ['nodepool'], registers });
    this.registered = new Counter({ name: 'karpenter_nodeclaims_registered_total', help: 'NodeClaims whose Node registered.', labelNames: ['nodepool'], registers });
    this.initialized = new Counter({ name: 'karpenter_nodeclaims_initialized_total', help: 'NodeClaims whose Node initialized.', labelNames: ['nodepool'], registers });
    this.terminated = new Counter({
      name: 'karpenter_nodeclaims_terminated_total',
      help: 'NodeClaims whose instance is gone and finalizer removed.',
      labelNames: ['nodepool'],
      registers,
    });
    this.nodesCreated = new Counter({ name: 'karpenter_nodes_created_total', help: 'Nodes registered for NodeClaims.', labelNames: ['nodepool'], registers });
    this.nodesTerminated = new Counter({ name: 'karpenter_nodes_terminated_total', help: 'Nodes deleted after their drain.', labelNames: ['nodepool'], registers });
    this.instanceTerminationDuration = new Histogram({
      name: 'karpenter_nodeclaims_instance_termination_duration_seconds',
      help: 'From the first instance delete call to the cloud reporting the instance gone.',
      labelNames: ['nodepool'],
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
      registers,
    });
    this.nodeTerminationDuration = new Histogram({
      name: 'karpenter_nodes_termination_duration_seconds',
      help: 'From NodeClaim deletion to its finalizer being removed (drain and instance termination).',
      labelNames: ['nodepool'],
      buckets: [1, 5, 10, 30, 60, 120, 300, 600, 1200, 3600],
      registers,
    });
    this.cloudProviderErrors = shared(
      registry,
      'karpenter_cloudprovider_errors_total',
      () =>
        new Counter({
          name: 'karpenter_cloudprovider_errors_total',
          help: 'Errors returned by CloudProvider calls.',
          labelNames: ['controller', 'method', 'provider', 'error'],
          registers,
        }),
    );
    this.garbageCollected = new Counter({
      name: 'ack_node_operator_instances_garbage_collected_total',
      help: 'Instances of this cluster deleted because no NodeClaim owns them.',
      labelNames: ['reason'],
      registers,
    });
    new Gauge({
      name: 'operator_nodeclaim_status_condition_current_status_seconds',
      help: "Seconds a NodeClaim's condition has been in its current status.",
      labelNames: ['name', 'type', 'status'],
      registers,
      collect() {
        this.reset();
        const now = Date.now();
        for (const claim of claims()) {
          for (const c of claim.status?.conditions ?? []) {
            const since = Date.parse(c.lastTransitionTime);
            if (Number.isNaN(since)) continue;
            this.set({ name: claim.metadata.name ?? '', type: c.type, status: c.status }, Math.max(0, (now - since) / 1000));
          }
        }
      },
    });
  }
}
