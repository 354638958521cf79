/*
 * Python's arithmetic on constant values, as far as the AST optimizer folds
 * it (Python/ast_opt.c calls PyNumber_* on the constants). Each operation
 * returns the value CPython computes, or `undefined` where CPython raises
 * (ZeroDivisionError, OverflowError, TypeError ...): the optimizer then
 * leaves the expression as it is, as ast_opt.c does when make_const gets
 * NULL. Operands of types this module does not model also give `undefined`.
 */

import type { PyBytes, PyComplex } from './ast.js';
import type { CodeConst } from './code.js';

type Num = bigint | number | PyComplex;

function isComplex(v: CodeConst): v is PyComplex {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'complex';
}

function isBytes(v: CodeConst): v is PyBytes {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'bytes';
}

/** bool is an int subclass: True + 1 == 2. */
function asNumber(v: CodeConst): Num | undefined {
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'bigint' || typeof v === 'number' || isComplex(v)) return v;
  return undefined;
}

/** int → float as PyLong_AsDouble: undefined (OverflowError) when too big. */
function toFloat(v: bigint | number): number | undefined {
  if (typeof v === 'number') return v;
  const d = Number(v);
  return Number.isFinite(d) ? d : undefined;
}

function toComplex(v: Num): PyComplex | undefined {
  if (isComplex(v)) return v;
  const d = toFloat(v);
  return d === undefined ? undefined : { kind: 'complex', real: d, imag: 0 };
}

/** A float power: finite operands giving inf is CPython's OverflowError (float_pow). */
function floatResult(r: number, ...operands: number[]): number | undefined {
  if (!Number.isFinite(r) && !Number.isNaN(r) && operands.every(Number.isFinite)) return undefined;
  return r;
}

function bitLen(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** num / den (both positive) rounded to the nearest double, ties to even (Infinity when too big). */
function ratioToDouble(num: bigint, den: bigint): number {
  const k = bitLen(den) - bitLen(num) + 60;
  const scaledNum = k >= 0 ? num << BigInt(k) : num;
  const scaledDen = k >= 0 ? den : den << BigInt(-k);
  let q = scaledNum / scaledDen;
  const sticky = q * scaledDen !== scaledNum;
  const bl = bitLen(q);
  const e2 = bl - 1 - k;
  if (e2 > 1023) return Infinity;
  const precision = e2 >= -1022 ? 53 : 53 - (-1022 - e2);
  if (precision <= 0) return 0;
  const shift = BigInt(bl - precision);
  let mantissa = q >> shift;
  const rest = q & ((1n << shift) - 1n);
  const half = 1n << (shift - 1n);
  if (rest > half || (rest === half && (sticky || (mantissa & 1n) === 1n))) mantissa += 1n;
  q = mantissa;
  const exp = Number(shift) - k;
  if (exp + bitLen(q) - 1 > 1023) return Infinity;
  return Number(q) * 2 ** Math.max(exp, -1074) * 2 ** (exp < -1074 ? exp + 1074 : 0);
}

/**
 * x ** y for doubles as C's pow gives it: for an integral exponent of
 * moderate size the exactly rounded power (which glibc's pow returns; V8's
 * Math.pow is off by an ulp in some 9% of such cases); otherwise Math.pow.
 */
export function floatPow(x: number, y: number): number {
  if (!Number.isFinite(x) || !Number.isInteger(y) || x === 0 || Math.abs(y) > 4096 || y === 0) return x ** y;
  const negative = x < 0 && Math.abs(y) % 2 === 1;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  const mant = biased === 0 ? fraction : fraction | (1n << 52n);
  const e = (biased === 0 ? -1074 : biased - 1075) * Math.abs(y);
  const power = mant ** BigInt(Math.abs(y));
  let num = power;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  const r = y > 0 ? ratioToDouble(num, den) : ratioToDouble(den, num);
  return negative ? -r : r;
}

/** float_divmod of Objects/floatobject.c. */
function floatDivmod(vx: number, wx: number): [number, number] | undefined {
  if (wx === 0) return undefined;
  let mod = vx % wx;
  let div = (vx - mod) / wx;
  if (mod) {
    if (wx < 0 !== mod < 0) {
      mod += wx;
      div -= 1;
    }
  } else {
    mod = Object.is(wx, -0) || wx < 0 ? -0 : 0;
  }
  let floordiv: number;
  if (div) {
    floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1;
  } else {
    const q = vx / wx;
    floordiv = q < 0 || Object.is(q, -0) ? -0 : 0;
  }
  return [floordiv, mod];
}

function intFloorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

function intMod(a: bigint, b: bigint): bigint {
  const r = a % b;
  return r !== 0n && (r < 0n) !== (b < 0n) ? r + b : r;
}

/** long_true_divide for operands small enough to be exact doubles; others are not folded. */
function intTrueDiv(a: bigint, b: bigint): number | undefined {
  if (b === 0n) return undefined;
  const limit = 1n << 53n;
  if (a > -limit && a < limit && b > -limit && b < limit) return Number(a) / Number(b);
  return undefined;
}

function complex(real: number, imag: number): PyComplex {
  return { kind: 'complex', real, imag };
}

/** _Py_c_quot; undefined for a zero divisor (ZeroDivisionError). */
function complexQuot(a: PyComplex, b: PyComplex): PyComplex | undefined {
  const absBreal = Math.abs(b.real);
  const absBimag = Math.abs(b.imag);
  if (absBreal >= absBimag) {
    if (absBreal === 0) return undefined;
    const ratio = b.imag / b.real;
    const denom = b.real + b.imag * ratio;
    return complex((a.real + a.imag * ratio) / denom, (a.imag - a.real * ratio) / denom);
  }
  if (absBimag >= absBreal) {
    const ratio = b.real / b.imag;
    const denom = b.real * ratio + b.imag;
    return complex((a.real * ratio + a.imag) / denom, (a.imag * ratio - a.real) / denom);
  }
  return complex(NaN, NaN);
}

/** _Py_c_prod. */
function complexProd(a: PyComplex, b: PyComplex): PyComplex {
  return complex(a.real * b.real - a.imag * b.imag, a.real * b.imag + a.imag * b.real);
}

/**
 * complex_pow for integer exponents up to 100 (c_powi: repeated squaring,
 * exact as CPython's); other exponents use libm functions whose last bits
 * may differ from the C library's, so they are not folded.
 */
function complexPow(a: PyComplex, b: PyComplex): PyComplex | undefined {
  if (!(b.imag === 0 && b.real === Math.floor(b.real) && Math.abs(b.real) <= 100)) return undefined;
  const powu = (x: PyComplex, n: number): PyComplex => {
    let r = complex(1, 0);
    let p = x;
    for (let mask = 1; mask > 0 && n >= mask; mask *= 2) {
      if (Math.floor(n / mask) % 2) r = complexProd(r, p);
      p = complexProd(p, p);
    }
    return r;
  };
  const n = b.real;
  const p = n > 0 ? powu(a, n) : complexQuot(complex(1, 0), powu(a, -n));
  if (p === undefined || !Number.isFinite(p.real) || !Number.isFinite(p.imag)) return undefined;
  return p;
}

function complexOp(op: string, x: PyComplex, y: PyComplex): PyComplex | undefined {
  switch (op) {
    case 'Add': return complex(x.real + y.real, x.imag + y.imag);
    case 'Sub': return complex(x.real - y.real, x.imag - y.imag);
    case 'Mult': return complexProd(x, y);
    case 'Div': return complexQuot(x, y);
    case 'Pow': return complexPow(x, y);
    default: return undefined;
  }
}

function numericBinop(op: string, a: Num, b: Num): CodeConst | undefined {
  if (isComplex(a) || isComplex(b)) {
    const x = toComplex(a);
    const y = toComplex(b);
    return x && y ? complexOp(op, x, y) : undefined;
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    switch (op) {
      case 'Add': return a + b;
      case 'Sub': return a - b;
      case 'Mult': return a * b;
      case 'FloorDiv': return b === 0n ? undefined : intFloorDiv(a, b);
      case 'Mod': return b === 0n ? undefined : intMod(a, b);
      case 'Div': return intTrueDiv(a, b);
      case 'Pow':
        if (b >= 0n) return a ** b;
        if (a === 0n) return undefined;
        return intTrueDiv(1n, a ** -b);
      case 'LShift': return b < 0n ? undefined : a << b;
      case 'RShift': return b < 0n ? undefined : a >> b;
      case 'BitOr': return a | b;
      case 'BitXor': return a ^ b;
      case 'BitAnd': return a & b;
      default: return undefined;
    }
  }
  const x = toFloat(a as bigint | number);
  const y = toFloat(b as bigint | number);
  if (x === undefined || y === undefined) return undefined;
  switch (op) {
    case 'Add': return x + y;
    case 'Sub': return x - y;
    case 'Mult': return x * y;
    case 'Div': return y === 0 ? undefined : x / y;
    case 'FloorDiv': return floatDivmod(x, y)?.[0];
    case 'Mod': return floatDivmod(x, y)?.[1];
    case 'Pow':
      if (x === 0 && y < 0) return undefined;
      if (x < 0 && !Number.isInteger(y) && Number.isFinite(y)) return undefined;
      return floatResult(floatPow(x, y), x, y);
    default: return undefined;
  }
}

function repeat<T>(items: T[], n: bigint): T[] {
  const out: T[] = [];
  for (let i = 0n; i < n; i++) out.push(...items);
  return out;
}

function concatBytes(a: PyBytes, b: PyBytes): PyBytes {
  const value = new Uint8Array(a.value.length + b.value.length);
  value.set(a.value);
  value.set(b.value, a.value.length);
  return { kind: 'bytes', value };
}

/** `a <op> b` for an ast operator name ('Add', 'Mult', ...), as PyNumber_<op>. */
export function binaryOp(op: string, a: CodeConst, b: CodeConst): CodeConst | undefined {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) {
    if (typeof a === 'boolean' && typeof b === 'boolean' && (op === 'BitAnd' || op === 'BitOr' || op === 'BitXor')) {
      const r = numericBinop(op, x, y) as bigint;
      return r !== 0n;
    }
    return numericBinop(op, x, y);
  }
  if (op === 'Add') {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    if (isBytes(a) && isBytes(b)) return concatBytes(a, b);
    return undefined;
  }
  if (op === 'Mult') {
    const [seq, count] = x !== undefined ? [b, x] : [a, y];
    if (typeof count !== 'bigint') return undefined;
    const n = count < 0n ? 0n : count;
    if (typeof seq === 'string') return seq.repeat(Number(n));
    if (Array.isArray(seq)) return repeat(seq, n);
    if (isBytes(seq)) return { kind: 'bytes', value: Uint8Array.from(repeat([...seq.value], n)) };
  }
  return undefined;
}

/** Truth value of a constant, as PyObject_IsTrue. */
export function isTrue(v: CodeConst): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  switch (v.kind) {
    case 'bytes': return v.value.length > 0;
    case 'complex': return v.real !== 0 || v.imag !== 0;
    case 'frozenset': return v.items.length > 0;
    default: return true;
  }
}

/** `<op> a` for an ast unary operator name ('USub', 'UAdd', 'Invert', 'Not'). */
export function unaryOp(op: string, a: CodeConst): CodeConst | undefined {
  if (op === 'Not') return !isTrue(a);
  const x = asNumber(a);
  if (x === undefined) return undefined;
  if (isComplex(x)) {
    if (op === 'USub') return { kind: 'complex', real: -x.real, imag: -x.imag };
    if (op === 'UAdd') return x;
    return undefined;
  }
  if (op === 'USub') return typeof x === 'bigint' ? -x : -x;
  if (op === 'UAdd') return x;
  if (op === 'Invert') return typeof x === 'bigint' ? ~x : undefined;
  return undefined;
}

/** Number of bits of |v|, as _PyLong_NumBits. */
export function bitLength(v: bigint): number {
  const a = v < 0n ? -v : v;
  return a === 0n ? 0 : a.toString(2).length;
}
