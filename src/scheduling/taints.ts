// Taints and tolerations, with Karpenter's reading: every taint must be tolerated, PreferNoSchedule
// included, until preference relaxation adds a toleration for PreferNoSchedule.
import { TaintUnregistered } from '../apis/labels.js';
import type { Taint, Toleration } from './types.js';

export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key === undefined || toleration.key === '') {
    // An empty key with Exists tolerates everything.
    return toleration.operator === 'Exists';
  }
  if (toleration.key !== taint.key) return false;
  if (toleration.operator === 'Exists') return true;
  return (toleration.value ?? '') === (taint.value ?? '');
}

/** The first taint none of the tolerations tolerates, or undefined. */
export function untoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): Taint | undefined {
  for (const taint of taints) {
    let ok = false;
    for (const t of tolerations ?? []) {
      if (tolerates(t, taint)) {
        ok = true;
        break;
      }
    }
    if (!ok) return taint;
  }
  return undefined;
}

export function formatTaint(taint: Taint): string {
  return `${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
}

/** Taints a node carries only while it is coming up; pods need not tolerate them before initialization. */
export const EphemeralTaintKeys: ReadonlySet<string> = new Set([
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
  'node.kubernetes.io/network-unavailable',
  'node.cloudprovider.kubernetes.io/uninitialized',
  TaintUnregistered,
]);

export function taintsEqual(a: Taint, b: Taint): boolean {
  return a.key === b.key && (a.value ?? '') === (b.value ?? '') && a.effect === b.effect;
}
