// RPC parameters arrive flattened in the query (Tag.1.Key=a, InstanceId.2=i-x,
// LaunchConfiguration.SystemDiskSize=40). unflatten() rebuilds the nested shape the SDK's
// request model had, and the zod helpers below coerce the strings back to numbers, booleans and
// lists. A zod failure becomes the gateway's MissingX or InvalidParameter answer.
import { z } from 'zod';
import { apiErrors } from '../errors.js';

type Nested = { [key: string]: Nested | string };

function isIndexed(node: Nested): boolean {
  const keys = Object.keys(node);
  return keys.length > 0 && keys.every((k) => /^[1-9]\d*$/.test(k));
}

function toArrays(node: Nested | string): unknown {
  if (typeof node === 'string') return node;
  if (isIndexed(node)) {
    return Object.keys(node)
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => toArrays(node[String(k)]!));
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, toArrays(v)]));
}

export function unflatten(flat: Record<string, string>): Record<string, unknown> {
  const root: Nested = {};
  // Shorter keys first, so a container (Tag.1.Key) replaces a stray scalar of the same name (Tag).
  for (const key of Object.keys(flat).sort((a, b) => a.split('.').length - b.split('.').length)) {
    const parts = key.split('.');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i]!;
      const child = node[part];
      if (child === undefined || typeof child === 'string') node[part] = {};
      node = node[part] as Nested;
    }
    const last = parts[parts.length - 1]!;
    if (typeof node[last] !== 'object') node[last] = flat[key]!;
  }
  return toArrays(root) as Record<string, unknown>;
}

// Field types as they arrive: strings to coerce.
export const p = {
  str: () => z.string(),
  nonEmpty: () => z.string().min(1),
  int: () => z.coerce.number().int(),
  num: () => z.coerce.number().refine(Number.isFinite, 'must be a number'),
  bool: () => z.enum(['true', 'false']).transform((v) => v === 'true'),
  list: <T extends z.ZodType>(item: T) => z.array(item),
  /** A JSON array of strings in one parameter, e.g. InstanceIds=["i-1","i-2"]. */
  jsonStrings: () =>
    z.string().transform((text, ctx) => {
      try {
        const parsed: unknown = JSON.parse(text);
        if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed as string[];
      } catch {
        // fall through to the issue below
      }
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of strings' });
      return z.NEVER;
    }),
  tags: () => z.array(z.object({ Key: z.string().optional(), Value: z.string().optional() })).max(20),
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Renders a zod path the way the API names parameters: Tag.1.Key, LaunchTemplateConfig.2.VSwitchId. */
function paramName(path: readonly PropertyKey[]): string {
  return path.map((k) => (typeof k === 'number' ? String(k + 1) : String(k))).join('.');
}

export function parseParams<S extends z.ZodType>(schema: S, params: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw apiErrors.invalidParameter('?');
  const name = paramName(issue.path);
  if (valueAt(params, issue.path) === undefined) throw apiErrors.missingParameter(name);
  throw apiErrors.invalidParameter(name, issue.message);
}

