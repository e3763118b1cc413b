import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ecs from '@alicloud/ecs20140526';
import { Config } from '@alicloud/openapi-client';
import { CloudError } from '../errors.js';
import { classifyCode, toCloudError } from './error-classification.js';

describe('classifyCode', () => {
  const cases: [string, number | undefined, string][] = [
    ['Throttling', 400, 'Throttled'],
    ['Throttling.User', 400, 'Throttled'],
    ['Throttling.Api', 400, 'Throttled'],
    ['ServiceUnavailable', 503, 'Transient'],
    ['InternalError', 500, 'Transient'],
    ['SomethingNew', 502, 'Transient'],
    ['OperationDenied.NoStock', 403, 'InsufficientCapacity'],
    ['NoInstanceStock', 400, 'InsufficientCapacity'],
    ['RecommendEmpty.InstanceTypeNoStock', 400, 'InsufficientCapacity'],
    ['Zone.NotOnSale', 400, 'InsufficientCapacity'],
    ['InvalidVSwitchId.IpNotEnough', 403, 'IpExhausted'],
    ['QuotaExceeded.PrivateIpAddress', 403, 'QuotaExceeded'],
    ['EniPerInstanceLimitExceeded', 403, 'QuotaExceeded'],
    ['InvalidOperation.Ipv4CountExceeded', 403, 'QuotaExceeded'],
    ['InvalidEniId.NotFound', 404, 'NotFound'],
    ['InvalidInstanceId.NotFound', 404, 'NotFound'],
    ['IdempotentFailed', 400, 'Conflict'],
    ['IncorrectInstanceStatus', 403, 'Conflict'],
    ['InvalidOperation.InvalidEniState', 403, 'Conflict'],
    ['InvalidAccessKeyId.NotFound', 404, 'Unauthorized'],
    ['SignatureDoesNotMatch', 400, 'Unauthorized'],
    ['Forbidden.RAM', 403, 'Unauthorized'],
    ['InvalidParameter', 400, 'InvalidRequest'],
    ['MissingRegionId', 400, 'InvalidRequest'],
  ];
  for (const [code, status, kind] of cases) {
    it(`${code} (${status}) is ${kind}`, () => assert.equal(classifyCode(code, status), kind));
  }

  it('never takes a missing API for a missing resource', () => {
    // Deletes treat NotFound as success; an unknown action must not silently "succeed".
    assert.equal(classifyCode('InvalidAction.NotFound', 404), 'InvalidRequest');
  });
});

describe('toCloudError', () => {
  it('reads code, request id and the server message from an SDK response error', () => {
    const err = Object.assign(new Error('code: 403, The specified VSwitch does not have enough IP addresses. request id: R1'), {
      code: 'InvalidVSwitchId.IpNotEnough',
      statusCode: 403,
      requestId: 'R1',
      data: { Code: 'InvalidVSwitchId.IpNotEnough', Message: 'The specified VSwitch does not have enough IP addresses.' },
    });
    const cloud = toCloudError(err, 'CreateNetworkInterface');
    assert.equal(cloud.kind, 'IpExhausted');
    assert.equal(cloud.code, 'InvalidVSwitchId.IpNotEnough');
    assert.equal(cloud.requestId, 'R1');
    assert.equal(cloud.action, 'CreateNetworkInterface');
    assert.match(cloud.message, /does not have enough IP addresses/);
  });

  it('keeps a CloudError as it is', () => {
    const original = new CloudError({ kind: 'Conflict', code: 'X', action: 'A', message: 'm' });
    assert.equal(toCloudError(original, 'B'), original);
  });

  it('classifies a refused connection from the real SDK as a transient network error', async () => {
    // Port 1 on loopback has no listener: the SDK fails at the socket, before any HTTP answer.
    const client = new ecs.default(
      new Config({ accessKeyId: 'ak', accessKeySecret: 'sk', endpoint: '127.0.0.1:1', protocol: 'http', regionId: 'cn-hangzhou', connectTimeout: 1000 }),
    );
    const err = await client.describeZones(new ecs.DescribeZonesRequest({ regionId: 'cn-hangzhou' })).then(
      () => assert.fail('expected the call to fail'),
      (e: unknown) => e,
    );
    const cloud = toCloudError(err, 'DescribeZones');
    assert.equal(cloud.kind, 'Transient');
    assert.equal(cloud.code, 'NetworkError');
    assert.equal(cloud.retryable, true);
  });
});
