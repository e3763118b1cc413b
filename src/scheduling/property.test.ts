// Property test: on seeded random small workloads, every placement the core makes satisfies every
// hard constraint, checked here independently of the solver's own bookkeeping: resources and ENI
// slots on every instance type a claim may launch as, taints, node selectors and required node
// affinity on every possible node, topology spread skew, pod anti-affinity (both directions) and
// affinity, host ports, PodNetworking zones and IP headroom, and NodePool limits.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { solve } from './scheduler.js';
import { Gi, instanceType, Mi, seededRandom } from './test-fixtures.js';
import { compileLabelSelector } from './label-selector.js';
import { podRequests } from './resources.js';
import { eniSlots, eniUsageFits, emptyEniUsage, addEniDemand, eniDemandOf } from './eni-density.js';
import { hostPortsOf } from './host-ports.js';
import { untoleratedTaint } from './taints.js';
import type {
  ExistingNode, InstanceType, NewClaim, NodePoolTemplate, NodeSelectorRequirement, PodAffinityTerm, PodSpecLite, SchedulingInput, Taint,
} from './types.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const CT = 'karpenter.sh/capacity-type';
const zoneNames = ['z1', 'z2', 'z3'];

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
const chance = (rng: Rng, p: number) => rng() < p;

function genTypes(rng: Rng): InstanceType[] {
  const out: InstanceType[] = [];
  const count = 4 + Math.floor(rng() * 6);
  for (let i = 0; i < count; i++) {
    const cpu = pick(rng, [1, 2, 4, 8]);
    const mem = cpu * pick(rng, [1, 2, 4]);
    const eni = chance(rng, 0.5) ? { eniQuantity: pick(rng, [2, 3, 4]), eniPrivateIpAddressQuantity: pick(rng, [2, 6, 10]) } : undefined;
    const it = instanceType(`t${i}.${cpu}x${mem}`, cpu, mem, { arch: chance(rng, 0.8) ? 'amd64' : 'arm64', family: `t${i % 3}`, eni, pods: pick(rng, [8, 20, 110]), spotDiscount: chance(rng, 0.5) ? 0.4 : undefined, zones: zoneNames });
    out.push(it);
  }
  return out;
}

let uid = 0;
function genPod(rng: Rng, apps: readonly string[]): PodSpecLite {
  const app = pick(rng, apps);
  const p: PodSpecLite = {
    uid: `p${++uid}`, name: `p${uid}`, namespace: 'default', labels: { app },
    containers: [{ requests: { cpu: pick(rng, [100, 250, 500, 1000, 2000]), memory: pick(rng, [128, 512, 1024, 3072]) * Mi } }],
  };
  const m = p as { -readonly [K in keyof PodSpecLite]: PodSpecLite[K] };
  // Spread owners keep one node filter (nodeAffinityPolicy Honor), so they form one group.
  const spreads = app.startsWith('spread');
  if (!spreads && chance(rng, 0.15)) m.nodeSelector = { 'kubernetes.io/arch': pick(rng, ['amd64', 'arm64']) };
  if (!spreads && chance(rng, 0.1)) m.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: CT, operator: 'In', values: [pick(rng, ['spot', 'on-demand'])] }] }] } } };
  if (chance(rng, 0.2)) m.tolerations = [{ key: 'dedicated', operator: 'Exists' }];
  const sel = { matchLabels: { app } };
  const roll = rng();
  // Topology constraints select only pods of their own app and every pod of an app carries the
  // same constraint, so final counts can be checked against maxSkew.
  if (app === 'spread-zone') m.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: sel }];
  else if (app === 'spread-host') m.topologySpreadConstraints = [{ maxSkew: 2, topologyKey: HOST, whenUnsatisfiable: 'DoNotSchedule', labelSelector: sel }];
  else if (app === 'anti-host') m.affinity = { ...m.affinity, podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: HOST, labelSelector: sel }] } };
  else if (app === 'anti-zone') m.affinity = { ...m.affinity, podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: ZONE, labelSelector: sel }] } };
  else if (app === 'affine-zone') m.affinity = { ...m.affinity, podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: ZONE, labelSelector: sel }] } };
  else if (app === 'affine-host') m.affinity = { ...m.affinity, podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: HOST, labelSelector: sel }] } };
  else if (app === 'avoid-web') m.affinity = { ...m.affinity, podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: HOST, labelSelector: { matchLabels: { app: 'web' } } }] } };
  if (roll < 0.1) m.containers = [{ requests: p.containers[0]?.requests, ports: [{ containerPort: 80, hostPort: pick(rng, [80, 81]) }] }];
  if (chance(rng, 0.05)) m.hostNetwork = true;
  if (chance(rng, 0.2)) m.network = { podNetworking: 'core' };
  if (chance(rng, 0.1)) m.network = { ...m.network, eniType: 'ENI' };
  return p;
}

function genInput(seed: number): SchedulingInput {
  const rng = seededRandom(seed);
  const types = genTypes(rng);
  const pools: NodePoolTemplate[] = [];
  const poolCount = 1 + Math.floor(rng() * 2);
  for (let i = 0; i < poolCount; i++) {
    const reqs: NodeSelectorRequirement[] = [];
    if (chance(rng, 0.3)) reqs.push({ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] });
    const pool: NodePoolTemplate = {
      name: `pool${i}`, weight: Math.floor(rng() * 3) * 10, requirements: reqs,
      taints: chance(rng, 0.25) ? [{ key: 'dedicated', effect: 'NoSchedule' }] : [],
      limits: chance(rng, 0.3) ? { cpu: pick(rng, [4000, 8000, 16000]) } : undefined,
    };
    if (chance(rng, 0.2)) (pool as { requirements: unknown }).requirements = [...reqs, { key: 'karpenter.k8s.alibabacloud/instance-family', operator: 'Exists', minValues: 2 }];
    pools.push(pool);
  }
  const apps = ['web', 'spread-zone', 'spread-host', 'anti-host', 'anti-zone', 'affine-zone', 'affine-host', 'avoid-web', 'plain'];
  const nodes: ExistingNode[] = [];
  const nodeCount = Math.floor(rng() * 3);
  for (let i = 0; i < nodeCount; i++) {
    const zone = pick(rng, zoneNames);
    nodes.push({
      name: `node${i}`,
      labels: { [ZONE]: zone, [HOST]: `node${i}`, 'kubernetes.io/arch': 'amd64', [CT]: 'on-demand', 'karpenter.sh/nodepool': 'pool0', 'karpenter.k8s.alibabacloud/instance-family': 't0' },
      taints: chance(rng, 0.3) ? [{ key: 'dedicated', effect: 'NoSchedule' }] : [],
      allocatable: { cpu: 4000, memory: 8 * Gi, pods: 10 },
      pods: Array.from({ length: Math.floor(rng() * 3) }, () => ({ ...genPod(rng, ['web', 'plain']), containers: [{ requests: { cpu: 500, memory: 512 * Mi } }] })),
      eni: chance(rng, 0.5) ? { eniQuantity: 3, eniPrivateIpAddressQuantity: 4 } : undefined,
    });
  }
  const podCount = 5 + Math.floor(rng() * 35);
  const pods = Array.from({ length: podCount }, () => genPod(rng, apps));
  const daemonSets = chance(rng, 0.4) ? [{ uid: 'ds', name: 'ds', namespace: 'kube-system', containers: [{ requests: { cpu: 100, memory: 64 * Mi }, ports: chance(rng, 0.5) ? [{ containerPort: 81, hostPort: 81 }] : undefined }] } as PodSpecLite] : [];
  return {
    pods, nodes, nodePools: pools, instanceTypes: types, daemonSets,
    networking: {
      vSwitches: zoneNames.map((z) => ({ id: `vsw-${z}`, zone: z, freeIPs: Math.floor(rng() * 4) })),
      podNetworkings: [{ name: 'core', vSwitchIds: zoneNames.map((z) => `vsw-${z}`) }],
    },
  };
}

/** Adds 20 to 60 pods the re-pack may move: no node selection, affinity, spread, ports or PodNetworking. */
function withBulk(input: SchedulingInput, seed: number): SchedulingInput {
  const rng = seededRandom(seed * 7919);
  const bulk = Array.from({ length: 20 + Math.floor(rng() * 41) }, (_, i): PodSpecLite => ({
    uid: `bulk-${seed}-${i}`, name: `bulk-${i}`, namespace: 'default', labels: { app: 'bulk' },
    containers: [{ requests: { cpu: pick(rng, [100, 250, 500, 1000]), memory: pick(rng, [128, 512, 1024, 2048]) * Mi } }],
    ...(chance(rng, 0.3) ? { tolerations: [{ key: 'dedicated', operator: 'Exists' as const }] } : {}),
    ...(chance(rng, 0.05) ? { hostNetwork: true } : {}),
  }));
  return { ...input, pods: [...input.pods, ...bulk] };
}

// ------------------------------------------------------------------ independent checker

interface Place {
  id: string;
  /** Every label set the node may end up with (one per launchable type and offering). */
  labelSets: Record<string, string>[];
  zones: Set<string>;
  taints: readonly Taint[];
  pods: PodSpecLite[];
  boundPods: PodSpecLite[];
  claim?: NewClaim;
  node?: ExistingNode;
}

function matchesRequirement(labels: Record<string, string>, r: NodeSelectorRequirement): boolean {
  const v = labels[r.key];
  switch (r.operator) {
    case 'In': return v !== undefined && (r.values ?? []).includes(v);
    case 'NotIn': return v === undefined || !(r.values ?? []).includes(v);
    case 'Exists': return v !== undefined;
    case 'DoesNotExist': return v === undefined;
    case 'Gt': return v !== undefined && Number(v) > Number(r.values?.[0]);
    case 'Lt': return v !== undefined && Number(v) < Number(r.values?.[0]);
  }
}

function nodeAffinityOk(pod: PodSpecLite, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(pod.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return true;
  return terms.some((t) => (t.matchExpressions ?? []).every((r) => matchesRequirement(labels, r)));
}

function selects(term: PodAffinityTerm, owner: PodSpecLite, other: PodSpecLite): boolean {
  return other.namespace === owner.namespace && compileLabelSelector(term.labelSelector)(other.labels);
}

function check(input: SchedulingInput, seed: number): void {
  const result = solve(input);
  const ctx = `seed ${seed}`;
  const types = new Map((input.instanceTypes ?? []).map((t) => [t.name, t]));
  const pools = new Map(input.nodePools.map((p) => [p.name, p]));
  const podsByUid = new Map(input.pods.map((p) => [p.uid, p]));

  // Every pod is placed exactly once or reported.
  const seen = new Set<string>();
  for (const [u] of result.existingPlacements) seen.add(u);
  for (const c of result.newClaims) for (const u of c.pods) {
    assert.ok(!seen.has(u), `${ctx}: ${u} placed twice`);
    seen.add(u);
  }
  for (const p of input.pods) assert.ok(seen.has(p.uid) !== result.unschedulable.has(p.uid), `${ctx}: ${p.uid} placed=${seen.has(p.uid)} unschedulable=${result.unschedulable.has(p.uid)}`);

  const places: Place[] = [];
  for (const node of input.nodes ?? []) {
    const placed = [...result.existingPlacements].filter(([, n]) => n === node.name).map(([u]) => podsByUid.get(u) as PodSpecLite);
    places.push({ id: node.name, labelSets: [{ ...node.labels }], zones: new Set([node.labels[ZONE] ?? '']), taints: node.taints ?? [], pods: placed, boundPods: [...node.pods], node });
  }
  for (const [i, claim] of result.newClaims.entries()) {
    const pool = pools.get(claim.nodePool) as NodePoolTemplate;
    const labelSets: Record<string, string>[] = [];
    const zones = new Set<string>();
    assert.ok(claim.instanceTypeOptions.length > 0, `${ctx}: claim without options`);
    for (const opt of claim.instanceTypeOptions) {
      const it = types.get(opt.name) as InstanceType;
      for (const o of opt.offerings) {
        zones.add(o.zone);
        labelSets.push({ ...it.labels, ...(pool.labels ?? {}), 'karpenter.sh/nodepool': pool.name, [ZONE]: o.zone, [CT]: o.capacityType, [HOST]: `claim-${i}` });
      }
    }
    const daemons = (input.daemonSets ?? []).filter((d) => untoleratedTaint(pool.taints ?? [], d.tolerations) === undefined);
    places.push({ id: `claim-${i}`, labelSets, zones, taints: pool.taints ?? [], pods: claim.pods.map((u) => podsByUid.get(u) as PodSpecLite), boundPods: daemons, claim });
    // Limits and pool requirements.
    for (const ls of labelSets) for (const r of pool.requirements ?? []) assert.ok(matchesRequirement(ls, r), `${ctx}: claim violates pool requirement ${r.key}`);
  }

  for (const place of places) {
    const all = [...place.boundPods, ...place.pods];
    // Resources and ENI slots on every type the claim may launch as (or the node).
    const total: Record<string, number> = {};
    const usage = emptyEniUsage();
    for (const p of all) {
      for (const [k, v] of Object.entries(podRequests(p))) total[k] = (total[k] ?? 0) + v;
      addEniDemand(usage, eniDemandOf(p), 1, p.network?.podNetworking);
    }
    const capacities = place.claim
      ? place.claim.instanceTypeOptions.map((o) => types.get(o.name) as InstanceType).map((t) => ({ alloc: t.allocatable, eni: t.eni, name: t.name }))
      : [{ alloc: place.node?.allocatable ?? {}, eni: place.node?.eni, name: place.id }];
    if (place.pods.length > 0) {
      for (const c of capacities) {
        for (const [k, v] of Object.entries(total)) assert.ok(v <= (c.alloc[k] ?? 0), `${ctx}: ${place.id} as ${c.name} overcommits ${k}: ${v} > ${c.alloc[k]}`);
        if (c.eni) assert.ok(eniUsageFits(eniSlots(c.eni), usage), `${ctx}: ${place.id} as ${c.name} exceeds ENI slots ${JSON.stringify(usage)}`);
      }
    }
    for (const p of place.pods) {
      // Taints (PreferNoSchedule may be relaxed away).
      const hard = place.taints.filter((t) => t.effect !== 'PreferNoSchedule');
      assert.equal(untoleratedTaint(hard, p.tolerations), undefined, `${ctx}: ${p.uid} on ${place.id} does not tolerate a taint`);
      // Node selection on every possible node.
      for (const ls of place.labelSets) assert.ok(nodeAffinityOk(p, ls), `${ctx}: ${p.uid} node affinity not met on ${place.id} ${JSON.stringify(ls)}`);
    }
    // Host ports.
    const ports = new Set<string>();
    for (const p of all) for (const hp of hostPortsOf(p)) {
      const k = `${hp.protocol}/${hp.port}`;
      assert.ok(!ports.has(k) || !place.pods.includes(p), `${ctx}: host port ${k} conflict on ${place.id}`);
      ports.add(k);
    }
  }

  // Anti-affinity (both directions) and affinity, on hostname and zone.
  const placeOf = new Map<string, Place>();
  for (const pl of places) for (const p of [...pl.boundPods, ...pl.pods]) placeOf.set(p.uid, pl);
  const everyone = places.flatMap((pl) => [...pl.boundPods, ...pl.pods]);
  const newPods = new Set(places.flatMap((pl) => pl.pods.map((p) => p.uid)));
  const share = (a: Place, b: Place, key: string) => key === HOST ? a === b : [...a.zones].some((z) => b.zones.has(z));
  for (const a of everyone) {
    for (const term of a.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      for (const b of everyone) {
        if (a === b || !selects(term, a, b)) continue;
        if (!newPods.has(a.uid) && !newPods.has(b.uid)) continue;
        assert.ok(!share(placeOf.get(a.uid) as Place, placeOf.get(b.uid) as Place, term.topologyKey), `${ctx}: anti-affinity of ${a.uid} violated by ${b.uid} on ${term.topologyKey}`);
      }
    }
    if (!newPods.has(a.uid)) continue;
    for (const term of a.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const mine = placeOf.get(a.uid) as Place;
      const partners = everyone.filter((b) => selects(term, a, b) && (b !== a || selects(term, a, a)));
      if (term.topologyKey === HOST) assert.ok(partners.some((b) => placeOf.get(b.uid) === mine), `${ctx}: hostname affinity of ${a.uid} unmet`);
      else {
        const partnerZones = new Set(partners.map((b) => placeOf.get(b.uid) as Place).filter((pl) => pl.zones.size === 1).flatMap((pl) => [...pl.zones]));
        assert.ok([...mine.zones].every((z) => partnerZones.has(z)), `${ctx}: zone affinity of ${a.uid} unmet: ${[...mine.zones]} vs ${[...partnerZones]}`);
      }
    }
  }

  // Spread: every placed owner is in a known domain, and counts stay within maxSkew.
  for (const app of ['spread-zone', 'spread-host']) {
    const owners = everyone.filter((p) => p.labels?.app === app);
    if (owners.length === 0) continue;
    if (app === 'spread-zone') {
      const counts = new Map(zoneNames.map((z) => [z, 0]));
      for (const p of owners) {
        const pl = placeOf.get(p.uid) as Place;
        assert.equal(pl.zones.size, 1, `${ctx}: spread pod ${p.uid} has no single zone`);
        const z = [...pl.zones][0] as string;
        counts.set(z, (counts.get(z) ?? 0) + 1);
      }
      const v = [...counts.values()];
      assert.ok(Math.max(...v) - Math.min(...v) <= 1, `${ctx}: zone spread skew ${JSON.stringify([...counts])}`);
    } else {
      for (const pl of places) {
        const n = [...pl.boundPods, ...pl.pods].filter((p) => p.labels?.app === app).length;
        if (pl.pods.some((p) => p.labels?.app === app)) assert.ok(n <= 2, `${ctx}: hostname spread ${n} on ${pl.id}`);
      }
    }
  }

  // PodNetworking: only zones with free IPs, never more pods than free IPs per zone.
  const free = new Map((input.networking?.vSwitches ?? []).map((v) => [v.zone, v.freeIPs]));
  const pnPerZone = new Map<string, number>();
  for (const pl of places) for (const p of pl.pods) {
    if (!p.network?.podNetworking || p.hostNetwork) continue;
    assert.equal(pl.zones.size, 1, `${ctx}: PodNetworking pod ${p.uid} has no single zone`);
    const z = [...pl.zones][0] as string;
    pnPerZone.set(z, (pnPerZone.get(z) ?? 0) + 1);
    assert.equal(result.networkReservations.get(p.uid)?.zone, z, `${ctx}: reservation zone of ${p.uid}`);
  }
  for (const [z, n] of pnPerZone) assert.ok(n <= (free.get(z) ?? 0), `${ctx}: ${n} PodNetworking pods in ${z} with ${free.get(z)} free IPs`);

  // Limits: the largest type each claim might launch, summed, stays within the pool's limits.
  for (const pool of input.nodePools) {
    if (!pool.limits) continue;
    for (const [k, limit] of Object.entries(pool.limits)) {
      let worst = pool.usage?.[k] ?? 0;
      for (const c of result.newClaims) if (c.nodePool === pool.name) worst += Math.max(...c.instanceTypeOptions.map((o) => (types.get(o.name) as InstanceType).capacity[k] ?? 0));
      assert.ok(worst <= limit, `${ctx}: pool ${pool.name} ${k} ${worst} > ${limit}`);
    }
  }
}

describe('property: every placement satisfies every hard constraint', () => {
  it('holds on 400 seeded random workloads', () => {
    let placed = 0;
    let claims = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const input = genInput(seed);
      check(input, seed);
      const r = solve(input);
      placed += r.existingPlacements.size + r.newClaims.reduce((s, c) => s + c.pods.length, 0);
      claims += r.newClaims.length;
    }
    // The workloads must exercise the solver, not just report everything unschedulable.
    assert.ok(placed > 3000, `only ${placed} pods placed`);
    assert.ok(claims > 500, `only ${claims} claims`);
  });

  it('holds when the re-pack rewrites plans with many interchangeable pods beside constrained ones', () => {
    let cheaper = 0;
    for (let seed = 1001; seed <= 1200; seed++) {
      const input = withBulk(genInput(seed), seed);
      check(input, seed);
      const price = (r: ReturnType<typeof solve>) => r.newClaims.reduce((s, c) => s + c.price, 0);
      const repacked = solve(input);
      const firstFit = solve(input, { repackRounds: 0 });
      assert.equal(repacked.unschedulable.size, firstFit.unschedulable.size, `seed ${seed}: re-pack changed what is schedulable`);
      assert.ok(price(repacked) <= price(firstFit) + 1e-9, `seed ${seed}: re-pack raised the price`);
      if (price(repacked) < price(firstFit) - 1e-9) cheaper++;
    }
    // The generator must actually exercise the re-pack.
    assert.ok(cheaper > 40, `the re-pack changed only ${cheaper} plans`);
  });

  it('is deterministic', () => {
    const a = solve(genInput(7));
    const b = solve(genInput(7));
    assert.deepEqual(a.newClaims.map((c) => [c.nodePool, c.pods.length, c.price]), b.newClaims.map((c) => [c.nodePool, c.pods.length, c.price]));
  });
});
