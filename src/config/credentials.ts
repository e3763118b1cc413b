// Which Alibaba Cloud credentials the operator uses, in order: the files of a mounted Secret
// (--credentials-dir), the ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET pair, else the default chain
// (RRSA/OIDC as ACK injects it, the credentials file, the ECS instance's RAM role). The values
// read here are handed to the cloud provider and never logged.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CredentialsConfig } from '../cloud/index.js';

export const credentialFiles = { accessKeyId: 'access-key-id', accessKeySecret: 'access-key-secret', securityToken: 'security-token' } as const;

async function readOptional(path: string): Promise<string | undefined> {
  try {
    const value = (await readFile(path, 'utf8')).trim();
    return value || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
}

export async function resolveCredentials(credentialsDir: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<CredentialsConfig> {
  if (credentialsDir) {
    const accessKeyId = await readOptional(join(credentialsDir, credentialFiles.accessKeyId));
    const accessKeySecret = await readOptional(join(credentialsDir, credentialFiles.accessKeySecret));
    const missing = [!accessKeyId && credentialFiles.accessKeyId, !accessKeySecret && credentialFiles.accessKeySecret].filter(Boolean);
    if (missing.length > 0 || !accessKeyId || !accessKeySecret) {
      throw new Error(`--credentials-dir ${credentialsDir} lacks a non-empty ${missing.join(' and ')} file`);
    }
    const securityToken = await readOptional(join(credentialsDir, credentialFiles.securityToken));
    return { mode: 'accessKey', accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) };
  }
  const accessKeyId = env.ALIBABA_CLOUD_ACCESS_KEY_ID?.trim();
  const accessKeySecret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET?.trim();
  if (accessKeyId && accessKeySecret) {
    const securityToken = env.ALIBABA_CLOUD_SECURITY_TOKEN?.trim();
    return { mode: 'accessKey', accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) };
  }
  if (accessKeyId || accessKeySecret) throw new Error('set both ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or neither');
  return { mode: 'default' };
}
