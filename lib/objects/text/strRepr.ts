/*
 * repr() and ascii() of a str (Objects/unicodeobject.c unicode_repr,
 * Python/bltinmodule.c builtin_ascii via PyObject_ASCII).
 (the representation of str: codePoints.ts).
 */
import { codePointAt } from './codePoints.js';
import { isPrintable } from './unicodeTables.js';

const PLAIN_ASCII = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;
const HEX = '0123456789abcdef';

function hexEscape(out: string[], prefix: string, cp: number, width: number): void {
  let h = '';
  for (let k = width - 1; k >= 0; k--) h += HEX[(cp >>> (4 * k)) & 15];
  out.push(prefix + h);
}

/** Escapes one code point the way unicode_repr does (printable ones kept unless `asciiOnly`). */
function escapeCodePoint(out: string[], cp: number, asciiOnly: boolean): void {
  if (cp === 9) out.push('\\t');
  else if (cp === 10) out.push('\\n');
  else if (cp === 13) out.push('\\r');
  else if (cp < 0x20 || cp === 0x7f) hexEscape(out, '\\x', cp, 2);
  else if (cp < 0x7f) out.push(String.fromCharCode(cp));
  else if (!asciiOnly && isPrintable(cp)) out.push(String.fromCodePoint(cp));
  else if (cp <= 0xff) hexEscape(out, '\\x', cp, 2);
  else if (cp <= 0xffff) hexEscape(out, '\\u', cp, 4);
  else hexEscape(out, '\\U', cp, 8);
}

function quoted(s: string, asciiOnly: boolean): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  if (PLAIN_ASCII.test(s)) return quote + s + quote;
  const out: string[] = [quote];
  for (let i = 0; i < s.length; i++) {
    const cp = codePointAt(s, i);
    if (cp > 0xffff) i++;
    if (cp === quote.charCodeAt(0) || cp === 92) out.push('\\' + String.fromCharCode(cp));
    else escapeCodePoint(out, cp, asciiOnly);
  }
  out.push(quote);
  return out.join('');
}

/** unicode_repr: repr(s), quoted and escaped exactly as CPython does. */
export function strRepr(s: string): string {
  return quoted(s, false);
}

/** ascii(s) for a str: the repr with every non-ASCII character escaped (\x, \u, \U). */
export function strAscii(s: string): string {
  return quoted(s, true);
}
