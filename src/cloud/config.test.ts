import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cloudProviderConfigSchema, redactCloudConfig } from './config.js';

describe('cloud provider config', () => {
  it('fills defaults for a minimal real-cloud config using the default credential chain', () => {
    const config = cloudProviderConfigSchema.parse({ region: 'cn-hangzhou', credentials: { mode: 'default' } });
    assert.equal(config.protocol, 'https');
    assert.equal(config.launchApi, 'CreateAutoProvisioningGroup');
    assert.equal(config.retry.maxAttempts, 5);
    assert.equal(config.ecsEndpoint, undefined);
  });

  it('accepts explicit RRSA settings and names a missing field', () => {
    const ok = cloudProviderConfigSchema.parse({
      region: 'cn-beijing',
      credentials: { mode: 'oidc', roleArn: 'acs:ram::1:role/op', oidcProviderArn: 'acs:ram::1:oidc-provider/ack', oidcTokenFile: '/var/run/secrets/token' },
    });
    assert.equal(ok.credentials.mode === 'oidc' && ok.credentials.roleSessionName, 'ack-node-operator');
    const bad = cloudProviderConfigSchema.safeParse({ region: 'cn-beijing', credentials: { mode: 'oidc', roleArn: 'r' } });
    assert.equal(bad.success, false);
    assert.ok(bad.error?.issues.some((i) => i.path.join('.') === 'credentials.oidcProviderArn'));
  });

  it('rejects a region that is not a region id', () => {
    assert.equal(cloudProviderConfigSchema.safeParse({ region: 'Hangzhou', credentials: { mode: 'default' } }).success, false);
  });

  it('never shows the secret when redacted', () => {
    const config = cloudProviderConfigSchema.parse({
      region: 'cn-hangzhou',
      ecsEndpoint: '127.0.0.1:8080',
      protocol: 'http',
      credentials: { mode: 'accessKey', accessKeyId: 'LTAI5tExample', accessKeySecret: 'very-secret' },
    });
    const shown = JSON.stringify(redactCloudConfig(config));
    assert.ok(!shown.includes('very-secret'));
    assert.ok(!shown.includes('LTAI5tExample'));
  });
});
