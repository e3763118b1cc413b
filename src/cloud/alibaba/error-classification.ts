// Turns whatever the Alibaba SDK throws into a CloudError with a kind, once, so that controllers
// decide by kind and never parse code strings. The rules are ordered: the first match wins.
import { CloudError, type CloudErrorKind } from '../errors.js';

interface Rule {
  kind: CloudErrorKind;
  matches: (code: string) => boolean;
}

const exact = (...codes: string[]) => {
  const set = new Set(codes);
  return (code: string) => set.has(code);
};

const rules: Rule[] = [
  // Flow control: the request was rejected before it ran, so any action may be retried.
  { kind: 'Throttled', matches: (code) => code === 'Throttling' || code.startsWith('Throttling.') },
  {
    kind: 'Unauthorized',
    matches: (code) =>
      code.startsWith('InvalidAccessKeyId') ||
      code.startsWith('InvalidAccessKeySecret') ||
      code.startsWith('InvalidSecurityToken') ||
      code.startsWith('Forbidden') ||
      code.startsWith('NoPermission') ||
      exact('SignatureDoesNotMatch', 'IncompleteSignature', 'InvalidAuthorization', 'Unauthorized')(code),
  },
  // A nonce clash or a token still being processed: the same request, sent again, is safe.
  { kind: 'Transient', matches: exact('ServiceUnavailable', 'InternalError', 'UnknownError', 'SignatureNonceUsed', 'LastTokenProcessing', 'NetworkError', 'RequestTimeout') },
  { kind: 'IpExhausted', matches: (code) => code.endsWith('.IpNotEnough') || code === 'IpNotEnough' },
  {
    kind: 'InsufficientCapacity',
    matches: (code) =>
      code.endsWith('.NoStock') ||
      code.endsWith('NoStock') ||
      exact(
        'NoInstanceStock',
        'Zone.NotOnSale',
        'InvalidZoneId.NotOnSale',
        'InvalidResourceType.NotSupported',
        'RecommendEmpty.InstanceTypeNoStock',
        'InvalidSpotPriceLimit.LowerThanPublicPrice',
      )(code),
  },
  {
    kind: 'QuotaExceeded',
    matches: (code) =>
      code.startsWith('QuotaExceed') ||
      code.endsWith('LimitExceeded') ||
      code.endsWith('CountExceeded') ||
      code === 'InvalidOperation.Ipv4CountExceeded',
  },
  // A missing API or region is the caller's mistake, never "the resource is gone".
  { kind: 'InvalidRequest', matches: exact('InvalidAction.NotFound', 'InvalidRegionId.NotFound', 'InvalidApi.NotFound') },
  { kind: 'NotFound', matches: (code) => code.endsWith('.NotFound') && code.startsWith('Invalid') },
  {
    kind: 'Conflict',
    matches: (code) =>
      code === 'IdempotentFailed' ||
      code.startsWith('IncorrectInstanceStatus') ||
      code.startsWith('IncorrectStatus') ||
      code.endsWith('InvalidEniState') ||
      code.endsWith('InvalidEcsState') ||
      code === 'OperationConflict' ||
      code.endsWith('.Conflict') ||
      code === 'TaskConflict',
  },
];

/** The kind of an OpenAPI error, from its code and, when the code says nothing, its HTTP status. */
export function classifyCode(code: string, httpStatus?: number): CloudErrorKind {
  for (const rule of rules) if (rule.matches(code)) return rule.kind;
  if (httpStatus !== undefined) {
    if (httpStatus >= 500) return 'Transient';
    if (httpStatus === 429) return 'Throttled';
    if (httpStatus === 401 || httpStatus === 403) return code ? 'InvalidRequest' : 'Unauthorized';
    if (httpStatus >= 400) return 'InvalidRequest';
  }
  return 'Unknown';
}

// Socket-level failures from Node: the request may or may not have reached the server.
const networkErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function field(err: object, name: string): unknown {
  return (err as Record<string, unknown>)[name];
}

function stringField(err: object, name: string): string | undefined {
  const value = field(err, name);
  return typeof value === 'string' && value !== '' && value !== 'undefined' ? value : undefined;
}

/**
 * Converts an error thrown by an SDK call into a CloudError. An error that already is one is
 * returned unchanged.
 */
export function toCloudError(err: unknown, action: string): CloudError {
  if (err instanceof CloudError) return err;
  if (typeof err !== 'object' || err === null) {
    return new CloudError({ kind: 'Unknown', code: 'Unknown', action, message: String(err) });
  }
  const statusCode = field(err, 'statusCode');
  const httpStatus = typeof statusCode === 'number' ? statusCode : undefined;
  const code = stringField(err, 'code');
  const data = field(err, 'data');
  const serverMessage =
    typeof data === 'object' && data !== null ? stringField(data, 'Message') ?? stringField(data, 'message') : undefined;
  const requestId = stringField(err, 'requestId');
  const message = serverMessage ?? (err instanceof Error ? err.message : 'unknown error');

  if (httpStatus === undefined && code !== undefined && networkErrorCodes.has(code)) {
    return new CloudError({ kind: 'Transient', code: 'NetworkError', action, message: `${code}: ${message}` });
  }
  if (httpStatus === undefined && err instanceof Error && /timeout/i.test(`${err.name} ${err.message}`)) {
    return new CloudError({ kind: 'Transient', code: 'RequestTimeout', action, message });
  }
  if (code === undefined) {
    const kind = httpStatus === undefined ? 'Unknown' : classifyCode('', httpStatus);
    return new CloudError({ kind, code: httpStatus === undefined ? 'Unknown' : `HTTP${httpStatus}`, action, message, requestId });
  }
  return new CloudError({ kind: classifyCode(code, httpStatus), code, action, message, requestId });
}
