// IPAM benchmark (issue 7): 1,000 pod starts and stops over 20 nodes, against the simulator
// through the real provider and SDK. Prints and writes bench-results/ipam.json:
//   - OpenAPI calls per 1,000 pods (target <= 150), everything the IPAM called from node
//     registration (warm-up included) to the end, reclaim included;
//   - p50/p99 allocation latency from a warm pool (target p99 < 10 ms): allocations the engine
//     served from an idle address without waiting for the cloud; all allocations are reported too.
//     Pods start in waves of 40 concurrent allocations, so a latency includes its wave's queueing;
//   - peak idle addresses across the cluster.
// Time is compressed (pods live milliseconds), so the release cooldown is 0 and the idle reclaim
// delay (minutes in production) does not elapse during the run: only addresses above
// maxPoolSize are given back, as Terway does by default. Pool sizes are Terway-like.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineFor, startIpamSimEnv } from '../../src/ipam/testing.js';
import { seededRandom } from '../../src/scheduling/test-fixtures.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NODES = 20;
const PODS = 1_000;
const TARGET_LIVE = 240; // ~12 pods per node on average, in waves
const INSTANCE_TYPE = 'ecs.g7.4xlarge'; // 8 ENIs x 30 addresses: 210 pods per node

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

async function main(): Promise<void> {
  const env = await startIpamSimEnv({ simulator: { seed: 11 } });
  try {
    const instances = [];
    for (let i = 0; i < NODES; i++) instances.push(await env.launch(INSTANCE_TYPE));
    const warm: number[] = [];
    const all: number[] = [];
    const { engine } = await engineFor(env, {
      clusterName: 'bench',
      pool: { minPoolSize: 5, maxPoolSize: 25, warmUpSize: 10 },
      releaseCooldownMs: 0,
      idleReclaimAfterMs: 10 * 60_000,
      eniPollInitialMs: 0,
    }, {
      onAllocated: (o) => {
        all.push(o.seconds * 1000);
        if (o.warm) warm.push(o.seconds * 1000);
      },
    });
    env.sim.state.resetCalls();

    const rng = seededRandom(2024);
    const nodes = instances.map((inst, i) => ({ name: `bench-${i}`, instanceId: inst.id }));
    await Promise.all(nodes.map((n) => engine.registerNode({ ...n, zone: env.zone, instanceType: env.instanceTypes.get(INSTANCE_TYPE)! })));
    const warmUpCalls = Object.values(env.sim.state.calls()).reduce((n, c) => n + c.total, 0);

    const live: { name: string; uid: string; node: string }[] = [];
    let peakIdle = engine.idleCount();
    let started = 0;
    let failures = 0;
    const wallStart = performance.now();
    while (started < PODS || live.length > 0) {
      // A wave: start up to 40 pods across random nodes, concurrently.
      const wave = Math.min(40, PODS - started);
      const starts: Promise<void>[] = [];
      for (let k = 0; k < wave; k++) {
        const node = nodes[Math.floor(rng() * NODES)]!.name;
        const name = `pod-${started++}`;
        const uid = `${name}-uid`;
        starts.push(
          engine
            .allocate({ pod: { namespace: 'bench', name, uid }, nodeName: node, network: env.officeNetwork })
            .then(() => {
              live.push({ name, uid, node });
            })
            .catch(() => {
              failures++;
            }),
        );
      }
      await Promise.all(starts);
      peakIdle = Math.max(peakIdle, engine.idleCount());
      // Stop pods until the live count is back under the target (all of them at the end).
      const keep = started >= PODS ? 0 : Math.max(0, TARGET_LIVE - wave);
      const stops: Promise<void>[] = [];
      while (live.length > keep) {
        const victim = live.splice(Math.floor(rng() * live.length), 1)[0]!;
        stops.push(engine.release({ namespace: 'bench', name: victim.name, uid: victim.uid }));
      }
      await Promise.all(stops);
      peakIdle = Math.max(peakIdle, engine.idleCount());
      await new Promise((r) => setTimeout(r, 5));
      await engine.reclaimIdle();
    }
    await new Promise((r) => setTimeout(r, 60));
    await engine.reclaimIdle();
    const wallMs = performance.now() - wallStart;

    const calls = env.sim.state.calls();
    const totalCalls = Object.values(calls).reduce((n, c) => n + c.total, 0);
    warm.sort((a, b) => a - b);
    all.sort((a, b) => a - b);
    const result = {
      benchmark: 'ipam',
      nodes: NODES,
      instanceType: INSTANCE_TYPE,
      podStartsAndStops: started,
      failedAllocations: failures,
      openApiCalls: {
        total: totalCalls,
        warmUp: warmUpCalls,
        per1000Pods: Math.round((totalCalls / started) * 1000 * 10) / 10,
        byAction: Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, v.total])),
        target: 150,
      },
      allocationLatencyMs: {
        warmPool: { count: warm.length, p50: percentile(warm, 50), p99: percentile(warm, 99), max: warm.at(-1) ?? null },
        all: { count: all.length, p50: percentile(all, 50), p99: percentile(all, 99), max: all.at(-1) ?? null },
        targetWarmP99: 10,
      },
      peakIdleIPs: peakIdle,
      idleIPsAtEnd: engine.idleCount(),
      wallClockMs: Math.round(wallMs),
      pool: { minPoolSize: 5, maxPoolSize: 25, warmUpSize: 10 },
      met: {
        callsPer1000: (totalCalls / started) * 1000 <= 150,
        warmP99: percentile(warm, 99) < 10,
      },
    };
    const round = (x: number) => Math.round(x * 1000) / 1000;
    result.allocationLatencyMs.warmPool.p50 = round(result.allocationLatencyMs.warmPool.p50);
    result.allocationLatencyMs.warmPool.p99 = round(result.allocationLatencyMs.warmPool.p99);
    result.allocationLatencyMs.all.p50 = round(result.allocationLatencyMs.all.p50);
    result.allocationLatencyMs.all.p99 = round(result.allocationLatencyMs.all.p99);
    console.log(JSON.stringify(result, null, 2));
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    writeFileSync(join(root, 'bench-results', 'ipam.json'), `${JSON.stringify(result, null, 2)}\n`);
    if (!result.met.callsPer1000 || !result.met.warmP99) process.exitCode = 1;
  } finally {
    await env.close();
  }
}

await main();
