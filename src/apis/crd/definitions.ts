// The CRDs this operator serves: names, scope, printer columns and the zod schema each one is
// generated from (hack/gen-crds.ts). Printer columns follow upstream where it has them.
import type { z } from 'zod';
import { ECSNodeClass, ECSNodeClassGroup, ECSNodeClassKind, ECSNodeClassPlural, ECSNodeClassVersion } from '../ecsnodeclass.js';
import { NetworkNode, NetworkNodeKind, NetworkNodePlural } from '../networknode.js';
import { NodeClaim, NodeClaimKind, NodeClaimPlural } from '../nodeclaim.js';
import { KarpenterGroup, KarpenterVersion, NodePool, NodePoolKind, NodePoolPlural } from '../nodepool.js';
import { PodENI, PodENIKind, PodENIPlural } from '../podeni.js';
import { NetworkingVersion, PodNetworking, PodNetworkingKind, PodNetworkingPlural } from '../podnetworking.js';
import { NetworkingGroup } from '../labels.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  priority?: number;
  description?: string;
}

export interface CrdDefinition {
  group: string;
  version: string;
  kind: string;
  plural: string;
  scope: 'Cluster' | 'Namespaced';
  description: string;
  schema: z.ZodType;
  printerColumns: PrinterColumn[];
  shortNames?: string[];
  categories?: string[];
}

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const ready: PrinterColumn = { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' };

export const CrdDefinitions: readonly CrdDefinition[] = [
  {
    group: KarpenterGroup,
    version: KarpenterVersion,
    kind: NodePoolKind,
    plural: NodePoolPlural,
    scope: 'Cluster',
    description: 'NodePool is the Schema for the NodePools API',
    schema: NodePool,
    categories: ['karpenter'],
    printerColumns: [
      { name: 'NodeClass', type: 'string', jsonPath: '.spec.template.spec.nodeClassRef.name' },
      { name: 'Nodes', type: 'string', jsonPath: '.status.resources.nodes' },
      ready,
      age,
      { name: 'Weight', type: 'integer', jsonPath: '.spec.weight', priority: 1 },
      { name: 'CPU', type: 'string', jsonPath: '.status.resources.cpu', priority: 1 },
      { name: 'Memory', type: 'string', jsonPath: '.status.resources.memory', priority: 1 },
    ],
  },
  {
    group: KarpenterGroup,
    version: KarpenterVersion,
    kind: NodeClaimKind,
    plural: NodeClaimPlural,
    scope: 'Cluster',
    description: 'NodeClaim is the Schema for the NodeClaims API',
    schema: NodeClaim,
    categories: ['karpenter'],
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.metadata.labels.node\\.kubernetes\\.io/instance-type' },
      { name: 'Capacity', type: 'string', jsonPath: '.metadata.labels.karpenter\\.sh/capacity-type' },
      { name: 'Zone', type: 'string', jsonPath: '.metadata.labels.topology\\.kubernetes\\.io/zone' },
      { name: 'Node', type: 'string', jsonPath: '.status.nodeName' },
      ready,
      age,
      { name: 'ProviderID', type: 'string', jsonPath: '.status.providerID' },
      { name: 'ImageID', type: 'string', jsonPath: '.status.imageID', priority: 1 },
      { name: 'NodePool', type: 'string', jsonPath: '.metadata.labels.karpenter\\.sh/nodepool', priority: 1 },
      { name: 'NodeClass', type: 'string', jsonPath: '.spec.nodeClassRef.name', priority: 1 },
      { name: 'Drifted', type: 'string', jsonPath: '.status.conditions[?(@.type=="Drifted")].status', priority: 1 },
    ],
  },
  {
    group: ECSNodeClassGroup,
    version: ECSNodeClassVersion,
    kind: ECSNodeClassKind,
    plural: ECSNodeClassPlural,
    scope: 'Cluster',
    description: 'ECSNodeClass is the Schema for the ECSNodeClass API',
    schema: ECSNodeClass,
    shortNames: ['ecsnc', 'ecsncs'],
    categories: ['karpenter'],
    printerColumns: [
      ready,
      age,
      { name: 'VSwitches', type: 'string', jsonPath: '.status.vSwitches[*].id', priority: 1 },
      { name: 'Images', type: 'string', jsonPath: '.status.images[*].id', priority: 1 },
    ],
  },
  {
    group: NetworkingGroup,
    version: NetworkingVersion,
    kind: PodNetworkingKind,
    plural: PodNetworkingPlural,
    scope: 'Cluster',
    description: 'PodNetworking is the Schema for the PodNetworking API',
    schema: PodNetworking,
    printerColumns: [
      { name: 'Status', type: 'string', jsonPath: '.status.status' },
      { name: 'ENIType', type: 'string', jsonPath: '.spec.eniOptions.eniType' },
      { name: 'Allocation', type: 'string', jsonPath: '.spec.allocationType.type' },
      age,
      { name: 'VSwitches', type: 'string', jsonPath: '.status.vSwitches[*].id', priority: 1 },
      { name: 'Message', type: 'string', jsonPath: '.status.message', priority: 1 },
    ],
  },
  {
    group: NetworkingGroup,
    version: NetworkingVersion,
    kind: PodENIKind,
    plural: PodENIPlural,
    scope: 'Namespaced',
    description: "PodENI is the IPAM's record of a pod's ENI and IP, named after the pod",
    schema: PodENI,
    printerColumns: [
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'IP', type: 'string', jsonPath: '.spec.allocations[*].ipv4' },
      { name: 'ENI', type: 'string', jsonPath: '.spec.allocations[*].eni.id' },
      { name: 'Instance', type: 'string', jsonPath: '.status.instanceID' },
      age,
    ],
  },
  {
    group: NetworkingGroup,
    version: NetworkingVersion,
    kind: NetworkNodeKind,
    plural: NetworkNodePlural,
    scope: 'Cluster',
    description: "Node is the IPAM's record of a Kubernetes node's ENIs and IPs, named after the node",
    schema: NetworkNode,
    printerColumns: [
      { name: 'InstanceType', type: 'string', jsonPath: '.spec.nodeMetadata.instanceType' },
      { name: 'Zone', type: 'string', jsonPath: '.spec.nodeMetadata.zoneID' },
      { name: 'Instance', type: 'string', jsonPath: '.spec.nodeMetadata.instanceID' },
      age,
      { name: 'LastSync', type: 'date', jsonPath: '.status.lastSyncOpenAPITime', priority: 1 },
    ],
  },
];
