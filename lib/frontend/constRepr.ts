/*
 * repr() of constants exactly as CPython 3.11 prints them (dis shows
 * constants by repr): str with CPython's choice of quote and escapes
 * (unicode_repr), float as the shortest round-trip string in Python's
 * format (float_repr: exponent form below 1e-4 and from 1e16), complex,
 * bytes, tuples, frozensets (in a CPython set's iteration order when the
 * items' hashes are fixed: numbers and tuples of them) and code objects.
 */

import type { CodeConst, CodeObject } from './code.js';
import { hashBytes64, textHash64 } from '../objects/types/unicode.js';

/** Characters Python's str.isprintable() rejects: Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs except space. */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** unicode_repr. */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + hex(c, 2);
    else if (c < 0x7f) out += ch;
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      if (c <= 0xff) out += '\\x' + hex(c, 2);
      else if (c <= 0xffff) out += '\\u' + hex(c, 4);
      else out += '\\U' + hex(c, 8);
    } else out += ch;
  }
  return out + quote;
}

/** bytes_repr. */
export function bytesRepr(b: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const c of b) {
    if (c === 0x27) hasSingle = true;
    if (c === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? '"' : "'";
  let out = 'b' + quote;
  for (const c of b) {
    const ch = String.fromCharCode(c);
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (c === 9) out += '\\t';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + hex(c, 2);
    else out += ch;
  }
  return out + quote;
}

/** float_repr ('r' format, Py_DTSF_ADD_DOT_0 when `addDot0`). */
export function floatRepr(d: number, addDot0 = true): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return (Object.is(d, -0) ? '-0' : '0') + (addDot0 ? '.0' : '');
  const sign = d < 0 ? '-' : '';
  const [mant, expText] = Math.abs(d).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  const decpt = exp + 1;
  if (decpt <= -4 || decpt > 16) {
    const rest = digits.length > 1 ? '.' + digits.slice(1) : '';
    const e = Math.abs(exp);
    return `${sign}${digits[0]}${rest}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
  }
  let body: string;
  if (decpt <= 0) body = '0.' + '0'.repeat(-decpt) + digits;
  else if (decpt >= digits.length) body = digits + '0'.repeat(decpt - digits.length) + (addDot0 ? '.0' : '');
  else body = digits.slice(0, decpt) + '.' + digits.slice(decpt);
  return sign + body;
}

/** complex_repr. */
function complexRepr(real: number, imag: number): string {
  const im = floatRepr(imag, false);
  if (real === 0 && !Object.is(real, -0)) return `${im}j`;
  const re = floatRepr(real, false);
  const imSigned = im.startsWith('-') || Number.isNaN(imag) ? im : '+' + im;
  return `(${re}${imSigned}j)`;
}

const HASH_BITS = 61n;
const HASH_MODULUS = (1n << HASH_BITS) - 1n;
const U64 = (1n << 64n) - 1n;

/** long_hash: the value modulo 2**61 - 1, keeping the sign; -1 becomes -2. */
function intHash(v: bigint): bigint {
  const h = v < 0n ? -((-v) % HASH_MODULUS) : v % HASH_MODULUS;
  return h === -1n ? -2n : h;
}

/** C's frexp: v = m * 2**e with 0.5 <= |m| < 1. */
function frexp(v: number): [number, number] {
  if (v === 0) return [v, 0];
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = (view.getUint16(0) >> 4) & 0x7ff;
  if (bits === 0) {
    const [m, e] = frexp(v * 2 ** 64);
    return [m, e - 64];
  }
  const e = bits - 1022;
  return [v * 2 ** -e, e];
}

/** _Py_HashDouble (finite values and infinities; NaN hashes by address, so it has no fixed order). */
function floatHash(v: number): bigint | undefined {
  if (Number.isNaN(v)) return undefined;
  if (!Number.isFinite(v)) return v > 0 ? 314159n : -314159n;
  if (Number.isInteger(v)) return intHash(BigInt(v));
  let [m, e] = frexp(v);
  let sign = 1n;
  if (m < 0) { sign = -1n; m = -m; }
  let x = 0n;
  while (m) {
    x = ((x << 28n) & HASH_MODULUS) | (x >> (HASH_BITS - 28n));
    m *= 268435456.0;
    e -= 28;
    const y = Math.floor(m);
    m -= y;
    x += BigInt(y);
    if (x >= HASH_MODULUS) x -= HASH_MODULUS;
  }
  const be = BigInt(e >= 0 ? e % 61 : 61 - 1 - ((-1 - e) % 61));
  x = ((x << be) & HASH_MODULUS) | (x >> (HASH_BITS - be));
  x = x * sign;
  return x === -1n ? -2n : x;
}

/** PyObject_Hash of a constant whose hash does not depend on addresses or the string hash seed. */
function constHash(v: CodeConst): bigint | undefined {
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'bigint') return intHash(v);
  if (typeof v === 'number') return floatHash(v);
  if (typeof v === 'string') return textHash64(v);
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && v.kind === 'bytes') return hashBytes64(v.value);
  if (Array.isArray(v)) {
    const P1 = 11400714785074694791n;
    const P2 = 14029467366897019727n;
    const P5 = 2870177450012600261n;
    let acc = P5;
    for (const item of v) {
      const lane = constHash(item);
      if (lane === undefined) return undefined;
      acc = (acc + (lane & U64) * P2) & U64;
      acc = ((acc << 31n) | (acc >> 33n)) & U64;
      acc = (acc * P1) & U64;
    }
    acc = (acc + (BigInt(v.length) ^ (P5 ^ 3527539n))) & U64;
    if (acc === U64) return 1546275796n;
    return acc >= 1n << 63n ? acc - (1n << 64n) : acc;
  }
  if (v !== null && typeof v === 'object' && v.kind === 'complex') {
    const r = floatHash(v.real);
    const i = floatHash(v.imag);
    if (r === undefined || i === undefined) return undefined;
    let h = (r + 1000003n * i) & U64;
    if (h >= 1n << 63n) h -= 1n << 64n;
    return h === -1n ? -2n : h;
  }
  return undefined;
}

/** A CPython set table's iteration order (set_add_entry, set_table_resize) for constants with a fixed hash; others keep their order. */
function setOrder(items: CodeConst[]): CodeConst[] {
  const hashOf = constHash;
  if (!items.every((v) => hashOf(v) !== undefined)) return items;
  let table: (CodeConst | undefined)[] = new Array(8).fill(undefined);
  const insert = (v: CodeConst): void => {
    const mask = BigInt(table.length - 1);
    let h = hashOf(v)!;
    if (h < 0n) h += 1n << 64n;
    let perturb = h;
    let i = Number(h & mask);
    for (;;) {
      const probes = i + 9 <= table.length - 1 ? 9 : 0;
      for (let j = 0; j <= probes; j++) {
        if (table[i + j] === undefined) {
          table[i + j] = v;
          return;
        }
      }
      perturb >>= 5n;
      i = Number((BigInt(i) * 5n + 1n + perturb) & mask);
    }
  };
  let used = 0;
  for (const v of items) {
    insert(v);
    used++;
    if (used * 5 >= (table.length - 1) * 3) {
      const old = table.filter((x): x is CodeConst => x !== undefined);
      let size = 8;
      while (size <= used * 4) size <<= 1;
      table = new Array(size).fill(undefined);
      old.forEach(insert);
    }
  }
  return table.filter((v): v is CodeConst => v !== undefined);
}

/** The repr of a constant; `addressOf` gives the address shown for a code object. */
export function constRepr(v: CodeConst, addressOf: (co: CodeObject) => string = () => '0x0', internReplaces: (s: string) => boolean = () => false): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return floatRepr(v);
  if (typeof v === 'string') return strRepr(v);
  if (Array.isArray(v)) {
    if (v.length === 1) return `(${constRepr(v[0]!, addressOf, internReplaces)},)`;
    return `(${v.map((x) => constRepr(x, addressOf, internReplaces)).join(', ')})`;
  }
  switch (v.kind) {
    case 'bytes': return bytesRepr(v.value);
    case 'complex': return complexRepr(v.real, v.imag);
    case 'ellipsis': return 'Ellipsis';
    case 'frozenset': {
      if (!v.items.length) return 'frozenset()';
      // As code.ts makes the constant: PyFrozenSet_New in source order, again from its table order
      // (merge_consts_recursive), and once more when interning replaced one of its strs.
      let order = setOrder(setOrder(v.items));
      if (v.items.some((x) => typeof x === 'string' && internReplaces(x))) order = setOrder(order);
      return `frozenset({${order.map((x) => constRepr(x, addressOf, internReplaces)).join(', ')}})`;
    }
    case 'code': return `<code object ${v.name} at ${addressOf(v)}, file "${v.filename}", line ${v.firstlineno}>`;
  }
}
