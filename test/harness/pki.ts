// The certificates and keys of one throwaway control plane: a CA, the API server's serving
// certificate, a client certificate per component, and the service-account signing key pair.
// X.509 needs a signer that node:crypto lacks, so certificates come from the openssl CLI
// (hack/controlplane/build.sh installs it if missing). EC P-256 keys keep generation to milliseconds.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertificatePair {
  certPath: string;
  keyPath: string;
}

export interface ControlPlanePki {
  caCertPath: string;
  caKeyPath: string;
  apiServerServing: CertificatePair;
  /** Clients by role; `admin` is in group system:masters. */
  clients: Record<ClientRole, CertificatePair>;
  serviceAccountPrivateKeyPath: string;
  serviceAccountPublicKeyPath: string;
}

export type ClientRole = 'admin' | 'controllerManager' | 'scheduler' | 'kwok';

// RBAC identities. The scheduler gets exactly its bootstrap role. The controller manager would need
// --use-service-account-credentials (one token per controller, ~5 s more start-up) to run its
// controllers under their bootstrap roles, so it is cluster-admin instead. kwok plays every kubelet.
const clientSubjects: Record<ClientRole, string> = {
  admin: '/O=system:masters/CN=kubernetes-admin',
  controllerManager: '/O=system:masters/CN=system:kube-controller-manager',
  scheduler: '/CN=system:kube-scheduler',
  kwok: '/O=system:masters/CN=kwok',
};

const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function issue(dir: string, name: string, subject: string, extensions: string, ca: { cert: string; key: string }): Promise<CertificatePair> {
  const keyPath = join(dir, `${name}.key`);
  const csrPath = join(dir, `${name}.csr`);
  const certPath = join(dir, `${name}.crt`);
  const extPath = join(dir, `${name}.ext`);
  await writeFile(extPath, extensions);
  await run('openssl', ['req', '-new', ...curve, '-keyout', keyPath, '-out', csrPath, '-subj', subject]);
  await run('openssl', ['x509', '-req', '-in', csrPath, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', `0x${randomSerial()}`,
    '-days', '30', '-extfile', extPath, '-out', certPath]);
  return { certPath, keyPath };
}

/** 128 random bits, kept positive as RFC 5280 asks. */
function randomSerial(): string {
  return `1${randomBytes(15).toString('hex')}`;
}

export async function createPki(dir: string, serviceClusterIp: string): Promise<ControlPlanePki> {
  const caCertPath = join(dir, 'ca.crt');
  const caKeyPath = join(dir, 'ca.key');
  await run('openssl', ['req', '-x509', ...curve, '-keyout', caKeyPath, '-out', caCertPath, '-days', '30',
    '-subj', '/CN=ack-node-operator-test-ca', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
  const ca = { cert: caCertPath, key: caKeyPath };

  const leaf = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n';
  const serverNames = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
  const serving = `${leaf}extendedKeyUsage=serverAuth\nsubjectAltName=${[...serverNames.map((n) => `DNS:${n}`), 'IP:127.0.0.1', `IP:${serviceClusterIp}`].join(',')}\n`;
  const client = `${leaf}extendedKeyUsage=clientAuth\n`;

  const roles = Object.keys(clientSubjects) as ClientRole[];
  const [apiServerServing, ...clientPairs] = await Promise.all([
    issue(dir, 'apiserver', '/CN=kube-apiserver', serving, ca),
    ...roles.map((role) => issue(dir, `client-${role}`, clientSubjects[role], client, ca)),
  ]);
  const clients = Object.fromEntries(roles.map((role, i) => [role, clientPairs[i]])) as Record<ClientRole, CertificatePair>;

  const serviceAccount = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const serviceAccountPrivateKeyPath = join(dir, 'service-account.key');
  const serviceAccountPublicKeyPath = join(dir, 'service-account.pub');
  await writeFile(serviceAccountPrivateKeyPath, serviceAccount.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await writeFile(serviceAccountPublicKeyPath, serviceAccount.publicKey.export({ type: 'spki', format: 'pem' }));

  return {
    caCertPath,
    caKeyPath,
    apiServerServing: apiServerServing!,
    clients,
    serviceAccountPrivateKeyPath,
    serviceAccountPublicKeyPath,
  };
}
