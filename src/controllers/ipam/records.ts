// The IPAM's records as Kubernetes objects, and back (pure). Per node: Terway's
// `nodes.network.alibabacloud.com` (NetworkNode), named after the node. Per pod: `PodENI`, named
// after the pod in its namespace. Field names are Terway's; what Terway's records lack (the pod's
// UID and node on a PodENI, the ENI mode, when it was allocated) rides on annotations, and
// NetworkNode carries three additive fields (IP releasedAt/idleSince, ENI usage/createdAt).
//
// Round trip: fromNetworkNode(toNetworkNode(s)) deep-equals s, and the same for PodENI; the unit
// test checks it, so a restart rebuilds exactly what was written.
import { formatDuration, parseDuration } from '../../apis/duration.js';
import type { IPRecord, NetworkInterface, NetworkNode } from '../../apis/networknode.js';
import { NetworkNodeKind } from '../../apis/networknode.js';
import type { PodENI } from '../../apis/podeni.js';
import { PodENIKind } from '../../apis/podeni.js';
import { NetworkingApiVersion } from '../../apis/podnetworking.js';
import type { EniState, EniStatus, IpState, NodeIpamState, PodAllocation } from '../../ipam/state.js';
import type { AllocationPolicy } from '../../ipam/pod-network-resolver.js';

/** On a PodENI: the UID of the pod holding it (Terway's `k8s.aliyun.com/pod-uid`). */
export const AnnotationPodENIPodUID = 'k8s.aliyun.com/pod-uid';
/** On a PodENI: the node the address is on (Terway's `k8s.aliyun.com/node`). */
export const AnnotationPodENINode = 'k8s.aliyun.com/node';
/** On a PodENI: the PodNetworking that gave the pod its network, if any. */
export const AnnotationPodENIPodNetworking = 'k8s.aliyun.com/pod-networking';
/** On a PodENI: ENIIP (a secondary IP of a shared ENI) or ENI (an ENI of its own). */
export const AnnotationPodENIType = 'karpenter.k8s.alibabacloud/ipam-eni-type';
/** On a PodENI: when the address was allocated (RFC 3339, milliseconds). */
export const AnnotationPodENIAllocatedAt = 'karpenter.k8s.alibabacloud/ipam-allocated-at';
/** Label on every record the IPAM writes, so `kubectl get podenis -l` finds them. */
export const LabelManagedByIpam = 'karpenter.k8s.alibabacloud/ipam';

const iso = (ms: number): string => new Date(ms).toISOString();
const epoch = (text: string | undefined): number | undefined => (text === undefined ? undefined : Date.parse(text));

// ------------------------------------------------------------------------------ NetworkNode

function toIpRecord(ip: IpState): IPRecord {
  const record: IPRecord = { ip: ip.ip, primary: ip.primary, status: ip.status };
  if (ip.podId !== undefined) record.podID = ip.podId;
  if (ip.podUid !== undefined) record.podUID = ip.podUid;
  if (ip.releasedAt !== undefined) record.releasedAt = iso(ip.releasedAt);
  if (ip.idleSince !== undefined) record.idleSince = iso(ip.idleSince);
  return record;
}

function fromIpRecord(record: IPRecord): IpState {
  const ip: IpState = { ip: record.ip, primary: record.primary, status: record.status };
  if (record.podID !== undefined) ip.podId = record.podID;
  if (record.podUID !== undefined) ip.podUid = record.podUID;
  const releasedAt = epoch(record.releasedAt);
  if (releasedAt !== undefined) ip.releasedAt = releasedAt;
  const idleSince = epoch(record.idleSince);
  if (idleSince !== undefined) ip.idleSince = idleSince;
  return ip;
}

function toInterface(eni: EniState): NetworkInterface {
  const ipv4: Record<string, IPRecord> = {};
  for (const ip of Object.values(eni.ips)) ipv4[ip.ip] = toIpRecord(ip);
  const out: NetworkInterface = {
    id: eni.id,
    status: eni.status,
    macAddress: eni.macAddress,
    vSwitchID: eni.vSwitchId,
    securityGroupIDs: [...eni.securityGroupIds],
    primaryIPAddress: eni.primaryIp,
    networkInterfaceType: 'Secondary',
    networkInterfaceTrafficMode: 'Standard',
    usage: eni.usage,
    createdAt: iso(eni.createdAt),
    ipv4,
  };
  if (eni.ipv4CIDR !== undefined) out.ipv4CIDR = eni.ipv4CIDR;
  return out;
}

const eniStatuses: readonly EniStatus[] = ['Attaching', 'InUse', 'Detaching', 'Deleting'];

function fromInterface(ni: NetworkInterface, zone: string): EniState {
  const ips: Record<string, IpState> = {};
  for (const record of Object.values(ni.ipv4 ?? {})) ips[record.ip] = fromIpRecord(record);
  const eni: EniState = {
    id: ni.id,
    macAddress: ni.macAddress ?? '',
    vSwitchId: ni.vSwitchID ?? '',
    zone,
    securityGroupIds: [...(ni.securityGroupIDs ?? [])].sort(),
    primaryIp: ni.primaryIPAddress ?? '',
    // A status written by another tool that the engine does not know is re-read from the cloud
    // by reconcile; Attaching makes reconcile look it up instead of trusting it.
    status: (eniStatuses as readonly string[]).includes(ni.status) ? (ni.status as EniStatus) : 'Attaching',
    usage: ni.usage ?? 'Shared',
    createdAt: epoch(ni.createdAt) ?? 0,
    ips,
  };
  if (ni.ipv4CIDR !== undefined) eni.ipv4CIDR = ni.ipv4CIDR;
  return eni;
}

/** The NetworkNode object for a node's record (no resourceVersion). */
export function toNetworkNode(state: NodeIpamState, region: string): NetworkNode {
  const networkInterfaces: Record<string, NetworkInterface> = {};
  for (const eni of Object.values(state.enis)) networkInterfaces[eni.id] = toInterface(eni);
  return {
    apiVersion: NetworkingApiVersion,
    kind: NetworkNodeKind,
    metadata: { name: state.name, labels: { [LabelManagedByIpam]: 'true' } },
    spec: {
      nodeMetadata: { regionID: region, instanceType: state.instanceType, instanceID: state.instanceId, zoneID: state.zone },
      nodeCap: { adapters: state.capacity.adapters, ipv4PerAdapter: state.capacity.ipv4PerAdapter },
      pool: { minPoolSize: state.pool.minPoolSize, maxPoolSize: state.pool.maxPoolSize },
    },
    status: { networkInterfaces },
  };
}

/** The node's record from its NetworkNode, or undefined when the object is not one the IPAM wrote. */
export function fromNetworkNode(node: NetworkNode): NodeIpamState | undefined {
  const meta = node.spec?.nodeMetadata;
  const cap = node.spec?.nodeCap;
  const name = node.metadata.name;
  if (!name || !meta?.instanceID || !meta.instanceType || !meta.zoneID || cap?.adapters === undefined || cap.ipv4PerAdapter === undefined) return undefined;
  const enis: Record<string, EniState> = {};
  for (const ni of Object.values(node.status?.networkInterfaces ?? {})) enis[ni.id] = fromInterface(ni, meta.zoneID);
  return {
    name,
    instanceId: meta.instanceID,
    instanceType: meta.instanceType,
    zone: meta.zoneID,
    capacity: { adapters: cap.adapters, ipv4PerAdapter: cap.ipv4PerAdapter },
    pool: { minPoolSize: node.spec?.pool?.minPoolSize ?? 0, maxPoolSize: node.spec?.pool?.maxPoolSize ?? 0 },
    enis,
  };
}

// ------------------------------------------------------------------------------ PodENI

function toAllocationType(policy: AllocationPolicy): { type: 'Elastic' | 'Fixed'; releaseStrategy?: 'TTL' | 'Never'; releaseAfter?: string } {
  if (policy.type !== 'Fixed') return { type: 'Elastic' };
  if (policy.releaseStrategy === 'Never') return { type: 'Fixed', releaseStrategy: 'Never' };
  return { type: 'Fixed', releaseStrategy: 'TTL', releaseAfter: formatDuration(policy.releaseAfterMs ?? 0) };
}

function fromAllocationType(t: { type: 'Elastic' | 'Fixed'; releaseStrategy?: 'TTL' | 'Never' | undefined; releaseAfter?: string | undefined } | undefined): AllocationPolicy {
  if (t?.type !== 'Fixed') return { type: 'Elastic' };
  if (t.releaseStrategy === 'Never') return { type: 'Fixed', releaseStrategy: 'Never' };
  return { type: 'Fixed', releaseStrategy: 'TTL', releaseAfterMs: t.releaseAfter ? parseDuration(t.releaseAfter) : 0 };
}

/** The PodENI object for a pod's allocation (no resourceVersion). */
export function toPodENI(alloc: PodAllocation): PodENI {
  const annotations: Record<string, string> = {
    [AnnotationPodENIPodUID]: alloc.podUid,
    [AnnotationPodENIType]: alloc.eniType,
    [AnnotationPodENIAllocatedAt]: iso(alloc.allocatedAt),
  };
  if (alloc.nodeName !== undefined) annotations[AnnotationPodENINode] = alloc.nodeName;
  if (alloc.podNetworking !== undefined) annotations[AnnotationPodENIPodNetworking] = alloc.podNetworking;
  const allocation: NonNullable<NonNullable<PodENI['spec']>['allocations']>[number] = {
    allocationType: toAllocationType(alloc.allocation),
    eni: {
      id: alloc.eni.id,
      mac: alloc.eni.macAddress,
      zone: alloc.zone,
      vSwitchID: alloc.eni.vSwitchId,
      securityGroupIDs: [...alloc.eni.securityGroupIds],
    },
    ipv4: alloc.ip,
    interface: 'eth0',
    defaultRoute: true,
  };
  if (alloc.ipv4CIDR !== undefined) allocation.ipv4CIDR = alloc.ipv4CIDR;
  const status: NonNullable<PodENI['status']> = {
    phase: alloc.phase,
    eniInfos: { [alloc.eni.id]: { id: alloc.eni.id, type: 'Secondary', status: alloc.phase === 'Bind' ? 'Bind' : 'Unbind' } },
  };
  if (alloc.instanceId !== undefined) status.instanceID = alloc.instanceId;
  if (alloc.podLastSeen !== undefined) status.podLastSeen = iso(alloc.podLastSeen);
  return {
    apiVersion: NetworkingApiVersion,
    kind: PodENIKind,
    metadata: { name: alloc.name, namespace: alloc.namespace, labels: { [LabelManagedByIpam]: 'true' }, annotations },
    spec: { allocations: [allocation], zone: alloc.zone },
    status,
  };
}

/**
 * The pod's allocation from its PodENI, or undefined when it is not one the IPAM wrote. A PodENI
 * without status (a crash between creating it and writing its status) reads as Bind: its node
 * record was written first, and the engine's start() checks the two agree.
 */
export function fromPodENI(podENI: PodENI): PodAllocation | undefined {
  const a = podENI.metadata.annotations ?? {};
  const first = podENI.spec?.allocations?.[0];
  const name = podENI.metadata.name;
  const namespace = podENI.metadata.namespace;
  const podUid = a[AnnotationPodENIPodUID];
  const eniType = a[AnnotationPodENIType];
  const zone = podENI.spec?.zone ?? first?.eni?.zone;
  if (!name || !namespace || !podUid || (eniType !== 'ENIIP' && eniType !== 'ENI') || !first?.ipv4 || !first.eni?.id || !zone) return undefined;
  const alloc: PodAllocation = {
    namespace,
    name,
    podUid,
    zone,
    eniType,
    ip: first.ipv4,
    eni: {
      id: first.eni.id,
      macAddress: first.eni.mac ?? '',
      vSwitchId: first.eni.vSwitchID ?? '',
      securityGroupIds: [...(first.eni.securityGroupIDs ?? [])],
    },
    allocation: fromAllocationType(first.allocationType),
    phase: podENI.status?.phase === 'Unbind' ? 'Unbind' : 'Bind',
    allocatedAt: epoch(a[AnnotationPodENIAllocatedAt]) ?? 0,
  };
  if (a[AnnotationPodENINode] !== undefined) alloc.nodeName = a[AnnotationPodENINode];
  if (podENI.status?.instanceID !== undefined) alloc.instanceId = podENI.status.instanceID;
  if (first.ipv4CIDR !== undefined) alloc.ipv4CIDR = first.ipv4CIDR;
  if (a[AnnotationPodENIPodNetworking] !== undefined) alloc.podNetworking = a[AnnotationPodENIPodNetworking];
  const lastSeen = epoch(podENI.status?.podLastSeen);
  if (lastSeen !== undefined) alloc.podLastSeen = lastSeen;
  return alloc;
}
