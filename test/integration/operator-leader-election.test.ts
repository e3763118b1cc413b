// Two operator processes on one Lease: only the leader runs the controller; when the leader is
// killed (SIGKILL: no release, as in a crash or a node failure) the standby takes over within the
// 15 s lease duration and the controller's non-idempotent side effect is never done twice; a
// leader stopped with SIGTERM releases the Lease so the next replica takes over at once.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { z } from 'zod';
import { builtinResource, loadKubeConfig, type KubeObject } from '../../src/operator/index.js';
import { InformerCache } from '../../src/operator/informers/cache.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { eventually } from '../harness/eventually.js';

const toyOperator = fileURLToPath(new URL('./fixtures/toy-operator.ts', import.meta.url));
const namespace = 'leader-election';
const leaseName = 'toy-operator';

type ConfigMap = KubeObject & { data?: Record<string, string> };
const ConfigMaps = builtinResource<ConfigMap>({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true });

interface Replica {
  identity: string;
  child: ChildProcess;
  metricsPort: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const leaseSchema = z.object({
  spec: z.object({ holderIdentity: z.string().optional(), acquireTime: z.string().optional(), leaseTransitions: z.number().optional() }),
});

function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('leader election between two operator processes', () => {
  let cp: ControlPlane;
  let cache: InformerCache;
  const replicas: Replica[] = [];
  /** When each job was first seen done, by the test's own informer. */
  const doneAt = new Map<string, number>();

  async function kubectl(args: string[], input?: string): Promise<string> {
    const result = await cp.kubectl(args, input === undefined ? {} : { input });
    assert.equal(result.code, 0, `kubectl ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  }

  async function startReplica(identity: string): Promise<Replica> {
    const child = spawn(process.execPath, ['--import', 'tsx', toyOperator, cp.kubeconfigPath, identity, namespace, leaseName], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TOY_LOG_LEVEL: 'warn' },
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const started = await new Promise<{ metrics: number }>((resolve, reject) => {
      const lines = createInterface(child.stdout!);
      lines.on('line', (line) => {
        try {
          const parsed = JSON.parse(line) as { started?: string; metrics?: number };
          if (parsed.started === identity && parsed.metrics) resolve({ metrics: parsed.metrics });
        } catch {
          // a log line
        }
      });
      void exited.then(({ code, signal }) => reject(new Error(`${identity} exited early (${code ?? signal}): ${stderr}`)));
    });
    const replica = { identity, child, metricsPort: started.metrics, exited };
    replicas.push(replica);
    return replica;
  }

  async function holder(): Promise<z.infer<typeof leaseSchema>['spec']> {
    return leaseSchema.parse(JSON.parse(await kubectl(['get', 'lease', '-n', namespace, leaseName, '-o', 'json']))).spec;
  }

  async function createJobs(from: number, to: number): Promise<void> {
    const items = [];
    for (let i = from; i <= to; i++) items.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `job-${i}`, labels: { toy: 'job' } }, data: { n: String(i) } });
    await kubectl(['apply', '-n', namespace, '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  }

  function effectsByJob(): Map<string, string[]> {
    const effects = new Map<string, string[]>();
    for (const cm of effectInformer().list(namespace)) {
      const job = cm.metadata?.labels?.['effect-of'];
      if (job) effects.set(job, [...(effects.get(job) ?? []), cm.data?.by ?? '?']);
    }
    return effects;
  }

  const effectInformer = () => cache.informer(ConfigMaps, { namespace, labelSelector: 'effect-of' });
  const jobInformer = () => cache.informer(ConfigMaps, { namespace, labelSelector: 'toy=job' });

  async function allDone(from: number, to: number, timeoutMs: number): Promise<void> {
    await eventually(`jobs ${from}..${to} are done`, async () => {
      for (let i = from; i <= to; i++) if (!doneAt.has(`job-${i}`)) return undefined;
      return true;
    }, { timeoutMs, intervalMs: 50, lastSeen: () => `done: ${[...doneAt.keys()].join(', ')}` });
  }

  before(async () => {
    cp = await startControlPlane({ kwok: false });
    await kubectl(['create', 'namespace', namespace]);
    cache = new InformerCache(loadKubeConfig(cp.kubeconfigPath), { logger: pino({ level: 'silent' }) });
    jobInformer().addHandler((event) => {
      const name = event.object.metadata?.name ?? '';
      if (event.type !== 'delete' && event.object.data?.done === 'true' && !doneAt.has(name)) doneAt.set(name, Date.now());
    });
    effectInformer();
    cache.start();
    await cache.waitForSync();
  });

  after(async () => {
    for (const replica of replicas) if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.exited));
    await cache?.stop();
    await cp?.stop();
  });

  it('runs the controller on the leader only, fails over within the lease duration after a crash, and never acts twice', async () => {
    const [a, b] = await Promise.all([startReplica('replica-a'), startReplica('replica-b')]);
    const leaderId = await eventually('one replica holds the lease', async () => {
      const spec = await holder().catch(() => undefined);
      return spec?.holderIdentity || undefined;
    });
    const leader = leaderId === a!.identity ? a! : b!;
    const standby = leader === a ? b! : a!;

    await eventually('the leader reports itself as master', async () =>
      (await scrape(leader.metricsPort)).includes(`leader_election_master_status{name="${leaseName}"} 1`) ? true : undefined,
    );
    assert.match(await scrape(standby.metricsPort), new RegExp(`leader_election_master_status\\{name="${leaseName}"\\} 0`));

    await createJobs(1, 5);
    await allDone(1, 5, 30_000);
    const before = effectsByJob();
    for (let i = 1; i <= 5; i++) assert.deepEqual(before.get(`job-${i}`), [leader.identity], `job-${i} handled once, by the leader`);

    // Crash the leader: no release, the standby must wait out the lease.
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await leader.exited;
    await createJobs(6, 10);
    await allDone(6, 10, 40_000);

    const spec = await holder();
    assert.equal(spec.holderIdentity, standby.identity);
    const acquiredAfterMs = Date.parse(spec.acquireTime ?? '') - killedAt;
    const firstActionAfterMs = Math.min(...[6, 7, 8, 9, 10].map((i) => doneAt.get(`job-${i}`)!)) - killedAt;
    // The leader renewed at most one retry period (2 s) before it died; the standby may only take
    // over a full lease duration (15 s) after the last renewal it saw.
    assert.ok(acquiredAfterMs >= 12_000, `took over too early: ${acquiredAfterMs} ms after the crash`);
    assert.ok(acquiredAfterMs <= 15_500, `took over ${acquiredAfterMs} ms after the crash; must be within the 15 s lease duration`);
    assert.ok(firstActionAfterMs <= 16_000, `first action ${firstActionAfterMs} ms after the crash`);
    process.stdout.write(`# failover: lease acquired ${acquiredAfterMs} ms and first job done ${firstActionAfterMs} ms after SIGKILL\n`);

    const afterFailover = effectsByJob();
    for (let i = 1; i <= 10; i++) {
      const by = afterFailover.get(`job-${i}`);
      assert.equal(by?.length, 1, `job-${i} has exactly one side effect, got ${JSON.stringify(by)}`);
    }
    for (let i = 6; i <= 10; i++) assert.deepEqual(afterFailover.get(`job-${i}`), [standby.identity]);
    assert.match(await scrape(standby.metricsPort), new RegExp(`leader_election_master_status\\{name="${leaseName}"\\} 1`));
  });

  it('a leader stopped with SIGTERM releases the lease, and the next replica takes over at once', async () => {
    const current = replicas.find((r) => r.child.exitCode === null && r.child.signalCode === null)!;
    assert.equal((await holder()).holderIdentity, current.identity);
    const next = await startReplica('replica-c');

    const stoppedAt = Date.now();
    current.child.kill('SIGTERM');
    const exit = await current.exited;
    assert.equal(exit.code, 0, 'a graceful stop exits 0');
    await eventually('replica-c holds the lease', async () => ((await holder()).holderIdentity === next.identity ? true : undefined), { timeoutMs: 20_000, intervalMs: 100 });
    const tookOverAfterMs = Date.parse((await holder()).acquireTime ?? '') - stoppedAt;
    assert.ok(tookOverAfterMs < 5_000, `took over ${tookOverAfterMs} ms after a graceful stop; a released lease needs no expiry`);

    await createJobs(11, 11);
    await allDone(11, 11, 20_000);
    assert.deepEqual(effectsByJob().get('job-11'), [next.identity]);
  });

  it('a leader that finds the Lease taken by someone else stops acting and exits 1, as controller-runtime does', async () => {
    const current = replicas.find((r) => r.child.exitCode === null && r.child.signalCode === null)!;
    assert.equal((await holder()).holderIdentity, current.identity);
    // A MicroTime: microsecond precision.
    const now = new Date().toISOString().replace('Z', '000Z');
    await kubectl(['patch', 'lease', '-n', namespace, leaseName, '--type=merge', '-p', JSON.stringify({ spec: { holderIdentity: 'intruder', renewTime: now, acquireTime: now } })]);
    const exit = await current.exited;
    assert.equal(exit.code, 1);
    await createJobs(12, 12);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.equal(doneAt.has('job-12'), false, 'no replica acts while the Lease is held by another');
  });
});
