/*
 * The value convention of lib/objects/text and the object protocol the
 * formatters (printf, str.format) call back into. JavaScript values stand
 * for Python objects as follows:
 *
 *   bigint → int        boolean → bool      number → float
 *   string → str        null → None         Complex {real, imag} → complex
 *   Uint8Array → bytes  Array → tuple       anything else → an opaque object
 *
 * Opaque objects (the evaluation loop's heap objects, lists, dicts, user
 * instances) are handled only through ObjectHooks, which the evaluation loop
 * implements with the real type slots; primitiveHooks knows only the
 * primitive kinds above and refuses anything else with InvalidArgumentError.
 */
import { InvalidArgumentError } from '../../errors.js';
import { bytesRepr } from './bytesRepr.js';
import type { Complex } from './floatArith.js';
import { floatRepr } from './floatRepr.js';
import { complexRepr } from './formatValue.js';
import { intToString } from './intText.js';
import { strAscii, strRepr } from './strRepr.js';

/** How a formatter reaches into an object it does not know (PyObject_Str, PyObject_Repr, type slots). */
export interface ObjectHooks {
  /** str(v) (PyObject_Str) for an opaque v. */
  str(v: unknown): string;
  /** repr(v) (PyObject_Repr) for an opaque v. */
  repr(v: unknown): string;
  /** type(v).__name__ (tp_name) for an opaque v. */
  typeName(v: unknown): string;
  /** operator.index(v) (nb_index) for an opaque v, or undefined when it has none. */
  index(v: unknown): bigint | undefined;
  /** int(v) (PyNumber_Long through __int__/__index__/__trunc__) for an opaque v, or undefined when not a number. */
  int(v: unknown): bigint | undefined;
  /** float(v) (__float__) for an opaque v, or undefined when it has none. */
  float(v: unknown): number | undefined;
  /** Whether v is a mapping for %-formatting (PyMapping_Check, not tuple or str). */
  isMapping(v: unknown): boolean;
  /** v[key] (PyObject_GetItem), raising the KeyError/TypeError CPython would. */
  getItem(v: unknown, key: unknown): unknown;
  /** getattr(v, name), raising AttributeError as CPython would. */
  getAttr(v: unknown, name: string): unknown;
  /** format(v, spec) (PyObject_Format → __format__) for an opaque v. */
  format(v: unknown, spec: string): string;
}

/** True for a Complex value. */
export function isComplex(v: unknown): v is Complex {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && 'real' in v && 'imag' in v;
}

/** Whether v is one of the primitive kinds of this convention. */
export function isPrimitive(v: unknown): boolean {
  const t = typeof v;
  return t === 'bigint' || t === 'boolean' || t === 'number' || t === 'string' || v === null || v instanceof Uint8Array || Array.isArray(v) || isComplex(v);
}

function opaque(v: unknown): never {
  throw new InvalidArgumentError(`primitiveHooks cannot handle an opaque object (${typeof v}); pass the evaluation loop's ObjectHooks`);
}

/** ObjectHooks for primitive values only. */
export const primitiveHooks: ObjectHooks = {
  str: opaque, repr: opaque, typeName: opaque, index: opaque, int: opaque, float: opaque,
  isMapping: () => false, getItem: opaque, getAttr: opaque, format: opaque,
};

/** type(v).__name__. */
export function pyTypeName(v: unknown, hooks: ObjectHooks): string {
  switch (typeof v) {
    case 'bigint': return 'int';
    case 'boolean': return 'bool';
    case 'number': return 'float';
    case 'string': return 'str';
  }
  if (v === null) return 'NoneType';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'tuple';
  if (isComplex(v)) return 'complex';
  return hooks.typeName(v);
}

/** repr(v). */
export function pyRepr(v: unknown, hooks: ObjectHooks): string {
  switch (typeof v) {
    case 'bigint': return intToString(v);
    case 'boolean': return v ? 'True' : 'False';
    case 'number': return floatRepr(v);
    case 'string': return strRepr(v);
  }
  if (v === null) return 'None';
  if (v instanceof Uint8Array) return bytesRepr(v);
  if (Array.isArray(v)) return v.length === 1 ? `(${pyRepr(v[0], hooks)},)` : `(${v.map((x) => pyRepr(x, hooks)).join(', ')})`;
  if (isComplex(v)) return complexRepr(v);
  return hooks.repr(v);
}

/** str(v). */
export function pyStr(v: unknown, hooks: ObjectHooks): string {
  if (typeof v === 'string') return v;
  if (isPrimitive(v)) return pyRepr(v, hooks);
  return hooks.str(v);
}

/** ascii(v): repr with non-ASCII escaped. */
export function pyAscii(v: unknown, hooks: ObjectHooks): string {
  if (typeof v === 'string') return strAscii(v);
  const r = pyRepr(v, hooks);
  return ASCII.test(r) ? r : r.replace(NON_ASCII, backslashEscape);
}

const ASCII = /^[\x00-\x7f]*$/;
const NON_ASCII = /[^\x00-\x7f]/gu;

/** The backslashreplace escape of one non-ASCII character (PyObject_ASCII). */
function backslashEscape(ch: string): string {
  const c = ch.codePointAt(0)!;
  if (c <= 0xff) return '\\x' + c.toString(16).padStart(2, '0');
  if (c <= 0xffff) return '\\u' + c.toString(16).padStart(4, '0');
  return '\\U' + c.toString(16).padStart(8, '0');
}
