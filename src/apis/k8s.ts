// Core Kubernetes shapes the CRDs embed (taints, node selector requirements, label selectors),
// with the validation upstream Karpenter applies to them.
import { z } from 'zod';
import { enumOf, validated, type ValidationRule } from './cel.js';
import { Timestamp } from './meta.js';

/** A qualified name (optional DNS prefix and "/"), the form of label and taint keys. */
export const QualifiedNamePattern =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(\\/))?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$';
/** A label value: empty, or alphanumerics with -_. inside. */
export const LabelValuePattern = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';

export const TaintEffect = enumOf(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
export type TaintEffect = z.infer<typeof TaintEffect>;

export const Taint = z.object({
  key: z
    .string()
    .min(1)
    .regex(new RegExp(QualifiedNamePattern), 'taint key must be a qualified name such as example.com/dedicated')
    .describe('Required. The taint key to be applied to a node.'),
  value: z
    .string()
    .regex(new RegExp(LabelValuePattern), 'taint value must be a valid label value')
    .optional()
    .describe('The taint value corresponding to the taint key.'),
  effect: TaintEffect.describe('Required. The effect of the taint on pods that do not tolerate the taint.'),
  timeAdded: Timestamp.optional().describe('TimeAdded represents the time at which the taint was added.'),
});
export type Taint = z.infer<typeof Taint>;

export const NodeSelectorOperator = enumOf(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']);
export type NodeSelectorOperator = z.infer<typeof NodeSelectorOperator>;

/** The part of a label key before the "/", as CEL's `find("^([^/]+)")` returns it. */
export function labelDomain(key: string): string {
  return /^([^/]+)/.exec(key)?.[1] ?? '';
}

const celDomain = (expr: string): string => `${expr}.find("^([^/]+)")`;
const celList = (items: readonly string[]): string => `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;

/** kubernetes.io labels a NodePool may constrain (upstream Karpenter's allow-list). */
const AllowedKubernetesLabels = [
  'beta.kubernetes.io/instance-type',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'failure-domain.beta.kubernetes.io/zone',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'node.kubernetes.io/instance-type',
  'kubernetes.io/arch',
  'kubernetes.io/os',
  'node.kubernetes.io/windows-build',
] as const;
const AllowedKarpenterLabels = ['karpenter.sh/capacity-type', 'karpenter.sh/nodepool'] as const;

/**
 * Upstream Karpenter's restricted-label rules for a single key, as CEL over `subject` and as a
 * TypeScript predicate. `forbidNodePool` is true on NodePools (the controller sets that label).
 */
export function restrictedLabelRules(subject: string, forbidNodePool: boolean): Array<{ rule: string; message: string; allows: (key: string) => boolean }> {
  const domain = celDomain(subject);
  const rules = [
    {
      rule:
        `${subject} in ${celList(AllowedKubernetesLabels)} || ${domain}.endsWith("node.kubernetes.io") || ` +
        `${domain}.endsWith("node-restriction.kubernetes.io") || !${domain}.endsWith("kubernetes.io")`,
      message: 'label domain "kubernetes.io" is restricted',
      allows: (key: string) => {
        const d = labelDomain(key);
        return (AllowedKubernetesLabels as readonly string[]).includes(key) || d.endsWith('node.kubernetes.io') ||
          d.endsWith('node-restriction.kubernetes.io') || !d.endsWith('kubernetes.io');
      },
    },
    {
      rule: `${domain}.endsWith("kops.k8s.io") || !${domain}.endsWith("k8s.io")`,
      message: 'label domain "k8s.io" is restricted',
      allows: (key: string) => labelDomain(key).endsWith('kops.k8s.io') || !labelDomain(key).endsWith('k8s.io'),
    },
    {
      rule: `${subject} in ${celList(AllowedKarpenterLabels)} || !${domain}.endsWith("karpenter.sh")`,
      message: 'label domain "karpenter.sh" is restricted',
      allows: (key: string) => (AllowedKarpenterLabels as readonly string[]).includes(key) || !labelDomain(key).endsWith('karpenter.sh'),
    },
  ];
  if (forbidNodePool) {
    rules.push({
      rule: `${subject} != "karpenter.sh/nodepool"`,
      message: 'label "karpenter.sh/nodepool" is restricted',
      allows: (key: string) => key !== 'karpenter.sh/nodepool',
    });
  }
  rules.push({
    rule: `${subject} != "kubernetes.io/hostname"`,
    message: 'label "kubernetes.io/hostname" is restricted',
    allows: (key: string) => key !== 'kubernetes.io/hostname',
  });
  return rules;
}

/** A requirement key, refused when it names a label only Kubernetes or Karpenter may set. */
function requirementKey(forbidNodePool: boolean): z.ZodString {
  const key = z
    .string()
    .max(316)
    .regex(new RegExp(QualifiedNamePattern), 'requirement key must be a label key such as topology.kubernetes.io/zone')
    .describe('The label key that the selector applies to.');
  return validated(
    key,
    restrictedLabelRules('self', forbidNodePool).map(({ rule, message, allows }) => ({ rule, message, check: allows })),
  );
}

function requirementWithMinValues(forbidNodePool: boolean) {
  return z.object({
    key: requirementKey(forbidNodePool),
    operator: NodeSelectorOperator.describe(
      "Represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist, Gt, and Lt.",
    ),
    values: z
      .array(z.string().max(63))
      .optional()
      .meta({ 'x-kubernetes-list-type': 'atomic' })
      .describe('An array of string values. Gt and Lt take a single integer.'),
    minValues: z
      .number()
      .int()
      .min(1)
      .max(50)
      .optional()
      .describe('The minimum number of unique values this requirement must keep, to preserve flexibility.'),
  });
}

type RequirementWithMinValues = z.infer<ReturnType<typeof requirementWithMinValues>>;

/**
 * Upstream's rules over a requirements list. Adapted from upstream where its CEL raised an
 * evaluation error instead of its message: `values` may be absent, and Gt/Lt with a non-integer
 * made `int()` fail; the rules below test presence and digits first, accepting the same objects.
 */
const requirementListRules: ValidationRule<RequirementWithMinValues[]>[] = [
  {
    rule: "self.all(x, x.operator == 'In' ? has(x.values) && x.values.size() != 0 : true)",
    message: "requirements with operator 'In' must have a value defined",
    check: (self) => self.every((x) => (x.operator === 'In' ? (x.values?.length ?? 0) !== 0 : true)),
  },
  {
    rule:
      "self.all(x, (x.operator == 'Gt' || x.operator == 'Lt') ? (has(x.values) && x.values.size() == 1 && x.values[0].matches('^[0-9]+$')) : true)",
    message: "requirements operator 'Gt' or 'Lt' must have a single positive integer value",
    check: (self) =>
      self.every((x) =>
        x.operator === 'Gt' || x.operator === 'Lt' ? x.values?.length === 1 && /^[0-9]+$/.test(x.values[0] ?? '') : true,
      ),
  },
  {
    rule: "self.all(x, (x.operator == 'In' && has(x.minValues)) ? has(x.values) && x.values.size() >= x.minValues : true)",
    message: "requirements with 'minValues' must have at least that many values specified in the 'values' field",
    check: (self) =>
      self.every((x) => (x.operator === 'In' && x.minValues !== undefined ? (x.values?.length ?? 0) >= x.minValues : true)),
  },
];

/** NodePool template requirements: karpenter.sh/nodepool is the controller's to set. */
export const NodePoolRequirement = requirementWithMinValues(true);
/** NodeClaim requirements: these carry karpenter.sh/nodepool, copied from the NodePool. */
export const NodeClaimRequirement = requirementWithMinValues(false);
export type NodeSelectorRequirementWithMinValues = z.infer<typeof NodeClaimRequirement>;

export function requirementsList(forNodePool: boolean) {
  const item = forNodePool ? NodePoolRequirement : NodeClaimRequirement;
  return validated(z.array(item).max(100), requirementListRules).describe(
    'Requirements are layered with GetLabels and applied to every node.',
  );
}

/** A plain node selector requirement (resolved image requirements in ECSNodeClass status). */
export const NodeSelectorRequirement = z.object({
  key: z.string(),
  operator: z.string(),
  values: z.array(z.string()).optional().meta({ 'x-kubernetes-list-type': 'atomic' }),
});
export type NodeSelectorRequirement = z.infer<typeof NodeSelectorRequirement>;

export const LabelSelectorRequirement = z.object({
  key: z.string().describe('key is the label key that the selector applies to.'),
  operator: enumOf(['In', 'NotIn', 'Exists', 'DoesNotExist'])
    .describe("operator represents a key's relationship to a set of values."),
  values: z.array(z.string()).optional().meta({ 'x-kubernetes-list-type': 'atomic' }),
});

/** metav1.LabelSelector: matchLabels and matchExpressions, ANDed; empty matches everything. */
export const LabelSelector = z.object({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(LabelSelectorRequirement).optional().meta({ 'x-kubernetes-list-type': 'atomic' }),
});
export type LabelSelector = z.infer<typeof LabelSelector>;
