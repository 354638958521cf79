/*
 * repr() of bytes and bytearray (Objects/bytesobject.c PyBytes_Repr,
 * Objects/bytearrayobject.c bytearray_repr): b'…' with single quotes unless
 * the bytes hold a single quote and no double quote; \t \n \r, \\ and the
 * quote escaped (bytearray escapes ' even inside double quotes); other
 * bytes outside 0x20..0x7e as \xNN (lowercase hex).
 */

const HEX = '0123456789abcdef';

/** PyBytes_Repr: repr(b) for bytes. */
export function bytesRepr(b: Uint8Array): string {
  return quotedBytes(b, false);
}

/** The b'…' body; bytearray_repr escapes a single quote even inside double quotes. */
function quotedBytes(b: Uint8Array, alwaysEscapeSingle: boolean): string {
  let squote = false;
  let dquote = false;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 39) squote = true;
    else if (b[i] === 34) dquote = true;
  }
  const quote = squote && !dquote ? 34 : 39;
  const out: string[] = ['b', String.fromCharCode(quote)];
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === quote || c === 92 || (alwaysEscapeSingle && c === 39)) out.push('\\' + String.fromCharCode(c));
    else if (c === 9) out.push('\\t');
    else if (c === 10) out.push('\\n');
    else if (c === 13) out.push('\\r');
    else if (c < 0x20 || c >= 0x7f) out.push('\\x' + HEX[c >> 4] + HEX[c & 15]);
    else out.push(String.fromCharCode(c));
  }
  out.push(String.fromCharCode(quote));
  return out.join('');
}

/** bytearray_repr: "bytearray(b'…')". */
export function bytearrayRepr(b: Uint8Array): string {
  return `bytearray(${quotedBytes(b, true)})`;
}
