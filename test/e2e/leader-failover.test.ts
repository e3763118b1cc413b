// Two operator replicas (processes, under the chart's ServiceAccount) against the real control
// plane and the simulated cloud: the leader is killed with SIGKILL in the middle of a scale-up
// (NodeClaims created, launch calls in flight: the cloud answers CreateAutoProvisioningGroup after
// 3 s, and creates the instances even though the caller is dead), the standby takes over within
// the 15 s lease, finishes the scale-up, and nothing is launched twice: every NodeClaim has exactly
// one instance over the whole run (the standby adopts what the dead leader's calls created, by
// launch token), and no instance is left that no NodeClaim owns.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { eventually } from '../harness/eventually.js';
import { startE2e, type E2eEnv } from '../harness/e2e.js';
import { sampleValue, type OperatorProcess } from '../harness/operator-process.js';

const TagNodeClaim = 'karpenter.k8s.alibabacloud/nodeclaim';
const TagLaunchToken = 'karpenter.k8s.alibabacloud/launch-token';
const replicas = 20;

const Lease = z.object({ spec: z.object({ holderIdentity: z.string().optional(), acquireTime: z.string().optional() }) });
const NodeClaims = z.object({
  items: z.array(z.object({
    metadata: z.object({ name: z.string(), uid: z.string() }),
    status: z.object({ providerID: z.string().optional() }).optional(),
  })),
});
const Pods = z.object({ items: z.array(z.object({ metadata: z.object({ name: z.string() }), status: z.object({ phase: z.string().optional() }).optional() })) });

describe('leader failover in the middle of a scale-up', { timeout: 600_000 }, () => {
  let env: E2eEnv;
  let leader: OperatorProcess;
  let standby: OperatorProcess;
  /** Every instance the cloud ever held during the test, with its tags (sampled every 100 ms; an instance takes 15 s to run). */
  const seen = new Map<string, { tags: Record<string, string>; instanceType: string }>();
  let sampler: NodeJS.Timeout | undefined;

  before(async () => {
    env = await startE2e({
      // Instances take ~15 s to run, so the kill lands while launches are in flight.
      simulator: { latencyProfile: 'realistic' },
      operatorArgs: ['--batch-idle-duration=500ms', '--batch-max-duration=3s'],
    });
    leader = env.operator;
    standby = await env.startOperator({ identity: 'operator-standby' });
    await standby.waitReady();
    sampler = setInterval(() => {
      for (const i of env.simulator.state.instances()) if (!seen.has(i.id)) seen.set(i.id, { tags: i.tags, instanceType: i.instanceType });
    }, 100);
  });
  after(async () => {
    clearInterval(sampler);
    await env?.stop();
  });

  const lease = async () => Lease.parse(await env.getJson(['lease', '-n', env.identity.namespace, env.identity.leaseName])).spec;
  const claims = async () => NodeClaims.parse(await env.getJson(['nodeclaims.karpenter.sh'])).items;

  it('the standby takes over within 15 s and finishes the scale-up without launching anything twice', async () => {
    assert.match((await lease()).holderIdentity ?? '', /^operator-0/, 'the first replica leads');
    await env.apply(await env.upstream('karpenter-alibabacloud-getting-started.yaml'));
    await env.apply(await env.upstream('karpenter-inflate.yaml'));
    await eventually('the ECSNodeClass is Ready', async () => {
      const nodeClass = z.object({ status: z.object({ conditions: z.array(z.object({ type: z.string(), status: z.string() })).optional() }).optional() })
        .parse(await env.getJson(['ecsnodeclasses.karpenter.k8s.alibabacloud', 'defaultnodeclass']));
      return nodeClass.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
    }, { timeoutMs: 60_000 });

    // Launch calls stay in flight long enough for the kill to land in the middle of them.
    const slowLaunch = env.simulator.faults.latency({ action: 'CreateAutoProvisioningGroup', ms: 3000 });
    await env.kubectl(['scale', 'deployment/inflate', `--replicas=${replicas}`]);
    const first = await eventually('the leader creates a NodeClaim for the pending pods (the provisioning controller)', async () => {
      const found = await claims();
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 60_000, intervalMs: 100 });

    const killedAt = Date.now();
    await leader.kill('SIGKILL');
    const inFlight = `${first.length} NodeClaim(s), ${first.filter((c) => c.status?.providerID).length} with an instance, ${env.simulator.state.instances().length} instance(s) in the cloud`;
    process.stdout.write(`# killed the leader with ${inFlight}\n`);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const unrecorded = env.simulator.state.instances().length - (await claims()).filter((c) => c.status?.providerID).length;
    process.stdout.write(`# ${unrecorded} instance(s) created by the dead leader's calls and recorded by no NodeClaim\n`);
    env.simulator.faults.removeRule(slowLaunch);

    const taken = await eventually('the standby holds the lease', async () => {
      const spec = await lease();
      return spec.holderIdentity?.startsWith('operator-standby') ? spec : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    const acquiredAfterMs = Date.parse(taken.acquireTime ?? '') - killedAt;
    assert.ok(acquiredAfterMs <= 15_500, `the standby took over ${acquiredAfterMs} ms after the crash; must be within the 15 s lease`);
    process.stdout.write(`# standby acquired the lease ${acquiredAfterMs} ms after SIGKILL\n`);

    await eventually(`all ${replicas} inflate pods Running`, async () => {
      const pods = Pods.parse(await env.getJson(['pods', '-l', 'app=inflate'])).items;
      return pods.length === replicas && pods.every((p) => p.status?.phase === 'Running') ? true : undefined;
    }, { timeoutMs: 300_000, intervalMs: 1000 });
    // Every claim has its instance recorded and the cloud holds no more than the claims own.
    const final = await eventually('every NodeClaim owns exactly the instances the cloud holds', async () => {
      const current = await claims();
      const instances = env.simulator.state.instances();
      const owned = new Set(current.map((c) => c.status?.providerID?.split('.').slice(1).join('.')));
      return current.every((c) => c.status?.providerID) && instances.length === current.length && instances.every((i) => owned.has(i.id))
        ? current : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500, lastSeen: () => `${env.simulator.state.instances().length} instance(s)` });

    // Nothing launched twice: one instance per NodeClaim (name and UID, the launch token) over the whole run.
    const byClaim = new Map<string, string[]>();
    const byToken = new Map<string, string[]>();
    for (const [id, i] of seen) {
      byClaim.set(i.tags[TagNodeClaim] ?? '(untagged)', [...(byClaim.get(i.tags[TagNodeClaim] ?? '(untagged)') ?? []), id]);
      if (i.tags[TagLaunchToken]) byToken.set(i.tags[TagLaunchToken], [...(byToken.get(i.tags[TagLaunchToken]) ?? []), id]);
    }
    for (const [claim, ids] of byClaim) assert.equal(ids.length, 1, `NodeClaim ${claim} got ${ids.length} instances: ${ids.join(', ')}`);
    for (const [token, ids] of byToken) assert.equal(ids.length, 1, `launch token ${token} got ${ids.length} instances: ${ids.join(', ')}`);
    assert.ok(!byClaim.has('(untagged)'), `instances without a NodeClaim tag: ${byClaim.get('(untagged)')?.join(', ')}`);
    for (const c of final) assert.ok(byClaim.has(c.metadata.name), `NodeClaim ${c.metadata.name}'s instance carries its name tag`);
    // An instance of a NodeClaim that no longer exists (consolidated, say) must be gone from the cloud too.
    const live = new Set(env.simulator.state.instances().map((i) => i.id));
    const finalNames = new Set(final.map((c) => c.metadata.name));
    for (const [id, i] of seen) {
      if (!finalNames.has(i.tags[TagNodeClaim] ?? '')) assert.ok(!live.has(id), `instance ${id} outlived its NodeClaim ${i.tags[TagNodeClaim]}`);
    }
    assert.deepEqual(env.simulator.state.checkConsistency(), []);

    // The standby did the work after the crash, as the only leader.
    const metrics = await standby.metrics();
    assert.equal(sampleValue(metrics, 'leader_election_master_status'), 1);
    assert.doesNotMatch(await standby.log(), /forbidden/i, 'no request of the standby was refused by RBAC');
  });
});
