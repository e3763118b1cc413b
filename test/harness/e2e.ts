// The end-to-end environment: a local control plane with kwok, the CRDs, the chart's RBAC, the
// cloud simulator in the TEST process, and the operator as a PROCESS with exactly the chart's
// ServiceAccount permissions (a missing verb fails the test, as it would fail a production install).
//
//   const env = await startE2e({ operatorArgs: ['--batch-idle-duration=500ms'] });
//   await env.apply(env.upstream('karpenter-alibabacloud-getting-started.yaml'));
//   env.simulator.faults / env.simulator.state     inject faults, inspect instances, ENIs, vSwitches
//   await env.operator.kill('SIGKILL'); await env.restartOperator();   a crash and a restart
//   const second = await env.startOperator({ identity: 'standby' });  another replica (leader election)
//   await env.stop();                                                   in an after() hook
//
// The simulator registers a Node when an instance reaches Running (with the admin kubeconfig, as
// a kubelet would join), and kwok makes it Ready and runs its pods. The operator gets default pod
// vSwitches (the seeded pod-vsw-<zone>) and the default security group for the IPAM, as a user's
// Terway eni-config would. The chart's pod admission webhook is registered too: the API server
// calls it through a loopback front that forwards to the ready replicas, as the chart's Service
// would, so a pod created while no replica is ready is refused (failurePolicy Fail).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { installChartRbac, type ChartIdentity } from './chart-rbac.js';
import { installCrds } from './crds.js';
import { startControlPlane, type ControlPlane } from './controlplane.js';
import { startOperatorProcess, type OperatorProcess } from './operator-process.js';
import { createWebhookCertificate, registerChartWebhook, startWebhookFront, type WebhookFront } from './webhook.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const upstreamDir = join(repoRoot, 'test/fixtures/upstream');

export interface E2eOptions {
  /** Discovery tag value the simulator seeds (karpenter.sh/discovery) and ${CLUSTER_NAME} in fixtures. Default 'e2e'. */
  clusterName?: string;
  /** Simulator options (latency, stock, delays, ...); the cluster name and kubeconfig are set by the harness. */
  simulator?: Omit<SimulatorOptions, 'kubeconfig' | 'clusterName'>;
  /** Extra operator flags, after the harness' own (a later flag wins). */
  operatorArgs?: readonly string[];
  /** Start the operator right away (default true). */
  startOperator?: boolean;
}

export interface E2eEnv {
  cp: ControlPlane;
  simulator: RunningSimulator;
  identity: ChartIdentity;
  clusterName: string;
  clusterId: string;
  /** The most recently started operator replica. */
  operator: OperatorProcess;
  /** Every replica started so far. */
  operators: OperatorProcess[];
  /** Starts another replica (same flags plus `args`); it becomes `operator`. */
  startOperator(opts?: { identity?: string; args?: readonly string[] }): Promise<OperatorProcess>;
  /** Kills the current replica if it still runs (SIGKILL unless told) and starts a fresh one with the same flags. */
  restartOperator(signal?: 'SIGKILL' | 'SIGTERM'): Promise<OperatorProcess>;
  /** kubectl as cluster admin; throws with stderr on a non-zero exit. */
  kubectl(args: string[], input?: string): Promise<string>;
  /** kubectl apply -f - */
  apply(yaml: string): Promise<void>;
  /** kubectl get -o json, parsed. */
  getJson(args: string[]): Promise<unknown>;
  /** An upstream documentation example (test/fixtures/upstream) with only ${CLUSTER_NAME} filled in, as its docs tell users to. */
  upstream(file: string): Promise<string>;
  /** The flags the harness gives every replica (for tests that start the binary themselves). */
  operatorArgs: readonly string[];
  stop(): Promise<void>;
}

export async function startE2e(opts: E2eOptions = {}): Promise<E2eEnv> {
  const clusterName = opts.clusterName ?? 'e2e';
  const clusterId = `c-${clusterName}`;
  const cp = await startControlPlane({ kwok: true });
  let simulator: RunningSimulator | undefined;
  const operators: OperatorProcess[] = [];
  /** Replicas ready to answer admission reviews: the front's endpoints. */
  const webhookBackends = new Map<OperatorProcess, number>();
  let front: WebhookFront | undefined;
  const stop = async () => {
    await Promise.all(operators.map((op) => op.kill('SIGTERM').catch(() => undefined)));
    await front?.close();
    await simulator?.close();
    await cp.stop();
  };
  try {
    const kubectl = async (args: string[], input?: string): Promise<string> => {
      const result = await cp.kubectl(args, input === undefined ? {} : { input });
      if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}):\n${result.stderr}`);
      return result.stdout;
    };
    await installCrds(cp);
    const identity = await installChartRbac(cp);
    simulator = await startSimulator({ ...opts.simulator, clusterName, kubeconfig: cp.kubeconfigPath });
    const sim = simulator;
    const webhookCertDir = join(cp.dataDir, 'webhook-tls');
    const caBundle = await createWebhookCertificate(webhookCertDir);
    front = await startWebhookFront(() => [...webhookBackends.values()]);
    await registerChartWebhook(cp, { url: `https://127.0.0.1:${front.port}/mutate-pod`, caBundle, namespace: identity.namespace });

    const podVSwitches = sim.state.vSwitches().filter((v) => v.tags.terway === 'pod').map((v) => `${v.zoneId}=${v.id}`);
    const defaultSecurityGroup = sim.state.securityGroups().find((s) => s.name === 'sg-default');
    const operatorArgs = [
      `--cluster-id=${clusterId}`,
      `--cluster-name=${clusterName}`,
      `--region=${sim.region}`,
      `--cloud-endpoint=http://${sim.endpoint}`,
      `--kubeconfig=${identity.kubeconfigPath}`,
      `--leader-election-namespace=${identity.namespace}`,
      `--leader-election-lease-name=${identity.leaseName}`,
      '--metrics-port=0',
      '--health-port=0',
      '--bind-address=127.0.0.1',
      '--log-level=debug',
      `--webhook-cert-dir=${webhookCertDir}`,
      '--webhook-port=0',
      `--ipam-vswitches=${podVSwitches.join(',')}`,
      ...(defaultSecurityGroup ? [`--ipam-security-groups=${defaultSecurityGroup.id}`] : []),
      ...(opts.operatorArgs ?? []),
    ];
    const credentials = { ALIBABA_CLOUD_ACCESS_KEY_ID: sim.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: sim.accessKeySecret };

    const env: E2eEnv = {
      cp,
      simulator: sim,
      identity,
      clusterName,
      clusterId,
      operators,
      operatorArgs,
      operator: undefined as unknown as OperatorProcess,
      async startOperator(o = {}) {
        const n = operators.length;
        const replicaIdentity = o.identity ?? `operator-${n}`;
        const op = startOperatorProcess([...operatorArgs, `--leader-election-identity=${replicaIdentity}`, ...(o.args ?? [])], {
          logPath: join(cp.dataDir, 'logs', `operator-${n}.log`),
          env: { ...credentials, POD_NAME: replicaIdentity },
        });
        operators.push(op);
        env.operator = op;
        void op.waitReady().then(async () => webhookBackends.set(op, await op.webhookPort()), () => undefined);
        void op.exited.then(() => webhookBackends.delete(op));
        await op.ports();
        return op;
      },
      async restartOperator(signal = 'SIGKILL') {
        await env.operator.kill(signal);
        return env.startOperator();
      },
      kubectl,
      async apply(yaml) {
        await kubectl(['apply', '-f', '-'], yaml);
      },
      async getJson(args) {
        return JSON.parse(await kubectl(['get', ...args, '-o', 'json'])) as unknown;
      },
      async upstream(file) {
        return (await readFile(join(upstreamDir, file), 'utf8')).replaceAll('${CLUSTER_NAME}', clusterName);
      },
      stop,
    };
    if (opts.startOperator !== false) {
      await env.startOperator();
      await env.operator.waitReady();
    }
    return env;
  } catch (error) {
    const tail = operators.length > 0 ? await operators.at(-1)!.process.logTail(60) : '';
    await stop();
    if (tail && error instanceof Error) error.message += `\noperator log tail:\n${tail}`;
    throw error;
  }
}
