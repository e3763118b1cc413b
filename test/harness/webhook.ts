// The admission webhook as the chart installs it, on loopback: a serving certificate for
// 127.0.0.1 (openssl, as cert-manager or the chart would issue one), a TCP front that spreads the
// API server's calls over the live operator replicas (what the chart's Service does), and the
// chart's own MutatingWebhookConfiguration with its clientConfig pointed at that front.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ControlPlane } from './controlplane.js';
import { ciValues, findManifest, renderChart } from './helm.js';

const run = promisify(execFile);

/** Writes ca.crt, tls.crt and tls.key (valid for IP 127.0.0.1) into `dir`; returns the CA bundle (PEM). */
export async function createWebhookCertificate(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const at = (f: string) => join(dir, f);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', at('ca.key'), '-out', at('ca.crt'), '-days', '2', '-subj', '/CN=e2e-webhook-ca']);
  await run('openssl', ['req', ...ec, '-keyout', at('tls.key'), '-out', at('tls.csr'), '-subj', '/CN=127.0.0.1']);
  await writeFile(at('ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await run('openssl', ['x509', '-req', '-in', at('tls.csr'), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('tls.crt'), '-days', '2', '-extfile', at('ext.cnf')]);
  return readFile(at('ca.crt'), 'utf8');
}

export interface WebhookFront {
  port: number;
  close(): Promise<void>;
}

/** Forwards each connection to the first backend that accepts it, starting from the next in turn. */
export async function startWebhookFront(backends: () => readonly number[]): Promise<WebhookFront> {
  let turn = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    const ports = backends();
    const start = turn++;
    const attempt = (i: number) => {
      if (i >= ports.length) return client.destroy();
      const upstream = connect(ports[(start + i) % ports.length]!, '127.0.0.1');
      upstream.once('error', () => attempt(i + 1));
      upstream.once('connect', () => {
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Applies the chart's MutatingWebhookConfiguration, calling `url` with `caBundle` (PEM) instead of the Service. */
export async function registerChartWebhook(cp: ControlPlane, opts: { url: string; caBundle: string; namespace: string }): Promise<void> {
  const manifests = await renderChart({ namespace: opts.namespace, values: [ciValues('default')], showOnly: ['templates/webhook.yaml'] });
  const config = findManifest(manifests, 'MutatingWebhookConfiguration');
  const webhooks = config.webhooks as { clientConfig: unknown }[];
  for (const w of webhooks) w.clientConfig = { url: opts.url, caBundle: Buffer.from(opts.caBundle).toString('base64') };
  const result = await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(config) });
  if (result.code !== 0) throw new Error(`applying the webhook configuration failed:\n${result.stderr}`);
}
