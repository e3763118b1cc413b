// The pod IPAM controller, keyed by namespace/name: a pod bound to a node (spec.nodeName, not
// host network) gets an address from the engine on the network resolvePodNetwork picks; the
// engine writes it to the NetworkNode and the PodENI before answering, and only then does the pod
// get Terway's annotations (the CNI contract, README.md). A pod that is gone (or finished) gives
// its address back: shared IPs cool down before reuse, exclusive ENIs are deleted, fixed IPs are
// kept for the pod's name until their TTL.
import { isIpamError } from '../../ipam/errors.js';
import { describeKubeError, isNotFound, patch, splitKey, TerminalError, type Pod, type ReconcileContext, type ReconcileResult } from '../../operator/index.js';
import { PodNetworkLookup } from '../resolve/pod-network.js';
import type { IpamContext } from './context.js';
import { annotationPatch, podAnnotationsFor } from './pod-annotations.js';

/** Terway's Event reason on a pod whose address could not be allocated. */
export const EventAllocIPFailed = 'AllocIPFailed';
export const EventInvalidPodNetwork = 'InvalidPodNetwork';

function isFinished(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export class PodIpamController {
  private readonly podNetworks: PodNetworkLookup;

  constructor(private readonly ctx: IpamContext) {
    this.podNetworks = new PodNetworkLookup(ctx);
  }

  async reconcile(key: string, rc: ReconcileContext): Promise<ReconcileResult | void> {
    const { engine } = this.ctx;
    const { namespace = '', name } = splitKey(key);
    const pod = this.ctx.pods.get(name, namespace);
    const held = engine.allocationOf(namespace, name);

    if (!pod || isFinished(pod)) {
      if (held && (!pod || held.podUid === pod.metadata?.uid)) {
        await engine.release({ namespace, name, uid: held.podUid });
        rc.log.info({ ip: held.ip, fixed: held.allocation.type === 'Fixed' }, pod ? 'pod finished: address released' : 'pod gone: address released');
      }
      return;
    }
    const uid = pod.metadata?.uid ?? '';
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || pod.spec?.hostNetwork) return;
    // A pod being deleted keeps what it has until it is gone, and gets nothing new.
    if (pod.metadata?.deletionTimestamp && !(held?.podUid === uid && held.phase === 'Bind')) return;

    let alloc = held && held.podUid === uid && held.phase === 'Bind' && held.nodeName === nodeName ? held : undefined;
    if (!alloc) {
      const resolution = await this.podNetworks.resolve(pod, namespace, held?.allocation.type === 'Fixed' ? held.zone : undefined);
      if (resolution.kind === 'NoAddress') return;
      if (resolution.kind === 'Invalid') {
        rc.recorder.warning(pod, EventInvalidPodNetwork, resolution.message);
        // A PodNetworking becoming Ready, or the pod's annotations changing, wakes the pod again.
        return { requeueAfter: 30_000 };
      }
      try {
        alloc = await engine.allocate({ pod: { namespace, name, uid }, nodeName, network: resolution.network });
      } catch (err) {
        if (!isIpamError(err)) throw err;
        if (err.reason === 'NodeNotRegistered') return { requeueAfter: this.ctx.options.nodeNotRegisteredRetryMs };
        rc.recorder.warning(pod, EventAllocIPFailed, `${err.reason}: ${err.message}`);
        if (!err.retryable) throw new TerminalError(err.message, { cause: err });
        throw err; // backoff: addresses free up, blocked vSwitches unblock, the cloud recovers
      }
      rc.log.info({ node: nodeName, ip: alloc.ip, eniId: alloc.eni.id, vSwitchId: alloc.eni.vSwitchId, podNetworking: alloc.podNetworking, eniType: alloc.eniType }, 'address allocated');
    }

    const wanted = annotationPatch(pod.metadata?.annotations, podAnnotationsFor(alloc));
    if (!wanted) return;
    try {
      // The UID precondition makes sure a pod recreated under the same name never gets the old one's address.
      await this.ctx.manager.clients.core.patchNamespacedPod({ name, namespace, body: { metadata: { uid, annotations: wanted } } }, patch.merge);
    } catch (err) {
      if (isNotFound(err)) {
        await engine.release({ namespace, name, uid });
        return;
      }
      throw new Error(`annotating the pod with its address failed: ${describeKubeError(err)}`, { cause: err });
    }
    return undefined;
  }
}
