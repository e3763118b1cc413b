// What of an ECSNodeClass changes the instance types it can launch: the kubelet settings
// (reservations, eviction thresholds, pod limits), the system disk (ephemeral-storage), the zones
// of its resolved vSwitches and the architectures of its resolved images.
import type { ECSNodeClassSpec, ECSNodeClassStatus } from '../apis/ecsnodeclass.js';
import type { Architecture } from '../cloud/types.js';
import { DefaultEvictionHard, parseQuantity, type KubeletSettings } from '../scheduling/index.js';

const Gi = 2 ** 30;
/** The system disk size when the node class sets none (ECS's and the launcher's default). */
export const DefaultSystemDiskGiB = 40;

/** What the catalog reads of an ECSNodeClass (a parsed ECSNodeClass is one). */
export interface NodeClassCapacityInput {
  spec: Pick<ECSNodeClassSpec, 'kubeletConfiguration' | 'systemDisk'>;
  status?: Pick<ECSNodeClassStatus, 'vSwitches' | 'images'> | undefined;
}

export interface NodeClassCapacitySettings {
  kubelet: KubeletSettings;
  /** evictionSoft thresholds: allocatable keeps the larger of each hard and soft threshold, as Karpenter does. */
  evictionSoft: Readonly<Record<string, string>>;
  systemDiskGiB: number;
  /** Zones of status.vSwitches, sorted; empty until the node class controller resolved them. */
  zones: string[];
  /** Architectures that have a resolved image, sorted; undefined when status.images is unset (no restriction yet). */
  architectures: Architecture[] | undefined;
}

/** System disk size in GiB from spec.systemDisk.size or .volumeSize ("40Gi", "100G", "1Ti"). */
export function systemDiskGiB(nodeClass: Pick<NodeClassCapacityInput, 'spec'>): number {
  const disk = nodeClass.spec.systemDisk;
  if (disk?.size !== undefined) return disk.size;
  if (disk?.volumeSize !== undefined) return parseQuantity(disk.volumeSize) / Gi;
  return DefaultSystemDiskGiB;
}

export function capacitySettingsOf(nodeClass: NodeClassCapacityInput): NodeClassCapacitySettings {
  const kc = nodeClass.spec.kubeletConfiguration;
  const kubelet: KubeletSettings = {
    ...(kc?.maxPods !== undefined ? { maxPods: kc.maxPods } : {}),
    // podsPerCore 0 means "no limit" in kubelet.
    ...(kc?.podsPerCore ? { podsPerCore: kc.podsPerCore } : {}),
    ...(kc?.kubeReserved ? { kubeReserved: kc.kubeReserved } : {}),
    ...(kc?.systemReserved ? { systemReserved: kc.systemReserved } : {}),
    // Signals the user leaves out keep kubelet's defaults (Karpenter merges the same way), so a
    // node class that only raises memory.available still reserves 10% of the disk.
    evictionHard: { ...DefaultEvictionHard, ...(kc?.evictionHard ?? {}) },
  };
  const zones = [...new Set((nodeClass.status?.vSwitches ?? []).map((v) => v.zoneID))].sort();
  const images = nodeClass.status?.images;
  const architectures = images
    ? [...new Set(images.flatMap((image) => archOf(image.requirements)))].sort()
    : undefined;
  return { kubelet, evictionSoft: kc?.evictionSoft ?? {}, systemDiskGiB: systemDiskGiB(nodeClass), zones, architectures };
}

function archOf(requirements: readonly { key: string; operator: string; values?: string[] }[]): Architecture[] {
  const arch = requirements.find((r) => r.key === 'kubernetes.io/arch' && r.operator === 'In');
  if (!arch) return ['amd64', 'arm64'];
  return (arch.values ?? []).filter((v): v is Architecture => v === 'amd64' || v === 'arm64');
}

/**
 * The eviction thresholds for one type: per signal the larger of the hard and soft threshold,
 * as absolute quantities (a percentage is of that type's memory or disk), so one map can be
 * handed to the scheduling builder.
 */
export function effectiveEvictionHard(
  settings: NodeClassCapacitySettings,
  capacity: { memoryBytes: number; storageBytes: number },
): Record<string, string> {
  const base = (signal: string) => (signal === 'memory.available' ? capacity.memoryBytes : capacity.storageBytes);
  const amount = (signal: string, value: string | undefined) =>
    value === undefined ? 0 : value.endsWith('%') ? Math.ceil((base(signal) * Number(value.slice(0, -1))) / 100) : Math.ceil(parseQuantity(value));
  const out: Record<string, string> = {};
  for (const signal of ['memory.available', 'nodefs.available']) {
    const threshold = Math.max(amount(signal, settings.kubelet.evictionHard?.[signal]), amount(signal, settings.evictionSoft[signal]));
    if (threshold > 0) out[signal] = String(threshold);
  }
  return out;
}

/** A stable cache key of everything above. */
export function capacitySettingsKey(settings: NodeClassCapacitySettings): string {
  return canonicalJson(settings);
}

/** JSON with object keys sorted and undefined left out: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}
