// Why the IPAM could not give a pod an address, classified so controllers decide by reason
// (retry later, record an Event, fail the pod) and never parse messages.

export type IpamErrorReason =
  | 'NodeNotRegistered' // the node's instance is not known (not Running yet, or torn down)
  | 'NodeCapacity' // the instance type's ENI or IP limits are reached
  | 'IpExhausted' // every vSwitch the pod may use is out of addresses (or blocked after IpNotEnough)
  | 'NoVSwitchInZone' // the pod's network has no vSwitch in the node's zone
  | 'ZoneMismatch' // a fixed IP lives in another zone than the node
  | 'Unsupported' // e.g. Trunk member ENIs
  | 'CloudUnavailable' // throttled or transient after the provider's own retries
  | 'Conflict'; // the request contradicts recorded state (e.g. the fixed IP is bound to a live pod)

export class IpamError extends Error {
  readonly reason: IpamErrorReason;
  constructor(reason: IpamErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IpamError';
    this.reason = reason;
  }

  /** Worth retrying as is, later: capacity can free up and the cloud can recover. */
  get retryable(): boolean {
    return this.reason !== 'Unsupported' && this.reason !== 'ZoneMismatch' && this.reason !== 'NoVSwitchInZone';
  }
}

export function isIpamError(err: unknown, reason?: IpamErrorReason): err is IpamError {
  return err instanceof IpamError && (reason === undefined || err.reason === reason);
}
