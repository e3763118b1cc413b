// The voluntary disruption methods in Karpenter v1's order: drift, emptiness, multi-node
// consolidation, single-node consolidation. The first method that yields a command wins the pass.
// Each spends its reason's budget per NodePool; a candidate whose pool has none left is skipped.
import { parseNillableDuration } from '../apis/duration.js';
import type { CapacityType, NewClaim } from '../scheduling/index.js';
import { budgetMapping, poolBudgets, DisruptionReasons, type PoolBudget } from './budgets.js';
import { buildCandidates, byDisruptionCost } from './candidates.js';
import { computeConsolidation, withoutSameTypeShuffle } from './consolidation.js';
import { simulate } from './simulate.js';
import type { Blocked, Candidate, ClusterState, Command, Decision, DisruptionReason, Method, Replacement } from './types.js';

/** Multi-node consolidation looks at no more than this many candidates at once (as upstream). */
export const MaxMultiNodeCandidates = 100;

function consolidationEnabled(c: Candidate): boolean {
  return parseNillableDuration(c.nodePool.spec.disruption.consolidateAfter) !== null;
}

/** Which candidates a method considers (Karpenter's ShouldDisrupt). */
export const eligibility: Record<Method, (c: Candidate) => boolean> = {
  drift: (c) => c.driftedSince !== undefined,
  emptiness: (c) => consolidationEnabled(c) && c.consolidatable && c.reschedulablePods.length === 0,
  'multi-node-consolidation': (c) =>
    consolidationEnabled(c) && c.consolidatable && c.nodePool.spec.disruption.consolidationPolicy === 'WhenEmptyOrUnderutilized',
  'single-node-consolidation': (c) =>
    consolidationEnabled(c) && c.consolidatable && c.nodePool.spec.disruption.consolidationPolicy === 'WhenEmptyOrUnderutilized',
};

export const reasonOf: Record<Method, DisruptionReason> = {
  drift: 'Drifted',
  emptiness: 'Empty',
  'multi-node-consolidation': 'Underutilized',
  'single-node-consolidation': 'Underutilized',
};

export const MethodOrder: readonly Method[] = ['drift', 'emptiness', 'multi-node-consolidation', 'single-node-consolidation'];

function poolOf(c: Candidate): string {
  return c.nodePool.metadata.name ?? '';
}

/** A replacement that launches whatever the scheduling core found (drift replaces; it is not about price). */
export function plainReplacement(claim: NewClaim): Replacement {
  const capacityTypes = [...new Set(claim.instanceTypeOptions.flatMap((o) => o.offerings.map((x) => x.capacityType)))].sort() as CapacityType[];
  return { claim, instanceTypes: claim.instanceTypeOptions.map((o) => o.name), capacityTypes, price: claim.price };
}

export interface MethodResult {
  command?: Command;
  /** Candidates a method looked at and could not act on, with why (for Events). */
  unconsolidatable: Blocked[];
}

export function drift(state: ClusterState, candidates: Candidate[], budget: Map<string, number>): MethodResult {
  const sorted = [...candidates].sort((a, b) => (a.driftedSince ?? 0) - (b.driftedSince ?? 0) || byDisruptionCost(a, b));
  const unconsolidatable: Blocked[] = [];
  // Empty drifted nodes go first, all the budget allows at once: pods moved off a non-empty node
  // would otherwise land on them and have to move again.
  const empty: Candidate[] = [];
  for (const c of sorted) {
    if (c.reschedulablePods.length > 0) continue;
    const left = budget.get(poolOf(c)) ?? 0;
    if (left <= 0) continue;
    empty.push(c);
    budget.set(poolOf(c), left - 1);
  }
  if (empty.length > 0) {
    return { command: { method: 'drift', reason: 'Drifted', consolidationType: '', decision: 'delete', candidates: empty, replacements: [], savings: 0 }, unconsolidatable };
  }
  for (const c of sorted) {
    if (c.reschedulablePods.length === 0 || (budget.get(poolOf(c)) ?? 0) <= 0) continue;
    const simulation = simulate(state, [c]);
    if (!simulation.ok) {
      unconsolidatable.push({ claim: c.claim, node: c.node, message: `Drifted, but ${simulation.reason}` });
      continue;
    }
    const replacements = simulation.newClaims.map(plainReplacement);
    return {
      command: {
        method: 'drift',
        reason: 'Drifted',
        consolidationType: '',
        decision: replacements.length > 0 ? 'replace' : 'delete',
        candidates: [c],
        replacements,
        savings: 0,
      },
      unconsolidatable,
    };
  }
  return { unconsolidatable };
}

export function emptiness(_state: ClusterState, candidates: Candidate[], budget: Map<string, number>): MethodResult {
  const empty: Candidate[] = [];
  for (const c of [...candidates].sort(byDisruptionCost)) {
    const left = budget.get(poolOf(c)) ?? 0;
    if (left <= 0) continue;
    empty.push(c);
    budget.set(poolOf(c), left - 1);
  }
  if (empty.length === 0) return { unconsolidatable: [] };
  const savings = empty.reduce((s, c) => s + (Number.isFinite(c.price) ? c.price : 0), 0);
  return {
    command: { method: 'emptiness', reason: 'Empty', consolidationType: 'empty', decision: 'delete', candidates: empty, replacements: [], savings },
    unconsolidatable: [],
  };
}

/**
 * The largest prefix (cheapest to disrupt first) that consolidates into nothing or one cheaper
 * node, by binary search over its length, as upstream's firstNConsolidationOption.
 */
export function multiNodeConsolidation(state: ClusterState, candidates: Candidate[], budget: Map<string, number>): MethodResult {
  const disruptable: Candidate[] = [];
  for (const c of [...candidates].sort(byDisruptionCost)) {
    const left = budget.get(poolOf(c)) ?? 0;
    // Empty nodes are emptiness's to remove (under its own budget), not consolidation's.
    if (left <= 0 || c.reschedulablePods.length === 0) continue;
    disruptable.push(c);
    budget.set(poolOf(c), left - 1);
  }
  const batch = disruptable.slice(0, MaxMultiNodeCandidates);
  if (batch.length < 2) return { unconsolidatable: [] };
  let lo = 1;
  let hi = batch.length - 1;
  let best: Command | undefined;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const outcome = computeConsolidation(state, batch.slice(0, mid + 1), true);
    const command = outcome.command && outcome.command.decision === 'replace' ? withoutSameTypeShuffle(outcome.command) : outcome.command;
    if (command) {
      best = command;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return { ...(best ? { command: best } : {}), unconsolidatable: [] };
}

export function singleNodeConsolidation(state: ClusterState, candidates: Candidate[], budget: Map<string, number>): MethodResult {
  const unconsolidatable: Blocked[] = [];
  for (const c of [...candidates].sort(byDisruptionCost)) {
    if ((budget.get(poolOf(c)) ?? 0) <= 0 || c.reschedulablePods.length === 0) continue;
    const outcome = computeConsolidation(state, [c], false);
    if (outcome.command) return { command: outcome.command, unconsolidatable };
    unconsolidatable.push({ claim: c.claim, node: c.node, message: outcome.reason });
  }
  return { unconsolidatable };
}

const implementations: Record<Method, (state: ClusterState, candidates: Candidate[], budget: Map<string, number>) => MethodResult> = {
  drift,
  emptiness,
  'multi-node-consolidation': multiNodeConsolidation,
  'single-node-consolidation': singleNodeConsolidation,
};

export interface DecideOptions {
  /** Skip the consolidation methods (nothing changed since they last found nothing). */
  skipConsolidation?: boolean;
  /** Only these methods (validation re-runs the one that produced the command). */
  methods?: readonly Method[];
}

export interface FullDecision extends Decision {
  /** Candidates some method looked at and left, with why (DisruptionBlocked Events). */
  unconsolidatable: Blocked[];
  budgets: Map<string, PoolBudget>;
  /** True when a consolidation method found nothing to do and budgets did not hold it back. */
  consolidated: boolean;
}

/** One disruption pass: the first command of the methods in order, with what blocked the rest. */
export function decide(state: ClusterState, options: DecideOptions = {}): FullDecision {
  const { candidates, blocked } = buildCandidates(state);
  const budgets = poolBudgets(state);
  const eligible = Object.fromEntries(DisruptionReasons.map((r) => [r, 0])) as Record<DisruptionReason, number>;
  const allowed = new Map([...budgets].map(([pool, b]) => [pool, b.allowed]));
  const unconsolidatable: Blocked[] = [];
  let consolidated = true;
  for (const method of options.methods ?? MethodOrder) {
    const isConsolidation = method !== 'drift';
    const reason = reasonOf[method];
    const considered = candidates.filter(eligibility[method]);
    eligible[reason] = Math.max(eligible[reason], considered.length);
    if (isConsolidation && options.skipConsolidation) continue;
    if (considered.length === 0) continue;
    const budget = budgetMapping(budgets, reason);
    const constrained = considered.some((c) => (budget.get(poolOf(c)) ?? 0) <= 0);
    const result = implementations[method](state, considered, budget);
    unconsolidatable.push(...result.unconsolidatable);
    if (result.command) return { command: result.command, blocked, eligible, allowed, unconsolidatable, budgets, consolidated: false };
    if (isConsolidation && constrained) consolidated = false;
  }
  return { blocked, eligible, allowed, unconsolidatable, budgets, consolidated };
}
