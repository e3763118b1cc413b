// The engine against the simulator through the real provider: what a pod would notice (its
// address, its ENI's security groups, how many pods fit) and what the cloud ends up holding.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { TagCluster, TagENICreator, TagENIInstance, TagENINode } from '../apis/labels.js';
import { isIpamError } from './errors.js';
import { MemoryIpamStore } from './memory-store.js';
import { engineFor, ipv4CountRefusals, startIpamSimEnv, type IpamSimEnv } from './testing.js';

const pod = (name: string, uid = `${name}-uid`) => ({ namespace: 'default', name, uid });

describe('IPAM engine on the simulator', () => {
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

  const secondaryEnisOf = (instanceId: string) => env.sim.state.networkInterfaces().filter((e) => e.instanceId === instanceId && e.type === 'Secondary');

  describe('warm-up and shared ENIs', () => {
    let instanceId: string;
    let t: Awaited<ReturnType<typeof engineFor>>;

    beforeEach(async () => {
      const instance = await env.launch('ecs.g7.large'); // 3 ENIs x 6 addresses: 12 pods
      instanceId = instance.id;
      t = await engineFor(env, { pool: { minPoolSize: 3, maxPoolSize: 6 } });
      await t.engine.registerNode({ name: `node-${instanceId}`, instanceId, zone: env.zone, instanceType: env.instanceTypes.get('ecs.g7.large')! });
    });

    it('warms the pool up before any pod (to the middle of [minPoolSize, maxPoolSize], one call), on a tagged ENI of the default network', async () => {
      const enis = secondaryEnisOf(instanceId);
      assert.equal(enis.length, 1);
      const eni = enis[0]!;
      assert.equal(eni.status, 'InUse');
      assert.equal(eni.vSwitchId, env.defaultVSwitch);
      assert.deepEqual(eni.securityGroupIds, [env.defaultSg]);
      assert.equal(1 + eni.secondaryIps.length, 5);
      assert.equal(eni.tags[TagCluster], 'local');
      assert.equal(eni.tags[TagENICreator], 'terway');
      assert.equal(eni.tags[TagENIInstance], instanceId);
      assert.equal(eni.tags[TagENINode], `node-${instanceId}`);
      assert.equal(t.engine.idleCount(`node-${instanceId}`), 5);
      const idle = (await t.registry.getMetricsAsJSON()).find((m) => m.name === 'terway_resource_pool_idle_count');
      const sample = (idle?.values ?? []).find((v) => v.labels['name'] === `node-${instanceId}`);
      assert.equal(sample?.value, 5);
      assert.equal(sample?.labels['min_idle'], '3');
      assert.equal(sample?.labels['capacity'], '12');
    });

    it('hands each pod a distinct address that the cloud has on an ENI of the node, recorded before it returns', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => t.engine.allocate({ pod: pod(`p${i}`), nodeName: `node-${instanceId}`, network: env.officeNetwork })));
      const ips = results.map((r) => r.ip);
      assert.equal(new Set(ips).size, 8);
      const onCloud = new Set(secondaryEnisOf(instanceId).flatMap((e) => [e.primaryIp, ...e.secondaryIps]));
      for (const ip of ips) assert.ok(onCloud.has(ip), `${ip} is on the node's ENIs`);
      const stored = await t.store.listPodAllocations();
      assert.deepEqual(stored.map((a) => a.ip).sort(), [...ips].sort());
      const [node] = await t.store.listNodes();
      const held = Object.values(node!.enis).flatMap((e) => Object.values(e.ips)).filter((ip) => ip.podId !== undefined);
      assert.equal(held.length, 8);
      assert.deepEqual(env.sim.state.checkConsistency(), []);
    });

    it('fits exactly (eniQuantity - 1) * eniPrivateIpAddressQuantity pods, then refuses with NodeCapacity', async () => {
      const nodeName = `node-${instanceId}`;
      const results = await Promise.allSettled(Array.from({ length: 14 }, (_, i) => t.engine.allocate({ pod: pod(`q${i}`), nodeName, network: env.officeNetwork })));
      const ok = results.filter((r) => r.status === 'fulfilled');
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(ok.length, 12);
      assert.equal(failed.length, 2);
      for (const f of failed) assert.ok(isIpamError(f.reason, 'NodeCapacity'), String(f.reason));
      const enis = secondaryEnisOf(instanceId);
      assert.equal(enis.length, 2);
      for (const e of enis) assert.equal(1 + e.secondaryIps.length, 6);
      assert.deepEqual(env.sim.state.checkConsistency(), []);
    });

    it('never puts pods with different security groups on one ENI (the bank scenario)', async () => {
      const nodeName = `node-${instanceId}`;
      const office = await Promise.all([0, 1, 2].map((i) => t.engine.allocate({ pod: pod(`office-${i}`), nodeName, network: env.officeNetwork })));
      const core = await Promise.all([0, 1, 2].map((i) => t.engine.allocate({ pod: pod(`core-${i}`), nodeName, network: env.coreNetwork })));
      const enis = secondaryEnisOf(instanceId);
      const eniOf = (ip: string) => enis.find((e) => e.primaryIp === ip || e.secondaryIps.includes(ip));
      for (const a of office) {
        const eni = eniOf(a.ip)!;
        assert.equal(eni.vSwitchId, env.defaultVSwitch);
        assert.deepEqual(eni.securityGroupIds, [env.defaultSg]);
      }
      for (const a of core) {
        const eni = eniOf(a.ip)!;
        assert.equal(eni.vSwitchId, env.coreVSwitch);
        assert.deepEqual(eni.securityGroupIds, [env.coreSg]);
        assert.equal(a.podNetworking, 'core-trade');
      }
      const coreEnis = new Set(core.map((a) => eniOf(a.ip)!.id));
      for (const a of office) assert.ok(!coreEnis.has(eniOf(a.ip)!.id));
    });

    it('gives a released address to nobody during its cooldown, then reuses it without a cloud call', async () => {
      const cooled = await engineFor(env, { pool: { minPoolSize: 1, maxPoolSize: 6 }, releaseCooldownMs: 60_000 }, { store: t.store });
      const nodeName = `node-${instanceId}`;
      const first = await cooled.engine.allocate({ pod: pod('web-0', 'uid-a'), nodeName, network: env.officeNetwork });
      await cooled.engine.release({ namespace: 'default', name: 'web-0', uid: 'uid-a' });
      const second = await cooled.engine.allocate({ pod: pod('web-0', 'uid-b'), nodeName, network: env.officeNetwork });
      assert.notEqual(second.ip, first.ip);

      const quick = await engineFor(env, { pool: { minPoolSize: 1, maxPoolSize: 6 }, releaseCooldownMs: 0 }, { store: new MemoryIpamStore() });
      const other = await env.launch('ecs.g7.large');
      await quick.engine.registerNode({ name: 'quick', instanceId: other.id, zone: env.zone, instanceType: env.instanceTypes.get('ecs.g7.large')! });
      const a = await quick.engine.allocate({ pod: pod('x', 'x1'), nodeName: 'quick', network: env.officeNetwork });
      await quick.engine.release({ namespace: 'default', name: 'x', uid: 'x1' });
      env.sim.state.resetCalls();
      const b = await quick.engine.allocate({ pod: pod('y', 'y1'), nodeName: 'quick', network: env.officeNetwork });
      assert.equal(b.ip, a.ip);
      assert.equal(env.sim.state.callCount('AssignPrivateIpAddresses') + env.sim.state.callCount('CreateNetworkInterface'), 0);
    });

    it('allocates in batches of at most 10 addresses a call', async () => {
      const big = await env.launch('ecs.g7.xlarge'); // 4 ENIs x 15
      const b = await engineFor(env, { pool: { minPoolSize: 0, maxPoolSize: 40 } });
      await b.engine.registerNode({ name: 'big', instanceId: big.id, zone: env.zone, instanceType: env.instanceTypes.get('ecs.g7.xlarge')! });
      env.sim.state.resetCalls();
      await Promise.all(Array.from({ length: 25 }, (_, i) => b.engine.allocate({ pod: pod(`b${i}`), nodeName: 'big', network: env.officeNetwork })));
      const calls = env.sim.state.calls();
      // 25 addresses: one ENI created with 10, topped up by 5, then a second ENI with 10.
      assert.equal(calls['CreateNetworkInterface']?.total, 2);
      assert.equal(calls['AssignPrivateIpAddresses']?.total, 1);
      const enis = secondaryEnisOf(big.id);
      assert.deepEqual(enis.map((e) => 1 + e.secondaryIps.length).sort((x, y) => x - y), [10, 15]);
    });
  });

  describe('vSwitch exhaustion', () => {
    it('blocks a vSwitch that answered IpNotEnough and takes the next one', async () => {
      const extra = env.sim.state.addVSwitch({ zoneId: env.zone, cidrBlock: '10.200.0.0/24', name: 'pod-vsw-extra' });
      const instance = await env.launch('ecs.g7.large');
      const t = await engineFor(env, {
        defaults: { vSwitchesByZone: { [env.zone]: [env.defaultVSwitch, extra] }, securityGroupIds: [env.defaultSg] },
      });
      await t.engine.registerNode({ name: 'n', instanceId: instance.id, zone: env.zone, instanceType: env.instanceTypes.get('ecs.g7.large')! });
      const net = { ...env.officeNetwork, vSwitchIds: [env.defaultVSwitch, extra], vSwitchesByZone: { [env.zone]: [env.defaultVSwitch, extra] } };
      env.sim.faults.error({ action: 'CreateNetworkInterface', code: 'InvalidVSwitchId.IpNotEnough', times: 1 });
      const a = await t.engine.allocate({ pod: pod('a'), nodeName: 'n', network: net });
      const eni = secondaryEnisOf(instance.id).find((e) => e.primaryIp === a.ip || e.secondaryIps.includes(a.ip));
      assert.equal(eni?.vSwitchId, extra);
    });

    it('answers IpExhausted when every vSwitch of the network is out of addresses', async () => {
      const tiny = env.sim.state.addVSwitch({ zoneId: env.zone, cidrBlock: '10.201.0.0/29', name: 'pod-vsw-tiny' });
      env.sim.faults.exhaustVSwitch(tiny);
      const instance = await env.launch('ecs.g7.large');
      const t = await engineFor(env);
      await t.engine.registerNode({ name: 'n2', instanceId: instance.id, zone: env.zone, instanceType: env.instanceTypes.get('ecs.g7.large')! });
      const net = { ...env.officeNetwork, vSwitchIds: [tiny], vSwitchesByZone: { [env.zone]: [tiny] } };
      await assert.rejects(t.engine.allocate({ pod: pod('z'), nodeName: 'n2', network: net }), (err) => isIpamError(err, 'IpExhausted'));
      assert.equal(secondaryEnisOf(instance.id).length, 0);
    });
  });
});
