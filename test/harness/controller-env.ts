// What an integration test of some controllers in an in-process Manager stands on: a real control
// plane (kwok optional) with the CRDs, the simulator behind the real SDK, the ControllerDeps the
// operator would build from its flags, and Managers authenticated either as the chart's
// ServiceAccount (so a verb the chart's RBAC lacks fails the test) or as the admin.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createInstanceTypeCatalog } from '../../src/catalog/index.js';
import { providerFor, type TestProvider } from '../../src/cloud/alibaba/testing.js';
import { parseOptions } from '../../src/config/options.js';
import { settingsFrom } from '../../src/config/settings.js';
import type { ControllerDeps } from '../../src/controllers/index.js';
import { loadKubeConfig, Manager } from '../../src/operator/index.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { installChartRbac } from './chart-rbac.js';
import { startControlPlane, type ControlPlane } from './controlplane.js';
import { installCrds } from './crds.js';

export const silent = pino({ level: 'silent' });

/** An events.k8s.io/v1 Event, as far as tests read it. */
export interface EventObject {
  type?: string;
  reason: string;
  note?: string;
  regarding?: { kind?: string; name?: string; namespace?: string };
  series?: { count?: number };
  reportingController?: string;
}

export interface ControllerEnvOptions {
  /** kwok plays the kubelets (and the simulator's instances join as Nodes). Default false. */
  kwok?: boolean;
  /** The simulator's and the operator's cluster name (`karpenter.sh/discovery` tags). Default 'local'. */
  clusterName?: string;
  /** Managers authenticate as the chart's ServiceAccount instead of the admin. Default false. */
  chartRbac?: boolean;
  /** Operator flags beyond --cluster-id, --cluster-name and --region. */
  flags?: string[];
  /** The registry the catalog's metrics go to (a test may read them next to the controllers'). */
  registry?: Registry;
  /** List the catalog before the test starts (a test that prices offerings itself needs it). */
  refreshCatalog?: boolean;
}

export interface ControllerEnv {
  cp: ControlPlane;
  sim: RunningSimulator;
  provider: TestProvider;
  deps: ControllerDeps;
  /** Runs kubectl as the admin and fails the test unless it succeeds; its stdout. */
  kubectl(args: string[], input?: string): Promise<string>;
  /** The Events about the objects of that kind and name, in every namespace. */
  events(kind: string, name: string): Promise<EventObject[]>;
  /** A Manager (not started) for the controllers under test; stopped by stop(). */
  manager(opts: { identity: string; registry?: Registry }): Manager;
  stop(): Promise<void>;
}

export async function startControllerEnv(opts: ControllerEnvOptions = {}): Promise<ControllerEnv> {
  const clusterName = opts.clusterName ?? 'local';
  const cp = await startControlPlane({ kwok: opts.kwok ?? false });
  const managers: Manager[] = [];
  let sim: RunningSimulator | undefined;
  const stop = async () => {
    await Promise.all(managers.map((m) => m.stop().catch(() => undefined)));
    await sim?.close().catch(() => undefined);
    await cp.stop();
  };
  try {
    await installCrds(cp);
    const kubeconfigPath = opts.chartRbac ? (await installChartRbac(cp)).kubeconfigPath : cp.kubeconfigPath;
    sim = await startSimulator({ clusterName, logLevel: 'silent', ...(opts.kwok ? { kubeconfig: cp.kubeconfigPath } : {}) });
    const provider = providerFor(sim);
    const catalog = createInstanceTypeCatalog(provider.cloud, { logger: silent, registry: opts.registry ?? new Registry(), defaultEniType: 'Default' });
    if (opts.refreshCatalog) await catalog.refresh();
    const parsed = parseOptions(['--cluster-id=test-cluster', `--cluster-name=${clusterName}`, `--region=${sim.region}`, ...(opts.flags ?? [])], {});
    assert.ok(!parsed.help);
    const deps: ControllerDeps = { cloud: provider.cloud, settings: settingsFrom(parsed.options), catalog };

    const kubectl = async (args: string[], input?: string): Promise<string> => {
      const result = await cp.kubectl(args, input === undefined ? {} : { input });
      assert.equal(result.code, 0, `kubectl ${args.join(' ')} failed: ${result.stderr}`);
      return result.stdout;
    };
    return {
      cp,
      sim,
      provider,
      deps,
      kubectl,
      async events(kind, name) {
        const list = JSON.parse(await kubectl(['get', 'events.events.k8s.io', '-A', '-o', 'json'])) as { items: EventObject[] };
        return list.items.filter((e) => e.regarding?.kind === kind && e.regarding.name === name);
      },
      manager({ identity, registry = new Registry() }) {
        const manager = new Manager({ kubeConfig: loadKubeConfig(kubeconfigPath), logger: silent, identity, leaderElection: false, registry });
        managers.push(manager);
        return manager;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
