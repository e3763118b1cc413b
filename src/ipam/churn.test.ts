// The invariant test under churn: hundreds of pods allocated and released concurrently across
// nodes, with throttling and IpNotEnough injected, and the operator crashing mid-way (its
// in-flight cloud calls land after it is gone, its unfinished store writes are lost). Throughout:
// no address is held by two live pods, every pod's address is on an ENI of its node with its
// network's security groups, and no ENI exceeds its instance type's limits. After the churn: no
// ENI or address leaked (the store and the cloud agree exactly).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CloudProvider } from '../cloud/types.js';
import { IpamEngine } from './engine.js';
import { isIpamError } from './errors.js';
import { MemoryIpamStore } from './memory-store.js';
import type { ResolvedPodNetwork } from './pod-network-resolver.js';
import type { IpamStore } from './store.js';
import type { NodeIpamState, PodAllocation } from './state.js';
import { ipv4CountRefusals, startIpamSimEnv, type IpamSimEnv } from './testing.js';

class Crashed extends Error {
  constructor() {
    super('the process crashed');
  }
}

/** The dead process's view of the cloud: new calls fail; calls already sent land, their answers are lost. */
function crashableCloud(cloud: CloudProvider): { cloud: CloudProvider; crash(): void } {
  let dead = false;
  const proxy = new Proxy(cloud, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (dead) throw new Crashed();
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (dead) throw new Crashed();
        return result;
      };
    },
  });
  return { cloud: proxy, crash: () => (dead = true) };
}

/** The dead process's store: writes after the crash never land. */
function crashableStore(store: MemoryIpamStore): { store: IpamStore; crash(): void } {
  let dead = false;
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (dead) throw new Crashed();
    return fn();
  };
  return {
    store: {
      listNodes: () => store.listNodes(),
      listPodAllocations: () => store.listPodAllocations(),
      saveNode: (s: NodeIpamState) => guard(() => store.saveNode(s)),
      deleteNode: (n: string) => guard(() => store.deleteNode(n)),
      savePodAllocation: (a: PodAllocation) => guard(() => store.savePodAllocation(a)),
      deletePodAllocation: (ns: string, n: string) => guard(() => store.deletePodAllocation(ns, n)),
    },
    crash: () => (dead = true),
  };
}

/** A seeded PRNG, so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('IPAM invariants under churn', () => {
  let env: IpamSimEnv;
  before(async () => {
    env = await startIpamSimEnv({ simulator: { seed: 7 } });
  });
  after(() => env.close());

  it('never double-assigns, never exceeds ENI limits, and leaks nothing, through faults and a crash', async () => {
    const random = rng(42);
    const store = new MemoryIpamStore();
    const nodeCount = 4;
    const instances = await Promise.all(Array.from({ length: nodeCount }, () => env.launch('ecs.g7.large')));
    const nodes = instances.map((inst, i) => ({ name: `churn-${i}`, instanceId: inst.id }));
    const config = {
      clusterName: 'churn',
      defaults: { vSwitchesByZone: { [env.zone]: [env.defaultVSwitch] }, securityGroupIds: [env.defaultSg] },
      pool: { minPoolSize: 2, maxPoolSize: 6 },
      releaseCooldownMs: 5,
      idleReclaimAfterMs: 30,
      vSwitchBlockMs: 20,
      eniPollInitialMs: 0,
      eniPollMaxMs: 10,
      unrecordedIpGraceMs: 0,
      orphanEniGraceMs: 0,
    };
    const newEngine = (cloud: CloudProvider, s: IpamStore) => new IpamEngine({ cloud, store: s, config });

    const first = { cloud: crashableCloud(env.cloud), store: crashableStore(store) };
    let engine = newEngine(first.cloud.cloud, first.store.store);
    await engine.start();
    for (const n of nodes) await engine.registerNode({ ...n, zone: env.zone, instanceType: env.instanceTypes.get('ecs.g7.large')! });

    env.sim.faults.throttle({ probability: 0.1 });
    env.sim.faults.error({ action: 'AssignPrivateIpAddresses', code: 'InvalidVSwitchId.IpNotEnough', probability: 0.05 });
    env.sim.faults.error({ action: 'CreateNetworkInterface', code: 'InvalidVSwitchId.IpNotEnough', probability: 0.05 });

    const exclusive: ResolvedPodNetwork = { ...env.coreNetwork, eniType: 'ENI' };
    const networks = [env.officeNetwork, env.officeNetwork, env.officeNetwork, env.coreNetwork, env.coreNetwork, exclusive];
    type Live = { uid: string; name: string; node: string; network: ResolvedPodNetwork; ip: string };
    const live = new Map<string, Live>();
    let seq = 0;
    let allocated = 0;
    let refused = 0;

    const checkInvariants = () => {
      const enis = env.sim.state.networkInterfaces();
      const owners = new Map<string, string>();
      for (const pod of live.values()) {
        const previous = owners.get(pod.ip);
        assert.equal(previous, undefined, `${pod.ip} is held by ${previous} and ${pod.name}`);
        owners.set(pod.ip, pod.name);
        const eni = enis.find((e) => e.primaryIp === pod.ip || e.secondaryIps.includes(pod.ip));
        assert.ok(eni, `${pod.name}'s ${pod.ip} is on an ENI in the cloud`);
        assert.equal(eni.instanceId, nodes.find((n) => n.name === pod.node)!.instanceId, `${pod.name}'s ENI is on its node`);
        assert.deepEqual([...eni.securityGroupIds].sort(), pod.network.securityGroupIds, `${pod.name}'s ENI has its security groups`);
      }
      assert.deepEqual(env.sim.state.checkConsistency(), []);
      // Never a request the cloud refuses for the per-ENI limit: the IPAM could have known.
      assert.equal(ipv4CountRefusals(env.sim), 0, 'an AssignPrivateIpAddresses was refused with Ipv4CountExceeded');
    };

    const allocateOne = async (e: IpamEngine, name: string, uid: string, node: string, network: ResolvedPodNetwork) => {
      try {
        const a = await e.allocate({ pod: { namespace: 'churn', name, uid }, nodeName: node, network });
        live.set(name, { uid, name, node, network, ip: a.ip });
        allocated++;
      } catch (err) {
        if (err instanceof Crashed) throw err;
        assert.ok(isIpamError(err), `allocation fails with an IpamError, not ${String(err)}`);
        refused++;
      }
    };

    const rounds = 30;
    const crashAt = 14;
    const inFlight: { kind: 'allocate' | 'release'; name: string; uid: string; node: string; network: ResolvedPodNetwork }[] = [];
    for (let round = 0; round < rounds; round++) {
      const ops: Promise<void>[] = [];
      inFlight.length = 0;
      for (let k = 0; k < 16; k++) {
        const releaseIt = live.size > 0 && (random() < 0.45 || live.size > 40);
        if (releaseIt) {
          const names = [...live.keys()];
          const victim = live.get(names[Math.floor(random() * names.length)]!)!;
          live.delete(victim.name);
          const op = { kind: 'release' as const, name: victim.name, uid: victim.uid, node: victim.node, network: victim.network };
          inFlight.push(op);
          ops.push(engine.release({ namespace: 'churn', name: victim.name, uid: victim.uid }));
        } else {
          const name = `pod-${seq++}`;
          const node = nodes[Math.floor(random() * nodeCount)]!.name;
          const network = networks[Math.floor(random() * networks.length)]!;
          const op = { kind: 'allocate' as const, name, uid: `${name}-uid`, node, network };
          inFlight.push(op);
          ops.push(allocateOne(engine, name, op.uid, node, network));
        }
      }
      if (round === crashAt) {
        // Crash while this round's operations are in the air.
        await new Promise((r) => setTimeout(r, 3));
        first.cloud.crash();
        first.store.crash();
        await Promise.allSettled(ops);
        // The restarted operator: the same store, the real cloud.
        engine = newEngine(env.cloud, store);
        await engine.start();
        // The controllers redo what the dead process may not have finished.
        for (const op of inFlight) {
          if (op.kind === 'release') await engine.release({ namespace: 'churn', name: op.name, uid: op.uid });
          else if (!live.has(op.name)) await allocateOne(engine, op.name, op.uid, op.node, op.network);
        }
      } else {
        const results = await Promise.allSettled(ops);
        for (const r of results) if (r.status === 'rejected') throw r.reason;
        if (round % 5 === 4) await engine.reclaimIdle();
      }
      checkInvariants();
    }
    assert.ok(allocated > 150, `enough churn (${allocated} allocations, ${refused} refused)`);

    // The churn stops: every pod goes, faults clear, upkeep runs.
    env.sim.faults.clear();
    for (const pod of [...live.values()]) {
      await engine.release({ namespace: 'churn', name: pod.name, uid: pod.uid });
      live.delete(pod.name);
    }
    await new Promise((r) => setTimeout(r, 40)); // past cooldown and idle reclaim delay
    await engine.reconcileAll();
    await engine.collectGarbage();
    await engine.reclaimIdle();
    await engine.reclaimIdle();
    checkInvariants();

    const recorded = new Map<string, Set<string>>();
    for (const node of await store.listNodes()) {
      for (const eni of Object.values(node.enis)) recorded.set(eni.id, new Set(Object.keys(eni.ips)));
      const held = Object.values(node.enis).flatMap((e) => Object.values(e.ips)).filter((ip) => ip.podId !== undefined);
      assert.deepEqual(held, [], `${node.name}: no address held after every pod left`);
      const idle = Object.values(node.enis).reduce((n, e) => n + Object.keys(e.ips).length, 0);
      assert.ok(idle <= config.pool.maxPoolSize, `${node.name} keeps ${idle} idle addresses, at most maxPoolSize`);
    }
    assert.deepEqual(await store.listPodAllocations(), []);
    const ours = env.sim.state.networkInterfaces().filter((e) => e.tags['ack.aliyun.com'] === 'churn');
    const inCloud = new Map(ours.map((e) => [e.id, new Set([e.primaryIp, ...e.secondaryIps])]));
    assert.deepEqual(
      [...inCloud.keys()].sort(),
      [...recorded.keys()].sort(),
      'every ENI of ours in the cloud is recorded, and every recorded one exists',
    );
    for (const [id, ips] of inCloud) assert.deepEqual([...ips].sort(), [...recorded.get(id)!].sort(), `addresses of ${id} agree`);
    for (const e of ours) assert.equal(e.status, 'InUse');
  });
});
