// Node, network.alibabacloud.com/v1beta1 (nodes.network.alibabacloud.com): Terway's centralized
// IPAM record of one Kubernetes node, named after it: what the instance can hold, the pool
// policy, and every ENI and IP with the pod using it. The IPAM owns these objects; field names
// follow Terway (pkg/apis/network.alibabacloud.com/v1beta1/node_types.go).
import { z } from 'zod';
import { enumOf, validated } from './cel.js';
import { NetworkingApiVersion, VSwitchSelectionPolicy } from './podnetworking.js';
import { ENIType } from './podeni.js';
import { ObjectMeta, Timestamp } from './meta.js';

export const NetworkNodeKind = 'Node';
export const NetworkNodePlural = 'nodes';

export const NetworkInterfaceTrafficMode = enumOf(['Standard', 'HighPerformance']);
export type NetworkInterfaceTrafficMode = z.infer<typeof NetworkInterfaceTrafficMode>;

export const IPStatus = enumOf(['Valid', 'Deleting']);
export type IPStatus = z.infer<typeof IPStatus>;

export const NodeMetadata = z.object({
  regionID: z.string().optional(),
  instanceType: z.string().optional(),
  instanceID: z.string().optional(),
  zoneID: z.string().optional(),
});

/** What the instance type allows (from DescribeInstanceTypes); the IPAM and the provisioner size pods by it. */
export const NodeCap = z.object({
  adapters: z.number().int().min(0).optional().describe('ENIs the instance can attach, including the primary.'),
  eriQuantity: z.number().int().min(0).optional(),
  totalAdapters: z.number().int().min(0).optional().describe('ENIs including trunk members.'),
  ipv4PerAdapter: z.number().int().min(0).optional(),
  ipv6PerAdapter: z.number().int().min(0).optional(),
  memberAdapterLimit: z.number().int().min(0).optional(),
  maxMemberAdapterLimit: z.number().int().min(0).optional(),
  instanceBandwidthRx: z.number().int().min(0).optional(),
  instanceBandwidthTx: z.number().int().min(0).optional(),
});
export type NodeCap = z.infer<typeof NodeCap>;

export const NodeENISpec = z.object({
  tag: z.record(z.string(), z.string()).optional().describe('Tags put on ENIs created for this node.'),
  tagFilter: z.record(z.string(), z.string()).optional(),
  vSwitchOptions: z.array(z.string()).describe('vSwitches the node may take ENIs and IPs from.'),
  securityGroupIDs: z.array(z.string()).describe('Security groups of the ENIs.'),
  resourceGroupID: z.string().optional(),
  enableIPv4: z.boolean().optional(),
  enableIPv6: z.boolean().optional(),
  enableERDMA: z.boolean().optional(),
  enableTrunk: z.boolean().optional(),
  vSwitchSelectPolicy: VSwitchSelectionPolicy.default('most'),
});
export type NodeENISpec = z.infer<typeof NodeENISpec>;

export const PoolSpec = validated(
  z.object({
    maxPoolSize: z.number().int().min(0).optional().describe('Idle IPs above this are released.'),
    minPoolSize: z.number().int().min(0).optional().describe('Idle IPs kept warm.'),
  }),
  [
    {
      rule: 'has(self.minPoolSize) && has(self.maxPoolSize) ? self.minPoolSize <= self.maxPoolSize : true',
      message: 'pool.minPoolSize cannot be larger than pool.maxPoolSize',
      check: (p) => (p.minPoolSize !== undefined && p.maxPoolSize !== undefined ? p.minPoolSize <= p.maxPoolSize : true),
    },
  ],
);
export type PoolSpec = z.infer<typeof PoolSpec>;

export const Flavor = z.object({
  networkInterfaceType: ENIType,
  networkInterfaceTrafficMode: NetworkInterfaceTrafficMode,
  count: z.number().int().min(0),
});

export const NetworkNodeSpec = z.object({
  nodeMetadata: NodeMetadata.optional(),
  nodeCap: NodeCap.optional(),
  eni: NodeENISpec.optional(),
  pool: PoolSpec.optional(),
  flavor: z.array(Flavor).optional().describe('How many ENIs of each type and traffic mode the node should have.'),
});
export type NetworkNodeSpec = z.infer<typeof NetworkNodeSpec>;

export const IPRecord = z.object({
  ip: z.string(),
  primary: z.boolean(),
  status: IPStatus,
  ipName: z.string().optional(),
  podID: z.string().optional().describe('namespace/name of the pod using the IP.'),
  podUID: z.string().optional().describe('UID of that pod, to tell a recreated pod from the old one.'),
  // Beyond Terway's record: what the IPAM needs to survive a restart without reusing a released
  // address too early or reclaiming a fresh one too late.
  releasedAt: Timestamp.optional().describe('When its last pod released it; it cools down before another pod gets it.'),
  idleSince: Timestamp.optional().describe('Since when no pod holds it (idle reclaim counts from here).'),
});
export type IPRecord = z.infer<typeof IPRecord>;

export const NetworkInterface = z.object({
  id: z.string(),
  status: z.string().describe('The ENI status as ECS reports it (Available, Attaching, InUse, Detaching, Deleting).'),
  macAddress: z.string().optional(),
  vSwitchID: z.string().optional(),
  securityGroupIDs: z.array(z.string()).optional(),
  primaryIPAddress: z.string().optional(),
  networkInterfaceTrafficMode: NetworkInterfaceTrafficMode.optional(),
  networkInterfaceType: ENIType.optional(),
  ipv4: z.record(z.string(), IPRecord).optional().describe('IPv4 addresses on the ENI, by address.'),
  ipv6: z.record(z.string(), IPRecord).optional(),
  ipv4CIDR: z.string().optional(),
  ipv6CIDR: z.string().optional(),
  usage: enumOf(['Shared', 'Exclusive']).optional().describe('Shared: secondary IPs for many pods (ENIIP). Exclusive: the whole ENI is one pod\'s.'),
  createdAt: Timestamp.optional().describe('When the IPAM created the ENI.'),
  conditions: z
    .record(z.string(), z.object({ observedTime: Timestamp.optional(), message: z.string().optional() }))
    .optional(),
});
export type NetworkInterface = z.infer<typeof NetworkInterface>;

export const NetworkNodeStatus = z.object({
  nextSyncOpenAPITime: Timestamp.optional(),
  lastSyncOpenAPITime: Timestamp.optional().describe('When the ENIs were last reconciled against the cloud.'),
  networkInterfaces: z.record(z.string(), NetworkInterface).optional().describe('The ENIs of the node, by ENI id.'),
});
export type NetworkNodeStatus = z.infer<typeof NetworkNodeStatus>;

export const NetworkNode = z.object({
  apiVersion: z.literal(NetworkingApiVersion),
  kind: z.literal(NetworkNodeKind),
  metadata: ObjectMeta,
  spec: NetworkNodeSpec.optional(),
  status: NetworkNodeStatus.optional(),
});
export type NetworkNode = z.infer<typeof NetworkNode>;
