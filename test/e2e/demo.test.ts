// The README's first command, run the way a newcomer would but without a terminal: the demo
// (hack/demo/main.ts, what ./hack/demo.sh runs) in --non-interactive mode, to completion. It must
// launch nodes for the bank scenario, give core-trade pods IPs from the core-trade vSwitches behind
// sg-core-trade (and office pods none of those), and remove every node, NodeClaim and instance
// after the scale-down. A missing controller fails with the demo's own explanation, not a hang.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startManagedProcess, type ManagedProcess, type ProcessExit } from '../harness/processes.js';
import type { DemoSummary } from '../../hack/demo/summary.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const scale = { inflate: 6, coreTrade: 3 };
const deadlineMs = 15 * 60_000;

describe('the demo (./hack/demo.sh --non-interactive)', { timeout: deadlineMs + 60_000 }, () => {
  let dir = '';
  let demo: ManagedProcess;
  let exit: ProcessExit;
  let output = '';
  let summary: Partial<DemoSummary> & { error?: string } = {};

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ack-demo-test-'));
    const summaryPath = join(dir, 'summary.json');
    demo = startManagedProcess('demo', process.execPath, [
      '--import', 'tsx', join(repoRoot, 'hack/demo/main.ts'),
      '--non-interactive', `--scale=${scale.inflate}`, `--summary-json=${summaryPath}`,
    ], join(dir, 'demo.log'));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(resolve, deadlineMs, 'timeout'); });
    const outcome = await Promise.race([demo.exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') await demo.stop(30_000);
    exit = outcome === 'timeout' ? { code: null, signal: 'SIGTERM' } : outcome;
    output = await readFile(join(dir, 'demo.log'), 'utf8');
    summary = JSON.parse(await readFile(summaryPath, 'utf8').catch(() => '{}')) as typeof summary;
  });

  after(async () => {
    await demo?.stop(30_000);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs to completion', () => {
    assert.equal(exit.code, 0, `the demo exited with ${JSON.stringify(exit)}: ${summary.error ?? ''}\n${output.split('\n').slice(-60).join('\n')}`);
    assert.match(output, /Demo complete in \d+ s/);
  });

  /** The later checks read the summary of a completed run; a failed run is reported once, above. */
  const completed = () => assert.equal(summary.error, undefined, `the demo did not complete: ${summary.error}`);

  it('launches spot nodes with a type, a zone and a price, and says so', () => {
    completed();
    assert.ok(summary.launched && summary.launched.length >= 1, 'at least one node launched');
    for (const node of summary.launched) {
      assert.match(node.instanceType ?? '', /^ecs\./, `${node.nodeClaim} has an instance type`);
      assert.match(node.zone ?? '', /^cn-hangzhou-[a-z]$/);
      assert.equal(node.capacityType, 'spot', 'the NodePool allows spot only');
      assert.ok((node.pricePerHour ?? 0) > 0, `${node.nodeClaim} has a price`);
    }
    assert.ok((summary.peakCostPerHour ?? 0) > 0);
    assert.match(output, /Nodes launched \(\d+\):/);
    assert.match(output, /Pod IPs by vSwitch:/);
  });

  it('gives core-trade pods IPs from the core-trade vSwitches behind sg-core-trade, and office pods other IPs', () => {
    completed();
    const pods = summary.pods ?? [];
    assert.equal(pods.length, scale.inflate + scale.coreTrade);
    assert.ok(pods.every((p) => p.ip), 'every pod has an IP');
    const ct = summary.coreTrade;
    assert.ok(ct);
    assert.equal(ct.pods, scale.coreTrade);
    assert.equal(ct.podsOnCoreVSwitch, scale.coreTrade, 'core-trade pods on the core-trade vSwitches');
    assert.equal(ct.podsWithCoreSecurityGroup, scale.coreTrade, 'core-trade pods behind sg-core-trade');
    for (const p of pods.filter((x) => x.coreTrade)) assert.match(p.vSwitchName ?? '', /^core-trade-[ab]$/, `${p.pod} ${p.ip}`);
    for (const p of pods.filter((x) => !x.coreTrade)) {
      // No PodNetworking selects them: the embedded cloud's default pod vSwitches (terway: pod).
      assert.match(p.vSwitchName ?? '', /^pod-vsw-cn-hangzhou-[a-z]$/, `office pod ${p.pod} ${p.ip}`);
      assert.ok(!ct.vSwitchIds.includes(p.vSwitchId ?? ''), `office pod ${p.pod} is not on a core-trade vSwitch`);
      assert.ok(!p.securityGroupIds.includes(ct.securityGroupId), `office pod ${p.pod} is not behind sg-core-trade`);
    }
  });

  it('removes every node, NodeClaim and instance after scaling to zero', () => {
    completed();
    const down = summary.scaleDown;
    assert.ok(down, 'the scale-down ran');
    assert.deepEqual(down.remaining, { nodeClaims: 0, nodes: 0, instances: 0, scenarioPods: 0 });
    assert.equal(down.removed.length, summary.launched?.length, 'every launched node was removed');
    assert.equal(down.costPerHour, 0);
    assert.match(output, /Nodes removed \(\d+ of \d+ launched\):/);
  });
});
