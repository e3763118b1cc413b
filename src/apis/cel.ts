// Admission rules written once and enforced twice: the API server runs the CEL expression
// (x-kubernetes-validations in the generated CRD) and zod runs the TypeScript twin, both with the
// same message. The invalid-object corpus is checked against both, which keeps the twins honest.
import { z } from 'zod';

export interface ValidationRule<T> {
  /** CEL expression evaluated by the API server with `self` bound to the value this rule is attached to. */
  rule: string;
  /** What kubectl shows when the rule fails; zod reports the same text. Say what is wrong and what is allowed. */
  message: string;
  /**
   * The same rule in TypeScript, evaluated on the parsed (defaulted) value. Omitted only where
   * zod already enforces the constraint natively (a regex), or for transition rules (those that
   * read `oldSelf`), which need the previous object zod never sees.
   */
  check?: (self: T) => boolean;
  /** Points the API server's error at a child field (a JSONPath such as `.releaseAfter`). */
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

interface KubernetesValidation {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: string;
}

function existingValidations(schema: z.ZodType): KubernetesValidation[] {
  const meta = schema.meta() as Record<string, unknown> | undefined;
  const found = meta?.['x-kubernetes-validations'];
  return Array.isArray(found) ? (found as KubernetesValidation[]) : [];
}

/** `.fieldPath` of a simple JSONPath (`.a.b`) as a zod issue path. */
function issuePath(fieldPath: string | undefined): string[] {
  if (!fieldPath) return [];
  return fieldPath.split('.').filter((part) => part.length > 0);
}

/** Attaches CEL rules (for the CRD) and their TypeScript twins (for zod) to a schema. */
export function validated<S extends z.ZodType>(schema: S, rules: ReadonlyArray<ValidationRule<z.output<S>>>): S {
  const checked = schema.superRefine((value, ctx) => {
    for (const rule of rules) {
      if (rule.check && !rule.check(value)) {
        ctx.addIssue({ code: 'custom', message: rule.message, path: issuePath(rule.fieldPath), input: value });
      }
    }
  });
  const validations: KubernetesValidation[] = [
    ...existingValidations(schema),
    ...rules.map(({ rule, message, fieldPath, reason }) => ({
      rule,
      message,
      ...(fieldPath ? { fieldPath } : {}),
      ...(reason ? { reason } : {}),
    })),
  ];
  return checked.meta({ ...(schema.meta() ?? {}), 'x-kubernetes-validations': validations }) as S;
}

/** Quotes a string as a CEL single-quoted literal (regexes and label keys in rules). */
export function celString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/**
 * A string that must match a regular expression. The CRD keeps upstream's `pattern` and adds a
 * CEL twin with a readable message, because the API server's own pattern error just prints the
 * regex. Both use RE2-compatible syntax, so they accept exactly the same strings.
 */
export function patternString(pattern: string, message: string, maxLength?: number): z.ZodString {
  let schema = z.string();
  if (maxLength !== undefined) schema = schema.max(maxLength);
  schema = schema.regex(new RegExp(pattern), message);
  // No TypeScript twin: the zod regex above is the twin.
  return validated(schema, [{ rule: `self.matches(${celString(pattern)})`, message }]);
}

/**
 * An enum whose zod error reads like the API server's ("Unsupported value: "x": supported values:
 * "a", "b"), so users see one wording whichever side catches the mistake.
 */
export function enumOf<const T extends readonly [string, ...string[]]>(values: T) {
  const supported = values.map((value) => JSON.stringify(value)).join(', ');
  return z.enum(values, {
    error: (issue) => `Unsupported value: ${JSON.stringify(issue.input)}: supported values: ${supported}`,
  });
}

/** Caps the number of keys in a map, in the CRD (maxProperties) and in zod alike. */
export function maxProperties<S extends z.ZodType<Record<string, unknown>>>(schema: S, limit: number, what: string): S {
  const capped = schema.refine((value) => Object.keys(value).length <= limit, {
    message: `${what} can have at most ${limit} entries`,
  });
  return capped.meta({ ...(schema.meta() ?? {}), maxProperties: limit }) as S;
}
