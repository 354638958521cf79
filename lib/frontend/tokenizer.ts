/*
 * Python 3.11's tokenizer, mirroring Parser/tokenizer.c (tok_get and its
 * helpers) as the PEG parser sees it: no COMMENT or NL tokens, NEWLINE only
 * at the end of a logical line, INDENT/DEDENT from the indentation stack.
 *
 * The source is worked on as UTF-8 bytes (a BOM dropped, \r\n and \r made
 * \n, a final \n added in 'exec' mode as translate_newlines does), so every
 * column is a byte offset in its line, as CPython's col_offset. Tokens are
 * made on demand (`next()`), like tok_get, so an error further down the file
 * is met only when the parser gets there.
 *
 * Invariants: `indstack[0] === 0`, `indstack` strictly increasing (columns
 * with tabs to multiples of 8) and `altindstack` (tabs as one column) the
 * same length; `level` is the depth of open brackets, `parenstack` holds
 * them with the line and byte column they opened at.
 */

import { PySyntaxError, type PySyntaxWarning } from './syntaxError.js';

/** Token types, named as Lib/token.py names them (operators by their exact type). */
export type TokenType =
  | 'ENDMARKER'
  | 'NAME'
  | 'NUMBER'
  | 'STRING'
  | 'NEWLINE'
  | 'INDENT'
  | 'DEDENT'
  | 'OP'
  | (typeof OPERATOR_TYPES)[keyof typeof OPERATOR_TYPES];

/** One token. `start`/`end` index the tokenizer's byte buffer. */
export interface Token {
  type: TokenType;
  /** The token's text (empty for INDENT, DEDENT, ENDMARKER; '' or '\n' for NEWLINE). */
  string: string;
  lineno: number;
  /** Byte column of its first byte, -1 for INDENT and DEDENT (as CPython). */
  col: number;
  endLineno: number;
  /** Byte column just past it, -1 for INDENT and DEDENT. */
  endCol: number;
  start: number;
  end: number;
  /**
   * For INDENT, DEDENT and ENDMARKER: the tokenizer's byte column when it
   * made the token, where pegen_errors.c _PyPegen_raise_error places an
   * error at such a token (0 at the end of the input).
   */
  curCol: number;
  /** Open brackets after this token (tok->level, used by "Perhaps you forgot a comma?"). */
  level: number;
}

/** Parser/token.c: the operators, by text. */
export const OPERATOR_TYPES = {
  '!=': 'NOTEQUAL', '%': 'PERCENT', '%=': 'PERCENTEQUAL', '&': 'AMPER', '&=': 'AMPEREQUAL',
  '(': 'LPAR', ')': 'RPAR', '*': 'STAR', '**': 'DOUBLESTAR', '**=': 'DOUBLESTAREQUAL',
  '*=': 'STAREQUAL', '+': 'PLUS', '+=': 'PLUSEQUAL', ',': 'COMMA', '-': 'MINUS',
  '-=': 'MINEQUAL', '->': 'RARROW', '.': 'DOT', '...': 'ELLIPSIS', '/': 'SLASH',
  '//': 'DOUBLESLASH', '//=': 'DOUBLESLASHEQUAL', '/=': 'SLASHEQUAL', ':': 'COLON',
  ':=': 'COLONEQUAL', ';': 'SEMI', '<': 'LESS', '<<': 'LEFTSHIFT', '<<=': 'LEFTSHIFTEQUAL',
  '<=': 'LESSEQUAL', '=': 'EQUAL', '==': 'EQEQUAL', '>': 'GREATER', '>=': 'GREATEREQUAL',
  '>>': 'RIGHTSHIFT', '>>=': 'RIGHTSHIFTEQUAL', '@': 'AT', '@=': 'ATEQUAL', '[': 'LSQB',
  ']': 'RSQB', '^': 'CIRCUMFLEX', '^=': 'CIRCUMFLEXEQUAL', '{': 'LBRACE', '|': 'VBAR',
  '|=': 'VBAREQUAL', '}': 'RBRACE', '~': 'TILDE',
} as const;

const OPS = OPERATOR_TYPES as Record<string, TokenType>;

/** Parser/tokenizer.c: MAXINDENT and MAXLEVEL. */
const MAXINDENT = 100;
const MAXLEVEL = 200;
const TABSIZE = 8;

const EOF = -1;

/** Source text as the tokenizer reads it: bytes, after BOM removal and newline translation. */
function sourceBytes(source: string, execInput: boolean): Uint8Array {
  let s = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  if (s.indexOf('\r') >= 0) s = s.replace(/\r\n?/g, '\n');
  if (execInput && s.length > 0 && s[s.length - 1] !== '\n') s += '\n';
  return Buffer.from(s, 'utf8');
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isPotentialIdentifierStart = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 128;
const isPotentialIdentifierChar = (c: number) => isPotentialIdentifierStart(c) || isDigit(c);

const ID_START = /^[\p{XID_Start}_]$/u;
const ID_CONTINUE = /^\p{XID_Continue}$/u;
const NOT_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

/** Py_UNICODE_ISPRINTABLE. */
const isPrintable = (ch: string) => ch === ' ' || !NOT_PRINTABLE.test(ch);

/** Python's tokenizer over one source. */
export class Tokenizer {
  readonly buf: Uint8Array;
  /** Byte offset of the next character. */
  private cur = 0;
  /** Byte offset of the start of the current line. */
  private lineStart = 0;
  lineno: number;
  private atbol = true;
  private pendin = 0;
  private readonly indstack = [0];
  private readonly altindstack = [0];
  /** Open brackets: the character, its line and byte column. */
  readonly parenstack: { c: string; lineno: number; col: number }[] = [];
  /** Where the line after a consumed '\n' starts: lineno counts it once a character of it is read, as tok_nextc loads lines. */
  private pendingLine = -1;

  /**
   * @param source the text, or (for an f-string expression) its UTF-8 bytes
   * @param execInput add a final newline when missing ('exec' mode)
   * @param startLineno the number of the first line
   * @param startColShift added to the columns of tokens on the first line
   *   (pegen's starting_col_offset for f-string expressions)
   */
  constructor(
    source: string | Uint8Array,
    readonly filename: string,
    execInput = true,
    startLineno = 1,
    readonly startColShift = 0,
    /** Where the SyntaxWarnings go. */
    private readonly warnings: PySyntaxWarning[] = [],
  ) {
    if (typeof source === 'string') {
      this.buf = sourceBytes(source, execInput);
      this.appendedNewline = execInput && this.buf.length > 0 && !/\n$/.test(source.replace(/\r$/, '\n'));
    } else {
      const addNewline = execInput && source.length > 0 && source[source.length - 1] !== 0x0a;
      this.buf = addNewline ? Buffer.concat([source, Buffer.from('\n')]) : source;
      this.appendedNewline = false;
    }
    this.lineno = startLineno;
    this.startLineno = startLineno;
    const nul = this.buf.indexOf(0);
    this.nulLineStart = nul < 0 ? Infinity : this.buf.lastIndexOf(0x0a, nul) + 1;
  }

  /** Start of the first line holding a NUL byte (Infinity when none): reading it is an error. */
  private readonly nulLineStart: number;

  /** tok_underflow_file: a line with a NUL byte is refused when it is read. */
  private nulError(): PySyntaxError {
    let lineno = this.startLineno;
    for (let i = this.buf.indexOf(0x0a); i >= 0 && i < this.nulLineStart; i = this.buf.indexOf(0x0a, i + 1)) lineno++;
    const text = this.decode(this.nulLineStart, this.buf.indexOf(0, this.nulLineStart));
    return new PySyntaxError('source code cannot contain null bytes', 'SyntaxError', this.filename, lineno, 0, lineno, 0, text);
  }

  private readonly startLineno: number;

  /** Whether the last '\n' of `buf` was added (so error texts, read from the file, lack it). */
  private readonly appendedNewline: boolean;

  /** Depth of open brackets. */
  get level(): number {
    return this.parenstack.length;
  }

  /** The text of line `lineno` (1-based), with its newline, or null past the end. */
  lineText(lineno: number): string | null {
    let start = 0;
    for (let l = this.startLineno; l < lineno; l++) {
      const nl = this.buf.indexOf(0x0a, start);
      if (nl < 0) return null;
      start = nl + 1;
    }
    if (start >= this.buf.length && lineno > this.startLineno) return null;
    let end = this.buf.indexOf(0x0a, start);
    end = end < 0 ? this.buf.length : end + 1;
    if (end === this.buf.length && this.appendedNewline) end--;
    return this.decode(start, end);
  }

  private decode(start: number, end: number): string {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + start, end - start).toString('utf8');
  }

  /** tokenizer.c tok_nextc: the next byte, or EOF; entering a new line counts it. */
  private nextc(): number {
    if (this.cur >= this.buf.length) {
      this.cur = this.buf.length + 1;
      return EOF;
    }
    if (this.cur >= this.nulLineStart) throw this.nulError();
    if (this.cur === this.pendingLine) {
      this.lineno++;
      this.lineStart = this.cur;
      this.pendingLine = -1;
    }
    const c = this.buf[this.cur++];
    if (c === 0x0a) this.pendingLine = this.cur;
    return c;
  }

  /** tokenizer.c tok_backup. */
  private backup(c: number): void {
    if (c === EOF) {
      this.cur = this.buf.length;
      return;
    }
    this.cur--;
    if (c === 0x0a) this.pendingLine = -1;
  }

  /** Characters from the line start to `pos`: tokenizer.c counts error columns so. */
  private charsTo(lineStart: number, pos: number): number {
    return this.decode(lineStart, Math.min(pos, this.buf.length)).length;
  }

  /** The current line without its newline, as _syntaxerror_range's errtext. */
  private lineFrom(lineStart: number): string {
    let nl = this.buf.indexOf(0x0a, lineStart);
    if (nl < 0) nl = this.buf.length;
    return this.decode(lineStart, nl);
  }

  /**
   * Whether the last error thrown was one tokenizer.c raises itself
   * (syntaxerror), not a done-code pegen turns into an error: only those
   * replace a parser error found earlier.
   */
  errorWasRaised = false;
  /** Whether the last error thrown was end of input inside brackets. */
  atEofInBrackets = false;

  /** tokenizer.c syntaxerror / _syntaxerror_range: the error at the current position. */
  private syntaxError(msg: string, colOffset = -1, endColOffset = -1): PySyntaxError {
    this.errorWasRaised = true;
    const col = colOffset === -1 ? this.charsTo(this.lineStart, this.cur) : colOffset;
    const endCol = endColOffset === -1 ? col : endColOffset;
    return new PySyntaxError(msg, 'SyntaxError', this.filename, this.lineno, col, this.lineno, endCol, this.lineFrom(this.lineStart));
  }

  /** pegen_errors.c tokenizer_error / indenterror: errors CPython reports at a fixed place. */
  private knownError(kind: 'SyntaxError' | 'IndentationError' | 'TabError', msg: string, offset: number, endOffset: number): PySyntaxError {
    return new PySyntaxError(msg, kind, this.filename, this.lineno, offset, this.lineno, endOffset, this.lineText(this.lineno));
  }

  private token(type: TokenType, start: number, end: number, lineno = this.lineno, lineStart = this.lineStart): Token {
    const shift = this.lineno === this.startLineno ? this.startColShift : 0;
    const t: Token = {
      type,
      string: type === 'NEWLINE' ? '' : this.decode(start, end),
      lineno,
      col: start - lineStart + shift,
      endLineno: this.lineno,
      endCol: end - this.lineStart + shift,
      start,
      end,
      curCol: 0,
      level: this.parenstack.length,
    };
    return t;
  }

  /** INDENT, DEDENT and ENDMARKER: no text, columns -1 (p_start is NULL in tok_get). */
  private positionless(type: 'INDENT' | 'DEDENT' | 'ENDMARKER'): Token {
    const atEnd = this.cur >= this.buf.length;
    const t: Token = { type, string: '', lineno: this.lineno, col: -1, endLineno: this.lineno, endCol: -1, start: this.cur, end: this.cur, curCol: atEnd ? 0 : this.cur - this.lineStart, level: this.parenstack.length };
    return t;
  }

  /** tokenizer.c parser_warn: a SyntaxWarning at the current line. */
  private warn(msg: string): void {
    this.warnings.push({ category: 'SyntaxWarning', msg, filename: this.filename, lineno: this.lineno });
  }

  /** For 'single' input at its end (pegen's fill_token): close every open block with DEDENTs. */
  implyDedents(): void {
    this.pendin = -(this.indstack.length - 1);
    this.indstack.length = 1;
    this.altindstack.length = 1;
  }

  /** tokenizer.c tok_get: the next token; throws PySyntaxError on bad input. */
  next(): Token {
    let blankline = false;
    if (this.atbol) {
      this.atbol = false;
      let col = 0;
      let altcol = 0;
      let contLineCol = 0;
      let c: number;
      for (;;) {
        c = this.nextc();
        if (c === 0x20) {
          col++;
          altcol++;
        } else if (c === 0x09) {
          col = Math.floor(col / TABSIZE + 1) * TABSIZE;
          altcol++;
        } else if (c === 0x0c) {
          col = altcol = 0;
        } else if (c === 0x5c) {
          // A backslash in the indentation: the first one found sets the level (0 counts as unset).
          contLineCol = contLineCol !== 0 ? contLineCol : col;
          this.continuationLine();
        } else {
          break;
        }
      }
      this.backup(c);
      if (contLineCol !== 0) col = altcol = contLineCol;
      // Lines of only blanks and comments change no indentation and make no NEWLINE.
      if (c === 0x23 || c === 0x0a) blankline = true;
      if (!blankline && this.level === 0) {
        const top = this.indstack.length - 1;
        if (col === this.indstack[top]) {
          if (altcol !== this.altindstack[top]) throw this.indentError();
        } else if (col > this.indstack[top]) {
          if (this.indstack.length >= MAXINDENT) {
            throw this.knownError('IndentationError', 'too many levels of indentation', this.charsTo(this.lineStart, this.cur), -1);
          }
          if (altcol <= this.altindstack[top]) throw this.indentError();
          this.pendin++;
          this.indstack.push(col);
          this.altindstack.push(altcol);
        } else {
          while (this.indstack.length > 1 && col < this.indstack[this.indstack.length - 1]) {
            this.pendin--;
            this.indstack.pop();
            this.altindstack.pop();
          }
          if (col !== this.indstack[this.indstack.length - 1]) {
            // tok_get moves cur to the end of the line; pegen reports E_DEDENT there.
            throw this.knownError('IndentationError', 'unindent does not match any outer indentation level', this.lineEnd() - this.lineStart, -1);
          }
          if (altcol !== this.altindstack[this.altindstack.length - 1]) throw this.indentError();
        }
      }
    }

    if (this.pendin !== 0) {
      if (this.pendin < 0) {
        this.pendin++;
        return this.positionless('DEDENT');
      }
      this.pendin--;
      return this.positionless('INDENT');
    }
    return this.getToken(blankline);
  }

  /** tokenizer.c indenterror: TabError at column 1 of the line. */
  private indentError(): PySyntaxError {
    return this.knownError('TabError', 'inconsistent use of tabs and spaces in indentation', 1, 0);
  }

  private getToken(blanklineIn: boolean): Token {
    let blankline = blanklineIn;
    for (;;) {
      let c: number;
      do {
        c = this.nextc();
      } while (c === 0x20 || c === 0x09 || c === 0x0c);
      const start = this.cur - 1;

      if (c === 0x23) {
        while (c !== EOF && c !== 0x0a) c = this.nextc();
      }

      if (c === EOF) {
        if (this.level > 0) throw this.unclosedError();
        this.cur = this.buf.length;
        return this.positionless('ENDMARKER');
      }

      if (isPotentialIdentifierStart(c)) return this.identifierOrString(c, start);

      if (c === 0x0a) {
        this.atbol = true;
        if (blankline || this.level > 0) return this.next();
        // tok_get leaves the '\n' out of the NEWLINE token.
        return this.token('NEWLINE', start, this.cur - 1);
      }

      if (c === 0x2e) {
        c = this.nextc();
        if (isDigit(c)) return this.fraction(start, c);
        if (c === 0x2e) {
          const c2 = this.nextc();
          if (c2 === 0x2e) return this.op(start);
          this.backup(c2);
        }
        this.backup(c);
        return this.op(start);
      }

      if (isDigit(c)) return this.number(start, c);

      if (c === 0x27 || c === 0x22) return this.string(start, c);

      if (c === 0x5c) {
        this.continuationLine();
        blankline = false;
        continue;
      }

      return this.operator(start, c);
    }
  }

  /** tokenizer.c tok_continuation_line: after a backslash, a newline and more input must follow. */
  private continuationLine(): void {
    let c = this.nextc();
    if (c !== 0x0a) {
      // pegen_errors.c E_LINECONT: the column just past the backslash, no end.
      throw this.knownError('SyntaxError', 'unexpected character after line continuation character', this.cur - this.lineStart, 0);
    }
    c = this.nextc();
    if (c === EOF) {
      if (this.level > 0) throw this.unclosedError();
      // tok_continuation_line leaves cur at the end of the input; pegen reports E_EOF there.
      throw this.knownError('SyntaxError', 'unexpected EOF while parsing', this.buf.length - this.lineStart, -1);
    }
    this.backup(c);
  }

  private op(start: number): Token {
    return this.token(OPS[this.decode(start, this.cur)] ?? 'OP', start, this.cur);
  }

  private operator(start: number, c: number): Token {
    const c2 = this.nextc();
    const two = String.fromCharCode(c, c2);
    if (c2 !== EOF && OPS[two] !== undefined) {
      const c3 = this.nextc();
      if (c3 !== EOF && OPS[two + String.fromCharCode(c3)] !== undefined) return this.bracketed(start);
      this.backup(c3);
      return this.bracketed(start);
    }
    this.backup(c2);
    if (c < 0x20 || c === 0x7f) {
      throw this.syntaxError(`invalid non-printable character U+${c.toString(16).toUpperCase().padStart(4, '0')}`);
    }
    return this.bracketed(start);
  }

  /** Keeps the bracket stack of tok_get: '(' '[' '{' open, ')' ']' '}' must match. */
  private bracketed(start: number): Token {
    const s = this.decode(start, this.cur);
    if (s === '(' || s === '[' || s === '{') {
      if (this.level >= MAXLEVEL) throw this.syntaxError('too many nested parentheses');
      this.parenstack.push({ c: s, lineno: this.lineno, col: start - this.lineStart });
    } else if (s === ')' || s === ']' || s === '}') {
      const open = this.parenstack.pop();
      if (open === undefined) throw this.syntaxError(`unmatched '${s}'`);
      const expected = open.c === '(' ? ')' : open.c === '[' ? ']' : '}';
      if (expected !== s) {
        throw this.syntaxError(
          open.lineno !== this.lineno
            ? `closing parenthesis '${s}' does not match opening parenthesis '${open.c}' on line ${open.lineno}`
            : `closing parenthesis '${s}' does not match opening parenthesis '${open.c}'`,
        );
      }
    }
    return this.token(OPS[s] ?? 'OP', start, this.cur);
  }

  /** Byte offset just past the current line's newline (tok->inp). */
  private lineEnd(): number {
    const nl = this.buf.indexOf(0x0a, this.lineStart);
    return nl < 0 ? this.buf.length : nl + 1;
  }

  /** pegen.c raise_unclosed_parentheses_error: at EOF inside brackets. */
  private unclosedError(): PySyntaxError {
    this.atEofInBrackets = true;
    const open = this.parenstack[this.parenstack.length - 1];
    return new PySyntaxError(`'${open.c}' was never closed`, 'SyntaxError', this.filename, open.lineno, open.col + 1, open.lineno, 0, this.lineText(open.lineno));
  }

  private identifierOrString(first: number, start: number): Token {
    let c = first;
    let sawB = false;
    let sawR = false;
    let sawU = false;
    let sawF = false;
    for (;;) {
      if (!(sawB || sawU || sawF) && (c === 0x62 || c === 0x42)) sawB = true;
      else if (!(sawB || sawU || sawR || sawF) && (c === 0x75 || c === 0x55)) sawU = true;
      else if (!(sawR || sawU) && (c === 0x72 || c === 0x52)) sawR = true;
      else if (!(sawF || sawB || sawU) && (c === 0x66 || c === 0x46)) sawF = true;
      else break;
      c = this.nextc();
      if (c === 0x22 || c === 0x27) return this.string(start, c);
    }
    let nonascii = false;
    while (isPotentialIdentifierChar(c)) {
      if (c >= 128) nonascii = true;
      c = this.nextc();
    }
    this.backup(c);
    if (nonascii) this.verifyIdentifier(start);
    return this.token('NAME', start, this.cur);
  }

  /** tokenizer.c verify_identifier (with _PyUnicode_ScanIdentifier): a non-ASCII name must be XID_Start XID_Continue*. */
  private verifyIdentifier(start: number): void {
    const chars = Array.from(this.decode(start, this.cur));
    let i = 0;
    while (i < chars.length && (i === 0 ? ID_START : ID_CONTINUE).test(chars[i])) i++;
    if (i === chars.length) return;
    const bad = chars[i];
    if (i + 1 < chars.length) this.cur = start + Buffer.byteLength(chars.slice(0, i + 1).join(''), 'utf8');
    const hex = bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw this.syntaxError(isPrintable(bad) ? `invalid character '${bad}' (U+${hex})` : `invalid non-printable character U+${hex}`);
  }

  private decimalTail(): number {
    for (;;) {
      let c: number;
      do {
        c = this.nextc();
      } while (isDigit(c));
      if (c !== 0x5f) return c;
      c = this.nextc();
      if (!isDigit(c)) {
        this.backup(c);
        throw this.syntaxError('invalid decimal literal');
      }
    }
  }

  private number(start: number, first: number): Token {
    let c = first;
    if (c === 0x30) {
      c = this.nextc();
      if (c === 0x78 || c === 0x58) {
        c = this.nextc();
        do {
          if (c === 0x5f) c = this.nextc();
          if (!isHex(c)) {
            this.backup(c);
            throw this.syntaxError('invalid hexadecimal literal');
          }
          do c = this.nextc();
          while (isHex(c));
        } while (c === 0x5f);
        this.verifyEndOfNumber(c, 'hexadecimal');
        return this.numberToken(start, c);
      }
      if (c === 0x6f || c === 0x4f) {
        c = this.nextc();
        do {
          if (c === 0x5f) c = this.nextc();
          if (c < 0x30 || c >= 0x38) {
            if (isDigit(c)) throw this.syntaxError(`invalid digit '${String.fromCharCode(c)}' in octal literal`);
            this.backup(c);
            throw this.syntaxError('invalid octal literal');
          }
          do c = this.nextc();
          while (c >= 0x30 && c < 0x38);
        } while (c === 0x5f);
        if (isDigit(c)) throw this.syntaxError(`invalid digit '${String.fromCharCode(c)}' in octal literal`);
        this.verifyEndOfNumber(c, 'octal');
        return this.numberToken(start, c);
      }
      if (c === 0x62 || c === 0x42) {
        c = this.nextc();
        do {
          if (c === 0x5f) c = this.nextc();
          if (c !== 0x30 && c !== 0x31) {
            if (isDigit(c)) throw this.syntaxError(`invalid digit '${String.fromCharCode(c)}' in binary literal`);
            this.backup(c);
            throw this.syntaxError('invalid binary literal');
          }
          do c = this.nextc();
          while (c === 0x30 || c === 0x31);
        } while (c === 0x5f);
        if (isDigit(c)) throw this.syntaxError(`invalid digit '${String.fromCharCode(c)}' in binary literal`);
        this.verifyEndOfNumber(c, 'binary');
        return this.numberToken(start, c);
      }
      let nonzero = false;
      for (;;) {
        if (c === 0x5f) {
          c = this.nextc();
          if (!isDigit(c)) {
            this.backup(c);
            throw this.syntaxError('invalid decimal literal');
          }
        }
        if (c !== 0x30) break;
        c = this.nextc();
      }
      const zerosEnd = this.cur;
      if (isDigit(c)) {
        nonzero = true;
        c = this.decimalTail();
      }
      if (c === 0x2e) return this.fraction(start, this.nextc());
      if (c === 0x65 || c === 0x45) return this.exponent(start, c);
      if (c === 0x6a || c === 0x4a) return this.imaginary(start);
      if (nonzero) {
        // tokenizer.c: the error spans the whole literal, from its first digit.
        this.backup(c);
        throw this.syntaxError(
          'leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers',
          start - this.lineStart + 1,
          zerosEnd - this.lineStart,
        );
      }
      this.verifyEndOfNumber(c, 'decimal');
      return this.numberToken(start, c);
    }
    c = this.decimalTail();
    if (c === 0x2e) return this.fraction(start, this.nextc());
    if (c === 0x65 || c === 0x45) return this.exponent(start, c);
    if (c === 0x6a || c === 0x4a) return this.imaginary(start);
    this.verifyEndOfNumber(c, 'decimal');
    return this.numberToken(start, c);
  }

  /** After '.', with `first` the next character. */
  private fraction(start: number, first: number): Token {
    let c = first;
    if (isDigit(c)) {
      this.backup(c);
      c = this.decimalTail();
    }
    if (c === 0x65 || c === 0x45) return this.exponent(start, c);
    if (c === 0x6a || c === 0x4a) return this.imaginary(start);
    this.verifyEndOfNumber(c, 'decimal');
    return this.numberToken(start, c);
  }

  private exponent(start: number, e: number): Token {
    let c = this.nextc();
    if (c === 0x2b || c === 0x2d) {
      c = this.nextc();
      if (!isDigit(c)) {
        this.backup(c);
        throw this.syntaxError('invalid decimal literal');
      }
    } else if (!isDigit(c)) {
      this.backup(c);
      this.verifyEndOfNumber(e, 'decimal');
      this.backup(e);
      return this.numberToken(start, EOF, false);
    }
    this.backup(c);
    c = this.decimalTail();
    if (c === 0x6a || c === 0x4a) return this.imaginary(start);
    this.verifyEndOfNumber(c, 'decimal');
    return this.numberToken(start, c);
  }

  private imaginary(start: number): Token {
    const c = this.nextc();
    this.verifyEndOfNumber(c, 'imaginary');
    return this.numberToken(start, c);
  }

  private numberToken(start: number, c: number, backup = true): Token {
    if (backup) this.backup(c);
    return this.token('NUMBER', start, this.cur);
  }

  /**
   * tokenizer.c verify_end_of_number: a letter right after a number is an
   * error, except the keywords that may follow one (`1if x else y`), which
   * CPython only warns about.
   */
  private verifyEndOfNumber(c: number, kind: string): void {
    // tokenizer.c lookahead: the rest of a keyword, and no identifier character after it.
    const rest = (s: string) => {
      for (let i = 0; i < s.length; i++) if (this.buf[this.cur + i] !== s.charCodeAt(i)) return false;
      const after = this.cur + s.length;
      return after >= this.buf.length || !isPotentialIdentifierChar(this.buf[after]);
    };
    let r = false;
    if (c === 0x61) r = rest('nd');
    else if (c === 0x65) r = rest('lse');
    else if (c === 0x66) r = rest('or');
    else if (c === 0x69) {
      const c2 = this.buf[this.cur];
      r = c2 === 0x66 || c2 === 0x6e || c2 === 0x73;
    } else if (c === 0x6f) r = rest('r');
    else if (c === 0x6e) r = rest('ot');
    if (r) {
      this.warn(`invalid ${kind} literal`);
      return;
    }
    if (c !== EOF && isPotentialIdentifierChar(c)) {
      this.backup(c);
      throw this.syntaxError(`invalid ${kind} literal`);
    }
  }

  private string(start: number, quote: number): Token {
    const firstLineno = this.lineno;
    const firstLineStart = this.lineStart;
    let quoteSize = 1;
    let endQuoteSize = 0;
    let c = this.nextc();
    if (c === quote) {
      c = this.nextc();
      if (c === quote) quoteSize = 3;
      else endQuoteSize = 1;
    }
    if (c !== quote) this.backup(c);
    while (endQuoteSize !== quoteSize) {
      c = this.nextc();
      if (c === EOF || (quoteSize === 1 && c === 0x0a)) {
        const detected = this.lineno;
        this.cur = start + 1;
        this.lineStart = firstLineStart;
        this.lineno = firstLineno;
        throw this.syntaxError(
          quoteSize === 3
            ? `unterminated triple-quoted string literal (detected at line ${detected})`
            : `unterminated string literal (detected at line ${detected})`,
        );
      }
      if (c === quote) {
        endQuoteSize++;
      } else {
        endQuoteSize = 0;
        if (c === 0x5c) {
          this.nextc();
        }
      }
    }
    return this.token('STRING', start, this.cur, firstLineno, firstLineStart);
  }
}

const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
