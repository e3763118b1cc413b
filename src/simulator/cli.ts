// Runs the simulator standalone:
//   npm run simulator -- --port 0 --catalog F --region cn-hangzhou --latency-profile realistic \
//     --kubeconfig F --cluster-name local
// It prints the endpoint and credentials (also as one JSON line on stdout for scripts) and runs
// until SIGINT or SIGTERM.
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { z } from 'zod';
import { startSimulator } from './index.js';
import type { SimulatorOptionsInput } from './options.js';

const usage = `Usage: npm run simulator -- [options]
  --port N                 port to listen on (0 picks a free one; default 0)
  --host H                 address to bind (default 127.0.0.1)
  --region R               simulated region (default cn-hangzhou)
  --catalog F              instance-type catalog JSON (default data/ecs-instance-types.json)
  --latency-profile P      zero | realistic (default realistic here)
  --kubeconfig F           register Nodes for Running instances in this cluster
  --cluster-name N         value of the karpenter.sh/discovery tag (default local)
  --seed N                 seed for zones on sale, spot prices and random faults (default 1)
  --access-key-id ID       AccessKey id to accept (default LTAI5tSimulatorAccessKey)
  --access-key-secret S    its secret (default SimulatorAccessKeySecret0000)
  --log-level L            pino level (default info)
  --help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      region: { type: 'string' },
      catalog: { type: 'string' },
      'latency-profile': { type: 'string' },
      kubeconfig: { type: 'string' },
      'cluster-name': { type: 'string' },
      seed: { type: 'string' },
      'access-key-id': { type: 'string' },
      'access-key-secret': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const logLevel = (values['log-level'] ?? 'info') as SimulatorOptionsInput['logLevel'];
  const options: SimulatorOptionsInput = {
    port: values.port === undefined ? 0 : Number(values.port),
    latencyProfile: (values['latency-profile'] ?? 'realistic') as SimulatorOptionsInput['latencyProfile'],
    logLevel,
    ...(values.host ? { host: values.host } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.catalog ? { catalogPath: values.catalog } : {}),
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    ...(values['cluster-name'] ? { clusterName: values['cluster-name'] } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    ...(values['access-key-id'] && values['access-key-secret']
      ? { accessKeys: [{ accessKeyId: values['access-key-id'], accessKeySecret: values['access-key-secret'] }] }
      : {}),
  };
  const sim = await startSimulator({ ...options, logger: pino({ name: 'ecs-simulator', level: logLevel ?? 'info' }) });
  const summary = {
    endpoint: sim.endpoint,
    region: sim.region,
    accessKeyId: sim.accessKeyId,
    accessKeySecret: sim.accessKeySecret,
    admin: sim.adminUrl,
  };
  console.log(JSON.stringify(summary));
  console.error(
    [
      `ECS/VPC simulator listening on http://${sim.endpoint} (region ${sim.region})`,
      `  SDK config: { endpoint: '${sim.endpoint}', protocol: 'http', accessKeyId: '${sim.accessKeyId}', accessKeySecret: '${sim.accessKeySecret}' }`,
      `  admin:      ${sim.adminUrl}/state`,
    ].join('\n'),
  );
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof z.ZodError ? z.prettifyError(err) : err instanceof Error ? err.message : err);
  console.error(usage);
  process.exit(2);
});
