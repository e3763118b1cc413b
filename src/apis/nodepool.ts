// NodePool, karpenter.sh/v1: the fields, defaults and admission rules of upstream Karpenter v1
// (https://github.com/kubernetes-sigs/karpenter, pkg/apis/v1/nodepool.go), so NodePools written
// for Karpenter apply unchanged.
import { z } from 'zod';
import { enumOf, maxProperties, patternString, validated } from './cel.js';
import { Conditions } from './conditions.js';
import { LabelValuePattern, Taint, requirementsList, restrictedLabelRules } from './k8s.js';
import {
  LabelInstanceCategory, LabelInstanceCPU, LabelInstanceENIQuantity, LabelInstanceFamily, LabelInstanceGeneration,
  LabelInstanceGPUCount, LabelInstanceGPUManufacturer, LabelInstanceGPUMemory, LabelInstanceGPUName, LabelInstanceMemory,
  ProviderGroup,
} from './labels.js';
import { ObjectMeta } from './meta.js';
import { int32, int64 } from './numbers.js';
import { ResourceList } from './quantity.js';

export const KarpenterGroup = 'karpenter.sh';
export const KarpenterVersion = 'v1';
export const NodePoolKind = 'NodePool';
export const NodePoolPlural = 'nodepools';
export const NodePoolApiVersion = `${KarpenterGroup}/${KarpenterVersion}` as const;

/** A duration Karpenter accepts for consolidateAfter and expireAfter: "30s", "1h30m", or "Never". */
export const NillableDurationPattern = '^(([0-9]+(s|m|h))+|Never)$';
const nillableDuration = (field: string) =>
  patternString(NillableDurationPattern, `${field} must be a duration such as 30s, 5m or 1h30m, or Never`, 64);

/** Provider labels Karpenter derives from the instance type; a NodePool may not pin them as labels. */
const ProviderInstanceLabels = [
  LabelInstanceFamily, LabelInstanceCategory, LabelInstanceGeneration, LabelInstanceCPU, LabelInstanceMemory,
  LabelInstanceGPUCount, LabelInstanceGPUName, LabelInstanceGPUManufacturer, LabelInstanceGPUMemory, LabelInstanceENIQuantity,
];

const templateLabelRules = [
  ...restrictedLabelRules('x', true).map(({ rule, message, allows }) => ({
    rule: `self.all(x, ${rule})`,
    message,
    check: (labels: Record<string, string>) => Object.keys(labels).every(allows),
  })),
  {
    rule: `self.all(x, x in [${ProviderInstanceLabels.map((l) => JSON.stringify(l)).join(', ')}] || !x.find("^([^/]+)").endsWith(${JSON.stringify(ProviderGroup)}))`,
    message: `label domain "${ProviderGroup}" is restricted`,
    check: (labels: Record<string, string>) =>
      Object.keys(labels).every(
        (key) => ProviderInstanceLabels.includes(key) || !(/^([^/]+)/.exec(key)?.[1] ?? '').endsWith(ProviderGroup),
      ),
  },
];

export const NodeClaimTemplateMetadata = z.object({
  labels: validated(
    maxProperties(
      z.record(z.string(), z.string().max(63).regex(new RegExp(LabelValuePattern), 'label values must be valid label values')),
      100,
      'labels',
    ),
    templateLabelRules,
  )
    .optional()
    .describe('Labels applied to every node launched from this NodePool.'),
  annotations: z
    .record(z.string(), z.string())
    .optional()
    .describe('Annotations applied to every node launched from this NodePool.'),
});

const nonEmpty = (field: string) => ({
  rule: "self != ''",
  message: `${field} may not be empty`,
  check: (self: string) => self !== '',
});

export const NodeClassReference = z
  .object({
    group: validated(
      z.string().regex(/^[^/]*$/, 'group must be an API group without a version, such as karpenter.k8s.alibabacloud'),
      [nonEmpty('group')],
    ).describe('API Group of the referent'),
    kind: validated(z.string(), [nonEmpty('kind')]).describe('Kind of the referent'),
    name: validated(z.string(), [nonEmpty('name')]).describe('Name of the referent'),
  })
  .describe('NodeClassRef is a reference to an object that defines provider specific configuration');
export type NodeClassReference = z.infer<typeof NodeClassReference>;

const terminationGracePeriod = patternString(
  '^([0-9]+(s|m|h))+$',
  'terminationGracePeriod must be a duration such as 30s, 5m or 1h30m',
  64,
).describe(
  'The maximum duration the controller waits before forcefully deleting the pods on a node, measured from when deletion is first initiated.',
);

/** The NodeClaim spec as a NodePool templates it (no resource requests). */
export const NodeClaimTemplateSpec = z.object({
  taints: z.array(Taint).optional().describe("Taints will be applied to the NodeClaim's node."),
  startupTaints: z
    .array(Taint)
    .optional()
    .describe('Taints applied to nodes upon startup which are expected to be removed by a DaemonSet that tolerates them.'),
  requirements: requirementsList(true),
  nodeClassRef: validated(NodeClassReference, [
    { rule: 'self.group == oldSelf.group', message: 'nodeClassRef.group is immutable' },
    { rule: 'self.kind == oldSelf.kind', message: 'nodeClassRef.kind is immutable' },
  ]),
  terminationGracePeriod: terminationGracePeriod.optional(),
  expireAfter: nillableDuration('expireAfter')
    .default('720h')
    .describe('The duration after which a node is replaced, measured from its creation; Never to disable.'),
});

export const NodeClaimTemplate = z.object({
  metadata: NodeClaimTemplateMetadata.optional(),
  spec: NodeClaimTemplateSpec,
});

export const DisruptionReason = enumOf(['Underutilized', 'Empty', 'Drifted']);
export type DisruptionReason = z.infer<typeof DisruptionReason>;

export const Budget = z.object({
  reasons: z
    .array(DisruptionReason)
    .max(50)
    .optional()
    .describe('Disruption methods this budget applies to; all methods when unset.'),
  nodes: patternString(
    '^((100|[0-9]{1,2})%|[0-9]+)$',
    'nodes must be a number of nodes such as 5, or a percentage from 0% to 100%',
    16,
  )
    .default('10%')
    .describe('The maximum number of NodeClaims owned by this NodePool that can be terminating at once.'),
  schedule: patternString(
    '^(@(annually|yearly|monthly|weekly|daily|midnight|hourly))|((.+)\\s(.+)\\s(.+)\\s(.+)\\s(.+))$',
    'schedule must be a cron expression with five fields, such as "0 9 * * mon-fri", or a macro such as @daily',
    128,
  )
    .optional()
    .describe('When the budget begins being active, in cron syntax (UTC).'),
  duration: patternString(
    '^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$',
    'duration must be hours and/or minutes, such as 30m, 8h or 1h30m',
    32,
  )
    .optional()
    .describe('How long the budget is active after each schedule hit.'),
});
export type Budget = z.infer<typeof Budget>;

export const ConsolidationPolicy = enumOf(['WhenEmpty', 'WhenEmptyOrUnderutilized']);
export type ConsolidationPolicy = z.infer<typeof ConsolidationPolicy>;

export const Disruption = z.object({
  consolidateAfter: nillableDuration('consolidateAfter').describe(
    'How long a node must be empty or underutilized before Karpenter consolidates it; Never to disable.',
  ),
  consolidationPolicy: ConsolidationPolicy.default('WhenEmptyOrUnderutilized').describe(
    'Which nodes Karpenter may consolidate.',
  ),
  budgets: validated(z.array(Budget).max(50), [
    {
      rule: 'self.all(x, has(x.schedule) == has(x.duration))',
      message: "'schedule' must be set with 'duration'",
      check: (self) => self.every((budget) => (budget.schedule === undefined) === (budget.duration === undefined)),
    },
  ])
    .default([{ nodes: '10%' }])
    .describe('Budgets limit how many nodes may be disrupted at once; the most restrictive active budget wins.'),
});
export type Disruption = z.infer<typeof Disruption>;

export const NodePoolSpec = z.object({
  template: NodeClaimTemplate,
  disruption: Disruption.prefault({ consolidateAfter: '0s' }).describe("Disruption contains the parameters that relate to Karpenter's disruption logic"),
  limits: ResourceList.optional().describe('Limits define a set of bounds for provisioning capacity.'),
  weight: int32()
    .min(1)
    .max(100)
    .optional()
    .describe('Priority of this NodePool during scheduling; higher weights are tried first.'),
});
export type NodePoolSpec = z.infer<typeof NodePoolSpec>;

export const NodePoolStatus = z.object({
  resources: ResourceList.optional().describe('The resources (and node count) of the nodes this NodePool owns.'),
  conditions: Conditions.optional(),
  nodeClassObservedGeneration: int64().optional().describe('The generation of the NodeClass last observed.'),
});
export type NodePoolStatus = z.infer<typeof NodePoolStatus>;

export const NodePool = z.object({
  apiVersion: z.literal(NodePoolApiVersion),
  kind: z.literal(NodePoolKind),
  metadata: ObjectMeta,
  spec: NodePoolSpec,
  status: NodePoolStatus.optional(),
});
export type NodePool = z.infer<typeof NodePool>;
