// ECSNodeClass, karpenter.k8s.alibabacloud/v1alpha1: how to launch ECS instances. Field names,
// defaults and rules follow the Alibaba Cloud provider (cloudpilot-ai/karpenter-provider-alibabacloud,
// pkg/apis/v1alpha1/ecsnodeclass.go and its CRD), so its ECSNodeClasses apply unchanged. Where we
// deviate, the rule says why.
import { z } from 'zod';
import { celString, enumOf, maxProperties, patternString, validated, type ValidationRule } from './cel.js';
import { Conditions } from './conditions.js';
import { GoDurationPattern } from './duration.js';
import { NodeSelectorRequirement } from './k8s.js';
import { ProviderGroup, ReservedTagKeys } from './labels.js';
import { ObjectMeta } from './meta.js';
import { int32 } from './numbers.js';
import { QuantityPattern } from './quantity.js';

export const ECSNodeClassGroup = ProviderGroup;
export const ECSNodeClassVersion = 'v1alpha1';
export const ECSNodeClassKind = 'ECSNodeClass';
export const ECSNodeClassPlural = 'ecsnodeclasses';
export const ECSNodeClassApiVersion = `${ECSNodeClassGroup}/${ECSNodeClassVersion}` as const;

/** Image families an alias may name. */
export const ImageFamilies = ['AlibabaCloudLinux3', 'ContainerOS'] as const;
export type ImageFamily = (typeof ImageFamilies)[number];

const tagMap = (what: string) =>
  validated(maxProperties(z.record(z.string(), z.string()), 20, 'tags'), [
    { rule: "self.all(k, k != '')", message: "empty tag keys aren't supported", check: (tags) => Object.keys(tags).every((k) => k !== '') },
  ]).describe(`Tags used to select ${what}; '*' as a value selects any value of that key. All tags must match.`);

export const VSwitchSelectorTerm = z.object({
  tags: tagMap('vSwitches').optional(),
  id: patternString('^vsw-[0-9a-z]+$', 'vSwitch id must look like vsw-bp1example', 64).optional().describe('The vSwitch id.'),
});
export type VSwitchSelectorTerm = z.infer<typeof VSwitchSelectorTerm>;

export const SecurityGroupSelectorTerm = z.object({
  tags: tagMap('security groups').optional(),
  id: patternString('^sg-[0-9a-z]+$', 'security group id must look like sg-bp1example', 64)
    .optional()
    .describe('The security group id.'),
  name: z.string().optional().describe('The security group name (its name field, not a Name tag).'),
});
export type SecurityGroupSelectorTerm = z.infer<typeof SecurityGroupSelectorTerm>;

export const ImageSelectorTerm = z.object({
  // Upstream documents "family@version" but its format rule ('^[a-zA-Z0-9]*$') refuses the "@";
  // we accept the documented form.
  alias: validated(z.string().max(30), [
    {
      rule: "self.matches('^[a-zA-Z0-9]+(@[a-zA-Z0-9._-]+)?$')",
      message: "'alias' is improperly formatted, must match the format 'family' or 'family@version'",
      check: (alias) => /^[a-zA-Z0-9]+(@[a-zA-Z0-9._-]+)?$/.test(alias),
    },
    {
      rule: `self.find('^[^@]+') in [${ImageFamilies.map((f) => celString(f)).join(', ')}]`,
      message: `family is not supported, must be one of the following: '${ImageFamilies.join(',')}'`,
      check: (alias) => (ImageFamilies as readonly string[]).includes(/^[^@]+/.exec(alias)?.[0] ?? ''),
    },
  ])
    .optional()
    .describe("An ACK image family and optional version: 'ContainerOS', 'AlibabaCloudLinux3' or 'family@version'."),
  id: z.string().max(128).optional().describe('The image id.'),
});
export type ImageSelectorTerm = z.infer<typeof ImageSelectorTerm>;

// Upstream's mutual-exclusion rules use `self.all(...)`, which lets a bad term through whenever
// another term is fine, contradicting their own messages; we use `exists`.
const vSwitchTermRules: ValidationRule<VSwitchSelectorTerm[]>[] = [
  { rule: 'self.size() != 0', message: 'vSwitchSelectorTerms cannot be empty', check: (s) => s.length !== 0 },
  {
    rule: 'self.all(x, has(x.tags) || has(x.id))',
    message: "expected at least one, got none, ['tags', 'id']",
    check: (s) => s.every((x) => x.tags !== undefined || x.id !== undefined),
  },
  {
    rule: '!self.exists(x, has(x.id) && has(x.tags))',
    message: "'id' is mutually exclusive, cannot be set with a combination of other fields in vSwitchSelectorTerms",
    check: (s) => !s.some((x) => x.id !== undefined && x.tags !== undefined),
  },
];

const securityGroupTermRules: ValidationRule<SecurityGroupSelectorTerm[]>[] = [
  { rule: 'self.size() != 0', message: 'securityGroupSelectorTerms cannot be empty', check: (s) => s.length !== 0 },
  {
    rule: 'self.all(x, has(x.tags) || has(x.id) || has(x.name))',
    message: "expected at least one, got none, ['tags', 'id', 'name']",
    check: (s) => s.every((x) => x.tags !== undefined || x.id !== undefined || x.name !== undefined),
  },
  {
    rule: '!self.exists(x, has(x.id) && (has(x.tags) || has(x.name)))',
    message: "'id' is mutually exclusive, cannot be set with a combination of other fields in securityGroupSelectorTerms",
    check: (s) => !s.some((x) => x.id !== undefined && (x.tags !== undefined || x.name !== undefined)),
  },
  {
    rule: '!self.exists(x, has(x.name) && (has(x.tags) || has(x.id)))',
    message: "'name' is mutually exclusive, cannot be set with a combination of other fields in securityGroupSelectorTerms",
    check: (s) => !s.some((x) => x.name !== undefined && (x.tags !== undefined || x.id !== undefined)),
  },
];

const imageTermRules: ValidationRule<ImageSelectorTerm[]>[] = [
  {
    rule: 'self.all(x, has(x.id) || has(x.alias))',
    message: "expected at least one, got none, ['id', 'alias']",
    check: (s) => s.every((x) => x.id !== undefined || x.alias !== undefined),
  },
  {
    rule: '!self.exists(x, has(x.id) && has(x.alias))',
    message: "'id' is mutually exclusive, cannot be set with a combination of other fields in imageSelectorTerms",
    check: (s) => !s.some((x) => x.id !== undefined && x.alias !== undefined),
  },
  {
    rule: '!(self.exists(x, has(x.alias)) && self.size() != 1)',
    message: "'alias' is mutually exclusive, cannot be set with a combination of other imageSelectorTerms",
    check: (s) => !(s.some((x) => x.alias !== undefined) && s.length !== 1),
  },
];

const EvictionSignals = [
  'memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'pid.available',
] as const;
const ReservedResources = ['cpu', 'memory', 'ephemeral-storage', 'pid'] as const;
const celSignals = `[${EvictionSignals.map((s) => celString(s)).join(',')}]`;

/** An eviction threshold: a percentage ("10%") or a quantity ("500Mi"), as kubelet parses it. */
const EvictionThresholdPattern = `^((\\d{1,2}(\\.\\d{1,2})?|100(\\.0{1,2})?)%|${QuantityPattern.slice(1, -1)})$`;

// Bounds on maps and lists keep the API server's CEL cost estimate within its budget.
const evictionMap = (field: string) =>
  validated(maxProperties(z.record(z.string(), z.string().max(64)), EvictionSignals.length, field), [
    {
      rule: `self.all(x, x in ${celSignals})`,
      message: `valid keys for ${field} are ${celSignals}`,
      check: (m) => Object.keys(m).every((k) => (EvictionSignals as readonly string[]).includes(k)),
    },
    // Upstream accepts any string here; kubelet then refuses to start, so we refuse it at admission.
    {
      rule: `self.all(x, self[x].matches(${celString(EvictionThresholdPattern)}))`,
      message: `${field} values must be a percentage such as 10% or a quantity such as 500Mi`,
      check: (m) => Object.values(m).every((v) => new RegExp(EvictionThresholdPattern).test(v)),
    },
  ]);

const reservedMap = (field: string) =>
  validated(maxProperties(z.record(z.string(), z.string().max(64)), ReservedResources.length, field), [
    {
      rule: "self.all(x, x=='cpu' || x=='memory' || x=='ephemeral-storage' || x=='pid')",
      message: `valid keys for ${field} are ['cpu','memory','ephemeral-storage','pid']`,
      check: (m) => Object.keys(m).every((k) => (ReservedResources as readonly string[]).includes(k)),
    },
    {
      rule: "self.all(x, !self[x].startsWith('-'))",
      message: `${field} value cannot be a negative resource quantity`,
      check: (m) => Object.values(m).every((v) => !v.startsWith('-')),
    },
    // Upstream accepts any string; a value that is not a quantity breaks node bootstrap.
    {
      rule: `self.all(x, self[x].matches(${celString(QuantityPattern)}))`,
      message: `${field} values must be resource quantities such as 100m, 1Gi or 1000`,
      check: (m) => Object.values(m).every((v) => new RegExp(QuantityPattern).test(v)),
    },
  ]);

export const KubeletConfiguration = validated(
  z.object({
    clusterDNS: z.array(z.string()).optional().describe('IP addresses of the cluster DNS server.'),
    maxPods: int32().min(0).optional().describe('Overrides the maximum number of pods a node can run.'),
    podsPerCore: int32().min(0).optional().describe('Pods per CPU core; capped by maxPods.'),
    systemReserved: reservedMap('systemReserved').optional().describe('Resources reserved for OS system daemons.'),
    kubeReserved: reservedMap('kubeReserved').optional().describe('Resources reserved for Kubernetes system components.'),
    evictionHard: evictionMap('evictionHard').optional().describe('Hard eviction thresholds by signal.'),
    evictionSoft: evictionMap('evictionSoft').optional().describe('Soft eviction thresholds by signal.'),
    evictionSoftGracePeriod: validated(
      maxProperties(
        z.record(
          z.string(),
          z.string().max(32).regex(new RegExp(GoDurationPattern), 'evictionSoftGracePeriod values must be durations such as 1m30s'),
        ),
        EvictionSignals.length,
        'evictionSoftGracePeriod',
      ),
      [
        {
          rule: `self.all(x, x in ${celSignals})`,
          message: `valid keys for evictionSoftGracePeriod are ${celSignals}`,
          check: (m) => Object.keys(m).every((k) => (EvictionSignals as readonly string[]).includes(k)),
        },
      ],
    )
      .optional()
      .describe('Grace period for each soft eviction signal.'),
    evictionMaxPodGracePeriod: int32().optional().describe('Maximum pod grace period (seconds) on soft eviction.'),
    imageGCHighThresholdPercent: int32().min(0).max(100).optional(),
    imageGCLowThresholdPercent: int32().min(0).max(100).optional(),
    cpuCFSQuota: z.boolean().optional().describe('Enforce CPU CFS quota for containers with CPU limits.'),
  }),
  [
    {
      rule:
        'has(self.imageGCHighThresholdPercent) && has(self.imageGCLowThresholdPercent) ? self.imageGCHighThresholdPercent > self.imageGCLowThresholdPercent : true',
      message: 'imageGCHighThresholdPercent must be greater than imageGCLowThresholdPercent',
      check: (k) =>
        k.imageGCHighThresholdPercent !== undefined && k.imageGCLowThresholdPercent !== undefined
          ? k.imageGCHighThresholdPercent > k.imageGCLowThresholdPercent
          : true,
    },
    // Upstream's twin rules index a map that may be absent, which fails with a CEL error instead
    // of the message; these test presence first and accept the same objects.
    {
      rule: 'has(self.evictionSoft) ? has(self.evictionSoftGracePeriod) && self.evictionSoft.all(e, e in self.evictionSoftGracePeriod) : true',
      message: 'evictionSoft OwnerKey does not have a matching evictionSoftGracePeriod',
      check: (k) => (k.evictionSoft ? Object.keys(k.evictionSoft).every((e) => e in (k.evictionSoftGracePeriod ?? {})) : true),
    },
    {
      rule: 'has(self.evictionSoftGracePeriod) ? has(self.evictionSoft) && self.evictionSoftGracePeriod.all(e, e in self.evictionSoft) : true',
      message: 'evictionSoftGracePeriod OwnerKey does not have a matching evictionSoft',
      check: (k) =>
        k.evictionSoftGracePeriod ? Object.keys(k.evictionSoftGracePeriod).every((e) => e in (k.evictionSoft ?? {})) : true,
    },
  ],
).describe('Arguments for the kubelet on provisioned nodes (a subset of the upstream KubeletConfiguration).');
export type KubeletConfiguration = z.infer<typeof KubeletConfiguration>;

export const DiskCategory = enumOf(['cloud', 'cloud_efficiency', 'cloud_ssd', 'cloud_essd', 'cloud_auto', 'cloud_essd_entry']);
export type DiskCategory = z.infer<typeof DiskCategory>;

/** A disk size in Gi, G, Ti or T (upstream's pattern, bounded by what ECS allows). */
const VolumeSizePattern =
  '^((?:[1-9][0-9]{0,3}|[1-4][0-9]{4}|[5][0-8][0-9]{3}|59000)Gi|(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|[6][0-3][0-9]{3}|64000)G|([1-9]||[1-5][0-7]|58)Ti|([1-9]||[1-5][0-9]|6[0-3]|64)T)$';
const volumeSize = () =>
  patternString(VolumeSizePattern, 'volumeSize must be a size such as 40Gi, 100G or 1Ti (at most 58Ti)', 16);

export const SystemDisk = z.object({
  categories: z
    .array(DiskCategory)
    .default(['cloud', 'cloud_efficiency', 'cloud_ssd', 'cloud_essd', 'cloud_auto', 'cloud_essd_entry'])
    .describe('Disk categories to try, in order; several maximize the chance an instance type supports one.'),
  size: validated(int32(), [
    // Upstream says only "size invalid" and checks only the lower bound of its documented range.
    {
      rule: 'self >= 20 && self <= 2048',
      message: 'systemDisk.size must be between 20 and 2048 GiB',
      check: (size) => size >= 20 && size <= 2048,
    },
  ])
    .optional()
    .describe('System disk size in GiB (20 to 2048; 20 to 500 for category cloud).'),
  performanceLevel: enumOf(['PL0', 'PL1', 'PL2', 'PL3'])
    .default('PL0')
    .describe('ESSD performance level.'),
  volumeSize: volumeSize().optional().describe('System disk size as a quantity (Gi, G, Ti or T).'),
});
export type SystemDisk = z.infer<typeof SystemDisk>;

export const DataDisk = z.object({
  device: z.string().optional().describe('Mount point of the data disk.'),
  volumeSize: volumeSize().default('20Gi').describe('Size in Gi, G, Ti or T.'),
});
export type DataDisk = z.infer<typeof DataDisk>;

/** Tag keys the provider reserves upstream, plus the ones this operator owns for garbage collection. */
const RestrictedTagKeys = [
  ...new Set([
    'ecs:ecs-cluster-name', 'karpenter.sh/nodepool', 'karpenter.sh/nodeclaim', 'karpenter.k8s.alibabacloud/ecsnodeclass',
    ...ReservedTagKeys,
  ]),
];

const tagRules: ValidationRule<Record<string, string>>[] = [
  { rule: "self.all(k, k != '')", message: "empty tag keys aren't supported", check: (t) => Object.keys(t).every((k) => k !== '') },
  {
    rule: "self.all(k, !k.startsWith('kubernetes.io/cluster'))",
    message: 'tag contains a restricted tag matching kubernetes.io/cluster/',
    check: (t) => Object.keys(t).every((k) => !k.startsWith('kubernetes.io/cluster')),
  },
  ...RestrictedTagKeys.map((key) => ({
    rule: `self.all(k, k != ${celString(key)})`,
    message: `tag contains a restricted tag matching ${key}`,
    check: (t: Record<string, string>) => Object.keys(t).every((k) => k !== key),
  })),
  // Not in upstream: ECS refuses these prefixes when tagging, which would fail every launch.
  {
    rule: "self.all(k, !k.startsWith('aliyun') && !k.startsWith('acs:'))",
    message: "tag keys may not start with 'aliyun' or 'acs:' (reserved by Alibaba Cloud)",
    check: (t) => Object.keys(t).every((k) => !k.startsWith('aliyun') && !k.startsWith('acs:')),
  },
];

export const ECSNodeClassSpec = validated(
  z.object({
    vSwitchSelectorTerms: validated(z.array(VSwitchSelectorTerm).max(30), vSwitchTermRules).describe(
      'Selector terms for the vSwitches nodes launch into; terms are ORed.',
    ),
    vSwitchSelectionPolicy: enumOf(['balanced', 'cheapest'])
      .default('cheapest')
      .describe('How to pick among the selected vSwitches.'),
    securityGroupSelectorTerms: validated(z.array(SecurityGroupSelectorTerm).max(30), securityGroupTermRules).describe(
      'Selector terms for the security groups nodes join; terms are ORed.',
    ),
    imageSelectorTerms: validated(z.array(ImageSelectorTerm).min(1).max(30), imageTermRules).describe(
      'Selector terms for the node image: one alias, or image ids; terms are ORed.',
    ),
    kubeletConfiguration: KubeletConfiguration.optional(),
    systemDisk: SystemDisk.optional().describe('The system disk of provisioned nodes.'),
    dataDisks: z.array(DataDisk).max(16).optional().describe('Data disks attached to provisioned nodes (ECS allows 16).'),
    dataDiskCategories: z.array(DiskCategory).optional().describe('Disk categories to try for data disks, in order.'),
    formatDataDisk: z
      .boolean()
      .default(false)
      .describe('Format the last data disk as ext4 and mount it at /var/lib/containerd and /var/lib/kubelet.'),
    keyPairName: patternString('^[A-Za-z][A-Za-z\\d._:-]{1,127}$', 'keyPairName must be a valid ECS key pair name', 128)
      .optional()
      .describe('Key pair for root login.'),
    password: z
      .string()
      .regex(/^[A-Za-z\d~!@#$%^&*()_+\-=[\]{}|\\:;"'<>,.?/]{8,30}$/, 'password must be 8 to 30 characters')
      .optional()
      .describe('Root password.'),
    passwordInherit: z.boolean().default(false).describe("Use the image's preset password."),
    tags: validated(z.record(z.string(), z.string()), tagRules)
      .optional()
      .describe('Tags applied to the instances (and their disks and ENIs).'),
    resourceGroupId: patternString('^rg-[0-9a-z]+$', 'resourceGroupId must look like rg-acfmexample', 64)
      .optional()
      .describe('The resource group instances are created in.'),
    userData: z.string().optional().describe('Shell script run on the node before it joins the cluster.'),
  }),
  [
    {
      rule: '!(has(self.passwordInherit) ? (self.passwordInherit ? has(self.password) : false) : false)',
      message: 'password cannot be set when passwordInherit is true',
      check: (s) => !(s.passwordInherit && s.password !== undefined),
    },
  ],
).describe('How to launch ECS instances for the NodePools that reference this class.');
export type ECSNodeClassSpec = z.infer<typeof ECSNodeClassSpec>;

export const ResolvedVSwitch = z.object({
  id: z.string().describe('ID of the vSwitch'),
  zoneID: z.string().describe('The availability zone of the vSwitch'),
  availableIPAddressCount: z.number().int().min(0).optional().describe('Free private IPs in the vSwitch when last resolved.'),
});
export const ResolvedSecurityGroup = z.object({
  id: z.string().describe('ID of the security group'),
  name: z.string().optional().describe('Name of the security group'),
});
export const ResolvedImage = z.object({
  id: z.string().describe('ID of the image'),
  name: z.string().optional().describe('Name of the image'),
  requirements: z.array(NodeSelectorRequirement).describe('Requirements an instance type must meet to use the image.'),
});

export const ECSNodeClassStatus = z.object({
  vSwitches: z.array(ResolvedVSwitch).optional().describe('The vSwitches the selector terms resolve to.'),
  securityGroups: z.array(ResolvedSecurityGroup).optional().describe('The security groups the selector terms resolve to.'),
  images: z.array(ResolvedImage).optional().describe('The images the selector terms resolve to.'),
  conditions: Conditions.optional(),
});
export type ECSNodeClassStatus = z.infer<typeof ECSNodeClassStatus>;

export const ECSNodeClass = z.object({
  apiVersion: z.literal(ECSNodeClassApiVersion),
  kind: z.literal(ECSNodeClassKind),
  metadata: ObjectMeta,
  spec: ECSNodeClassSpec,
  status: ECSNodeClassStatus.optional(),
});
export type ECSNodeClass = z.infer<typeof ECSNodeClass>;

/** The image family and version an alias names ("ContainerOS@1.2" → { family, version }). */
export function parseImageAlias(alias: string): { family: ImageFamily; version?: string } {
  const [family = '', version] = alias.split('@', 2);
  if (!(ImageFamilies as readonly string[]).includes(family)) {
    throw new Error(`unsupported image family ${JSON.stringify(family)} in alias ${JSON.stringify(alias)}`);
  }
  return version === undefined ? { family: family as ImageFamily } : { family: family as ImageFamily, version };
}
