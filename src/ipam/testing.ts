// Test and benchmark support for the IPAM: the simulator behind the real Alibaba provider (the
// real SDK on the wire), instances launched through it, and the bank's two networks resolved to
// ids. Only tests and test/bench import this file.
import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { providerFor } from '../cloud/alibaba/testing.js';
import type { AlibabaCloudProvider } from '../cloud/alibaba/provider.js';
import type { CloudProvider, Instance, InstanceTypeInfo } from '../cloud/types.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../simulator/index.js';
import type { IpamConfigInput } from './config.js';
import { IpamEngine, type IpamEngineDeps } from './engine.js';
import { MemoryIpamStore } from './memory-store.js';
import type { NetworkPlane } from './network-plane.js';
import type { ResolvedPodNetwork } from './pod-network-resolver.js';
import type { Clock } from './clock.js';

export interface IpamSimEnv {
  sim: RunningSimulator;
  cloud: AlibabaCloudProvider;
  providerRegistry: Registry;
  zone: string;
  defaultVSwitch: string;
  coreVSwitch: string;
  defaultSg: string;
  coreSg: string;
  /** The office (default) network and the core-trade network, resolved for `zone`. */
  officeNetwork: ResolvedPodNetwork;
  coreNetwork: ResolvedPodNetwork;
  instanceTypes: Map<string, InstanceTypeInfo>;
  launch(instanceType: string): Promise<Instance>;
  close(): Promise<void>;
}

function network(vSwitchId: string, zone: string, sg: string, overrides: Partial<ResolvedPodNetwork> = {}): ResolvedPodNetwork {
  return {
    source: 'Default',
    eniType: 'ENIIP',
    vSwitchIds: [vSwitchId],
    vSwitchesByZone: { [zone]: [vSwitchId] },
    allowedZones: [zone],
    securityGroupIds: [sg],
    selectionPolicy: 'ordered',
    allocation: { type: 'Elastic' },
    ...overrides,
  };
}

export async function startIpamSimEnv(opts: { simulator?: SimulatorOptions; provider?: Parameters<typeof providerFor>[1] } = {}): Promise<IpamSimEnv> {
  const sim = await startSimulator({ latencyProfile: 'zero', ...opts.simulator });
  const { cloud, registry } = providerFor(sim, { launchApi: 'RunInstances', ...opts.provider });
  const core = sim.state.vSwitchByName('core-trade-a');
  if (!core) throw new Error('simulator has no core-trade-a vSwitch');
  const zone = core.zoneId;
  const pod = sim.state.vSwitchByName(`pod-vsw-${zone}`);
  const node = sim.state.vSwitchByName(`node-vsw-${zone}`);
  const groups = sim.state.securityGroups();
  const defaultSg = groups.find((g) => g.name === 'sg-default')?.id;
  const coreSg = groups.find((g) => g.name === 'sg-core-trade')?.id;
  if (!pod || !node || !defaultSg || !coreSg) throw new Error('simulator seed lacks the default resources');
  const instanceTypes = new Map((await cloud.listInstanceTypes()).map((t) => [t.name, t]));
  const offerings = await cloud.listOfferings();
  const [image] = await cloud.listImages({ family: 'ContainerOS', version: 'latest', architecture: 'amd64' });
  if (!image) throw new Error('simulator has no ContainerOS image');
  return {
    sim,
    cloud,
    providerRegistry: registry,
    zone,
    defaultVSwitch: pod.id,
    coreVSwitch: core.id,
    defaultSg,
    coreSg,
    officeNetwork: network(pod.id, zone, defaultSg),
    coreNetwork: network(core.id, zone, coreSg, { source: 'PodNetworking', podNetworking: 'core-trade' }),
    instanceTypes,
    async launch(instanceType: string): Promise<Instance> {
      const offered = offerings.find((o) => o.instanceType === instanceType && o.zone === zone && o.capacityType === 'on-demand' && o.available);
      if (!offered) throw new Error(`${instanceType} is not offered on demand in ${zone}`);
      const token = randomUUID();
      return cloud.createInstance({
        clientToken: token,
        name: `node-${token.slice(0, 8)}`,
        candidates: [{ instanceType, zone, capacityType: 'on-demand', vSwitchId: node.id }],
        imageId: image.id,
        securityGroupIds: [defaultSg],
        userData: '#!/bin/bash\n',
        tags: { 'karpenter.k8s.alibabacloud/cluster': 'local' },
      });
    },
    close: () => sim.close(),
  };
}

export interface EngineUnderTest {
  engine: IpamEngine;
  store: MemoryIpamStore;
  registry: Registry;
}

/** An engine on the env's cloud, with the env's default network as the configured default. */
export async function engineFor(
  env: Pick<IpamSimEnv, 'cloud' | 'zone' | 'defaultVSwitch' | 'defaultSg'>,
  config: Partial<IpamConfigInput> = {},
  opts: { store?: MemoryIpamStore; clock?: Clock; logger?: Logger; cloud?: CloudProvider; start?: boolean; onAllocated?: IpamEngineDeps['onAllocated'] } = {},
): Promise<EngineUnderTest> {
  const store = opts.store ?? new MemoryIpamStore();
  const registry = new Registry();
  const engine = new IpamEngine({
    cloud: opts.cloud ?? env.cloud,
    store,
    registry,
    logger: opts.logger ?? pino({ level: 'silent' }),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.onAllocated ? { onAllocated: opts.onAllocated } : {}),
    config: {
      clusterName: 'local',
      defaults: { vSwitchesByZone: { [env.zone]: [env.defaultVSwitch] }, securityGroupIds: [env.defaultSg] },
      releaseCooldownMs: 0,
      eniPollInitialMs: 0,
      eniPollMaxMs: 20,
      ...config,
    },
  });
  if (opts.start !== false) await engine.start();
  return { engine, store, registry };
}

export function planeOf(net: ResolvedPodNetwork, zone: string): NetworkPlane {
  return { vSwitchIds: net.vSwitchesByZone[zone] ?? [], securityGroupIds: net.securityGroupIds, selectionPolicy: net.selectionPolicy };
}

/**
 * AssignPrivateIpAddresses calls the cloud refused with InvalidOperation.Ipv4CountExceeded: the
 * IPAM asked an ENI for more addresses than its instance type allows. Injected faults never use
 * this code, so every one counted is a request the IPAM should not have made.
 */
export function ipv4CountRefusals(sim: Pick<RunningSimulator, 'state'>): number {
  return sim.state.calls()['AssignPrivateIpAddresses']?.errors['InvalidOperation.Ipv4CountExceeded'] ?? 0;
}
