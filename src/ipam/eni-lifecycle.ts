// ENI lifecycle steps that span several calls: attach and wait for InUse, detach and wait for
// Available, then delete. Attach and detach are asynchronous in ECS, so we poll with backoff.
import { isCloudError } from '../cloud/errors.js';
import type { CloudProvider, NetworkInterface, NetworkInterfaceStatus } from '../cloud/types.js';
import type { Clock } from './clock.js';
import { IpamError } from './errors.js';

export interface PollOptions {
  timeoutMs: number;
  initialMs: number;
  maxMs: number;
}

/** Polls until the ENI reaches `status` (or, for `gone`, disappears). Throws CloudUnavailable on timeout. */
export async function waitForEni(
  cloud: CloudProvider,
  clock: Clock,
  eniId: string,
  status: NetworkInterfaceStatus,
  opts: PollOptions,
  extra?: { instanceId?: string },
): Promise<NetworkInterface> {
  const deadline = clock.now() + opts.timeoutMs;
  let delay = opts.initialMs;
  let last: NetworkInterface | undefined;
  for (;;) {
    last = await cloud.getNetworkInterface(eniId);
    if (!last) throw new IpamError('Conflict', `ENI ${eniId} disappeared while waiting for ${status}`);
    const attachedRight = extra?.instanceId === undefined || last.instanceId === extra.instanceId;
    if (last.status === status && attachedRight) return last;
    if (clock.now() >= deadline) {
      throw new IpamError('CloudUnavailable', `ENI ${eniId} still ${last.status} after ${opts.timeoutMs} ms, waiting for ${status}`);
    }
    await clock.sleep(delay);
    delay = Math.min(opts.maxMs, Math.max(1, delay * 2));
  }
}

/** Attaches and waits until InUse on the instance. */
export async function attachEni(cloud: CloudProvider, clock: Clock, eniId: string, instanceId: string, opts: PollOptions): Promise<NetworkInterface> {
  await cloud.attachNetworkInterface(eniId, instanceId);
  if (opts.initialMs > 0) await clock.sleep(opts.initialMs);
  return waitForEni(cloud, clock, eniId, 'InUse', opts, { instanceId });
}

/**
 * Detaches (when attached) and deletes. Idempotent: an ENI already gone, or already detached,
 * is fine. An instance that is gone has had its ENIs detached by the cloud.
 */
export async function detachAndDeleteEni(cloud: CloudProvider, clock: Clock, eniId: string, opts: PollOptions): Promise<void> {
  const eni = await detachEni(cloud, clock, eniId, opts);
  if (!eni) return;
  await cloud.deleteNetworkInterface(eniId);
}

/** Detaches and waits until Available; returns undefined if the ENI is gone. */
export async function detachEni(cloud: CloudProvider, clock: Clock, eniId: string, opts: PollOptions): Promise<NetworkInterface | undefined> {
  const eni = await cloud.getNetworkInterface(eniId);
  if (!eni) return undefined;
  if (eni.status === 'Available') return eni;
  if (eni.instanceId && eni.status !== 'Detaching') {
    try {
      await cloud.detachNetworkInterface(eniId, eni.instanceId);
    } catch (err) {
      if (isCloudError(err, 'NotFound')) {
        const again = await cloud.getNetworkInterface(eniId);
        if (!again) return undefined;
      } else if (!isCloudError(err, 'Conflict')) {
        throw err;
      }
    }
  }
  if (opts.initialMs > 0) await clock.sleep(opts.initialMs);
  try {
    return await waitForEni(cloud, clock, eniId, 'Available', opts);
  } catch (err) {
    if (err instanceof IpamError && err.reason === 'Conflict') return undefined; // disappeared: deleted with its instance
    throw err;
  }
}
