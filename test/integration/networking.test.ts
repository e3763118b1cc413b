// The PodNetworking controller on a real API server, against the simulator through the real SDK,
// in an in-process Manager authenticated as the chart's ServiceAccount: Alibaba's documented
// example (vsw-bpxxxx, sg-bpxxxx: ids that do not exist) goes Fail with a Warning Event; the
// bank's core-trade PodNetworking goes Ready with its vSwitches' zones and a Normal Event; fixing
// a failed one makes it Ready.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { PodNetworking } from '../../src/apis/podnetworking.js';
import { providerFor } from '../../src/cloud/alibaba/testing.js';
import { registerNetworking } from '../../src/controllers/networking/index.js';
import { VSwitchIpGauge } from '../../src/controllers/resolve/vswitch-ips-gauge.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { upstreamExamples } from '../fixtures/fixtures.js';
import type { ControlPlane } from '../harness/controlplane.js';
import { startControllerEnv, type ControllerEnv } from '../harness/controller-env.js';
import { eventually } from '../harness/eventually.js';

describe('PodNetworking controller on a real API server', { timeout: 300_000 }, () => {
  let env: ControllerEnv;
  let cp: ControlPlane;
  let sim: RunningSimulator;
  let registry: Registry;

  const kubectl = (args: string[], input?: string) => env.kubectl(args, input);
  async function getPodNetworking(name: string): Promise<PodNetworking | undefined> {
    const result = await cp.kubectl(['get', 'podnetworking', name, '-o', 'json']);
    return result.code === 0 ? PodNetworking.parse(JSON.parse(result.stdout)) : undefined;
  }
  const events = (name: string) => env.events('PodNetworking', name);
  const statusIs = (name: string, status: 'Ready' | 'Fail') =>
    eventually(`${name} is ${status}`, async () => {
      const pn = await getPodNetworking(name);
      return pn?.status?.status === status ? pn : undefined;
    });

  before(async () => {
    registry = new Registry();
    env = await startControllerEnv({ chartRbac: true, registry });
    ({ cp, sim } = env);
    const manager = env.manager({ identity: 'networking-test', registry });
    registerNetworking(manager, env.deps, { vSwitchIps: new VSwitchIpGauge(registry), resyncMs: 1_000 });
    await manager.start();
  });
  after(async () => {
    await env?.stop();
  });

  it("fails the documentation's example, whose vSwitch and security group do not exist, with a Warning Event", async () => {
    const example = upstreamExamples().find((e) => e.file === 'ack-podnetworking-example.yaml');
    assert.ok(example);
    await kubectl(['apply', '-f', '-'], example.text);
    const failed = await statusIs('example', 'Fail');
    const message = `vSwitch vsw-bpxxxx does not exist in ${sim.region}; security group sg-bpxxxx does not exist in ${sim.region}`;
    assert.equal(failed.status?.message, message);
    assert.deepEqual(failed.status?.vSwitches, []);
    assert.ok(failed.status?.updateAt);
    await eventually('a Warning Event says why', async () => (await events('example')).find((e) => e.type === 'Warning' && e.reason === 'Fail' && e.note === message));
  });

  it('makes the core-trade PodNetworking Ready with the zones of its vSwitches', async () => {
    const a = sim.state.vSwitchByName('core-trade-a');
    const b = sim.state.vSwitchByName('core-trade-b');
    const sg = sim.state.securityGroups().find((g) => g.name === 'sg-core-trade');
    assert.ok(a && b && sg);
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'network.alibabacloud.com/v1beta1',
      kind: 'PodNetworking',
      metadata: { name: 'core-trade' },
      spec: {
        selector: { podSelector: { matchLabels: { 'app-type': 'core-trade' } } },
        vSwitchOptions: [a.id, b.id],
        securityGroupIDs: [sg.id],
      },
    }));
    const ready = await statusIs('core-trade', 'Ready');
    assert.deepEqual(ready.status?.vSwitches, [{ id: a.id, zone: a.zoneId }, { id: b.id, zone: b.zoneId }]);
    assert.equal(ready.status?.message, undefined);
    await eventually('a Normal Event names the zones', async () =>
      (await events('core-trade')).find((e) => e.type === 'Normal' && e.reason === 'Ready' && e.note?.includes(a.zoneId) && e.note.includes(b.zoneId)),
    );
    const metrics = await registry.metrics();
    assert.match(metrics, new RegExp(`ack_node_operator_vswitch_available_ips\\{vswitch_id="${a.id}",zone="${a.zoneId}"\\} 252`));
  });

  it('turns Ready once a failed PodNetworking is fixed, and clears the message', async () => {
    const a = sim.state.vSwitchByName('core-trade-a');
    const sg = sim.state.securityGroups().find((g) => g.name === 'sg-core-trade');
    assert.ok(a && sg);
    await kubectl(['patch', 'podnetworking', 'example', '--type=merge', '-p', JSON.stringify({ spec: { vSwitchOptions: [a.id], securityGroupIDs: [sg.id] } })]);
    const ready = await statusIs('example', 'Ready');
    assert.equal(ready.status?.message, undefined);
    assert.deepEqual(ready.status?.vSwitches, [{ id: a.id, zone: a.zoneId }]);
  });

  it('fails when a vSwitch it uses disappears from the cloud', async () => {
    // A vSwitch deleted behind the operator's back: the periodic look finds it gone.
    const doomed = sim.state.addVSwitch({ zoneId: (await providerFor(sim).cloud.listZones())[0] as string, cidrBlock: '10.200.0.0/24', name: 'doomed' });
    const sg = sim.state.securityGroups().find((g) => g.name === 'sg-core-trade');
    assert.ok(sg);
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'network.alibabacloud.com/v1beta1',
      kind: 'PodNetworking',
      metadata: { name: 'doomed' },
      spec: { selector: { podSelector: { matchLabels: { app: 'doomed' } } }, vSwitchOptions: [doomed], securityGroupIDs: [sg.id] },
    }));
    await statusIs('doomed', 'Ready');
    sim.state.cloud.vSwitches.delete(doomed);
    const failed = await statusIs('doomed', 'Fail');
    assert.equal(failed.status?.message, `vSwitch ${doomed} does not exist in ${sim.region}`);
  });
});
