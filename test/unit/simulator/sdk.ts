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

/** A node vSwitch in a zone where the type is on sale (zone coverage is partial by design). */
export function nodeVSwitchFor(f: Fixture, instanceType: string, skip = 0): { vSwitchId: string; zoneId: string } {
  const offered = f.sim.state
    .vSwitches()
    .filter((v) => v.name.startsWith('node-vsw-') && f.sim.state.cloud.offerings.offered(f.region, instanceType, v.zoneId));
  const v = offered[skip];
  if (!v) throw new Error(`${instanceType} is on sale in fewer than ${skip + 1} zones`);
  return { vSwitchId: v.id, zoneId: v.zoneId };
}

/** RunInstances with sensible defaults; returns the instance ids. */
export async function run(f: Fixture, req: Record<string, unknown> & { instanceType?: string } = {}): Promise<string[]> {
  const instanceType = req.instanceType ?? 'ecs.g7.large';
  const answer = await f.ecs.runInstances(
    new ecs.RunInstancesRequest({
      regionId: f.region,
      instanceType,
      vSwitchId: req.vSwitchId ?? nodeVSwitchFor(f, instanceType).vSwitchId,
      imageId: latestImage(f.sim, x64Family),
      securityGroupIds: [f.sg('sg-default')],
      ...req,
    }),
  );
  return answer.body?.instanceIdSets?.instanceIdSet ?? [];
}

export async function describeInstance(f: Fixture, id: string) {
  const answer = await f.ecs.describeInstances(new ecs.DescribeInstancesRequest({ regionId: f.region, instanceIds: JSON.stringify([id]) }));
  return answer.body?.instances?.instance?.[0];
}
