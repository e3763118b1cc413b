// The webhook's HTTPS server as the API server sees it: TLS with the configured certificate (and a
// rotated one without a restart), AdmissionReviews answered, bad requests and unready caches
// answered with the status that makes the API server apply the failurePolicy.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { eventually } from '../../test/harness/eventually.js';
import { createWebhookCertificate } from '../../test/harness/webhook.js';
import { allow } from './review.js';
import { NotReadyError, startWebhookServer, type WebhookServer } from './server.js';

interface Answer { status: number; body: string; fingerprint: string }

function post(port: number, ca: string, path: string, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', ca, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      const fingerprint = res.socket && 'getPeerCertificate' in res.socket ? (res.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256 : '';
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), fingerprint }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const review = (uid: string) => JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { uid, kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', namespace: 'bank', object: { metadata: {} } },
});

describe('the admission webhook server', () => {
  let dir: string;
  let ca: string;
  let server: WebhookServer;
  let ready = true;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'webhook-'));
    ca = await createWebhookCertificate(dir);
    server = await startWebhookServer({
      port: 0,
      bindAddress: '127.0.0.1',
      certDir: dir,
      logger: pino({ level: 'silent' }),
      certReloadIntervalMs: 100,
      handlers: {
        '/mutate-pod': async (r) => {
          if (!ready) throw new NotReadyError('caches not synced yet');
          return allow(r.request.uid, [{ op: 'add', path: '/metadata/annotations', value: { a: 'b' } }]);
        },
      },
    });
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers an AdmissionReview over TLS with the uid and a base64 JSON patch', async () => {
    const answer = await post(server.port, ca, '/mutate-pod', review('u-1'));
    assert.equal(answer.status, 200);
    const body = JSON.parse(answer.body) as { response: { uid: string; allowed: boolean; patchType: string; patch: string } };
    assert.equal(body.response.uid, 'u-1');
    assert.equal(body.response.allowed, true);
    assert.equal(body.response.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(body.response.patch, 'base64').toString()), [{ op: 'add', path: '/metadata/annotations', value: { a: 'b' } }]);
  });

  it('refuses what is not an AdmissionReview (400) and unknown paths (404)', async () => {
    const bad = await post(server.port, ca, '/mutate-pod', JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: { uid: 'x' } }));
    assert.equal(bad.status, 400);
    assert.match(bad.body, /only admission\.k8s\.io\/v1 AdmissionReviews are served/);
    assert.equal((await post(server.port, ca, '/mutate-pod', '{not json')).status, 400);
    assert.equal((await post(server.port, ca, '/validate', review('u-2'))).status, 404);
  });

  it('answers 503 while its caches are not synced, so the API server applies the failurePolicy', async () => {
    ready = false;
    try {
      const answer = await post(server.port, ca, '/mutate-pod', review('u-3'));
      assert.equal(answer.status, 503);
      assert.match(answer.body, /caches not synced yet/);
    } finally {
      ready = true;
    }
  });

  it('serves a rotated certificate without a restart', async () => {
    const before = (await post(server.port, ca, '/mutate-pod', review('u-4'))).fingerprint;
    const newCa = await createWebhookCertificate(dir);
    assert.notEqual(newCa, ca);
    const rotated = await eventually('the rotated certificate is served', async () => {
      const answer = await post(server.port, newCa, '/mutate-pod', review('u-5')).catch(() => undefined);
      return answer && answer.fingerprint !== before ? answer : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    assert.equal(rotated.status, 200);
    assert.equal(await readFile(join(dir, 'ca.crt'), 'utf8'), newCa);
  });
});
