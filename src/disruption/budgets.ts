// Disruption budgets, as Karpenter v1 computes them (NodePool.GetAllowedDisruptionsByReason and
// BuildDisruptionBudgetMapping): of the budgets that apply to a reason and are active now, the
// smallest wins (a percentage of the pool's nodes, rounded up); no active budget means no limit.
// Nodes already disrupting (being deleted, tainted for disruption) or not Ready use the budget up.
import { parseDuration } from '../apis/duration.js';
import { LabelNodePool, TaintDisrupted } from '../apis/labels.js';
import type { Budget, NodePool } from '../apis/nodepool.js';
import { isWindowActive, parseCron } from './cron.js';
import { claimInitialized, nodeOfClaim } from './objects.js';
import type { ClusterState, DisruptionReason, NodeLike } from './types.js';

export const DisruptionReasons: readonly DisruptionReason[] = ['Drifted', 'Empty', 'Underutilized'];

/** Without any active budget a pool may disrupt everything (Karpenter uses MaxInt32). */
export const Unlimited = Number.MAX_SAFE_INTEGER;

/** True when the budget applies now: no schedule, or now inside a window that opened at a firing. */
export function budgetActive(budget: Budget, now: number): boolean {
  if (budget.schedule === undefined || budget.duration === undefined) return true;
  return isWindowActive(parseCron(budget.schedule), parseDuration(budget.duration), now);
}

/** "5" is five nodes; "20%" is a fifth of the pool's nodes, rounded up (intstr's roundUp). */
export function budgetNodes(nodes: string, poolSize: number): number {
  if (nodes.endsWith('%')) return Math.ceil((Number(nodes.slice(0, -1)) * poolSize) / 100);
  return Number(nodes);
}

/** How many of the pool's nodes may be disrupting at once for this reason. */
export function allowedDisruptions(nodePool: NodePool, reason: DisruptionReason, poolSize: number, now: number): number {
  let allowed = Unlimited;
  for (const budget of nodePool.spec.disruption.budgets) {
    if (budget.reasons && budget.reasons.length > 0 && !budget.reasons.includes(reason)) continue;
    let active: boolean;
    try {
      active = budgetActive(budget, now);
    } catch {
      // Admission validates the schedule's shape, not every value: an unusable budget blocks, as upstream's error does.
      active = true;
      allowed = 0;
    }
    if (active) allowed = Math.min(allowed, budgetNodes(budget.nodes, poolSize));
  }
  return allowed;
}

function nodeReady(node: NodeLike): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

function nodeDisrupting(node: NodeLike): boolean {
  return node.metadata?.deletionTimestamp !== undefined || (node.spec?.taints ?? []).some((t) => t.key === TaintDisrupted);
}

export interface PoolBudget {
  /** Initialized nodes the pool owns. */
  nodes: number;
  /** Of those, deleting, tainted for disruption, or not Ready. */
  disrupting: number;
  /** Per reason: what the budgets allow in total (the karpenter_nodepools_allowed_disruptions gauge). */
  allowed: Record<DisruptionReason, number>;
  /** Per reason: what is left to spend now, never below zero. */
  remaining: Record<DisruptionReason, number>;
}

export function poolBudgets(state: ClusterState): Map<string, PoolBudget> {
  const counts = new Map<string, { nodes: number; disrupting: number }>();
  for (const claim of state.claims) {
    if (!claimInitialized(claim)) continue;
    const node = nodeOfClaim(state, claim);
    if (!node) continue;
    const pool = claim.metadata.labels?.[LabelNodePool] ?? '';
    const count = counts.get(pool) ?? { nodes: 0, disrupting: 0 };
    count.nodes++;
    if (claim.metadata.deletionTimestamp !== undefined || nodeDisrupting(node) || !nodeReady(node)) count.disrupting++;
    counts.set(pool, count);
  }
  const out = new Map<string, PoolBudget>();
  for (const nodePool of state.nodePools) {
    const name = nodePool.metadata.name ?? '';
    const { nodes, disrupting } = counts.get(name) ?? { nodes: 0, disrupting: 0 };
    const allowed = {} as Record<DisruptionReason, number>;
    const remaining = {} as Record<DisruptionReason, number>;
    for (const reason of DisruptionReasons) {
      allowed[reason] = allowedDisruptions(nodePool, reason, nodes, state.now);
      remaining[reason] = Math.max(0, allowed[reason] - disrupting);
    }
    out.set(name, { nodes, disrupting, allowed, remaining });
  }
  return out;
}

/** The spendable budget per pool for one reason (a copy: methods decrement it as they pick). */
export function budgetMapping(budgets: ReadonlyMap<string, PoolBudget>, reason: DisruptionReason): Map<string, number> {
  return new Map([...budgets].map(([pool, b]) => [pool, b.remaining[reason]]));
}
