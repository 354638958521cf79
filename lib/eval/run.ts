/*
 * Running a program (Python/pythonrun.c, Python/pylifecycle.c): a fresh
 * interpreter over a fresh heap, the source compiled by lib/frontend, its
 * code object materialised, run in __main__'s dict; an uncaught exception
 * printed as CPython's traceback (PyErr_Print); at the end, Py_Finalize's
 * part that frees objects: __main__'s dict cleared, the modules released,
 * gc.collect().
 *
 * exec / eval are the API (the ux engineer's Python class may wrap them):
 * each runs in its own interpreter unless one is given.
 */
import { type WarningSink, compile, compileAst, parseWithWarnings } from '../frontend/compile.js';
import type { ConstObjects } from '../objects/types/code.js';
import { holdAstConstants } from './astArena.js';
import { formatWarning } from '../frontend/warnings.js';
import { PySyntaxError, formatSyntaxError } from '../frontend/syntaxError.js';
import { Interpreter } from '../objects/interpreter.js';
import type { RuntimeOptions } from '../objects/runtime.js';
import { CompilerNotImplementedError } from '../frontend/compile.js';
import { id, repr, str, typeOf, newStr } from './abstract.js';
import { installBuiltins } from './builtins.js';
import { evalCode } from './ceval.js';
import { clearGcCallbacks, installGcCallbacks } from './gcCallbacks.js';
import { installDisplayhook } from './displayhook.js';
import { formatException } from './traceback.js';
import { runAtexit } from './atexitModule.js';
import { PyErr, EvalNotImplementedError } from './pyerr.js';
import { Vm, type VmIO } from './vm.js';

/** Options of a run. */
export interface RunOptions extends RuntimeOptions {
  /** The file name tracebacks and __file__ show. */
  readonly filename?: string;
  /** sys.argv (default [filename]). */
  readonly argv?: readonly string[];
  /** Where output goes (default the process's stdout / stderr). */
  readonly io?: VmIO;
  /** Keep the interpreter alive after the run (the caller disposes it). */
  readonly keep?: boolean;
  /** The development mode (`-X dev`, runConfig.ts). */
  readonly devMode?: boolean;
}

/** What a run ended with. */
export interface RunResult {
  /** The exit status (0, 1 for an uncaught exception or a SyntaxError, SystemExit's code). */
  readonly status: number;
  /** The interpreter, when options.keep (else disposed). */
  readonly vm: Vm | null;
}

/** A new interpreter with its builtins, sys, gc and __main__ modules. */
export function newVm(options: RunOptions = {}): Vm {
  const io = options.io ?? { stdout: (t: string) => process.stdout.write(t), stderr: (t: string) => process.stderr.write(t) };
  const interp = new Interpreter({ profile: 'cpython311', ...options });
  const vm = new Vm(interp, io);
  vm.argv = [...(options.argv ?? [options.filename ?? ''])];
  vm.devMode = options.devMode === true;
  installBuiltins(vm);
  installGcCallbacks(vm);
  installDisplayhook(vm);
  const name = newStr(vm, '__main__');
  const main = vm.module.new(name);
  interp.rt.decref(name);
  const d = vm.module.dict(main);
  interp.dict.setItem(d, id(vm, '__builtins__'), vm.modules.get('builtins')!);
  vm.modules.set('__main__', main);
  return vm;
}

/** Runs source as a script (PyRun_SimpleFileExFlags); returns the exit status. */
export function exec(source: string, options: RunOptions = {}): RunResult {
  const filename = options.filename ?? '<string>';
  const vm = newVm({ ...options, filename });
  const status = execIn(vm, source, filename);
  if (options.keep) return { status, vm };
  finalize(vm);
  vm.interp.dispose();
  return { status, vm: null };
}

/** Runs source in vm's __main__; returns the exit status, printing what CPython prints on errors. */
export function execIn(vm: Vm, source: string, filename: string): number {
  const { interp } = vm;
  let mod;
  let co;
  try {
    const onWarning = showWarnings(vm, source);
    mod = parseWithWarnings(source, filename, 'exec', onWarning);
    co = compileAst(mod, filename, source, onWarning);
  } catch (e) {
    if (e instanceof PySyntaxError) {
      vm.io.stderr(formatSyntaxError(e));
      return 1;
    }
    if (e instanceof CompilerNotImplementedError) {
      vm.io.stderr(`NotImplementedError: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const objects: ConstObjects = new Map();
  const code = vm.code.fromValue(co, objects);
  const freeArena = holdAstConstants(vm, mod, objects);
  const main = vm.modules.get('__main__')!;
  const globals = vm.module.dict(main);
  const file = newStr(vm, filename);
  interp.dict.setItem(globals, id(vm, '__file__'), file);
  interp.rt.decref(file);
  try {
    interp.rt.decref(evalCode(vm, code, globals, globals));
    return 0;
  } catch (e) {
    if (e instanceof PyErr) return printException(vm, e.exc);
    if (e instanceof EvalNotImplementedError) {
      vm.io.stderr(`NotImplementedError: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    // run_mod lets the code go, then pyrun_file frees the arena.
    interp.rt.decref(code);
    freeArena();
  }
}

/**
 * Where a compilation's warnings go under `pymem run`: stderr, as the
 * warnings module's default filters show them — SyntaxWarnings always,
 * DeprecationWarnings only in the development mode (its `default::Warning`
 * filter).
 */
export function showWarnings(vm: Vm, source: string): WarningSink {
  const lines = source.split(/\r?\n/);
  return (w) => {
    if (w.category === 'DeprecationWarning' && !vm.devMode) return;
    vm.io.stderr(formatWarning(w, lines));
  };
}

/** eval(expr) in a fresh interpreter: the value's repr (the interpreter is disposed). */
export function evaluate(expr: string, options: RunOptions = {}): string {
  const vm = newVm(options);
  try {
    const co = compile(expr, options.filename ?? '<string>', 'eval');
    const code = vm.code.fromValue(co);
    const g = vm.module.dict(vm.modules.get('__main__')!);
    const v = evalCode(vm, code, g, g);
    const r = repr(vm, v);
    vm.interp.rt.decref(v);
    vm.interp.rt.decref(code);
    return r;
  } finally {
    finalize(vm);
    vm.interp.dispose();
  }
}

/**
 * PyErr_Print for an uncaught exception (owned): SystemExit exits with its
 * code; anything else prints the traceback (most recent call last) and
 * `Type: message` on stderr, exit status 1.
 */
export function printException(vm: Vm, exc: number): number {
  const { interp } = vm;
  const t = typeOf(vm, exc);
  try {
    if (t === vm.excType('SystemExit')) {
      const args = interp.tuple.items(vm.exc.get(exc, 'args'));
      if (args.length === 0 || args[0] === interp.singletons.None) return 0;
      if (interp.long.check(args[0]!)) return Number(interp.long.toBigInt(args[0]!));
      vm.io.stderr(`${str(vm, args[0]!)}\n`);
      return 1;
    }
    vm.io.stderr(formatException(vm, exc));
    return 1;
  } finally {
    interp.rt.decref(exc);
  }
}

/** Py_FinalizeEx's object part: the atexit callbacks run, __main__ cleared, modules released, the heap collected. */
export function finalize(vm: Vm): void {
  const { interp } = vm;
  const rt = interp.rt;
  runAtexit(vm);
  if (vm.excInfo !== 0) {
    rt.decref(vm.excInfo);
    vm.excInfo = 0;
  }
  clearGcCallbacks(vm);
  const main = vm.modules.get('__main__');
  vm.finalizing = true;
  if (main !== undefined) interp.dict.clear(vm.module.dict(main));
  vm.gc.collect();
  // _PyType_Fini's type_cache_clear, after the last finalizers ran (they look attributes up too).
  vm.typeCache.clear(vm);
}
