// The scheduling core alone on reproducible workloads: issue 6's real-catalog cases and issue 10's
// reference workload. Each case runs in a fresh child process (no JIT or heap carried over from
// another case): one warm-up solve on a smaller workload from another seed, then timed solves of
// the case's workload; the median is reported. Prints a table and writes bench-results/scheduling.json.
//
//   npm run bench:scheduling                       # every case
//   npm run bench:scheduling -- --suite reference  # one suite
//   npm run bench:scheduling -- --filter mix --sizes 1000,5000
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import {
  configurationLowerBound, fractionalLowerBoundForPods, podShareLowerBound, solve, type InstanceType, type NodePoolTemplate, type SchedulingInput, type SchedulingOptions, type SchedulingResult,
} from '../../src/scheduling/index.js';
import { loadCatalog } from './catalog.js';
import { catalogNetworking, catalogNodePool, catalogPods, type CatalogWorkload } from './catalog-workloads.js';
import { seededRandom } from '../../src/scheduling/test-fixtures.js';
import { defaultNodePool, diversePods, fakeInstanceTypes, preferencePods } from './reference-workload.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsPath = join(here, '..', '..', 'bench-results', 'scheduling.json');
const MiB = 2 ** 20;

interface CaseSpec {
  id: string;
  suite: 'catalog' | 'reference';
  workload: string;
  pods: number;
}

interface CaseResult extends CaseSpec {
  podsPerSecond: number;
  bestPodsPerSecond: number;
  seconds: number;
  runs: number;
  newNodes: number;
  existingPlacements: number;
  unschedulable: number;
  pricePerHour: number;
  /** The largest of the valid bounds below (each is a true lower bound, so the largest is too). */
  lowerBoundPricePerHour: number;
  /** Which bound lowerBoundPricePerHour (and so priceOverLowerBound) is. */
  lowerBoundUsed: 'aggregate' | 'podShare' | 'configuration';
  /**
   * Issue 6's fractional bound: the pods' summed cpu, memory (and pod slots) bought at the best
   * fractional mix of types, as if one node could sell its cores to pods on another.
   */
  aggregateBoundPricePerHour: number;
  /** Per-pod shares: each pod only on types that can hold it (see podShareLowerBound). */
  podShareBoundPricePerHour: number;
  /** Configuration LP: fractional numbers of nodes, but each node holds whole pods within its cores, memory and slots. */
  configurationBoundPricePerHour: number;
  /** Whether column generation reached the configuration LP's optimum (else the bound is Farley's, still valid). */
  configurationBoundExact: boolean;
  /** The configuration LP's fractional optimum (what an ideal packing would pay, nodes being divisible). */
  configurationLpPricePerHour: number;
  boundSeconds: number;
  priceOverLowerBound: number;
  /** Price over issue 6's aggregate bound, for comparison with earlier runs. */
  priceOverAggregateBound: number;
  peakHeapMiB: number;
  maxRssMiB: number;
}

const catalogWorkloads: CatalogWorkload[] = ['plain', 'zonal-spread', 'hostname-anti-affinity', 'mix'];
const catalogSizes = [100, 500, 1000, 2000, 5000];
const referenceSizes = [100, 500, 1000, 2000, 5000, 10000, 20000];

function allCases(): CaseSpec[] {
  const out: CaseSpec[] = [];
  for (const w of catalogWorkloads) for (const n of catalogSizes) out.push({ id: `catalog/${w}/${n}`, suite: 'catalog', workload: w, pods: n });
  for (const n of referenceSizes) out.push({ id: `reference/diverse/${n}`, suite: 'reference', workload: 'diverse', pods: n });
  out.push({ id: 'reference/preferences-respect/4000', suite: 'reference', workload: 'preferences-respect', pods: 4000 });
  out.push({ id: 'reference/preferences-ignore/4000', suite: 'reference', workload: 'preferences-ignore', pods: 4000 });
  return out;
}

interface BuiltCase {
  input: SchedulingInput;
  options: SchedulingOptions;
  /** Types the pool may launch, for the lower bound. */
  poolTypes: InstanceType[];
}

let catalogCache: ReturnType<typeof loadCatalog> | undefined;
let fakeCache: InstanceType[] | undefined;

function poolTypes(pool: NodePoolTemplate, types: InstanceType[]): InstanceType[] {
  return types.filter((t) => (pool.requirements ?? []).every((r) => {
    const v = t.labels[r.key];
    return r.operator !== 'In' || v === undefined || (r.values ?? []).includes(v);
  }));
}

function build(spec: CaseSpec, pods: number, seed: number): BuiltCase {
  const rng = seededRandom(seed);
  if (spec.suite === 'catalog') {
    catalogCache ??= loadCatalog('cn-hangzhou');
    const input: SchedulingInput = {
      pods: catalogPods(spec.workload as CatalogWorkload, pods, rng),
      nodePools: [catalogNodePool],
      instanceTypes: catalogCache.instanceTypes,
      networking: catalogNetworking(catalogCache.zones),
    };
    return { input, options: {}, poolTypes: poolTypes(catalogNodePool, catalogCache.instanceTypes) };
  }
  fakeCache ??= fakeInstanceTypes(400);
  const podList = spec.workload === 'diverse' ? diversePods(pods, rng) : preferencePods(pods, rng);
  return {
    input: { pods: podList, nodePools: [defaultNodePool], instanceTypes: fakeCache },
    options: { preferencePolicy: spec.workload === 'preferences-ignore' ? 'Ignore' : 'Respect' },
    poolTypes: fakeCache,
  };
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Child: warm up, time the case, print one JSON line. */
function runCase(spec: CaseSpec): void {
  const warm = build(spec, Math.min(spec.pods, 500), 7);
  solve(warm.input, warm.options);
  const built = build(spec, spec.pods, 42);
  const runs = spec.pods <= 2000 ? 5 : spec.pods <= 5000 ? 3 : 1;
  const times: number[] = [];
  let result: SchedulingResult | undefined;
  let peakHeap = 0;
  for (let i = 0; i < runs; i++) {
    result = undefined;
    gc();
    const start = performance.now();
    result = solve(built.input, built.options);
    times.push((performance.now() - start) / 1000);
    const h = getHeapStatistics();
    peakHeap = Math.max(peakHeap, h.total_heap_size, h.used_heap_size);
  }
  const r = result as SchedulingResult;
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] as number;
  const price = r.newClaims.reduce((s, c) => s + c.price, 0);
  // Bounds cover the pods the plan placed on new nodes (all of them, on these workloads).
  const placed = built.input.pods.filter((p) => !r.unschedulable.has(p.uid) && !r.existingPlacements.has(p.uid));
  const boundStart = performance.now();
  const aggregate = fractionalLowerBoundForPods(placed, built.poolTypes).price;
  const share = podShareLowerBound(placed, built.poolTypes);
  const configuration = configurationLowerBound(placed, built.poolTypes);
  const boundSeconds = (performance.now() - boundStart) / 1000;
  const candidates = [['aggregate', aggregate], ['podShare', share], ['configuration', configuration.bound]] as const;
  const [used, bound] = candidates.reduce((a, b) => (b[1] > a[1] ? b : a));
  const out: CaseResult = {
    ...spec,
    podsPerSecond: Math.round(spec.pods / median),
    bestPodsPerSecond: Math.round(spec.pods / (times[0] as number)),
    seconds: +median.toFixed(3),
    runs,
    newNodes: r.newClaims.length,
    existingPlacements: r.existingPlacements.size,
    unschedulable: r.unschedulable.size,
    pricePerHour: +price.toFixed(3),
    lowerBoundPricePerHour: +bound.toFixed(3),
    lowerBoundUsed: used,
    aggregateBoundPricePerHour: +aggregate.toFixed(3),
    podShareBoundPricePerHour: +share.toFixed(3),
    configurationBoundPricePerHour: +configuration.bound.toFixed(3),
    configurationBoundExact: configuration.exact,
    configurationLpPricePerHour: +configuration.lpValue.toFixed(3),
    boundSeconds: +boundSeconds.toFixed(2),
    priceOverLowerBound: +(price / bound).toFixed(4),
    priceOverAggregateBound: +(price / aggregate).toFixed(4),
    peakHeapMiB: Math.round(peakHeap / MiB),
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

interface Target {
  name: string;
  met: boolean;
  detail: string;
}

function targets(results: CaseResult[]): Target[] {
  const out: Target[] = [];
  const get = (id: string) => results.find((r) => r.id === id);
  const at = (id: string, name: string, test: (r: CaseResult) => boolean, detail: (r: CaseResult) => string) => {
    const r = get(id);
    if (r) out.push({ name, met: test(r), detail: detail(r) });
  };
  at('reference/diverse/5000', 'reference 5,000 pods >= 800 pods/s', (r) => r.podsPerSecond >= 800, (r) => `${r.podsPerSecond} pods/s`);
  at('reference/diverse/20000', 'reference 20,000 pods >= 500 pods/s', (r) => r.podsPerSecond >= 500, (r) => `${r.podsPerSecond} pods/s`);
  at('reference/diverse/20000', 'reference 20,000 pods peak heap < 1 GiB', (r) => r.peakHeapMiB < 1024 && r.maxRssMiB < 1024, (r) => `heap ${r.peakHeapMiB} MiB, RSS ${r.maxRssMiB} MiB`);
  at('reference/preferences-respect/4000', 'preference case respecting preferences < 10 s', (r) => r.seconds < 10, (r) => `${r.seconds} s, ${r.newNodes} nodes`);
  at('reference/preferences-ignore/4000', 'preference case ignoring preferences < 10 s', (r) => r.seconds < 10, (r) => `${r.seconds} s, ${r.newNodes} nodes`);
  for (const r of results.filter((x) => x.workload === 'diverse')) {
    out.push({ name: `reference ${r.pods} pods: new nodes <= pods/5`, met: r.newNodes <= r.pods / 5, detail: `${r.newNodes} nodes` });
  }
  for (const r of results.filter((x) => x.suite === 'catalog' && (x.workload === 'mix' || x.workload === 'plain') && x.pods >= 500)) {
    out.push({ name: `catalog ${r.workload} ${r.pods} pods >= 1,000 pods/s`, met: r.podsPerSecond >= 1000, detail: `${r.podsPerSecond} pods/s` });
  }
  for (const r of results.filter((x) => x.suite === 'catalog' && x.workload === 'plain')) {
    out.push({ name: `catalog plain ${r.pods} pods within 10% of the lower bound`, met: r.priceOverLowerBound <= 1.1, detail: `${r.priceOverLowerBound}x` });
  }
  return out;
}

function parseArgs(argv: string[]): { suite?: string; filter?: string; sizes?: number[]; runCase?: string } {
  const out: ReturnType<typeof parseArgs> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (!v) continue;
    if (a === '--suite') out.suite = v;
    else if (a === '--filter') out.filter = v;
    else if (a === '--sizes') out.sizes = v.split(',').map(Number);
    else if (a === '--run-case') out.runCase = v;
    else continue;
    i++;
  }
  return out;
}

function pad(s: string | number, n: number, right = false): string {
  const t = String(s);
  return right ? t.padEnd(n) : t.padStart(n);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const cases = allCases();
  if (args.runCase) {
    const spec = cases.find((c) => c.id === args.runCase);
    if (!spec) throw new Error(`unknown case ${args.runCase}`);
    runCase(spec);
    return;
  }
  const selected = cases.filter((c) => (!args.suite || c.suite === args.suite) && (!args.filter || c.id.includes(args.filter)) && (!args.sizes || args.sizes.includes(c.pods)));
  const header = `${pad('case', 38, true)} ${pad('pods', 6)} ${pad('pods/s', 7)} ${pad('best', 7)} ${pad('secs', 7)} ${pad('nodes', 6)} ${pad('unsched', 7)} ${pad('price/h', 9)} ${pad('bound/h', 9)} ${pad('ratio', 6)} ${pad('bound', 13)} ${pad('/agg', 6)} ${pad('heapMiB', 7)} ${pad('rssMiB', 6)}`;
  console.log(`scheduling benchmark on ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(header);
  const results: CaseResult[] = [];
  const write = () => {
    mkdirSync(dirname(resultsPath), { recursive: true });
    writeFileSync(resultsPath, `${JSON.stringify({ generatedAt: new Date().toISOString(), cpus: cpus().length, loadAverage: loadavg(), node: process.version, cases: results, targets: targets(results) }, null, 2)}\n`);
  };
  for (const spec of selected) {
    const child = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), '--run-case', spec.id], { encoding: 'utf8', maxBuffer: 16 * MiB });
    if (child.status !== 0) {
      console.error(`${spec.id} failed:\n${child.stderr}`);
      process.exitCode = 1;
      continue;
    }
    const r = JSON.parse(child.stdout.trim().split('\n').pop() as string) as CaseResult;
    results.push(r);
    console.log(`${pad(r.id, 38, true)} ${pad(r.pods, 6)} ${pad(r.podsPerSecond, 7)} ${pad(r.bestPodsPerSecond, 7)} ${pad(r.seconds.toFixed(2), 7)} ${pad(r.newNodes, 6)} ${pad(r.unschedulable, 7)} ${pad(r.pricePerHour.toFixed(2), 9)} ${pad(r.lowerBoundPricePerHour.toFixed(2), 9)} ${pad(r.priceOverLowerBound.toFixed(3), 6)} ${pad(r.lowerBoundUsed, 13)} ${pad(r.priceOverAggregateBound.toFixed(3), 6)} ${pad(r.peakHeapMiB, 7)} ${pad(r.maxRssMiB, 6)}`);
    write();
  }
  write();
  const t = targets(results);
  if (t.length > 0) {
    console.log('\ntargets');
    for (const x of t) console.log(`  ${x.met ? 'met   ' : 'MISSED'} ${x.name}: ${x.detail}`);
  }
  console.log(`\nwrote ${resultsPath}`);
}

main();
