// The PodNetworking controller: keeps Terway's status (Ready or Fail, the vSwitches with their
// zones, a message, updateAt) current, and tells users by Event when a network plane cannot be
// used. Pod matching lives in src/ipam/pod-network-resolver.ts and reads this status: only a Ready
// PodNetworking selects pods, and its status.vSwitches say which zones its pods can run in.
import { NetworkingGroup } from '../../apis/labels.js';
import { NetworkingVersion, PodNetworkingPlural, type PodNetworking, type PodNetworkingStatus } from '../../apis/podnetworking.js';
import { canonicalJson } from '../../catalog/index.js';
import { patch, PodNetworkings, watch, type InformerEvent, type Manager } from '../../operator/index.js';
import type { ControllerDeps } from '../index.js';
import type { VSwitchIpGauge } from '../resolve/vswitch-ips-gauge.js';
import { resolvePodNetworking } from './resolve.js';

export { resolvePodNetworking, type PodNetworkingResolution } from './resolve.js';

export interface NetworkingControllerOptions {
  vSwitchIps: VSwitchIpGauge;
  /** Re-resolve this often (a vSwitch deleted behind our back, free IPs for the gauge). Default 1 minute. */
  resyncMs?: number;
  now?: () => Date;
}

const api = { group: NetworkingGroup, version: NetworkingVersion, plural: PodNetworkingPlural };

/** Our own status writes come back as updates; only spec changes and deletions need a new look. */
function specChanged(event: InformerEvent<PodNetworking>): string | undefined {
  if (event.type === 'update' && event.old.metadata.generation === event.object.metadata.generation) return undefined;
  return event.object.metadata.name;
}

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function registerNetworking(manager: Manager, deps: ControllerDeps, opts: NetworkingControllerOptions): void {
  const podNetworkings = manager.informer(PodNetworkings);
  const resyncMs = opts.resyncMs ?? 60_000;
  const now = opts.now ?? (() => new Date());

  manager.addController({
    name: 'podnetworking',
    watches: [watch(podNetworkings, specChanged)],
    concurrency: 2,
    async reconcile(key, ctx) {
      const pn = podNetworkings.get(key);
      if (!pn || pn.metadata.deletionTimestamp) {
        opts.vSwitchIps.forget(`podnetworking/${key}`);
        return;
      }
      const result = await resolvePodNetworking(deps.cloud, pn.spec, deps.settings.ipam.defaults);
      opts.vSwitchIps.report(`podnetworking/${key}`, result.vSwitches);
      const next: Omit<PodNetworkingStatus, 'updateAt'> = {
        status: result.status,
        vSwitches: result.vSwitches.map((v) => ({ id: v.id, zone: v.zone })),
        ...(result.status === 'Fail' ? { message: result.message } : {}),
      };
      const { updateAt: _previousUpdate, ...previous } = pn.status ?? {};
      // Free IPs are not in this status: it is written only when something in it changed, and
      // updateAt says when that was.
      if (canonicalJson(next) !== canonicalJson(previous)) {
        // message: null removes a stale failure message (merge patch).
        const body = { status: { message: null, ...next, updateAt: rfc3339(now()) } };
        await manager.clients.customObjects.patchClusterCustomObjectStatus({ ...api, name: key, body }, patch.merge);
        if (result.status === 'Ready') {
          const zones = [...new Set(result.vSwitches.map((v) => v.zone))].sort();
          ctx.recorder.normal(pn, 'Ready', `PodNetworking is ready: vSwitches ${result.vSwitches.map((v) => v.id).join(', ')} in zones ${zones.join(', ')}`);
        }
        ctx.log.info({ status: result.status, message: result.status === 'Fail' ? result.message : undefined }, 'PodNetworking status changed');
      }
      if (result.status === 'Fail') ctx.recorder.warning(pn, 'Fail', result.message);
      return { requeueAfter: resyncMs };
    },
  });
}
