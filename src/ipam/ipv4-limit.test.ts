// The pool never asks an ENI for more addresses than the instance type allows
// (EniPrivateIpAddressQuantity, the ENI's primary included): a bank's operator must not make a
// request it can know the cloud will refuse with InvalidOperation.Ipv4CountExceeded. On the
// simulator through the real provider; refusals are read from the simulator's call log.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { isIpamError } from './errors.js';
import { MemoryIpamStore } from './memory-store.js';
import type { NodeIpamState, PodAllocation } from './state.js';
import { engineFor, ipv4CountRefusals, startIpamSimEnv, type IpamSimEnv } from './testing.js';

/** A replica's view of the durable store: from `fence()` on (it lost its lease), none of its writes land. */
class FencedStore extends MemoryIpamStore {
  private fenced = false;
  constructor(private readonly durable: MemoryIpamStore) {
    super();
  }
  fence(): void {
    this.fenced = true;
  }
  private async guard(fn: () => Promise<void>): Promise<void> {
    if (this.fenced) throw new Error('fenced: this replica no longer leads');
    return fn();
  }
  override listNodes(): Promise<NodeIpamState[]> {
    return this.durable.listNodes();
  }
  override listPodAllocations(): Promise<PodAllocation[]> {
    return this.durable.listPodAllocations();
  }
  override saveNode(s: NodeIpamState): Promise<void> {
    return this.guard(() => this.durable.saveNode(s));
  }
  override deleteNode(name: string): Promise<void> {
    return this.guard(() => this.durable.deleteNode(name));
  }
  override savePodAllocation(a: PodAllocation): Promise<void> {
    return this.guard(() => this.durable.savePodAllocation(a));
  }
  override deletePodAllocation(namespace: string, name: string): Promise<void> {
    return this.guard(() => this.durable.deletePodAllocation(namespace, name));
  }
}

const pod = (name: string) => ({ namespace: 'default', name, uid: `${name}-uid` });

describe('IPAM requests stay within the per-ENI address limit', () => {
  let env: IpamSimEnv;
  before(async () => {
    env = await startIpamSimEnv();
  });
  after(() => env.close());
  afterEach(() => env.sim.faults.clear());

  const g7large = () => env.instanceTypes.get('ecs.g7.large')!; // 3 ENIs x 6 addresses
  const enisOf = (instanceId: string) => env.sim.state.networkInterfaces().filter((e) => e.instanceId === instanceId && e.type === 'Secondary');
  const addressesOn = (eniId: string) => {
    const eni = env.sim.state.networkInterfaces().find((e) => e.id === eniId);
    return eni ? 1 + eni.secondaryIps.length : 0;
  };

  it('after a restart, counts the addresses the replaced replica assigned but never recorded', async () => {
    const refusedBefore = ipv4CountRefusals(env.sim);
    const durable = new MemoryIpamStore();
    const old = new FencedStore(durable);
    const instance = await env.launch('ecs.g7.large');
    const config = { pool: { minPoolSize: 0, maxPoolSize: 3 }, unrecordedIpGraceMs: 60_000 };
    const first = await engineFor(env, config, { store: old });
    await first.engine.registerNode({ name: 'restarted', instanceId: instance.id, zone: env.zone, instanceType: g7large() });
    const a = await first.engine.allocate({ pod: pod('a'), nodeName: 'restarted', network: env.officeNetwork });
    const eniId = a.eni.id;
    assert.equal(addressesOn(eniId), 3, 'first growth: the middle of [0, 3] plus the pod');

    // The replica loses its lease while it grows the pool: the cloud assigns, the write is refused.
    old.fence();
    await assert.rejects(first.engine.warmUpNetwork('restarted', env.officeNetwork, 5));
    assert.equal(addressesOn(eniId), 6, 'the ENI is full in the cloud');
    assert.equal(Object.keys((await durable.listNodes())[0]!.enis[eniId]!.ips).length, 3, 'the record lost the last three');

    // The next leader rebuilds from the store and reconciles; the unrecorded addresses are still
    // within their grace period when pods arrive and the pool must grow.
    const second = await engineFor(env, config, { store: durable });
    const pods = ['b', 'c', 'd', 'e'];
    const got = await Promise.all(pods.map((name) => second.engine.allocate({ pod: pod(name), nodeName: 'restarted', network: env.officeNetwork })));
    assert.equal(new Set([a.ip, ...got.map((g) => g.ip)]).size, 5);
    assert.ok(got.some((g) => g.eni.id !== eniId), 'growth went to a new ENI, the full one has no room');
    assert.equal(addressesOn(eniId), 6);
    assert.equal(ipv4CountRefusals(env.sim) - refusedBefore, 0, 'no AssignPrivateIpAddresses refused with Ipv4CountExceeded');
    assert.deepEqual(env.sim.state.checkConsistency(), []);
  });

  it('learns from a refusal it could not foresee (an assignment landing after its reconcile) and does not repeat it', async () => {
    const instance = await env.launch('ecs.g7.large');
    const { engine } = await engineFor(env, { pool: { minPoolSize: 0, maxPoolSize: 3 }, unrecordedIpGraceMs: 60_000 });
    await engine.registerNode({ name: 'late', instanceId: instance.id, zone: env.zone, instanceType: g7large() });
    const a = await engine.allocate({ pod: pod('a'), nodeName: 'late', network: env.officeNetwork });
    // Another actor's assignment the engine has not seen (no reconcile since).
    await env.cloud.assignPrivateIpAddresses(a.eni.id, 3);
    const refusedBefore = ipv4CountRefusals(env.sim);
    const got = await Promise.all(['b', 'c', 'd', 'e', 'f'].map((name) => engine.allocate({ pod: pod(name), nodeName: 'late', network: env.officeNetwork })));
    assert.equal(new Set([a.ip, ...got.map((g) => g.ip)]).size, 6);
    assert.equal(ipv4CountRefusals(env.sim) - refusedBefore, 1, 'only the one refusal it could not foresee');
    const refusedAfterGrowth = ipv4CountRefusals(env.sim);
    // More pods: the pool now knows the ENI is full.
    await Promise.all(['g', 'h', 'i'].map((name) => engine.allocate({ pod: pod(name), nodeName: 'late', network: env.officeNetwork })));
    assert.equal(ipv4CountRefusals(env.sim), refusedAfterGrowth, 'no second refusal for the same ENI');
    assert.deepEqual(env.sim.state.checkConsistency(), []);
  });

  it('a replica that stopped leading starts no further cloud call, a refill already scheduled included', async () => {
    const instance = await env.launch('ecs.g7.large');
    const { engine } = await engineFor(env, { pool: { minPoolSize: 2, maxPoolSize: 4 } });
    await engine.registerNode({ name: 'deposed', instanceId: instance.id, zone: env.zone, instanceType: g7large() });
    assert.equal(engine.idleCount('deposed'), 3);
    const growthCalls = () => env.sim.state.callCount('AssignPrivateIpAddresses') + env.sim.state.callCount('CreateNetworkInterface');
    await engine.allocate({ pod: pod('a'), nodeName: 'deposed', network: env.officeNetwork });
    await engine.allocate({ pod: pod('b'), nodeName: 'deposed', network: env.officeNetwork });
    // One idle address left, under minPoolSize: a refill is scheduled behind this allocation.
    const before = growthCalls();
    await engine.stop();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(growthCalls(), before, 'the scheduled refill never reached the cloud');
    await assert.rejects(engine.allocate({ pod: pod('c'), nodeName: 'deposed', network: env.officeNetwork }), (e) => isIpamError(e, 'CloudUnavailable'));
    assert.equal(growthCalls(), before);
  });

  it('fills a node to its last address under concurrent allocations and releases without a refused request', async () => {
    const refusedBefore = ipv4CountRefusals(env.sim);
    const instance = await env.launch('ecs.g7.large');
    const { engine } = await engineFor(env, { pool: { minPoolSize: 2, maxPoolSize: 5 } });
    await engine.registerNode({ name: 'full', instanceId: instance.id, zone: env.zone, instanceType: g7large() });
    const capacity = (g7large().eniQuantity - 1) * g7large().eniPrivateIpAddressQuantity; // 12
    const held = new Set<string>();
    let refusedForCapacity = 0;
    const allocate = async (name: string) => {
      try {
        await engine.allocate({ pod: pod(name), nodeName: 'full', network: env.officeNetwork });
        held.add(name);
      } catch (err) {
        assert.ok(isIpamError(err, 'NodeCapacity'), `only NodeCapacity, not ${String(err)}`);
        refusedForCapacity++;
      }
    };
    for (let wave = 0; wave < 4; wave++) {
      const ops: Promise<void>[] = [];
      for (let i = 0; i < 8; i++) ops.push(allocate(`w${wave}-${i}`));
      for (const name of [...held].slice(0, 2)) {
        held.delete(name);
        ops.push(engine.release(pod(name)));
      }
      await Promise.all(ops);
      await engine.reclaimIdle();
    }
    assert.equal(held.size, capacity, 'the node is full');
    assert.ok(refusedForCapacity > 0, 'pods beyond the node capacity were refused by the IPAM, not the cloud');
    for (const eni of enisOf(instance.id)) assert.ok(addressesOn(eni.id) <= g7large().eniPrivateIpAddressQuantity);
    assert.equal(ipv4CountRefusals(env.sim) - refusedBefore, 0, 'no AssignPrivateIpAddresses refused with Ipv4CountExceeded');
    assert.deepEqual(env.sim.state.checkConsistency(), []);
  });
});
