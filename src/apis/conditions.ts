// Status conditions (metav1.Condition, as Karpenter's operatorpkg writes them) and the condition
// types each kind reports.
import { z } from 'zod';
import { enumOf } from './cel.js';
import { Timestamp } from './meta.js';

export const Condition = z.object({
  type: z
    .string()
    .max(316)
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/)
    .describe('type of condition in CamelCase or in foo.example.com/CamelCase.'),
  status: enumOf(['True', 'False', 'Unknown']).describe('status of the condition, one of True, False, Unknown.'),
  observedGeneration: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('the .metadata.generation that the condition was set based upon.'),
  lastTransitionTime: Timestamp.describe('the last time the condition transitioned from one status to another.'),
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
    .describe("a programmatic identifier, in CamelCase, for the condition's last transition."),
  message: z.string().max(32768).describe('a human readable message about the transition; may be empty.'),
});
export type Condition = z.infer<typeof Condition>;

export const Conditions = z.array(Condition).describe('Conditions contains signals for health and readiness');

export const ConditionStatus = { True: 'True', False: 'False', Unknown: 'Unknown' } as const;

/** Every kind with conditions reports Ready as the roll-up of its other conditions. */
export const ConditionReady = 'Ready';

/** NodeClaim lifecycle conditions (upstream Karpenter v1 names). */
export const NodeClaimConditions = {
  Launched: 'Launched',
  Registered: 'Registered',
  Initialized: 'Initialized',
  Ready: ConditionReady,
  Drifted: 'Drifted',
  Consolidatable: 'Consolidatable',
  Terminating: 'Terminating',
  ConsistentStateFound: 'ConsistentStateFound',
  DisruptionReason: 'DisruptionReason',
  InstanceTerminating: 'InstanceTerminating',
} as const;

/** NodePool conditions (upstream Karpenter v1 names). */
export const NodePoolConditions = {
  Ready: ConditionReady,
  NodeClassReady: 'NodeClassReady',
  ValidationSucceeded: 'ValidationSucceeded',
} as const;

/** ECSNodeClass conditions: one per resolved selector, rolled up into Ready. */
export const ECSNodeClassConditions = {
  Ready: ConditionReady,
  VSwitchesReady: 'VSwitchesReady',
  SecurityGroupsReady: 'SecurityGroupsReady',
  ImagesReady: 'ImagesReady',
  ValidationSucceeded: 'ValidationSucceeded',
} as const;

/** Finds a condition by type. */
export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

/** True when the condition of that type is present with status True. */
export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}
