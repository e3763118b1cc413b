// The operator's entry point: parse and validate the options, build the Kubernetes and cloud
// clients (or start the embedded simulator), register the controllers with the manager, and run
// until SIGTERM/SIGINT, then stop in order: controllers, Lease, informers, servers.
import { hostname } from 'node:os';
import { createCloudProvider, redactCloudConfig, cloudProviderConfigSchema, type CloudProviderConfigInput } from './cloud/index.js';
import { resolveCredentials } from './config/credentials.js';
import { describeOptions, helpText, OptionsError, parseOptions, type Options } from './config/options.js';
import { settingsFrom } from './config/settings.js';
import { registerControllers } from './controllers/index.js';
import { cachedCheck, createLogger, loadKubeConfig, Manager, type Logger } from './operator/index.js';

interface EmbeddedCloud {
  endpoint: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** The seeded pod vSwitches (tag terway: pod) and the cluster's security group: the IPAM defaults a Terway eni-config would give. */
  defaultPodNetwork: { vSwitchesByZone: Record<string, string[]>; securityGroupIds: string[] };
  close(): Promise<void>;
}

export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  let options: Options;
  try {
    const parsed = parseOptions(argv, env, hostname());
    if (parsed.help) {
      process.stdout.write(helpText());
      return 0;
    }
    options = parsed.options;
  } catch (error) {
    if (error instanceof OptionsError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const log = createLogger({ level: options.logLevel });
  log.info({ options: describeOptions(options) }, 'starting ack-node-operator');

  const kubeconfigPath = options.kubeconfig;
  const kubeConfig = loadKubeConfig(kubeconfigPath, env);
  const embedded = options.cloudEndpoint.kind === 'embedded' ? await startEmbeddedCloud(options, kubeconfigPath, log) : undefined;

  const shutdown = new AbortController();
  let manager: Manager | undefined;
  try {
    const cloudConfig = cloudProviderConfigSchema.parse(await cloudConfigFor(options, env, embedded));
    log.info({ cloud: redactCloudConfig(cloudConfig) }, 'cloud configuration');

    manager = new Manager({
      kubeConfig,
      logger: log,
      identity: options.leaderElectionIdentity,
      leaderElection: options.leaderElect
        ? {
            namespace: options.leaderElectionNamespace,
            leaseName: options.leaderElectionLeaseName,
            leaseDurationMs: options.leaseDuration,
            renewDeadlineMs: options.renewDeadline,
            retryPeriodMs: options.retryPeriod,
          }
        : false,
      onLeadershipLost: 'exit',
      metricsPort: options.metricsPort,
      healthPort: options.healthPort,
      ...(options.bindAddress ? { bindAddress: options.bindAddress } : {}),
      resyncPeriodMs: options.resyncPeriod,
      shutdownGraceMs: options.shutdownGracePeriod,
    });
    const cloud = createCloudProvider(cloudConfig, { logger: log, registry: manager.registry, signal: shutdown.signal });
    // Ready means the cloud answers too: a replica that cannot reach OpenAPI should not take traffic or the Lease's work.
    manager.addReadinessCheck('cloud', cachedCheck(async () => void (await cloud.listZones()), 30_000));
    registerControllers(manager, { cloud, settings: settingsFrom(embedded ? withEmbeddedPodNetwork(options, embedded, log) : options) });
  } catch (error) {
    log.fatal({ err: error instanceof Error ? error.message : String(error) }, 'startup failed');
    await embedded?.close();
    return 1;
  }

  const running = manager;
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal }, 'shutting down');
    shutdown.abort();
    void running.stop();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  await running.start();
  await running.done();
  await running.stop();
  await embedded?.close();
  log.info('bye');
  return 0;
}

async function startEmbeddedCloud(options: Options, kubeconfigPath: string | undefined, log: Logger): Promise<EmbeddedCloud> {
  // Loaded only when asked for: a production image never runs simulator code.
  const { startSimulator } = await import('./simulator/index.js');
  const simulator = await startSimulator({
    region: options.region,
    clusterName: options.clusterName,
    latencyProfile: options.simulatorLatency,
    logger: log.child({ component: 'simulator' }),
    // Simulated instances join the cluster as Nodes when the simulator can reach it.
    ...(kubeconfigPath ? { kubeconfig: kubeconfigPath } : {}),
  });
  log.warn({ endpoint: simulator.endpoint, region: simulator.region }, 'using the embedded cloud simulator: nothing real is created');
  const vSwitchesByZone: Record<string, string[]> = {};
  for (const v of simulator.state.vSwitches().filter((s) => s.tags.terway === 'pod')) (vSwitchesByZone[v.zoneId] ??= []).push(v.id);
  const securityGroupIds = simulator.state.securityGroups()
    .filter((s) => s.tags['karpenter.sh/discovery'] === options.clusterName)
    .map((s) => s.id);
  return Object.assign(simulator, { defaultPodNetwork: { vSwitchesByZone, securityGroupIds } });
}

/**
 * The embedded cloud's own vSwitch and security group ids are not known before it starts, so
 * pods no PodNetworking matches get its seeded pod vSwitches unless the flags name others.
 */
function withEmbeddedPodNetwork(options: Options, embedded: EmbeddedCloud, log: Logger): Options {
  const { vSwitchesByZone, securityGroupIds } = embedded.defaultPodNetwork;
  const filled = {
    ...options,
    ipamVSwitches: Object.keys(options.ipamVSwitches).length > 0 ? options.ipamVSwitches : vSwitchesByZone,
    ipamSecurityGroups: options.ipamSecurityGroups.length > 0 ? options.ipamSecurityGroups : securityGroupIds,
  };
  log.info({ ipamVSwitches: filled.ipamVSwitches, ipamSecurityGroups: filled.ipamSecurityGroups }, 'default pod network of the embedded cloud');
  return filled;
}

async function cloudConfigFor(options: Options, env: Readonly<Record<string, string | undefined>>, embedded: EmbeddedCloud | undefined): Promise<CloudProviderConfigInput> {
  const base = { region: options.region, launchApi: options.launchApi };
  if (embedded) {
    return {
      ...base,
      region: embedded.region,
      ecsEndpoint: embedded.endpoint,
      vpcEndpoint: embedded.endpoint,
      protocol: 'http',
      credentials: { mode: 'accessKey', accessKeyId: embedded.accessKeyId, accessKeySecret: embedded.accessKeySecret },
    };
  }
  const credentials = await resolveCredentials(options.credentialsDir, env);
  if (options.cloudEndpoint.kind === 'custom') {
    const { host, protocol } = options.cloudEndpoint;
    return { ...base, ecsEndpoint: host, vpcEndpoint: host, protocol, credentials };
  }
  return { ...base, credentials };
}

// Run when executed directly (node dist/main.js, tsx src/main.ts), not when imported by tests.
const entry = process.argv[1] ?? '';
if (/main\.(ts|js)$/.test(entry) && import.meta.url.endsWith(entry.split('/').pop() ?? '')) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
