// NodeClaim, karpenter.sh/v1: one requested node, as upstream Karpenter v1 defines it
// (pkg/apis/v1/nodeclaim.go). Written by the provisioner; the spec is immutable once created.
import { z } from 'zod';
import { patternString, validated } from './cel.js';
import { Conditions } from './conditions.js';
import { Taint, requirementsList } from './k8s.js';
import { ObjectMeta, Timestamp } from './meta.js';
import { KarpenterGroup, KarpenterVersion, NillableDurationPattern, NodeClassReference } from './nodepool.js';
import { ResourceList } from './quantity.js';

export const NodeClaimKind = 'NodeClaim';
export const NodeClaimPlural = 'nodeclaims';
export const NodeClaimApiVersion = `${KarpenterGroup}/${KarpenterVersion}` as const;

export const NodeClaimSpec = validated(
  z.object({
    taints: z.array(Taint).optional().describe("Taints will be applied to the NodeClaim's node."),
    startupTaints: z
      .array(Taint)
      .optional()
      .describe('Taints applied to the node upon startup which are expected to be removed by a DaemonSet that tolerates them.'),
    requirements: requirementsList(false),
    resources: z
      .object({
        requests: ResourceList.optional().describe('The minimum resources the NodeClaim needs to launch.'),
      })
      .optional()
      .describe('The resource requirements for the NodeClaim to launch.'),
    nodeClassRef: NodeClassReference,
    terminationGracePeriod: patternString(
      '^([0-9]+(s|m|h))+$',
      'terminationGracePeriod must be a duration such as 30s, 5m or 1h30m',
      64,
    )
      .optional()
      .describe('The maximum duration the controller waits before forcefully deleting the pods on the node.'),
    expireAfter: patternString(
      NillableDurationPattern,
      'expireAfter must be a duration such as 30s, 5m or 1h30m, or Never',
      64,
    )
      .default('720h')
      .describe('The duration after which the node is replaced, measured from its creation; Never to disable.'),
  }),
  [{ rule: 'self == oldSelf', message: 'spec is immutable' }],
).describe('NodeClaimSpec describes the desired state of the NodeClaim');
export type NodeClaimSpec = z.infer<typeof NodeClaimSpec>;

export const NodeClaimStatus = z.object({
  nodeName: z.string().optional().describe('The name of the corresponding Node.'),
  providerID: z.string().optional().describe('The provider ID of the corresponding node: <regionId>.<instanceId>.'),
  imageID: z.string().optional().describe('The image that runs on the node.'),
  capacity: ResourceList.optional().describe('The estimated full capacity of the node.'),
  allocatable: ResourceList.optional().describe('The estimated allocatable capacity of the node.'),
  conditions: Conditions.optional(),
  lastPodEventTime: Timestamp.optional().describe('The last time a pod was scheduled to or removed from the node.'),
});
export type NodeClaimStatus = z.infer<typeof NodeClaimStatus>;

export const NodeClaim = z.object({
  apiVersion: z.literal(NodeClaimApiVersion),
  kind: z.literal(NodeClaimKind),
  metadata: ObjectMeta,
  spec: NodeClaimSpec,
  status: NodeClaimStatus.optional(),
});
export type NodeClaim = z.infer<typeof NodeClaim>;
