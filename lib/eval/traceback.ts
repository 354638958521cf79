/*
 * Printing an uncaught exception (Python/pythonrun.c print_exception and
 * Python/traceback.c tb_displayline, CPython 3.11): the chain of causes
 * and contexts first, then "Traceback (most recent call last):", one
 * `File "...", line N, in NAME` per frame with its source line and, when
 * the failing instruction covers less than the line, 3.11's carets —
 * `~` and `^` anchored at a binary operator or a subscript
 * (extract_anchors_from_line, which parses the segment).
 */
import { parse } from '../frontend/parser.js';
import type * as ast from '../frontend/ast.js';
import { id, isStr, str, strValue, typeName, typeOf } from './abstract.js';
import { codeInfo } from './ceval.js';
import { fCode } from '../objects/types/frame.js';
import { exceptionNotes } from './exceptionAttrs.js';
import type { Vm } from './vm.js';

/** What one traceback object says of where the exception passed. */
interface TracebackEntry {
  readonly filename: string;
  readonly line: number;
  readonly name: string;
  /** The instruction's end line and columns (UTF-8 bytes), -1 when unknown. */
  readonly endLine: number;
  readonly col: number;
  readonly endCol: number;
}

/** The entries of exc's __traceback__, outermost first (tb_next leads inwards); the positions of tb_lasti in the frame's code (PyCode_Addr2Location). */
function tracebackEntries(vm: Vm, exc: number): TracebackEntry[] {
  const out: TracebackEntry[] = [];
  for (let tb = vm.exc.get(exc, 'traceback'); tb !== 0; tb = vm.traceback.next(tb)) {
    const info = codeInfo(vm, fCode.get(vm.frameobj.iframe(vm.traceback.frame(tb))));
    const u = vm.traceback.lasti(tb) >> 1;
    out.push({ filename: info.co.filename, line: info.lines[u] ?? -1, name: info.co.name, endLine: info.endLines[u] ?? -1, col: info.cols[u] ?? -1, endCol: info.endCols[u] ?? -1 });
  }
  return out;
}

/** TB_RECURSIVE_CUTOFF. */
const TB_RECURSIVE_CUTOFF = 3;

/** The sources tracebacks quote: file name -> lines. */
export const sources = new WeakMap<Vm, Map<string, string[]>>();

/**
 * PyErr_WriteUnraisable as the default sys.unraisablehook prints it:
 * "Exception ignored <where>" (`in: <repr>`, `in atexit callback: <repr>`),
 * then the traceback, on stderr; the exception (owned) is released.
 */
export function writeUnraisable(vm: Vm, exc: number, where: string): void {
  vm.io.stderr(`Exception ignored ${where}\n${formatException(vm, exc)}`);
  vm.interp.rt.decref(exc);
}

/** The text CPython's default excepthook writes for exc. */
export function formatException(vm: Vm, exc: number, seen: Set<number> = new Set()): string {
  seen.add(exc);
  let out = '';
  const cause = vm.exc.get(exc, 'cause');
  const context = vm.exc.get(exc, 'context');
  if (cause !== 0 && !seen.has(cause)) {
    out += formatException(vm, cause, seen);
    out += '\nThe above exception was the direct cause of the following exception:\n\n';
  } else if (context !== 0 && !vm.exc.suppressContext(exc) && !seen.has(context)) {
    out += formatException(vm, context, seen);
    out += '\nDuring handling of the above exception, another exception occurred:\n\n';
  }
  const tb = tracebackEntries(vm, exc);
  if (tb.length > 0) {
    out += 'Traceback (most recent call last):\n';
    // tb_print_internal: a line repeated more than TB_RECURSIVE_CUTOFF times in a row is summarised.
    let last: TracebackEntry | null = null;
    let cnt = 0;
    const repeated = (n: number): string => `  [Previous line repeated ${n - TB_RECURSIVE_CUTOFF} more time${n - TB_RECURSIVE_CUTOFF > 1 ? 's' : ''}]\n`;
    for (const e of tb) {
      if (last === null || e.filename !== last.filename || e.line !== last.line || e.name !== last.name) {
        if (cnt > TB_RECURSIVE_CUTOFF) out += repeated(cnt);
        last = e;
        cnt = 0;
      }
      cnt++;
      if (cnt <= TB_RECURSIVE_CUTOFF) out += formatEntry(vm, e);
    }
    if (cnt > TB_RECURSIVE_CUTOFF) out += repeated(cnt);
  }
  const msg = str(vm, exc);
  // print_exception: a class of __main__ or builtins is named by its qualname alone, another by module.qualname.
  const name = exceptionClassName(vm, exc);
  out += msg === '' ? `${name}\n` : `${name}: ${msg}\n`;
  out += exceptionNotes(vm, exc);
  return out;
}

/** The class name print_exception writes: qualname, after `module.` unless the module is __main__ or builtins. */
function exceptionClassName(vm: Vm, exc: number): string {
  const cls = vm.typeObject(typeOf(vm, exc));
  const q = vm.typeobj.qualname(cls);
  if (q === 0) return typeName(vm, exc);
  const m = vm.interp.dict.getItem(vm.typeobj.dict(cls), id(vm, '__module__'));
  const module = m !== 0 && isStr(vm, m) ? strValue(vm, m) : '__main__';
  return module === '__main__' || module === 'builtins' ? strValue(vm, q) : `${module}.${strValue(vm, q)}`;
}

/** tb_displayline: the File line, the source line, the carets. */
function formatEntry(vm: Vm, e: TracebackEntry): string {
  let out = `  File "${e.filename}", line ${e.line}, in ${e.name}\n`;
  // linecache reads no `<string>` / `<stdin>`: CPython's tracebacks of those show no source line.
  const pseudo = e.filename.startsWith('<') && e.filename.endsWith('>');
  const raw = pseudo ? undefined : sources.get(vm)?.get(e.filename)?.[e.line - 1];
  if (raw === undefined) return out;
  const stripped = raw.replace(/^[ \t\f]+/, '').replace(/\s+$/, '');
  if (stripped === '') return out;
  out += `    ${stripped}\n`;
  if (e.col < 0 || e.endCol < 0) return out;
  const trunc = raw.length - raw.replace(/^[ \t\f]+/, '').length;
  const start = charOffset(raw, e.col) - trunc;
  let end = e.endLine !== e.line ? stripped.length : charOffset(raw, e.endCol) - trunc;
  if (end > stripped.length) end = stripped.length;
  const anchors = e.endLine === e.line ? extractAnchors(stripped.slice(start, end)) : null;
  if (end - start === stripped.length && anchors === null) return out;
  let carets = '';
  for (let pos = 0; pos < end; pos++) {
    if (pos < start) carets += ' ';
    else if (anchors !== null && pos >= anchors.left + start && pos < anchors.right + start) carets += anchors.secondary;
    else carets += anchors !== null ? anchors.primary : '^';
  }
  return `${out}    ${carets}\n`;
}

/** _PyPegen_byte_offset_to_character_offset. */
function charOffset(line: string, bytes: number): number {
  const enc = new TextEncoder().encode(line);
  return new TextDecoder().decode(enc.slice(0, bytes)).length;
}

/** extract_anchors_from_line: a binary operator's or a subscript's range in the segment, or null. */
function extractAnchors(segment: string): { left: number; right: number; primary: string; secondary: string } | null {
  let mod: ast.Module;
  try {
    mod = parse(segment, '<traceback>', 'exec');
  } catch {
    return null;
  }
  if (mod.body.length !== 1 || mod.body[0]!._type !== 'Expr') return null;
  const expr = (mod.body[0] as ast.ExprStmt).value;
  const bytes = new TextEncoder().encode(segment);
  const toChar = (b: number): number => new TextDecoder().decode(bytes.slice(0, b)).length;
  if (expr._type === 'BinOp') {
    for (let i = expr.left.end_col_offset; i < expr.right.col_offset; i++) {
      const c = bytes[i]!;
      if (c === 0x20 || c === 0x09 || c === 0x0c) continue;
      let right = i + 1;
      if (i + 1 < expr.right.col_offset && !(bytes[i + 1] === 0x20 || bytes[i + 1] === 0x09 || bytes[i + 1] === 0x0c)) right++;
      return { left: toChar(i), right: toChar(right), primary: '~', secondary: '^' };
    }
    return null;
  }
  if (expr._type === 'Subscript') {
    return { left: toChar(expr.value.end_col_offset), right: toChar(expr.slice.end_col_offset + 1), primary: '~', secondary: '^' };
  }
  return null;
}
