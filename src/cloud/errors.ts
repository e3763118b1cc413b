// Cloud errors, classified once in the provider so controllers decide by kind, not by code string.

export type CloudErrorKind =
  | 'Throttled' // back off and retry
  | 'Transient' // 5xx, InternalError, ServiceUnavailable: retry
  | 'InsufficientCapacity' // NoStock: mark the offering unavailable, try the next
  | 'IpExhausted' // the vSwitch has no free IP: block it for a while, try the next
  | 'QuotaExceeded' // ENI or IP limit of an instance or account: do not retry as is
  | 'NotFound' // the resource is gone
  | 'Conflict' // IdempotentFailed, IncorrectInstanceStatus, wrong ENI state: retry later or fix input
  | 'InvalidRequest' // a parameter the caller must fix
  | 'Unauthorized' // credentials or signature
  | 'Unknown';

export interface FailedCandidate {
  instanceType: string;
  zone: string;
  capacityType: 'spot' | 'on-demand';
  code: string;
}

export class CloudError extends Error {
  readonly kind: CloudErrorKind;
  readonly code: string;
  readonly action: string;
  readonly requestId?: string;
  readonly failedCandidates: FailedCandidate[];

  constructor(opts: {
    kind: CloudErrorKind;
    code: string;
    action: string;
    message: string;
    requestId?: string;
    failedCandidates?: FailedCandidate[];
  }) {
    super(`${opts.action}: ${opts.code}: ${opts.message}`);
    this.name = 'CloudError';
    this.kind = opts.kind;
    this.code = opts.code;
    this.action = opts.action;
    this.requestId = opts.requestId;
    this.failedCandidates = opts.failedCandidates ?? [];
  }

  get retryable(): boolean {
    return this.kind === 'Throttled' || this.kind === 'Transient';
  }
}

export function isCloudError(err: unknown, kind?: CloudErrorKind): err is CloudError {
  return err instanceof CloudError && (kind === undefined || err.kind === kind);
}
