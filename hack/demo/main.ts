// The demo (./hack/demo.sh): the bank scenario of DESIGN.md section 7 on a local cluster with the
// simulated Alibaba Cloud. It applies examples/bank, scales the office (inflate) and core-trade
// Deployments up, shows the NodeClaims, Nodes and pod IPs as they appear, scales both to zero and
// shows the nodes going away, with a summary after each half. Ctrl-C stops everything it started.
//
//   ./hack/demo.sh [--non-interactive] [--scale N] [--summary-json FILE]
//   DEMO_SCALE=N: inflate replicas (core-trade gets N/2, at least 1). Default 10.
//   Interactive (a terminal, no --non-interactive): pauses before the scale-down so you can look
//   around with kubectl.
//
// Every wait has a deadline and, when it passes, says which part of the operator did not do its
// job, so a missing controller reads as a message rather than a hang.
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { repoRoot, SecurityGroups, startEnvironment, VSwitches, type DemoEnvironment } from './environment.js';
import { History, progressLines, statusLine } from './progress.js';
import type { Snapshot } from './snapshot.js';
import { formatScaleDown, formatScaleUp, scaleUpSummary, withScaleDown, type DemoSummary } from './summary.js';

const clusterName = 'demo';
const apps = ['inflate', 'core-trade'] as const;
const pollMs = 1500;

class DemoFailure extends Error {}

const { values: flags } = parseArgs({
  options: {
    'non-interactive': { type: 'boolean', default: false },
    scale: { type: 'string' },
    'summary-json': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  process.stdout.write('usage: ./hack/demo.sh [--non-interactive] [--scale N] [--summary-json FILE]\n  DEMO_SCALE=N  inflate replicas (core-trade: N/2, at least 1); default 10\n');
  process.exit(0);
}
const scaleText = flags.scale ?? process.env.DEMO_SCALE ?? '10';
const inflateReplicas = z.coerce.number().int().min(1).max(200).safeParse(scaleText).data;
if (inflateReplicas === undefined) {
  process.stderr.write(`--scale / DEMO_SCALE must be a whole number from 1 to 200, got ${JSON.stringify(scaleText)}\n`);
  process.exit(2);
}
const scale = { inflate: inflateReplicas, coreTrade: Math.max(1, Math.floor(inflateReplicas / 2)) };
const interactive = !flags['non-interactive'] && process.stdin.isTTY === true && process.stdout.isTTY === true;

const startedAt = Date.now();
const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const heading = (title: string): void => say(`\n== ${title} ${'='.repeat(Math.max(3, 76 - title.length))}`);

let env: DemoEnvironment | undefined;
let stopping = false;
async function shutdown(code: number, why?: string): Promise<never> {
  if (!stopping) {
    stopping = true;
    if (why) say(`\n${why}: stopping the operator and the local cluster...`);
    await env?.stop().catch(() => undefined);
    if (why) say('stopped.');
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(130, 'Ctrl-C'));
process.on('SIGTERM', () => void shutdown(143, 'SIGTERM'));

/** Polls snapshots, printing what changes, until `done` says so or the deadline passes (then `stalled` explains). */
async function watch(
  e: DemoEnvironment,
  history: History,
  state: { last?: Snapshot; lastStatus?: string },
  opts: { timeoutMs: number; done: (s: Snapshot) => boolean; stalled: (s: Snapshot) => string },
): Promise<Snapshot> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const next = await e.snapshot(apps);
    history.record(next);
    for (const line of progressLines(state.last, next)) say(line);
    const status = statusLine(next, startedAt);
    const counts = status.replace(/^\[\s*\d+s\] /, '');
    if (counts !== state.lastStatus) say(status);
    state.lastStatus = counts;
    state.last = next;
    if (opts.done(next)) return next;
    if (Date.now() > deadline) throw new DemoFailure(opts.stalled(next));
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Replaces ${NAME} placeholders; an unknown one is an error rather than a silently broken object. */
function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new DemoFailure(`examples/bank uses \${${name}}, which the demo does not know`);
    return value;
  });
}

async function waitForStatus(e: DemoEnvironment, what: string, args: string[], ready: (o: unknown) => string | undefined, hint: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = '';
  for (;;) {
    const object: unknown = JSON.parse(await e.kubectl(['get', ...args, '-o', 'json']));
    const verdict = ready(object);
    if (verdict === undefined) return;
    last = verdict;
    if (Date.now() > deadline) throw new DemoFailure(`${what} is not ready after 60 s (${last}). ${hint}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const ConditionsOf = z.object({ status: z.object({ conditions: z.array(z.object({ type: z.string(), status: z.string(), message: z.string().optional() })).optional() }).optional() });
const PodNetworkingStatus = z.object({ status: z.object({ status: z.string().optional(), message: z.string().optional() }).optional() });

async function run(): Promise<DemoSummary> {
  heading('Starting');
  const e = await startEnvironment({
    clusterName,
    log: (line) => say(line),
    operatorArgs: [
      '--batch-idle-duration=1s',
      '--batch-max-duration=5s',
      '--disruption-poll-interval=2s',
      '--disruption-validation-delay=2s',
    ],
  });
  env = e;
  say(`operator ready (embedded cloud at ${e.cloudEndpoint}; admin API under /admin)`);
  say(`kubectl: export KUBECONFIG=${e.cp.kubeconfigPath} PATH=${e.cp.binDir}:$PATH`);

  heading('Applying the bank scenario (examples/bank)');
  const [vSwitches, groups] = await Promise.all([e.cloud('/vswitches', VSwitches), e.cloud('/security-groups', SecurityGroups)]);
  const idOf = <T extends { id: string; name: string }>(list: T[], name: string): string => {
    const found = list.find((x) => x.name === name);
    if (!found) throw new DemoFailure(`the simulator has no ${name} (seeded resources: src/simulator/README.md)`);
    return found.id;
  };
  const coreTrade = {
    vSwitchIds: [idOf(vSwitches, 'core-trade-a'), idOf(vSwitches, 'core-trade-b')],
    securityGroupId: idOf(groups, 'sg-core-trade'),
  };
  const placeholders = {
    CLUSTER_NAME: clusterName,
    CORE_TRADE_VSWITCH_A: coreTrade.vSwitchIds[0]!,
    CORE_TRADE_VSWITCH_B: coreTrade.vSwitchIds[1]!,
    CORE_TRADE_SECURITY_GROUP: coreTrade.securityGroupId,
  };
  const exampleDir = join(repoRoot, 'examples/bank');
  for (const file of (await readdir(exampleDir)).filter((f) => f.endsWith('.yaml')).sort()) {
    const out = await e.kubectl(['apply', '-f', '-'], fillPlaceholders(await readFile(join(exampleDir, file), 'utf8'), placeholders));
    for (const line of out.trim().split('\n')) say(`  ${file}: ${line}`);
  }
  await waitForStatus(e, 'ECSNodeClass defaultnodeclass', ['ecsnodeclasses.karpenter.k8s.alibabacloud', 'defaultnodeclass'], (o) => {
    const conditions = ConditionsOf.parse(o).status?.conditions ?? [];
    const ready = conditions.find((c) => c.type === 'Ready');
    return ready?.status === 'True' ? undefined : ready ? `Ready=${ready.status}: ${ready.message ?? ''}` : 'no Ready condition';
  }, 'The nodeclass controller resolves its vSwitches, security groups and images: is it registered in src/controllers/index.ts?');
  say('  ECSNodeClass defaultnodeclass is Ready (vSwitches, security groups and image resolved)');
  await waitForStatus(e, 'PodNetworking core-trade', ['podnetworkings.network.alibabacloud.com', 'core-trade'], (o) => {
    const status = PodNetworkingStatus.parse(o).status;
    return status?.status === 'Ready' ? undefined : status?.status ? `${status.status}: ${status.message ?? ''}` : 'no status';
  }, 'The networking controller resolves PodNetworking vSwitches: is it registered in src/controllers/index.ts?');
  say(`  PodNetworking core-trade is Ready (${coreTrade.vSwitchIds.join(', ')}; ${coreTrade.securityGroupId})`);

  heading(`Scaling up: inflate to ${scale.inflate}, core-trade to ${scale.coreTrade}`);
  const history = new History();
  const state: { last?: Snapshot; lastStatus?: string } = {};
  const upFrom = Date.now();
  await e.kubectl(['scale', 'deployment/inflate', `--replicas=${scale.inflate}`]);
  await e.kubectl(['scale', 'deployment/core-trade', `--replicas=${scale.coreTrade}`]);
  const wanted = scale.inflate + scale.coreTrade;
  await watch(e, history, state, {
    timeoutMs: 60_000,
    done: (s) => s.claims.length > 0 || (s.pods.length === wanted && s.pods.every((p) => p.phase === 'Running')),
    stalled: (s) => `no NodeClaim within 60 s for ${s.pods.filter((p) => p.phase === 'Pending').length} pending pod(s): ` +
      'the provisioning controller turns pending pods into NodeClaims; is it registered in src/controllers/index.ts?',
  });
  const peak = await watch(e, history, state, {
    timeoutMs: 5 * 60_000,
    done: (s) => s.pods.filter((p) => !p.deleting).length === wanted && s.pods.every((p) => p.deleting || (p.phase === 'Running' && p.ip)),
    stalled: (s) => {
      const pending = s.pods.filter((p) => p.phase !== 'Running');
      const noIp = s.pods.filter((p) => p.phase === 'Running' && !p.ip);
      const notLaunched = s.claims.filter((c) => !c.launched);
      if (s.claims.length > 0 && notLaunched.length === s.claims.length) return `${notLaunched.length} NodeClaim(s) never launched: the nodeclaim lifecycle controller launches instances (operator log has the reason)`;
      if (s.claims.some((c) => c.launched) && s.nodes.length === 0) return 'instances launched but no Node joined: the simulator registers Nodes when instances run (check its kubeconfig)';
      const problems: string[] = [];
      if (pending.length > 0) problems.push(`${pending.length} pod(s) not Running (e.g. ${pending.slice(0, 3).map((p) => p.name).join(', ')}): the provisioner did not give them a node that fits`);
      if (noIp.length > 0) problems.push(`${noIp.length} Running pod(s) without an IP (e.g. ${noIp.slice(0, 3).map((p) => p.name).join(', ')}): the IPAM (ipam-pod controller) writes their PodENIs and Terway annotations; the operator log says why it could not`);
      return `after 5 min: ${problems.join('; ')}`;
    },
  });
  const summary = scaleUpSummary({ scale, history, peak, coreTrade, scaleUpSeconds: (Date.now() - upFrom) / 1000 });
  heading('Summary after the scale-up');
  say(formatScaleUp(summary));

  if (interactive) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    rl.on('SIGINT', () => void shutdown(130, 'Ctrl-C'));
    await rl.question(`\nLook around (kubectl get nodeclaims,nodes,podenis -o wide), then press Enter to scale down to 0 (Ctrl-C stops)... `);
    rl.close();
  }

  heading('Scaling down: inflate and core-trade to 0');
  const downFrom = Date.now();
  await e.kubectl(['scale', 'deployment/inflate', '--replicas=0']);
  await e.kubectl(['scale', 'deployment/core-trade', '--replicas=0']);
  const end = await watch(e, history, state, {
    timeoutMs: 5 * 60_000,
    done: (s) => s.pods.length === 0 && s.claims.length === 0 && s.nodes.length === 0 && s.instances.length === 0,
    stalled: (s) => s.pods.length > 0
      ? `${s.pods.length} pod(s) still terminating after 5 min`
      : s.claims.length > 0
        ? `${s.claims.length} NodeClaim(s) still there 5 min after the pods left (${s.claims.filter((c) => c.deleting).length} being deleted): ` +
          'the disruption controller removes empty nodes after consolidateAfter (30s); is it registered in src/controllers/index.ts?'
        : `${s.nodes.length} Node(s) and ${s.instances.length} instance(s) left after their NodeClaims were deleted: the nodeclaim termination path deletes both`,
  });
  const final = withScaleDown(summary, { history, end, seconds: (Date.now() - downFrom) / 1000 });
  heading('Summary after the scale-down');
  say(formatScaleDown(final));
  return final;
}

try {
  const summary = await run();
  if (flags['summary-json']) await writeFile(flags['summary-json'], `${JSON.stringify(summary, null, 2)}\n`);
  say(`\nDemo complete in ${((Date.now() - startedAt) / 1000).toFixed(0)} s.`);
  await shutdown(0, 'done');
} catch (error) {
  if (stopping) await new Promise(() => undefined); // Ctrl-C during a step: shutdown() exits
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`\ndemo failed: ${message}\n`);
  if (flags['summary-json']) await writeFile(flags['summary-json'], `${JSON.stringify({ error: message }, null, 2)}\n`).catch(() => undefined);
  if (!(error instanceof DemoFailure) && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  if (env) {
    // The cluster's data directory goes with the cluster; the operator's log is worth keeping.
    const kept = join(tmpdir(), `ack-demo-operator-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
    const copied = await copyFile(env.operator.process.logPath, kept).then(() => true, () => false);
    process.stderr.write(`\noperator log (last lines):\n${await env.operator.process.logTail(30)}\n${copied ? `\nthe whole operator log is kept in ${kept}\n` : ''}`);
  }
  await shutdown(1, 'failed');
}
