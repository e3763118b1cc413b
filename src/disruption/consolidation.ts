// Consolidation (Karpenter's computeConsolidation): remove the candidates and re-schedule their
// pods. If everything fits on the remaining capacity, delete them; if exactly one new node is
// needed and some of its instance types are cheaper than the candidates together, replace them
// with it. A spot node is replaced by a spot node only with at least 15 cheaper instance types to
// choose from, and the launch is then limited to the 15 cheapest, so the replacement cannot itself
// be replaced at once.
import type { CapacityType, InstanceTypeOption, NewClaim } from '../scheduling/index.js';
import { simulate } from './simulate.js';
import type { Candidate, ClusterState, Command, Replacement } from './types.js';

export const MinInstanceTypesForSpotToSpotConsolidation = 15;

export type ConsolidationOutcome = { command: Command } | { command?: undefined; reason: string };

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The option with only its offerings cheaper than `limit` (and allowed capacity types), or undefined when none is. */
function cheaperOption(option: InstanceTypeOption, limit: number, capacityTypes: ReadonlySet<CapacityType>): InstanceTypeOption | undefined {
  const offerings = option.offerings.filter((o) => o.price < limit && capacityTypes.has(o.capacityType));
  if (offerings.length === 0) return undefined;
  return { ...option, offerings, price: Math.min(...offerings.map((o) => o.price)) };
}

function replacementOf(claim: NewClaim, options: InstanceTypeOption[]): Replacement {
  const capacityTypes = [...new Set(options.flatMap((o) => o.offerings.map((x) => x.capacityType)))].sort() as CapacityType[];
  return {
    claim: { ...claim, instanceTypeOptions: options, price: Math.min(...options.map((o) => o.price)) },
    instanceTypes: options.map((o) => o.name),
    capacityTypes,
    price: Math.min(...options.map((o) => o.price)),
  };
}

export function computeConsolidation(state: ClusterState, candidates: readonly Candidate[], multi: boolean): ConsolidationOutcome {
  const simulation = simulate(state, candidates);
  if (!simulation.ok) return { reason: simulation.reason };
  const base = {
    method: multi ? ('multi-node-consolidation' as const) : ('single-node-consolidation' as const),
    reason: 'Underutilized' as const,
    consolidationType: multi ? ('multi' as const) : ('single' as const),
    candidates: [...candidates],
  };
  const candidatePrice = sum(candidates.map((c) => c.price));
  if (simulation.newClaims.length === 0) {
    return { command: { ...base, decision: 'delete', replacements: [], savings: Number.isFinite(candidatePrice) ? candidatePrice : 0 } };
  }
  if (simulation.newClaims.length > 1) return { reason: `Can't remove without creating ${simulation.newClaims.length} nodes` };
  if (!Number.isFinite(candidatePrice)) return { reason: 'The price of the current node is unknown' };

  const [claim] = simulation.newClaims as [NewClaim];
  const allSpot = candidates.every((c) => c.capacityType === 'spot');
  const spotAllowed = claim.instanceTypeOptions.some((o) => o.offerings.some((x) => x.capacityType === 'spot'));
  // Spot candidates are replaced only by spot (a spot-to-on-demand move is never cheaper for long
  // and gives up the capacity type the pool chose); on-demand candidates may go to either.
  const capacityTypes = new Set<CapacityType>(allSpot && spotAllowed ? ['spot'] : ['spot', 'on-demand']);
  const cheaper = claim.instanceTypeOptions
    .map((o) => cheaperOption(o, candidatePrice, capacityTypes))
    .filter((o): o is InstanceTypeOption => o !== undefined)
    .sort((a, b) => a.price - b.price || (a.name < b.name ? -1 : 1));
  if (cheaper.length === 0) return { reason: "Can't replace with a cheaper node" };

  if (allSpot && spotAllowed) {
    if (!multi && cheaper.length < MinInstanceTypesForSpotToSpotConsolidation) {
      return {
        reason: `SpotToSpotConsolidation requires ${MinInstanceTypesForSpotToSpotConsolidation} cheaper instance type options than the current candidate to consolidate, got ${cheaper.length}`,
      };
    }
    const limited = multi ? cheaper : cheaper.slice(0, MinInstanceTypesForSpotToSpotConsolidation);
    const replacement = replacementOf(claim, limited);
    return { command: { ...base, decision: 'replace', replacements: [replacement], savings: candidatePrice - replacement.price } };
  }
  // Priced on the assumption that spot launches, an on-demand fallback could cost more than the
  // candidates: when spot is among the cheaper offerings, launch spot or nothing (as upstream).
  const spotOnly = cheaper
    .map((o) => cheaperOption(o, candidatePrice, new Set<CapacityType>(['spot'])))
    .filter((o): o is InstanceTypeOption => o !== undefined);
  const replacement = replacementOf(claim, spotOnly.length > 0 ? spotOnly : cheaper);
  return { command: { ...base, decision: 'replace', replacements: [replacement], savings: candidatePrice - replacement.price } };
}

/**
 * Multi-node consolidation replacing nodes with one of a type they already run would only shuffle
 * pods (Karpenter's filterOutSameInstanceType): keep options strictly cheaper than the dearest
 * candidate of a type the options contain.
 */
export function withoutSameTypeShuffle(command: Command): Command | undefined {
  const [replacement] = command.replacements;
  if (!replacement) return command;
  const names = new Set(replacement.instanceTypes);
  const sameType = command.candidates.filter((c) => names.has(c.instanceType));
  if (sameType.length === 0) return command;
  const limit = Math.max(...sameType.map((c) => c.price));
  const options = replacement.claim.instanceTypeOptions.filter((o) => o.price < limit);
  if (options.length === 0) return undefined;
  const narrowed = replacementOf(replacement.claim, options);
  return { ...command, replacements: [narrowed], savings: sum(command.candidates.map((c) => c.price)) - narrowed.price };
}
