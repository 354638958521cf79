/*
 * The builtins that run code (Python/bltinmodule.c): compile, eval, exec,
 * and locals, which they need for their defaults.
 *
 * A frame's locals mapping is as 3.11 keeps it: module and class code run
 * with f_locals a dict; a function frame gets one only when asked
 * (_PyFrame_FastToLocalsWithError), held by the frame (released when the
 * frame is cleared) and refreshed on every call, so locals() inside a
 * function returns the same dict each time.
 */
import { compileAst, CompilerNotImplementedError } from '../frontend/compile.js';
import { parse } from '../frontend/parser.js';
import type { ConstObjects } from '../objects/types/code.js';
import { holdAstConstants } from './astArena.js';
import { formatWarning } from '../frontend/warnings.js';
import { CO_FAST_CELL, CO_FAST_FREE, CO_OPTIMIZED, freevars } from '../frontend/code.js';
import { PySyntaxError } from '../frontend/syntaxError.js';
import type { CMethod } from '../objects/types/cfunction.js';
import { fGlobals, fLocals, localsplus } from '../objects/types/frame.js';
import { id, isStr, newRef, none, raise, strValue, typeName } from './abstract.js';
import { currentFrames, evalCode, type CodeInfo } from './ceval.js';
import { EvalNotImplementedError } from './pyerr.js';
import type { Vm } from './vm.js';


/** The running frame (the caller of the builtin). */
function callerFrame(vm: Vm): ReturnType<typeof currentFrames>[number] {
  const frs = currentFrames(vm);
  return frs[frs.length - 1]!;
}

/**
 * PyEval_GetLocals over _PyFrame_FastToLocalsWithError: the running frame's
 * locals dict (borrowed), made and refreshed from the fast locals for a
 * function frame (cells read through; unbound names removed).
 */
export function frameLocals(vm: Vm): number {
  const fr = callerFrame(vm);
  return fastToLocals(vm, fr.f, fr.info);
}

/** _PyFrame_FastToLocalsWithError for the interpreter frame f of code info: its locals dict (borrowed), made and refreshed for a function frame. */
export function fastToLocals(vm: Vm, f: number, info: CodeInfo): number {
  const { interp } = vm;
  const co = info.co;
  let locals = fLocals.get(f);
  if ((co.flags & CO_OPTIMIZED) === 0) return locals;
  if (locals === 0) {
    locals = interp.dict.new();
    fLocals.set(f, locals);
  }
  co.localspluskinds.forEach((kind, i) => {
    let v = localsplus.get(f, i);
    if (v !== 0 && (kind & (CO_FAST_CELL | CO_FAST_FREE)) !== 0 && interp.cell.check(v)) v = interp.cell.contents(v);
    const key = info.lpnames[i]!;
    if (v !== 0) interp.dict.setItem(locals, key, v);
    else if (interp.dict.contains(locals, key)) interp.dict.delItem(locals, key);
  });
  return locals;
}

/** A code object (new reference) and what releases the parser's arena it was compiled from (nothing for a given code object). */
interface Compiled {
  readonly code: number;
  readonly freeArena: () => void;
}

/**
 * The source argument of compile/eval/exec as a code object: a code object
 * as it is, a str compiled in `mode` (eval's source stripped of leading
 * blanks first, as builtin_eval_impl does), its arena held until freeArena.
 */
function sourceToCode(vm: Vm, fn: string, src: number, filename: string, mode: 'exec' | 'eval' | 'single'): Compiled {
  if (vm.code.check(src)) return { code: newRef(vm, src), freeArena: () => {} };
  if (!isStr(vm, src)) {
    const what = fn === 'compile' ? 'compile() arg 1' : `${fn}() arg 1`;
    raise(vm, 'TypeError', `${what} must be a string, bytes or code object`);
  }
  let text = strValue(vm, src);
  if (fn === 'eval') text = text.replace(/^[ \t]+/, '');
  if (text.includes('\0')) raise(vm, 'ValueError', 'source code string cannot contain null bytes');
  let mod;
  let co;
  try {
    mod = parse(text, filename, mode);
    co = compileAst(mod, filename, text, (w) => vm.io.stderr(formatWarning(w, null)));
  } catch (e) {
    if (e instanceof PySyntaxError) raise(vm, e.kind, `${e.msg} (${e.filename}, line ${e.lineno})`);
    if (e instanceof CompilerNotImplementedError) throw new EvalNotImplementedError(e.message);
    throw e;
  }
  const objects: ConstObjects = new Map();
  const code = vm.code.fromValue(co, objects);
  return { code, freeArena: holdAstConstants(vm, mod, objects) };
}

/**
 * builtin_eval_impl / builtin_exec_impl: globals and locals defaulted from
 * the caller, checked, __builtins__ put into globals when missing, the code
 * run. New reference (exec: None).
 */
function run(vm: Vm, fn: 'eval' | 'exec', args: readonly number[]): number {
  const { interp } = vm;
  const None = interp.singletons.None;
  if (args.length < 1) raise(vm, 'TypeError', `${fn} expected at least 1 argument, got 0`);
  if (args.length > 3) raise(vm, 'TypeError', `${fn} expected at most 3 arguments, got ${args.length}`);
  let globals = args[1] ?? None;
  let locals = args[2] ?? None;
  if (globals !== None && !interp.dict.check(globals)) {
    raise(vm, 'TypeError', fn === 'eval' ? 'globals must be a real dict; try eval(expr, {}, mapping)' : `exec() globals must be a dict, not ${typeName(vm, globals)}`);
  }
  if (locals !== None && !interp.dict.check(locals)) {
    raise(vm, 'TypeError', fn === 'eval' ? 'locals must be a mapping' : `locals must be a mapping or None, not ${typeName(vm, locals)}`);
  }
  if (globals === None) {
    globals = fGlobals.get(callerFrame(vm).f);
    if (locals === None) locals = frameLocals(vm);
  } else if (locals === None) {
    locals = globals;
  }
  const builtinsKey = id(vm, '__builtins__');
  if (!interp.dict.contains(globals, builtinsKey)) interp.dict.setItem(globals, builtinsKey, vm.modules.get('builtins')!);
  const { code, freeArena } = sourceToCode(vm, fn, args[0]!, '<string>', fn);
  try {
    if (freevars(vm.code.value(code)).length > 0) raise(vm, 'TypeError', `code object passed to ${fn}() may not contain free variables`);
    const v = evalCode(vm, code, globals, locals);
    if (fn === 'eval') return v;
    interp.rt.decref(v);
    return none(vm);
  } finally {
    interp.rt.decref(code);
    freeArena();
  }
}

/** compile, eval, exec and locals, by name. */
export function execBuiltins(vm: Vm): Record<string, CMethod> {
  return {
    compile: (_s, args) => {
      if (args.length < 3) raise(vm, 'TypeError', `compile() missing required argument '${['source', 'filename', 'mode'][args.length]}' (pos ${args.length + 1})`);
      const mode = strValue(vm, args[2]!);
      if (mode !== 'exec' && mode !== 'eval' && mode !== 'single') raise(vm, 'ValueError', "compile() mode must be 'exec', 'eval' or 'single'");
      // builtin_compile_impl frees the arena before it returns.
      const { code, freeArena } = sourceToCode(vm, 'compile', args[0]!, strValue(vm, args[1]!), mode);
      freeArena();
      return code;
    },
    eval: (_s, args) => run(vm, 'eval', args),
    exec: (_s, args) => run(vm, 'exec', args),
    locals: () => newRef(vm, frameLocals(vm)),
  };
}
