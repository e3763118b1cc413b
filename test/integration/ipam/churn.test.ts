// The IPAM's invariants under churn, through Kubernetes: hundreds of pods created and deleted
// on three nodes while the simulator throttles 10% of calls and answers IpNotEnough to 5% of ENI
// and IP requests, and the IPAM controllers are replaced by a fresh Manager half-way (the engine
// rebuilds from the NetworkNode and PodENI CRs). Throughout: no address is held by two pods
// (annotations, PodENIs, NetworkNode records), every annotated address is recorded for that pod
// and assigned in the cloud, and no ENI exceeds its instance type's limits (the simulator's
// accounting). After the churn: every pod got an address, and once all are deleted nothing is
// leaked (the cloud's ENIs and IPs are exactly the records, none held) and pools are back within
// maxPoolSize.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../../harness/eventually.js';
import { ipv4CountRefusals } from '../../../src/ipam/testing.js';
import { checkNoDoubleAllocation, checkNothingLeaked, podIpsOf, readState, startIpamK8sEnv, type IpamK8sEnv, type PodJson } from './env.js';

const ns = 'churn';
const rounds = 12;
const perRound = 20;
const maxLive = 60;

function podManifest(name: string, nodeName: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: 'churn' } },
    spec: { nodeName, terminationGracePeriodSeconds: 0, containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.9' }] },
  };
}

/** A seeded generator, so a failing run can be repeated. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('IPAM invariants under churn through Kubernetes, with faults and a restart', { timeout: 420_000 }, () => {
  let env: IpamK8sEnv;
  const nodes: string[] = [];

  before(async () => {
    env = await startIpamK8sEnv({
      ipam: { pool: { minPoolSize: 2, maxPoolSize: 6 }, releaseCooldownMs: 300, idleReclaimAfterMs: 2_000, vSwitchBlockMs: 1_000, orphanEniGraceMs: 3_000, unrecordedIpGraceMs: 2_000 },
    });
    await env.kubectl(['create', 'namespace', ns]);
    for (let i = 0; i < 3; i++) {
      const instance = await env.sim.launch('ecs.g7.xlarge').catch(() => env.sim.launch('ecs.g7.2xlarge'));
      nodes.push(await env.joinNode(instance));
    }
  });

  after(async () => {
    await env?.stop();
  });

  it('never gives one address to two pods, stays within ENI limits, and leaks nothing', async () => {
    const rand = random(7);
    env.sim.sim.faults.throttle({ probability: 0.1 });
    env.sim.sim.faults.error({ action: 'AssignPrivateIpAddresses', code: 'InvalidVSwitchId.IpNotEnough', probability: 0.05 });
    env.sim.sim.faults.error({ action: 'CreateNetworkInterface', code: 'InvalidVSwitchId.IpNotEnough', probability: 0.05 });

    const live: string[] = [];
    let created = 0;
    let deleted = 0;
    let checks = 0;
    for (let round = 0; round < rounds; round++) {
      const batch = Array.from({ length: perRound }, (_, i) => podManifest(`p-${round}-${i}`, nodes[(round * perRound + i) % nodes.length] ?? ''));
      await env.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: batch }));
      created += batch.length;
      live.push(...batch.map((p) => p.metadata.name));
      // Delete a random share, more when many are live, so creates and deletes interleave.
      const toDelete = live.length > maxLive - perRound ? perRound : Math.floor(perRound * rand());
      const victims: string[] = [];
      for (let i = 0; i < toDelete && live.length > 0; i++) victims.push(...live.splice(Math.floor(rand() * live.length), 1));
      if (victims.length > 0) await env.kubectl(['delete', 'pod', '-n', ns, '--wait=false', ...victims]);
      deleted += victims.length;
      if (round === Math.floor(rounds / 2)) await env.restart(); // the operator is replaced mid-churn
      if (round % 3 === 2) {
        await checkNoDoubleAllocation(env);
        assert.equal(ipv4CountRefusals(env.sim.sim), 0, `round ${round}: an AssignPrivateIpAddresses was refused with Ipv4CountExceeded`);
        checks++;
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
    assert.ok(created >= 200 && deleted >= 100, `churn too small: ${created} created, ${deleted} deleted`);

    // Faults end: every live pod gets its address.
    env.sim.sim.faults.clear();
    await eventually(`all ${live.length} live pods have an address`, async () => {
      const pods = (await env.getJson<{ items: PodJson[] }>(['get', 'pods', '-n', ns])).items.filter((p) => !p.metadata.deletionTimestamp);
      return pods.length === live.length && pods.every((p) => podIpsOf(p)) ? true : undefined;
    }, { timeoutMs: 90_000, intervalMs: 1_000 });
    const { annotatedPods } = await checkNoDoubleAllocation(env);
    assert.ok(annotatedPods >= live.length);
    checks++;

    await env.kubectl(['delete', 'pods', '--all', '-n', ns, '--wait=false']);
    await eventually('every pod is gone and its PodENI with it', async () => {
      const { pods, podENIs } = await readState(env, ns);
      return pods.length === 0 && podENIs.length === 0 ? true : undefined;
    }, { timeoutMs: 90_000, intervalMs: 1_000 });
    // Reclaim may be mid-flight: the records and the cloud agree once it settles.
    await eventually('no leaked ENI or IP, pools within maxPoolSize', async () => {
      await checkNothingLeaked(env);
      const { networkNodes } = await readState(env);
      for (const node of networkNodes) {
        const idle = Object.values(node.status?.networkInterfaces ?? {}).flatMap((e) => Object.values(e.ipv4 ?? {})).length;
        assert.ok(idle <= 6 + 3, `node ${node.metadata.name} still holds ${idle} idle addresses`); // maxPoolSize, plus ENI primaries
      }
      return true;
    }, { timeoutMs: 60_000, intervalMs: 1_000 });
    assert.ok(checks >= 4);
    // The IPAM never asked an ENI for more addresses than its instance type allows.
    assert.equal(ipv4CountRefusals(env.sim.sim), 0, 'an AssignPrivateIpAddresses was refused with Ipv4CountExceeded');
  });
});
