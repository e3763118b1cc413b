// The Node a bootstrap registers for an instance: ACK's naming (<region>.<private IP>), the
// providerID <region>.<instanceId>, capacity from the instance type and kubelet settings,
// allocatable as the kubelet computes it (capacity minus kube-reserved, system-reserved and the
// hard eviction threshold), well-known labels plus the launch's labels and taints. Pure.
import type { InstanceRecord } from '../model/records.js';
import { amountOf, formatKi, formatMilliCpu, milliCpu } from './quantity.js';
import type { NodeBootstrap } from './userData.js';

/** The kubelet's defaults when no evictionHard is configured. */
export const defaultEvictionHard: Record<string, string> = { 'memory.available': '100Mi', 'nodefs.available': '10%' };
export const defaultMaxPods = 110;

export interface NodeSettings {
  kubeletVersion: string;
  memoryOverheadPercent: number;
}

export interface NodeObject {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { providerID: string; taints?: { key: string; value?: string; effect: string }[] };
  status: {
    capacity: Record<string, string>;
    allocatable: Record<string, string>;
    addresses: { type: string; address: string }[];
    nodeInfo: NodeSystemInfo;
  };
}

export interface NodeSystemInfo {
  architecture: string;
  operatingSystem: string;
  osImage: string;
  kernelVersion: string;
  containerRuntimeVersion: string;
  kubeletVersion: string;
  kubeProxyVersion: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
}

export function nodeNameOf(instance: Pick<InstanceRecord, 'regionId' | 'primaryIp'>): string {
  return `${instance.regionId}.${instance.primaryIp}`;
}

export function providerIdOf(instance: Pick<InstanceRecord, 'regionId' | 'id'>): string {
  return `${instance.regionId}.${instance.id}`;
}

function sumReserved(resource: string, ...lists: (Record<string, string> | undefined)[]): number {
  return lists.reduce((sum, list) => {
    const value = list?.[resource];
    if (value === undefined) return sum;
    return sum + (resource === 'cpu' ? milliCpu(value) : amountOf(value, 0));
  }, 0);
}

export function buildNode(
  instance: InstanceRecord,
  bootstrap: NodeBootstrap,
  settings: NodeSettings,
  osImage: string,
): NodeObject {
  const name = nodeNameOf(instance);
  const spec = instance.spec;
  const { kubelet } = bootstrap;
  const arch = spec.cpuArchitecture === 'ARM' ? 'arm64' : 'amd64';

  const cpuMilli = spec.cpuCoreCount * 1000;
  const memoryBytes = Math.floor(spec.memoryGiB * 2 ** 30 * (1 - settings.memoryOverheadPercent / 100));
  const storageBytes = instance.systemDisk.sizeGiB * 2 ** 30;
  let pods = kubelet.maxPods ?? defaultMaxPods;
  if (kubelet.podsPerCore) pods = Math.min(pods, kubelet.podsPerCore * spec.cpuCoreCount);

  const eviction = kubelet.evictionHard ?? defaultEvictionHard;
  const reserved = [kubelet.kubeReserved, kubelet.systemReserved];
  const allocatableCpu = cpuMilli - sumReserved('cpu', ...reserved);
  const allocatableMemory =
    memoryBytes - sumReserved('memory', ...reserved) - (eviction['memory.available'] ? amountOf(eviction['memory.available'], memoryBytes) : 0);
  const allocatableStorage =
    storageBytes -
    sumReserved('ephemeral-storage', ...reserved) -
    (eviction['nodefs.available'] ? amountOf(eviction['nodefs.available'], storageBytes) : 0);

  const capacity: Record<string, string> = {
    cpu: formatMilliCpu(cpuMilli),
    memory: formatKi(memoryBytes),
    'ephemeral-storage': formatKi(storageBytes),
    pods: String(pods),
  };
  const allocatable: Record<string, string> = {
    cpu: formatMilliCpu(Math.max(0, allocatableCpu)),
    memory: formatKi(allocatableMemory),
    'ephemeral-storage': formatKi(allocatableStorage),
    pods: String(pods),
  };
  if (spec.gpuAmount > 0) {
    capacity['nvidia.com/gpu'] = String(spec.gpuAmount);
    allocatable['nvidia.com/gpu'] = String(spec.gpuAmount);
  }

  const node: NodeObject = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        ...bootstrap.labels,
        'kubernetes.io/hostname': name,
        'kubernetes.io/arch': arch,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': spec.instanceTypeId,
        'topology.kubernetes.io/zone': instance.zoneId,
        'topology.kubernetes.io/region': instance.regionId,
        type: 'kwok',
      },
      annotations: {
        'kwok.x-k8s.io/node': 'fake',
        'node.alpha.kubernetes.io/ttl': '0',
      },
    },
    spec: { providerID: providerIdOf(instance) },
    status: {
      capacity,
      allocatable,
      addresses: [
        { type: 'InternalIP', address: instance.primaryIp },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        architecture: arch,
        operatingSystem: 'linux',
        osImage,
        kernelVersion: `5.10.134-18.al8.${arch === 'arm64' ? 'aarch64' : 'x86_64'}`,
        containerRuntimeVersion: 'containerd://1.7.24',
        kubeletVersion: settings.kubeletVersion,
        kubeProxyVersion: settings.kubeletVersion,
        machineID: instance.id,
        systemUUID: instance.id,
        bootID: instance.id,
      },
    },
  };
  if (bootstrap.taints.length > 0) {
    node.spec.taints = bootstrap.taints.map((t) => (t.value === undefined ? { key: t.key, effect: t.effect } : { key: t.key, value: t.value, effect: t.effect }));
  }
  return node;
}
