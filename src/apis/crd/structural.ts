// Turns zod's JSON Schema (draft 2020-12) into a Kubernetes structural schema: the subset of
// OpenAPI v3 the API server accepts for CRDs. Anything it cannot express is an error here, not a
// surprise at install time.
const MaxSafe = Number.MAX_SAFE_INTEGER;
const Int32Min = -2147483648;
const Int32Max = 2147483647;

export type JsonSchema = { [key: string]: unknown };

const allowedKeys = new Set([
  'type', 'description', 'properties', 'required', 'items', 'additionalProperties', 'default', 'enum', 'format',
  'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'maxProperties', 'minProperties',
  'anyOf', 'x-kubernetes-int-or-string', 'x-kubernetes-validations', 'x-kubernetes-list-type',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-map-type',
]);

export class NonStructuralSchemaError extends Error {
  constructor(path: string, detail: string) {
    super(`${path || '<root>'}: ${detail}`);
    this.name = 'NonStructuralSchemaError';
  }
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function toStructural(input: JsonSchema, path = ''): JsonSchema {
  const node: JsonSchema = { ...input };
  delete node.$schema;
  delete node.propertyNames;
  if ('const' in node) {
    // Literals (apiVersion, kind) are plain strings to the API server, as upstream declares them.
    delete node.const;
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    node.anyOf = [{ type: 'integer' }, { type: 'string' }];
    delete node.type;
  } else if (node.anyOf !== undefined) {
    throw new NonStructuralSchemaError(path, 'unions are not structural; only int-or-string is supported');
  }
  if (node.type === 'integer') {
    if (node.format === 'int32') {
      if (node.minimum === Int32Min) delete node.minimum;
      if (node.maximum === Int32Max) delete node.maximum;
    }
    if (node.minimum === -MaxSafe) delete node.minimum;
    if (node.maximum === MaxSafe) delete node.maximum;
  }
  if (node.format === 'date-time') delete node.pattern;
  if (node.additionalProperties === false) delete node.additionalProperties;
  for (const key of Object.keys(node)) {
    if (!allowedKeys.has(key)) throw new NonStructuralSchemaError(path, `keyword ${key} is not allowed in a CRD schema`);
  }
  if (node.type === undefined && node['x-kubernetes-int-or-string'] !== true && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    throw new NonStructuralSchemaError(path, 'every schema node needs a type');
  }
  if (isObject(node.properties)) {
    const properties: JsonSchema = {};
    for (const [name, child] of Object.entries(node.properties)) {
      properties[name] = toStructural(child as JsonSchema, `${path}.${name}`);
    }
    node.properties = properties;
  }
  if (isObject(node.items)) node.items = toStructural(node.items, `${path}[]`);
  if (isObject(node.additionalProperties)) {
    if (node.properties !== undefined) throw new NonStructuralSchemaError(path, 'properties and additionalProperties together');
    node.additionalProperties = toStructural(node.additionalProperties, `${path}{}`);
  }
  if (node.anyOf !== undefined && node['x-kubernetes-int-or-string'] === true) {
    // The branches may carry no constraints of their own; patterns live at this level.
    node.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  return node;
}
