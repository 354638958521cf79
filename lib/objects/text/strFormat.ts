/*
 * str.format and str.format_map (Objects/stringlib/unicode_format.h).
 *
 * The parsing is exposed on its own, lazily, as CPython interleaves it with
 * evaluation (an error later in the string is only reached after the fields
 * before it were looked up and formatted):
 *   markupIterator(s)   MarkupIterator_next + parse_field: literal text and
 *                       {field_name!conversion:format_spec} parts, "{{" "}}"
 *   fieldNameSplit(f)   field_name_split + FieldNameIterator: the first part
 *                       (an index or a name) and an iterator of .attr / [key]
 * and strFormat drives them as build_string / do_markup / output_markup /
 * render_field do, reaching objects through ObjectHooks (pyValue.ts), with
 * auto/manual numbering, nested specs ("{0:{1}}") and recursion depth 2.
 */
import { formatBool, formatComplex, formatFloat, formatInt, formatStr } from './formatValue.js';
import { PyException, raise } from './pyException.js';
import { isComplex, isPrimitive, pyAscii, pyRepr, pyStr, pyTypeName, type ObjectHooks } from './pyValue.js';
import { strGetItem } from './strLayout.js';
import { decimalValue } from './unicodeTables.js';

/** A replacement field as parse_field splits it. */
export interface FormatField {
  /** The text before '!' or ':' (may be empty: auto-numbered). */
  readonly fieldName: string;
  /** The conversion character after '!', or '' for none. */
  readonly conversion: string;
  /** The text after ':' (may be empty). */
  readonly formatSpec: string;
  /** Whether formatSpec holds nested fields to expand first. */
  readonly formatSpecNeedsExpanding: boolean;
}

/** One step of MarkupIterator: literal text, then optionally a field. */
export interface MarkupPart {
  readonly literal: string;
  readonly field?: FormatField;
}

/** parse_field over s[start:], positioned after '{': the field and the index after its closing '}'. */
function parseField(s: string, start: number): [FormatField, number] {
  const n = s.length;
  let i = start;
  let c = '';
  while (i < n) {
    c = s[i++];
    if (c === '{') raise('ValueError', "unexpected '{' in field name");
    if (c === '[') {
      while (i < n && s[i] !== ']') i++;
      continue;
    }
    if (c === '}' || c === ':' || c === '!') break;
  }
  const fieldName = s.slice(start, i - 1);
  if (c === '!' || c === ':') {
    let conversion = '';
    if (c === '!') {
      if (i >= n) raise('ValueError', 'end of string while looking for conversion specifier');
      const cp = s.codePointAt(i)!;
      conversion = String.fromCodePoint(cp);
      i += conversion.length;
      if (i < n) {
        const d = s[i++];
        if (d === '}') return [{ fieldName, conversion, formatSpec: '', formatSpecNeedsExpanding: false }, i];
        if (d !== ':') raise('ValueError', "expected ':' after conversion specifier");
      }
    }
    const specStart = i;
    let count = 1;
    let expanding = false;
    while (i < n) {
      const d = s[i++];
      if (d === '{') { expanding = true; count++; }
      else if (d === '}' && --count === 0) {
        return [{ fieldName, conversion, formatSpec: s.slice(specStart, i - 1), formatSpecNeedsExpanding: expanding }, i];
      }
    }
    return raise('ValueError', "unmatched '{' in format spec");
  }
  if (c !== '}') raise('ValueError', "expected '}' before end of string");
  return [{ fieldName, conversion: '', formatSpec: '', formatSpecNeedsExpanding: false }, i];
}

/** MarkupIterator: the literal/field parts of a format string, raising CPython's errors when they are reached. */
export function* markupIterator(s: string): Generator<MarkupPart, void, undefined> {
  const n = s.length;
  let pos = 0;
  while (pos < n) {
    const start = pos;
    let c = '';
    let markupFollows = false;
    while (pos < n) {
      c = s[pos++];
      if (c === '{' || c === '}') { markupFollows = true; break; }
    }
    const atEnd = pos >= n;
    let len = pos - start;
    if (c === '}' && markupFollows && (atEnd || s[pos] !== '}')) raise('ValueError', "Single '}' encountered in format string");
    if (atEnd && c === '{' && markupFollows) raise('ValueError', "Single '{' encountered in format string");
    if (!atEnd && markupFollows) {
      if (s[pos] === c) { pos++; markupFollows = false; }
      else len--;
    }
    const literal = s.slice(start, start + len);
    if (!markupFollows) { yield { literal }; continue; }
    const [field, next] = parseField(s, pos);
    pos = next;
    yield { literal, field };
  }
}

/** One step of the rest of a field name: `.name` or `[key]` (key an int when it is all decimal digits). */
export type FieldAccessor = { readonly attr: string } | { readonly item: string | bigint };

/** get_integer of unicode_format.h: the value of an all-decimal string (any script), or -1. */
function getInteger(s: string): number | bigint {
  if (s.length === 0) return -1;
  let acc = 0n;
  for (const ch of s) {
    const d = decimalValue(ch.codePointAt(0)!);
    if (d < 0) return -1;
    acc = acc * 10n + BigInt(d);
    if (acc > 2n ** 63n - 1n) raise('ValueError', 'Too many decimal digits in format string');
  }
  return acc;
}

/** FieldNameIterator_next, as a generator over the accessors after the first part. */
function* fieldNameRest(s: string, start: number): Generator<FieldAccessor, void, undefined> {
  let i = start;
  const n = s.length;
  while (i < n) {
    const c = s[i++];
    let name: string;
    let accessor: FieldAccessor;
    if (c === '.') {
      const b = i;
      while (i < n && s[i] !== '.' && s[i] !== '[') i++;
      name = s.slice(b, i);
      accessor = { attr: name };
    } else if (c === '[') {
      const b = i;
      while (i < n && s[i] !== ']') i++;
      if (i >= n) raise('ValueError', "Missing ']' in format string");
      name = s.slice(b, i++);
      const idx = getInteger(name);
      accessor = { item: idx === -1 ? name : BigInt(idx) };
    } else return raise('ValueError', "Only '.' or '[' may follow ']' in format field specifier");
    if (name.length === 0) raise('ValueError', 'Empty attribute in format string');
    yield accessor;
  }
}

/** field_name_split: the first part (an index, a name, or '' for auto-numbering) and the rest. */
export function fieldNameSplit(fieldName: string): { first: string | bigint | ''; rest: Generator<FieldAccessor, void, undefined> } {
  let i = 0;
  while (i < fieldName.length && fieldName[i] !== '.' && fieldName[i] !== '[') i++;
  const firstText = fieldName.slice(0, i);
  const idx = getInteger(firstText);
  return { first: firstText === '' ? '' : idx === -1 ? firstText : BigInt(idx), rest: fieldNameRest(fieldName, i) };
}

/** The AutoNumber of unicode_format.h, shared by a format string and its nested specs. */
interface AutoNumber {
  state: 'init' | 'auto' | 'manual';
  next: number;
}

/** obj[key] for the lookups of a field name (PySequence_GetItem / PyObject_GetItem). */
function getItem(obj: unknown, key: string | bigint, hooks: ObjectHooks): unknown {
  if (typeof obj === 'string' || Array.isArray(obj) || obj instanceof Uint8Array) {
    const what = typeof obj === 'string' ? 'string' : Array.isArray(obj) ? 'tuple' : 'byte';
    if (typeof key === 'string') {
      return raise('TypeError', what === 'string' ? "string indices must be integers, not 'str'" : `${what} indices must be integers or slices, not str`);
    }
    if (typeof obj === 'string') return strGetItem(obj, Number(key));
    const len = obj.length;
    if (key >= BigInt(len)) return raise('IndexError', `${what === 'byte' ? 'index' : what + ' index'} out of range`);
    const item = obj[Number(key)];
    return typeof item === 'number' ? BigInt(item) : item;
  }
  if (isPrimitive(obj)) return raise('TypeError', `'${pyTypeName(obj, hooks)}' object is not subscriptable`);
  return hooks.getItem(obj, key);
}

/** getattr for the lookups of a field name: real/imag of numbers, else the hooks. */
function getAttr(obj: unknown, name: string, hooks: ObjectHooks): unknown {
  if (isComplex(obj) && (name === 'real' || name === 'imag')) return obj[name];
  if ((typeof obj === 'number' || typeof obj === 'bigint' || typeof obj === 'boolean') && (name === 'real' || name === 'imag')) {
    if (typeof obj === 'number') return name === 'real' ? obj : 0;
    return name === 'real' ? BigInt(obj) : 0n;
  }
  if (isPrimitive(obj)) return raise('AttributeError', `'${pyTypeName(obj, hooks)}' object has no attribute '${name}'`);
  return hooks.getAttr(obj, name);
}

/** render_field: format(obj, spec) through the built-in formatters, object.__format__, or the hooks. */
export function renderField(obj: unknown, spec: string, hooks: ObjectHooks): string {
  switch (typeof obj) {
    case 'string': return formatStr(obj, spec);
    case 'bigint': return formatInt(obj, spec);
    case 'boolean': return formatBool(obj, spec);
    case 'number': return formatFloat(obj, spec);
  }
  if (isComplex(obj)) return formatComplex(obj, spec);
  if (isPrimitive(obj)) {
    if (spec !== '') raise('TypeError', `unsupported format string passed to ${pyTypeName(obj, hooks)}.__format__`);
    return pyStr(obj, hooks);
  }
  return hooks.format(obj, spec);
}

/** do_conversion: !r !s !a. */
function doConversion(obj: unknown, conversion: string, hooks: ObjectHooks): string {
  if (conversion === 'r') return pyRepr(obj, hooks);
  if (conversion === 's') return pyStr(obj, hooks);
  if (conversion === 'a') return pyAscii(obj, hooks);
  const c = conversion.codePointAt(0)!;
  return raise('ValueError', c > 32 && c < 127 ? `Unknown conversion specifier ${conversion}` : `Unknown conversion specifier \\x${c.toString(16)}`);
}

/** get_field_object: the object a field name designates. */
function getFieldObject(fieldName: string, args: readonly unknown[] | undefined, kwargs: unknown, auto: AutoNumber, hooks: ObjectHooks): unknown {
  const { first, rest } = fieldNameSplit(fieldName);
  const empty = first === '';
  const numeric = empty || typeof first === 'bigint';
  let index: bigint | undefined = typeof first === 'bigint' ? first : undefined;
  if (auto.state === 'init' && numeric) auto.state = empty ? 'auto' : 'manual';
  if (numeric) {
    if (auto.state === 'manual' && empty) raise('ValueError', 'cannot switch from manual field specification to automatic field numbering');
    if (auto.state === 'auto' && !empty) raise('ValueError', 'cannot switch from automatic field numbering to manual field specification');
  }
  if (empty) index = BigInt(auto.next++);
  let obj: unknown;
  if (index === undefined) {
    if (kwargs === undefined) throw new PyException('KeyError', [pyRepr(first, hooks)]);
    obj = hooks.getItem(kwargs, first);
  } else {
    if (args === undefined) raise('ValueError', 'Format string contains positional fields');
    if (index >= BigInt(args.length)) raise('IndexError', `Replacement index ${index} out of range for positional args tuple`);
    obj = args[Number(index)];
  }
  for (const a of rest) obj = 'attr' in a ? getAttr(obj, a.attr, hooks) : getItem(obj, a.item, hooks);
  return obj;
}

/** build_string: expands s with the recursion budget. */
function buildString(s: string, args: readonly unknown[] | undefined, kwargs: unknown, depth: number, auto: AutoNumber, hooks: ObjectHooks): string {
  if (depth <= 0) raise('ValueError', 'Max string recursion exceeded');
  const out: string[] = [];
  for (const part of markupIterator(s)) {
    if (part.literal) out.push(part.literal);
    const f = part.field;
    if (!f) continue;
    let obj = getFieldObject(f.fieldName, args, kwargs, auto, hooks);
    if (f.conversion !== '') obj = doConversion(obj, f.conversion, hooks);
    const spec = f.formatSpecNeedsExpanding ? buildString(f.formatSpec, args, kwargs, depth - 1, auto, hooks) : f.formatSpec;
    out.push(renderField(obj, spec, hooks));
  }
  return out.join('');
}

/** str.format(*args, **kwargs): kwargs is a mapping reached through hooks.getItem (undefined: none given). */
export function strFormat(s: string, args: readonly unknown[], kwargs: unknown, hooks: ObjectHooks): string {
  return buildString(s, args, kwargs, 2, { state: 'init', next: 0 }, hooks);
}

/** str.format_map(mapping): no positional fields. */
export function strFormatMap(s: string, mapping: unknown, hooks: ObjectHooks): string {
  return buildString(s, undefined, mapping, 2, { state: 'init', next: 0 }, hooks);
}
