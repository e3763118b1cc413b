// Pool sizes of one node, Terway-compatible: the node's own annotations
// `k8s.aliyun.com/min-pool-size` / `max-pool-size` win, then the same annotations on its
// NodeClaim, then on its NodePool's template (spec.template.metadata.annotations, which also
// land on the nodes it launches), then the operator's settings (settings.ipam.pool).
import { z } from 'zod';
import { AnnotationNodeMaxPoolSize, AnnotationNodeMinPoolSize, AnnotationPlannedPodNetworks } from '../../apis/labels.js';

type Annotations = Readonly<Record<string, string>> | undefined;

const size = z.coerce.number().int().min(0).max(10_000);

function read(sources: readonly Annotations[], key: string): { value?: number; invalid?: string } {
  for (const annotations of sources) {
    const text = annotations?.[key];
    if (text === undefined) continue;
    const parsed = size.safeParse(text.trim());
    if (parsed.success && text.trim() !== '') return { value: parsed.data };
    return { invalid: `${key}: ${JSON.stringify(text)} is not a whole number of IPs` };
  }
  return {};
}

export interface PoolSizeResult {
  pool: { minPoolSize?: number; maxPoolSize?: number };
  /** Annotation values that could not be used (reported as a Warning Event on the node). */
  problems: string[];
}

/** `sources` in precedence order: Node, NodeClaim, NodePool template. */
export function poolSizeFrom(sources: readonly Annotations[]): PoolSizeResult {
  const min = read(sources, AnnotationNodeMinPoolSize);
  const max = read(sources, AnnotationNodeMaxPoolSize);
  const pool: PoolSizeResult['pool'] = {};
  if (min.value !== undefined) pool.minPoolSize = min.value;
  if (max.value !== undefined) pool.maxPoolSize = max.value;
  return { pool, problems: [min.invalid, max.invalid].filter((p): p is string => p !== undefined) };
}

const planned = z.record(z.string(), z.number().int().min(0));

/** The provisioner's plan for the node: pods per network ('' = the default network), or undefined. */
export function plannedPodNetworks(annotations: Annotations): { plan?: Record<string, number>; invalid?: string } {
  const text = annotations?.[AnnotationPlannedPodNetworks];
  if (text === undefined) return {};
  try {
    return { plan: planned.parse(JSON.parse(text)) };
  } catch (err) {
    return { invalid: `${AnnotationPlannedPodNetworks} is not valid: ${(err as Error).message}` };
  }
}
