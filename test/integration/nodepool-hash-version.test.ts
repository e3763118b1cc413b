// Drift hash versioning for NodePools on a real API server, with the provisioning controllers in
// an in-process Manager authenticated as the chart's ServiceAccount: a NodePool stamped by an
// operator that hashed differently (another karpenter.sh/nodepool-hash-version) gets its
// NodeClaims re-stamped with the running version before its own annotation is rewritten, so an
// upgrade replaces no node; a NodeClaim already Drifted keeps its hash and stays drifted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NodePool } from '../../src/apis/nodepool.js';
import { nodePoolHash, NodePoolHashVersion, registerProvisioning } from '../../src/controllers/provisioning/index.js';
import { startControllerEnv, type ControllerEnv } from '../harness/controller-env.js';
import { eventually } from '../harness/eventually.js';

const hashKey = 'karpenter.sh/nodepool-hash';
const versionKey = 'karpenter.sh/nodepool-hash-version';

describe('NodePool hash version on a real API server', { timeout: 180_000 }, () => {
  let env: ControllerEnv;

  const kubectl = (args: string[], input?: string) => env.kubectl(args, input);
  const annotationsOf = async (kind: string, name: string) =>
    (JSON.parse(await kubectl(['get', kind, name, '-o', 'json'])) as { metadata: { annotations?: Record<string, string> } }).metadata.annotations ?? {};

  before(async () => {
    env = await startControllerEnv({ chartRbac: true });
    const manager = env.manager({ identity: 'nodepool-hash-test' });
    registerProvisioning(manager, env.deps);
    await manager.start();
  });
  after(async () => {
    await env?.stop();
  });

  it('re-stamps the NodePool\'s NodeClaims with the running hash version; a drifted one keeps its hash', async () => {
    const oldStamp = { [hashKey]: 'hashed-the-old-way', [versionKey]: 'v0' };
    const claim = (name: string) => JSON.stringify({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: { name, labels: { 'karpenter.sh/nodepool': 'upgraded' }, annotations: oldStamp },
      spec: { nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'default' }, requirements: [] },
    });
    await kubectl(['apply', '-f', '-'], claim('launched-before-upgrade'));
    await kubectl(['apply', '-f', '-'], claim('drifted-before-upgrade'));
    const drifted = { type: 'Drifted', status: 'True', reason: 'NodePoolDrifted', message: 'NodePool upgraded template changed', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    await kubectl(['patch', 'nodeclaim', 'drifted-before-upgrade', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { conditions: [drifted] } })]);
    // The NodePool as an operator with another hashing left it.
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'upgraded', annotations: oldStamp },
      spec: { template: { spec: { nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'default' }, requirements: [] } } },
    }));

    const stamped = await eventually('the NodePool and its NodeClaims carry the running hash version', async () => {
      const pool = await annotationsOf('nodepool', 'upgraded');
      const launched = await annotationsOf('nodeclaim', 'launched-before-upgrade');
      const drift = await annotationsOf('nodeclaim', 'drifted-before-upgrade');
      return [pool, launched, drift].every((a) => a[versionKey] === NodePoolHashVersion) ? { launched, drift } : undefined;
    }, { timeoutMs: 30_000 });
    const pool = NodePool.parse(JSON.parse(await kubectl(['get', 'nodepool', 'upgraded', '-o', 'json'])));
    assert.equal(pool.metadata.annotations?.[hashKey], nodePoolHash(pool));
    assert.equal(stamped.launched[hashKey], nodePoolHash(pool), 'not drifted: takes the NodePool hash of the running version');
    assert.equal(stamped.drift[hashKey], 'hashed-the-old-way', 'already drifted: keeps its hash, so it stays drifted');
  });
});
