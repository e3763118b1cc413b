// SDK client configuration from the validated cloud config: the credential source and the
// endpoint of each product.
import credentials from '@alicloud/credentials';
import { Config } from '@alicloud/openapi-client';
import type { CloudProviderConfig, CredentialsConfig } from '../config.js';

type Credential = InstanceType<typeof credentials.default>;

/** A credential provider for the modes that do not carry a static key pair. */
export function credentialFor(config: Exclude<CredentialsConfig, { mode: 'accessKey' }>): Credential {
  switch (config.mode) {
    case 'default':
      return new credentials.default();
    case 'oidc':
      return new credentials.default(
        new credentials.Config({
          type: 'oidc_role_arn',
          roleArn: config.roleArn,
          oidcProviderArn: config.oidcProviderArn,
          oidcTokenFilePath: config.oidcTokenFile,
          roleSessionName: config.roleSessionName,
          ...(config.stsEndpoint ? { stsEndpoint: config.stsEndpoint } : {}),
        }),
      );
    case 'ecsRamRole':
      return new credentials.default(
        new credentials.Config({ type: 'ecs_ram_role', ...(config.roleName ? { roleName: config.roleName } : {}) }),
      );
  }
}

/** The ECS and VPC client configurations; one credential provider serves both, so it refreshes once. */
export function sdkConfigs(config: CloudProviderConfig): { ecs: Config; vpc: Config } {
  const creds = config.credentials;
  const auth =
    creds.mode === 'accessKey'
      ? {
          accessKeyId: creds.accessKeyId,
          accessKeySecret: creds.accessKeySecret,
          ...(creds.securityToken ? { securityToken: creds.securityToken } : {}),
        }
      : { credential: credentialFor(creds) };
  const forEndpoint = (endpoint: string | undefined) =>
    new Config({
      regionId: config.region,
      protocol: config.protocol,
      readTimeout: config.readTimeoutMs,
      connectTimeout: config.connectTimeoutMs,
      ...(endpoint ? { endpoint } : {}),
      ...auth,
    });
  return { ecs: forEndpoint(config.ecsEndpoint), vpc: forEndpoint(config.vpcEndpoint) };
}
