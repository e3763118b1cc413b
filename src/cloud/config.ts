// The cloud provider's configuration, validated with zod because it comes from flags, files and
// the environment. Secrets are accepted here but never logged: see redactCloudConfig.
import { z } from 'zod';

const nonEmpty = z.string().trim().min(1);

export const credentialsConfigSchema = z.discriminatedUnion('mode', [
  /** An AccessKey pair, optionally with an STS token. */
  z.object({
    mode: z.literal('accessKey'),
    accessKeyId: nonEmpty,
    accessKeySecret: nonEmpty,
    securityToken: nonEmpty.optional(),
  }),
  /**
   * The SDK's default chain: ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET, then RRSA (ALIBABA_CLOUD_ROLE_ARN,
   * ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE, as ACK injects them), then the
   * credentials file, then the ECS instance's RAM role.
   */
  z.object({ mode: z.literal('default') }),
  /** RRSA with explicit settings: assume a RAM role with the pod's OIDC token. */
  z.object({
    mode: z.literal('oidc'),
    roleArn: nonEmpty,
    oidcProviderArn: nonEmpty,
    oidcTokenFile: nonEmpty,
    roleSessionName: nonEmpty.default('ack-node-operator'),
    stsEndpoint: nonEmpty.optional(),
  }),
  /** The RAM role of the ECS instance the operator runs on, from the metadata service. */
  z.object({ mode: z.literal('ecsRamRole'), roleName: nonEmpty.optional() }),
]);
export type CredentialsConfig = z.infer<typeof credentialsConfigSchema>;

const rateLimitSchema = z.object({ qps: z.number().positive(), burst: z.number().int().positive() });

export const cloudProviderConfigSchema = z.object({
  region: z.string().regex(/^[a-z]{2}-[a-z0-9-]+$/, 'a region id such as cn-hangzhou'),
  /** host[:port] of the ECS API; unset means the SDK's regional endpoint. */
  ecsEndpoint: nonEmpty.optional(),
  /** host[:port] of the VPC API; unset means the SDK's regional endpoint. */
  vpcEndpoint: nonEmpty.optional(),
  protocol: z.enum(['https', 'http']).default('https'),
  credentials: credentialsConfigSchema,
  /** How instances are launched. */
  launchApi: z.enum(['CreateAutoProvisioningGroup', 'RunInstances']).default('CreateAutoProvisioningGroup'),
  /** Per-action client-side limits, replacing the Terway-derived defaults for the actions named. */
  rateLimits: z.record(z.string(), rateLimitSchema).default({}),
  retry: z
    .object({
      maxAttempts: z.number().int().min(1).max(20).default(5),
      baseDelayMs: z.number().int().min(1).default(200),
      maxDelayMs: z.number().int().min(1).default(10_000),
      maxElapsedMs: z.number().int().min(1).default(60_000),
    })
    .prefault({}),
  readTimeoutMs: z.number().int().positive().default(10_000),
  connectTimeoutMs: z.number().int().positive().default(5_000),
  onDemandPriceTtlMs: z.number().int().positive().default(60 * 60_000),
  spotPriceTtlMs: z.number().int().positive().default(10 * 60_000),
  /** Price look-ups in flight at once when the price cache refreshes. */
  priceConcurrency: z.number().int().min(1).max(64).default(8),
  /** Page size of Describe calls, kept within each action's bounds (lower it to exercise paging). */
  pageSize: z.number().int().min(1).max(1600).default(100),
});
export type CloudProviderConfig = z.infer<typeof cloudProviderConfigSchema>;
export type CloudProviderConfigInput = z.input<typeof cloudProviderConfigSchema>;

/** The configuration with secrets replaced, for logs. */
export function redactCloudConfig(config: CloudProviderConfig): Record<string, unknown> {
  const credentials =
    config.credentials.mode === 'accessKey'
      ? { mode: 'accessKey', accessKeyId: `${config.credentials.accessKeyId.slice(0, 4)}***` }
      : config.credentials;
  return { ...config, credentials };
}
