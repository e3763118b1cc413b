// The demo's world: a local control plane with kwok playing every kubelet, the CRDs, and the
// operator as a child process running the embedded cloud simulator (--cloud-endpoint=embedded)
// with the control plane's kubeconfig, so simulated instances join as Nodes. Every process is
// tied to this one (test/harness/processes.ts): Ctrl-C, a crash or kill -9 of the demo leaves
// nothing running.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { startControlPlane, type ControlPlane } from '../../test/harness/controlplane.js';
import { startOperatorProcess, type OperatorProcess } from '../../test/harness/operator-process.js';
import { createWebhookCertificate, registerChartWebhook } from '../../test/harness/webhook.js';
import { buildSnapshot, CloudInstance, CloudSecurityGroup, CloudVSwitch, KubeList, type Snapshot } from './snapshot.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface DemoEnvironment {
  cp: ControlPlane;
  operator: OperatorProcess;
  /** http://127.0.0.1:<port> of the embedded simulator (its /admin endpoint answers loopback callers). */
  cloudEndpoint: string;
  kubectl(args: string[], input?: string): Promise<string>;
  cloud<T>(path: string, schema: z.ZodType<T>): Promise<T>;
  snapshot(apps: readonly string[]): Promise<Snapshot>;
  stop(): Promise<void>;
}

export interface EnvironmentOptions {
  clusterName: string;
  /** Extra operator flags (a later flag wins). */
  operatorArgs?: readonly string[];
  log(line: string): void;
}

const EmbeddedCloudLine = z.object({ msg: z.string(), endpoint: z.string() });

export async function startEnvironment(opts: EnvironmentOptions): Promise<DemoEnvironment> {
  const began = Date.now();
  opts.log('starting the local control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)...');
  const cp = await startControlPlane({ kwok: true });
  let operator: OperatorProcess | undefined;
  const stop = async () => {
    await operator?.kill('SIGTERM').catch(() => undefined);
    await cp.stop();
  };
  try {
    const kubectl = async (args: string[], input?: string): Promise<string> => {
      const result = await cp.kubectl(args, input === undefined ? {} : { input });
      if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
      return result.stdout;
    };
    opts.log(`control plane up in ${((Date.now() - began) / 1000).toFixed(1)} s; installing the CRDs...`);
    const crdDir = join(repoRoot, 'crds');
    for (const file of (await readdir(crdDir)).filter((f) => f.endsWith('.yaml')).sort()) {
      await kubectl(['apply', '--server-side', '-f', join(crdDir, file)]);
    }
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);

    opts.log('starting the operator with the embedded cloud simulator...');
    const webhookCertDir = join(cp.dataDir, 'webhook-tls');
    const caBundle = await createWebhookCertificate(webhookCertDir);
    operator = startOperatorProcess([
      `--cluster-id=c-${opts.clusterName}`,
      `--cluster-name=${opts.clusterName}`,
      '--cloud-endpoint=embedded',
      // Instances take ~15 s to run, ENIs ~2 s to attach: real enough to watch, short enough to wait for.
      '--simulator-latency-profile=realistic',
      `--kubeconfig=${cp.kubeconfigPath}`,
      '--metrics-port=0',
      '--health-port=0',
      '--bind-address=127.0.0.1',
      '--log-level=info',
      '--shutdown-grace-period=3s',
      `--webhook-cert-dir=${webhookCertDir}`,
      '--webhook-port=0',
      ...(opts.operatorArgs ?? []),
    ], { logPath: join(cp.dataDir, 'logs', 'operator.log') });
    await operator.waitReady(90_000);
    // The chart's pod webhook, called directly on loopback: PodNetworking pods land in their vSwitch zones.
    await registerChartWebhook(cp, { url: `https://127.0.0.1:${await operator.webhookPort()}/mutate-pod`, caBundle, namespace: 'ack-system' });
    const running = operator;
    const announced = (await running.log()).split('\n').filter((l) => l.startsWith('{'))
      .map((l) => EmbeddedCloudLine.safeParse(JSON.parse(l)).data)
      .find((l) => l?.msg.startsWith('using the embedded cloud simulator'));
    if (!announced) throw new Error('the operator did not log the embedded simulator endpoint ("using the embedded cloud simulator")');
    const cloudEndpoint = `http://${announced.endpoint}`;

    const cloud = async <T>(path: string, schema: z.ZodType<T>): Promise<T> => {
      const res = await fetch(`${cloudEndpoint}/admin${path}`);
      if (!res.ok) throw new Error(`simulator GET /admin${path}: HTTP ${res.status}`);
      return schema.parse(await res.json());
    };
    return {
      cp,
      operator: running,
      cloudEndpoint,
      kubectl,
      cloud,
      async snapshot(apps) {
        const [list, instances, vSwitches] = await Promise.all([
          kubectl(['get', 'nodeclaims.karpenter.sh,nodes,pods,podenis.network.alibabacloud.com', '-A', '-o', 'json']),
          cloud('/instances', z.array(CloudInstance)),
          cloud('/vswitches', z.array(CloudVSwitch)),
        ]);
        return buildSnapshot(KubeList.parse(JSON.parse(list)), { instances, vSwitches }, { apps });
      },
      stop,
    };
  } catch (error) {
    const tail = operator ? await operator.process.logTail(40) : '';
    await stop();
    if (tail && error instanceof Error) error.message += `\noperator log (last lines):\n${tail}`;
    throw error;
  }
}

export const SecurityGroups = z.array(CloudSecurityGroup);
export const VSwitches = z.array(CloudVSwitch);
