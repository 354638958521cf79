/*
 * Arithmetic of int as Objects/longobject.c defines it: floor division and
 * modulo with the sign of the divisor (l_divmod), true division correctly
 * rounded (long_true_divide), pow with negative exponents going to float and
 * three-argument pow with modular inverses (long_pow, long_invmod), shifts
 * (long_lshift, long_rshift), round(n, -k) half to even (long_round,
 * _PyLong_DivmodNear), bit_length/bit_count, to_bytes/from_bytes. ints are
 * bigints; errors are CPython's.
 */
import { bitLength, divideToDouble } from './bigMath.js';
import { floatPow, intToFloat, type Complex } from './floatArith.js';
import { memoryError, raise } from './pyException.js';

/** l_divmod: (a // b, a % b), floor semantics; b ≠ 0. */
function lDivmod(a: bigint, b: bigint): [bigint, bigint] {
  let q = a / b;
  let r = a - q * b;
  if (r !== 0n && (r < 0n) !== (b < 0n)) { q -= 1n; r += b; }
  return [q, r];
}

/** long_div: a // b, ZeroDivisionError "integer division or modulo by zero". */
export function intFloorDivide(a: bigint, b: bigint): bigint {
  if (b === 0n) raise('ZeroDivisionError', 'integer division or modulo by zero');
  return lDivmod(a, b)[0];
}

/** long_mod: a % b with the sign of b, ZeroDivisionError "integer modulo by zero". */
export function intModulo(a: bigint, b: bigint): bigint {
  if (b === 0n) raise('ZeroDivisionError', 'integer modulo by zero');
  return lDivmod(a, b)[1];
}

/** long_divmod: divmod(a, b). */
export function intDivmod(a: bigint, b: bigint): [bigint, bigint] {
  if (b === 0n) raise('ZeroDivisionError', 'integer division or modulo by zero');
  return lDivmod(a, b);
}

/** long_true_divide: a / b correctly rounded, with CPython's ZeroDivisionError and OverflowError. */
export function intTrueDivide(a: bigint, b: bigint): number {
  if (b === 0n) raise('ZeroDivisionError', 'division by zero');
  const v = divideToDouble(a, b);
  if (!Number.isFinite(v)) raise('OverflowError', 'integer division result too large for a float');
  return v;
}

/** long_invmod: the inverse of a modulo n (n > 0), ValueError when there is none. */
function invmod(a: bigint, n: bigint): bigint {
  let b = ((a % n) + n) % n;
  let m = n;
  let x0 = 0n;
  let x1 = 1n;
  while (m !== 0n) {
    const q = b / m;
    [b, m] = [m, b - q * m];
    [x0, x1] = [x1 - q * x0, x0];
  }
  if (b !== 1n) raise('ValueError', 'base is not invertible for the given modulus');
  return ((x1 % n) + n) % n;
}

/** Modular exponentiation by squaring, base already reduced, e ≥ 0, m > 1. */
function powMod(base: bigint, e: bigint, m: bigint): bigint {
  let result = 1n;
  base %= m;
  while (e > 0n) {
    if (e & 1n) result = (result * base) % m;
    e >>= 1n;
    if (e > 0n) base = (base * base) % m;
  }
  return result;
}

/** Bits a power result may have before pymem refuses it with MemoryError (V8 caps BigInt at 2**30 bits). */
const MAX_BITS = 2 ** 30;

/**
 * long_pow: a ** b, or pow(a, b, m). A negative b without modulus gives a
 * float (float_pow of the converted operands); with a modulus it uses the
 * modular inverse. Errors: "pow() 3rd argument cannot be 0", "base is not
 * invertible for the given modulus", float_pow's.
 */
export function intPow(a: bigint, b: bigint, m?: bigint): bigint | number | Complex {
  if (m === undefined) {
    if (b < 0n) return floatPow(intToFloat(a), intToFloat(b));
    if (a === 0n || a === 1n) return b === 0n ? 1n : a;
    if (a === -1n) return (b & 1n) === 0n ? 1n : -1n;
    if (BigInt(bitLength(a)) * b > BigInt(MAX_BITS)) memoryError();
    return a ** b;
  }
  if (m === 0n) raise('ValueError', 'pow() 3rd argument cannot be 0');
  const negativeOutput = m < 0n;
  const mod = negativeOutput ? -m : m;
  if (mod === 1n) return 0n;
  if (b < 0n) { a = invmod(a, mod); b = -b; }
  let z = powMod(((a % mod) + mod) % mod, b, mod);
  if (negativeOutput && z !== 0n) z -= mod;
  return z;
}

/** PY_SSIZE_T_MAX: larger shift counts cannot even be represented. */
const SSIZE_T_MAX = (1n << 63n) - 1n;

/** long_lshift: a << n, ValueError "negative shift count". */
export function intLshift(a: bigint, n: bigint): bigint {
  if (n < 0n) raise('ValueError', 'negative shift count');
  if (a === 0n) return 0n;
  if (n > SSIZE_T_MAX) raise('OverflowError', 'too many digits in integer');
  if (n + BigInt(bitLength(a)) > BigInt(MAX_BITS)) memoryError();
  return a << n;
}

/** long_rshift: a >> n (floor), ValueError "negative shift count". */
export function intRshift(a: bigint, n: bigint): bigint {
  if (n < 0n) raise('ValueError', 'negative shift count');
  if (n >= BigInt(bitLength(a))) return a < 0n ? -1n : 0n;
  return a >> n;
}

/** int.bit_length(). */
export function intBitLength(a: bigint): bigint {
  return BigInt(bitLength(a));
}

/** int.bit_count(): the number of ones in |a|. */
export function intBitCount(a: bigint): bigint {
  const s = (a < 0n ? -a : a).toString(2);
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 49) n++;
  return BigInt(n);
}

/** long_round: round(a, ndigits) — a itself for ndigits ≥ 0, else to a multiple of 10**-ndigits, half to even. */
export function intRound(a: bigint, ndigits: bigint): bigint {
  if (ndigits >= 0n) return a;
  const k = -ndigits;
  if (k > BigInt(bitLength(a)) + 1n) return 0n;
  const p = 10n ** k;
  let [q, r] = lDivmod(a, p);
  const twice = r * 2n;
  if (twice > p || (twice === p && (q & 1n) === 1n)) { q += 1n; r -= p; }
  return a - r;
}

/** int.to_bytes(length, byteorder, signed=False): CPython's bytes or its OverflowError / ValueError. */
export function intToBytes(a: bigint, length: number, byteorder: string, signed = false): Uint8Array {
  if (byteorder !== 'little' && byteorder !== 'big') raise('ValueError', "byteorder must be either 'little' or 'big'");
  if (length < 0) raise('ValueError', 'length argument must be non-negative');
  if (!signed && a < 0n) raise('OverflowError', "can't convert negative int to unsigned");
  const bits = BigInt(length) * 8n;
  // _PyLong_AsByteArray accepts -1 in zero signed bytes (its sign extension is empty)
  const fits = length === 0 ? a === 0n || (signed && a === -1n) : signed ? a < 1n << (bits - 1n) && a >= -(1n << (bits - 1n)) : a < 1n << bits;
  if (!fits) raise('OverflowError', 'int too big to convert');
  if (length > 2 ** 31 - 1) memoryError();
  const out = new Uint8Array(length);
  let v = a < 0n ? (1n << bits) + a : a;
  for (let i = 0; i < length; i++) {
    out[byteorder === 'little' ? i : length - 1 - i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** int.from_bytes(bytes, byteorder, signed=False). */
export function intFromBytes(bytes: Uint8Array, byteorder: string, signed = false): bigint {
  if (byteorder !== 'little' && byteorder !== 'big') raise('ValueError', "byteorder must be either 'little' or 'big'");
  let v = 0n;
  const n = bytes.length;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(bytes[byteorder === 'big' ? i : n - 1 - i]);
  if (signed && n > 0 && (bytes[byteorder === 'big' ? 0 : n - 1] & 0x80) !== 0) v -= 1n << BigInt(8 * n);
  return v;
}
