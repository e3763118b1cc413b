// The ECSNodeClass controller: resolves the selector terms through the cloud and keeps status
// (vSwitches with zones and free IPs, security groups, images, Karpenter-shaped conditions)
// current, writes the drift hash annotation, and holds a finalizer so a node class is not
// removed while NodeClaims launched from it still exist.
import { ECSNodeClassApiVersion, ECSNodeClassGroup, ECSNodeClassKind, ECSNodeClassPlural, ECSNodeClassVersion, type ECSNodeClass } from '../../apis/ecsnodeclass.js';
import { AnnotationECSNodeClassHash, AnnotationECSNodeClassHashVersion, FinalizerNodeClass } from '../../apis/labels.js';
import type { NodeClaim } from '../../apis/nodeclaim.js';
import { ECSNodeClasses, isNotFound, NodeClaims, patch, watch, type Manager, type InformerEvent, type ReconcileContext } from '../../operator/index.js';
import type { ControllerDeps } from '../index.js';
import { canonicalJson } from '../../catalog/index.js';
import { setConditions } from '../resolve/conditions.js';
import { restampNodeClaimHashes } from '../shared/hash-version.js';
import type { VSwitchIpGauge } from '../resolve/vswitch-ips-gauge.js';
import { nodeClassHash, NodeClassHashVersion } from './hash.js';
import { resolveNodeClass } from './resolve.js';

export { nodeClassHash, NodeClassHashVersion } from './hash.js';
export { resolveNodeClass, type NodeClassResolution } from './resolve.js';

export interface NodeClassControllerOptions {
  vSwitchIps: VSwitchIpGauge;
  /** Re-resolve this often (free IPs, new images). Default 1 minute. */
  resyncMs?: number;
  now?: () => Date;
}

const api = { group: ECSNodeClassGroup, version: ECSNodeClassVersion, plural: ECSNodeClassPlural };

/** Whether a NodeClaim was launched from this node class. */
export function usesNodeClass(claim: NodeClaim, nodeClassName: string): boolean {
  const ref = claim.spec.nodeClassRef;
  return ref.name === nodeClassName && ref.kind === ECSNodeClassKind && ref.group === ECSNodeClassGroup;
}

/**
 * Our own status writes come back as watch events; reconciling them again would re-read the cloud
 * for nothing. Only spec (generation), deletion, finalizers and annotations matter.
 */
function specOrLifecycleChanged(event: InformerEvent<ECSNodeClass>): string | undefined {
  const { object } = event;
  if (event.type === 'update') {
    const { old } = event;
    const same =
      old.metadata.generation === object.metadata.generation &&
      old.metadata.deletionTimestamp === object.metadata.deletionTimestamp &&
      canonicalJson(old.metadata.finalizers ?? []) === canonicalJson(object.metadata.finalizers ?? []) &&
      canonicalJson(old.metadata.annotations ?? {}) === canonicalJson(object.metadata.annotations ?? {});
    if (same) return undefined;
  }
  return object.metadata.name;
}

export function registerNodeClass(manager: Manager, deps: ControllerDeps, opts: NodeClassControllerOptions): void {
  const { cloud } = deps;
  const nodeClasses = manager.informer(ECSNodeClasses);
  const nodeClaims = manager.informer(NodeClaims);
  const resyncMs = opts.resyncMs ?? 60_000;
  const now = opts.now ?? (() => new Date());

  manager.addController({
    name: 'nodeclass',
    watches: [
      watch(nodeClasses, specOrLifecycleChanged),
      // A NodeClaim going away may let a deleting node class go.
      watch(nodeClaims, (e) => (e.type === 'delete' && e.object.spec.nodeClassRef.kind === ECSNodeClassKind ? e.object.spec.nodeClassRef.name : undefined)),
    ],
    concurrency: 2,
    async reconcile(key, ctx) {
      const nodeClass = nodeClasses.get(key);
      if (!nodeClass) {
        opts.vSwitchIps.forget(`ecsnodeclass/${key}`);
        return;
      }
      if (nodeClass.metadata.deletionTimestamp) return finalize(nodeClass, ctx);
      await ensureMetadata(nodeClass, ctx.log);

      const resolution = await resolveNodeClass(cloud, nodeClass.spec);
      opts.vSwitchIps.report(`ecsnodeclass/${key}`, resolution.vSwitches);
      const conditions = setConditions(nodeClass.status?.conditions, resolution.conditions, nodeClass.metadata.generation, now());
      const status = { ...resolution.status, conditions };
      if (canonicalJson(status) !== canonicalJson(nodeClass.status ?? {})) {
        await manager.clients.customObjects.patchClusterCustomObjectStatus({ ...api, name: key, body: { status } }, patch.merge);
      }
      const wasReady = nodeClass.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      for (const failed of resolution.conditions.filter((c) => c.status === 'False' && c.type !== 'Ready')) {
        ctx.recorder.warning(nodeClass, failed.reason, failed.message);
      }
      const ready = resolution.conditions.find((c) => c.type === 'Ready');
      if (ready?.status === 'True' && wasReady !== 'True') {
        ctx.recorder.normal(
          nodeClass,
          'Ready',
          `resolved ${status.vSwitches.length} vSwitch(es) in ${new Set(status.vSwitches.map((v) => v.zoneID)).size} zone(s), ${status.securityGroups.length} security group(s), ${status.images.length} image(s)`,
        );
      }
      ctx.log.debug(
        { vSwitches: status.vSwitches.length, securityGroups: status.securityGroups.length, images: status.images.length, ready: ready?.status },
        'node class resolved',
      );
      return { requeueAfter: resyncMs };
    },
  });

  /** The finalizer and the drift hash, on the object itself (not status). */
  async function ensureMetadata(nodeClass: ECSNodeClass, log: ReconcileContext['log']): Promise<void> {
    const name = nodeClass.metadata.name as string;
    const finalizers = nodeClass.metadata.finalizers ?? [];
    const hash = nodeClassHash(nodeClass.spec);
    const annotations = nodeClass.metadata.annotations ?? {};
    const needsFinalizer = !finalizers.includes(FinalizerNodeClass);
    const needsHash = annotations[AnnotationECSNodeClassHash] !== hash || annotations[AnnotationECSNodeClassHashVersion] !== NodeClassHashVersion;
    if (!needsFinalizer && !needsHash) return;
    // A new hash version (an upgrade changed the hashing): the claims' hashes are not comparable
    // with the one about to be written, so they are re-stamped first (Karpenter's hash controller).
    // Claims first: if this fails the node class keeps its old version and the next pass retries.
    if (annotations[AnnotationECSNodeClassHashVersion] !== NodeClassHashVersion) {
      const claims = nodeClaims.list().filter((c) => usesNodeClass(c, name));
      await restampNodeClaimHashes(manager, claims, { hash, version: NodeClassHashVersion }, { hash: AnnotationECSNodeClassHash, version: AnnotationECSNodeClassHashVersion }, log);
    }
    await patchMetadata(nodeClass, {
      ...(needsFinalizer ? { finalizers: [...finalizers, FinalizerNodeClass] } : {}),
      ...(needsHash ? { annotations: { [AnnotationECSNodeClassHash]: hash, [AnnotationECSNodeClassHashVersion]: NodeClassHashVersion } } : {}),
    });
  }

  /**
   * Merge-patches the node class's own metadata with its resourceVersion: a concurrent edit of the
   * finalizer list (someone else's finalizer) is a conflict and a retry, never an overwrite.
   */
  async function patchMetadata(nodeClass: ECSNodeClass, metadata: { finalizers?: string[]; annotations?: Record<string, string> }): Promise<void> {
    await manager.clients.customObjects.patchClusterCustomObject(
      {
        ...api,
        name: nodeClass.metadata.name as string,
        body: { apiVersion: ECSNodeClassApiVersion, kind: ECSNodeClassKind, metadata: { resourceVersion: nodeClass.metadata.resourceVersion, ...metadata } },
      },
      patch.merge,
    );
  }

  /** Deletion waits for every NodeClaim launched from this node class (Karpenter's behaviour). */
  async function finalize(nodeClass: ECSNodeClass, ctx: ReconcileContext): Promise<{ requeueAfter: number } | void> {
    const name = nodeClass.metadata.name as string;
    opts.vSwitchIps.forget(`ecsnodeclass/${name}`);
    const finalizers = nodeClass.metadata.finalizers ?? [];
    if (!finalizers.includes(FinalizerNodeClass)) return;
    const users = nodeClaims
      .list()
      .filter((claim) => usesNodeClass(claim, name))
      .map((claim) => claim.metadata.name as string)
      .sort();
    if (users.length > 0) {
      const shown = users.length > 5 ? `${users.slice(0, 5).join(', ')} and ${users.length - 5} more` : users.join(', ');
      ctx.recorder.normal(nodeClass, 'WaitingOnNodeClaimTermination', `Waiting on NodeClaim termination for ${shown}`);
      ctx.log.info({ nodeClaims: users.length }, 'deletion waits for NodeClaims launched from this node class');
      // NodeClaim deletions re-trigger this key; the requeue is a safety net.
      return { requeueAfter: 30_000 };
    }
    try {
      await patchMetadata(nodeClass, { finalizers: finalizers.filter((f) => f !== FinalizerNodeClass) });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    ctx.log.info('finalizer removed; node class deleted');
  }
}
