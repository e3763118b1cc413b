import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MinInstanceTypesForSpotToSpotConsolidation } from './consolidation.js';
import { decide } from './methods.js';
import { validate } from './validation.js';
import { Gi, instanceType, Mi, World } from './testing.js';

const large = instanceType('c.large', 2, 4); // 0.24/h
const xlarge = instanceType('c.xlarge', 4, 8); // 0.48/h
const x2large = instanceType('c.2xlarge', 8, 16); // 0.96/h
const types = [large, xlarge, x2large];
const pod = (cpu = 1000) => ({ cpu, mem: Gi });

const names = (command: { candidates: { name: string }[] } | undefined) => command?.candidates.map((c) => c.name).sort();

describe('method order', () => {
  it('drift goes before emptiness, emptiness before consolidation', () => {
    const w = new World(types);
    w.pool('default');
    const under = w.node({ type: x2large, pods: [pod()] });
    const empty = w.node({ type: large });
    const drifted = w.node({ type: xlarge, pods: [pod()], drifted: { reason: 'NodePoolDrifted' } });
    const first = decide(w.state());
    assert.equal(first.command?.method, 'drift');
    assert.deepEqual(names(first.command), [drifted.claim.metadata.name]);

    w.claims.splice(w.claims.indexOf(drifted.claim), 1);
    const second = decide(w.state());
    assert.equal(second.command?.method, 'emptiness');
    assert.deepEqual(names(second.command), [empty.claim.metadata.name]);
    assert.equal(second.command?.consolidationType, 'empty');

    w.claims.splice(w.claims.indexOf(empty.claim), 1);
    const third = decide(w.state());
    assert.equal(third.command?.reason, 'Underutilized');
    assert.deepEqual(names(third.command), [under.claim.metadata.name]);
  });

  it('counts eligible nodes per reason', () => {
    const w = new World(types);
    w.pool('default');
    w.node({ type: large });
    w.node({ type: large });
    w.node({ type: x2large, pods: [pod()], consolidatable: false });
    const d = decide(w.state());
    assert.equal(d.eligible.Empty, 2);
  });
});

describe('emptiness', () => {
  it('deletes empty nodes only after consolidateAfter (the Consolidatable condition)', () => {
    const w = new World(types);
    w.pool('default', { consolidationPolicy: 'WhenEmpty' });
    w.node({ type: large, consolidatable: false });
    assert.equal(decide(w.state()).command, undefined);
    w.node({ type: large });
    assert.equal(decide(w.state()).command?.candidates.length, 1);
  });

  it('ignores DaemonSet pods when deciding a node is empty, and does nothing with consolidateAfter Never', () => {
    const w = new World(types);
    w.pool('default', { consolidateAfter: 'Never' });
    w.node({ type: large, pods: [{ ...pod(100), daemonSet: true }] });
    assert.equal(decide(w.state()).command, undefined);
    const v = new World(types);
    v.pool('default');
    v.node({ type: large, pods: [{ ...pod(100), daemonSet: true }] });
    assert.equal(decide(v.state()).command?.method, 'emptiness');
  });

  it('WhenEmpty never consolidates a node that has pods', () => {
    const w = new World(types);
    w.pool('default', { consolidationPolicy: 'WhenEmpty' });
    w.node({ type: x2large, pods: [pod()] });
    w.node({ type: x2large, pods: [pod()] });
    assert.equal(decide(w.state()).command, undefined);
  });
});

describe('consolidation', () => {
  it('multi-node: pods from several under-used nodes go to fewer nodes, as many nodes at once as possible', () => {
    const w = new World(types);
    w.pool('default');
    w.node({ type: xlarge, pods: [pod()] });
    w.node({ type: xlarge, pods: [pod()] });
    w.node({ type: xlarge, pods: [pod()] });
    const d = decide(w.state());
    assert.equal(d.command?.method, 'multi-node-consolidation');
    assert.equal(d.command?.decision, 'delete');
    // Two go, their pods fit on the third; replacing all three with another c.xlarge would only shuffle pods.
    assert.equal(d.command?.candidates.length, 2);
    assert.ok(Math.abs((d.command?.savings ?? 0) - 0.96) < 1e-9);
  });

  it('multi-node: replaces several nodes with one cheaper node', () => {
    const w = new World(types);
    w.pool('default');
    w.node({ type: x2large, pods: [pod(1500)] });
    w.node({ type: x2large, pods: [pod(1500)] });
    const d = decide(w.state());
    assert.equal(d.command?.method, 'multi-node-consolidation');
    assert.equal(d.command?.decision, 'replace');
    assert.equal(d.command?.candidates.length, 2);
    assert.equal(d.command?.replacements.length, 1);
    assert.equal(d.command?.replacements[0]?.instanceTypes[0], 'c.xlarge');
    assert.ok((d.command?.replacements[0]?.price ?? Infinity) < 2 * 0.96);
  });

  it('single-node: deletes a node whose pods fit elsewhere', () => {
    const w = new World(types);
    w.pool('default');
    const keep = w.node({ type: x2large, pods: [pod(), pod()], consolidatable: false });
    const go = w.node({ type: large, pods: [pod()] });
    const d = decide(w.state());
    assert.equal(d.command?.method, 'single-node-consolidation');
    assert.equal(d.command?.decision, 'delete');
    assert.deepEqual(names(d.command), [go.claim.metadata.name]);
    assert.notDeepEqual(names(d.command), [keep.claim.metadata.name]);
  });

  it('single-node: replaces a node with one cheaper node, never with a dearer or equal one', () => {
    const w = new World(types);
    w.pool('default');
    w.node({ type: x2large, pods: [pod()] });
    const d = decide(w.state());
    assert.equal(d.command?.decision, 'replace');
    assert.equal(d.command?.replacements[0]?.instanceTypes[0], 'c.large');
    assert.ok(d.command?.replacements[0]?.instanceTypes.every((t) => t !== 'c.2xlarge'));
    assert.ok(Math.abs((d.command?.savings ?? 0) - (0.96 - 0.24)) < 1e-9);

    const tight = new World(types);
    tight.pool('default');
    tight.node({ type: large, pods: [pod(1500)] });
    const none = decide(tight.state());
    assert.equal(none.command, undefined);
    assert.match(none.unconsolidatable[0]?.message ?? '', /cheaper/);
  });

  it('an on-demand node is replaced by spot only, when spot is what made the replacement cheaper', () => {
    const spotTypes = types.map((t) => instanceType(t.name, t.capacity.cpu! / 1000, t.capacity.memory! / Gi, { spotDiscount: 0.3 }));
    const w = new World(spotTypes);
    w.pool('default');
    w.node({ type: spotTypes[1]!, capacityType: 'on-demand', pods: [pod(3000)] });
    const d = decide(w.state());
    assert.equal(d.command?.decision, 'replace');
    assert.deepEqual(d.command?.replacements[0]?.capacityTypes, ['spot']);
  });
});

describe('spot-to-spot consolidation', () => {
  // n types, each a little cheaper than the one before; all fit the pod.
  const ladder = (n: number) => Array.from({ length: n }, (_, i) => instanceType(`s${String(i).padStart(2, '0')}.xlarge`, 4, 8, { price: 1 + i * 0.1, spotDiscount: 0.5, onDemand: false }));

  it('needs at least 15 cheaper spot types, and then launches from the 15 cheapest only', () => {
    const few = ladder(10);
    const w = new World(few);
    w.pool('default');
    w.node({ type: few[9]!, capacityType: 'spot', pods: [pod()] });
    const refused = decide(w.state());
    assert.equal(refused.command, undefined);
    assert.match(refused.unconsolidatable[0]?.message ?? '', new RegExp(`requires ${MinInstanceTypesForSpotToSpotConsolidation} cheaper instance type options.*got 9`));

    const many = ladder(20);
    const v = new World(many);
    v.pool('default');
    v.node({ type: many[19]!, capacityType: 'spot', pods: [pod()] });
    const d = decide(v.state());
    assert.equal(d.command?.decision, 'replace');
    assert.equal(d.command?.replacements[0]?.instanceTypes.length, MinInstanceTypesForSpotToSpotConsolidation);
    assert.equal(d.command?.replacements[0]?.instanceTypes[0], 's00.xlarge');
    assert.deepEqual(d.command?.replacements[0]?.capacityTypes, ['spot']);
  });
});

describe('protection', () => {
  it('a pod with karpenter.sh/do-not-disrupt keeps its node, and says so', () => {
    const w = new World(types);
    w.pool('default');
    w.node({ type: x2large, pods: [{ ...pod(), annotations: { 'karpenter.sh/do-not-disrupt': 'true' } }] });
    w.node({ type: large, annotations: { 'karpenter.sh/do-not-disrupt': 'true' } });
    const d = decide(w.state());
    assert.equal(d.command, undefined);
    assert.equal(d.blocked.length, 2);
    assert.match(d.blocked.map((b) => b.message).join('\n'), /Pod default\/pod-\d+ has karpenter.sh\/do-not-disrupt/);
    assert.match(d.blocked.map((b) => b.message).join('\n'), /Node is annotated karpenter.sh\/do-not-disrupt/);
  });

  it('a pod whose PDB allows no disruption keeps its node; one disruption allowed lets it go', () => {
    const w = new World(types);
    w.pool('default');
    w.node({ type: x2large, pods: [{ ...pod(), labels: { app: 'ledger' } }] });
    w.pdb('ledger', { app: 'ledger' }, 0);
    const d = decide(w.state());
    assert.equal(d.command, undefined);
    assert.match(d.blocked[0]?.message ?? '', /pdb default\/ledger prevents pod evictions/);
    w.pdbs[0]!.status = { disruptionsAllowed: 1 };
    assert.equal(decide(w.state()).command?.decision, 'replace');
  });

  it('nodes already deleting or tainted for disruption are not candidates', () => {
    const w = new World(types);
    w.pool('default');
    w.node({ type: large, deleting: true });
    w.node({ type: large, tainted: true });
    w.node({ type: large, initialized: false });
    assert.equal(decide(w.state()).command, undefined);
  });
});

describe('network-aware consolidation', () => {
  const eni = { eniQuantity: 3, eniPrivateIpAddressQuantity: 4 }; // 8 ENIIP pods per node
  const nLarge = instanceType('n.large', 2, 16, { eni, price: 1 });
  const nBig = instanceType('n.4xlarge', 16, 64, { eni: { eniQuantity: 8, eniPrivateIpAddressQuantity: 10 }, price: 8 });
  const tiny = { cpu: 50, mem: 64 * Mi };

  it('does not move a PodNetworking pod to a zone whose vSwitch has no free IP', () => {
    const build = (zoneAFree: number) => {
      const w = new World([nLarge, nBig]);
      w.networking = {
        vSwitches: [
          { id: 'vsw-a', zone: 'zone-a', freeIPs: zoneAFree },
          { id: 'vsw-b', zone: 'zone-b', freeIPs: 10 },
        ],
        podNetworkings: [{ name: 'core', vSwitchIds: ['vsw-a', 'vsw-b'] }],
      };
      w.pool('default');
      // Plenty of room in zone-a, on a node that is not itself a candidate.
      w.node({ type: nBig, zone: 'zone-a', pods: [{ ...tiny, annotations: { 'karpenter.sh/do-not-disrupt': 'true' } }] });
      const core = w.node({ type: nLarge, zone: 'zone-b', pods: [{ ...tiny, network: { podNetworking: 'core' } }] });
      return { w, core };
    };
    const exhausted = build(0);
    const refused = decide(exhausted.w.state());
    assert.equal(refused.command, undefined, 'zone-a has no core IPs: the pod cannot move there');
    assert.match(refused.unconsolidatable.map((b) => b.message).join('\n'), /cheaper/);

    const roomy = build(5);
    const d = decide(roomy.w.state());
    assert.equal(d.command?.decision, 'delete');
    assert.deepEqual(names(d.command), [roomy.core.claim.metadata.name]);
  });

  it('a replacement for PodNetworking pods is planned only in zones with free IPs', () => {
    const w = new World([nLarge, nBig]);
    w.networking = {
      vSwitches: [
        { id: 'vsw-a', zone: 'zone-a', freeIPs: 0 },
        { id: 'vsw-b', zone: 'zone-b', freeIPs: 10 },
      ],
      podNetworkings: [{ name: 'core', vSwitchIds: ['vsw-a', 'vsw-b'] }],
    };
    w.pool('default');
    w.node({ type: nBig, zone: 'zone-b', pods: [{ ...tiny, network: { podNetworking: 'core' } }] });
    const d = decide(w.state());
    assert.equal(d.command?.decision, 'replace');
    const zone = d.command?.replacements[0]?.claim.requirements.find((r) => r.key === 'topology.kubernetes.io/zone');
    assert.ok(zone, 'the replacement is pinned to zones');
    assert.ok(zone.operator === 'In' && zone.values?.includes('zone-b') && !zone.values.includes('zone-a'), JSON.stringify(zone));
  });

  it('does not pack more pods onto a node than its ENIs give addresses', () => {
    const build = (podsOnTarget: number) => {
      const w = new World([nLarge]);
      w.pool('default');
      w.node({ type: nLarge, pods: Array.from({ length: podsOnTarget }, () => ({ ...tiny })) });
      const source = w.node({ type: nLarge, pods: [tiny] });
      return { w, source };
    };
    // 8 address slots: a full target cannot take one more pod even though CPU and memory are free.
    const full = build(8);
    assert.equal(decide(full.w.state()).command, undefined);
    const room = build(7);
    const d = decide(room.w.state());
    assert.equal(d.command?.decision, 'delete');
    assert.deepEqual(names(d.command), [room.source.claim.metadata.name]);
  });
});

describe('drift', () => {
  it('replaces a drifted node with what the pool launches today, one at a time within the budget', () => {
    const w = new World(types);
    w.pool('default', { budgets: [{ nodes: '1' }] });
    const a = w.node({ type: xlarge, pods: [pod(3000)], drifted: { reason: 'ImageDrift', since: w.now - 120_000 } });
    w.node({ type: xlarge, pods: [pod(3000)], drifted: { reason: 'ImageDrift', since: w.now - 60_000 } });
    const d = decide(w.state());
    assert.equal(d.command?.method, 'drift');
    assert.equal(d.command?.decision, 'replace');
    assert.deepEqual(names(d.command), [a.claim.metadata.name], 'the node that drifted first goes first');
    assert.equal(d.command?.replacements.length, 1);
  });

  it('deletes drifted empty nodes together, before any non-empty one', () => {
    const w = new World(types);
    w.pool('default', { budgets: [{ nodes: '2' }] });
    w.node({ type: xlarge, pods: [pod()], drifted: { reason: 'NodePoolDrifted', since: w.now - 600_000 } });
    const e1 = w.node({ type: large, drifted: { reason: 'NodePoolDrifted' }, consolidatable: false });
    const e2 = w.node({ type: large, drifted: { reason: 'NodePoolDrifted' }, consolidatable: false });
    const d = decide(w.state());
    assert.equal(d.command?.decision, 'delete');
    assert.deepEqual(names(d.command), [e1.claim.metadata.name, e2.claim.metadata.name].sort());
  });

  it('is not blocked by consolidateAfter, but is by do-not-disrupt and PDBs', () => {
    const w = new World(types);
    w.pool('default', { consolidateAfter: 'Never' });
    w.node({ type: xlarge, pods: [{ ...pod(), labels: { app: 'x' } }], drifted: { reason: 'NodePoolDrifted' }, consolidatable: false });
    assert.equal(decide(w.state()).command?.method, 'drift');
    w.pdb('x', { app: 'x' }, 0);
    assert.equal(decide(w.state()).command, undefined);
  });
});

describe('validation', () => {
  it('keeps a command whose facts still hold, with fresh replacements', () => {
    const w = new World(types);
    w.pool('default');
    w.node({ type: x2large, pods: [pod()] });
    const d = decide(w.state());
    const v = validate(w.state(), d.command!);
    assert.equal(v.valid, true);
    assert.equal(v.valid && v.command.replacements[0]?.instanceTypes[0], 'c.large');
  });

  it('drops an emptiness command when a pod landed on the node meanwhile', () => {
    const w = new World(types);
    w.pool('default');
    const n = w.node({ type: large });
    const d = decide(w.state());
    assert.equal(d.command?.method, 'emptiness');
    w.podObject(n.node.metadata?.name, pod(100));
    const v = validate(w.state(), d.command!);
    assert.equal(v.valid, false);
    assert.match(!v.valid ? v.reason : '', /no longer eligible|got pods/);
  });

  it('drops a command when the budget got used up meanwhile', () => {
    const w = new World(types);
    w.pool('default', { budgets: [{ nodes: '1' }] });
    w.node({ type: large });
    w.node({ type: large });
    const d = decide(w.state());
    assert.equal(d.command?.candidates.length, 1);
    w.node({ type: large, deleting: true });
    const v = validate(w.state(), d.command!);
    assert.equal(v.valid, false);
    assert.match(!v.valid ? v.reason : '', /budget/);
  });

  it('drops a command when a pod gained do-not-disrupt meanwhile', () => {
    const w = new World(types);
    w.pool('default');
    const n = w.node({ type: x2large, pods: [pod()] });
    const d = decide(w.state());
    n.pods[0]!.metadata!.annotations = { 'karpenter.sh/do-not-disrupt': 'true' };
    const v = validate(w.state(), d.command!);
    assert.equal(v.valid, false);
    assert.match(!v.valid ? v.reason : '', /do-not-disrupt/);
  });
});
