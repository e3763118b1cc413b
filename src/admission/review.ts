// admission.k8s.io/v1 AdmissionReview: what the API server sends (validated; it is a trust
// boundary like any other) and what the webhook answers.
import { z } from 'zod';
import type { JsonPatchOperation } from './pod-network-pinning.js';

export const AdmissionReviewRequest = z.object({
  apiVersion: z.literal('admission.k8s.io/v1', { error: 'only admission.k8s.io/v1 AdmissionReviews are served' }),
  kind: z.literal('AdmissionReview'),
  request: z.object({
    uid: z.string().min(1),
    kind: z.object({ group: z.string(), version: z.string(), kind: z.string() }),
    operation: z.string(),
    namespace: z.string().optional(),
    name: z.string().optional(),
    dryRun: z.boolean().optional(),
    // The object is checked by its consumer; here only that it is an object.
    object: z.record(z.string(), z.unknown()).nullable().optional(),
  }),
});
export type AdmissionReviewRequest = z.infer<typeof AdmissionReviewRequest>;

export interface AdmissionResponse {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason?: string; message: string };
    patchType?: 'JSONPatch';
    patch?: string;
    warnings?: string[];
  };
}

export function allow(uid: string, patch: readonly JsonPatchOperation[] = [], warnings: readonly string[] = []): AdmissionResponse {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: {
      uid,
      allowed: true,
      ...(patch.length > 0 ? { patchType: 'JSONPatch' as const, patch: Buffer.from(JSON.stringify(patch)).toString('base64') } : {}),
      ...(warnings.length > 0 ? { warnings: [...warnings] } : {}),
    },
  };
}

/** A refusal the user reads in kubectl's error (or the ReplicaSet's FailedCreate Event). */
export function deny(uid: string, message: string): AdmissionResponse {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid, allowed: false, status: { code: 403, reason: 'Forbidden', message } },
  };
}
