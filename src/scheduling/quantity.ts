// Kubernetes resource quantities ("500m", "1.5Gi", "2e3") to the numbers the core works in.
import type { ResourceList } from './types.js';

const binarySuffixes: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const decimalSuffixes: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};
const quantityPattern = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

/** Parses a quantity into base units (cores for cpu, bytes for memory). Throws on malformed input. */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = quantityPattern.exec(quantity.trim());
  if (!match) throw new Error(`invalid quantity ${JSON.stringify(quantity)}`);
  const value = Number(match[1]);
  if (match[3] !== undefined) return value * 10 ** Number(match[3]);
  const suffix = match[2] ?? '';
  const multiplier = binarySuffixes[suffix] ?? decimalSuffixes[suffix];
  if (multiplier === undefined) throw new Error(`invalid quantity suffix in ${JSON.stringify(quantity)}`);
  return value * multiplier;
}

/**
 * Converts API quantities to a ResourceList: cpu to millicores (rounded up, as the API does),
 * everything else to base units rounded up.
 */
export function resourcesFromQuantities(quantities: Readonly<Record<string, string | number>> | undefined): ResourceList {
  const out: Record<string, number> = {};
  if (!quantities) return out;
  for (const [name, quantity] of Object.entries(quantities)) {
    const base = parseQuantity(quantity);
    out[name] = name === 'cpu' ? Math.ceil(base * 1000 - 1e-9) : Math.ceil(base - 1e-9);
  }
  return out;
}

/** Formats a ResourceList for messages: cpu as cores, memory in Mi/Gi. */
export function formatResources(resources: Readonly<Record<string, number>>): string {
  const parts: string[] = [];
  for (const name of Object.keys(resources).sort()) {
    const v = resources[name] ?? 0;
    if (name === 'cpu') parts.push(`cpu=${+(v / 1000).toFixed(3)}`);
    else if (name === 'memory' || name === 'ephemeral-storage') {
      parts.push(`${name}=${v >= 2 ** 30 ? `${+(v / 2 ** 30).toFixed(2)}Gi` : `${+(v / 2 ** 20).toFixed(1)}Mi`}`);
    } else parts.push(`${name}=${+v.toFixed(3)}`);
  }
  return `{${parts.join(', ')}}`;
}
