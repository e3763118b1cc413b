// The embedded cloud: an ECS (2014-05-26) and VPC (2016-04-28) OpenAPI simulator that the
// unchanged @alicloud SDK clients talk to. startSimulator() is the stable entry point for
// main.ts, the CLI and tests; README.md describes the model, the seeded resources, the admin
// endpoint and the node-join user-data contract.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { createAdmin } from './admin/admin.js';
import { Faults } from './faults/faults.js';
import { loadCatalog } from './model/catalog.js';
import { Cloud } from './model/cloud.js';
import { latencyProfiles } from './model/lifecycle.js';
import { seedDefaultResources } from './model/seed.js';
import { NodeJoiner } from './nodejoin/joiner.js';
import { simulatorOptionsSchema, type SimulatorOptions } from './options.js';
import { CallStats } from './server/callStats.js';
import { createFrontDoor } from './server/http.js';
import { SimulatorState } from './state.js';

export type { SimulatorOptions } from './options.js';
export type { FaultRuleInput } from './faults/rules.js';
export type { Faults, StockSelector } from './faults/faults.js';
export type { SimulatorState, InstanceView, NetworkInterfaceView, VSwitchView } from './state.js';
export { parseUserData, encodeUserData, type NodeBootstrap } from './nodejoin/userData.js';

export interface RunningSimulator {
  /** host:port, as @alicloud/openapi-client's Config.endpoint wants it (with protocol 'http'). */
  endpoint: string;
  port: number;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** Admin API base URL: http://host:port/admin. */
  adminUrl: string;
  state: SimulatorState;
  faults: Faults;
  /** Resolves when every Node registration started so far has finished (for tests). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function startSimulator(input: SimulatorOptions = {}): Promise<RunningSimulator> {
  const { catalog: givenCatalog, logger: givenLogger, now, ...rest } = input;
  const options = simulatorOptionsSchema.parse(rest);
  const logger: Logger = givenLogger ?? pino({ name: 'ecs-simulator', level: options.logLevel });
  const catalog = givenCatalog ?? loadCatalog(options.catalogPath);
  const cloud = new Cloud({
    regionId: options.region,
    catalog,
    seed: options.seed,
    zoneCoverage: options.zoneCoverage,
    delays: { ...latencyProfiles[options.latencyProfile], ...options.delays },
    ...(now ? { now } : {}),
  });
  if (options.seedResources) seedDefaultResources(cloud, options);
  for (const s of options.stock) cloud.offerings.setStock(s, s.count);

  const stats = new CallStats();
  const state = new SimulatorState(cloud, stats);
  const faults = new Faults(cloud, options.seed);
  const joiner = options.kubeconfig
    ? new NodeJoiner({ cloud, kubeconfigPath: options.kubeconfig, node: options.node, logger: logger.child({ component: 'nodejoin' }) })
    : undefined;

  const secrets = new Map(options.accessKeys.map((k) => [k.accessKeyId, k.accessKeySecret]));
  const frontDoor = createFrontDoor({
    cloud,
    faults,
    stats,
    logger,
    secretOf: (id) => secrets.get(id),
    admin: createAdmin(state, faults),
  });
  const server: Server = createServer((req, res) => void frontDoor(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `${options.host}:${port}`;
  const credentials = options.accessKeys[0]!;
  logger.info({ endpoint, region: options.region, latencyProfile: options.latencyProfile }, 'simulator listening');

  return {
    endpoint,
    port,
    region: options.region,
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    adminUrl: `http://${endpoint}/admin`,
    state,
    faults,
    settled: async () => {
      await joiner?.settled();
    },
    close: async () => {
      cloud.close();
      await joiner?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
