/*
 * str.encode and bytes.decode for the codecs a tutorial meets — utf-8,
 * ascii, latin-1 — with the error handlers strict, ignore, replace,
 * backslashreplace, xmlcharrefreplace (encoding), surrogateescape and
 * surrogatepass (Objects/unicodeobject.c unicode_encode_utf8,
 * unicode_encode_ucs1, PyUnicode_DecodeUTF8Stateful, _PyUnicode_DecodeASCII,
 * _PyUnicode_DecodeLatin1; Objects/stringlib/codecs.h; Python/codecs.c).
 * Errors are UnicodeEncodeError / UnicodeDecodeError with CPython's text
 * (exceptions.c UnicodeEncodeError_str, UnicodeDecodeError_str) and args
 * (encoding, object, start, end, reason); a run of unencodable characters
 * is one error, as CPython reports it; an unknown codec is LookupError.
 */
import { toCodePoints } from './codePoints.js';
import { PyException, raise } from './pyException.js';

/** The codecs implemented here, by their normalized CPython names. */
export type CodecName = 'utf-8' | 'ascii' | 'latin-1';

const ALIASES: Record<string, CodecName> = {
  utf_8: 'utf-8', utf8: 'utf-8', u8: 'utf-8', utf: 'utf-8', utf8_ucs2: 'utf-8', utf8_ucs4: 'utf-8', cp65001: 'utf-8',
  ascii: 'ascii', us_ascii: 'ascii', '646': 'ascii', 'ansi_x3.4_1968': 'ascii', iso646_us: 'ascii', us: 'ascii', cp367: 'ascii',
  latin_1: 'latin-1', latin1: 'latin-1', latin: 'latin-1', l1: 'latin-1', iso_8859_1: 'latin-1', iso8859_1: 'latin-1',
  '8859': 'latin-1', cp819: 'latin-1', iso_ir_100: 'latin-1',
};

const SEPARATORS = /[-\s]/g;
// a BOM is a character like any other to Python's utf-8 codec
const UTF8_DECODER = new TextDecoder('utf-8', { ignoreBOM: true });
const UTF8_ENCODER = new TextEncoder();
const UTF8_FATAL = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });
const SURROGATES = /[\ud800-\udfff]/;

/** codecs.lookup's name normalisation: CodecName, or LookupError "unknown encoding: …". */
export function lookupCodec(encoding: string): CodecName {
  const key = encoding.toLowerCase().replace(SEPARATORS, '_');
  const name = ALIASES[key];
  if (name === undefined) raise('LookupError', `unknown encoding: ${encoding}`);
  return name;
}

/** The CPython-style escape of one code point in a message: \xNN, \uNNNN or \UNNNNNNNN. */
function escapeForMessage(c: number): string {
  if (c <= 0xff) return '\\x' + c.toString(16).padStart(2, '0');
  if (c <= 0xffff) return '\\u' + c.toString(16).padStart(4, '0');
  return '\\U' + c.toString(16).padStart(8, '0');
}

/** UnicodeEncodeError(encoding, object, start, end, reason). */
export function unicodeEncodeError(encoding: string, s: string, cps: readonly number[], start: number, end: number, reason: string): PyException {
  const message = end === start + 1
    ? `'${encoding}' codec can't encode character '${escapeForMessage(cps[start])}' in position ${start}: ${reason}`
    : `'${encoding}' codec can't encode characters in position ${start}-${end - 1}: ${reason}`;
  return new PyException('UnicodeEncodeError', [encoding, s, start, end, reason], message);
}

/** UnicodeDecodeError(encoding, object, start, end, reason). */
export function unicodeDecodeError(encoding: string, b: Uint8Array, start: number, end: number, reason: string): PyException {
  const message = end === start + 1
    ? `'${encoding}' codec can't decode byte 0x${b[start].toString(16).padStart(2, '0')} in position ${start}: ${reason}`
    : `'${encoding}' codec can't decode bytes in position ${start}-${end - 1}: ${reason}`;
  return new PyException('UnicodeDecodeError', [encoding, start, end, reason], message);
}

function unknownHandler(errors: string): never {
  return raise('LookupError', `unknown error handler name '${errors}'`);
}

/** Growable byte output. */
class ByteWriter {
  buf = new Uint8Array(64);
  n = 0;
  push(b: number): void {
    if (this.n === this.buf.length) {
      const nb = new Uint8Array(this.buf.length * 2);
      nb.set(this.buf);
      this.buf = nb;
    }
    this.buf[this.n++] = b;
  }
  pushAscii(s: string): void {
    for (let i = 0; i < s.length; i++) this.push(s.charCodeAt(i));
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

/** UTF-8 of a short well-formed string (TextEncoder's per-call cost dominates below ~64 units). */
function encodeShortUtf8(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) { out[n++] = c; continue; }
    if (c < 0x800) { out[n++] = 0xc0 | (c >> 6); out[n++] = 0x80 | (c & 63); continue; }
    if (c >= 0xd800 && c <= 0xdbff) {
      c = ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00) + 0x10000;
      out[n++] = 0xf0 | (c >> 18); out[n++] = 0x80 | ((c >> 12) & 63); out[n++] = 0x80 | ((c >> 6) & 63); out[n++] = 0x80 | (c & 63);
      continue;
    }
    out[n++] = 0xe0 | (c >> 12); out[n++] = 0x80 | ((c >> 6) & 63); out[n++] = 0x80 | (c & 63);
  }
  return out.slice(0, n);
}

/** str.encode(encoding='utf-8', errors='strict'). */
export function strEncode(s: string, encoding = 'utf-8', errors = 'strict'): Uint8Array {
  const codec = lookupCodec(encoding);
  if (codec === 'utf-8' && !SURROGATES.test(s)) return s.length > 64 ? UTF8_ENCODER.encode(s) : encodeShortUtf8(s);
  const cps = toCodePoints(s);
  const limit = codec === 'ascii' ? 0x80 : codec === 'latin-1' ? 0x100 : 0x110000;
  const reason = codec === 'utf-8' ? 'surrogates not allowed' : `ordinal not in range(${limit})`;
  const bad = (c: number) => (codec === 'utf-8' ? c >= 0xd800 && c <= 0xdfff : c >= limit);
  const out = new ByteWriter();
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i];
    if (!bad(c)) {
      if (codec !== 'utf-8' || c < 0x80) out.push(c);
      else if (c < 0x800) { out.push(0xc0 | (c >> 6)); out.push(0x80 | (c & 63)); }
      else if (c < 0x10000) { out.push(0xe0 | (c >> 12)); out.push(0x80 | ((c >> 6) & 63)); out.push(0x80 | (c & 63)); }
      else { out.push(0xf0 | (c >> 18)); out.push(0x80 | ((c >> 12) & 63)); out.push(0x80 | ((c >> 6) & 63)); out.push(0x80 | (c & 63)); }
      continue;
    }
    let end = i + 1;
    while (end < cps.length && bad(cps[end])) end++;
    switch (errors) {
      case 'strict':
        throw unicodeEncodeError(codec, s, cps, i, end, reason);
      case 'ignore':
        break;
      case 'replace':
        for (let k = i; k < end; k++) out.push(63);
        break;
      case 'backslashreplace':
        for (let k = i; k < end; k++) out.pushAscii(escapeForMessage(cps[k]));
        break;
      case 'xmlcharrefreplace':
        for (let k = i; k < end; k++) out.pushAscii(`&#${cps[k]};`);
        break;
      case 'surrogateescape':
        // the handler gives up on the whole run if any of it is not an escaped byte
        for (let k = i; k < end; k++) {
          if (cps[k] < 0xdc80 || cps[k] > 0xdcff) throw unicodeEncodeError(codec, s, cps, i, end, reason);
          out.push(cps[k] - 0xdc00);
        }
        break;
      case 'surrogatepass':
        if (codec !== 'utf-8') throw unicodeEncodeError(codec, s, cps, i, end, reason);
        for (let k = i; k < end; k++) { const c2 = cps[k]; out.push(0xe0 | (c2 >> 12)); out.push(0x80 | ((c2 >> 6) & 63)); out.push(0x80 | (c2 & 63)); }
        break;
      default:
        unknownHandler(errors);
    }
    i = end - 1;
  }
  return out.result();
}

/**
 * The length of the malformed UTF-8 sequence at b[i] and its reason, or 0
 * when a well-formed sequence starts there (Objects/stringlib/codecs.h
 * utf8_decode's checks, including the shortest-form and surrogate rules).
 */
function utf8Error(b: Uint8Array, i: number): [number, string] {
  const n = b.length;
  const c = b[i];
  const cont = (k: number, lo = 0x80, hi = 0xbf) => k < n && b[k] >= lo && b[k] <= hi;
  if (c < 0x80) return [0, ''];
  if (c < 0xc2 || c > 0xf4) return [1, 'invalid start byte'];
  if (c < 0xe0) {
    if (i + 1 >= n) return [1, 'unexpected end of data'];
    return cont(i + 1) ? [0, ''] : [1, 'invalid continuation byte'];
  }
  if (c < 0xf0) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    if (i + 1 >= n) return [1, 'unexpected end of data'];
    if (!cont(i + 1, lo, hi)) return [1, 'invalid continuation byte'];
    if (i + 2 >= n) return [2, 'unexpected end of data'];
    return cont(i + 2) ? [0, ''] : [2, 'invalid continuation byte'];
  }
  const lo = c === 0xf0 ? 0x90 : 0x80;
  const hi = c === 0xf4 ? 0x8f : 0xbf;
  if (i + 1 >= n) return [1, 'unexpected end of data'];
  if (!cont(i + 1, lo, hi)) return [1, 'invalid continuation byte'];
  if (i + 2 >= n) return [2, 'unexpected end of data'];
  if (!cont(i + 2)) return [2, 'invalid continuation byte'];
  if (i + 3 >= n) return [3, 'unexpected end of data'];
  return cont(i + 3) ? [0, ''] : [3, 'invalid continuation byte'];
}

/** The length of the well-formed UTF-8 sequence starting with lead byte c. */
function utf8Length(c: number): number {
  return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/** Bytes as the string of the same char codes (latin-1, and ASCII when all < 128). */
function latin1(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 4096) out += String.fromCharCode(...b.subarray(i, i + 4096));
  return out;
}

/** bytes.decode(encoding='utf-8', errors='strict'). */
export function bytesDecode(b: Uint8Array, encoding = 'utf-8', errors = 'strict'): string {
  const codec = lookupCodec(encoding);
  if (codec === 'latin-1') return latin1(b);
  if (codec === 'utf-8') {
    // well-formed input (the common case) in one native call; errors are found by the loop below
    try {
      return UTF8_FATAL.decode(b);
    } catch {
      // malformed: fall through to the CPython-shaped error handling
    }
  } else if (b.every((c) => c < 128)) return latin1(b);
  const out: string[] = [];
  let start = 0;
  let i = 0;
  const flush = (to: number) => {
    if (to > start) out.push(codec === 'ascii' ? String.fromCharCode(...b.subarray(start, to)) : UTF8_DECODER.decode(b.subarray(start, to)));
  };
  while (i < b.length) {
    let len: number;
    let reason: string;
    if (codec === 'ascii') [len, reason] = b[i] < 0x80 ? [0, ''] : [1, 'ordinal not in range(128)'];
    else [len, reason] = utf8Error(b, i);
    if (len === 0) { i += codec === 'ascii' ? 1 : utf8Length(b[i]); continue; }
    flush(i);
    const end = i + len;
    switch (errors) {
      case 'strict':
        throw unicodeDecodeError(codec, b, i, end, reason);
      case 'ignore':
        break;
      case 'replace':
        out.push('\ufffd');
        break;
      case 'backslashreplace':
        for (let k = i; k < end; k++) out.push('\\x' + b[k].toString(16).padStart(2, '0'));
        break;
      case 'surrogateescape':
        for (let k = i; k < end; k++) {
          if (b[k] < 128) throw unicodeDecodeError(codec, b, i, end, reason);
          out.push(String.fromCharCode(0xdc00 + b[k]));
        }
        break;
      case 'surrogatepass':
        if (codec === 'utf-8' && b[i] === 0xed && i + 2 < b.length && (b[i + 1] & 0xe0) === 0xa0 && (b[i + 2] & 0xc0) === 0x80) {
          out.push(String.fromCharCode(((b[i] & 15) << 12) | ((b[i + 1] & 63) << 6) | (b[i + 2] & 63)));
          i += 3;
          start = i;
          continue;
        }
        throw unicodeDecodeError(codec, b, i, end, reason);
      default:
        unknownHandler(errors);
    }
    i = end;
    start = i;
  }
  flush(b.length);
  return out.join('');
}
