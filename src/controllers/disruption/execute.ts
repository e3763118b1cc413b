// Carrying out a validated command, Karpenter's orchestration order: replacements are created
// first (before the taint, so a provisioner pass that sees the tainted nodes' pods as pending finds
// the replacements already in flight and creates nothing twice), then the candidates are tainted
// karpenter.sh/disrupted:NoSchedule so nothing new lands on them, then the replacements must
// initialize, and only then are the candidates deleted: their finalizer drains them through the
// eviction API (PDBs honoured) and releases the instances. If a replacement fails, the candidates
// are untainted and left alone; the replacement, if it comes up, is just another node to consolidate.
import { isConditionTrue, NodeClaimConditions, findCondition } from '../../apis/conditions.js';
import { LabelCapacityType, LabelNodePool } from '../../apis/labels.js';
import type { NodeClaim } from '../../apis/nodeclaim.js';
import type { Command, NodeLike } from '../../disruption/index.js';
import { sleep, type ObjectRef, type RunContext } from '../../operator/index.js';
import { createClaim, deleteClaim, setDisruptedTaint, type DisruptionContext } from './context.js';
import { replacementClaimBody } from './replacement.js';

const reasonLabels = { Drifted: 'drifted', Empty: 'empty', Underutilized: 'underutilized' } as const;
const reasonLabel = (command: Command) => reasonLabels[command.reason];

/** A Node as an Event's subject (cached objects may lack apiVersion and kind). */
export function nodeRef(node: NodeLike): ObjectRef {
  return { apiVersion: 'v1', kind: 'Node', name: node.metadata?.name ?? '', ...(node.metadata?.uid ? { uid: node.metadata.uid } : {}) };
}

export function describeCommand(command: Command): string {
  const what = command.candidates.map((c) => `${c.nodeName} (${c.instanceType}, ${c.capacityType})`).join(', ');
  if (command.decision === 'delete') return `${command.reason}: deleting ${what}`;
  const with_ = command.replacements.map((r) => `${r.instanceTypes[0] ?? '?'}${r.instanceTypes.length > 1 ? ` and ${r.instanceTypes.length - 1} other types` : ''}`).join(', ');
  return `${command.reason}: replacing ${what} with ${with_}`;
}

type ReplacementState = 'initialized' | 'pending' | 'failed';

function replacementState(claim: NodeClaim | undefined): ReplacementState {
  if (!claim || claim.metadata.deletionTimestamp) return 'failed';
  if (findCondition(claim.status?.conditions, NodeClaimConditions.Launched)?.status === 'False') return 'failed';
  return isConditionTrue(claim.status?.conditions, NodeClaimConditions.Initialized) ? 'initialized' : 'pending';
}

/** Waits until every claim is initialized; false if one failed, the timeout passed, or we stopped leading. */
export async function waitInitialized(ctx: DisruptionContext, names: readonly string[], run: RunContext, timeoutMs: number): Promise<{ ok: boolean; why?: string }> {
  const deadline = ctx.now() + timeoutMs;
  while (!run.signal.aborted) {
    const states = names.map((n) => ({ name: n, state: replacementState(ctx.claims.get(n)) }));
    const failed = states.find((s) => s.state === 'failed');
    // A claim just created may not be in the cache yet: only call it failed once it was seen.
    if (failed && ctx.claims.get(failed.name)) return { ok: false, why: `replacement ${failed.name} failed to launch` };
    if (states.every((s) => s.state === 'initialized')) return { ok: true };
    if (ctx.now() >= deadline) return { ok: false, why: `replacements did not initialize within ${Math.round(timeoutMs / 1000)}s` };
    await sleep(500, run.signal);
  }
  return { ok: false, why: 'stopped leading' };
}

export async function execute(ctx: DisruptionContext, command: Command, podNetworks: ReadonlyMap<string, string>, run: RunContext): Promise<boolean> {
  const { log, recorder } = run;
  const summary = describeCommand(command);
  const candidateNames = command.candidates.map((c) => c.name);

  const replacementNames: string[] = [];
  for (const replacement of command.replacements) {
    const nodePool = command.candidates[0]!.nodePool;
    const created = await createClaim(ctx, replacementClaimBody(nodePool, replacement, candidateNames, podNetworks));
    replacementNames.push(created.metadata.name ?? '');
    ctx.metrics.nodeClaimsCreated.count(reasonLabel(command), created);
    recorder.normal(created, 'Launching', `Replacement for ${candidateNames.join(', ')} (${command.reason})`);
  }
  for (const c of command.candidates) await setDisruptedTaint(ctx, c.nodeName, true);
  for (const c of command.candidates) {
    const note = `Disrupting Node: ${command.reason}/${command.decision === 'delete' ? 'Delete' : 'Replace'}`;
    recorder.normal(c.claim, 'DisruptionLaunching', note);
    recorder.normal(nodeRef(c.node), 'DisruptionLaunching', note);
  }
  log.info({ method: command.method, decision: command.decision, candidates: candidateNames, replacements: replacementNames, savings: command.savings }, summary);

  if (replacementNames.length > 0) {
    const waited = await waitInitialized(ctx, replacementNames, run, ctx.options.replacementTimeoutMs);
    if (!waited.ok) {
      log.warn({ candidates: candidateNames, replacements: replacementNames, why: waited.why }, 'abandoning the disruption; untainting its candidates');
      for (const c of command.candidates) {
        await setDisruptedTaint(ctx, c.nodeName, false);
        recorder.warning(c.claim, 'DisruptionBlocked', `Abandoned ${command.reason} disruption: ${waited.why}`);
      }
      ctx.metrics.decisions.inc({ decision: 'failed', reason: reasonLabel(command), consolidation_type: command.consolidationType });
      return false;
    }
  }

  for (const c of command.candidates) {
    await deleteClaim(ctx, c.claim);
    const note = `Disrupting Node: ${command.reason}/${command.decision === 'delete' ? 'Delete' : 'Replace'}`;
    recorder.normal(c.claim, 'DisruptionTerminating', note);
    recorder.normal(nodeRef(c.node), 'DisruptionTerminating', note);
    const nodepool = c.claim.metadata.labels?.[LabelNodePool] ?? '';
    ctx.metrics.nodeClaimsDisrupted.inc({ reason: reasonLabel(command), nodepool, capacity_type: c.claim.metadata.labels?.[LabelCapacityType] ?? c.capacityType });
    ctx.metrics.podsDisrupted.inc({ reason: reasonLabel(command), nodepool }, c.reschedulablePods.length);
  }
  ctx.metrics.decisions.inc({ decision: command.decision, reason: reasonLabel(command), consolidation_type: command.consolidationType });
  return true;
}
