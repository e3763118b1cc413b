// The operator's command-line options. Each option has a flag, an environment variable and a
// default; a flag wins over the environment, which wins over the default. Values are validated
// with zod and every problem is reported with the flag and the variable that set it, so a bad
// Helm value reads as "--metrics-port (METRICS_PORT): ...", not as a stack trace.
import { z } from 'zod';
import { parseDuration } from '../apis/duration.js';

type Source = 'flag' | 'env' | 'default';

interface OptionSpec<S extends z.ZodType = z.ZodType> {
  flag: string;
  env: string;
  help: string;
  /** Default as text (what --help shows); undefined means required or absent. */
  default?: string;
  /** How --help shows the value, e.g. '<duration>'. */
  value: string;
  /** Parses the text (or undefined when unset and without default). */
  schema: S;
  group: string;
}

const text = z.string().trim().min(1, 'must not be empty');
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const port = int(0, 65535);

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no'].includes(v), 'must be true or false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const duration = (minMs = 0) =>
  z
    .string()
    .trim()
    .transform((v, ctx) => {
      try {
        return parseDuration(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a duration such as 500ms, 10s, 5m or 1h30m` });
        return z.NEVER;
      }
    })
    .pipe(z.number().min(minMs, `must be at least ${minMs} ms`));

const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));

/** "zone=vsw,zone=vsw2,zone2=vsw3" -> { zone: [vsw, vsw2], zone2: [vsw3] }, in the order given. */
const zoneMap = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const result: Record<string, string[]> = {};
    for (const entry of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const [zone, id, extra] = entry.split('=').map((s) => s.trim());
      if (!zone || !id || extra !== undefined) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(entry)} is not zone=vSwitchId` });
        return z.NEVER;
      }
      (result[zone] ??= []).push(id);
    }
    return result;
  });

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' });
const regionId = z.string().trim().regex(/^[a-z]{2}-[a-z0-9-]+$/, 'must be a region ID such as cn-hangzhou');
const clusterId = z.string().trim().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, 'must be the ACK cluster ID (letters, digits, ".", "_" or "-")');

/**
 * "" = the real Alibaba Cloud endpoints of the region; "embedded" = the in-process simulator;
 * otherwise host[:port] or an http(s) URL of an OpenAPI-compatible endpoint.
 */
const cloudEndpoint = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (!v) return { kind: 'alibaba-cloud' as const };
    if (v === 'embedded') return { kind: 'embedded' as const };
    const match = /^(?:(https?):\/\/)?([a-zA-Z0-9.-]+(?::\d{1,5})?)\/?$/.exec(v);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is neither empty, "embedded", host[:port] nor an http(s) URL` });
      return z.NEVER;
    }
    return { kind: 'custom' as const, host: match[2]!, protocol: (match[1] ?? 'https') as 'http' | 'https' };
  });

export const optionSpecs = {
  clusterId: { group: 'Cluster', flag: 'cluster-id', env: 'CLUSTER_ID', value: '<id>', help: 'ACK cluster ID; tags every cloud resource the operator creates (required)', schema: clusterId },
  clusterName: { group: 'Cluster', flag: 'cluster-name', env: 'CLUSTER_NAME', value: '<name>', help: 'Cluster name used in discovery tags (karpenter.sh/discovery); defaults to the cluster ID', schema: optionalText },
  region: { group: 'Cluster', flag: 'region', env: 'REGION', value: '<region>', help: 'Alibaba Cloud region ID, e.g. cn-hangzhou (required; with --cloud-endpoint=embedded defaults to cn-hangzhou)', schema: regionId.optional() },
  kubeconfig: { group: 'Cluster', flag: 'kubeconfig', env: 'KUBECONFIG', value: '<path>', help: 'Kubeconfig file; empty: in-cluster service account, else ~/.kube/config', schema: optionalText },

  cloudEndpoint: { group: 'Cloud', flag: 'cloud-endpoint', env: 'CLOUD_ENDPOINT', value: '<endpoint>', default: '', help: 'OpenAPI endpoint for ECS and VPC: empty = real Alibaba Cloud, "embedded" = start the in-process simulator, else host[:port] or http(s)://host[:port]', schema: cloudEndpoint },
  credentialsDir: { group: 'Cloud', flag: 'credentials-dir', env: 'CREDENTIALS_DIR', value: '<dir>', help: 'Directory of a mounted Secret with files access-key-id and access-key-secret (and optionally security-token); else ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET, else the default credentials chain (RRSA/OIDC, ECS RAM role)', schema: optionalText },
  launchApi: { group: 'Cloud', flag: 'launch-api', env: 'LAUNCH_API', value: '<api>', default: 'CreateAutoProvisioningGroup', help: 'How instances are launched: CreateAutoProvisioningGroup or RunInstances', schema: z.enum(['CreateAutoProvisioningGroup', 'RunInstances'], { error: 'must be CreateAutoProvisioningGroup or RunInstances' }) },
  simulatorLatency: { group: 'Cloud', flag: 'simulator-latency-profile', env: 'SIMULATOR_LATENCY_PROFILE', value: '<profile>', default: 'realistic', help: 'With --cloud-endpoint=embedded: instance and ENI lifecycle delays, zero or realistic', schema: z.enum(['zero', 'realistic'], { error: 'must be zero or realistic' }) },

  leaderElect: { group: 'Leader election', flag: 'leader-elect', env: 'LEADER_ELECT', value: '<bool>', default: 'true', help: 'Elect one active replica with a coordination.k8s.io Lease', schema: bool },
  leaderElectionNamespace: { group: 'Leader election', flag: 'leader-election-namespace', env: 'LEADER_ELECTION_NAMESPACE', value: '<namespace>', help: 'Namespace of the Lease; defaults to POD_NAMESPACE, else kube-system', schema: optionalText },
  leaderElectionLeaseName: { group: 'Leader election', flag: 'leader-election-lease-name', env: 'LEADER_ELECTION_LEASE_NAME', value: '<name>', default: 'ack-node-operator', help: 'Name of the Lease', schema: text },
  leaderElectionIdentity: { group: 'Leader election', flag: 'leader-election-identity', env: 'LEADER_ELECTION_IDENTITY', value: '<id>', help: 'This replica\'s identity in the Lease; defaults to POD_NAME (else the host name) plus a random suffix', schema: optionalText },
  leaseDuration: { group: 'Leader election', flag: 'leader-election-lease-duration', env: 'LEADER_ELECTION_LEASE_DURATION', value: '<duration>', default: '15s', help: 'How long a standby waits after the last renewal before taking over', schema: duration(1000) },
  renewDeadline: { group: 'Leader election', flag: 'leader-election-renew-deadline', env: 'LEADER_ELECTION_RENEW_DEADLINE', value: '<duration>', default: '10s', help: 'How long the leader keeps trying to renew before it stops acting', schema: duration(500) },
  retryPeriod: { group: 'Leader election', flag: 'leader-election-retry-period', env: 'LEADER_ELECTION_RETRY_PERIOD', value: '<duration>', default: '2s', help: 'Interval between renewals and acquisition attempts', schema: duration(100) },

  metricsPort: { group: 'Serving', flag: 'metrics-port', env: 'METRICS_PORT', value: '<port>', default: '8080', help: 'Port of /metrics (Prometheus)', schema: port },
  healthPort: { group: 'Serving', flag: 'health-port', env: 'HEALTH_PORT', value: '<port>', default: '8081', help: 'Port of /healthz and /readyz', schema: port },
  bindAddress: { group: 'Serving', flag: 'bind-address', env: 'BIND_ADDRESS', value: '<ip>', help: 'Address the metrics and health servers listen on; all interfaces by default', schema: optionalText },
  webhookPort: { group: 'Serving', flag: 'webhook-port', env: 'WEBHOOK_PORT', value: '<port>', default: '9443', help: 'Port of the pod admission webhook (HTTPS); served only with --webhook-cert-dir', schema: port },
  webhookCertDir: { group: 'Serving', flag: 'webhook-cert-dir', env: 'WEBHOOK_CERT_DIR', value: '<dir>', help: 'Directory with tls.crt and tls.key of the admission webhook (re-read on change); empty: no webhook, PodNetworking pods are not pinned to their vSwitch zones at admission', schema: optionalText },
  logLevel: { group: 'Serving', flag: 'log-level', env: 'LOG_LEVEL', value: '<level>', default: 'info', help: 'fatal, error, warn, info, debug, trace or silent', schema: logLevel },
  resyncPeriod: { group: 'Serving', flag: 'resync-period', env: 'RESYNC_PERIOD', value: '<duration>', default: '10m', help: 'Every cached object is reconciled again this often (0 disables)', schema: duration(0) },
  shutdownGracePeriod: { group: 'Serving', flag: 'shutdown-grace-period', env: 'SHUTDOWN_GRACE_PERIOD', value: '<duration>', default: '20s', help: 'How long in-flight reconciles may finish on SIGTERM before the Lease is released', schema: duration(0) },

  batchIdleDuration: { group: 'Provisioning', flag: 'batch-idle-duration', env: 'BATCH_IDLE_DURATION', value: '<duration>', default: '1s', help: 'A batch of pending pods closes after this long without a new pod', schema: duration(1) },
  batchMaxDuration: { group: 'Provisioning', flag: 'batch-max-duration', env: 'BATCH_MAX_DURATION', value: '<duration>', default: '10s', help: 'A batch of pending pods closes this long after its first pod at the latest', schema: duration(1) },

  nodeClaimRegistrationTtl: { group: 'Provisioning', flag: 'nodeclaim-registration-ttl', env: 'NODECLAIM_REGISTRATION_TTL', value: '<duration>', default: '15m', help: 'A NodeClaim whose Node has not registered this long after creation is deleted and its pods planned again', schema: duration(1000) },
  garbageCollectionInterval: { group: 'Provisioning', flag: 'garbage-collection-interval', env: 'GARBAGE_COLLECTION_INTERVAL', value: '<duration>', default: '2m', help: 'How often instances no NodeClaim owns, and NodeClaims whose instance vanished, are cleaned up', schema: duration(1000) },

  disruptionPollInterval: { group: 'Disruption', flag: 'disruption-poll-interval', env: 'DISRUPTION_POLL_INTERVAL', value: '<duration>', default: '10s', help: 'How often disruption candidates (empty, underutilized, drifted, expired nodes) are evaluated', schema: duration(100) },
  disruptionValidationDelay: { group: 'Disruption', flag: 'disruption-validation-delay', env: 'DISRUPTION_VALIDATION_DELAY', value: '<duration>', default: '15s', help: 'A disruption decision is validated again after this wait before it acts', schema: duration(0) },

  ipamMinPoolSize: { group: 'IPAM', flag: 'ipam-min-pool-size', env: 'IPAM_MIN_POOL_SIZE', value: '<n>', default: '0', help: 'Idle IPs kept ready on each node', schema: int(0, 1000) },
  ipamMaxPoolSize: { group: 'IPAM', flag: 'ipam-max-pool-size', env: 'IPAM_MAX_POOL_SIZE', value: '<n>', default: '5', help: 'Idle IPs above which IPs are released back to the vSwitch', schema: int(0, 1000) },
  ipamWarmUpSize: { group: 'IPAM', flag: 'ipam-warm-up-size', env: 'IPAM_WARM_UP_SIZE', value: '<n>', default: '0', help: 'IPs allocated on a node as soon as its instance is Running', schema: int(0, 1000) },
  ipamIdleReclaimAfter: { group: 'IPAM', flag: 'ipam-idle-reclaim-after', env: 'IPAM_IDLE_RECLAIM_AFTER', value: '<duration>', default: '10m', help: 'Idle IPs above the minimum are released after being idle this long', schema: duration(0) },
  ipamReleaseCooldown: { group: 'IPAM', flag: 'ipam-release-cooldown', env: 'IPAM_RELEASE_COOLDOWN', value: '<duration>', default: '10s', help: 'A released pod IP waits this long before another pod may get it', schema: duration(0) },
  ipamVSwitches: { group: 'IPAM', flag: 'ipam-vswitches', env: 'IPAM_VSWITCHES', value: '<zone=vsw,...>', default: '', help: 'Default pod vSwitches per zone for pods no PodNetworking matches, e.g. cn-hangzhou-h=vsw-1,cn-hangzhou-h=vsw-2,cn-hangzhou-i=vsw-3', schema: zoneMap },
  ipamSecurityGroups: { group: 'IPAM', flag: 'ipam-security-groups', env: 'IPAM_SECURITY_GROUPS', value: '<sg,...>', default: '', help: 'Default security groups of pod ENIs (at most 5)', schema: list.pipe(z.array(z.string()).max(5, 'at most 5 security groups')) },
  ipamVSwitchSelection: { group: 'IPAM', flag: 'ipam-vswitch-selection', env: 'IPAM_VSWITCH_SELECTION', value: '<policy>', default: 'ordered', help: 'How a default vSwitch is chosen: ordered, random or most (most free IPs)', schema: z.enum(['ordered', 'random', 'most'], { error: 'must be ordered, random or most' }) },
  ipamEniType: { group: 'IPAM', flag: 'ipam-eni-type', env: 'IPAM_ENI_TYPE', value: '<type>', default: 'Default', help: 'ENI mode of pods no PodNetworking matches: Default (shared ENI, secondary IPs), ENI (exclusive) or Trunk', schema: z.enum(['Default', 'ENI', 'Trunk'], { error: 'must be Default, ENI or Trunk' }) },
} satisfies Record<string, OptionSpec>;

type Specs = typeof optionSpecs;
export type OptionKey = keyof Specs;
export type RawOptions = { [K in OptionKey]: z.output<Specs[K]['schema']> };

export interface Options extends RawOptions {
  region: string;
  clusterName: string;
  leaderElectionNamespace: string;
  leaderElectionIdentity: string;
}

export class OptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid options:\n${problems.map((p) => `  ${p}`).join('\n')}\nRun with --help to list every option.`);
    this.name = 'OptionsError';
  }
}

export type ParseResult = { help: true } | { help: false; options: Options; sources: Record<OptionKey, Source> };

const byFlag = new Map(Object.entries(optionSpecs).map(([key, spec]) => [spec.flag, key as OptionKey]));

/** Splits argv into flag values; `--flag=value`, `--flag value`, and a bare boolean `--flag`. */
function readFlags(argv: readonly string[]): { values: Map<OptionKey, string>; help: boolean; problems: string[] } {
  const values = new Map<OptionKey, string>();
  const problems: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      problems.push(`unexpected argument ${JSON.stringify(arg)}: options are --flag=value`);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const key = byFlag.get(name);
    if (!key) {
      problems.push(`unknown flag --${name}`);
      continue;
    }
    let value: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    if (value === undefined) {
      const isBool = optionSpecs[key].value === '<bool>';
      const next = argv[i + 1];
      if (isBool && (next === undefined || next.startsWith('--'))) value = 'true';
      else if (next === undefined) {
        problems.push(`--${name} needs a value`);
        continue;
      } else value = argv[++i]!;
    }
    values.set(key, value);
  }
  return { values, help, problems };
}

/**
 * Parses flags over environment over defaults. Throws OptionsError listing every problem, each
 * with its flag and environment variable.
 */
export function parseOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, hostname = 'ack-node-operator'): ParseResult {
  const flags = readFlags(argv);
  if (flags.help) return { help: true };
  const problems = [...flags.problems];
  const raw: Partial<Record<OptionKey, unknown>> = {};
  const sources = {} as Record<OptionKey, Source>;
  for (const [key, spec] of Object.entries(optionSpecs) as Array<[OptionKey, OptionSpec]>) {
    const fromFlag = flags.values.get(key);
    const fromEnv = env[spec.env];
    const input = fromFlag ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined) ?? spec.default;
    sources[key] = fromFlag !== undefined ? 'flag' : fromEnv !== undefined && fromEnv !== '' ? 'env' : 'default';
    const result = spec.schema.safeParse(input);
    if (result.success) raw[key] = result.data;
    else {
      const reason = input === undefined ? 'required' : result.error.issues.map((i) => i.message).join('; ');
      problems.push(`--${spec.flag} (${spec.env}): ${reason}`);
    }
  }
  if (problems.length > 0) throw new OptionsError(problems);
  const o = raw as RawOptions;

  const embedded = o.cloudEndpoint.kind === 'embedded';
  if (!o.region && !embedded) problems.push(`--region (REGION): required`);
  if (o.batchIdleDuration > o.batchMaxDuration) problems.push('--batch-idle-duration (BATCH_IDLE_DURATION): cannot be longer than --batch-max-duration');
  if (o.ipamMinPoolSize > o.ipamMaxPoolSize) problems.push('--ipam-min-pool-size (IPAM_MIN_POOL_SIZE): cannot be larger than --ipam-max-pool-size');
  if (o.leaderElect && !(o.leaseDuration > o.renewDeadline && o.renewDeadline > o.retryPeriod)) {
    problems.push('--leader-election-lease-duration > --leader-election-renew-deadline > --leader-election-retry-period must hold, or a standby could take over while the leader still acts');
  }
  if (o.metricsPort !== 0 && o.metricsPort === o.healthPort) problems.push('--metrics-port and --health-port must differ');
  if (o.webhookCertDir && o.webhookPort !== 0 && (o.webhookPort === o.metricsPort || o.webhookPort === o.healthPort)) {
    problems.push('--webhook-port (WEBHOOK_PORT): must differ from --metrics-port and --health-port');
  }
  if (problems.length > 0) throw new OptionsError(problems);

  const podName = env.POD_NAME || hostname;
  const options: Options = {
    ...o,
    region: o.region ?? 'cn-hangzhou',
    clusterName: o.clusterName ?? o.clusterId,
    leaderElectionNamespace: o.leaderElectionNamespace ?? (env.POD_NAMESPACE || 'kube-system'),
    leaderElectionIdentity: o.leaderElectionIdentity ?? `${podName}_${randomSuffix()}`,
  };
  return { help: false, options, sources };
}

function randomSuffix(): string {
  return crypto.randomUUID().slice(0, 8);
}

/** The --help text: every option with its environment variable and default, by group. */
export function helpText(): string {
  const lines = [
    'ack-node-operator: Karpenter-style node provisioning and Terway-style pod IPAM for Alibaba Cloud ACK.',
    '',
    'Usage: ack-node-operator [--flag=value ...]',
    'Each option can also be set by its environment variable; a flag wins over the variable.',
  ];
  let group = '';
  for (const spec of Object.values(optionSpecs) as OptionSpec[]) {
    if (spec.group !== group) {
      group = spec.group;
      lines.push('', `${group}:`);
    }
    const def = spec.default === undefined ? '' : ` (default ${spec.default === '' ? '""' : spec.default})`;
    lines.push(`  --${spec.flag}=${spec.value}  [$${spec.env}]${def}`, `      ${spec.help}`);
  }
  lines.push('', '  -h, --help  show this text');
  return `${lines.join('\n')}\n`;
}

/** The options as logged at startup: no secrets are among them (credentials are read from files or the chain later). */
export function describeOptions(options: Options): Record<string, unknown> {
  return { ...options };
}
