// PodENI, network.alibabacloud.com/v1beta1: the IPAM's record of one pod's ENI and IP, named
// after the pod and kept in its namespace, so an allocation survives an operator restart and a
// fixed IP survives its pod. Field names follow Terway's PodENI
// (pkg/apis/network.alibabacloud.com/v1beta1/types.go); the IPAM owns these objects.
import { z } from 'zod';
import { enumOf } from './cel.js';
import { NetworkingApiVersion } from './podnetworking.js';
import { AllocationTypeSchema } from './podnetworking.js';
import { ObjectMeta, Timestamp } from './meta.js';

export const PodENIKind = 'PodENI';
export const PodENIPlural = 'podenis';

export const ENIType = enumOf(['Primary', 'Secondary', 'Trunk', 'Member']);
export type ENIType = z.infer<typeof ENIType>;

export const PodENIAllocationENI = z.object({
  id: z.string().optional().describe('The ENI id.'),
  vpcID: z.string().optional(),
  mac: z.string().optional(),
  zone: z.string().optional(),
  vSwitchID: z.string().optional(),
  resourceGroupID: z.string().optional(),
  securityGroupIDs: z.array(z.string()).optional(),
  attachmentOptions: z
    .object({ trunk: z.boolean().optional().describe('Attached as a member of the trunk ENI.') })
    .optional(),
});
export type PodENIAllocationENI = z.infer<typeof PodENIAllocationENI>;

export const PodENIAllocation = z.object({
  allocationType: AllocationTypeSchema.optional(),
  eni: PodENIAllocationENI.optional(),
  ipv4: z.string().optional(),
  ipv6: z.string().optional(),
  ipv4CIDR: z.string().optional(),
  ipv6CIDR: z.string().optional(),
  interface: z.string().optional().describe('The interface name inside the pod.'),
  defaultRoute: z.boolean().optional(),
  extraRoutes: z.array(z.object({ dst: z.string().optional() })).optional(),
  extraConfig: z.record(z.string(), z.string()).optional(),
});
export type PodENIAllocation = z.infer<typeof PodENIAllocation>;

/**
 * Binding phases. Terway leaves the phase empty while initial (its ENIPhaseInitial is "" and the
 * field is omitempty); we also accept "Initial" so the state can be written out explicitly.
 */
export const PodENIPhase = enumOf(['Initial', 'Bind', 'Binding', 'Unbind', 'Detaching', 'Deleting']);
export type PodENIPhase = z.infer<typeof PodENIPhase>;

export const ENIBindStatus = enumOf(['Bind', 'Unbind', 'Deleted']);
export type ENIBindStatus = z.infer<typeof ENIBindStatus>;

export const ENIInfo = z.object({
  id: z.string().optional(),
  type: ENIType.optional(),
  vid: z.number().int().optional().describe('VLAN id of a trunk member.'),
  status: ENIBindStatus.optional(),
  networkCardIndex: z.number().int().optional(),
});
export type ENIInfo = z.infer<typeof ENIInfo>;

export const PodENISpec = z.object({
  allocations: z.array(PodENIAllocation).max(16).optional().describe('The ENIs and IPs allocated to the pod.'),
  zone: z.string().optional().describe('The zone of the allocation; a fixed IP pins its pod to it.'),
});
export type PodENISpec = z.infer<typeof PodENISpec>;

export const PodENIStatus = z.object({
  phase: PodENIPhase.optional().describe('Where the ENI binding is; absent means Initial.'),
  instanceID: z.string().optional().describe('The ECS instance the ENI is attached to.'),
  trunkENIID: z.string().optional().describe('The trunk ENI, for member ENIs.'),
  msg: z.string().optional(),
  podLastSeen: Timestamp.optional().describe('When the pod was last seen; TTL release counts from here.'),
  eniInfos: z.record(z.string(), ENIInfo).optional().describe('The attached ENIs, by ENI id.'),
});
export type PodENIStatus = z.infer<typeof PodENIStatus>;

export const PodENI = z.object({
  apiVersion: z.literal(NetworkingApiVersion),
  kind: z.literal(PodENIKind),
  metadata: ObjectMeta,
  spec: PodENISpec.optional(),
  status: PodENIStatus.optional(),
});
export type PodENI = z.infer<typeof PodENI>;
