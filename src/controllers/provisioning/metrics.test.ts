// karpenter_nodeclaims_created_total is one series family whoever creates the NodeClaim: the
// provisioner (reason="provisioned") and disruption (the command's reason, or "interrupted"),
// labelled as upstream Karpenter labels it, whatever order the controllers register in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { DisruptionMetrics } from '../disruption/metrics.js';
import { nodePool } from '../../state/test-fixtures.js';
import { NodeClaimsCreated, ProvisioningMetrics } from './metrics.js';

const noPools = { pools: () => [], usage: () => undefined, pods: () => [], nodeLabels: () => undefined };
const claim = (pool: string, annotations: Record<string, string> = {}) => ({ metadata: { labels: { 'karpenter.sh/nodepool': pool }, annotations } });

async function created(registry: Registry): Promise<string[]> {
  const text = await registry.getSingleMetricAsString('karpenter_nodeclaims_created_total');
  return text.split('\n').filter((l) => l.startsWith('karpenter_nodeclaims_created_total{')).sort();
}

describe('karpenter_nodeclaims_created_total', () => {
  for (const order of ['provisioning first', 'disruption first'] as const) {
    it(`provisioning and disruption count into the same counter (${order})`, async () => {
      const registry = new Registry();
      const first = order === 'provisioning first' ? new ProvisioningMetrics(registry, noPools) : new DisruptionMetrics(registry);
      const provisioning = first instanceof ProvisioningMetrics ? first : new ProvisioningMetrics(registry, noPools);
      const disruption = first instanceof DisruptionMetrics ? first : new DisruptionMetrics(registry);
      provisioning.nodeClaimsCreated.count('provisioned', claim('od'));
      provisioning.nodeClaimsCreated.count('provisioned', claim('od'));
      disruption.nodeClaimsCreated.count('underutilized', claim('od'));
      disruption.nodeClaimsCreated.count('drifted', claim('spot'));
      disruption.nodeClaimsCreated.count('interrupted', claim('spot'));
      assert.deepEqual(await created(registry), [
        'karpenter_nodeclaims_created_total{reason="drifted",nodepool="spot",min_values_relaxed="false"} 1',
        'karpenter_nodeclaims_created_total{reason="interrupted",nodepool="spot",min_values_relaxed="false"} 1',
        'karpenter_nodeclaims_created_total{reason="provisioned",nodepool="od",min_values_relaxed="false"} 2',
        'karpenter_nodeclaims_created_total{reason="underutilized",nodepool="od",min_values_relaxed="false"} 1',
      ]);
      assert.equal(registry.getMetricsAsArray().filter((m) => m.name === 'karpenter_nodeclaims_created_total').length, 1);
    });
  }

  it('min_values_relaxed comes from the NodeClaim annotation, as upstream', async () => {
    const registry = new Registry();
    new NodeClaimsCreated(registry).count('provisioned', claim('od', { 'karpenter.sh/nodeclaim-min-values-relaxed': 'true' }));
    assert.deepEqual(await created(registry), ['karpenter_nodeclaims_created_total{reason="provisioned",nodepool="od",min_values_relaxed="true"} 1']);
  });
});

describe('karpenter_nodepools_usage and karpenter_nodepools_limit', () => {
  it('report each pool per resource at scrape time, cpu in cores and memory in bytes as Karpenter does', async () => {
    const registry = new Registry();
    const pools = [nodePool('od', { limits: { cpu: '100', memory: '400Gi' } }), nodePool('spot')];
    const usage: Record<string, Record<string, number>> = { od: { cpu: 6_500, memory: 8 * 2 ** 30 } };
    new ProvisioningMetrics(registry, { ...noPools, pools: () => pools, usage: (pool) => usage[pool] });
    const series = async (name: string) =>
      (await registry.getSingleMetricAsString(name)).split('\n').filter((l) => l.startsWith(`${name}{`)).sort();
    assert.deepEqual(await series('karpenter_nodepools_usage'), [
      'karpenter_nodepools_usage{nodepool="od",resource_type="cpu"} 6.5',
      `karpenter_nodepools_usage{nodepool="od",resource_type="memory"} ${8 * 2 ** 30}`,
    ]);
    assert.deepEqual(await series('karpenter_nodepools_limit'), [
      'karpenter_nodepools_limit{nodepool="od",resource_type="cpu"} 100',
      `karpenter_nodepools_limit{nodepool="od",resource_type="memory"} ${400 * 2 ** 30}`,
    ]);
    usage['spot'] = { cpu: 2_000 };
    assert.ok((await series('karpenter_nodepools_usage')).includes('karpenter_nodepools_usage{nodepool="spot",resource_type="cpu"} 2'), 'read again at every scrape');
  });
});
