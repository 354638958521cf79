// A small JSON Schema (draft 2020-12) validator for the keywords pymem's
// schemas use: type, const, enum, minimum, required, properties,
// additionalProperties (false or a schema), items, $ref to #/$defs/…, and
// the annotations ($schema, $id, title, description). Any other keyword is
// an error, so a schema cannot say more than this checks.

/** A JSON Schema as parsed JSON. */
export type Schema = { readonly [keyword: string]: unknown };

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$defs']);
const KEYWORDS = new Set(['type', 'const', 'enum', 'minimum', 'required', 'properties', 'additionalProperties', 'items', '$ref']);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Every violation of `schema` by `value`, as "path: what" sentences; empty when it is valid. */
export function validateJson(schema: Schema, value: unknown): string[] {
  const root = schema;
  const out: string[] = [];
  const resolve = (ref: string): Schema => {
    const m = /^#\/\$defs\/([^/]+)$/.exec(ref);
    const defs = root['$defs'] as Record<string, Schema> | undefined;
    const target = m === null ? undefined : defs?.[m[1]!];
    if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
    return target;
  };
  const check = (s: Schema, v: unknown, path: string): void => {
    for (const k of Object.keys(s)) if (!KEYWORDS.has(k) && !ANNOTATIONS.has(k)) throw new Error(`${path}: unsupported schema keyword ${k}`);
    if (typeof s['$ref'] === 'string') check(resolve(s['$ref']), v, path);
    const t = typeOf(v);
    if (s['type'] !== undefined) {
      const want = s['type'] as string;
      if (!(t === want || (want === 'number' && t === 'integer'))) out.push(`${path}: is ${t}, expected ${want}`);
    }
    if ('const' in s && JSON.stringify(v) !== JSON.stringify(s['const'])) out.push(`${path}: is ${JSON.stringify(v)}, expected ${JSON.stringify(s['const'])}`);
    if (Array.isArray(s['enum']) && !s['enum'].some((e) => JSON.stringify(e) === JSON.stringify(v))) out.push(`${path}: ${JSON.stringify(v)} is not one of ${JSON.stringify(s['enum'])}`);
    if (typeof s['minimum'] === 'number' && typeof v === 'number' && v < s['minimum']) out.push(`${path}: ${v} is below ${s['minimum']}`);
    if (t === 'object') {
      const o = v as Record<string, unknown>;
      for (const r of (s['required'] as string[] | undefined) ?? []) if (!(r in o)) out.push(`${path}: missing ${r}`);
      const props = (s['properties'] as Record<string, Schema> | undefined) ?? {};
      for (const [k, pv] of Object.entries(o)) {
        const ps = props[k];
        if (ps !== undefined) check(ps, pv, `${path}.${k}`);
        else if (s['additionalProperties'] === false) out.push(`${path}: unexpected property ${k}`);
        else if (typeof s['additionalProperties'] === 'object') check(s['additionalProperties'] as Schema, pv, `${path}.${k}`);
      }
    }
    if (t === 'array' && s['items'] !== undefined) (v as unknown[]).forEach((e, i) => check(s['items'] as Schema, e, `${path}[${i}]`));
  };
  check(schema, value, '$');
  return out;
}
