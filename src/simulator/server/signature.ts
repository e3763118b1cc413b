// Verifies the V3 request signature (ACS3-HMAC-SHA256) the @alicloud SDKs send, computed exactly
// as @alicloud/openapi-core's getAuthorization does:
//   CanonicalRequest = METHOD \n URI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload
//   StringToSign     = "ACS3-HMAC-SHA256" \n hex(sha256(CanonicalRequest))
//   Signature        = hex(hmac-sha256(AccessKeySecret, StringToSign))
// where CanonicalQuery is the decoded query sorted by key, each value percent-encoded (RFC 3986,
// also encoding !'()*), and CanonicalHeaders are the signed headers lowercased, sorted and trimmed.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { apiErrors } from '../errors.js';

export const signatureAlgorithm = 'ACS3-HMAC-SHA256';
/** How far x-acs-date may be from the server's clock, as in production. */
export const maxClockSkewMs = 15 * 60_000;

export interface SignedRequest {
  method: string;
  /** The path as sent, without the query. */
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalQuery(query: Record<string, string>): string {
  return Object.keys(query)
    .sort()
    .map((key) => `${key}=${percentEncode(query[key] ?? '')}`)
    .join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  if (Array.isArray(value)) return value.map((v) => v.trim()).sort().join(',');
  return (value ?? '').trim();
}

export function canonicalRequest(req: SignedRequest, signedHeaders: readonly string[], hashedPayload: string): string {
  const uri = req.path.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
  const headers = signedHeaders.map((name) => `${name}:${headerValue(req.headers, name)}\n`).join('');
  return [req.method, uri, canonicalQuery(req.query), headers, signedHeaders.join(';'), hashedPayload].join('\n');
}

export function sign(secret: string, canonical: string): string {
  const stringToSign = `${signatureAlgorithm}\n${createHash('sha256').update(canonical).digest('hex')}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

interface ParsedAuthorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (!header) throw apiErrors.incompleteSignature('The Authorization header is missing.');
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== signatureAlgorithm) {
    throw apiErrors.incompleteSignature(`Unsupported signature algorithm ${algorithm}; this endpoint accepts ${signatureAlgorithm}.`);
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) {
    throw apiErrors.incompleteSignature('The Authorization header needs Credential, SignedHeaders and Signature.');
  }
  return { accessKeyId, signedHeaders: signedHeaders.split(';').filter(Boolean), signature };
}

/** Remembers nonces for the skew window so a captured request cannot be replayed. */
export class NonceCache {
  private readonly seen = new Map<string, number>();

  use(nonce: string, now: number): void {
    for (const [n, at] of this.seen) {
      if (now - at <= maxClockSkewMs) break;
      this.seen.delete(n);
    }
    if (this.seen.has(nonce)) throw apiErrors.nonceUsed();
    this.seen.set(nonce, now);
  }
}

export interface VerifyOptions {
  secretOf(accessKeyId: string): string | undefined;
  nonces: NonceCache;
  now: number;
}

/** Returns the caller's AccessKey id, or throws the error production would answer. */
export function verifySignature(req: SignedRequest, options: VerifyOptions): string {
  const auth = parseAuthorization(headerValue(req.headers, 'authorization') || undefined);
  const secret = options.secretOf(auth.accessKeyId);
  if (secret === undefined) throw apiErrors.accessKeyNotFound();

  for (const required of ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256']) {
    if (!auth.signedHeaders.includes(required)) {
      throw apiErrors.incompleteSignature(`The header ${required} must be signed.`);
    }
  }
  const hashedPayload = headerValue(req.headers, 'x-acs-content-sha256');
  if (createHash('sha256').update(req.body).digest('hex') !== hashedPayload) throw apiErrors.signatureDoesNotMatch();

  const expected = sign(secret, canonicalRequest(req, auth.signedHeaders, hashedPayload));
  const given = Buffer.from(auth.signature, 'utf8');
  const want = Buffer.from(expected, 'utf8');
  if (given.length !== want.length || !timingSafeEqual(given, want)) throw apiErrors.signatureDoesNotMatch();

  const date = headerValue(req.headers, 'x-acs-date');
  const at = Date.parse(date);
  if (Number.isNaN(at) || Math.abs(options.now - at) > maxClockSkewMs) throw apiErrors.timestampExpired(date);
  options.nonces.use(headerValue(req.headers, 'x-acs-signature-nonce'), options.now);
  return auth.accessKeyId;
}

