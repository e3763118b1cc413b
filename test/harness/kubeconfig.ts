import { readFile, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export type KubeconfigCredentials = { clientCertPath: string; clientKeyPath: string } | { token: string };

/** Writes a single-context kubeconfig with the CA and credentials embedded, so the file stands alone. */
export async function writeKubeconfig(path: string, server: string, caCertPath: string, credentials: KubeconfigCredentials): Promise<string> {
  const b64 = async (file: string): Promise<string> => (await readFile(file)).toString('base64');
  const user = 'token' in credentials
    ? { token: credentials.token }
    : { 'client-certificate-data': await b64(credentials.clientCertPath), 'client-key-data': await b64(credentials.clientKeyPath) };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server, 'certificate-authority-data': await b64(caCertPath) } }],
    users: [{ name: 'user', user }],
    contexts: [{ name: 'local', context: { cluster: 'local', user: 'user' } }],
    'current-context': 'local',
  };
  await writeFile(path, stringify(config), { mode: 0o600 });
  return path;
}
