/**
 * Families: one file, several cases. A file with "variants" is a template; each variant gives
 * its case id, the values of the template's {placeholders} and any top-level field it sets
 * differently. {host} is not a variant's to fill: the proxy fills it at run time.
 */
import { variantSchema } from './schema';

export interface Expanded {
  /** The case as if written in a file of its own. */
  json: Record<string, unknown>;
  /** Where its fields come from, for messages: "variants[2] (status-404-body)". */
  origin?: string;
}

/** Every string in a JSON value with {name} replaced by vars[name] (other placeholders stay). */
export function fill(value: unknown, vars: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') return value.replace(/\{([a-z][a-z0-9-]*)\}/g, (m, k: string) => vars[k] ?? m);
  if (Array.isArray(value)) return value.map((v) => fill(v, vars));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars)]));
  return value;
}

export class VariantError extends Error {
  constructor(readonly problems: { field: string; message: string }[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  }
}

/** The cases a fixture file defines: itself, or one per variant. */
export function expandFamily(json: unknown): Expanded[] {
  if (!json || typeof json !== 'object' || !('variants' in json)) return [{ json: json as Record<string, unknown> }];
  const { variants, id: _family, ...template } = json as Record<string, unknown>;
  if (!Array.isArray(variants) || variants.length === 0)
    throw new VariantError([{ field: 'variants', message: 'must be a non-empty list of { "id", "vars", … }' }]);
  return variants.map((v, i) => {
    const parsed = variantSchema.safeParse(v);
    if (!parsed.success)
      throw new VariantError(
        parsed.error.issues.map((issue) => ({ field: [`variants[${i}]`, ...issue.path.map(String)].join('.'), message: issue.message })),
      );
    const { id, vars, ...overrides } = parsed.data;
    return { json: { ...(fill(template, vars) as object), ...overrides, id }, origin: `variants[${i}] (${id})` };
  });
}
