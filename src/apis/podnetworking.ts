// PodNetworking, network.alibabacloud.com/v1beta1: a network plane (vSwitches, security groups,
// ENI type, IP allocation) for the pods its selectors match. Fields and defaults follow Terway
// (AliyunContainerService/terway, pkg/apis/network.alibabacloud.com/v1beta1/types.go); the
// admission rules carry what Terway's validating webhook and docs require.
import { z } from 'zod';
import { enumOf, celString, patternString, validated, type ValidationRule } from './cel.js';
import { GoDurationPattern } from './duration.js';
import { LabelSelector } from './k8s.js';
import { NetworkingGroup } from './labels.js';
import { ObjectMeta, Timestamp } from './meta.js';

export const NetworkingVersion = 'v1beta1';
export const NetworkingApiVersion = `${NetworkingGroup}/${NetworkingVersion}` as const;
export const PodNetworkingKind = 'PodNetworking';
export const PodNetworkingPlural = 'podnetworkings';

export const IPAllocType = enumOf(['Elastic', 'Fixed']);
export type IPAllocType = z.infer<typeof IPAllocType>;
export const ReleaseStrategy = enumOf(['TTL', 'Never']);
export type ReleaseStrategy = z.infer<typeof ReleaseStrategy>;
export const ENIAttachType = enumOf(['Default', 'ENI', 'Trunk']);
export type ENIAttachType = z.infer<typeof ENIAttachType>;
export const VSwitchSelectionPolicy = enumOf(['ordered', 'random', 'most']);
export type VSwitchSelectionPolicy = z.infer<typeof VSwitchSelectionPolicy>;

/** How a pod's IP is allocated and, for fixed IPs, when it is released after the pod is gone. */
export const AllocationTypeFields = z.object({
  type: IPAllocType.default('Elastic').describe(
    'Elastic: the IP is released with the pod. Fixed: a StatefulSet pod keeps its IP across restarts.',
  ),
  releaseStrategy: ReleaseStrategy.optional().describe(
    'For Fixed: TTL releases the IP releaseAfter the pod is deleted; Never keeps it until the PodNetworking is removed.',
  ),
  releaseAfter: z
    .string()
    .max(32)
    .optional()
    .describe('For releaseStrategy TTL: how long after the pod is deleted its IP is released, as a Go duration (5m0s).'),
});
export type AllocationType = z.infer<typeof AllocationTypeFields>;

const allocationRules: ValidationRule<AllocationType>[] = [
  {
    rule: "has(self.releaseStrategy) && self.releaseStrategy == 'TTL' ? has(self.releaseAfter) : true",
    message: 'releaseStrategy TTL requires releaseAfter, the time to keep the IP after the pod is deleted (e.g. 5m0s)',
    fieldPath: '.releaseAfter',
    reason: 'FieldValueRequired',
    check: (a) => (a.releaseStrategy === 'TTL' ? a.releaseAfter !== undefined : true),
  },
  {
    rule: "has(self.releaseStrategy) && self.releaseStrategy == 'Never' ? !has(self.releaseAfter) : true",
    message: 'releaseAfter cannot be set with releaseStrategy Never, which keeps the IP until the PodNetworking is deleted',
    fieldPath: '.releaseAfter',
    reason: 'FieldValueForbidden',
    check: (a) => (a.releaseStrategy === 'Never' ? a.releaseAfter === undefined : true),
  },
  {
    rule: "has(self.releaseAfter) ? has(self.releaseStrategy) && self.releaseStrategy == 'TTL' : true",
    message: 'releaseAfter applies only with releaseStrategy TTL',
    fieldPath: '.releaseAfter',
    reason: 'FieldValueForbidden',
    check: (a) => (a.releaseAfter !== undefined ? a.releaseStrategy === 'TTL' : true),
  },
  {
    rule: "has(self.releaseStrategy) ? self.type == 'Fixed' : true",
    message: 'releaseStrategy applies only to type Fixed; Elastic IPs are released with their pod',
    fieldPath: '.releaseStrategy',
    reason: 'FieldValueForbidden',
    check: (a) => (a.releaseStrategy !== undefined ? a.type === 'Fixed' : true),
  },
  {
    rule: `has(self.releaseAfter) ? self.releaseAfter.matches(${celString(GoDurationPattern)}) : true`,
    message: 'releaseAfter must be a Go duration such as 5m0s, 30m or 1h',
    fieldPath: '.releaseAfter',
    check: (a) => (a.releaseAfter !== undefined ? new RegExp(GoDurationPattern).test(a.releaseAfter) : true),
  },
];
export const AllocationTypeSchema = validated(AllocationTypeFields, allocationRules).describe(
  'AllocationType ip type and release strategy',
);

export const PodNetworkingSelector = z.object({
  podSelector: LabelSelector.optional().describe("Matches pods' labels."),
  namespaceSelector: LabelSelector.optional().describe("Matches the labels of the pods' namespace."),
});
export type PodNetworkingSelector = z.infer<typeof PodNetworkingSelector>;

export const PodNetworkingSpec = validated(
  z.object({
    eniOptions: z
      .object({
        eniType: ENIAttachType.default('Default').describe(
          'Default follows the cluster configuration; ENI gives each pod an exclusive ENI; Trunk a member ENI of the trunk.',
        ),
      })
      .prefault({ eniType: 'Default' }),
    allocationType: AllocationTypeSchema.optional(),
    selector: PodNetworkingSelector.optional().describe(
      'Pods matching podSelector, in namespaces matching namespaceSelector, use this network plane. Both given: both must match.',
    ),
    securityGroupIDs: validated(
      // Terway's webhook: an ENI takes at most 5 security groups. (The API server's own "Too many"
      // message is clear, and a CEL twin would not run after it.)
      z.array(patternString('^sg-[0-9a-z]+$', 'security group ids look like sg-bp1example', 64)).max(5, {
        error: 'securityGroupIDs can list at most 5 security groups',
      }),
      [
        {
          rule: 'self.size() != 0',
          message: "securityGroupIDs cannot be empty; omit it to use the cluster's default security groups",
          check: (ids) => ids.length !== 0,
        },
      ],
    )
      .optional()
      .describe("Security groups for the pods' ENIs (1 to 5); the cluster default when omitted."),
    vSwitchOptions: validated(z.array(patternString('^vsw-[0-9a-z]+$', 'vSwitch ids look like vsw-bp1example', 64)).max(100), [
      {
        rule: 'self.size() != 0',
        message: "vSwitchOptions cannot be empty; omit it to use the cluster's default vSwitches",
        check: (ids) => ids.length !== 0,
      },
    ])
      .optional()
      .describe("vSwitches the pods' IPs may come from; the cluster default when omitted."),
    vSwitchSelectOptions: z
      .object({
        vSwitchSelectionPolicy: VSwitchSelectionPolicy.default('ordered').describe(
          'ordered: first vSwitch with free IPs; random: any; most: the one with the most free IPs.',
        ),
      })
      .prefault({ vSwitchSelectionPolicy: 'ordered' }),
  }),
  [
    // Terway's webhook refuses a PodNetworking that selects nothing.
    {
      rule: 'has(self.selector) && (has(self.selector.podSelector) || has(self.selector.namespaceSelector))',
      message: 'selector must set podSelector, namespaceSelector, or both',
      fieldPath: '.selector',
      reason: 'FieldValueRequired',
      check: (s) => s.selector?.podSelector !== undefined || s.selector?.namespaceSelector !== undefined,
    },
  ],
).describe('PodNetworkingSpec defines the desired state of PodNetworking');
export type PodNetworkingSpec = z.infer<typeof PodNetworkingSpec>;

export const NetworkingStatus = enumOf(['Ready', 'Fail']);
export type NetworkingStatus = z.infer<typeof NetworkingStatus>;

export const PodNetworkingStatus = z.object({
  status: NetworkingStatus.optional().describe('Ready once the vSwitches and security groups are resolved; Fail otherwise.'),
  vSwitches: z
    .array(z.object({ id: z.string().optional(), zone: z.string().optional() }))
    .optional()
    .describe('The resolved vSwitches and their zones.'),
  updateAt: Timestamp.optional().describe('When the status was last updated.'),
  message: z.string().optional().describe('Why the status is Fail.'),
});
export type PodNetworkingStatus = z.infer<typeof PodNetworkingStatus>;

export const PodNetworking = z.object({
  apiVersion: z.literal(NetworkingApiVersion),
  kind: z.literal(PodNetworkingKind),
  metadata: ObjectMeta,
  spec: PodNetworkingSpec,
  status: PodNetworkingStatus.optional(),
});
export type PodNetworking = z.infer<typeof PodNetworking>;
