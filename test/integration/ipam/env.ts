// The IPAM's integration environment: a real control plane with kwok, the simulator behind the
// real SDK, and an in-process Manager running the PodNetworking controller and the IPAM
// controllers (restartable: a fresh Manager rebuilds the engine from the CRs). Instances are
// launched through the provider without the bootstrap line, so their Nodes join only when the
// test says (joinNode plays the kubelet), which lets tests look at a pool before its Node exists.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createInstanceTypeCatalog } from '../../../src/catalog/index.js';
import type { Instance } from '../../../src/cloud/types.js';
import { parseOptions } from '../../../src/config/options.js';
import { settingsFrom } from '../../../src/config/settings.js';
import type { ControllerDeps } from '../../../src/controllers/index.js';
import { registerIpam, type IpamControllerOptions, type IpamRegistration } from '../../../src/controllers/ipam/index.js';
import { registerNetworking } from '../../../src/controllers/networking/index.js';
import { VSwitchIpGauge } from '../../../src/controllers/resolve/vswitch-ips-gauge.js';
import { parseIpamConfig, type IpamConfigInput } from '../../../src/ipam/config.js';
import { startIpamSimEnv, type IpamSimEnv } from '../../../src/ipam/testing.js';
import { loadKubeConfig, Manager } from '../../../src/operator/index.js';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane.js';
import { installCrds } from '../../harness/crds.js';

const silent = pino({ level: 'silent' });
/** IPAM_TEST_LOG=<file> keeps the operator's logs of a run (info level) for a failing test. */
const operatorLogger = process.env['IPAM_TEST_LOG'] ? pino({ level: 'info' }, pino.destination({ dest: process.env['IPAM_TEST_LOG'], sync: true })) : silent;

export interface IpamK8sEnv {
  cp: ControlPlane;
  sim: IpamSimEnv;
  deps: ControllerDeps;
  manager: Manager;
  ipam: IpamRegistration;
  registry: Registry;
  /** Stops the running Manager (controllers finish in-flight work) and starts a fresh one. */
  restart(): Promise<void>;
  kubectl(args: string[], input?: string): Promise<string>;
  getJson<T>(args: string[]): Promise<T>;
  apply(obj: unknown): Promise<void>;
  /** Plays the kubelet: registers the instance's Node as ACK names it (`<region>.<primary IP>`). */
  joinNode(instance: Instance, extra?: { labels?: Record<string, string>; annotations?: Record<string, string> }): Promise<string>;
  stop(): Promise<void>;
}

export async function startIpamK8sEnv(opts: { ipam?: Partial<IpamConfigInput>; controllers?: Partial<IpamControllerOptions>; simulator?: Parameters<typeof startIpamSimEnv>[0] } = {}): Promise<IpamK8sEnv> {
  const cp = await startControlPlane({ kwok: true });
  let sim: IpamSimEnv | undefined;
  let manager: Manager | undefined;
  try {
    const kubectl = async (args: string[], input?: string): Promise<string> => {
      const r = await cp.kubectl(args, input === undefined ? {} : { input });
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    };
    await installCrds(cp);
    sim = await startIpamSimEnv({ ...opts.simulator, simulator: { clusterName: 'local', logLevel: 'silent', ...opts.simulator?.simulator, kubeconfig: cp.kubeconfigPath } });
    const env = sim;
    const catalog = createInstanceTypeCatalog(env.cloud, { logger: silent, registry: new Registry(), defaultEniType: 'Default' });
    await catalog.refresh();
    const parsed = parseOptions(['--cluster-id=c-local', '--cluster-name=local', `--region=${env.sim.region}`], {});
    assert.ok(!parsed.help);
    const settings = settingsFrom(parsed.options);
    settings.ipam = parseIpamConfig({
      clusterName: 'local',
      defaults: { vSwitchesByZone: { [env.zone]: [env.defaultVSwitch] }, securityGroupIds: [env.defaultSg] },
      pool: { minPoolSize: 2, maxPoolSize: 6 },
      releaseCooldownMs: 500,
      eniPollInitialMs: 20,
      eniPollMaxMs: 200,
      ...opts.ipam,
    });
    const deps: ControllerDeps = { cloud: env.cloud, settings, catalog };
    const controllers: Partial<IpamControllerOptions> = {
      poolUpkeepIntervalMs: 2_000,
      reconcileIntervalMs: 10_000,
      garbageCollectionIntervalMs: 5_000,
      releaseIntervalMs: 2_000,
      nodeNotRegisteredRetryMs: 300,
      instancePendingRetryMs: 300,
      ...opts.controllers,
    };
    let generation = 0;
    const startManager = async () => {
      const registry = new Registry();
      const m = new Manager({ kubeConfig: loadKubeConfig(cp.kubeconfigPath), logger: operatorLogger, identity: `ipam-test-${generation++}`, leaderElection: false, registry });
      registerNetworking(m, deps, { vSwitchIps: new VSwitchIpGauge(registry), resyncMs: 10_000 });
      const ipam = registerIpam(m, deps, controllers);
      await m.start();
      return { m, ipam, registry };
    };
    let current = await startManager();
    manager = current.m;
    const self: IpamK8sEnv = {
      cp,
      sim: env,
      deps,
      manager: current.m,
      ipam: current.ipam,
      registry: current.registry,
      async restart() {
        await self.manager.stop();
        // As a process that lost its lease: nothing the old engine still has in flight is written.
        self.ipam.store.close();
        current = await startManager();
        manager = current.m;
        self.manager = current.m;
        self.ipam = current.ipam;
        self.registry = current.registry;
      },
      kubectl,
      async getJson<T>(args: string[]): Promise<T> {
        return JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
      },
      async apply(obj: unknown) {
        await kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], JSON.stringify(obj));
      },
      async joinNode(instance, extra = {}) {
        assert.ok(instance.privateIpAddress, 'instance has no private IP');
        const name = `${env.sim.region}.${instance.privateIpAddress}`;
        await kubectl(['apply', '-f', '-'], JSON.stringify({
          apiVersion: 'v1',
          kind: 'Node',
          metadata: {
            name,
            labels: {
              'kubernetes.io/hostname': name,
              'kubernetes.io/arch': 'amd64',
              'kubernetes.io/os': 'linux',
              'node.kubernetes.io/instance-type': instance.instanceType,
              'topology.kubernetes.io/zone': instance.zone,
              'topology.kubernetes.io/region': env.sim.region,
              type: 'kwok',
              ...extra.labels,
            },
            annotations: { 'kwok.x-k8s.io/node': 'fake', ...extra.annotations },
          },
          spec: { providerID: `${env.sim.region}.${instance.id}` },
          status: { capacity: { cpu: '2', memory: '8Gi', pods: '110' }, allocatable: { cpu: '2', memory: '8Gi', pods: '110' } },
        }));
        return name;
      },
      async stop() {
        await manager?.stop().catch(() => undefined);
        await env.close().catch(() => undefined);
        await cp.stop();
      },
    };
    return self;
  } catch (err) {
    await manager?.stop().catch(() => undefined);
    await sim?.close().catch(() => undefined);
    await cp.stop();
    throw err;
  }
}

// ------------------------------------------------------------------------------ reading state

export interface PodJson {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string; ownerReferences?: { kind: string }[] };
  spec: { nodeName?: string };
  status?: { podIP?: string; phase?: string };
}
export interface PodENIJson {
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec?: { zone?: string; allocations?: { ipv4?: string; eni?: { id?: string; vSwitchID?: string; securityGroupIDs?: string[] }; allocationType?: { type?: string } }[] };
  status?: { phase?: string };
}
export interface NetworkNodeJson {
  metadata: { name: string };
  spec?: { nodeMetadata?: { instanceID?: string } };
  status?: { networkInterfaces?: Record<string, { id: string; vSwitchID?: string; securityGroupIDs?: string[]; usage?: string; ipv4?: Record<string, { ip: string; podID?: string; podUID?: string; status: string }> }> };
}

export async function readState(env: IpamK8sEnv, namespace?: string): Promise<{ podENIs: PodENIJson[]; pods: PodJson[]; networkNodes: NetworkNodeJson[]; podsAfter: PodJson[] }> {
  // A consistent cut: a pod annotated in the first pod list had its PodENI written before that
  // list, and if it is still there in the last list it was not gone in between, so its PodENI
  // (deleted only after the pod is gone) must be in the PodENI list taken between them.
  const ns = namespace ? ['-n', namespace] : ['-A'];
  const pods = (await env.getJson<{ items: PodJson[] }>(['get', 'pods', ...ns])).items;
  const podENIs = (await env.getJson<{ items: PodENIJson[] }>(['get', 'podenis.network.alibabacloud.com', ...ns])).items;
  const networkNodes = (await env.getJson<{ items: NetworkNodeJson[] }>(['get', 'nodes.network.alibabacloud.com'])).items;
  const podsAfter = (await env.getJson<{ items: PodJson[] }>(['get', 'pods', ...ns])).items;
  return { podENIs, pods, networkNodes, podsAfter };
}

export const podIpsOf = (pod: PodJson): string | undefined => pod.metadata.annotations?.['k8s.aliyun.com/pod-ips'];

/**
 * The invariants of issue 7, from the API server and the simulator at once: no address held by
 * two pods (pod annotations, PodENIs, NetworkNode records), every address a pod carries is
 * recorded for that pod (UID) and assigned in the cloud to the ENI its PodENI names, and the
 * cloud's own accounting (one owner per address, ENIs and IPs within the instance type's limits).
 */
export async function checkNoDoubleAllocation(env: IpamK8sEnv): Promise<{ annotatedPods: number }> {
  const { podENIs, pods, networkNodes, podsAfter } = await readState(env);
  const stillThere = new Set(podsAfter.map((p) => p.metadata.uid));
  const byIp = new Map<string, string>();
  for (const pod of pods) {
    const ip = podIpsOf(pod);
    if (!ip) continue;
    const id = `${pod.metadata.namespace}/${pod.metadata.name}`;
    assert.ok(!byIp.has(ip), `address ${ip} is on two pods: ${byIp.get(ip)} and ${id}`);
    byIp.set(ip, id);
  }
  const eniIps = new Map<string, string>();
  for (const p of podENIs) {
    const ip = p.spec?.allocations?.[0]?.ipv4;
    assert.ok(ip, `PodENI ${p.metadata.namespace}/${p.metadata.name} has no address`);
    assert.ok(!eniIps.has(ip), `address ${ip} is in two PodENIs: ${eniIps.get(ip)} and ${p.metadata.namespace}/${p.metadata.name}`);
    eniIps.set(ip, `${p.metadata.namespace}/${p.metadata.name}`);
  }
  const recordHolder = new Map<string, string>();
  const heldBy = new Map<string, string>();
  for (const node of networkNodes) {
    for (const eni of Object.values(node.status?.networkInterfaces ?? {})) {
      for (const ip of Object.values(eni.ipv4 ?? {})) {
        assert.ok(!recordHolder.has(ip.ip), `address ${ip.ip} is recorded on two ENIs`);
        recordHolder.set(ip.ip, eni.id);
        if (ip.podID) {
          assert.ok(!heldBy.has(ip.podID) || heldBy.get(ip.podID) === ip.ip, `pod ${ip.podID} holds two addresses`);
          heldBy.set(ip.podID, ip.ip);
        }
      }
    }
  }
  const cloudEnis = new Map(env.sim.sim.state.networkInterfaces().map((e) => [e.id, e]));
  for (const pod of pods) {
    const ip = podIpsOf(pod);
    if (!ip || !stillThere.has(pod.metadata.uid)) continue;
    const id = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const record = podENIs.find((p) => p.metadata.namespace === pod.metadata.namespace && p.metadata.name === pod.metadata.name);
    assert.ok(record, `pod ${id} carries ${ip} without a PodENI`);
    assert.equal(record.spec?.allocations?.[0]?.ipv4, ip, `pod ${id}: annotation and PodENI disagree`);
    assert.equal(record.metadata.annotations?.['k8s.aliyun.com/pod-uid'], pod.metadata.uid, `pod ${id}: its PodENI is another pod's`);
    const eniId = record.spec?.allocations?.[0]?.eni?.id ?? '';
    const eni = cloudEnis.get(eniId);
    assert.ok(eni, `pod ${id}: ENI ${eniId} does not exist in the cloud`);
    const onEni = eni.primaryIp === ip || eni.secondaryIps.includes(ip);
    assert.ok(onEni, `pod ${id}: ${ip} is not assigned to ${eniId} in the cloud`);
  }
  assert.deepEqual(env.sim.sim.state.checkConsistency(), []);
  return { annotatedPods: byIp.size };
}

/** After all pods are gone: every ENI the IPAM created in the cloud is recorded, with exactly its addresses, and no address is held. */
export async function checkNothingLeaked(env: IpamK8sEnv): Promise<void> {
  const { podENIs, networkNodes } = await readState(env);
  assert.deepEqual(podENIs.map((p) => `${p.metadata.namespace}/${p.metadata.name}`), [], 'PodENIs left after every pod is gone');
  const recorded = new Map<string, Set<string>>();
  for (const node of networkNodes) {
    for (const eni of Object.values(node.status?.networkInterfaces ?? {})) {
      recorded.set(eni.id, new Set(Object.keys(eni.ipv4 ?? {})));
      for (const ip of Object.values(eni.ipv4 ?? {})) assert.equal(ip.podID, undefined, `${ip.ip} still held by ${ip.podID}`);
    }
  }
  const ours = env.sim.sim.state.networkInterfaces().filter((e) => e.tags['creator'] === 'terway' && e.tags['ack.aliyun.com'] === 'local');
  assert.deepEqual(ours.map((e) => e.id).sort(), [...recorded.keys()].sort(), 'ENIs in the cloud and in NetworkNodes differ (leak or lost record)');
  for (const eni of ours) {
    const cloudIps = [eni.primaryIp, ...eni.secondaryIps];
    assert.deepEqual([...new Set(cloudIps)].sort(), [...(recorded.get(eni.id) ?? [])].sort(), `addresses of ${eni.id} in the cloud and its record differ`);
  }
}
