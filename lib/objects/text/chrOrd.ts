/*
 * chr() and ord() (Python/bltinmodule.c builtin_chr_impl, builtin_ord):
 * between code points and one-character strs (or one-byte bytes for ord),
 * with CPython's errors. chr of a surrogate gives that lone surrogate.
 */
import { codePointAt, strLength } from './codePoints.js';
import { raise } from './pyException.js';

/** chr(i): ValueError outside range(0x110000), OverflowError beyond a C int. */
export function chr(i: bigint): string {
  if (i >= 2n ** 31n || i < -(2n ** 31n)) raise('OverflowError', 'Python int too large to convert to C int');
  if (i < 0n || i > 0x10ffffn) raise('ValueError', 'chr() arg not in range(0x110000)');
  return String.fromCodePoint(Number(i));
}

/** ord(c) for a str of one code point or a bytes of one byte. */
export function ord(c: string | Uint8Array): bigint {
  const n = typeof c === 'string' ? strLength(c) : c.length;
  if (n !== 1) raise('TypeError', `ord() expected a character, but string of length ${n} found`);
  return BigInt(typeof c === 'string' ? codePointAt(c, 0) : c[0]);
}
