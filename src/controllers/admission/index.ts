// The pod admission webhook (served by every replica, leader or not, as a Service spreads the
// API server's calls over all of them): a new pod whose network has vSwitches in some zones only
// is pinned to those zones and to its PodNetworking (src/admission/pod-network-pinning.ts), so
// kube-scheduler never binds it to a node where it cannot get an address. The chart registers it
// (MutatingWebhookConfiguration); without --webhook-cert-dir it is off.
import { z } from 'zod';
import { Histogram } from 'prom-client';
import { admitPod, type AdmittedPod } from '../../admission/pod-network-pinning.js';
import { allow, deny, type AdmissionResponse, type AdmissionReviewRequest } from '../../admission/review.js';
import { NotReadyError, startWebhookServer } from '../../admission/server.js';
import { Namespaces, PodENIs, PodNetworkings, untilAborted, type Manager, type Pod } from '../../operator/index.js';
import type { ControllerDeps } from '../index.js';
import { fromPodENI } from '../ipam/records.js';
import { PodNetworkLookup } from '../resolve/pod-network.js';

export const PodMutationPath = '/mutate-pod';

// What the webhook reads of a pod; the API server has validated the rest.
const AdmittedPodSchema = z.object({
  metadata: z.object({
    name: z.string().optional(),
    generateName: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    ownerReferences: z.array(z.object({ kind: z.string(), name: z.string(), controller: z.boolean().optional() }).loose()).optional(),
  }).loose().optional(),
  spec: z.object({
    nodeName: z.string().optional(),
    hostNetwork: z.boolean().optional(),
    affinity: z.record(z.string(), z.unknown()).optional(),
  }).loose().optional(),
}).loose();

export function registerAdmission(manager: Manager, { cloud, settings }: ControllerDeps): void {
  const webhook = settings.webhook;
  if (!webhook) {
    manager.logger.warn('no --webhook-cert-dir: pods of a PodNetworking are not pinned to its zones at admission, and may wait for an address on a node in another zone');
    return;
  }
  const namespaces = manager.informer(Namespaces);
  const podNetworkings = manager.informer(PodNetworkings);
  const podENIs = manager.informer(PodENIs);
  const lookup = new PodNetworkLookup({ cloud, settings, namespaces, podNetworkings });
  const duration = new Histogram({
    name: 'ack_node_operator_admission_duration_seconds',
    help: 'Time to answer an admission review, by webhook and result (allowed, mutated, denied, error).',
    labelNames: ['webhook', 'result'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [manager.registry],
  });

  const admit = async (review: AdmissionReviewRequest): Promise<AdmissionResponse> => {
    const { request } = review;
    if (request.kind.kind !== 'Pod' || request.kind.group !== '' || request.operation !== 'CREATE' || !request.object) return allow(request.uid);
    if (![namespaces, podNetworkings, podENIs].every((i) => i.hasSynced())) throw new NotReadyError('caches not synced yet');
    const parsed = AdmittedPodSchema.safeParse(request.object);
    if (!parsed.success) return allow(request.uid); // not ours to judge: the API server validates pods
    const pod = parsed.data as Pod & AdmittedPod;
    const namespace = request.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    // A StatefulSet pod whose fixed IP is kept goes back to that IP's zone.
    // Read as the IPAM engine reads it (and as the pod controller decides the same question).
    const podENI = name ? podENIs.get(name, namespace) : undefined;
    const kept = podENI ? fromPodENI(podENI) : undefined;
    const previousZone = kept?.allocation.type === 'Fixed' ? kept.zone : undefined;
    const admission = admitPod(pod, await lookup.resolve(pod, namespace, previousZone));
    if (!admission.allowed) return deny(request.uid, admission.message);
    if (admission.patch.length > 0) {
      manager.logger.debug(
        { namespace, name: name || `${pod.metadata?.generateName ?? ''}*`, podNetworking: admission.podNetworking, zones: admission.pinnedZones },
        'pod pinned to the zones of its network',
      );
    }
    return allow(request.uid, admission.patch);
  };

  const timed = async (review: AdmissionReviewRequest): Promise<AdmissionResponse> => {
    const end = duration.startTimer({ webhook: 'pod' });
    try {
      const answer = await admit(review);
      end({ result: !answer.response.allowed ? 'denied' : answer.response.patch ? 'mutated' : 'allowed' });
      return answer;
    } catch (err) {
      end({ result: 'error' });
      throw err;
    }
  };

  let serving = false;
  manager.addReadinessCheck('admission-webhook', () => (serving ? undefined : 'the admission webhook is not serving yet'));
  manager.addRunnable({
    name: 'admission-webhook',
    needsLeaderElection: false,
    async run({ signal, log }) {
      const server = await startWebhookServer({
        port: webhook.port,
        certDir: webhook.certDir,
        logger: log,
        handlers: { [PodMutationPath]: timed },
        ...(webhook.bindAddress ? { bindAddress: webhook.bindAddress } : {}),
      });
      serving = true;
      try {
        await untilAborted(signal);
      } finally {
        serving = false;
        await server.close();
      }
    },
  });
}
