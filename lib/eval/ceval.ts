/*
 * The evaluation loop (Python/ceval.c, _PyEval_EvalFrameDefault, CPython
 * 3.11): one dispatch per instruction over the wordcode (a `switch` on the
 * opcode; CACHE units skipped by each instruction's inline-cache count), the
 * value stack the top of the frame's localsplus on the data stack, holding
 * owned references (so sys.getrefcount counts what CPython counts).
 *
 * A call of a Python function from Python code pushes a frame and goes on in
 * the same loop (as 3.11 inlines Python-to-Python calls): no JavaScript
 * recursion per Python call. Calls that come back in from JavaScript (a
 * dunder method called by a protocol, a class body) run a nested loop
 * marked is_entry; the depth of Python frames is bounded by
 * sys.getrecursionlimit() either way (RecursionError).
 *
 * Exceptions: a raise anywhere below unwinds to the handler the code's
 * exception table gives for the failing instruction (exception_unwind:
 * the stack popped to the handler's depth, lasti pushed if asked, the
 * exception pushed), else the frame is cleared and popped and the search
 * goes on in the caller; each frame passed adds a traceback entry.
 *
 * Invariants: between instructions, localsplus[0 .. sp) of the running
 * frame are its locals and stack, each slot an owned reference or NULL;
 * a popped frame holds no references.
 */
import { sendTo } from './coroutines.js';
import { CO_ASYNC_GENERATOR, CO_COROUTINE, CO_VARARGS, CO_VARKEYWORDS, type CodeObject } from '../frontend/code.js';
import { inlineCacheEntries } from '../frontend/opcode.js';
import { fCode, fFunc, fGlobals, fBuiltins, fLocals, fOwner, fPrevInstr, fPrevious, copyFrame, localsplus, stacktop, FRAME_OWNED_BY_GENERATOR } from '../objects/types/frame.js';
import { funcBuiltins, funcClosure, funcCode, funcDefaults, funcGlobals, funcKwdefaults, funcQualname } from '../objects/types/function.js';
import { InlineCaches, loadAttr, loadGlobal, loadMethod, storeAttr } from './specialize.js';
import { FRAME_CLEARED, FRAME_COMPLETED, FRAME_CREATED, FRAME_EXECUTING, FRAME_SUSPENDED } from '../objects/types/generator.js';
import {
  binaryOp,
  callObject,
  contains,
  getAttr,
  getItem,
  getIter,
  id,
  isTrue,
  iterate,
  iterNext,
  raise,
  richCompare,
  setAttr,
  setItem,
  toPyErr,
  typeLookup,
  typeName,
  typeOf,
  unaryOp,
  newErr,
} from './abstract.js';
import { PyErr, EvalNotImplementedError } from './pyerr.js';
import { binaryOpFast, compareOpFast, storeSubscrFast, subscrFast } from './specializedOps.js';
import { coldOpcode } from './coldOpcodes.js';
import { hasObjectNew } from './typeCall.js';
import { namespaceGet } from './metaclass.js';
import type { Vm } from './vm.js';

/** One entry of a code object's exception table (in code units). */
interface ExceptionEntry {
  readonly start: number;
  readonly end: number;
  readonly target: number;
  readonly depth: number;
  readonly lasti: boolean;
}

/** What the loop needs of a code object, decoded once (by the code object's pointer). */
export interface CodeInfo {
  readonly ptr: number;
  readonly co: CodeObject;
  readonly code: Uint8Array;
  /** co_consts items (borrowed: the tuple holds them). */
  readonly consts: number[];
  /** co_names items (borrowed). */
  readonly names: number[];
  /** co_localsplusnames items (borrowed). */
  readonly lpnames: number[];
  readonly nlocalsplus: number;
  readonly exceptions: ExceptionEntry[];
  /** The source line of each code unit (-1: none). */
  readonly lines: Int32Array;
  /** Its end line, and start and end columns (UTF-8 bytes; -1: none). */
  readonly endLines: Int32Array;
  readonly cols: Int32Array;
  readonly endCols: Int32Array;
  /** The inline caches of the name and attribute instructions (specialize.ts). */
  readonly caches: InlineCaches;
}

/**
 * A running frame, as the loop keeps it beside the _PyInterpreterFrame.
 * The objects are reused: the frame at depth d is always EvalState.pool[d]
 * (takeFrame), so a call makes no JavaScript object; nothing keeps one past
 * its frame's pop.
 */
export interface Frame {
  f: number;
  info: CodeInfo;
  /** Byte offset of the next instruction. */
  ip: number;
  /** Slots of localsplus in use (locals + stack). */
  sp: number;
  /** Byte offset of the instruction running (for tracebacks and the exception table). */
  lasti: number;
  /** The instance a frame of __init__ made (its result, once __init__ returns None); 0 otherwise. */
  initSelf: number;
  /** Whether returning from this frame returns to JavaScript. */
  entry: boolean;
  /** KW_NAMES's tuple for the next CALL (borrowed from co_consts), 0 for none. */
  kwnames: number;
  /** The generator whose frame this is (its gi_iframe), 0 for a frame on the data stack. */
  gen: number;
}

/** What the loop keeps per interpreter beside the Vm. */
interface EvalState {
  /** The running frames, outermost first: pool[0 .. stack.length). */
  readonly stack: Frame[];
  /** Frame objects by depth, made once and reused. */
  readonly pool: Frame[];
  /** The decoded code objects, by pointer. */
  readonly codeInfos: Map<number, CodeInfo>;
}

const evalStates = new WeakMap<Vm, EvalState>();

function evalState(vm: Vm): EvalState {
  let st = evalStates.get(vm);
  if (st === undefined) {
    const codeInfos = new Map<number, CodeInfo>();
    evalStates.set(vm, (st = { stack: [], pool: [], codeInfos }));
    // A freed code object's address is reused by the next block of its size: its decoding goes with it.
    vm.code.onDealloc = (op) => codeInfos.delete(op);
  }
  return st;
}

function frameStack(vm: Vm): Frame[] {
  return evalState(vm).stack;
}

/** The Frame object for a frame pushed now (at depth stack.length), pushed on the stack. */
function takeFrame(st: EvalState, f: number, info: CodeInfo, ip: number, sp: number, entry: boolean, gen: number): Frame {
  const d = st.stack.length;
  let fr = st.pool[d];
  if (fr === undefined) {
    fr = { f, info, ip, sp, lasti: ip, initSelf: 0, entry, kwnames: 0, gen };
    st.pool.push(fr);
  } else {
    fr.f = f;
    fr.info = info;
    fr.ip = ip;
    fr.sp = sp;
    fr.lasti = ip;
    fr.initSelf = 0;
    fr.entry = entry;
    fr.kwnames = 0;
    fr.gen = gen;
  }
  st.stack.push(fr);
  return fr;
}

/** The frames running now, outermost first, each with the byte offset of its running instruction (for sys._getframe-like needs, super() and tracemalloc). */
export function currentFrames(vm: Vm): readonly { readonly f: number; readonly info: CodeInfo; readonly lasti: number }[] {
  return frameStack(vm);
}

/** The decoded form of a code object. */
export function codeInfo(vm: Vm, ptr: number): CodeInfo {
  return codeInfoIn(vm, evalState(vm), ptr);
}

function codeInfoIn(vm: Vm, st: EvalState, ptr: number): CodeInfo {
  const m = st.codeInfos;
  let info = m.get(ptr);
  if (info === undefined) {
    const co = vm.code.value(ptr);
    const { tuple } = vm.interp;
    info = {
      ptr,
      co,
      code: co.code,
      consts: tuple.items(vm.code.consts(ptr)),
      names: tuple.items(vm.code.names(ptr)),
      lpnames: tuple.items(vm.code.localsplusnames(ptr)),
      nlocalsplus: co.localsplusnames.length,
      exceptions: parseExceptionTable(co.exceptiontable),
      ...parseLineTable(co.linetable, co.firstlineno, co.code.length / 2),
      caches: new InlineCaches(co.code.length / 2),
    };
    m.set(ptr, info);
  }
  return info;
}


/** The 3.11 exception table (Objects/exception_handling_notes.txt): varint entries start, length, target, depth<<1|lasti. */
function parseExceptionTable(t: Uint8Array): ExceptionEntry[] {
  const out: ExceptionEntry[] = [];
  let i = 0;
  const varint = (): number => {
    let b = t[i++]!;
    let v = b & 63;
    while (b & 64) {
      b = t[i++]!;
      v = (v << 6) | (b & 63);
    }
    return v;
  };
  while (i < t.length) {
    const start = varint();
    const length = varint();
    const target = varint();
    const dl = varint();
    out.push({ start, end: start + length, target, depth: dl >> 1, lasti: (dl & 1) !== 0 });
  }
  return out;
}

/** The 3.11 location table (Objects/locations.md): the positions of each code unit. */
function parseLineTable(
  t: Uint8Array,
  firstlineno: number,
  units: number,
): { lines: Int32Array; endLines: Int32Array; cols: Int32Array; endCols: Int32Array } {
  const lines = new Int32Array(units).fill(-1);
  const endLines = new Int32Array(units).fill(-1);
  const cols = new Int32Array(units).fill(-1);
  const endCols = new Int32Array(units).fill(-1);
  let i = 0;
  let unit = 0;
  let line = firstlineno;
  const varint = (): number => {
    let b = t[i++]!;
    let v = b & 63;
    let shift = 0;
    while (b & 64) {
      b = t[i++]!;
      shift += 6;
      v |= (b & 63) << shift;
    }
    return v;
  };
  const svarint = (): number => {
    const u = varint();
    return u & 1 ? -(u >> 1) : u >> 1;
  };
  while (i < t.length) {
    const b = t[i++]!;
    const code = (b >> 3) & 15;
    const len = (b & 7) + 1;
    let l = line;
    let el = -1;
    let c = -1;
    let ec = -1;
    let has = true;
    if (code === 15) has = false;
    else if (code === 14) {
      l = line + svarint();
      el = l + varint();
      c = varint() - 1;
      ec = varint() - 1;
    } else if (code === 13) l = line + svarint();
    else if (code >= 10) {
      l = line + (code - 10);
      el = l;
      c = t[i++]!;
      ec = t[i++]!;
    } else {
      // The short form: column group `code`, one byte of (low column bits << 4 | length).
      const b2 = t[i++]!;
      el = l;
      c = code * 8 + (b2 >> 4);
      ec = c + (b2 & 15);
    }
    if (has) line = l;
    for (let k = 0; k < len && unit < units; k++, unit++) {
      lines[unit] = has ? l : -1;
      endLines[unit] = has ? el : -1;
      cols[unit] = has ? c : -1;
      endCols[unit] = has ? ec : -1;
    }
  }
  return { lines, endLines, cols, endCols };
}

// --- frames --------------------------------------------------------------------------------------

const slot = (f: number, i: number): number => localsplus.get(f, i);
const setSlot = (f: number, i: number, v: number): void => localsplus.set(f, i, v);

/** The RecursionError of a call past sys.getrecursionlimit() (_Py_EnterRecursivePy). */
function recursionError(vm: Vm): never {
  raise(vm, 'RecursionError', 'maximum recursion depth exceeded');
}

/**
 * _PyEvalFramePushAndInit's push (_PyFrame_InitializeSpecials): a frame
 * for func (owned) or for module / class code (func 0, code owned, locals
 * owned), its locals NULL. Releases the references when the depth is at the
 * limit (RecursionError).
 */
function pushFrame(vm: Vm, st: EvalState, func: number, code: number, globals: number, builtins: number, locals: number, entry: boolean): Frame {
  const stack = st.stack;
  if (stack.length >= vm.recursionLimit) {
    vm.interp.rt.xdecref(func);
    if (func !== 0) vm.interp.rt.decref(code);
    vm.interp.rt.xdecref(locals);
    recursionError(vm);
  }
  const info = codeInfoIn(vm, st, code);
  const previous = stack.length > 0 ? stack[stack.length - 1]!.f : 0;
  const f = vm.dataStack.push(func, code, globals, builtins, locals, info.nlocalsplus + info.co.stacksize, info.nlocalsplus, previous);
  return takeFrame(st, f, info, 0, info.nlocalsplus, entry, 0);
}

/**
 * _PyFrame_Clear + pop: every reference the frame holds released (or moved
 * into its frame object, when a traceback holds that), its memory back to
 * the data stack.
 */
function popFrame(vm: Vm, fr: Frame): void {
  const rt = vm.interp.rt;
  vm.lineTracer?.leave(fr);
  stacktop.set(fr.f, fr.sp);
  fPrevInstr.set(fr.f, fr.lasti);
  if (fr.gen !== 0) {
    vm.gen.clearFrame(fr.gen);
    genStates.delete(fr.gen);
    frameStack(vm).pop();
    return;
  }
  if (vm.frameobj.clearFrameObject(fr.f)) {
    fr.sp = 0;
    if (fr.initSelf !== 0) rt.decref(fr.initSelf);
    frameStack(vm).pop();
    vm.dataStack.pop(fr.f);
    return;
  }
  for (let i = fr.sp - 1; i >= 0; i--) {
    const v = slot(fr.f, i);
    if (v !== 0) {
      setSlot(fr.f, i, 0);
      rt.decref(v);
    }
  }
  fr.sp = 0;
  stacktop.set(fr.f, 0);
  rt.xdecref(fLocals.get(fr.f));
  rt.xdecref(fFunc.get(fr.f));
  rt.decref(fCode.get(fr.f));
  if (fr.initSelf !== 0) rt.decref(fr.initSelf);
  frameStack(vm).pop();
  vm.dataStack.pop(fr.f);
}

/**
 * The frame of a call from the loop of the Python function in src's slot
 * funcSlot with the nargs arguments in src's slots from argStart (the last
 * len(kwnames) keyword values): _PyEvalFramePushAndInit over the caller's
 * stack. The function's and the arguments' references move into the new
 * frame (their slots zeroed); what is left when it throws is the caller's
 * to release. CALL_PY_EXACT_ARGS's shape (positional arguments only,
 * exactly as many as the parameters, no *args / **kwargs / keyword-only
 * ones) and CALL_PY_WITH_DEFAULTS's (fewer, the rest from the defaults) are
 * filled in place; anything else goes through initializeLocals.
 */
function pushPyCall(vm: Vm, st: EvalState, src: number, funcSlot: number, argStart: number, nargs: number, kwnames: number): Frame {
  const rt = vm.interp.rt;
  const func = slot(src, funcSlot);
  if (st.stack.length >= vm.recursionLimit) recursionError(vm);
  const code = funcCode.get(func);
  const info = codeInfoIn(vm, st, code);
  const co = info.co;
  rt.incref(code);
  const stack = st.stack;
  const f = vm.dataStack.push(func, code, funcGlobals.get(func), funcBuiltins.get(func), 0, info.nlocalsplus + co.stacksize, info.nlocalsplus, stack.length > 0 ? stack[stack.length - 1]!.f : 0);
  setSlot(src, funcSlot, 0);
  const fr = takeFrame(st, f, info, 0, info.nlocalsplus, false, 0);
  const argcount = co.argcount;
  if (kwnames === 0 && nargs <= argcount && co.kwonlyargcount === 0 && (co.flags & (CO_VARARGS | CO_VARKEYWORDS)) === 0) {
    const defaults = funcDefaults.get(func);
    const ndef = defaults === 0 ? 0 : vm.interp.tuple.size(defaults);
    if (nargs + ndef >= argcount) {
      for (let k = 0; k < nargs; k++) {
        setSlot(f, k, slot(src, argStart + k));
        setSlot(src, argStart + k, 0);
      }
      for (let k = nargs; k < argcount; k++) {
        const d = vm.interp.tuple.getItem(defaults, k - (argcount - ndef));
        rt.incref(d);
        setSlot(f, k, d);
      }
      return fr;
    }
  }
  const args = new Array<number>(nargs);
  for (let k = 0; k < nargs; k++) {
    args[k] = slot(src, argStart + k);
    setSlot(src, argStart + k, 0);
  }
  try {
    initializeLocals(vm, fr, func, args, kwnames);
  } catch (e) {
    popFrame(vm, fr);
    throw e;
  }
  return fr;
}

/**
 * initialize_locals (Python/ceval.c): binds args (owned, each taken and
 * zeroed in the array as it is bound; the last len(kwnames) are keyword
 * values) to the parameters of func's code in frame fr: positional ones,
 * *args, keywords, **kwargs, then defaults and kwdefaults; TypeError in
 * CPython's words for what does not fit. The references left in args when
 * it throws are released.
 */
function initializeLocals(vm: Vm, fr: Frame, func: number, args: number[], kwnames: number): void {
  const { interp } = vm;
  const rt = interp.rt;
  const co = fr.info.co;
  const f = fr.f;
  const pending = args;
  const qualname = (): string => interp.str.toString(funcQualname.get(func));
  const nkw = kwnames === 0 ? 0 : interp.tuple.size(kwnames);
  const npos = args.length - nkw;
  const argcount = co.argcount;
  const total = argcount + co.kwonlyargcount;
  const defaultsTuple = funcDefaults.get(func);
  const kwdefaults = funcKwdefaults.get(func);
  let i = 0;
  try {
    for (; i < Math.min(npos, argcount); i++) {
      setSlot(f, i, pending[i]!);
      pending[i] = 0;
    }
    let varkw = 0;
    if (co.flags & CO_VARKEYWORDS) {
      varkw = interp.dict.new();
      setSlot(f, total + (co.flags & CO_VARARGS ? 1 : 0), varkw);
    }
    if (co.flags & CO_VARARGS) {
      const extra = pending.slice(argcount, npos);
      const t = vm.tupleOf(extra);
      for (let k = argcount; k < npos; k++) {
        rt.decref(pending[k]!);
        pending[k] = 0;
      }
      setSlot(f, total, t);
    } else if (npos > argcount) {
      const ndef = defaultsTuple === 0 ? 0 : interp.tuple.size(defaultsTuple);
      const plural = (n: number): string => (n === 1 ? '' : 's');
      const given = npos;
      const takes = ndef > 0 ? `from ${argcount - ndef} to ${argcount}` : `${argcount}`;
      raise(vm, 'TypeError', `${qualname()}() takes ${takes} positional argument${plural(ndef > 0 ? 2 : argcount)} but ${given} ${given === 1 ? 'was' : 'were'} given`);
    }
    const lpnames = fr.info.lpnames;
    for (let k = 0; k < nkw; k++) {
      const value = pending[npos + k]!;
      const kwk = interp.tuple.getItem(kwnames, k);
      // By identity first (a call's keyword names and the parameters' names are interned), then by text.
      let idx = -1;
      for (let j = co.posonlyargcount; j < total; j++) if (lpnames[j] === kwk) idx = j;
      const name = idx >= 0 ? co.localsplusnames[idx]! : interp.str.toString(kwk);
      if (idx < 0) for (let j = co.posonlyargcount; j < total; j++) if (co.localsplusnames[j] === name) idx = j;
      if (idx < 0) {
        if (varkw === 0) {
          // positional_only_passed_as_keyword
          const kw = interp.tuple.items(kwnames);
          const posonly = co.localsplusnames.slice(0, co.posonlyargcount).filter((n) => kw.some((k) => interp.str.toString(k) === n));
          if (posonly.length > 0) raise(vm, 'TypeError', `${qualname()}() got some positional-only arguments passed as keyword arguments: '${posonly.join(', ')}'`);
          raise(vm, 'TypeError', `${qualname()}() got an unexpected keyword argument '${name}'`);
        }
        interp.dict.setItem(varkw, kwk, value);
        rt.decref(value);
        pending[npos + k] = 0;
        continue;
      }
      if (slot(f, idx) !== 0) raise(vm, 'TypeError', `${qualname()}() got multiple values for argument '${name}'`);
      setSlot(f, idx, value);
      pending[npos + k] = 0;
    }
    const ndefaults = defaultsTuple === 0 ? 0 : interp.tuple.size(defaultsTuple);
    let missing: string[] | null = null;
    for (let j = 0; j < argcount; j++) {
      if (slot(f, j) !== 0) continue;
      const d = j - (argcount - ndefaults);
      if (d >= 0) {
        const v = interp.tuple.getItem(defaultsTuple, d);
        rt.incref(v);
        setSlot(f, j, v);
      } else (missing ??= []).push(co.localsplusnames[j]!);
    }
    if (missing !== null) raise(vm, 'TypeError', `${qualname()}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${listNames(missing)}`);
    for (let j = argcount; j < total; j++) {
      if (slot(f, j) !== 0) continue;
      const d = kwdefaults === 0 ? 0 : interp.dict.getItem(kwdefaults, id(vm, co.localsplusnames[j]!));
      if (d !== 0) {
        rt.incref(d);
        setSlot(f, j, d);
      } else (missing ??= []).push(co.localsplusnames[j]!);
    }
    if (missing !== null) raise(vm, 'TypeError', `${qualname()}() missing ${missing.length} required keyword-only argument${missing.length === 1 ? '' : 's'}: ${listNames(missing)}`);
  } finally {
    for (const p of pending) if (p !== 0) rt.decref(p);
  }
}

function listNames(names: string[]): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length === 1) return q[0]!;
  if (q.length === 2) return `${q[0]} and ${q[1]}`;
  return `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
}

/** A frame for a call from JavaScript of the Python function func (owned) with args (owned; the array is consumed). */
function pushCall(vm: Vm, st: EvalState, func: number, args: number[], kwnames: number, entry: boolean): Frame {
  const { interp } = vm;
  const code = funcCode.get(func);
  interp.rt.incref(code);
  let fr: Frame;
  try {
    fr = pushFrame(vm, st, func, code, funcGlobals.get(func), funcBuiltins.get(func), 0, entry);
  } catch (e) {
    for (const a of args) interp.rt.decref(a);
    throw e;
  }
  try {
    initializeLocals(vm, fr, func, args, kwnames);
  } catch (e) {
    popFrame(vm, fr);
    throw e;
  }
  // COPY_FREE_VARS finds the closure through f_func.
  return fr;
}

/** Calls a Python function from JavaScript (args and func borrowed). New reference. */
export function callPython(vm: Vm, func: number, args: readonly number[], kwnames: number): number {
  const rt = vm.interp.rt;
  rt.incref(func);
  for (const a of args) rt.incref(a);
  const fr = pushCall(vm, evalState(vm), func, args.slice(), kwnames, true);
  return run(vm, fr);
}

/** Runs module or class-body code (code borrowed) with the given globals and locals (borrowed). New reference. */
export function evalCode(vm: Vm, code: number, globals: number, locals: number, func = 0): number {
  const rt = vm.interp.rt;
  rt.incref(code);
  rt.xincref(locals);
  rt.xincref(func);
  const builtins = vm.builtins;
  const fr = pushFrame(vm, evalState(vm), func, code, globals, builtins, locals, true);
  return run(vm, fr);
}

/** Where each suspended generator stopped: the next instruction and the stack pointer. */
const genStates = new Map<number, { ip: number; sp: number }>();

/**
 * gen_send_ex2: resumes gen with `value` (borrowed; the frame's stack gets
 * its own reference). Returns ['yield', v] or ['return', v] (v new), or
 * throws what the generator raised.
 */
export function genSend(vm: Vm, gen: number, value: number): ['yield' | 'return', number] {
  const { interp } = vm;
  const state = vm.gen.state(gen);
  if (state === FRAME_EXECUTING) raise(vm, 'ValueError', `${genKind(vm, gen)} already executing`);
  if (state === FRAME_COMPLETED || state === FRAME_CLEARED) {
    if (vm.gen.isCoroutine(gen)) raise(vm, 'RuntimeError', 'cannot reuse already awaited coroutine');
    if (value !== interp.singletons.None && !vm.gen.isAsyncGen(gen)) raise(vm, 'StopIteration', null);
    return ['return', (interp.rt.incref(interp.singletons.None), interp.singletons.None)];
  }
  if (state === FRAME_CREATED && value !== interp.singletons.None) {
    raise(vm, 'TypeError', `can't send non-None value to a just-started ${genKind(vm, gen)}`);
  }
  return resumeGen(vm, gen, value, 0);
}

/**
 * gen_send_ex2 with exc set (_gen_throw's throw_here): resumes gen with
 * exc (owned) raised at the instruction it stopped at — its handlers run,
 * and what it yields, returns or raises comes back as from genSend. A
 * generator already finished raises exc; one delegating to another (its
 * next instruction the RESUME after a `yield from` or `await`) is not
 * supported (_gen_throw passes the exception down to the delegate) unless
 * `here` says to raise it in the delegating frame itself (gen_close, after
 * closing the delegate).
 */
export function genThrow(vm: Vm, gen: number, exc: number, here = false): ['yield' | 'return', number] {
  const state = vm.gen.state(gen);
  if (state === FRAME_EXECUTING) {
    vm.interp.rt.decref(exc);
    raise(vm, 'ValueError', `${genKind(vm, gen)} already executing`);
  }
  if (state === FRAME_COMPLETED || state === FRAME_CLEARED) {
    if (vm.gen.isCoroutine(gen)) {
      vm.interp.rt.decref(exc);
      raise(vm, 'RuntimeError', 'cannot reuse already awaited coroutine');
    }
    throw new PyErr(exc, 'raise');
  }
  const saved = genStates.get(gen)!;
  const info = codeInfo(vm, fCode.get(vm.gen.frame(gen)));
  if (!here && genYieldFrom(vm, gen) !== 0) {
    vm.interp.rt.decref(exc);
    throw new EvalNotImplementedError(`throwing into a ${genKind(vm, gen)} suspended in 'yield from' or 'await' is not supported by pymem's evaluation loop (${info.co.filename}:${info.lines[saved.ip >> 1]})`);
  }
  return resumeGen(vm, gen, 0, exc);
}

/** _PyGen_yf: what a suspended generator delegates to (its stack top, borrowed) when its next instruction is the RESUME after a `yield from` / `await`; 0 otherwise. */
export function genYieldFrom(vm: Vm, gen: number): number {
  if (vm.gen.state(gen) !== FRAME_SUSPENDED) return 0;
  const saved = genStates.get(gen)!;
  const f = vm.gen.frame(gen);
  const code = codeInfo(vm, fCode.get(f)).code;
  return code[saved.ip] === 151 && code[saved.ip + 1]! >= 2 ? slot(f, saved.sp - 1) : 0;
}

/** 'generator', 'coroutine' or 'async generator' (the words of gen_send_ex2's messages). */
function genKind(vm: Vm, gen: number): string {
  return vm.gen.isCoroutine(gen) ? 'coroutine' : vm.gen.isAsyncGen(gen) ? 'async generator' : 'generator';
}

/**
 * Runs gen's frame from where it stopped, with `value` (borrowed) pushed
 * as the result of its yield, or with exc (owned, value 0) raised there.
 * A StopIteration (or an async generator's StopAsyncIteration) escaping
 * the body becomes RuntimeError (PEP 479, gen_send_ex2).
 */
function resumeGen(vm: Vm, gen: number, value: number, exc: number): ['yield' | 'return', number] {
  const { interp } = vm;
  const f = vm.gen.frame(gen);
  const saved = genStates.get(gen)!;
  const st = evalState(vm);
  const stack = st.stack;
  const info = codeInfoIn(vm, st, fCode.get(f));
  if (stack.length >= vm.recursionLimit) {
    interp.rt.xdecref(exc);
    recursionError(vm);
  }
  fPrevious.set(f, stack.length > 0 ? stack[stack.length - 1]!.f : 0);
  const fr = takeFrame(st, f, info, saved.ip, saved.sp, true, gen);
  // A throw is raised at the YIELD_VALUE it stopped at (frame->prev_instr), or at the first instruction of a frame not started.
  fr.lasti = exc !== 0 && vm.gen.state(gen) === FRAME_SUSPENDED ? saved.ip - 2 : saved.ip;
  vm.gen.setState(gen, FRAME_EXECUTING);
  if (exc === 0) {
    interp.rt.incref(value);
    setSlot(f, fr.sp++, value);
  }
  let v: number;
  try {
    v = run(vm, fr, exc);
  } catch (e) {
    throw pep479(vm, gen, e);
  }
  if (vm.gen.state(gen) === FRAME_SUSPENDED) return ['yield', v];
  return ['return', v];
}

/** gen_send_ex2's PEP 479 check: StopIteration (StopAsyncIteration from an async generator) out of the body becomes RuntimeError, the original its cause. */
function pep479(vm: Vm, gen: number, e: unknown): unknown {
  if (!(e instanceof PyErr)) return e;
  const t = typeOf(vm, e.exc);
  const asyncGen = vm.gen.isAsyncGen(gen);
  const stopIt = vm.isSubtype(t, vm.excType('StopIteration'));
  if (!stopIt && !(asyncGen && vm.isSubtype(t, vm.excType('StopAsyncIteration')))) return e;
  const err = newErr(vm, 'RuntimeError', stopIt ? `${genKind(vm, gen)} raised StopIteration` : 'async generator raised StopAsyncIteration');
  // _PyErr_FormatFromCause: the original is the cause and the context.
  vm.exc.set(err.exc, 'cause', e.exc);
  vm.exc.set(err.exc, 'context', e.exc);
  vm.exc.setSuppressContext(err.exc, true);
  vm.interp.rt.decref(e.exc);
  return err;
}

/** gen_iternext: the next value (new reference), or 0 when the generator is done. */
export function genNext(vm: Vm, gen: number): number {
  const [status, v] = genSend(vm, gen, vm.interp.singletons.None);
  if (status === 'yield') return v;
  vm.interp.rt.decref(v);
  return 0;
}

/**
 * PyTraceBack_Here: a traceback entry for fr's frame object (made on first
 * use) in front of exc's traceback, at `lasti`. The traceback goes straight
 * onto exc.__traceback__ (CPython keeps it in tstate->curexc_traceback until
 * the handler's PyException_SetTraceback; nothing between can tell).
 */
function traceHere(vm: Vm, exc: number, fr: Frame, lasti = fr.lasti): void {
  const fo = vm.frameobj.frameObjectOf(fr.f);
  const tb = vm.traceback.new(vm.exc.get(exc, 'traceback'), fo, lasti);
  vm.exc.set(exc, 'traceback', tb);
  vm.interp.rt.decref(tb);
}

/**
 * The lasti a caller's traceback entry records when the frame it called
 * in the same loop unwound: 3.11's CALL moves prev_instr past its inline
 * caches before it pushes the callee, so the entry names the CALL's last
 * CACHE unit.
 */
function inlinedCallLasti(fr: Frame): number {
  return fr.lasti + 2 * inlineCacheEntries[fr.info.code[fr.lasti]!]!;
}

/** The handler of the exception table for a code unit, or undefined. */
function findHandler(info: CodeInfo, unit: number): ExceptionEntry | undefined {
  for (const e of info.exceptions) if (unit >= e.start && unit < e.end) return e;
  return undefined;
}

// --- the loop ------------------------------------------------------------------------------------------

/** _PyEval_EvalFrameDefault from an entry frame until it returns. New reference. */
function run(vm: Vm, entryFrame: Frame, thrown = 0): number {
  const { interp } = vm;
  const rt = interp.rt;
  const st = evalState(vm);
  const stack = st.stack;
  const None = interp.singletons.None;
  let fr = entryFrame;
  let f = fr.f;
  let info = fr.info;
  let code = info.code;
  let ip = fr.ip;
  let sp = fr.sp;

  const push = (v: number): void => {
    setSlot(f, sp++, v);
  };
  const pop = (): number => {
    const v = slot(f, --sp);
    setSlot(f, sp, 0);
    return v;
  };
  const top = (): number => slot(f, sp - 1);
  const peek = (n: number): number => slot(f, sp - n);
  const save = (): void => {
    fr.ip = ip;
    fr.sp = sp;
    stacktop.set(f, sp);
    fPrevInstr.set(f, ip - 2);
  };
  const load = (next: Frame): void => {
    fr = next;
    f = fr.f;
    info = fr.info;
    code = info.code;
    ip = fr.ip;
    sp = fr.sp;
  };
  const tracer = vm.lineTracer;
  let pending = thrown;
  for (;;) {
    try {
      if (pending !== 0) {
        // gen_send_ex2 with exc: the thrown exception is raised where the frame stopped (resume_with_error).
        const e = pending;
        pending = 0;
        throw new PyErr(e, 'raise');
      }
      for (;;) {
        fr.lasti = ip;
        let opcode = code[ip]!;
        let oparg = code[ip + 1]!;
        ip += 2;
        while (opcode === 144) {
          opcode = code[ip]!;
          oparg = (oparg << 8) | code[ip + 1]!;
          fr.lasti = ip;
          ip += 2;
        }
        if (tracer !== null) tracer.instruction(fr);
        switch (opcode) {
          case 9: // NOP
          case 151: // RESUME
            break;
          case 1: // POP_TOP
            rt.decref(pop());
            break;
          case 2: // PUSH_NULL
            push(0);
            break;
          case 100: {
            // LOAD_CONST
            const v = info.consts[oparg]!;
            rt.incref(v);
            push(v);
            break;
          }
          case 124: {
            // LOAD_FAST
            const v = slot(f, oparg);
            if (v === 0) raise(vm, 'UnboundLocalError', `cannot access local variable '${info.co.localsplusnames[oparg]}' where it is not associated with a value`);
            rt.incref(v);
            push(v);
            break;
          }
          case 125: {
            // STORE_FAST
            const v = pop();
            const old = slot(f, oparg);
            setSlot(f, oparg, v);
            rt.xdecref(old);
            break;
          }
          case 101: {
            // LOAD_NAME (at module level, where the locals are the globals, as LOAD_GLOBAL)
            const name = info.names[oparg]!;
            const locals = fLocals.get(f);
            const globals = fGlobals.get(f);
            const exactLocals = locals === 0 || typeOf(vm, locals) === interp.dict.type;
            if (!exactLocals) {
              // A class body's namespace from __prepare__ that is no dict: PyObject_GetItem (a new reference).
              const r = namespaceGet(vm, locals, name);
              if (r !== 0) {
                push(r);
                break;
              }
            }
            let v: number;
            if (locals === globals) v = loadGlobal(vm, info.caches, ip >> 1, globals, fBuiltins.get(f), name);
            else {
              v = locals !== 0 && exactLocals ? interp.dict.getItem(locals, name) : 0;
              if (v === 0) v = interp.dict.getItem(globals, name);
              if (v === 0) v = interp.dict.getItem(fBuiltins.get(f), name);
            }
            if (v === 0) raise(vm, 'NameError', `name '${info.co.names[oparg]}' is not defined`);
            rt.incref(v);
            push(v);
            break;
          }
          case 90: {
            // STORE_NAME
            const v = pop();
            try {
              const locals = fLocals.get(f);
              if (typeOf(vm, locals) === interp.dict.type) interp.dict.setItem(locals, info.names[oparg]!, v);
              else setItem(vm, locals, info.names[oparg]!, v);
            } finally {
              rt.decref(v);
            }
            break;
          }
          case 116: {
            // LOAD_GLOBAL
            const v = loadGlobal(vm, info.caches, ip >> 1, fGlobals.get(f), fBuiltins.get(f), info.names[oparg >> 1]!);
            if (v === 0) raise(vm, 'NameError', `name '${info.co.names[oparg >> 1]}' is not defined`);
            if (oparg & 1) push(0);
            rt.incref(v);
            push(v);
            ip += 10;
            break;
          }
          case 135: {
            // MAKE_CELL
            const cell = interp.cell.new(slot(f, oparg));
            const old = slot(f, oparg);
            setSlot(f, oparg, cell);
            rt.xdecref(old);
            break;
          }
          case 149: {
            // COPY_FREE_VARS
            const closure = funcClosure.get(fFunc.get(f));
            const offset = info.nlocalsplus - oparg;
            for (let i = 0; i < oparg; i++) {
              const cell = interp.tuple.getItem(closure, i);
              rt.incref(cell);
              setSlot(f, offset + i, cell);
            }
            break;
          }
          case 136: {
            // LOAD_CLOSURE
            const v = slot(f, oparg);
            rt.incref(v);
            push(v);
            break;
          }
          case 137:
          case 148: {
            // LOAD_DEREF, LOAD_CLASSDEREF
            if (opcode === 148) {
              const locals = fLocals.get(f);
              const v = interp.dict.getItem(locals, interp.str.internFromString(info.co.localsplusnames[oparg]!));
              if (v !== 0) {
                rt.incref(v);
                push(v);
                break;
              }
            }
            const v = interp.cell.contents(slot(f, oparg));
            if (v === 0) raise(vm, 'NameError', `cannot access free variable '${info.co.localsplusnames[oparg]}' where it is not associated with a value in enclosing scope`);
            rt.incref(v);
            push(v);
            break;
          }
          case 138: {
            // STORE_DEREF
            const v = pop();
            interp.cell.set(slot(f, oparg), v);
            rt.decref(v);
            break;
          }
          case 106: {
            // LOAD_ATTR
            const owner = top();
            const v = loadAttr(vm, info.caches, ip >> 1, owner, info.names[oparg]!);
            setSlot(f, sp - 1, v);
            rt.decref(owner);
            ip += 8;
            break;
          }
          case 160: {
            // LOAD_METHOD: [meth, self] for an unbound function of the type, else [NULL, attr].
            const owner = top();
            const name = info.names[oparg]!;
            const meth = loadMethod(vm, info.caches, ip >> 1, owner, name);
            if (meth !== 0) {
              rt.incref(meth);
              setSlot(f, sp - 1, meth);
              push(owner);
            } else {
              const v = getAttr(vm, owner, name);
              setSlot(f, sp - 1, 0);
              push(v);
              rt.decref(owner);
            }
            ip += 20;
            break;
          }
          case 95: {
            // STORE_ATTR
            const owner = pop();
            const v = pop();
            try {
              storeAttr(vm, info.caches, ip >> 1, owner, info.names[oparg]!, v);
            } finally {
              rt.decref(owner);
              rt.decref(v);
            }
            ip += 8;
            break;
          }
          case 96: {
            // DELETE_ATTR
            const owner = pop();
            try {
              setAttr(vm, owner, info.names[oparg]!, 0);
            } finally {
              rt.decref(owner);
            }
            break;
          }
          case 166: // PRECALL
            ip += 2;
            break;
          case 172: // KW_NAMES
            fr.kwnames = info.consts[oparg]!;
            break;
          case 171: {
            // CALL
            const kwnames = fr.kwnames;
            fr.kwnames = 0;
            const base = sp - oparg - 2;
            let isMeth = slot(f, base) !== 0;
            let callable = isMeth ? slot(f, base) : slot(f, base + 1);
            ip += 8;
            let callableType = typeOf(vm, callable);
            if (!isMeth && callableType === vm.method.type) {
              // A bound method in the callable's place: [func, self, args...] as if LOAD_METHOD had made it (CALL's PyMethod_Check).
              const m = callable;
              callable = vm.method.func(m);
              const self = vm.method.self(m);
              rt.incref(callable);
              rt.incref(self);
              setSlot(f, base, callable);
              setSlot(f, base + 1, self);
              rt.decref(m);
              isMeth = true;
              callableType = typeOf(vm, callable);
            }
            const argStart = isMeth ? base + 1 : base + 2;
            const nargs = sp - argStart;
            if (callableType === interp.function.type) {
              // The inlined call (CALL_PY_EXACT_ARGS ...): the new frame takes the function's and the arguments' references.
              const top = sp;
              sp = base;
              save();
              let next: Frame;
              try {
                next = pushPyCall(vm, st, f, isMeth ? base : base + 1, argStart, nargs, kwnames);
              } catch (e) {
                clearSlots(rt, f, base, top);
                throw e;
              }
              load(next);
              break;
            }
            if (isPythonInitClass(vm, callable)) {
              // A class whose __init__ is a Python function: the instance made, then __init__'s frame inlined.
              const args: number[] = [];
              for (let i = 0; i < nargs; i++) {
                args.push(slot(f, argStart + i));
                setSlot(f, argStart + i, 0);
              }
              const cls = callable;
              setSlot(f, isMeth ? base : base + 1, 0);
              const other = slot(f, base);
              if (other !== 0) rt.decref(other);
              setSlot(f, base, 0);
              sp = base;
              save();
              const init = typeLookup(vm, vm.typeobj.typeOfObject(cls)!, id(vm, '__init__'));
              let self: number;
              try {
                self = vm.newInstance(cls, args, kwnames);
              } catch (e) {
                for (const a of args) rt.decref(a);
                rt.decref(cls);
                throw e;
              }
              rt.decref(cls);
              rt.incref(init);
              rt.incref(self);
              args.unshift(self);
              let next: Frame;
              try {
                next = pushCall(vm, st, init, args, kwnames, false);
              } catch (e) {
                rt.decref(self);
                throw e;
              }
              next.initSelf = self;
              load(next);
              break;
            }
            const args: number[] = [];
            for (let i = argStart; i < sp; i++) args.push(slot(f, i));
            let res: number;
            save();
            try {
              res = callObject(vm, callable, args, kwnames);
            } finally {
              clearSlots(rt, f, base, sp);
              sp = base;
            }
            push(res);
            break;
          }
          case 132: {
            // MAKE_FUNCTION
            const codeObj = pop();
            const closure = oparg & 8 ? pop() : 0;
            const annotations = oparg & 4 ? pop() : 0;
            const kwdefaults = oparg & 2 ? pop() : 0;
            const defaults = oparg & 1 ? pop() : 0;
            try {
              const ci = codeInfo(vm, codeObj);
              const doc = ci.consts.length > 0 && interp.str.checkExact(ci.consts[0]!) ? ci.consts[0]! : undefined;
              push(
                interp.function.newFunction({
                  name: vm.code.name(codeObj),
                  qualname: vm.code.qualname(codeObj),
                  globals: fGlobals.get(f),
                  code: codeObj,
                  defaults,
                  kwdefaults,
                  closure,
                  annotations,
                  ...(doc !== undefined ? { doc } : {}),
                }),
              );
            } finally {
              rt.decref(codeObj);
              rt.xdecref(closure);
              rt.xdecref(annotations);
              rt.xdecref(kwdefaults);
              rt.xdecref(defaults);
            }
            break;
          }
          case 83: {
            // RETURN_VALUE
            let retval = pop();
            const done = fr;
            if (done.initSelf !== 0) {
              if (retval !== None) {
                const tn = typeName(vm, retval);
                rt.decref(retval);
                raise(vm, 'TypeError', `__init__() should return None, not '${tn}'`);
              }
              rt.decref(retval);
              retval = done.initSelf;
              rt.incref(retval);
            }
            sp = done.sp = sp;
            fr.sp = sp;
            popFrame(vm, done);
            if (done.entry) return retval;
            load(stack[stack.length - 1]!);
            push(retval);
            break;
          }
          case 122: {
            // BINARY_OP
            const rhs = pop();
            const lhs = pop();
            try {
              const fast = binaryOpFast(vm, lhs, rhs, oparg);
              push(fast !== 0 ? fast : binaryOp(vm, lhs, rhs, oparg));
            } finally {
              rt.decref(lhs);
              rt.decref(rhs);
            }
            ip += 2;
            break;
          }
          case 107: {
            // COMPARE_OP
            const rhs = pop();
            const lhs = pop();
            try {
              const fast = compareOpFast(vm, lhs, rhs, oparg);
              push(fast !== null ? interp.long.fromBool(fast) : richCompare(vm, lhs, rhs, oparg));
            } finally {
              rt.decref(lhs);
              rt.decref(rhs);
            }
            ip += 4;
            break;
          }
          case 117: {
            // IS_OP
            const rhs = pop();
            const lhs = pop();
            const res = (lhs === rhs) !== (oparg === 1);
            rt.decref(lhs);
            rt.decref(rhs);
            push(interp.long.fromBool(res));
            break;
          }
          case 118: {
            // CONTAINS_OP
            const rhs = pop();
            const lhs = pop();
            try {
              push(interp.long.fromBool(contains(vm, rhs, lhs) !== (oparg === 1)));
            } finally {
              rt.decref(lhs);
              rt.decref(rhs);
            }
            break;
          }
          case 10:
          case 11:
          case 15: {
            // UNARY_POSITIVE, UNARY_NEGATIVE, UNARY_INVERT
            const v = pop();
            try {
              push(unaryOp(vm, v, opcode === 10 ? 'pos' : opcode === 11 ? 'neg' : 'invert'));
            } finally {
              rt.decref(v);
            }
            break;
          }
          case 12: {
            // UNARY_NOT
            const v = pop();
            try {
              push(interp.long.fromBool(!isTrue(vm, v)));
            } finally {
              rt.decref(v);
            }
            break;
          }
          case 25: {
            // BINARY_SUBSCR
            const sub = pop();
            const container = pop();
            try {
              const fast = subscrFast(vm, container, sub);
              push(fast !== 0 ? fast : getItem(vm, container, sub));
            } finally {
              rt.decref(container);
              rt.decref(sub);
            }
            ip += 8;
            break;
          }
          case 60: {
            // STORE_SUBSCR
            const sub = pop();
            const container = pop();
            const v = pop();
            try {
              if (!storeSubscrFast(vm, container, sub, v)) setItem(vm, container, sub, v);
            } finally {
              rt.decref(sub);
              rt.decref(container);
              rt.decref(v);
            }
            ip += 2;
            break;
          }
          case 102:
          case 103:
          case 104: {
            // BUILD_TUPLE, BUILD_LIST, BUILD_SET
            const items: number[] = [];
            for (let i = sp - oparg; i < sp; i++) items.push(slot(f, i));
            let v: number;
            if (opcode === 102) v = vm.tupleOf(items);
            else if (opcode === 103) {
              // _PyList_FromArraySteal: exactly n slots (the stack's references are dropped below).
              v = interp.list.new(items.length);
              items.forEach((x, i) => {
                rt.incref(x);
                interp.list.setItem(v, i, x);
              });
            } else v = interp.set.new(items);
            for (let i = 0; i < oparg; i++) rt.decref(pop());
            push(v);
            break;
          }
          case 145: {
            // LIST_APPEND
            const v = pop();
            interp.list.append(peek(oparg), v);
            rt.decref(v);
            break;
          }
          case 92: {
            // UNPACK_SEQUENCE
            const seq = pop();
            let items: number[];
            try {
              items = iterate(vm, seq);
            } finally {
              rt.decref(seq);
            }
            if (items.length !== oparg) {
              for (const x of items) rt.decref(x);
              if (items.length < oparg) raise(vm, 'ValueError', `not enough values to unpack (expected ${oparg}, got ${items.length})`);
              raise(vm, 'ValueError', `too many values to unpack (expected ${oparg})`);
            }
            for (let i = items.length - 1; i >= 0; i--) push(items[i]!);
            ip += 2;
            break;
          }
          case 68: {
            // GET_ITER
            const v = top();
            const it = getIter(vm, v);
            setSlot(f, sp - 1, it);
            rt.decref(v);
            break;
          }
          case 93: {
            // FOR_ITER
            save();
            const next = iterNext(vm, top());
            if (next !== 0) push(next);
            else {
              rt.decref(pop());
              ip += oparg * 2;
            }
            break;
          }
          case 110: // JUMP_FORWARD
            ip += oparg * 2;
            break;
          case 140: // JUMP_BACKWARD
          case 134: // JUMP_BACKWARD_NO_INTERRUPT
            ip -= oparg * 2;
            break;
          case 114:
          case 115:
          case 175:
          case 176: {
            // POP_JUMP_{FORWARD,BACKWARD}_IF_{FALSE,TRUE}
            const v = pop();
            let t: boolean;
            try {
              t = isTrue(vm, v);
            } finally {
              rt.decref(v);
            }
            if (t === (opcode === 115 || opcode === 176)) ip += (opcode >= 175 ? -oparg : oparg) * 2;
            break;
          }
          case 128:
          case 129:
          case 173:
          case 174: {
            // POP_JUMP_{FORWARD,BACKWARD}_IF_{NOT_NONE,NONE}
            const v = pop();
            const isNone = v === None;
            rt.decref(v);
            if (isNone === (opcode === 129 || opcode === 174)) ip += (opcode >= 173 ? -oparg : oparg) * 2;
            break;
          }
          case 111:
          case 112: {
            // JUMP_IF_FALSE_OR_POP, JUMP_IF_TRUE_OR_POP
            const t = isTrue(vm, top());
            if (t === (opcode === 112)) ip += oparg * 2;
            else rt.decref(pop());
            break;
          }
          case 120: {
            // COPY
            const v = peek(oparg);
            rt.incref(v);
            push(v);
            break;
          }
          case 99: {
            // SWAP
            const a = peek(1);
            setSlot(f, sp - 1, peek(oparg));
            setSlot(f, sp - oparg, a);
            break;
          }
          case 75: {
            // RETURN_GENERATOR: the frame moves into a new generator object (_Py_MakeCoro + _PyFrame_Copy).
            const slots = info.nlocalsplus + info.co.stacksize;
            const codePtr = fCode.get(f);
            const func = fFunc.get(f);
            const ffields = interp.function.fields(func);
            const genType = info.co.flags & CO_ASYNC_GENERATOR ? vm.gen.asyncGenType : info.co.flags & CO_COROUTINE ? vm.gen.coroType : vm.gen.type;
            const gen = vm.gen.new(codePtr, ffields.name, ffields.qualname, slots, genType);
            const gf = vm.gen.frame(gen);
            copyFrame(f, gf, slots);
            stacktop.set(gf, sp);
            fPrevious.set(gf, 0);
            fOwner.set(gf, FRAME_OWNED_BY_GENERATOR);
            for (let i = 0; i < sp; i++) setSlot(f, i, 0);
            fFunc.set(f, 0);
            fLocals.set(f, 0);
            rt.incref(codePtr);
            genStates.set(gen, { ip, sp });
            vm.gen.setState(gen, FRAME_CREATED);
            vm.gen.track(gen);
            fr.sp = 0;
            sp = 0;
            const done = fr;
            popFrame(vm, done);
            if (done.entry) return gen;
            load(stack[stack.length - 1]!);
            push(gen);
            break;
          }
          case 87: {
            // ASYNC_GEN_WRAP: what an async generator yields is marked as its own (_PyAsyncGenValueWrapNew).
            const v = top();
            setSlot(f, sp - 1, vm.asyncGen.wrapValue(v));
            rt.decref(v);
            break;
          }
          case 86: {
            // YIELD_VALUE
            const v = pop();
            tracer?.leave(fr);
            fr.ip = ip;
            fr.sp = sp;
            stacktop.set(f, sp);
            genStates.set(fr.gen, { ip, sp });
            vm.gen.setState(fr.gen, FRAME_SUSPENDED);
            // A suspended frame has no caller (gen_frame->previous = NULL): a frame object taken from it later has no f_back.
            fPrevious.set(f, 0);
            fPrevInstr.set(f, fr.lasti);
            stack.pop();
            return v;
          }
          case 123: {
            // SEND
            const v = pop();
            const receiver = top();
            let status: 'yield' | 'return';
            let retval: number;
            try {
              if (vm.gen.check(receiver) && !vm.gen.isAsyncGen(receiver)) [status, retval] = genSend(vm, receiver, v);
              else [status, retval] = sendTo(vm, receiver, v);
            } finally {
              rt.decref(v);
            }
            if (status === 'return') {
              rt.decref(receiver);
              setSlot(f, sp - 1, retval);
              ip += oparg * 2;
            } else push(retval);
            break;
          }
          default:
            // The less frequent instructions, out of this function (coldOpcodes.ts).
            save();
            try {
              coldOpcode(vm, fr, opcode, oparg);
            } finally {
              ip = fr.ip;
              sp = fr.sp;
            }
        }
      }
    } catch (e) {
      // exception_unwind.
      const err = toPyErr(vm, e);
      const exc = err.exc;
      if (!(err.message === 'reraise')) traceHere(vm, exc, fr);
      for (;;) {
        const handler = findHandler(info, fr.lasti >> 1);
        if (handler !== undefined) {
          while (sp > info.nlocalsplus + handler.depth) {
            const v = pop();
            rt.xdecref(v);
          }
          if (handler.lasti) push(interp.long.fromNumber(fr.lasti >> 1));
          if (vm.excInfo !== 0 && vm.exc.get(exc, 'context') === 0 && vm.excInfo !== exc) vm.exc.set(exc, 'context', vm.excInfo);
          push(exc);
          ip = handler.target * 2;
          break;
        }
        fr.sp = sp;
        const done = fr;
        popFrame(vm, done);
        // Out of an entry frame (a generator's or coroutine's send), the caller's frame adds its own line: a re-raise is a raise there.
        if (done.entry) throw err.message === 'reraise' ? new PyErr(exc, 'raise') : err;
        load(stack[stack.length - 1]!);
        traceHere(vm, exc, fr, inlinedCallLasti(fr));
      }
    }
  }
}

/** Releases the references in slots [from, to) of frame f (zeroing them), top first. */
function clearSlots(rt: Vm['interp']['rt'], f: number, from: number, to: number): void {
  for (let i = to - 1; i >= from; i--) {
    const v = slot(f, i);
    if (v !== 0) {
      setSlot(f, i, 0);
      rt.decref(v);
    }
  }
}

/** Whether callable is a class whose __init__ is a Python function (the loop then inlines the __init__ call). */
function isPythonInitClass(vm: Vm, callable: number): boolean {
  const t = vm.typeobj.typeOfObject(callable);
  if (t === undefined || !vm.classes.has(t.id) || typeOf(vm, callable) !== vm.typeobj.type || !hasObjectNew(vm, t)) return false;
  const init = typeLookup(vm, t, id(vm, '__init__'));
  return init !== 0 && typeOf(vm, init) === vm.interp.function.type;
}
