// A real, throwaway Kubernetes control plane for integration tests and the demo: etcd,
// kube-apiserver (client-certificate auth, Node + RBAC authorizers, service-account tokens),
// kube-controller-manager, kube-scheduler and kwok playing every kubelet, all on free loopback
// ports with a fresh data directory. Binaries come from hack/controlplane/build.sh.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dataDirBase, dataDirPrefix, removeAbandonedDataDirs } from './datadir.js';
import { writeKubeconfig } from './kubeconfig.js';
import { createPki, type ControlPlanePki } from './pki.js';
import { freeLoopbackPorts } from './ports.js';
import { orphanSafe, startManagedProcess, type ManagedProcess } from './processes.js';
import { httpGet, waitUntil, type TlsOptions } from './readiness.js';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ControlPlane {
  /** Admin kubeconfig (client certificate in group system:masters). */
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  binDir: string;
  /** Runs kubectl against this control plane (admin unless `kubeconfig` says otherwise). Never throws on a non-zero exit. */
  kubectl(args: string[], opts?: { input?: string; kubeconfig?: string }): Promise<KubectlResult>;
  /** Writes a kubeconfig that authenticates with a bearer token, e.g. a ServiceAccount's from `kubectl create token`. */
  kubeconfigForToken(token: string): Promise<string>;
  /** Stops every component (SIGTERM, then SIGKILL) and removes the data directory. Safe to call twice. */
  stop(): Promise<void>;
  /** Temporary directory holding certificates, etcd data and component logs (`logs/<component>.log`). */
  dataDir: string;
  /** The running components; each leads its own process group. */
  processes: ReadonlyArray<{ name: string; pid: number }>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const buildScript = join(repoRoot, 'hack/controlplane/build.sh');
const kwokStagesDir = fileURLToPath(new URL('./kwok/', import.meta.url));
const serviceClusterIpRange = '10.96.0.0/16';
const kubernetesServiceIp = '10.96.0.1';
const podCidr = '10.244.0.0/16';
const requiredBinaries = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok'];

let binaries: Promise<string> | undefined;

/**
 * Builds (first time only, ~15 minutes) or finds the cached control-plane binaries and returns their
 * directory. `ACK_OPERATOR_BIN_DIR` skips the build script when it already holds every binary.
 */
export function ensureBinaries(): Promise<string> {
  binaries ??= findOrBuildBinaries();
  return binaries;
}

async function findOrBuildBinaries(): Promise<string> {
  const preset = process.env.ACK_OPERATOR_BIN_DIR;
  if (preset && requiredBinaries.every((name) => existsSync(join(preset, name)))) return preset;
  try {
    const { stdout } = await promisify(execFile)('bash', [buildScript], { maxBuffer: 16 * 1024 * 1024 });
    const binDir = stdout.trim().split('\n').at(-1) ?? '';
    if (!requiredBinaries.every((name) => existsSync(join(binDir, name)))) {
      throw new Error(`build.sh reported ${JSON.stringify(binDir)}, which lacks some of ${requiredBinaries.join(', ')}`);
    }
    return binDir;
  } catch (error) {
    binaries = undefined; // let a later call retry
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`hack/controlplane/build.sh failed: ${(error as Error).message}\n${stderr.slice(-4000)}`);
  }
}

/** Starts a fresh control plane; `kwok: false` leaves Nodes and Pods without a kubelet. */
export async function startControlPlane(opts: { kwok?: boolean } = {}): Promise<ControlPlane> {
  const binDir = await ensureBinaries();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binDir, opts.kwok ?? true);
    } catch (error) {
      // Free ports are only free until someone else binds them; one retry absorbs that race.
      if (attempt >= 2 || !/address already in use/i.test(String(error))) throw error;
    }
  }
}

/** `ACK_CP_DEBUG=1` prints how long each start-up phase took. */
function phaseTimer(): (phase: string) => void {
  const start = Date.now();
  return process.env.ACK_CP_DEBUG ? (phase) => process.stderr.write(`[controlplane] ${phase} after ${Date.now() - start} ms\n`) : () => undefined;
}

async function startOnce(binDir: string, withKwok: boolean): Promise<ControlPlane> {
  const phase = phaseTimer();
  const baseDir = dataDirBase();
  await removeAbandonedDataDirs(baseDir);
  const dataDir = await mkdtemp(join(baseDir, dataDirPrefix));
  await writeFile(join(dataDir, 'owner.pid'), String(process.pid));
  const logsDir = join(dataDir, 'logs');
  const pkiDir = join(dataDir, 'pki');
  await Promise.all([mkdir(logsDir), mkdir(pkiDir)]);

  const started: ManagedProcess[] = [];
  const run = (name: string, args: string[]): ManagedProcess => {
    const child = startManagedProcess(name, join(binDir, name), args, join(logsDir, `${name}.log`));
    started.push(child);
    return child;
  };

  try {
    const [etcdPort, etcdPeerPort, apiPort, controllerManagerPort, schedulerPort, kwokPort] = await freeLoopbackPorts(6);
    const pki = await createPki(pkiDir, kubernetesServiceIp);
    phase('certificates');
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = (file: string, role: keyof ControlPlanePki['clients']): Promise<string> =>
      writeKubeconfig(join(dataDir, file), server, pki.caCertPath,
        { clientCertPath: pki.clients[role].certPath, clientKeyPath: pki.clients[role].keyPath });
    const [kubeconfigPath, controllerManagerKubeconfig, schedulerKubeconfig, kwokKubeconfig] = await Promise.all([
      kubeconfig('admin.kubeconfig', 'admin'),
      kubeconfig('controller-manager.kubeconfig', 'controllerManager'),
      kubeconfig('scheduler.kubeconfig', 'scheduler'),
      kubeconfig('kwok.kubeconfig', 'kwok'),
    ]);

    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcdPeerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcd = run('etcd', [
      '--name=default', `--data-dir=${join(dataDir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${etcdPeerUrl}`, `--initial-advertise-peer-urls=${etcdPeerUrl}`,
      `--initial-cluster=default=${etcdPeerUrl}`, '--initial-cluster-state=new',
      '--logger=zap', '--log-level=warn',
    ]);
    await waitUntil('etcd health', async () => (await httpGet(`${etcdUrl}/health`)).body.includes('"true"'), [etcd], 30_000);
    phase('etcd healthy');

    const apiServer = run('kube-apiserver', [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--cert-dir=${join(dataDir, 'apiserver')}`,
      `--tls-cert-file=${pki.apiServerServing.certPath}`, `--tls-private-key-file=${pki.apiServerServing.keyPath}`,
      `--client-ca-file=${pki.caCertPath}`,
      '--authorization-mode=Node,RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPublicKeyPath}`,
      `--service-account-signing-key-file=${pki.serviceAccountPrivateKeyPath}`,
      `--service-cluster-ip-range=${serviceClusterIpRange}`,
      '--allow-privileged=true',
      // Endpoints may not point at loopback, so the "kubernetes" Service keeps no endpoints here.
      '--endpoint-reconciler-type=none',
      // etcd 3.4.23 lacks RequestWatchProgress, so every streaming watch (WatchList) ends in an
      // error and the client relists; kwok v0.7.0 then panics on a Node deleted in between
      // (DeletedFinalStateUnknown) and stops playing kubelets. Refusing the streaming watch makes
      // clients fall back to plain list+watch, which stays open.
      '--feature-gates=WatchList=false',
      '--profiling=false',
    ]);
    const ca = await readFile(pki.caCertPath);
    const admin = { ca, cert: await readFile(pki.clients.admin.certPath), key: await readFile(pki.clients.admin.keyPath) };
    await waitUntil('kube-apiserver /readyz', async () => (await httpGet(`${server}/readyz`, admin)).status === 200, [etcd, apiServer], 120_000);
    phase('kube-apiserver ready');

    const controllerManager = run('kube-controller-manager', [
      `--kubeconfig=${controllerManagerKubeconfig}`,
      '--bind-address=127.0.0.1', `--secure-port=${controllerManagerPort}`,
      '--leader-elect=false',
      // No cloud routes here, so no node IPAM; everything else runs as in a real cluster.
      '--controllers=*,-nodeipam',
      `--service-account-private-key-file=${pki.serviceAccountPrivateKeyPath}`,
      `--root-ca-file=${pki.caCertPath}`,
      `--cluster-signing-cert-file=${pki.caCertPath}`, `--cluster-signing-key-file=${pki.caKeyPath}`,
      '--profiling=false',
    ]);
    const scheduler = run('kube-scheduler', [
      `--kubeconfig=${schedulerKubeconfig}`,
      '--bind-address=127.0.0.1', `--secure-port=${schedulerPort}`,
      '--leader-elect=false',
      '--profiling=false',
    ]);
    const components = [etcd, apiServer, controllerManager, scheduler];
    if (withKwok) {
      const stages = (await readdir(kwokStagesDir)).filter((f) => f.endsWith('.yaml')).sort();
      components.push(run('kwok', [
        `--kubeconfig=${kwokKubeconfig}`,
        ...stages.map((f) => `--config=${join(kwokStagesDir, f)}`),
        '--manage-all-nodes=true',
        `--server-address=127.0.0.1:${kwokPort}`,
        `--cidr=${podCidr}`,
        '--node-lease-duration-seconds=40',
      ]));
    }

    // The components serve health on self-signed certificates; only the API server's is ours.
    const selfSigned: TlsOptions = { rejectUnauthorized: false };
    const healthy = async (url: string, tls: TlsOptions = selfSigned): Promise<boolean> => (await httpGet(url, tls)).status === 200;
    const ready = (what: string, check: () => Promise<boolean>): Promise<void> =>
      waitUntil(what, check, components, 60_000).then(() => phase(what));
    await Promise.all([
      ready('kube-controller-manager /healthz', () => healthy(`https://127.0.0.1:${controllerManagerPort}/healthz`)),
      ready('kube-scheduler /healthz', () => healthy(`https://127.0.0.1:${schedulerPort}/healthz`)),
      // Pods can only be admitted once their namespace's default ServiceAccount exists.
      ready('the default ServiceAccount', () => healthy(`${server}/api/v1/namespaces/default/serviceaccounts/default`, admin)),
      ready('the kube-root-ca.crt ConfigMap', () => healthy(`${server}/api/v1/namespaces/default/configmaps/kube-root-ca.crt`, admin)),
      withKwok ? ready('kwok /healthz', () => healthy(`http://127.0.0.1:${kwokPort}/healthz`)) : undefined,
    ]);

    return controlPlaneHandle({ binDir, dataDir, server, kubeconfigPath, caCertPath: pki.caCertPath, components });
  } catch (error) {
    await stopComponents(started);
    await removeDataDir(dataDir);
    throw error;
  }
}

function controlPlaneHandle(cp: { binDir: string; dataDir: string; server: string; kubeconfigPath: string; caCertPath: string; components: ManagedProcess[] }): ControlPlane {
  let tokenKubeconfigs = 0;
  let stopping: Promise<void> | undefined;
  return {
    kubeconfigPath: cp.kubeconfigPath,
    server: cp.server,
    binDir: cp.binDir,
    dataDir: cp.dataDir,
    processes: cp.components.map(({ name, pid }) => ({ name, pid })),
    kubectl: (args, opts = {}) => runKubectl(cp.binDir, [
      `--kubeconfig=${opts.kubeconfig ?? cp.kubeconfigPath}`,
      // Discovery cache per control plane, not in ~/.kube where every test's port would pile up.
      `--cache-dir=${join(cp.dataDir, 'kubectl-cache')}`,
      ...args,
    ], opts.input),
    kubeconfigForToken: (token) => writeKubeconfig(join(cp.dataDir, `token-${++tokenKubeconfigs}.kubeconfig`), cp.server, cp.caCertPath, { token }),
    stop() {
      stopping ??= stopComponents(cp.components).then(() => removeDataDir(cp.dataDir));
      return stopping;
    },
  };
}

function runKubectl(binDir: string, args: string[], input: string | undefined): Promise<KubectlResult> {
  const command = orphanSafe(join(binDir, 'kubectl'), args);
  return new Promise((resolve, reject) => {
    const child = spawn(command.command, command.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({
      code: code ?? (signal ? 128 : 1),
      stdout: Buffer.concat(stdout).toString('utf8'),
      stderr: Buffer.concat(stderr).toString('utf8'),
    }));
    child.stdin.on('error', () => undefined); // kubectl may exit before reading its input
    child.stdin.end(input ?? '');
  });
}

/** Clients first, so the API server can still answer them while they shut down; etcd last. */
async function stopComponents(components: ManagedProcess[]): Promise<void> {
  const byName = (...names: string[]): ManagedProcess[] => components.filter((c) => names.includes(c.name));
  await Promise.all(byName('kwok', 'kube-scheduler', 'kube-controller-manager').map((c) => c.stop(2000)));
  await Promise.all(byName('kube-apiserver').map((c) => c.stop(5000)));
  await Promise.all(byName('etcd').map((c) => c.stop(3000)));
}

async function removeDataDir(dir: string): Promise<void> {
  if (process.env.ACK_CP_KEEP_DATA) return;
  await rm(dir, { recursive: true, force: true });
}
