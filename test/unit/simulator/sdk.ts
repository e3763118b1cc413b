// Test fixture: a started simulator and the unchanged @alicloud SDK clients pointed at it.
import ecs from '@alicloud/ecs20140526';
import { Config } from '@alicloud/openapi-client';
import vpc from '@alicloud/vpc20160428';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../../src/simulator/index.js';

export { ecs, vpc };
export type EcsClient = InstanceType<typeof ecs.default>;
export type VpcClient = InstanceType<typeof vpc.default>;

export interface Fixture {
  sim: RunningSimulator;
  ecs: EcsClient;
  vpc: VpcClient;
  region: string;
  /** Seeded ids by name. */
  vsw(name: string): string;
  sg(name: string): string;
  close(): Promise<void>;
}

export function sdkConfig(sim: RunningSimulator, overrides: { accessKeyId?: string; accessKeySecret?: string } = {}): Config {
  return new Config({
    accessKeyId: overrides.accessKeyId ?? sim.accessKeyId,
    accessKeySecret: overrides.accessKeySecret ?? sim.accessKeySecret,
    endpoint: sim.endpoint,
    protocol: 'http',
    regionId: sim.region,
  });
}

export async function startFixture(options: SimulatorOptions = {}): Promise<Fixture> {
  const sim = await startSimulator({ logLevel: 'silent', ...options });
  return {
    sim,
    ecs: new ecs.default(sdkConfig(sim)),
    vpc: new vpc.default(sdkConfig(sim)),
    region: sim.region,
    vsw: (name) => {
      const found = sim.state.vSwitchByName(name);
      if (!found) throw new Error(`no vSwitch ${name}`);
      return found.id;
    },
    sg: (name) => {
      const found = sim.state.securityGroups().find((s) => s.name === name);
      if (!found) throw new Error(`no security group ${name}`);
      return found.id;
    },
    close: () => sim.close(),
  };
}

/** The SDK's error for a failed call: code, HTTP status and the parsed body. */
export interface SdkError {
  code: string;
  statusCode: number;
  data: { RequestId: string; Code: string; Message: string; HostId?: string; Recommend?: string };
}

export async function sdkError(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (err) {
    return err as SdkError;
  }
  throw new Error('expected the call to fail');
}

/** The latest image of a family: what launches use. */
export function latestImage(sim: RunningSimulator, family: string): string {
  const image = sim.state
    .images()
    .filter((i) => i.family === family)
    .sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
  if (!image) throw new Error(`no image in ${family}`);
  return image.id;
}

export const x64Family = 'acs:alibaba_cloud_linux_3_2104_lts_x64';
