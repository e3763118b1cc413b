// Reading Kubernetes API errors: the status code and the Status message, whether the error came
// from the generated clients (ApiException) or from the runtime's own raw requests.

export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** The HTTP status of a Kubernetes API error, or undefined for anything else (network errors). */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { statusCode?: unknown; code?: unknown };
  if (typeof e.statusCode === 'number') return e.statusCode;
  // @kubernetes/client-node's ApiException carries the status in `code`.
  if (typeof e.code === 'number') return e.code;
  return undefined;
}

export const isNotFound = (error: unknown): boolean => statusCodeOf(error) === 404;
export const isConflict = (error: unknown): boolean => statusCodeOf(error) === 409;
export const isAlreadyExists = isConflict;
export const isGone = (error: unknown): boolean => statusCodeOf(error) === 410;
/** 429 Too Many Requests: the eviction API's answer when a PodDisruptionBudget forbids it. */
export const isTooManyRequests = (error: unknown): boolean => statusCodeOf(error) === 429;

/** A short, single-line description of an API error for logs and Events. */
export function describeKubeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const body = (error as { body?: unknown }).body;
  let message: string | undefined;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      message = body.slice(0, 300);
    }
  } else if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
    message = (body as { message: string }).message;
  }
  const status = statusCodeOf(error);
  const base = message ?? (error as Error).message ?? String(error);
  return status ? `${status}: ${base}` : base;
}
