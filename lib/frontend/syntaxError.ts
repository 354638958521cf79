/*
 * SyntaxError, IndentationError and TabError of Python source, as the
 * tokenizer and parser raise them, and their display as CPython 3.11 prints
 * an uncaught one (Python/pythonrun.c: print_exception, print_error_text).
 *
 * Positions follow `python3 FILE.py`: `lineno`/`endLineno` 1-based,
 * `offset`/`endOffset` 1-based columns. Errors found by the tokenizer count
 * columns in characters (Parser/tokenizer.c: _syntaxerror_range); errors
 * found by the parser count them in UTF-8 bytes, as CPython does for a file
 * read without a coding cookie (pegen_errors.c does not convert then). The
 * two agree on ASCII lines. `endOffset` may be 0 or -1 where CPython leaves
 * it so ("'(' was never closed", IndentationError).
 *
 * SyntaxWarnings (`1if x else y`) are collected, not thrown: CPython prints
 * each once through the warnings module and goes on.
 */

import { PymemError } from '../errors.js';

/** Which built-in exception CPython raises. */
export type SyntaxErrorKind = 'SyntaxError' | 'IndentationError' | 'TabError';

/** A syntax error in Python source, with the fields of Python's SyntaxError. */
export class PySyntaxError extends PymemError {
  constructor(
    /** CPython's message, e.g. "invalid syntax" or "'(' was never closed". */
    readonly msg: string,
    /** Which exception class CPython raises. */
    readonly kind: SyntaxErrorKind,
    /** The filename given to the parser. */
    readonly filename: string,
    /** 1-based line of the error. */
    readonly lineno: number,
    /** 1-based column of the error (see the module comment for the unit). */
    readonly offset: number,
    /** 1-based last line of the error. */
    readonly endLineno: number,
    /** 1-based column just past the error, or 0 / -1 where CPython gives those. */
    readonly endOffset: number,
    /** The source line(s) of the error, as CPython's `text` (null when there is none). */
    readonly text: string | null,
  ) {
    super(`${msg} (${filename}, line ${lineno})`);
  }
}

/**
 * What CPython 3.11 writes to stderr for this error left uncaught in a
 * script, without the traceback header (a SyntaxError of the main script has
 * none): `  File "x.py", line 3\n    text\n        ^^^^\nSyntaxError: msg\n`.
 * Mirrors pythonrun.c print_exception + print_error_text, which count the
 * caret's place in the bytes of the text.
 */
export function formatSyntaxError(e: PySyntaxError): string {
  let out = `  File "${e.filename}", line ${e.lineno}\n`;
  if (e.text !== null) {
    const lineSize = Buffer.byteLength(e.text, 'utf8');
    let endOffset = e.endOffset;
    // print_exception: a range over several lines is shown to the end of the first.
    if (e.endLineno > e.lineno) endOffset = lineSize;
    if (endOffset > lineSize + 1) endOffset = lineSize + 1;
    // IndentationError and TabError get one caret.
    if (e.kind !== 'SyntaxError') endOffset = e.offset;
    out += printErrorText(e.offset, endOffset, e.text);
  }
  return `${out}${e.kind}: ${e.msg}\n`;
}

/** pythonrun.c print_error_text: the line, stripped of leading blanks, and the carets under it. */
function printErrorText(offsetIn: number, endOffset: number, textIn: string): string {
  const caretRepetitions = endOffset > 0 && endOffset > offsetIn ? endOffset - offsetIn : 1;
  const bytes = Buffer.from(textIn, 'utf8');
  let start = 0;
  let offset = offsetIn - 1;
  while (start < bytes.length && (bytes[start] === 0x20 || bytes[start] === 0x09 || bytes[start] === 0x0c)) {
    start++;
    offset--;
  }
  let end = bytes.indexOf(0, start);
  if (end < 0) end = bytes.length;
  let len = end - start;
  if (len > 0 && bytes[start + len - 1] === 0x0a) len--;
  if (offset > len) offset = len;
  for (;;) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl < 0 || nl >= end) break;
    const inl = nl - start;
    if (inl >= offset) break;
    start += inl + 1;
    len -= inl + 1;
    offset -= inl + 1;
  }
  let out = '    ' + bytes.subarray(start, end).toString('utf8');
  if (bytes[start + len] !== 0x0a) out += '\n';
  if (offset < 0) return out;
  return `${out}    ${' '.repeat(offset)}${'^'.repeat(caretRepetitions)}\n`;
}

/**
 * Source nested too deeply for the parser (pegen's MAXSTACK): CPython 3.11
 * raises MemoryError for it and prints just `MemoryError`.
 */
export class ParserStackOverflowError extends PymemError {
  /** The exception CPython raises. */
  readonly pythonType = 'MemoryError';

  constructor(
    /** The file being parsed. */
    readonly filename: string,
  ) {
    super(`${filename}: too deeply nested for the parser (CPython raises MemoryError)`);
  }
}

/**
 * A warning met while parsing (CPython prints it on stderr and goes on): a
 * SyntaxWarning of the tokenizer, or a DeprecationWarning of the string
 * parser (an invalid escape sequence; shown only when the warnings filters
 * show DeprecationWarning, as under -X dev).
 */
export interface PySyntaxWarning {
  readonly category: 'SyntaxWarning' | 'DeprecationWarning';
  readonly msg: string;
  readonly filename: string;
  readonly lineno: number;
}

/**
 * What CPython prints for a warning (warnings.formatwarning):
 * `x.py:2: SyntaxWarning: invalid decimal literal\n  y = 1if 1 else 2\n`,
 * with `line` the source line it names (null to leave it out).
 */
export function formatSyntaxWarning(w: PySyntaxWarning, line: string | null): string {
  const head = `${w.filename}:${w.lineno}: ${w.category}: ${w.msg}\n`;
  const text = line === null ? '' : line.trim();
  return text === '' ? head : `${head}  ${text}\n`;
}
