// Exclusive ENIs, fixed IPs, idle reclaim, restart reconciliation, GC and node teardown, on the
// simulator through the real provider.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ManualClock } from './clock.js';
import { IpamEngine } from './engine.js';
import { isIpamError } from './errors.js';
import { MemoryIpamStore } from './memory-store.js';
import type { ResolvedPodNetwork } from './pod-network-resolver.js';
import { engineFor, ipv4CountRefusals, startIpamSimEnv, type IpamSimEnv } from './testing.js';

describe('IPAM lifecycles on the simulator', () => {
  let env: IpamSimEnv;
  before(async () => {
    env = await startIpamSimEnv();
  });
  after(() => env.close());
  afterEach(() => {
    env.sim.faults.clear();
    // Whatever the test did, the IPAM never asked an ENI for more addresses than its type allows.
    assert.equal(ipv4CountRefusals(env.sim), 0, 'an AssignPrivateIpAddresses was refused with Ipv4CountExceeded');
  });

  const enisOf = (instanceId: string) => env.sim.state.networkInterfaces().filter((e) => e.instanceId === instanceId && e.type === 'Secondary');
  const eniById = (id: string) => env.sim.state.networkInterfaces().find((e) => e.id === id);
  const g7large = () => env.instanceTypes.get('ecs.g7.large')!;
  const register = async (engine: Awaited<ReturnType<typeof engineFor>>['engine'], name: string) => {
    const instance = await env.launch('ecs.g7.large');
    await engine.registerNode({ name, instanceId: instance.id, zone: env.zone, instanceType: g7large() });
    return instance.id;
  };

  it('gives an ENI-mode pod an ENI of its own, counted against eniQuantity - 1, and deletes it with the pod', async () => {
    const { engine } = await engineFor(env);
    const instanceId = await register(engine, 'excl');
    const eniNet: ResolvedPodNetwork = { ...env.coreNetwork, eniType: 'ENI' };
    const a = await engine.allocate({ pod: { namespace: 'bank', name: 'a', uid: 'a1' }, nodeName: 'excl', network: eniNet });
    const b = await engine.allocate({ pod: { namespace: 'bank', name: 'b', uid: 'b1' }, nodeName: 'excl', network: eniNet });
    assert.notEqual(a.eni.id, b.eni.id);
    assert.equal(eniById(a.eni.id)?.primaryIp, a.ip);
    assert.deepEqual(eniById(a.eni.id)?.secondaryIps, []);
    await assert.rejects(engine.allocate({ pod: { namespace: 'bank', name: 'c', uid: 'c1' }, nodeName: 'excl', network: eniNet }), (e) => isIpamError(e, 'NodeCapacity'));
    // No slot left for a shared ENI either.
    await assert.rejects(engine.allocate({ pod: { namespace: 'bank', name: 'd', uid: 'd1' }, nodeName: 'excl', network: env.officeNetwork }), (e) => isIpamError(e, 'NodeCapacity'));
    await engine.release({ namespace: 'bank', name: 'a', uid: 'a1' });
    assert.equal(eniById(a.eni.id), undefined);
    assert.equal(enisOf(instanceId).length, 1);
  });

  it('keeps a StatefulSet pod\'s fixed IP across delete and recreate, on the same node and on another', async () => {
    const { engine } = await engineFor(env);
    await register(engine, 'f1');
    await register(engine, 'f2');
    const fixed: ResolvedPodNetwork = { ...env.coreNetwork, eniType: 'ENI', allocation: { type: 'Fixed', releaseStrategy: 'TTL', releaseAfterMs: 60_000 } };
    const first = await engine.allocate({ pod: { namespace: 'bank', name: 'db-0', uid: 'u1' }, nodeName: 'f1', network: fixed });
    await engine.release({ namespace: 'bank', name: 'db-0', uid: 'u1' });
    assert.equal(engine.allocationOf('bank', 'db-0')?.phase, 'Unbind');
    const again = await engine.allocate({ pod: { namespace: 'bank', name: 'db-0', uid: 'u2' }, nodeName: 'f1', network: fixed });
    assert.equal(again.ip, first.ip);
    await engine.release({ namespace: 'bank', name: 'db-0', uid: 'u2' });
    const moved = await engine.allocate({ pod: { namespace: 'bank', name: 'db-0', uid: 'u3' }, nodeName: 'f2', network: fixed });
    assert.equal(moved.ip, first.ip);
    assert.equal(moved.nodeName, 'f2');
    const eni = eniById(first.eni.id);
    assert.equal(eni?.instanceId, engine.nodeState('f2')?.instanceId);
    assert.equal(eni?.primaryIp, first.ip);
    assert.deepEqual(env.sim.state.checkConsistency(), []);
  });

  it('releases a fixed IP after its TTL since the pod was last seen, and never with releaseStrategy Never', async () => {
    const clock = new ManualClock(Date.now());
    const { engine } = await engineFor(env, {}, { clock });
    await register(engine, 'ttl');
    const ttl: ResolvedPodNetwork = { ...env.coreNetwork, eniType: 'ENI', allocation: { type: 'Fixed', releaseStrategy: 'TTL', releaseAfterMs: 5 * 60_000 } };
    const never: ResolvedPodNetwork = { ...env.coreNetwork, eniType: 'ENI', allocation: { type: 'Fixed', releaseStrategy: 'Never' } };
    const a = await engine.allocate({ pod: { namespace: 'bank', name: 'ttl-0', uid: 't1' }, nodeName: 'ttl', network: ttl });
    const b = await engine.allocate({ pod: { namespace: 'bank', name: 'keep-0', uid: 'k1' }, nodeName: 'ttl', network: never });
    await engine.release({ namespace: 'bank', name: 'ttl-0', uid: 't1' });
    await engine.release({ namespace: 'bank', name: 'keep-0', uid: 'k1' });
    clock.advance(4 * 60_000);
    assert.equal(await engine.sweepFixedIps(), 0);
    assert.ok(eniById(a.eni.id));
    clock.advance(2 * 60_000);
    assert.equal(await engine.sweepFixedIps(), 1);
    assert.equal(eniById(a.eni.id), undefined);
    assert.equal(engine.allocationOf('bank', 'ttl-0'), undefined);
    clock.advance(365 * 24 * 3_600_000);
    assert.equal(await engine.sweepFixedIps(), 0);
    assert.ok(eniById(b.eni.id));
  });

  it('reclaims idle addresses above maxPoolSize at once and above minPoolSize once idle long enough, emptying ENIs first', async () => {
    const clock = new ManualClock(Date.now());
    const { engine } = await engineFor(env, { pool: { minPoolSize: 2, maxPoolSize: 4 }, idleReclaimAfterMs: 60_000, idleReclaimBatchSize: 20 }, { clock });
    const instanceId = await register(engine, 'rc');
    const pods = Array.from({ length: 10 }, (_, i) => ({ namespace: 'default', name: `r${i}`, uid: `r${i}` }));
    for (const p of pods) await engine.allocate({ pod: p, nodeName: 'rc', network: env.officeNetwork });
    for (const p of pods) await engine.release(p);
    await engine.reclaimIdle();
    assert.equal(engine.idleCount('rc'), 3, 'down to the middle of [minPoolSize, maxPoolSize] at once');
    clock.advance(61_000);
    await engine.reclaimIdle();
    assert.equal(engine.idleCount('rc'), 2, 'down to minPoolSize once idle');
    const cloudIps = enisOf(instanceId).reduce((n, e) => n + 1 + e.secondaryIps.length, 0);
    assert.equal(cloudIps, 2);
    assert.equal(enisOf(instanceId).length, 1, 'the emptied ENI was deleted');
  });

  it('rebuilds from the store after a restart and reconciles with the cloud', async () => {
    const clock = new ManualClock(Date.now());
    const store = new MemoryIpamStore();
    const first = await engineFor(env, { pool: { minPoolSize: 0, maxPoolSize: 3 }, unrecordedIpGraceMs: 30_000 }, { store, clock });
    const instanceId = await register(first.engine, 'rs');
    const a = await first.engine.allocate({ pod: { namespace: 'default', name: 'a', uid: 'a' }, nodeName: 'rs', network: env.officeNetwork });
    const b = await first.engine.allocate({ pod: { namespace: 'default', name: 'b', uid: 'b' }, nodeName: 'rs', network: env.officeNetwork });
    const eniId = a.eni.id;
    // Behind the operator's back: an address it never recorded, and one of its recorded ones gone.
    const [stray] = await env.cloud.assignPrivateIpAddresses(eniId, 1);
    const lost: string[] = [];
    const bIsPrimary = eniById(eniId)?.primaryIp === b.ip;
    const victim = bIsPrimary ? a : b;
    await env.cloud.unassignPrivateIpAddresses(eniId, [victim.ip]);

    // The restarted operator: a new engine on the same store.
    const watched = new IpamEngine({ cloud: env.cloud, store, clock, config: first.engine.config, onAddressLost: (pod) => lost.push(pod) });
    await watched.start();
    assert.deepEqual(lost, [`default/${victim.name}`]);
    assert.equal(watched.allocationOf('default', victim === a ? 'b' : 'a')?.ip, (victim === a ? b : a).ip);
    assert.ok(eniById(eniId)?.secondaryIps.includes(stray!), 'still within its grace period');
    clock.advance(31_000);
    await watched.reconcileAll();
    assert.ok(!eniById(eniId)?.secondaryIps.includes(stray!), 'unrecorded address unassigned after the grace period');
    assert.equal(enisOf(instanceId).length, 1);
  });

  it('deletes tagged ENIs nobody owns after the grace period, and leaves owned and foreign ones alone', async () => {
    const clock = new ManualClock(Date.now() + 3_600_000);
    // Its own cluster name: ENIs of the other tests' engines belong to another "cluster".
    const { engine } = await engineFor(env, { clusterName: 'gc-cluster', orphanEniGraceMs: 60_000 }, { clock });
    await register(engine, 'gc');
    const owned = await engine.allocate({ pod: { namespace: 'default', name: 'o', uid: 'o' }, nodeName: 'gc', network: env.officeNetwork });
    const orphan = await env.cloud.createNetworkInterface({
      clientToken: 'orphan-1',
      vSwitchId: env.defaultVSwitch,
      securityGroupIds: [env.defaultSg],
      secondaryIpCount: 2,
      tags: { 'ack.aliyun.com': 'gc-cluster', creator: 'terway', 'node-name': 'crashed' },
    });
    const foreign = await env.cloud.createNetworkInterface({
      clientToken: 'foreign-1',
      vSwitchId: env.defaultVSwitch,
      securityGroupIds: [env.defaultSg],
      secondaryIpCount: 0,
      tags: { 'ack.aliyun.com': 'another-cluster', creator: 'terway' },
    });
    assert.deepEqual(await engine.collectGarbage(), []);
    clock.advance(61_000);
    assert.deepEqual(await engine.collectGarbage(), [orphan.id]);
    assert.equal(eniById(orphan.id), undefined);
    assert.ok(eniById(owned.eni.id));
    assert.ok(eniById(foreign.id));
    await env.cloud.deleteNetworkInterface(foreign.id);
  });

  it('releases the secondary ENIs of a deleted node but keeps fixed-IP ENIs for their pods', async () => {
    const { engine, store } = await engineFor(env, { pool: { minPoolSize: 2, maxPoolSize: 5 } });
    const instanceId = await register(engine, 'td');
    await engine.allocate({ pod: { namespace: 'default', name: 'w', uid: 'w' }, nodeName: 'td', network: env.officeNetwork });
    const fixed: ResolvedPodNetwork = { ...env.coreNetwork, eniType: 'ENI', allocation: { type: 'Fixed', releaseStrategy: 'Never' } };
    const kept = await engine.allocate({ pod: { namespace: 'bank', name: 'db-1', uid: 'd' }, nodeName: 'td', network: fixed });
    assert.equal(enisOf(instanceId).length, 2);
    await engine.removeNode('td');
    assert.equal(enisOf(instanceId).length, 0);
    assert.equal(eniById(kept.eni.id)?.status, 'Available');
    assert.equal(env.sim.state.networkInterfaces().filter((e) => e.tags['node-name'] === 'td').length, 1);
    assert.equal(engine.allocationOf('default', 'w'), undefined);
    assert.equal(engine.allocationOf('bank', 'db-1')?.phase, 'Unbind');
    assert.equal((await store.listNodes()).find((n) => n.name === 'td'), undefined);
    // The fixed IP comes back on a new node.
    await register(engine, 'td2');
    const back = await engine.allocate({ pod: { namespace: 'bank', name: 'db-1', uid: 'd2' }, nodeName: 'td2', network: fixed });
    assert.equal(back.ip, kept.ip);
  });
});
