import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helpText, optionSpecs, OptionsError, parseOptions, type Options } from './options.js';

const required = ['--cluster-id=c0123456789abcdef', '--region=cn-hangzhou'];

function parse(argv: string[], env: Record<string, string> = {}): Options {
  const result = parseOptions(argv, env, 'host-1');
  assert.equal(result.help, false);
  if (result.help) throw new Error('unreachable');
  return result.options;
}

function problemsOf(argv: string[], env: Record<string, string> = {}): string[] {
  try {
    parseOptions(argv, env);
  } catch (error) {
    assert.ok(error instanceof OptionsError, String(error));
    return error.problems;
  }
  assert.fail('expected the options to be rejected');
}

describe('parseOptions', () => {
  it('applies the documented defaults', () => {
    const o = parse(required);
    assert.equal(o.metricsPort, 8080);
    assert.equal(o.healthPort, 8081);
    assert.equal(o.leaderElect, true);
    assert.equal(o.leaseDuration, 15_000);
    assert.equal(o.renewDeadline, 10_000);
    assert.equal(o.retryPeriod, 2_000);
    assert.equal(o.batchIdleDuration, 1_000);
    assert.equal(o.batchMaxDuration, 10_000);
    assert.equal(o.logLevel, 'info');
    assert.equal(o.ipamMaxPoolSize, 5);
    assert.deepEqual(o.cloudEndpoint, { kind: 'alibaba-cloud' });
    assert.equal(o.clusterName, 'c0123456789abcdef', 'the cluster name defaults to the ID');
    assert.equal(o.leaderElectionNamespace, 'kube-system');
    assert.match(o.leaderElectionIdentity, /^host-1_[0-9a-f]{8}$/);
  });

  it('reads the environment, and a flag wins over it', () => {
    const env = { CLUSTER_ID: 'c-env', REGION: 'cn-beijing', METRICS_PORT: '9090', POD_NAME: 'op-7d9', POD_NAMESPACE: 'karpenter' };
    const fromEnv = parse([], env);
    assert.equal(fromEnv.clusterId, 'c-env');
    assert.equal(fromEnv.region, 'cn-beijing');
    assert.equal(fromEnv.metricsPort, 9090);
    assert.equal(fromEnv.leaderElectionNamespace, 'karpenter');
    assert.match(fromEnv.leaderElectionIdentity, /^op-7d9_/);
    const flagWins = parse(['--metrics-port', '9999', '--region=cn-shanghai'], env);
    assert.equal(flagWins.metricsPort, 9999);
    assert.equal(flagWins.region, 'cn-shanghai');
  });

  it('accepts the arguments the Helm chart renders', () => {
    const o = parse([
      '--cluster-id=c0123456789abcdef',
      '--region=cn-hangzhou',
      '--credentials-dir=/var/run/secrets/alibabacloud/credentials',
      '--leader-elect=true',
      '--leader-election-namespace=kube-system',
      '--leader-election-lease-name=ack-node-operator',
      '--leader-election-lease-duration=15s',
      '--leader-election-renew-deadline=10s',
      '--leader-election-retry-period=2s',
      '--metrics-port=8080',
      '--health-port=8081',
      '--log-level=info',
      '--batch-idle-duration=1s',
      '--batch-max-duration=10s',
      '--ipam-min-pool-size=0',
      '--ipam-max-pool-size=5',
      '--ipam-warm-up-size=0',
    ]);
    assert.equal(o.credentialsDir, '/var/run/secrets/alibabacloud/credentials');
    assert.equal(o.leaderElectionLeaseName, 'ack-node-operator');
  });

  it('parses durations, booleans, lists and per-zone vSwitches', () => {
    const o = parse([
      ...required,
      '--leader-elect=false',
      '--batch-idle-duration=500ms',
      '--batch-max-duration=1m30s',
      '--ipam-vswitches=cn-hangzhou-h=vsw-1,cn-hangzhou-h=vsw-2,cn-hangzhou-i=vsw-3',
      '--ipam-security-groups=sg-1, sg-2',
      '--cloud-endpoint=http://127.0.0.1:8443',
    ]);
    assert.equal(o.leaderElect, false);
    assert.equal(o.batchIdleDuration, 500);
    assert.equal(o.batchMaxDuration, 90_000);
    assert.deepEqual(o.ipamVSwitches, { 'cn-hangzhou-h': ['vsw-1', 'vsw-2'], 'cn-hangzhou-i': ['vsw-3'] });
    assert.deepEqual(o.ipamSecurityGroups, ['sg-1', 'sg-2']);
    assert.deepEqual(o.cloudEndpoint, { kind: 'custom', host: '127.0.0.1:8443', protocol: 'http' });
  });

  it('treats a bare boolean flag as true', () => {
    assert.equal(parse([...required, '--leader-elect']).leaderElect, true);
  });

  it('with the embedded simulator, the region may be omitted', () => {
    const o = parse(['--cluster-id=demo', '--cloud-endpoint=embedded']);
    assert.deepEqual(o.cloudEndpoint, { kind: 'embedded' });
    assert.equal(o.region, 'cn-hangzhou');
  });

  it('names the flag and the variable of each problem, all at once', () => {
    const problems = problemsOf(['--metrics-port=http', '--log-level=loud', '--batch-idle-duration=soon', '--nope=1']);
    assert.ok(problems.includes('unknown flag --nope'), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('--cluster-id (CLUSTER_ID): required')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('--metrics-port (METRICS_PORT): must be a whole number')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('--log-level (LOG_LEVEL): must be one of')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('--batch-idle-duration (BATCH_IDLE_DURATION): "soon" is not a duration')), problems.join('\n'));
  });

  it('rejects combinations that would be unsafe', () => {
    const lease = problemsOf([...required, '--leader-election-lease-duration=5s', '--leader-election-renew-deadline=10s']);
    assert.ok(lease.some((p) => p.includes('lease-duration > --leader-election-renew-deadline')), lease.join('\n'));
    const batch = problemsOf([...required, '--batch-idle-duration=20s']);
    assert.ok(batch.some((p) => p.includes('cannot be longer than --batch-max-duration')), batch.join('\n'));
    const pool = problemsOf([...required, '--ipam-min-pool-size=10', '--ipam-max-pool-size=2']);
    assert.ok(pool.some((p) => p.startsWith('--ipam-min-pool-size')), pool.join('\n'));
    const region = problemsOf(['--cluster-id=c1']);
    assert.ok(region.includes('--region (REGION): required'), region.join('\n'));
    const ports = problemsOf([...required, '--metrics-port=9000', '--health-port=9000']);
    assert.ok(ports.some((p) => p.includes('must differ')), ports.join('\n'));
    const endpoint = problemsOf([...required, '--cloud-endpoint=ftp://x']);
    assert.ok(endpoint.some((p) => p.startsWith('--cloud-endpoint (CLOUD_ENDPOINT)')), endpoint.join('\n'));
  });

  it('--help asks for the help text instead of validating', () => {
    assert.deepEqual(parseOptions(['--help'], {}), { help: true });
    assert.deepEqual(parseOptions(['-h', '--metrics-port=bad'], {}), { help: true });
  });
});

describe('helpText', () => {
  it('lists every option with its environment variable and default', () => {
    const help = helpText();
    for (const spec of Object.values(optionSpecs)) {
      assert.ok(help.includes(`--${spec.flag}=`), `missing --${spec.flag}`);
      assert.ok(help.includes(`[$${spec.env}]`), `missing $${spec.env}`);
      if ('default' in spec && spec.default) assert.ok(help.includes(`(default ${spec.default})`), `missing default of --${spec.flag}`);
    }
    assert.match(help, /--metrics-port=<port> {2}\[\$METRICS_PORT\] \(default 8080\)/);
  });
});
