/*
 * repr() of constants exactly as CPython 3.11 prints them (dis shows
 * constants by repr): str with CPython's choice of quote and escapes
 * (unicode_repr), float as the shortest round-trip string in Python's
 * format (float_repr: exponent form below 1e-4 and from 1e16), complex,
 * bytes, tuples, frozensets (in the iteration order of a CPython set of
 * small ints: hash order) and code objects.
 */

import type { CodeConst, CodeObject } from './code.js';

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

/** A CPython set table's iteration order for hashable small constants (ints keep their value as hash). */
function setOrder(items: CodeConst[]): CodeConst[] {
  const hashOf = (v: CodeConst): bigint | undefined => {
    if (typeof v === 'boolean') return v ? 1n : 0n;
    if (typeof v === 'bigint') {
      const m = (1n << 61n) - 1n;
      const h = v < 0n ? -((-v) % m) : v % m;
      return h === -1n ? -2n : h;
    }
    return undefined;
  };
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
export function constRepr(v: CodeConst, addressOf: (co: CodeObject) => string = () => '0x0'): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return floatRepr(v);
  if (typeof v === 'string') return strRepr(v);
  if (Array.isArray(v)) {
    if (v.length === 1) return `(${constRepr(v[0]!, addressOf)},)`;
    return `(${v.map((x) => constRepr(x, addressOf)).join(', ')})`;
  }
  switch (v.kind) {
    case 'bytes': return bytesRepr(v.value);
    case 'complex': return complexRepr(v.real, v.imag);
    case 'ellipsis': return 'Ellipsis';
    case 'frozenset':
      if (!v.items.length) return 'frozenset()';
      return `frozenset({${setOrder(v.items).map((x) => constRepr(x, addressOf)).join(', ')}})`;
    case 'code': return `<code object ${v.name} at ${addressOf(v)}, file "${v.filename}", line ${v.firstlineno}>`;
  }
}
