// The HTTPS server the API server calls for admission. The serving certificate comes from a
// directory (tls.crt, tls.key: a mounted kubernetes.io/tls Secret, written by the chart or by
// cert-manager) and is re-read when it changes, so a rotated certificate is served without a
// restart. A handler that throws answers 500: the API server then applies the webhook's
// failurePolicy, which is the operator's choice to make, not this server's.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AdmissionReviewRequest, type AdmissionResponse } from './review.js';

export type AdmissionHandler = (review: AdmissionReviewRequest) => Promise<AdmissionResponse>;

/** The handler is not ready to answer (its caches are not synced): 503, so failurePolicy decides. */
export class NotReadyError extends Error {}

export interface WebhookServerOptions {
  port: number;
  bindAddress?: string;
  certDir: string;
  logger: Logger;
  /** Path (e.g. /mutate-pod) to handler. */
  handlers: Readonly<Record<string, AdmissionHandler>>;
  /** How often the certificate files are checked for a rotation. Default 30 s. */
  certReloadIntervalMs?: number;
}

export interface WebhookServer {
  port: number;
  close(): Promise<void>;
}

// The API server caps a request at 3 MiB; an AdmissionReview carries the object twice at most.
const maxBodyBytes = 7 * 1024 * 1024;

async function readCertificate(certDir: string): Promise<{ cert: Buffer; key: Buffer }> {
  const [cert, key] = await Promise.all([readFile(join(certDir, 'tls.crt')), readFile(join(certDir, 'tls.key'))]);
  return { cert, key };
}

function readBody(req: import('node:http').IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error(`request body over ${maxBodyBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const log = options.logger;
  let current = await readCertificate(options.certDir);
  const server: Server = createServer({ ...current, minVersion: 'TLSv1.2' }, (req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const handler = req.url ? options.handlers[req.url.split('?')[0] ?? ''] : undefined;
    if (!handler) return answer(404, { message: `no webhook at ${req.url}` });
    if (req.method !== 'POST') return answer(405, { message: 'POST an AdmissionReview' });
    void (async () => {
      let review: AdmissionReviewRequest;
      try {
        const parsed = AdmissionReviewRequest.safeParse(JSON.parse((await readBody(req)).toString('utf8')));
        if (!parsed.success) return answer(400, { message: `not an AdmissionReview: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
        review = parsed.data;
      } catch (err) {
        return answer(400, { message: `unreadable request: ${(err as Error).message}` });
      }
      try {
        answer(200, await handler(review));
      } catch (err) {
        const notReady = err instanceof NotReadyError;
        log.warn({ err: (err as Error).message, uid: review.request.uid, namespace: review.request.namespace, name: review.request.name }, notReady ? 'admission refused: not ready' : 'admission failed');
        answer(notReady ? 503 : 500, { message: (err as Error).message });
      }
    })();
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;

  const reload = setInterval(() => {
    void readCertificate(options.certDir).then(
      (next) => {
        if (next.cert.equals(current.cert) && next.key.equals(current.key)) return;
        try {
          server.setSecureContext({ ...next, minVersion: 'TLSv1.2' });
        } catch (err) {
          // Caught between writing the certificate and its key: the next look sees both.
          log.warn({ err: (err as Error).message, certDir: options.certDir }, 'webhook certificate and key do not match (yet); serving the previous pair');
          return;
        }
        current = next;
        log.info({ certDir: options.certDir }, 'webhook serving certificate reloaded');
      },
      (err: unknown) => log.warn({ err: (err as Error).message, certDir: options.certDir }, 'webhook certificate unreadable; serving the previous one'),
    );
  }, options.certReloadIntervalMs ?? 30_000);
  reload.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.bindAddress ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port, certDir: options.certDir, paths: Object.keys(options.handlers) }, 'admission webhook serving');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(reload);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
