// The cloud, as the rest of the operator builds it: main.ts passes the validated configuration
// (the embedded simulator's endpoints and key, or the real regional endpoints and RRSA).
import { cloudProviderConfigSchema, type CloudProviderConfigInput } from './config.js';
import { AlibabaCloudProvider, type ProviderDeps } from './alibaba/provider.js';
import type { CloudProvider } from './types.js';

export * from './types.js';
export * from './errors.js';
export { cloudProviderConfigSchema, credentialsConfigSchema, redactCloudConfig } from './config.js';
export type { CloudProviderConfig, CloudProviderConfigInput, CredentialsConfig } from './config.js';
export type { ProviderDeps as CloudProviderDeps } from './alibaba/provider.js';

/** Builds the cloud provider; throws a zod error naming the bad field when the config is invalid. */
export function createCloudProvider(config: CloudProviderConfigInput, deps: ProviderDeps = {}): CloudProvider {
  return new AlibabaCloudProvider(cloudProviderConfigSchema.parse(config), deps);
}
