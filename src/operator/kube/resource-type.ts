// A resource the informers can list and watch: where it lives in the API and how an object of
// it is validated on the way in. Objects from the API server are untrusted input: a CR that
// fails its schema is reported and kept out of the cache instead of crashing a controller.
import { z } from 'zod';
import type { KubeObject } from './types.js';

export interface ResourceType<T extends KubeObject> {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  kind: string;
  /** The resource name in URLs, e.g. 'pods', 'nodeclaims'. */
  plural: string;
  namespaced: boolean;
  /** Validates an object as the API server sent it and returns it typed; throws InvalidObjectError. */
  parse(raw: unknown): T;
}

export class InvalidObjectError extends Error {
  constructor(
    readonly resource: string,
    readonly problems: string,
  ) {
    super(`invalid ${resource}: ${problems}`);
    this.name = 'InvalidObjectError';
  }
}

export function apiVersionOf(resource: Pick<ResourceType<KubeObject>, 'group' | 'version'>): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** "pods", "nodeclaims.karpenter.sh": the resource's name as kubectl writes it. */
export function resourceName(resource: Pick<ResourceType<KubeObject>, 'group' | 'plural'>): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

/** The collection URL path, across all namespaces unless one is given. */
export function collectionPath(resource: ResourceType<KubeObject>, namespace?: string): string {
  const base = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  return namespace && resource.namespaced
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`
    : `${base}/${resource.plural}`;
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '<root>'}: ${issue.message}`)
    .join('; ');
}

const identity = z.looseObject({
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().min(1).optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
  }),
});

/**
 * A built-in kind. Only the identity is checked: the API server validated the rest against its
 * own schema, and T describes the JSON form (see Wire<>).
 */
export function builtinResource<T extends KubeObject>(spec: Omit<ResourceType<T>, 'parse'>): ResourceType<T> {
  const name = resourceName(spec);
  return {
    ...spec,
    parse(raw: unknown): T {
      const result = identity.safeParse(raw);
      if (!result.success) throw new InvalidObjectError(name, formatIssues(result.error));
      return raw as T;
    },
  };
}

/** A custom resource, validated with its zod schema. */
export function customResource<S extends z.ZodType<KubeObject>>(
  spec: Omit<ResourceType<z.output<S>>, 'parse'> & { schema: S },
): ResourceType<z.output<S>> {
  const { schema, ...rest } = spec;
  const name = resourceName(rest);
  return {
    ...rest,
    parse(raw: unknown): z.output<S> {
      const checked = identity.safeParse(raw);
      if (!checked.success) throw new InvalidObjectError(name, formatIssues(checked.error));
      const result = schema.safeParse(raw);
      if (!result.success) throw new InvalidObjectError(name, formatIssues(result.error));
      return result.data;
    },
  };
}
