/*
 * String literals, as Parser/string_parser.c turns STRING tokens into AST:
 * prefixes, escapes (decode_unicode_with_escapes, decode_bytes_with_escapes),
 * implicit concatenation (_PyPegen_concatenate_strings) and f-strings
 * (fstring_find_literal, fstring_find_expr, FstringParser_*) with their
 * quirky positions: literal parts and FormattedValues take the location of
 * the whole concatenation, the pieces of a format spec that end it take the
 * location of their own token, and the expressions are parsed by a second
 * parser over "(" + text + ")" whose first line is shifted as
 * fstring_find_expr_location shifts it.
 *
 * Works on the UTF-8 bytes of each token, as CPython does; str values are JS
 * strings (astral characters as surrogate pairs).
 */

import type { Constant, Expr, FormattedValue, JoinedStr } from './ast.js';
import type { Token } from './tokenizer.js';
import { lookupUnicodeName } from './unicodeNames.js';

/** What the string parser needs from the parser it serves. */
export interface StringParserHost {
  /** Token bytes. */
  readonly buf: Uint8Array;
  /** Parses an f-string expression's text "(" + expr + ")" placed at (lineno, colShift) for its first line. */
  parseFstringExpr(text: Uint8Array, lineno: number, colShift: number): Expr;
  /** pegen RAISE_SYNTAX_ERROR: an error at the last token fetched. */
  raiseError(msg: string): never;
  /** RAISE_SYNTAX_ERROR_KNOWN_LOCATION at a token. */
  raiseErrorAt(t: Token, msg: string): never;
  /** warn_invalid_escape_sequence: a DeprecationWarning at the token's first line (once per token). */
  warnAt(t: Token, msg: string): void;
}

interface Pos {
  lineno: number;
  col_offset: number;
  end_lineno: number;
  end_col_offset: number;
}

const posOf = (first: Token, last: Token): Pos => ({
  lineno: first.lineno,
  col_offset: first.col,
  end_lineno: last.endLineno,
  end_col_offset: last.endCol,
});

/** The state of string_parser.c's FstringParser: the pending literal and the finished parts. */
class FstringState {
  lastStr: string | null = null;
  fmode = false;
  readonly exprList: Expr[] = [];

  concat(s: string): void {
    if (s.length === 0) return;
    this.lastStr = this.lastStr === null ? s : this.lastStr + s;
  }
}

const decoder = new TextDecoder('utf-8');
const decodeUtf8 = (b: Uint8Array) => decoder.decode(b);

/** _PyPegen_concatenate_strings: the Constant or JoinedStr of adjacent STRING tokens. */
export function concatenateStrings(host: StringParserHost, tokens: Token[]): Expr {
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  let bytesmode = false;
  const byteParts: Uint8Array[] = [];
  const state = new FstringState();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const parsed = parseStr(host, t);
    if (i !== 0 && bytesmode !== parsed.bytesmode) host.raiseError('cannot mix bytes and nonbytes literals');
    bytesmode = parsed.bytesmode;
    if (parsed.fstring !== null) {
      const cursor = { i: parsed.fstring.start };
      concatFstring(host, state, cursor, parsed.fstring.end, parsed.raw, 0, first, t, last);
    } else if (bytesmode) {
      byteParts.push(parsed.value as Uint8Array);
    } else {
      state.concat(parsed.value as string);
    }
  }
  if (bytesmode) {
    const total = byteParts.reduce((n, b) => n + b.length, 0);
    const value = new Uint8Array(total);
    let o = 0;
    for (const b of byteParts) {
      value.set(b, o);
      o += b.length;
    }
    return { _type: 'Constant', value: { kind: 'bytes', value }, kind: null, ...posOf(first, last) };
  }
  return fstringFinish(host, state, first, last);
}

/** make_str_node_and_del: kind 'u' when the first token starts with a lowercase u. */
function makeStrNode(host: StringParserHost, s: string, first: Token, last: Token): Constant {
  return { _type: 'Constant', value: s, kind: host.buf[first.start] === 0x75 ? 'u' : null, ...posOf(first, last) };
}

/** _PyPegen_FstringParser_Finish. */
function fstringFinish(host: StringParserHost, state: FstringState, first: Token, last: Token): Expr {
  if (!state.fmode) return makeStrNode(host, state.lastStr ?? '', first, last);
  if (state.lastStr !== null) {
    state.exprList.push(makeStrNode(host, state.lastStr, first, last));
    state.lastStr = null;
  }
  const j: JoinedStr = { _type: 'JoinedStr', values: state.exprList, ...posOf(first, last) };
  return j;
}

interface ParsedStr {
  bytesmode: boolean;
  raw: boolean;
  value: string | Uint8Array | null;
  /** For an f-string, the byte range of its body in the buffer. */
  fstring: { start: number; end: number } | null;
}

/** string_parser.c _PyPegen_parsestr: prefix, quotes and escapes of one token. */
function parseStr(host: StringParserHost, t: Token): ParsedStr {
  const buf = host.buf;
  let i = t.start;
  let bytesmode = false;
  let rawmode = false;
  let fmode = false;
  for (;;) {
    const c = buf[i] | 0x20;
    if (c === 0x62 && buf[i] !== 0x22 && buf[i] !== 0x27) bytesmode = true;
    else if (c === 0x75 && buf[i] !== 0x22 && buf[i] !== 0x27) {
      /* u is a no-op prefix */
    } else if (c === 0x72 && buf[i] !== 0x22 && buf[i] !== 0x27) rawmode = true;
    else if (c === 0x66 && buf[i] !== 0x22 && buf[i] !== 0x27) fmode = true;
    else break;
    i++;
  }
  const quote = buf[i];
  let start = i + 1;
  let end = t.end - 1;
  if (end - start >= 2 && buf[start] === quote && buf[start + 1] === quote) {
    start += 2;
    end -= 2;
  }
  if (fmode) return { bytesmode, raw: rawmode, value: null, fstring: { start, end } };
  if (bytesmode) {
    for (let k = start; k < end; k++) {
      if (buf[k] >= 0x80) host.raiseErrorAt(t, 'bytes can only contain ASCII literal characters');
    }
    const body = buf.subarray(start, end);
    return { bytesmode, raw: rawmode, value: rawmode ? body.slice() : decodeBytesEscapes(host, body, t), fstring: null };
  }
  const body = buf.subarray(start, end);
  return { bytesmode, raw: rawmode, value: rawmode ? decodeUtf8(body) : decodeUnicodeEscapes(host, body, t), fstring: null };
}

const SIMPLE_ESCAPES: Record<number, number> = {
  0x5c: 0x5c, 0x27: 0x27, 0x22: 0x22, 0x62: 0x08, 0x66: 0x0c, 0x74: 0x09,
  0x6e: 0x0a, 0x72: 0x0d, 0x76: 0x0b, 0x61: 0x07,
};

const hexVal = (c: number) =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;

/**
 * warn_invalid_escape_sequence for the first invalid escape of a literal,
 * starting at s[at] (the backslash): an octal value above 0o377, or a letter
 * that starts no escape.
 */
function warnInvalidEscape(host: StringParserHost, t: Token, s: Uint8Array, at: number, octal: boolean): void {
  const text = decodeUtf8(s.subarray(at, at + (octal ? 4 : 2)));
  host.warnAt(t, `invalid ${octal ? 'octal ' : ''}escape sequence '${text}'`);
}

/** decode_bytes_with_escapes (_PyBytes_DecodeEscape), warning of the first invalid escape. */
function decodeBytesEscapes(host: StringParserHost, s: Uint8Array, t: Token): Uint8Array {
  const out: number[] = [];
  let warned = false;
  for (let i = 0; i < s.length; ) {
    const c = s[i++];
    if (c !== 0x5c) {
      out.push(c);
      continue;
    }
    if (i >= s.length) host.raiseError('(value error) Trailing \\ in string');
    const e = s[i++];
    if (e === 0x0a) continue;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out.push(simple);
    } else if (e >= 0x30 && e <= 0x37) {
      let v = e - 0x30;
      if (i < s.length && s[i] >= 0x30 && s[i] <= 0x37) {
        v = v * 8 + s[i++] - 0x30;
        if (i < s.length && s[i] >= 0x30 && s[i] <= 0x37) v = v * 8 + s[i++] - 0x30;
      }
      if (v > 0o377 && !warned) {
        warned = true;
        warnInvalidEscape(host, t, s, i - 4, true);
      }
      out.push(v & 0xff);
    } else if (e === 0x78) {
      const h1 = i < s.length ? hexVal(s[i]) : -1;
      const h2 = i + 1 < s.length ? hexVal(s[i + 1]) : -1;
      if (h1 < 0 || h2 < 0) host.raiseError(`(value error) invalid \\x escape at position ${i - 2}`);
      out.push(h1 * 16 + h2);
      i += 2;
    } else {
      if (!warned) {
        warned = true;
        warnInvalidEscape(host, t, s, i - 2, false);
      }
      out.push(0x5c, e);
    }
  }
  return Uint8Array.from(out);
}

/** decode_unicode_with_escapes (the 'unicodeescape' codec over the literal's text), warning of the first invalid escape. */
function decodeUnicodeEscapes(host: StringParserHost, s: Uint8Array, t: Token): string {
  if (s.indexOf(0x5c) < 0) return decodeUtf8(s);
  let warned = false;
  let out = '';
  let runStart = 0;
  let i = 0;
  while (i < s.length) {
    if (s[i] !== 0x5c) {
      i++;
      continue;
    }
    out += decodeUtf8(s.subarray(runStart, i));
    const escStart = i;
    i++;
    if (i >= s.length) host.raiseError(`(unicode error) ${escapeError(s, escStart, s.length, '\\ at end of string')}`);
    const e = s[i++];
    const simple = SIMPLE_ESCAPES[e];
    if (e === 0x0a) {
      /* line continuation */
    } else if (simple !== undefined) {
      out += String.fromCharCode(simple);
    } else if (e >= 0x30 && e <= 0x37) {
      let v = e - 0x30;
      if (i < s.length && s[i] >= 0x30 && s[i] <= 0x37) {
        v = v * 8 + s[i++] - 0x30;
        if (i < s.length && s[i] >= 0x30 && s[i] <= 0x37) v = v * 8 + s[i++] - 0x30;
      }
      if (v > 0o377 && !warned) {
        warned = true;
        warnInvalidEscape(host, t, s, escStart, true);
      }
      out += String.fromCodePoint(v);
    } else if (e === 0x78 || e === 0x75 || e === 0x55) {
      const n = e === 0x78 ? 2 : e === 0x75 ? 4 : 8;
      let v = 0;
      let k = 0;
      for (; k < n && i + k < s.length; k++) {
        const h = hexVal(s[i + k]);
        if (h < 0) break;
        v = v * 16 + h;
      }
      if (k < n) {
        const name = e === 0x78 ? '\\xXX' : e === 0x75 ? '\\uXXXX' : '\\UXXXXXXXX';
        host.raiseError(`(unicode error) ${escapeError(s, escStart, i + k, `truncated ${name} escape`)}`);
      }
      if (v > 0x10ffff) host.raiseError(`(unicode error) ${escapeError(s, escStart, i + n, 'illegal Unicode character')}`);
      i += n;
      out += String.fromCodePoint(v);
    } else if (e === 0x4e) {
      // unicode_escape's \N{name}: a malformed or unknown name fails from the backslash to where it stopped.
      let message = 'malformed \\N character escape';
      let stop = i;
      if (i < s.length && s[i] === 0x7b) {
        const close = s.indexOf(0x7d, i + 1);
        if (close < 0) {
          stop = s.length;
        } else if (close === i + 1) {
          stop = close;
        } else {
          const cp = lookupUnicodeName(decodeUtf8(s.subarray(i + 1, close)));
          stop = close + 1;
          if (cp !== null) {
            out += String.fromCodePoint(cp);
            i = stop;
            runStart = i;
            continue;
          }
          message = 'unknown Unicode character name';
        }
      }
      host.raiseError(`(unicode error) ${escapeError(s, escStart, stop, message)}`);
    } else {
      if (!warned) {
        warned = true;
        warnInvalidEscape(host, t, s, escStart, false);
      }
      i--;
      out += '\\';
    }
    runStart = i;
  }
  return out + decodeUtf8(s.subarray(runStart, s.length));
}

/**
 * The UnicodeDecodeError text of a bad escape in `s` spanning bytes
 * [start, end): positions count as in the buffer decode_unicode_with_escapes
 * builds, where each non-ASCII character before them became a 10-byte \\U escape.
 */
function escapeError(s: Uint8Array, start: number, end: number, reason: string): string {
  const pos = (i: number) => {
    let n = 0;
    for (let k = 0; k < i; k++) if (s[k] < 0x80 || s[k] >= 0xc0) n += s[k] < 0x80 ? 1 : 10;
    return n;
  };
  const a = pos(start);
  const b = pos(end);
  return b - a === 1
    ? `'unicodeescape' codec can't decode byte 0x${s[start].toString(16).padStart(2, '0')} in position ${a}: ${reason}`
    : `'unicodeescape' codec can't decode bytes in position ${a}-${b - 1}: ${reason}`;
}

interface Cursor {
  i: number;
}

/** _PyPegen_FstringParser_ConcatFstring: the parts of one f-string body into `state`. */
function concatFstring(
  host: StringParserHost,
  state: FstringState,
  str: Cursor,
  end: number,
  raw: boolean,
  recurseLvl: number,
  first: Token,
  t: Token,
  last: Token,
): void {
  state.fmode = true;
  for (;;) {
    const { result, literal } = findLiteral(host, str, end, raw, recurseLvl, t);
    if (literal !== null) state.concat(literal);
    if (result === 1) continue;
    if (str.i >= end || host.buf[str.i] === 0x7d) break;
    const { exprText, expression } = findExpr(host, str, end, raw, recurseLvl, first, t, last);
    if (exprText !== null) state.concat(exprText);
    if (state.lastStr !== null) {
      state.exprList.push(makeStrNode(host, state.lastStr, first, last));
      state.lastStr = null;
    }
    state.exprList.push(expression);
  }
  if (recurseLvl === 0 && str.i < end - 1) host.raiseError('f-string: unexpected end of string');
  if (recurseLvl !== 0 && host.buf[str.i] !== 0x7d) host.raiseError("f-string: expecting '}'");
}

/** fstring_find_literal: literal text up to an undoubled brace; result 1 after a doubled one. */
function findLiteral(host: StringParserHost, str: Cursor, end: number, raw: boolean, recurseLvl: number, t: Token): { result: number; literal: string | null } {
  const buf = host.buf;
  let s = str.i;
  const literalStart = s;
  let result = 0;
  let done = false;
  while (s < end) {
    let ch = buf[s++];
    if (!raw && ch === 0x5c && s < end) {
      ch = buf[s++];
      if (ch === 0x4e) {
        if (s < end && buf[s++] === 0x7b) {
          while (s < end && buf[s++] !== 0x7d) {
            /* skip the name */
          }
        }
        continue;
      }
    }
    if (ch === 0x7b || ch === 0x7d) {
      if (recurseLvl === 0) {
        if (s < end && buf[s] === ch) {
          str.i = s + 1;
          result = 1;
          done = true;
          break;
        }
        if (ch === 0x7d) {
          str.i = s - 1;
          host.raiseError("f-string: single '}' is not allowed");
        }
      }
      s--;
      break;
    }
  }
  if (!done) str.i = s;
  let literal: string | null = null;
  if (literalStart !== s) {
    const body = buf.subarray(literalStart, s);
    literal = raw ? decodeUtf8(body) : decodeUnicodeEscapes(host, body, t);
  }
  return { result, literal };
}

const MAXLEVEL = 200;

/** fstring_find_expr: one replacement field `{expr[=][!c][:spec]}`. */
function findExpr(
  host: StringParserHost,
  str: Cursor,
  end: number,
  raw: boolean,
  recurseLvl: number,
  first: Token,
  t: Token,
  last: Token,
): { exprText: string | null; expression: FormattedValue } {
  const buf = host.buf;
  if (recurseLvl >= 2) host.raiseError('f-string: expressions nested too deeply');
  str.i++;
  const exprStart = str.i;
  let quoteChar = 0;
  let stringType = 0;
  const parenstack: number[] = [];
  for (; str.i < end; str.i++) {
    const ch = buf[str.i];
    if (ch === 0x5c) host.raiseError('f-string expression part cannot include a backslash');
    if (quoteChar) {
      if (ch === quoteChar) {
        if (stringType === 3) {
          if (str.i + 2 < end && buf[str.i + 1] === ch && buf[str.i + 2] === ch) {
            str.i += 2;
            stringType = 0;
            quoteChar = 0;
          }
        } else {
          stringType = 0;
          quoteChar = 0;
        }
      }
      continue;
    }
    if (ch === 0x27 || ch === 0x22) {
      if (str.i + 2 < end && buf[str.i + 1] === ch && buf[str.i + 2] === ch) {
        stringType = 3;
        str.i += 2;
      } else {
        stringType = 1;
      }
      quoteChar = ch;
    } else if (ch === 0x5b || ch === 0x7b || ch === 0x28) {
      if (parenstack.length >= MAXLEVEL) host.raiseError('f-string: too many nested parenthesis');
      parenstack.push(ch);
    } else if (ch === 0x23) {
      host.raiseError("f-string expression part cannot include '#'");
    } else if (parenstack.length === 0 && (ch === 0x21 || ch === 0x3a || ch === 0x7d || ch === 0x3d || ch === 0x3e || ch === 0x3c)) {
      if (str.i + 1 < end) {
        const next = buf[str.i + 1];
        if ((ch === 0x21 || ch === 0x3d || ch === 0x3c || ch === 0x3e) && next === 0x3d) {
          str.i++;
          continue;
        }
      }
      if (ch === 0x3e || ch === 0x3c) continue;
      break;
    } else if (ch === 0x5d || ch === 0x7d || ch === 0x29) {
      if (parenstack.length === 0) host.raiseError(`f-string: unmatched '${String.fromCharCode(ch)}'`);
      const opening = parenstack.pop()!;
      if (!((opening === 0x28 && ch === 0x29) || (opening === 0x5b && ch === 0x5d) || (opening === 0x7b && ch === 0x7d))) {
        host.raiseError(`f-string: closing parenthesis '${String.fromCharCode(ch)}' does not match opening parenthesis '${String.fromCharCode(opening)}'`);
      }
    }
  }
  const exprEnd = str.i;
  if (quoteChar) host.raiseError('f-string: unterminated string');
  if (parenstack.length) host.raiseError(`f-string: unmatched '${String.fromCharCode(parenstack[parenstack.length - 1])}'`);
  if (str.i >= end) host.raiseError("f-string: expecting '}'");

  const simpleExpression = compileExpr(host, exprStart, exprEnd, t);

  let exprText: string | null = null;
  if (buf[str.i] === 0x3d) {
    str.i++;
    while (str.i < end && isSpace(buf[str.i])) str.i++;
    if (str.i >= end) host.raiseError("f-string: expecting '}'");
    exprText = decodeUtf8(buf.subarray(exprStart, str.i));
  }
  let conversion = -1;
  if (buf[str.i] === 0x21) {
    str.i++;
    if (str.i >= end) host.raiseError("f-string: expecting '}'");
    conversion = buf[str.i];
    str.i++;
    if (!(conversion === 0x73 || conversion === 0x72 || conversion === 0x61)) {
      host.raiseError("f-string: invalid conversion character: expected 's', 'r', or 'a'");
    }
  }
  let formatSpec: Expr | null = null;
  if (str.i < end && buf[str.i] === 0x3a) {
    str.i++;
    if (str.i >= end) host.raiseError("f-string: expecting '}'");
    const spec = new FstringState();
    concatFstring(host, spec, str, end, raw, recurseLvl + 1, first, t, last);
    formatSpec = fstringFinish(host, spec, t, t);
  }
  if (str.i >= end || buf[str.i] !== 0x7d) host.raiseError("f-string: expecting '}'");
  str.i++;
  if (exprText !== null && formatSpec === null && conversion === -1) conversion = 0x72;
  return {
    exprText,
    expression: { _type: 'FormattedValue', value: simpleExpression, conversion, format_spec: formatSpec, ...posOf(first, last) },
  };
}

/** Py_ISSPACE. */
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/** fstring_compile_expr: the expression between the braces, parsed where it stands in the source. */
function compileExpr(host: StringParserHost, exprStart: number, exprEnd: number, t: Token): Expr {
  const buf = host.buf;
  let s = exprStart;
  while (s < exprEnd && (buf[s] === 0x20 || buf[s] === 0x09 || buf[s] === 0x0a || buf[s] === 0x0c)) s++;
  if (s === exprEnd) {
    const c = buf[exprEnd];
    if (c === 0x21 || c === 0x3a || c === 0x3d) host.raiseError(`f-string: expression required before '${String.fromCharCode(c)}'`);
    host.raiseError('f-string: empty expression not allowed');
  }
  // fstring_find_expr_location: lines before the '{' in the token, and the column of the '{' in its line.
  const braceAt = exprStart - 1;
  let newlineAfterBrace = true;
  for (let k = exprStart; k < buf.length && buf[k] !== 0x7d && buf[k] !== 0x0a; k++) {
    if (buf[k] !== 0x20 && buf[k] !== 0x09 && buf[k] !== 0x0c) {
      newlineAfterBrace = false;
      break;
    }
  }
  let cols = 0;
  if (!newlineAfterBrace) {
    let k = braceAt;
    while (k > t.start && buf[k] !== 0x0a) k--;
    cols = braceAt - k;
    if (buf[k] === 0x0a) cols--;
  }
  let lines = 0;
  for (let k = t.start; k < braceAt; k++) if (buf[k] === 0x0a) lines++;
  const text = new Uint8Array(exprEnd - exprStart + 2);
  text[0] = 0x28;
  text.set(buf.subarray(exprStart, exprEnd), 1);
  text[text.length - 1] = 0x29;
  // fstring_compile_expr: the token's own column counts only when the '{' is on the token's first line.
  return host.parseFstringExpr(text, t.lineno + lines, lines !== 0 ? cols : t.col + cols);
}
