// Karpenter's validation: a command is computed, the controller waits (validationDelayMs, 15 s
// upstream) and asks again on fresh state. The command stands only if every candidate is still a
// candidate the method would pick, the budgets still allow all of them, and the method still
// reaches the same decision for them (a delete must still fit everything elsewhere; a replace must
// still need exactly the nodes it planned). What comes back is the command recomputed on the fresh
// state, so replacements carry current prices and options.
import { budgetMapping, poolBudgets } from './budgets.js';
import { buildCandidates } from './candidates.js';
import { computeConsolidation, withoutSameTypeShuffle } from './consolidation.js';
import { eligibility, reasonOf } from './methods.js';
import { simulate } from './simulate.js';
import type { Candidate, ClusterState, Command, Replacement } from './types.js';

export type Validation = { valid: true; command: Command } | { valid: false; reason: string };

export function validate(state: ClusterState, command: Command): Validation {
  const { candidates, blocked } = buildCandidates(state);
  const byName = new Map(candidates.map((c) => [c.name, c]));
  const fresh: Candidate[] = [];
  for (const old of command.candidates) {
    const c = byName.get(old.name);
    if (!c) {
      const why = blocked.find((b) => b.claim.metadata.name === old.name)?.message;
      return { valid: false, reason: `${old.name} is no longer a disruption candidate${why ? `: ${why}` : ''}` };
    }
    if (!eligibility[command.method](c)) return { valid: false, reason: `${old.name} is no longer eligible for ${command.method}` };
    if (command.decision === 'delete' && command.replacements.length === 0 && old.reschedulablePods.length === 0 && c.reschedulablePods.length > 0) {
      return { valid: false, reason: `${old.name} got pods since the decision` };
    }
    fresh.push(c);
  }

  const budget = budgetMapping(poolBudgets(state), reasonOf[command.method]);
  for (const c of fresh) {
    const pool = c.nodePool.metadata.name ?? '';
    const left = budget.get(pool) ?? 0;
    if (left <= 0) return { valid: false, reason: `the ${reasonOf[command.method]} budget of NodePool ${pool} is used up` };
    budget.set(pool, left - 1);
  }

  switch (command.method) {
    case 'emptiness':
      return { valid: true, command: { ...command, candidates: fresh } };
    case 'drift': {
      if (fresh.every((c) => c.reschedulablePods.length === 0)) return { valid: true, command: { ...command, candidates: fresh, decision: 'delete', replacements: [] } };
      const simulation = simulate(state, fresh);
      if (!simulation.ok) return { valid: false, reason: simulation.reason };
      const replacements: Replacement[] = simulation.newClaims.map((claim) => ({
        claim,
        instanceTypes: claim.instanceTypeOptions.map((o) => o.name),
        capacityTypes: [...new Set(claim.instanceTypeOptions.flatMap((o) => o.offerings.map((x) => x.capacityType)))].sort() as Replacement['capacityTypes'],
        price: claim.price,
      }));
      return { valid: true, command: { ...command, candidates: fresh, decision: replacements.length > 0 ? 'replace' : 'delete', replacements } };
    }
    case 'multi-node-consolidation':
    case 'single-node-consolidation': {
      const multi = command.method === 'multi-node-consolidation';
      const outcome = computeConsolidation(state, fresh, multi);
      if (!outcome.command) return { valid: false, reason: outcome.reason };
      const recomputed = multi && outcome.command.decision === 'replace' ? withoutSameTypeShuffle(outcome.command) : outcome.command;
      if (!recomputed) return { valid: false, reason: 'the replacement would be a node of a type being removed' };
      if (recomputed.decision !== command.decision) {
        return { valid: false, reason: `the decision changed from ${command.decision} to ${recomputed.decision}` };
      }
      return { valid: true, command: recomputed };
    }
  }
}
