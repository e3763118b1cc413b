// The NodeClaim the provisioner writes for a planned claim: Karpenter's shape, the plan's narrowed
// requirements with instance types cheapest first, the NodePool hash, and the planned networks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeClaim } from '../../apis/nodeclaim.js';
import { solve } from '../../scheduling/index.js';
import { instanceType } from '../../scheduling/test-fixtures.js';
import { nodePool } from '../../state/test-fixtures.js';
import { nodeClaimBody, nodeClaimName } from './nodeclaim-builder.js';
import { nodePoolHash } from './nodepool-hash.js';

describe('nodeClaimBody', () => {
  const pool = nodePool('ecsnodepool', {
    template: {
      metadata: { labels: { team: 'payments' } },
      spec: {
        requirements: [
          { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
        ],
        taints: [{ key: 'dedicated', value: 'payments', effect: 'NoSchedule' }],
        startupTaints: [{ key: 'node.cilium.io/agent-not-ready', effect: 'NoExecute' }],
        expireAfter: '48h',
        terminationGracePeriod: '10m',
        nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'defaultnodeclass' },
      },
    },
  });
  const types = [
    // b is cheaper than a; c is only sold in zone-c.
    instanceType('a.large', 2, 4, { price: 0.5, zones: ['zone-a', 'zone-b'], onDemand: true }),
    instanceType('b.large', 2, 4, { price: 0.4, zones: ['zone-a'], onDemand: true }),
    instanceType('c.large', 2, 4, { price: 0.6, zones: ['zone-c'], onDemand: true }),
  ];
  const pods = [
    { uid: 'p1', name: 'p1', namespace: 'default', containers: [{ requests: { cpu: 500, memory: 2 ** 29 } }], tolerations: [{ key: 'dedicated', operator: 'Exists' as const }], network: { podNetworking: 'core-trade' } },
    { uid: 'p2', name: 'p2', namespace: 'default', containers: [{ requests: { cpu: 500, memory: 2 ** 29 } }], tolerations: [{ key: 'dedicated', operator: 'Exists' as const }], nodeSelector: { 'topology.kubernetes.io/zone': 'zone-a' } },
  ];
  const result = solve({
    pods,
    nodePools: [{ name: 'ecsnodepool', requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }], labels: { team: 'payments' }, taints: [{ key: 'dedicated', value: 'payments', effect: 'NoSchedule' }], instanceTypes: types }],
    networking: { vSwitches: [{ id: 'vsw-a', zone: 'zone-a', freeIPs: 10 }], podNetworkings: [{ name: 'core-trade', vSwitchIds: ['vsw-a'] }] },
  });
  const [planned] = result.newClaims;

  it('is a valid NodeClaim with Karpenter labels, owner, hash and the template fields', () => {
    assert.ok(planned);
    const body = nodeClaimBody(planned, pool, 'ecsnodepool-bcdfg', new Map([['p1', 'core-trade'], ['p2', '<default>']]));
    const parsed = NodeClaim.parse(body);
    assert.equal(parsed.metadata.name, 'ecsnodepool-bcdfg');
    assert.equal(parsed.metadata.labels?.['karpenter.sh/nodepool'], 'ecsnodepool');
    assert.equal(parsed.metadata.labels?.team, 'payments');
    assert.equal(parsed.metadata.annotations?.['karpenter.sh/nodepool-hash'], nodePoolHash(pool));
    assert.equal(parsed.metadata.annotations?.['karpenter.sh/nodepool-hash-version'], 'v1');
    assert.deepEqual(JSON.parse(parsed.metadata.annotations?.['karpenter.k8s.alibabacloud/planned-pod-networks'] ?? '{}'), { 'core-trade': 1, '': 1 });
    assert.deepEqual(body.metadata.ownerReferences, [{ apiVersion: 'karpenter.sh/v1', kind: 'NodePool', name: 'ecsnodepool', uid: 'np-ecsnodepool', blockOwnerDeletion: true }]);
    assert.deepEqual(parsed.spec.taints, [{ key: 'dedicated', value: 'payments', effect: 'NoSchedule' }]);
    assert.deepEqual(parsed.spec.startupTaints, [{ key: 'node.cilium.io/agent-not-ready', effect: 'NoExecute' }]);
    assert.equal(parsed.spec.expireAfter, '48h');
    assert.equal(parsed.spec.terminationGracePeriod, '10m');
    assert.deepEqual(parsed.spec.nodeClassRef, { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'defaultnodeclass' });
    assert.deepEqual(parsed.spec.resources?.requests, { cpu: '1', memory: '1Gi', pods: '2' });
  });

  it('lists the fitting instance types cheapest first and narrows zone and capacity type to where they are sold', () => {
    assert.ok(planned);
    const req = new Map(nodeClaimBody(planned, pool, 'x', new Map()).spec.requirements.map((r) => [r.key, r]));
    assert.deepEqual(req.get('node.kubernetes.io/instance-type')?.values, ['b.large', 'a.large'], 'c.large is not sold in zone-a');
    assert.deepEqual(req.get('topology.kubernetes.io/zone')?.values, ['zone-a']);
    assert.deepEqual(req.get('karpenter.sh/capacity-type')?.values, ['on-demand']);
    assert.deepEqual(req.get('kubernetes.io/arch')?.values, ['amd64']);
  });

  it('names claims <nodepool>-<5 characters>', () => {
    assert.match(nodeClaimName('ecsnodepool'), /^ecsnodepool-[a-z0-9]{5}$/);
    assert.notEqual(nodeClaimName('p'), nodeClaimName('p'));
  });

  it('the hash changes with what shapes a node, not with requirements or expiry', () => {
    const base = nodePoolHash(pool);
    const changedLabels = structuredClone(pool);
    changedLabels.spec.template.metadata = { labels: { team: 'other' } };
    assert.notEqual(nodePoolHash(changedLabels), base);
    const changedReqs = structuredClone(pool);
    changedReqs.spec.template.spec.requirements = [];
    changedReqs.spec.template.spec.expireAfter = '1h';
    assert.equal(nodePoolHash(changedReqs), base);
  });
});
