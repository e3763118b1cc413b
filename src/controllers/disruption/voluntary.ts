// The disruption loop (Karpenter's disruption controller): every poll interval, expire what is
// due, then ask the core for one command in method order (drift, emptiness, multi-node and
// single-node consolidation), wait validationDelay, validate it on fresh state, and carry it out.
// One command at a time: budgets then hold by construction, and a command's replacements are
// initialized before the next pass can count on them.
import { LabelCapacityType, LabelNodePool } from '../../apis/labels.js';
import { decide, DisruptionReasons, expirations, validate, type Command } from '../../disruption/index.js';
import { sleep, type RunContext } from '../../operator/index.js';
import { clusterState, refreshInstanceFacts } from './cluster-state.js';
import { deleteClaim, type DisruptionContext } from './context.js';
import { describeCommand, execute, nodeRef } from './execute.js';

/** What consolidation last saw when it found nothing to do (Karpenter's IsConsolidated). */
interface ConsolidatedMark {
  fingerprint: string;
  at: number;
}

/** Changes that can make consolidation find something new; Node heartbeats are not among them. */
function fingerprint(ctx: DisruptionContext): string {
  const parts: string[] = [];
  for (const c of ctx.claims.list()) parts.push(`c:${c.metadata.name}:${c.metadata.resourceVersion}`);
  for (const p of ctx.nodePools.list()) parts.push(`np:${p.metadata.name}:${p.metadata.resourceVersion}`);
  for (const p of ctx.pdbs.list()) parts.push(`pdb:${p.metadata?.uid}:${p.metadata?.resourceVersion}`);
  for (const p of ctx.pods.list()) parts.push(`p:${p.metadata?.uid}:${p.spec?.nodeName ?? ''}:${p.status?.phase ?? ''}:${p.metadata?.deletionTimestamp ? 'd' : ''}`);
  return parts.sort().join('|');
}

async function expire(ctx: DisruptionContext, run: RunContext): Promise<void> {
  const { expired } = expirations(ctx.claims.list(), ctx.now());
  for (const claim of expired) {
    await deleteClaim(ctx, claim);
    const note = `Expired: older than expireAfter ${claim.spec.expireAfter}`;
    run.recorder.normal(claim, 'DisruptionTerminating', note);
    const node = claim.status?.nodeName ? ctx.nodes.get(claim.status.nodeName) : undefined;
    if (node) run.recorder.normal(nodeRef(node), 'DisruptionTerminating', note);
    ctx.metrics.nodeClaimsDisrupted.inc({
      reason: 'expired',
      nodepool: claim.metadata.labels?.[LabelNodePool] ?? '',
      capacity_type: claim.metadata.labels?.[LabelCapacityType] ?? '',
    });
    run.log.info({ nodeclaim: claim.metadata.name, expireAfter: claim.spec.expireAfter }, 'expired; deleting');
  }
}

export class DisruptionLoop {
  private consolidated: ConsolidatedMark | undefined;

  constructor(private readonly ctx: DisruptionContext) {}

  private synced(): boolean {
    const c = this.ctx;
    return [c.claims, c.nodes, c.pods, c.nodePools, c.nodeClasses, c.pdbs, c.daemonSets, c.namespaces, c.podNetworkings].every((i) => i.hasSynced());
  }

  /** One pass; returns the command it carried out, if any. */
  async pass(run: RunContext): Promise<Command | undefined> {
    const { ctx } = this;
    if (!this.synced()) return undefined;
    await expire(ctx, run);
    await refreshInstanceFacts(ctx, run.log);

    const print = fingerprint(ctx);
    const skipConsolidation =
      this.consolidated !== undefined && this.consolidated.fingerprint === print && ctx.now() - this.consolidated.at < ctx.options.consolidatedTtlMs;
    const started = performance.now();
    const { state } = await clusterState(ctx);
    const decision = decide(state, { skipConsolidation });
    const method = decision.command?.method ?? 'none';
    ctx.metrics.evaluationDuration.observe({ method, consolidation_type: decision.command?.consolidationType ?? '' }, (performance.now() - started) / 1000);

    for (const reason of DisruptionReasons) ctx.metrics.eligibleNodes.set({ reason: reason.toLowerCase() }, decision.eligible[reason]);
    ctx.metrics.allowedDisruptions.reset();
    for (const [nodepool, allowed] of decision.allowed) {
      for (const reason of DisruptionReasons) ctx.metrics.allowedDisruptions.set({ nodepool, reason: reason.toLowerCase() }, Math.min(allowed[reason], 2 ** 31 - 1));
    }
    for (const b of [...decision.blocked, ...decision.unconsolidatable]) {
      run.recorder.normal(b.claim, 'DisruptionBlocked', b.message);
      if (b.node) run.recorder.normal(nodeRef(b.node), 'DisruptionBlocked', b.message);
    }
    for (const [pool, budget] of decision.budgets) {
      const pending = decision.command === undefined && Object.values(budget.allowed).every((a) => a === 0) && budget.nodes > 0;
      if (pending) {
        const nodePool = ctx.nodePools.get(pool);
        if (nodePool) run.recorder.normal(nodePool, 'DisruptionBlocked', 'No allowed disruptions due to blocking budget');
      }
    }

    if (!decision.command) {
      if (decision.consolidated && !skipConsolidation) this.consolidated = { fingerprint: print, at: ctx.now() };
      return undefined;
    }
    this.consolidated = undefined;
    const command = decision.command;
    run.log.info({ method: command.method, candidates: command.candidates.map((c) => c.name) }, `validating after ${ctx.options.validationDelayMs}ms: ${describeCommand(command)}`);

    await sleep(ctx.options.validationDelayMs, run.signal);
    if (run.signal.aborted) return undefined;
    await refreshInstanceFacts(ctx, run.log);
    const fresh = await clusterState(ctx);
    const validation = validate(fresh.state, command);
    if (!validation.valid) {
      ctx.metrics.failedValidations.inc({ consolidation_type: command.consolidationType });
      run.log.info({ method: command.method, reason: validation.reason }, 'command failed validation; deciding again next pass');
      return undefined;
    }
    await execute(ctx, validation.command, fresh.podNetworks, run);
    return validation.command;
  }
}
