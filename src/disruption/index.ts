// The disruption core's public surface. Pure: no I/O, no clients; the disruption controller adapts
// the informer cache into a ClusterState and carries out the Command it gets back.
export type * from './types.js';
export { decide, plainReplacement, eligibility, reasonOf, MethodOrder, MaxMultiNodeCandidates, type FullDecision, type DecideOptions } from './methods.js';
export { validate, type Validation } from './validation.js';
export { buildCandidates, forcedCandidate, byDisruptionCost, evictionCost, lifetimeRemaining } from './candidates.js';
export { allowedDisruptions, budgetActive, budgetNodes, poolBudgets, DisruptionReasons, Unlimited, type PoolBudget } from './budgets.js';
export { consolidatableCondition, driftedCondition, type DesiredCondition, type ConsolidatableDecision } from './conditions.js';
export { driftOf, brokenRequirement, hashVersionUpdate, type Drift, type DriftReason } from './drift.js';
export { expirations, expiresAt, type Expirations } from './expiration.js';
export { simulate, withoutCandidates, type Simulation } from './simulate.js';
export { computeConsolidation, MinInstanceTypesForSpotToSpotConsolidation } from './consolidation.js';
export { parseCron, nextFire, isWindowActive, InvalidScheduleError } from './cron.js';
export { isReschedulable, doNotDisrupt, evictionBlocker, nodeOfClaim, claimInitialized } from './objects.js';
