// The operator binary (src/main.ts) as a process against a real API server and the simulator:
// it starts, takes the Lease, becomes ready only when the cloud answers, never logs a secret,
// reads credentials from a mounted Secret's files, and on SIGTERM exits 0 and releases the Lease.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { installCrds } from '../harness/crds.js';
import { eventually } from '../harness/eventually.js';
import { httpGet as get } from '../harness/operator-process.js';

const mainTs = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

interface OperatorProcess {
  child: ChildProcess;
  output: () => string;
  ports: Promise<{ metrics: number; health: number }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startOperator(args: string[], env: Record<string, string> = {}): OperatorProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', mainTs, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ports = new Promise<{ metrics: number; health: number }>((resolve, reject) => {
    const found: { metrics?: number; health?: number } = {};
    createInterface(child.stdout!).on('line', (line) => {
      output += `${line}\n`;
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg?.startsWith('metrics listening')) found.metrics = entry.port;
        if (entry.msg?.startsWith('health probes listening')) found.health = entry.port;
        if (found.metrics && found.health) resolve({ metrics: found.metrics, health: found.health });
      } catch {
        // not JSON
      }
    });
    void exited.then(({ code }) => reject(new Error(`operator exited (${code}) before serving:\n${output}`)));
  });
  ports.catch(() => undefined);
  return { child, output: () => output, ports, exited };
}

describe('the operator process (src/main.ts)', () => {
  let cp: ControlPlane;
  const running: OperatorProcess[] = [];

  before(async () => {
    cp = await startControlPlane({ kwok: false });
    await installCrds(cp);
  });
  after(async () => {
    for (const op of running) if (op.child.exitCode === null && op.child.signalCode === null) op.child.kill('SIGKILL');
    await Promise.all(running.map((op) => op.exited));
    await cp?.stop();
  });

  const leaseHolder = async (name: string): Promise<string> => {
    const result = await cp.kubectl(['get', 'lease', '-n', 'default', name, '-o', 'json']);
    if (result.code !== 0) return '';
    return z.object({ spec: z.object({ holderIdentity: z.string().optional() }) }).parse(JSON.parse(result.stdout)).spec.holderIdentity ?? '';
  };

  it('with the embedded cloud: leads, becomes ready, exports metrics, and stops cleanly on SIGTERM', async () => {
    const op = startOperator([
      '--cluster-id=c-main-test',
      '--cloud-endpoint=embedded',
      '--simulator-latency-profile=zero',
      `--kubeconfig=${cp.kubeconfigPath}`,
      '--leader-election-namespace=default',
      '--leader-election-lease-name=main-test',
      '--metrics-port=0',
      '--health-port=0',
      '--bind-address=127.0.0.1',
    ], { POD_NAME: 'operator-abc' });
    running.push(op);
    const { metrics, health } = await op.ports;

    await eventually('/readyz answers 200', async () => ((await get(health, '/readyz')).status === 200 ? true : undefined), { timeoutMs: 30_000, lastSeen: op.output });
    assert.equal((await get(health, '/healthz')).status, 200);
    assert.match(await leaseHolder('main-test'), /^operator-abc_[0-9a-f]{8}$/);
    const scraped = (await get(metrics, '/metrics')).body;
    assert.match(scraped, /leader_election_master_status\{name="main-test"\} 1/);
    assert.match(scraped, /aliyun_openapi_requests_total\{action="DescribeZones",code="OK"\} \d+/, 'the cloud check went through the SDK');
    assert.ok(!op.output().includes('SimulatorAccessKeySecret0000'), 'the access key secret is never logged');

    op.child.kill('SIGTERM');
    const exit = await op.exited;
    assert.equal(exit.code, 0, op.output().slice(-3000));
    assert.equal(await leaseHolder('main-test'), '', 'the Lease is released on a graceful stop');
  });

  describe('credentials from a mounted Secret', () => {
    let simulator: RunningSimulator;
    let dir: string;

    before(async () => {
      simulator = await startSimulator({ accessKeys: [{ accessKeyId: 'LTAI5tMountedKeyId', accessKeySecret: 'MountedSecretValue123' }] });
      dir = await mkdtemp(join(tmpdir(), 'operator-creds-'));
    });
    after(async () => {
      await simulator?.close();
      await rm(dir, { recursive: true, force: true });
    });

    /** The operator with its cloud key read from `credentialsDir`, as from a mounted Secret. */
    function startWithCredentials(credentialsDir: string) {
      const op = startOperator([
        '--cluster-id=c-creds',
        `--region=${simulator.region}`,
        `--cloud-endpoint=http://${simulator.endpoint}`,
        `--credentials-dir=${credentialsDir}`,
        `--kubeconfig=${cp.kubeconfigPath}`,
        '--leader-elect=false',
        '--metrics-port=0',
        '--health-port=0',
        '--bind-address=127.0.0.1',
      ]);
      running.push(op);
      return op;
    }

    it('signs cloud calls with the key from the files and keeps the secret out of the logs', async () => {
      await writeFile(join(dir, 'access-key-id'), 'LTAI5tMountedKeyId\n');
      await writeFile(join(dir, 'access-key-secret'), 'MountedSecretValue123\n');
      const op = startWithCredentials(dir);
      const { health } = await op.ports;
      await eventually('/readyz answers 200 (the simulator verified the signature)', async () => ((await get(health, '/readyz')).status === 200 ? true : undefined), { timeoutMs: 30_000, lastSeen: op.output });
      assert.ok(!op.output().includes('MountedSecretValue123'), 'the secret from the file is never logged');
      op.child.kill('SIGTERM');
      assert.equal((await op.exited).code, 0);
    });

    it('is not ready while the cloud rejects its key', async () => {
      const wrong = await mkdtemp(join(tmpdir(), 'operator-creds-wrong-'));
      await writeFile(join(wrong, 'access-key-id'), 'LTAI5tMountedKeyId');
      await writeFile(join(wrong, 'access-key-secret'), 'not-the-secret');
      const op = startWithCredentials(wrong);
      const { health } = await op.ports;
      const readyz = await eventually('/readyz reports the cloud check', async () => {
        const r = await get(health, '/readyz');
        return r.body.includes('[-]cloud') ? r : undefined;
      }, { timeoutMs: 30_000 });
      assert.equal(readyz.status, 500);
      assert.equal((await get(health, '/healthz')).status, 200, 'alive: a restart would not fix a wrong key');
      op.child.kill('SIGTERM');
      assert.equal((await op.exited).code, 0);
      await rm(wrong, { recursive: true, force: true });
    });

    it('refuses to start when a credentials file is missing, saying which', async () => {
      const empty = await mkdtemp(join(tmpdir(), 'operator-creds-empty-'));
      await writeFile(join(empty, 'access-key-id'), 'LTAI5tMountedKeyId');
      const op = startOperator(['--cluster-id=c-creds', '--region=cn-hangzhou', `--credentials-dir=${empty}`, `--kubeconfig=${cp.kubeconfigPath}`, '--metrics-port=0', '--health-port=0']);
      running.push(op);
      const exit = await op.exited;
      assert.equal(exit.code, 1);
      assert.match(op.output(), /lacks a non-empty access-key-secret file/);
      await rm(empty, { recursive: true, force: true });
    });
  });

  it('exits 2 with the offending flags named when options are invalid', async () => {
    const op = startOperator(['--region=cn-hangzhou', '--health-port=99999'], { CLUSTER_ID: '' });
    running.push(op);
    const exit = await op.exited;
    assert.equal(exit.code, 2);
    assert.match(op.output(), /--cluster-id \(CLUSTER_ID\): required/);
    assert.match(op.output(), /--health-port \(HEALTH_PORT\): must be at most 65535/);
  });
});
