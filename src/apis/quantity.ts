// Kubernetes resource quantities ("250m", "1.5Gi", 4): the schema the CRDs use for resource lists
// and a parser for code that must compare or add them.
import { z } from 'zod';
import { celString } from './cel.js';

/** The API server's quantity grammar (k8s.io/apimachinery resource.Quantity), as upstream CRDs spell it. */
export const QuantityPattern =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
const quantityRegex = new RegExp(QuantityPattern);

const QuantityMessage = 'must be a resource quantity such as 500m, 2, 4Gi or 1.5G';

/**
 * A quantity as the API accepts it: an integer or a string in quantity notation. The CRD form is
 * `x-kubernetes-int-or-string` with upstream's pattern (the generator rewrites the union).
 */
export const Quantity = z
  .union([z.number().int(), z.string().regex(quantityRegex, QuantityMessage)])
  .meta({ 'x-kubernetes-int-or-string': true, pattern: QuantityPattern });
export type Quantity = z.infer<typeof Quantity>;

/** A map of resource name to quantity (v1.ResourceList). */
export const ResourceList = z.record(z.string(), Quantity);
export type ResourceList = z.infer<typeof ResourceList>;

/** The CEL test that a string is a quantity, for rules on string-valued maps. */
export const celIsQuantity = (expr: string): string => `${expr}.matches(${celString(QuantityPattern)})`;

const decimalSuffix: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};
const binarySuffix: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export class InvalidQuantityError extends Error {
  constructor(readonly value: string) {
    super(`invalid quantity ${JSON.stringify(value)}: ${QuantityMessage}`);
    this.name = 'InvalidQuantityError';
  }
}

/**
 * The value of a quantity in base units (cores for cpu, bytes for memory, a count otherwise).
 * Doubles are exact for every quantity a node can hold (bytes below 2^53).
 */
export function parseQuantity(quantity: Quantity): number {
  if (typeof quantity === 'number') return quantity;
  const text = quantity.trim();
  if (!quantityRegex.test(text)) throw new InvalidQuantityError(quantity);
  const match = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(.*)$/.exec(text);
  if (!match) throw new InvalidQuantityError(quantity);
  const [, numberPart = '', suffix = ''] = match;
  const base = Number(numberPart);
  if (suffix in binarySuffix) return base * (binarySuffix[suffix] ?? 1);
  if (suffix in decimalSuffix) return base * (decimalSuffix[suffix] ?? 1);
  // Exponent form: "1e3", "2E-3".
  const exponent = Number(suffix.slice(1));
  return base * 10 ** exponent;
}

/** A cpu quantity in millicores, rounded up as the scheduler does. */
export function parseMillis(quantity: Quantity): number {
  return Math.ceil(parseQuantity(quantity) * 1000 - 1e-9);
}
