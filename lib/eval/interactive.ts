/*
 * The interactive loop (Python/pythonrun.c PyRun_InteractiveLoopFlags and
 * PyRun_InteractiveOneObject, with the interactive tokenizer's rules for
 * when a statement is complete): lines go in one at a time; each statement
 * is compiled on its own in 'single' mode, as `<stdin>`, and run in
 * __main__ — so expression statements go through sys.displayhook (`_`), and
 * constants are not shared between statements as they are in a script.
 *
 * When a statement is complete, as CPython's interactive mode decides:
 *   - a blank or comment-only line at the primary prompt is nothing;
 *   - an open bracket, an unterminated triple-quoted string, a trailing
 *     backslash, or an error the parser met only at the end of the input
 *     (column 0: `@dec`, `if x:`, `try:` with no except yet) wants more lines;
 *   - a compound statement (if, for, while, try, with, def, class, match, a
 *     decorator) ends at a blank line;
 *   - any other syntax error is reported at once, on the line that makes it,
 *     and the statement is dropped.
 * An uncaught exception prints its traceback and the loop goes on;
 * SystemExit ends it with its status. At end of input a pending statement
 * is completed as if by a blank line.
 *
 * Invariants: `pending` holds the lines of the statement being read, none
 * run yet; every statement run leaves no reference on the value stack.
 */
import { CompilerNotImplementedError, compileAst, parseWithWarnings } from '../frontend/compile.js';
import type { CodeObject } from '../frontend/code.js';
import type { ConstObjects } from '../objects/types/code.js';
import { holdAstConstants } from './astArena.js';
import type * as ast from '../frontend/ast.js';
import { parse } from '../frontend/parser.js';
import { PySyntaxError, formatSyntaxError } from '../frontend/syntaxError.js';
import { id, newStr, str, typeOf } from './abstract.js';
import { evalCode } from './ceval.js';
import { EvalNotImplementedError, PyErr } from './pyerr.js';
import { printException, showWarnings } from './run.js';
import type { Vm } from './vm.js';

/** The file name the statements are compiled as. */
const STDIN = '<stdin>';

/** Statements whose end is a blank line (the interactive tokenizer reads on for their else/elif/except). */
const COMPOUND: ReadonlySet<string> = new Set([
  'If', 'For', 'AsyncFor', 'While', 'Try', 'TryStar', 'With', 'AsyncWith', 'FunctionDef', 'AsyncFunctionDef', 'ClassDef', 'Match',
]);

/** Whether a syntax error comes from the input ending too early (more lines may fix it). */
function isIncomplete(e: PySyntaxError): boolean {
  return /was never closed|^unterminated triple-quoted string literal|^unexpected EOF while parsing/.test(e.msg) || e.offset <= 0;
}

/** Whether an incomplete error is one only more text can end (a bracket or string still open), not a blank line. */
function isOpen(e: PySyntaxError): boolean {
  return /was never closed|^unterminated triple-quoted string literal/.test(e.msg);
}

/**
 * An error the end of input made, as the interactive tokenizer reports it
 * when a blank line ended the input: that line's NEWLINE token is where it
 * is, column 1 (a script's end of input has no such token: column 0).
 */
function atBlankLine(e: PySyntaxError): PySyntaxError {
  return new PySyntaxError(e.msg, e.kind, e.filename, e.lineno, 1, e.endLineno, -1, e.text);
}

/** What one line of input did. */
export type PushResult =
  /** the statement wants more lines (the `...` prompt) */
  | 'more'
  /** a statement ran, or the line was nothing, or an error was reported (the `>>>` prompt) */
  | 'done'
  /** SystemExit: the loop ends with `status` */
  | { readonly exit: number };

/** One interactive session over a Vm's __main__. */
export class InteractiveLoop {
  private pending: string[] = [];
  /** The pending statement is compound: it ends at a blank line. */
  private block = false;

  constructor(readonly vm: Vm) {
    const sdict = vm.module.dict(vm.modules.get('sys')!);
    for (const [name, text] of [
      ['ps1', '>>> '],
      ['ps2', '... '],
    ] as const) {
      const s = newStr(vm, text);
      vm.interp.dict.setItem(sdict, id(vm, name), s);
      vm.interp.rt.decref(s);
    }
  }

  /** The prompt for the next line: str(sys.ps1) at a statement's start, str(sys.ps2) within one. */
  prompt(): string {
    const sdict = this.vm.module.dict(this.vm.modules.get('sys')!);
    const p = this.vm.interp.dict.getItem(sdict, id(this.vm, this.pending.length === 0 ? 'ps1' : 'ps2'));
    return p === 0 ? '' : str(this.vm, p);
  }

  /** Whether a statement is being read (the next prompt is ps2). */
  get continuing(): boolean {
    return this.pending.length > 0;
  }

  /** Drops the statement being read (KeyboardInterrupt at the prompt). */
  reset(): void {
    this.pending = [];
    this.block = false;
  }

  /** One line of input, without its newline. */
  push(line: string): PushResult {
    const blank = line.trim() === '';
    if (this.pending.length === 0 && (blank || line.trimStart().startsWith('#'))) return 'done';
    this.pending.push(line);
    return this.advance(blank, false);
  }

  /** End of input: a pending statement is completed as by a blank line. */
  finish(): PushResult {
    if (this.pending.length === 0) return 'done';
    return this.advance(true, true);
  }

  private advance(blank: boolean, atEof: boolean): PushResult {
    const source = `${this.pending.join('\n')}\n`;
    let mod: ast.Interactive;
    try {
      mod = parse(source, STDIN, 'single', []);
    } catch (e) {
      if (!(e instanceof PySyntaxError)) throw e;
      const final = atEof || (blank && this.block && !isOpen(e));
      if (!final && isIncomplete(e)) {
        if (e.kind === 'IndentationError' || this.pending[0]!.trimStart().startsWith('@')) this.block = true;
        return 'more';
      }
      this.vm.io.stderr(formatSyntaxError(blank && e.offset <= 0 ? atBlankLine(e) : e));
      this.reset();
      return 'done';
    }
    if (!this.block && COMPOUND.has(mod.body[0]?._type ?? '')) this.block = true;
    if (this.block && !blank && !atEof) return 'more';
    this.reset();
    return this.run(source);
  }

  /** PyRun_InteractiveOneObject's run_mod: compile, evaluate in __main__, print what went wrong. */
  private run(source: string): PushResult {
    const vm = this.vm;
    const rt = vm.interp.rt;
    let mod: ast.ModNode;
    let co: CodeObject;
    try {
      const onWarning = showWarnings(vm, source);
      mod = parseWithWarnings(source, STDIN, 'single', onWarning);
      co = compileAst(mod, STDIN, source, onWarning);
    } catch (e) {
      if (e instanceof PySyntaxError) vm.io.stderr(formatSyntaxError(e));
      else if (e instanceof CompilerNotImplementedError) vm.io.stderr(`NotImplementedError: ${e.message}\n`);
      else throw e;
      return 'done';
    }
    const objects: ConstObjects = new Map();
    const code = vm.code.fromValue(co, objects);
    // PyRun_InteractiveOneObject frees the statement's arena after it ran (astArena.ts).
    const freeArena = holdAstConstants(vm, mod, objects);
    const globals = vm.module.dict(vm.modules.get('__main__')!);
    try {
      rt.decref(evalCode(vm, code, globals, globals));
      return 'done';
    } catch (e) {
      if (e instanceof PyErr) {
        const exiting = typeOf(vm, e.exc) === vm.excType('SystemExit');
        const status = printException(vm, e.exc);
        return exiting ? { exit: status } : 'done';
      }
      if (e instanceof EvalNotImplementedError) {
        vm.io.stderr(`NotImplementedError: ${e.message}\n`);
        return 'done';
      }
      throw e;
    } finally {
      rt.decref(code);
      freeArena();
    }
  }
}
