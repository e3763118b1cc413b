// The gateway: V3 signatures verified against configured AccessKeys, the production error shape
// for bad signatures, unknown keys, missing parameters and unknown actions.
import openapiCore from '@alicloud/openapi-core';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'node:querystring';
import { ecs, sdkConfig, sdkError, startFixture, type Fixture } from './sdk.js';

describe('simulator gateway', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture({ accessKeys: [{ accessKeyId: 'LTAI-test', accessKeySecret: 'secret-one' }, { accessKeyId: 'LTAI-two', accessKeySecret: 'secret-two' }] });
  });
  after(() => f.close());

  it('accepts every configured AccessKey pair', async () => {
    const second = new ecs.default(sdkConfig(f.sim, { accessKeyId: 'LTAI-two', accessKeySecret: 'secret-two' }));
    const answer = await second.describeRegions(new ecs.DescribeRegionsRequest({}));
    assert.ok(answer.body?.requestId);
    assert.ok((answer.body?.regions?.region ?? []).some((r) => r.regionId === 'cn-hangzhou'));
  });

  it('answers a wrong secret with SignatureDoesNotMatch (400) in the production error shape', async () => {
    const client = new ecs.default(sdkConfig(f.sim, { accessKeySecret: 'not-the-secret' }));
    const err = await sdkError(client.describeRegions(new ecs.DescribeRegionsRequest({})));
    assert.equal(err.code, 'SignatureDoesNotMatch');
    assert.equal(err.statusCode, 400);
    assert.match(err.data.RequestId, /^[0-9A-F-]{36}$/);
    assert.equal(err.data.HostId, 'ecs.cn-hangzhou.aliyuncs.com');
    assert.match(err.data.Recommend ?? '', /SignatureDoesNotMatch/);
  });

  it('answers an unknown AccessKey with InvalidAccessKeyId.NotFound (404)', async () => {
    const client = new ecs.default(sdkConfig(f.sim, { accessKeyId: 'LTAI-nobody' }));
    const err = await sdkError(client.describeRegions(new ecs.DescribeRegionsRequest({})));
    assert.equal(err.code, 'InvalidAccessKeyId.NotFound');
    assert.equal(err.statusCode, 404);
  });

  it('answers a missing required parameter with Missing<Name> (400)', async () => {
    const err = await sdkError(f.ecs.describeZones(new ecs.DescribeZonesRequest({})));
    assert.equal(err.code, 'MissingRegionId');
    assert.equal(err.statusCode, 400);
    assert.equal(err.data.Message, 'RegionId is mandatory for this action.');
    const nested = await sdkError(
      f.ecs.createAutoProvisioningGroup(
        new ecs.CreateAutoProvisioningGroupRequest({
          regionId: 'cn-hangzhou',
          totalTargetCapacity: '1',
          launchTemplateConfig: [new ecs.CreateAutoProvisioningGroupRequestLaunchTemplateConfig({ instanceType: 'ecs.g7.large' })],
        }),
      ),
    );
    assert.equal(nested.code, 'MissingLaunchTemplateConfig1VSwitchId');
    assert.match(nested.data.Message, /LaunchTemplateConfig\.1\.VSwitchId/);
  });

  it('answers a malformed parameter with InvalidParameter naming it', async () => {
    const err = await sdkError(f.ecs.describeInstances(new ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', instanceIds: 'i-1' })));
    assert.equal(err.code, 'InvalidParameter');
    assert.match(err.data.Message, /InstanceIds/);
  });

  it('answers an unknown region with InvalidRegionId.NotFound', async () => {
    const err = await sdkError(f.ecs.describeZones(new ecs.DescribeZonesRequest({ regionId: 'mars-north-1' })));
    assert.equal(err.code, 'InvalidRegionId.NotFound');
  });

  describe('raw requests signed by the SDK signer', () => {
    const sign = (query: Record<string, string>, headers: Record<string, string>, secret: string) =>
      openapiCore.OpenApiUtil.getAuthorization(
        { pathname: '/', method: 'POST', query, headers } as never,
        'ACS3-HMAC-SHA256',
        createHash('sha256').update('').digest('hex'),
        'LTAI-test',
        secret,
      );
    const request = (action: string, query: Record<string, string>, opts: { nonce?: string; date?: string; version?: string } = {}) => {
      const headers: Record<string, string> = {
        host: f.sim.endpoint,
        'x-acs-action': action,
        'x-acs-version': opts.version ?? '2014-05-26',
        'x-acs-date': opts.date ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        'x-acs-signature-nonce': opts.nonce ?? randomUUID(),
        'x-acs-content-sha256': createHash('sha256').update('').digest('hex'),
      };
      headers.Authorization = sign(query, headers, 'secret-one');
      return fetch(`http://${f.sim.endpoint}/?${stringify(query)}`, { method: 'POST', headers });
    };

    it('accepts a correctly signed request with values that need escaping', async () => {
      const res = await request('DescribeSecurityGroups', { RegionId: 'cn-hangzhou', SecurityGroupName: "it's (a) *test* ~!" });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { SecurityGroups: { SecurityGroup: unknown[] } };
      assert.deepEqual(body.SecurityGroups.SecurityGroup, []);
    });

    it('refuses a replayed nonce with SignatureNonceUsed', async () => {
      const nonce = randomUUID();
      assert.equal((await request('DescribeRegions', {}, { nonce })).status, 200);
      const replay = await request('DescribeRegions', {}, { nonce });
      assert.equal(replay.status, 400);
      assert.equal(((await replay.json()) as { Code: string }).Code, 'SignatureNonceUsed');
    });

    it('refuses a request dated outside the 15-minute window', async () => {
      const res = await request('DescribeRegions', {}, { date: new Date(Date.now() - 20 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') });
      assert.equal(((await res.json()) as { Code: string }).Code, 'InvalidTimeStamp.Expired');
    });

    it('refuses a request whose query was changed after signing', async () => {
      const headers: Record<string, string> = {
        host: f.sim.endpoint,
        'x-acs-action': 'DescribeZones',
        'x-acs-version': '2014-05-26',
        'x-acs-date': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        'x-acs-signature-nonce': randomUUID(),
        'x-acs-content-sha256': createHash('sha256').update('').digest('hex'),
      };
      headers.Authorization = sign({ RegionId: 'cn-hangzhou' }, headers, 'secret-one');
      const res = await fetch(`http://${f.sim.endpoint}/?RegionId=cn-beijing`, { method: 'POST', headers });
      assert.equal(((await res.json()) as { Code: string }).Code, 'SignatureDoesNotMatch');
    });

    it('refuses an unsigned request with IncompleteSignature', async () => {
      const res = await fetch(`http://${f.sim.endpoint}/`, {
        method: 'POST',
        headers: { 'x-acs-action': 'DescribeRegions', 'x-acs-version': '2014-05-26' },
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { Code: string }).Code, 'IncompleteSignature');
    });

    it('answers unknown actions with InvalidAction.NotFound and unknown versions with InvalidVersion', async () => {
      const unknown = await request('LaunchRocket', {});
      assert.equal(unknown.status, 404);
      assert.equal(((await unknown.json()) as { Code: string }).Code, 'InvalidAction.NotFound');
      const version = await request('DescribeRegions', {}, { version: '2099-01-01' });
      assert.equal(((await version.json()) as { Code: string }).Code, 'InvalidVersion');
    });

    it('routes VPC actions by the VPC version only', async () => {
      const wrongProduct = await request('DescribeVSwitches', { RegionId: 'cn-hangzhou' });
      assert.equal(((await wrongProduct.json()) as { Code: string }).Code, 'InvalidAction.NotFound');
      const vpcCall = await request('DescribeVSwitches', { RegionId: 'cn-hangzhou' }, { version: '2016-04-28' });
      assert.equal(vpcCall.status, 200);
    });
  });

  it('counts every call per action with its outcome', async () => {
    f.sim.state.resetCalls();
    await f.ecs.describeRegions(new ecs.DescribeRegionsRequest({}));
    await sdkError(f.ecs.describeZones(new ecs.DescribeZonesRequest({})));
    assert.equal(f.sim.state.callCount('DescribeRegions'), 1);
    assert.deepEqual(f.sim.state.calls().DescribeZones, { total: 1, ok: 0, errors: { MissingRegionId: 1 } });
  });
});
