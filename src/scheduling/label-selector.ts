// Kubernetes label selectors (matchLabels AND matchExpressions), compiled once and matched often.
import type { LabelSelector } from './types.js';

export type LabelMatcher = (labels: Readonly<Record<string, string>> | undefined) => boolean;

const matchNothing: LabelMatcher = () => false;
const matchEverything: LabelMatcher = () => true;

/**
 * Compiles a selector. An absent selector matches nothing (as for affinity terms and spread
 * constraints); an empty one matches everything.
 */
export function compileLabelSelector(selector: LabelSelector | undefined): LabelMatcher {
  if (!selector) return matchNothing;
  const checks: LabelMatcher[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    checks.push((labels) => labels?.[key] === value);
  }
  for (const expr of selector.matchExpressions ?? []) {
    const values = new Set(expr.values ?? []);
    const key = expr.key;
    switch (expr.operator) {
      case 'In':
        checks.push((labels) => labels?.[key] !== undefined && values.has(labels[key]));
        break;
      case 'NotIn':
        checks.push((labels) => labels?.[key] === undefined || !values.has(labels[key]));
        break;
      case 'Exists':
        checks.push((labels) => labels?.[key] !== undefined);
        break;
      case 'DoesNotExist':
        checks.push((labels) => labels?.[key] === undefined);
        break;
      default:
        return matchNothing;
    }
  }
  if (checks.length === 0) return matchEverything;
  if (checks.length === 1) return checks[0] as LabelMatcher;
  return (labels) => {
    for (const check of checks) if (!check(labels)) return false;
    return true;
  };
}

/** A stable text form of a selector, for grouping identical constraints. */
export function selectorKey(selector: LabelSelector | undefined): string {
  if (!selector) return '<none>';
  const ml = Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const me = (selector.matchExpressions ?? [])
    .map((e) => `${e.key} ${e.operator} ${[...(e.values ?? [])].sort().join(',')}`)
    .sort();
  return JSON.stringify([ml, me]);
}
