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
import { beforeAsyncWith, getAsyncIter, getAsyncNext, getAwaitableIter } from './coroutines.js';
import { CO_ASYNC_GENERATOR, CO_COROUTINE, CO_VARARGS, CO_VARKEYWORDS, type CodeObject } from '../frontend/code.js';
import { InlineCaches, loadAttr, loadGlobal, loadMethod, storeAttr } from './specialize.js';
import { opname } from '../frontend/opcode.js';
import { fCode, fFunc, fGlobals, fBuiltins, fLocals, fPrevInstr, fPrevious, copyFrame, localsplus, stacktop } from '../objects/types/frame.js';
import { FRAME_CLEARED, FRAME_COMPLETED, FRAME_CREATED, FRAME_EXECUTING, FRAME_SUSPENDED } from '../objects/types/generator.js';
import {
  binaryOp,
  callObject,
  contains,
  getAttr,
  getAttrOrNull,
  getItem,
  getIter,
  id,
  isTrue,
  iterate,
  iterNext,
  newErr,
  raise,
  repr,
  richCompare,
  setAttr,
  setItem,
  str,
  toPyErr,
  typeLookup,
  withSetOperands,
  typeName,
  typeOf,
  unaryOp,
} from './abstract.js';
import { PyErr, EvalNotImplementedError } from './pyerr.js';
import { formatValue } from './format.js';
import { printExpr } from './displayhook.js';
import { matchClass, matchKeys, matchMapping, matchSequence } from './patternMatching.js';
import type { Vm } from './vm.js';

/** One entry of a code object's exception table (in code units). */
interface ExceptionEntry {
  readonly start: number;
  readonly end: number;
  readonly target: number;
  readonly depth: number;
  readonly lasti: boolean;
}

/** The construct behind an opcode the loop does not run, for its NotImplementedError. */
const UNSUPPORTED_CONSTRUCTS = new Map<number, string>([
  [37, 'except* (exception groups)'],
  [88, 'except* (exception groups)'],
  [84, "'from ... import *'"],
]);

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

/** A running frame, as the loop keeps it beside the _PyInterpreterFrame. */
interface Frame {
  readonly f: number;
  readonly info: CodeInfo;
  /** Byte offset of the next instruction. */
  ip: number;
  /** Slots of localsplus in use (locals + stack). */
  sp: number;
  /** Byte offset of the instruction running (for tracebacks and the exception table). */
  lasti: number;
  /** The instance a frame of __init__ made (its result, once __init__ returns None); 0 otherwise. */
  initSelf: number;
  /** Whether returning from this frame returns to JavaScript. */
  readonly entry: boolean;
  /** KW_NAMES's tuple for the next CALL (borrowed from co_consts), 0 for none. */
  kwnames: number;
  /** The generator whose frame this is (its gi_iframe), 0 for a frame on the data stack. */
  gen: number;
}

/** A traceback entry: where an exception passed. */
export interface TracebackEntry {
  readonly filename: string;
  readonly line: number;
  readonly name: string;
  /** The instruction's end line and columns (UTF-8 bytes), -1 when unknown. */
  readonly endLine: number;
  readonly col: number;
  readonly endCol: number;
}

const codeInfos = new WeakMap<Vm, Map<number, CodeInfo>>();
const frames = new WeakMap<Vm, Frame[]>();

/** The traceback entries of each exception in flight or caught (innermost last). */
export const tracebacks = new WeakMap<Vm, Map<number, TracebackEntry[]>>();

function tbOf(vm: Vm): Map<number, TracebackEntry[]> {
  let m = tracebacks.get(vm);
  if (m === undefined) {
    const map = (m = new Map());
    tracebacks.set(vm, map);
    vm.exc.onDealloc = (op) => map.delete(op);
  }
  return m;
}

function frameStack(vm: Vm): Frame[] {
  let s = frames.get(vm);
  if (s === undefined) frames.set(vm, (s = []));
  return s;
}

/** The frames running now, outermost first, each with the byte offset of its running instruction (for sys._getframe-like needs, super() and tracemalloc). */
export function currentFrames(vm: Vm): readonly { readonly f: number; readonly info: CodeInfo; readonly lasti: number }[] {
  return frameStack(vm);
}

/** The decoded form of a code object. */
export function codeInfo(vm: Vm, ptr: number): CodeInfo {
  let m = codeInfos.get(vm);
  if (m === undefined) {
    const map = (m = new Map());
    codeInfos.set(vm, map);
    // A freed code object's address is reused by the next block of its size: its decoding goes with it.
    vm.code.onDealloc = (op) => map.delete(op);
  }
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

/**
 * _PyEvalFramePushAndInit: a frame for func (owned) with its locals
 * initialised from args (owned references, the last len(kwnames) the
 * keyword values; initialize_locals), or for module / class code (func 0,
 * code owned, locals owned).
 */
function pushFrame(vm: Vm, func: number, code: number, globals: number, builtins: number, locals: number, entry: boolean): Frame {
  const stack = frameStack(vm);
  if (stack.length >= vm.recursionLimit) {
    vm.interp.rt.xdecref(func);
    if (func !== 0) vm.interp.rt.decref(code);
    vm.interp.rt.xdecref(locals);
    raise(vm, 'RecursionError', 'maximum recursion depth exceeded');
  }
  const info = codeInfo(vm, code);
  const previous = stack.length > 0 ? stack[stack.length - 1]!.f : 0;
  const f = vm.dataStack.push(func, code, globals, builtins, locals, info.nlocalsplus + info.co.stacksize, info.nlocalsplus, previous);
  const fr: Frame = { f, info, ip: 0, sp: info.nlocalsplus, lasti: 0, initSelf: 0, entry, kwnames: 0, gen: 0 };
  stack.push(fr);
  return fr;
}

/** _PyFrame_Clear + pop: every reference the frame holds released, its memory back to the data stack. */
function popFrame(vm: Vm, fr: Frame): void {
  const rt = vm.interp.rt;
  vm.lineTracer?.leave(fr);
  if (fr.gen !== 0) {
    stacktop.set(fr.f, fr.sp);
    vm.gen.clearFrame(fr.gen);
    genStates.delete(fr.gen);
    frameStack(vm).pop();
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
 * initialize_locals (Python/ceval.c): binds args (owned; the last
 * len(kwnames) are keyword values) to the parameters of func's code in
 * frame f: positional ones, *args, keywords, **kwargs, then defaults and
 * kwdefaults; TypeError in CPython's words for what does not fit.
 */
function initializeLocals(vm: Vm, fr: Frame, func: number, args: number[], kwnames: number): void {
  const { interp } = vm;
  const rt = interp.rt;
  const co = fr.info.co;
  const f = fr.f;
  // The common call (the shape CPython 3.11 specialises as CALL_PY_EXACT_ARGS): positional
  // arguments only, exactly as many as the parameters, no *args / **kwargs / keyword-only ones.
  if (kwnames === 0 && args.length === co.argcount && co.kwonlyargcount === 0 && (co.flags & (CO_VARARGS | CO_VARKEYWORDS)) === 0) {
    for (let k = 0; k < args.length; k++) setSlot(f, k, args[k]!);
    return;
  }
  const fields = interp.function.fields(func);
  const qualname = (): string => interp.str.toString(fields.qualname);
  const kw = kwnames === 0 ? [] : interp.tuple.items(kwnames);
  const npos = args.length - kw.length;
  const argcount = co.argcount;
  const total = argcount + co.kwonlyargcount;
  let i = 0;
  const pending = args.slice();
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
      const ndef = fields.defaults === 0 ? 0 : interp.tuple.size(fields.defaults);
      const plural = (n: number): string => (n === 1 ? '' : 's');
      const given = npos;
      const takes = ndef > 0 ? `from ${argcount - ndef} to ${argcount}` : `${argcount}`;
      raise(vm, 'TypeError', `${qualname()}() takes ${takes} positional argument${plural(ndef > 0 ? 2 : argcount)} but ${given} ${given === 1 ? 'was' : 'were'} given`);
    }
    const lpnames = fr.info.lpnames;
    for (let k = 0; k < kw.length; k++) {
      const value = pending[npos + k]!;
      // By identity first (a call's keyword names and the parameters' names are interned), then by text.
      let idx = -1;
      for (let j = co.posonlyargcount; j < total; j++) if (lpnames[j] === kw[k]) idx = j;
      const name = idx >= 0 ? co.localsplusnames[idx]! : interp.str.toString(kw[k]!);
      if (idx < 0) for (let j = co.posonlyargcount; j < total; j++) if (co.localsplusnames[j] === name) idx = j;
      if (idx < 0) {
        if (varkw === 0) {
          // positional_only_passed_as_keyword
          const posonly = co.localsplusnames.slice(0, co.posonlyargcount).filter((n) => kw.some((k) => interp.str.toString(k) === n));
          if (posonly.length > 0) raise(vm, 'TypeError', `${qualname()}() got some positional-only arguments passed as keyword arguments: '${posonly.join(', ')}'`);
          raise(vm, 'TypeError', `${qualname()}() got an unexpected keyword argument '${name}'`);
        }
        interp.dict.setItem(varkw, kw[k]!, value);
        rt.decref(value);
        pending[npos + k] = 0;
        continue;
      }
      if (slot(f, idx) !== 0) raise(vm, 'TypeError', `${qualname()}() got multiple values for argument '${name}'`);
      setSlot(f, idx, value);
      pending[npos + k] = 0;
    }
    const defaults = fields.defaults === 0 ? [] : interp.tuple.items(fields.defaults);
    const missing: string[] = [];
    for (let j = 0; j < argcount; j++) {
      if (slot(f, j) !== 0) continue;
      const d = j - (argcount - defaults.length);
      if (d >= 0) {
        rt.incref(defaults[d]!);
        setSlot(f, j, defaults[d]!);
      } else missing.push(co.localsplusnames[j]!);
    }
    if (missing.length > 0) raise(vm, 'TypeError', `${qualname()}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${listNames(missing)}`);
    for (let j = argcount; j < total; j++) {
      if (slot(f, j) !== 0) continue;
      const d = fields.kwdefaults === 0 ? 0 : interp.dict.getItem(fields.kwdefaults, id(vm, co.localsplusnames[j]!));
      if (d !== 0) {
        rt.incref(d);
        setSlot(f, j, d);
      } else missing.push(co.localsplusnames[j]!);
    }
    if (missing.length > 0) raise(vm, 'TypeError', `${qualname()}() missing ${missing.length} required keyword-only argument${missing.length === 1 ? '' : 's'}: ${listNames(missing)}`);
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

/** A frame for a call of the Python function func (owned) with args (owned). */
function pushCall(vm: Vm, func: number, args: number[], kwnames: number, entry: boolean): Frame {
  const { interp } = vm;
  const fields = interp.function.fields(func);
  interp.rt.incref(fields.code);
  let fr: Frame;
  try {
    fr = pushFrame(vm, func, fields.code, fields.globals, fields.builtins, 0, entry);
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
  const fr = pushCall(vm, func, args.slice(), kwnames, true);
  return run(vm, fr);
}

/** Runs module or class-body code (code borrowed) with the given globals and locals (borrowed). New reference. */
export function evalCode(vm: Vm, code: number, globals: number, locals: number, func = 0): number {
  const rt = vm.interp.rt;
  rt.incref(code);
  rt.xincref(locals);
  rt.xincref(func);
  const builtins = vm.builtins;
  const fr = pushFrame(vm, func, code, globals, builtins, locals, true);
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
  if (state === FRAME_EXECUTING) raise(vm, 'ValueError', `${vm.gen.isCoroutine(gen) ? 'coroutine' : 'generator'} already executing`);
  if (state === FRAME_COMPLETED || state === FRAME_CLEARED) {
    if (vm.gen.isCoroutine(gen)) raise(vm, 'RuntimeError', 'cannot reuse already awaited coroutine');
    if (value !== interp.singletons.None) raise(vm, 'StopIteration', null);
    return ['return', (interp.rt.incref(interp.singletons.None), interp.singletons.None)];
  }
  if (state === FRAME_CREATED && value !== interp.singletons.None) {
    raise(vm, 'TypeError', `can't send non-None value to a just-started ${vm.gen.isCoroutine(gen) ? 'coroutine' : 'generator'}`);
  }
  const f = vm.gen.frame(gen);
  const saved = genStates.get(gen)!;
  const stack = frameStack(vm);
  const info = codeInfo(vm, fCode.get(f));
  fPrevious.set(f, stack.length > 0 ? stack[stack.length - 1]!.f : 0);
  if (stack.length >= vm.recursionLimit) raise(vm, 'RecursionError', 'maximum recursion depth exceeded');
  const fr: Frame = { f, info, ip: saved.ip, sp: saved.sp, lasti: saved.ip, initSelf: 0, entry: true, kwnames: 0, gen };
  stack.push(fr);
  vm.gen.setState(gen, FRAME_EXECUTING);
  interp.rt.incref(value);
  setSlot(f, fr.sp++, value);
  const v = run(vm, fr);
  if (vm.gen.state(gen) === FRAME_SUSPENDED) return ['yield', v];
  return ['return', v];
}

/** gen_iternext: the next value (new reference), or 0 when the generator is done. */
export function genNext(vm: Vm, gen: number): number {
  const [status, v] = genSend(vm, gen, vm.interp.singletons.None);
  if (status === 'yield') return v;
  vm.interp.rt.decref(v);
  return 0;
}

/** Where in the source an exception passed through fr (its current instruction). */
function tbEntry(fr: Frame): TracebackEntry {
  const u = fr.lasti >> 1;
  const { info } = fr;
  return { filename: info.co.filename, line: info.lines[u] ?? -1, name: info.co.name, endLine: info.endLines[u] ?? -1, col: info.cols[u] ?? -1, endCol: info.endCols[u] ?? -1 };
}

/** Adds fr's entry to exc's traceback (PyTraceBack_Here). */
function traceHere(vm: Vm, exc: number, fr: Frame): void {
  const m = tbOf(vm);
  let tb = m.get(exc);
  if (tb === undefined) m.set(exc, (tb = []));
  tb.push(tbEntry(fr));
}

/** The handler of the exception table for a code unit, or undefined. */
function findHandler(info: CodeInfo, unit: number): ExceptionEntry | undefined {
  for (const e of info.exceptions) if (unit >= e.start && unit < e.end) return e;
  return undefined;
}

// --- the loop ------------------------------------------------------------------------------------------

/** _PyEval_EvalFrameDefault from an entry frame until it returns. New reference. */
function run(vm: Vm, entryFrame: Frame): number {
  const { interp } = vm;
  const rt = interp.rt;
  const stack = frameStack(vm);
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
  const unsupported = (what: string): never => {
    throw new EvalNotImplementedError(`${what} is not supported by pymem's evaluation loop (${info.co.filename}:${info.lines[fr.lasti >> 1]})`);
  };

  for (;;) {
    try {
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
          case 126: {
            // DELETE_FAST
            const old = slot(f, oparg);
            if (old === 0) raise(vm, 'UnboundLocalError', `cannot access local variable '${info.co.localsplusnames[oparg]}' where it is not associated with a value`);
            setSlot(f, oparg, 0);
            rt.decref(old);
            break;
          }
          case 101: {
            // LOAD_NAME (at module level, where the locals are the globals, as LOAD_GLOBAL)
            const name = info.names[oparg]!;
            const locals = fLocals.get(f);
            const globals = fGlobals.get(f);
            let v: number;
            if (locals === globals) v = loadGlobal(vm, info.caches, ip >> 1, globals, fBuiltins.get(f), name);
            else {
              v = locals !== 0 ? interp.dict.getItem(locals, name) : 0;
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
              interp.dict.setItem(fLocals.get(f), info.names[oparg]!, v);
            } finally {
              rt.decref(v);
            }
            break;
          }
          case 91: {
            // DELETE_NAME
            const locals = fLocals.get(f);
            const name = info.names[oparg]!;
            if (!interp.dict.contains(locals, name)) raise(vm, 'NameError', `name '${info.co.names[oparg]}' is not defined`);
            interp.dict.delItem(locals, name);
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
          case 97: {
            // STORE_GLOBAL
            const v = pop();
            try {
              interp.dict.setItem(fGlobals.get(f), info.names[oparg]!, v);
            } finally {
              rt.decref(v);
            }
            break;
          }
          case 98: {
            // DELETE_GLOBAL
            const g = fGlobals.get(f);
            const name = info.names[oparg]!;
            if (!interp.dict.contains(g, name)) raise(vm, 'NameError', `name '${info.co.names[oparg]}' is not defined`);
            interp.dict.delItem(g, name);
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
            const closure = interp.function.fields(fFunc.get(f)).closure;
            const cells = interp.tuple.items(closure);
            const offset = info.nlocalsplus - oparg;
            for (let i = 0; i < oparg; i++) {
              rt.incref(cells[i]!);
              setSlot(f, offset + i, cells[i]!);
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
          case 139: {
            // DELETE_DEREF
            const c = slot(f, oparg);
            if (interp.cell.contents(c) === 0) raise(vm, 'NameError', `cannot access free variable '${info.co.localsplusnames[oparg]}' where it is not associated with a value in enclosing scope`);
            interp.cell.set(c, 0);
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
            const isMeth = slot(f, base) !== 0;
            const callable = isMeth ? slot(f, base) : slot(f, base + 1);
            const argStart = isMeth ? base + 1 : base + 2;
            const nargs = sp - argStart;
            ip += 8;
            const callableType = typeOf(vm, callable);
            if (
              callableType === interp.function.type ||
              (callableType === vm.method.type && typeOf(vm, vm.method.func(callable)) === interp.function.type) ||
              isPythonInitClass(vm, callable)
            ) {
              // The inlined call: the frame takes the arguments' references.
              const args: number[] = [];
              for (let i = 0; i < nargs; i++) {
                args.push(slot(f, argStart + i));
                setSlot(f, argStart + i, 0);
              }
              let func = callable;
              setSlot(f, isMeth ? base : base + 1, 0);
              const other = slot(f, base);
              if (!isMeth && other !== 0) rt.decref(other);
              setSlot(f, base, 0);
              sp = base;
              save();
              let initSelf = 0;
              if (typeOf(vm, func) === vm.method.type) {
                const m = func;
                func = vm.method.func(m);
                rt.incref(func);
                const self = vm.method.self(m);
                rt.incref(self);
                args.unshift(self);
                rt.decref(m);
              } else if (vm.typeobj.check(func)) {
                const cls = func;
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
                func = init;
                rt.incref(self);
                args.unshift(self);
                initSelf = self;
              }
              let next: Frame;
              try {
                next = pushCall(vm, func, args, kwnames, false);
              } catch (e) {
                if (initSelf !== 0) rt.decref(initSelf);
                throw e;
              }
              next.initSelf = initSelf;
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
              for (let i = sp - 1; i >= base; i--) {
                const v = slot(f, i);
                if (v !== 0) {
                  setSlot(f, i, 0);
                  rt.decref(v);
                }
              }
              sp = base;
            }
            push(res);
            break;
          }
          case 142: {
            // CALL_FUNCTION_EX
            const kwargs = oparg & 1 ? pop() : 0;
            const callargs = pop();
            const func = pop();
            const nul = pop();
            save();
            try {
              const posArgs = iterate(vm, callargs);
              const kwItems = kwargs !== 0 ? interp.dict.items(kwargs) : [];
              if (kwItems.some(([k]) => !interp.str.checkExact(k))) {
                for (const a of posArgs) rt.decref(a);
                raise(vm, 'TypeError', 'keywords must be strings');
              }
              const kwn = kwItems.length > 0 ? vm.tupleOf(kwItems.map(([k]) => k)) : 0;
              try {
                push(callObject(vm, func, [...posArgs, ...kwItems.map(([, v]) => v)], kwn));
              } finally {
                for (const a of posArgs) rt.decref(a);
                if (kwn !== 0) rt.decref(kwn);
              }
            } finally {
              rt.decref(callargs);
              rt.xdecref(kwargs);
              rt.decref(func);
              rt.xdecref(nul);
            }
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
              push(binaryOp(vm, lhs, rhs, oparg));
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
              push(richCompare(vm, lhs, rhs, oparg));
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
              push(getItem(vm, container, sub));
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
              setItem(vm, container, sub, v);
            } finally {
              rt.decref(sub);
              rt.decref(container);
              rt.decref(v);
            }
            ip += 2;
            break;
          }
          case 61: {
            // DELETE_SUBSCR
            const sub = pop();
            const container = pop();
            try {
              setItem(vm, container, sub, 0);
            } finally {
              rt.decref(sub);
              rt.decref(container);
            }
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
          case 105: {
            // BUILD_MAP
            const ks: number[] = [];
            const vs: number[] = [];
            for (let i = sp - 2 * oparg; i < sp; i += 2) {
              ks.push(slot(f, i));
              vs.push(slot(f, i + 1));
            }
            const d = interp.dict.fromItems(ks, vs);
            for (let i = 0; i < 2 * oparg; i++) rt.decref(pop());
            push(d);
            break;
          }
          case 156: {
            // BUILD_CONST_KEY_MAP
            const keys = pop();
            const vs: number[] = [];
            for (let i = sp - oparg; i < sp; i++) vs.push(slot(f, i));
            let d: number;
            try {
              d = interp.dict.fromItems(interp.tuple.items(keys), vs);
            } finally {
              rt.decref(keys);
            }
            for (let i = 0; i < oparg; i++) rt.decref(pop());
            push(d);
            break;
          }
          case 157: {
            // BUILD_STRING
            let s = '';
            for (let i = sp - oparg; i < sp; i++) s += interp.str.toString(slot(f, i));
            for (let i = 0; i < oparg; i++) rt.decref(pop());
            push(interp.str.fromString(s));
            break;
          }
          case 133: {
            // BUILD_SLICE
            const step = oparg === 3 ? pop() : 0;
            const stop = pop();
            const start = pop();
            push(interp.slice.new(start, stop, step));
            rt.decref(start);
            rt.decref(stop);
            rt.xdecref(step);
            break;
          }
          case 145: {
            // LIST_APPEND
            const v = pop();
            interp.list.append(peek(oparg), v);
            rt.decref(v);
            break;
          }
          case 146: {
            // SET_ADD
            const v = pop();
            try {
              interp.set.add(peek(oparg), v);
            } finally {
              rt.decref(v);
            }
            break;
          }
          case 147: {
            // MAP_ADD
            const v = pop();
            const k = pop();
            try {
              interp.dict.setItem(peek(oparg), k, v);
            } finally {
              rt.decref(k);
              rt.decref(v);
            }
            break;
          }
          case 162: {
            // LIST_EXTEND
            const it = pop();
            try {
              const items = iterate(vm, it);
              interp.list.extendFromArray(peek(oparg), items);
              for (const x of items) rt.decref(x);
            } finally {
              rt.decref(it);
            }
            break;
          }
          case 163: {
            // SET_UPDATE (_PySet_Update: set_update_internal)
            const it = pop();
            try {
              const so = peek(oparg);
              withSetOperands(vm, [it], ([other]) => interp.set.update(so, other!));
            } finally {
              rt.decref(it);
            }
            break;
          }
          case 164:
          case 165: {
            // DICT_MERGE, DICT_UPDATE
            const other = pop();
            try {
              if (!interp.dict.check(other)) raise(vm, 'TypeError', `'${typeName(vm, other)}' object is not a mapping`);
              const target = peek(oparg);
              if (opcode === 164) {
                for (const k of interp.dict.keys(other)) {
                  if (interp.dict.contains(target, k)) raise(vm, 'TypeError', `${repr(vm, k)} got multiple values for keyword argument '${str(vm, k)}'`);
                }
              }
              interp.dict.update(target, other);
            } finally {
              rt.decref(other);
            }
            break;
          }
          case 82: {
            // LIST_TO_TUPLE
            const l = pop();
            push(vm.tupleOf(interp.list.items(l)));
            rt.decref(l);
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
          case 94: {
            // UNPACK_EX
            const before = oparg & 0xff;
            const after = oparg >> 8;
            const seq = pop();
            let items: number[];
            try {
              items = iterate(vm, seq);
            } finally {
              rt.decref(seq);
            }
            if (items.length < before + after) {
              for (const x of items) rt.decref(x);
              raise(vm, 'ValueError', `not enough values to unpack (expected at least ${before + after}, got ${items.length})`);
            }
            const mid = interp.list.new(0);
            interp.list.extendFromArray(mid, items.slice(before, items.length - after));
            for (const x of items.slice(before, items.length - after)) rt.decref(x);
            for (let i = items.length - 1; i >= items.length - after; i--) push(items[i]!);
            push(mid);
            for (let i = before - 1; i >= 0; i--) push(items[i]!);
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
          case 71: {
            // LOAD_BUILD_CLASS
            const v = interp.dict.getItem(fBuiltins.get(f), id(vm, '__build_class__'));
            rt.incref(v);
            push(v);
            break;
          }
          case 85: {
            // SETUP_ANNOTATIONS
            const locals = fLocals.get(f);
            if (!interp.dict.contains(locals, id(vm, '__annotations__'))) {
              const d = interp.dict.new();
              interp.dict.setItem(locals, id(vm, '__annotations__'), d);
              rt.decref(d);
            }
            break;
          }
          case 35: {
            // PUSH_EXC_INFO
            const v = pop();
            push(vm.excInfo !== 0 ? vm.excInfo : (rt.incref(None), None));
            vm.excInfo = v;
            rt.incref(v);
            push(v);
            break;
          }
          case 89: {
            // POP_EXCEPT
            const prev = pop();
            const cur = vm.excInfo;
            vm.excInfo = prev === None ? 0 : prev;
            if (prev === None) rt.decref(prev);
            rt.xdecref(cur);
            break;
          }
          case 36: {
            // CHECK_EXC_MATCH
            const right = pop();
            const left = top();
            try {
              push(interp.long.fromBool(excMatches(vm, left, right)));
            } finally {
              rt.decref(right);
            }
            break;
          }
          case 119: {
            // RERAISE
            // The lasti under the exception only moves frame->prev_instr for f_lineno; the handler lookup uses this instruction.
            const exc = pop();
            throw new PyErr(exc, 'reraise');
          }
          case 130: {
            // RAISE_VARARGS
            const cause = oparg === 2 ? pop() : 0;
            const excArg = oparg >= 1 ? pop() : 0;
            if (oparg === 0) {
              if (vm.excInfo === 0) raise(vm, 'RuntimeError', 'No active exception to reraise');
              rt.incref(vm.excInfo);
              throw new PyErr(vm.excInfo, 'reraise');
            }
            let exc: number;
            try {
              exc = vm.makeException(excArg);
            } finally {
              rt.decref(excArg);
            }
            if (cause !== 0) {
              try {
                if (cause === None) vm.exc.set(exc, 'cause', 0);
                else {
                  const c = vm.makeException(cause);
                  vm.exc.set(exc, 'cause', c);
                  rt.decref(c);
                }
                vm.exc.setSuppressContext(exc, true);
              } finally {
                rt.decref(cause);
              }
            }
            throw new PyErr(exc, 'raise');
          }
          case 74: {
            // LOAD_ASSERTION_ERROR
            const t = vm.typeObject(vm.excType('AssertionError'));
            rt.incref(t);
            push(t);
            break;
          }
          case 108: {
            // IMPORT_NAME
            const fromlist = pop();
            const level = pop();
            rt.decref(fromlist);
            rt.decref(level);
            push(vm.importModule(info.co.names[oparg]!));
            break;
          }
          case 109: {
            // IMPORT_FROM
            const m = top();
            const v = getAttrOrNull(vm, m, info.names[oparg]!);
            if (v === 0) raise(vm, 'ImportError', `cannot import name '${info.co.names[oparg]}' from '${str(vm, vm.module.name(m))}' (unknown location)`);
            push(v);
            break;
          }
          case 155: {
            // FORMAT_VALUE
            const spec = (oparg & 4) === 4 ? pop() : 0;
            const v = pop();
            try {
              const conv = oparg & 3;
              const s = formatValue(vm, v, conv, spec === 0 ? '' : interp.str.toString(spec));
              push(interp.str.fromString(s));
            } finally {
              rt.decref(v);
              rt.xdecref(spec);
            }
            break;
          }
          case 53: {
            // BEFORE_WITH
            const mgr = top();
            const enter = vm.lookupSpecialOrRaise(mgr, '__enter__');
            const exit = vm.lookupSpecialOrRaise(mgr, '__exit__');
            const boundExit = vm.method.new(exit, mgr);
            setSlot(f, sp - 1, boundExit);
            try {
              push(callObject(vm, enter, [mgr], 0));
            } finally {
              rt.decref(mgr);
            }
            break;
          }
          case 49: {
            // WITH_EXCEPT_START: exit(type(val), val, tb)
            const val = peek(1);
            const exit = peek(4);
            const tp = vm.typeObject(typeOf(vm, val));
            push(callObject(vm, exit, [tp, val, None], 0));
            break;
          }
          case 30: {
            // GET_LEN
            push(interp.long.fromNumber(vm.len(top())));
            break;
          }
          case 31:
          case 32: {
            // MATCH_MAPPING, MATCH_SEQUENCE
            const b = (opcode === 31 ? matchMapping(vm, top()) : matchSequence(vm, top())) ? interp.long.True : interp.long.False;
            rt.incref(b);
            push(b);
            break;
          }
          case 33:
            // MATCH_KEYS: the subject and keys stay; their values (or None) pushed.
            push(matchKeys(vm, peek(2), top()));
            break;
          case 152: {
            // MATCH_CLASS: subject, type, names -> the attributes (or None).
            const names = pop();
            const type = pop();
            const subject = top();
            let attrs: number;
            try {
              attrs = matchClass(vm, subject, type, oparg, names);
            } finally {
              rt.decref(names);
              rt.decref(type);
            }
            if (attrs === 0) rt.incref((attrs = None));
            setSlot(f, sp - 1, attrs);
            rt.decref(subject);
            break;
          }
          case 70: {
            // PRINT_EXPR
            const v = pop();
            try {
              printExpr(vm, v);
            } finally {
              rt.decref(v);
            }
            break;
          }
          case 75: {
            // RETURN_GENERATOR: the frame moves into a new generator object (_Py_MakeCoro + _PyFrame_Copy).
            if (info.co.flags & CO_ASYNC_GENERATOR) unsupported('an asynchronous generator');
            const slots = info.nlocalsplus + info.co.stacksize;
            const codePtr = fCode.get(f);
            const func = fFunc.get(f);
            const ffields = interp.function.fields(func);
            const gen = vm.gen.new(codePtr, ffields.name, ffields.qualname, slots, (info.co.flags & CO_COROUTINE) !== 0);
            const gf = vm.gen.frame(gen);
            copyFrame(f, gf, slots);
            stacktop.set(gf, sp);
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
          case 86: {
            // YIELD_VALUE
            const v = pop();
            tracer?.leave(fr);
            fr.ip = ip;
            fr.sp = sp;
            stacktop.set(f, sp);
            genStates.set(fr.gen, { ip, sp });
            vm.gen.setState(fr.gen, FRAME_SUSPENDED);
            stack.pop();
            return v;
          }
          case 69: {
            // GET_YIELD_FROM_ITER
            const v = top();
            if (!vm.gen.check(v)) {
              setSlot(f, sp - 1, getIter(vm, v));
              rt.decref(v);
            }
            break;
          }
          case 50: {
            // GET_AITER
            const obj = top();
            setSlot(f, sp - 1, getAsyncIter(vm, obj));
            rt.decref(obj);
            break;
          }
          case 51: {
            // GET_ANEXT
            push(getAsyncNext(vm, top()));
            break;
          }
          case 54: {
            // END_ASYNC_FOR: StopAsyncIteration ends the loop (the async iterator popped too); anything else is raised again.
            const exc = pop();
            if (!vm.isSubtype(typeOf(vm, exc), vm.excType('StopAsyncIteration'))) throw new PyErr(exc, 'reraise');
            rt.decref(exc);
            rt.decref(pop());
            break;
          }
          case 52: {
            // BEFORE_ASYNC_WITH
            const mgr = top();
            const [exit, res] = beforeAsyncWith(vm, mgr);
            setSlot(f, sp - 1, exit);
            rt.decref(mgr);
            push(res);
            break;
          }
          case 131: {
            // GET_AWAITABLE
            const iterable = top();
            const it = getAwaitableIter(vm, iterable, oparg);
            setSlot(f, sp - 1, it);
            rt.decref(iterable);
            break;
          }
          case 123: {
            // SEND
            const v = pop();
            const receiver = top();
            let status: 'yield' | 'return';
            let retval: number;
            try {
              if (vm.gen.check(receiver)) [status, retval] = genSend(vm, receiver, v);
              else {
                retval = iterNext(vm, receiver);
                status = retval === 0 ? 'return' : 'yield';
                if (retval === 0) retval = (rt.incref(None), None);
              }
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
            unsupported(UNSUPPORTED_CONSTRUCTS.get(opcode) ?? `the opcode ${opname[opcode]}`);
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
        traceHere(vm, exc, fr);
      }
    }
  }
}

/** PyErr_GivenExceptionMatches(left, right): right a class or a tuple of classes. */
function excMatches(vm: Vm, exc: number, right: number): boolean {
  const { interp } = vm;
  const classes = interp.tuple.check(right) ? interp.tuple.items(right) : [right];
  const t = typeOf(vm, exc);
  for (const c of classes) {
    const ct = vm.typeobj.typeOfObject(c);
    if (ct === undefined) throw newErr(vm, 'TypeError', 'catching classes that do not inherit from BaseException is not allowed');
    if (vm.isSubtype(t, ct)) return true;
  }
  return false;
}

/** Whether callable is a class whose __init__ is a Python function (the loop then inlines the __init__ call). */
function isPythonInitClass(vm: Vm, callable: number): boolean {
  const t = vm.typeobj.typeOfObject(callable);
  if (t === undefined || !vm.classes.has(t.id)) return false;
  const init = typeLookup(vm, t, id(vm, '__init__'));
  return init !== 0 && typeOf(vm, init) === vm.interp.function.type;
}
