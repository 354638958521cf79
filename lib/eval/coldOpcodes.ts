/*
 * The evaluation loop's less frequent instructions (Python/ceval.c's cases
 * for deletions, imports, exception handling, with, async, formatting, the
 * map and set displays ...), out of ceval.ts's run(): V8 compiles a
 * function in time that grows with its size, and run() is compiled again
 * each time a case it has not seen before deoptimizes it; every one of
 * those compiles is CPU time of the program (the 26 KB of bytecode run()
 * had took 300-500 ms a compile, measured with --trace-opt on
 * bench/run/calls.py, more than the program's own run after warm-up).
 *
 * Invariants: coldOpcode runs one instruction of the frame fr with the
 * frame's state saved (fr.ip past the instruction and its caches, fr.sp,
 * stacktop), reads and writes the value stack through fr.sp as the loop
 * does (a popped slot is zeroed), and leaves fr.ip and fr.sp as the loop
 * goes on from, also when it throws.
 */
import { beforeAsyncWith, getAsyncIter, getAsyncNext, getAwaitableIter } from './coroutines.js';
import { opname } from '../frontend/opcode.js';
import { fBuiltins, fGlobals, fLocals, localsplus, stacktop } from '../objects/types/frame.js';
import {
  callObject,
  getAttrOrNull,
  getIter,
  id,
  iterate,
  newErr,
  raise,
  repr,
  setItem,
  str,
  typeName,
  typeOf,
  withSetOperands,
} from './abstract.js';
import type { Frame } from './ceval.js';
import { PyErr, EvalNotImplementedError } from './pyerr.js';
import { formatValueObject } from './objectStr.js';
import { beforeWith, withExceptStart } from './withStatement.js';
import { printExpr } from './displayhook.js';
import { matchClass, matchKeys, matchMapping, matchSequence } from './patternMatching.js';
import { namespaceDel } from './metaclass.js';
import type { Vm } from './vm.js';

/** The construct behind an opcode the loop does not run, for its NotImplementedError. */
const UNSUPPORTED_CONSTRUCTS = new Map<number, string>([
  [37, 'except* (exception groups)'],
  [88, 'except* (exception groups)'],
  [84, "'from ... import *'"],
]);

const slot = (f: number, i: number): number => localsplus.get(f, i);
const setSlot = (f: number, i: number, v: number): void => localsplus.set(f, i, v);
const push = (fr: Frame, v: number): void => setSlot(fr.f, fr.sp++, v);
const pop = (fr: Frame): number => {
  const v = slot(fr.f, --fr.sp);
  setSlot(fr.f, fr.sp, 0);
  return v;
};
const top = (fr: Frame): number => slot(fr.f, fr.sp - 1);
const peek = (fr: Frame, n: number): number => slot(fr.f, fr.sp - n);

/** One of the less frequent instructions (opcode, oparg) of the frame fr (see the invariants above). */
export function coldOpcode(vm: Vm, fr: Frame, opcode: number, oparg: number): void {
  const { interp } = vm;
  const rt = interp.rt;
  const None = interp.singletons.None;
  const f = fr.f;
  const info = fr.info;
  switch (opcode) {
    case 126: {
      // DELETE_FAST
      const old = slot(f, oparg);
      if (old === 0) raise(vm, 'UnboundLocalError', `cannot access local variable '${info.co.localsplusnames[oparg]}' where it is not associated with a value`);
      setSlot(f, oparg, 0);
      rt.decref(old);
      break;
    }
    case 91: {
      // DELETE_NAME
      const locals = fLocals.get(f);
      const name = info.names[oparg]!;
      if (typeOf(vm, locals) !== interp.dict.type) namespaceDel(vm, locals, name, info.co.names[oparg]!);
      else {
        if (!interp.dict.contains(locals, name)) raise(vm, 'NameError', `name '${info.co.names[oparg]}' is not defined`);
        interp.dict.delItem(locals, name);
      }
      break;
    }
    case 97: {
      // STORE_GLOBAL
      const v = pop(fr);
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
    case 139: {
      // DELETE_DEREF
      const c = slot(f, oparg);
      if (interp.cell.contents(c) === 0) raise(vm, 'NameError', `cannot access free variable '${info.co.localsplusnames[oparg]}' where it is not associated with a value in enclosing scope`);
      interp.cell.set(c, 0);
      break;
    }
    case 142: {
      // CALL_FUNCTION_EX
      const kwargs = oparg & 1 ? pop(fr) : 0;
      const callargs = pop(fr);
      const func = pop(fr);
      const nul = pop(fr);
      stacktop.set(f, fr.sp);
      try {
        const posArgs = iterate(vm, callargs);
        const kwItems = kwargs !== 0 ? interp.dict.items(kwargs) : [];
        if (kwItems.some(([k]) => !interp.str.checkExact(k))) {
          for (const a of posArgs) rt.decref(a);
          raise(vm, 'TypeError', 'keywords must be strings');
        }
        const kwn = kwItems.length > 0 ? vm.tupleOf(kwItems.map(([k]) => k)) : 0;
        try {
          push(fr, callObject(vm, func, [...posArgs, ...kwItems.map(([, v]) => v)], kwn));
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
    case 61: {
      // DELETE_SUBSCR
      const sub = pop(fr);
      const container = pop(fr);
      try {
        setItem(vm, container, sub, 0);
      } finally {
        rt.decref(sub);
        rt.decref(container);
      }
      break;
    }
    case 105: {
      // BUILD_MAP
      const ks: number[] = [];
      const vs: number[] = [];
      for (let i = fr.sp - 2 * oparg; i < fr.sp; i += 2) {
        ks.push(slot(f, i));
        vs.push(slot(f, i + 1));
      }
      const d = interp.dict.fromItems(ks, vs);
      for (let i = 0; i < 2 * oparg; i++) rt.decref(pop(fr));
      push(fr, d);
      break;
    }
    case 156: {
      // BUILD_CONST_KEY_MAP
      const keys = pop(fr);
      const vs: number[] = [];
      for (let i = fr.sp - oparg; i < fr.sp; i++) vs.push(slot(f, i));
      let d: number;
      try {
        d = interp.dict.fromItems(interp.tuple.items(keys), vs);
      } finally {
        rt.decref(keys);
      }
      for (let i = 0; i < oparg; i++) rt.decref(pop(fr));
      push(fr, d);
      break;
    }
    case 157: {
      // BUILD_STRING
      let s = '';
      for (let i = fr.sp - oparg; i < fr.sp; i++) s += interp.str.toString(slot(f, i));
      for (let i = 0; i < oparg; i++) rt.decref(pop(fr));
      push(fr, interp.str.fromString(s));
      break;
    }
    case 133: {
      // BUILD_SLICE
      const step = oparg === 3 ? pop(fr) : 0;
      const stop = pop(fr);
      const start = pop(fr);
      push(fr, interp.slice.new(start, stop, step));
      rt.decref(start);
      rt.decref(stop);
      rt.xdecref(step);
      break;
    }
    case 146: {
      // SET_ADD
      const v = pop(fr);
      try {
        interp.set.add(peek(fr, oparg), v);
      } finally {
        rt.decref(v);
      }
      break;
    }
    case 147: {
      // MAP_ADD
      const v = pop(fr);
      const k = pop(fr);
      try {
        interp.dict.setItem(peek(fr, oparg), k, v);
      } finally {
        rt.decref(k);
        rt.decref(v);
      }
      break;
    }
    case 162: {
      // LIST_EXTEND
      const it = pop(fr);
      try {
        const items = iterate(vm, it);
        interp.list.extendFromArray(peek(fr, oparg), items);
        for (const x of items) rt.decref(x);
      } finally {
        rt.decref(it);
      }
      break;
    }
    case 163: {
      // SET_UPDATE (_PySet_Update: set_update_internal)
      const it = pop(fr);
      try {
        const so = peek(fr, oparg);
        withSetOperands(vm, [it], ([other]) => interp.set.update(so, other!));
      } finally {
        rt.decref(it);
      }
      break;
    }
    case 164:
    case 165: {
      // DICT_MERGE, DICT_UPDATE
      const other = pop(fr);
      try {
        if (!interp.dict.check(other)) raise(vm, 'TypeError', `'${typeName(vm, other)}' object is not a mapping`);
        const target = peek(fr, oparg);
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
      const l = pop(fr);
      push(fr, vm.tupleOf(interp.list.items(l)));
      rt.decref(l);
      break;
    }
    case 94: {
      // UNPACK_EX
      const before = oparg & 0xff;
      const after = oparg >> 8;
      const seq = pop(fr);
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
      for (let i = items.length - 1; i >= items.length - after; i--) push(fr, items[i]!);
      push(fr, mid);
      for (let i = before - 1; i >= 0; i--) push(fr, items[i]!);
      break;
    }
    case 71: {
      // LOAD_BUILD_CLASS
      const v = interp.dict.getItem(fBuiltins.get(f), id(vm, '__build_class__'));
      rt.incref(v);
      push(fr, v);
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
      const v = pop(fr);
      push(fr, vm.excInfo !== 0 ? vm.excInfo : (rt.incref(None), None));
      vm.excInfo = v;
      rt.incref(v);
      push(fr, v);
      break;
    }
    case 89: {
      // POP_EXCEPT
      const prev = pop(fr);
      const cur = vm.excInfo;
      vm.excInfo = prev === None ? 0 : prev;
      if (prev === None) rt.decref(prev);
      rt.xdecref(cur);
      break;
    }
    case 36: {
      // CHECK_EXC_MATCH
      const right = pop(fr);
      const left = top(fr);
      try {
        push(fr, interp.long.fromBool(excMatches(vm, left, right)));
      } finally {
        rt.decref(right);
      }
      break;
    }
    case 119: {
      // RERAISE
      // The lasti under the exception only moves frame->prev_instr for f_lineno; the handler lookup uses this instruction.
      const exc = pop(fr);
      throw new PyErr(exc, 'reraise');
    }
    case 130: {
      // RAISE_VARARGS
      const cause = oparg === 2 ? pop(fr) : 0;
      const excArg = oparg >= 1 ? pop(fr) : 0;
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
      push(fr, t);
      break;
    }
    case 108: {
      // IMPORT_NAME
      const fromlist = pop(fr);
      const level = pop(fr);
      rt.decref(fromlist);
      rt.decref(level);
      push(fr, vm.importModule(info.co.names[oparg]!));
      break;
    }
    case 109: {
      // IMPORT_FROM
      const m = top(fr);
      const v = getAttrOrNull(vm, m, info.names[oparg]!);
      if (v === 0) raise(vm, 'ImportError', `cannot import name '${info.co.names[oparg]}' from '${str(vm, vm.module.name(m))}' (unknown location)`);
      push(fr, v);
      break;
    }
    case 155: {
      // FORMAT_VALUE
      const spec = (oparg & 4) === 4 ? pop(fr) : 0;
      const v = pop(fr);
      try {
        push(fr, formatValueObject(vm, v, oparg & 3, spec));
      } finally {
        rt.decref(v);
        rt.xdecref(spec);
      }
      break;
    }
    case 53: {
      // BEFORE_WITH
      const mgr = top(fr);
      const [boundExit, res] = beforeWith(vm, mgr);
      setSlot(f, fr.sp - 1, boundExit);
      rt.decref(mgr);
      push(fr, res);
      break;
    }
    case 49: {
      // WITH_EXCEPT_START: exit(type(val), val, tb)
      push(fr, withExceptStart(vm, peek(fr, 4), peek(fr, 1)));
      break;
    }
    case 30: {
      // GET_LEN
      push(fr, interp.long.fromNumber(vm.len(top(fr))));
      break;
    }
    case 31:
    case 32: {
      // MATCH_MAPPING, MATCH_SEQUENCE
      const b = (opcode === 31 ? matchMapping(vm, top(fr)) : matchSequence(vm, top(fr))) ? interp.long.True : interp.long.False;
      rt.incref(b);
      push(fr, b);
      break;
    }
    case 33:
      // MATCH_KEYS: the subject and keys stay; their values (or None) pushed.
      push(fr, matchKeys(vm, peek(fr, 2), top(fr)));
      break;
    case 152: {
      // MATCH_CLASS: subject, type, names -> the attributes (or None).
      const names = pop(fr);
      const type = pop(fr);
      const subject = top(fr);
      let attrs: number;
      try {
        attrs = matchClass(vm, subject, type, oparg, names);
      } finally {
        rt.decref(names);
        rt.decref(type);
      }
      if (attrs === 0) rt.incref((attrs = None));
      setSlot(f, fr.sp - 1, attrs);
      rt.decref(subject);
      break;
    }
    case 70: {
      // PRINT_EXPR
      const v = pop(fr);
      try {
        printExpr(vm, v);
      } finally {
        rt.decref(v);
      }
      break;
    }
    case 69: {
      // GET_YIELD_FROM_ITER
      const v = top(fr);
      if (!vm.gen.check(v)) {
        setSlot(f, fr.sp - 1, getIter(vm, v));
        rt.decref(v);
      }
      break;
    }
    case 50: {
      // GET_AITER
      const obj = top(fr);
      setSlot(f, fr.sp - 1, getAsyncIter(vm, obj));
      rt.decref(obj);
      break;
    }
    case 51: {
      // GET_ANEXT
      push(fr, getAsyncNext(vm, top(fr)));
      break;
    }
    case 54: {
      // END_ASYNC_FOR: StopAsyncIteration ends the loop (the async iterator popped too); anything else is raised again.
      const exc = pop(fr);
      if (!vm.isSubtype(typeOf(vm, exc), vm.excType('StopAsyncIteration'))) throw new PyErr(exc, 'reraise');
      rt.decref(exc);
      rt.decref(pop(fr));
      break;
    }
    case 52: {
      // BEFORE_ASYNC_WITH
      const mgr = top(fr);
      const [exit, res] = beforeAsyncWith(vm, mgr);
      setSlot(f, fr.sp - 1, exit);
      rt.decref(mgr);
      push(fr, res);
      break;
    }
    case 131: {
      // GET_AWAITABLE
      const iterable = top(fr);
      const it = getAwaitableIter(vm, iterable, oparg);
      setSlot(f, fr.sp - 1, it);
      rt.decref(iterable);
      break;
    }
    default:
      throw new EvalNotImplementedError(`${UNSUPPORTED_CONSTRUCTS.get(opcode) ?? `the opcode ${opname[opcode]}`} is not supported by pymem's evaluation loop (${info.co.filename}:${info.lines[fr.lasti >> 1]})`);
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

