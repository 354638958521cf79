/*
 * The _tracemalloc built-in module of `pymem run` (Modules/_tracemalloc.c of
 * CPython 3.11): the C half of tracemalloc, over lib/tools/tracemalloc's
 * Tracemalloc — the same hooks on the RAW, MEM and OBJ domains, recording
 * each block's requested size and traceback — with the frames of the Python
 * program instead of JavaScript's: the evaluation loop's frames, most recent
 * first, each (co_filename, the line of the instruction it is running), as
 * traceback_get_frames and tracemalloc_get_frame read them.
 *
 * The Python half (Snapshot, Statistic, Filter …) is CPython's
 * Lib/tracemalloc.py in Python (pylib/tracemalloc.py, loaded by
 * sourceModules.ts on `import tracemalloc`); what it needs beyond the C
 * module are private functions here over lib/tools/tracemalloc's code:
 * fnmatch, linecache.getline, pickle's dump / load (the JavaScript API's
 * snapshot file), _format_size, and the loops over every trace
 * (Snapshot._group_by, filter_traces) as that Snapshot's statistics and
 * filterTraces.
 *
 * Invariants: while tracing, the runtime's cached OBJ and MEM allocators are
 * the tracer's hooks (refreshAllocators after start and stop); a trace tuple
 * is (domain, size, frames, total_nframe) with frames most recent first, and
 * traces sharing a traceback share its tuple, as _tracemalloc's get_traces
 * builds them.
 */
import { GC_HEAD_SIZE } from '../objects/layout.js';
import { isGcType } from '../objects/type.js';
import { DomainFilter, Filter, fnmatchRegExp, formatSize, Frame, type KeyType, Snapshot, SnapshotFormatError, Trace, Traceback, type TraceFilter } from '../tools/tracemalloc/snapshot.js';
import { MAX_NFRAME, type FrameSource, Tracemalloc } from '../tools/tracemalloc/tracemalloc.js';
import { id, intValue, isFloat, isInt, isStr, isTrue, newBool, newInt, newStr, none, raise, strValue, typeName, typeOf } from './abstract.js';
import { currentFrames } from './ceval.js';
import { sources } from './traceback.js';
import type { Vm } from './vm.js';
import type { CMethod } from '../objects/types/cfunction.js';
import { readFileSync } from 'node:fs';

/**
 * traceback_get_frames: the running Python frames, most recent first, each
 * at the line of its current instruction (PyCode_Addr2Line; a frame that has
 * not run an instruction yet is at co_firstlineno, a line of -1 is 0); with
 * no Python frame, the empty traceback's ("<unknown>", 0).
 */
export function pythonFrames(vm: Vm): FrameSource {
  return (limit, frame) => {
    const stack = currentFrames(vm);
    if (stack.length === 0) {
      frame('<unknown>', 0);
      return 1;
    }
    const last = Math.max(stack.length - limit, 0);
    for (let i = stack.length - 1; i >= last; i--) {
      const fr = stack[i]!;
      const line = fr.lasti === 0 ? fr.info.co.firstlineno : (fr.info.lines[fr.lasti >> 1] ?? -1);
      frame(fr.info.co.filename, line < 0 ? 0 : line);
    }
    return Math.min(stack.length, MAX_NFRAME);
  };
}

/** Creates the _tracemalloc module in vm.modules. */
export function installTracemallocModule(vm: Vm): void {
  const { interp } = vm;
  const rt = interp.rt;
  const tracer = new Tracemalloc(rt.heap, pythonFrames(vm));
  const name = newStr(vm, '_tracemalloc');
  const module = vm.module.new(name);
  rt.decref(name);
  const dict = vm.module.dict(module);
  const def = (fname: string, arity: [number, number], meth: CMethod): void => {
    const checked: CMethod = (self, args, kwnames) => {
      if (kwnames !== 0 && interp.tuple.size(kwnames) > 0) raise(vm, 'TypeError', `_tracemalloc.${fname}() takes no keyword arguments`);
      checkArity(vm, fname, args.length, arity);
      return meth(self, args, kwnames);
    };
    const ml = vm.cfunc.define({ name: fname, meth: checked });
    const f = vm.cfunc.newFunction(ml, module, 0);
    interp.dict.setItem(dict, id(vm, fname), f);
    rt.decref(f);
  };
  const tuple = (items: number[]): number => {
    const t = vm.tupleOf(items);
    for (const x of items) rt.decref(x);
    return t;
  };
  // Frames as _tracemalloc gives them: a tuple of (filename, lineno), most recent first.
  const framesTuple = (tb: Traceback): number => tuple([...tb.frames].reverse().map((f) => tuple([newStr(vm, f.filename), newInt(vm, f.lineno)])));

  def('start', [0, 1], (_s, args) => {
    let nframe = 1;
    if (args.length > 0) {
      if (!isInt(vm, args[0]!)) raise(vm, 'TypeError', `'${typeName(vm, args[0]!)}' object cannot be interpreted as an integer`);
      const n = intValue(vm, args[0]!);
      if (n < 1n || n > BigInt(MAX_NFRAME)) raise(vm, 'ValueError', `the number of frames must be in range [1; ${MAX_NFRAME}]`);
      nframe = Number(n);
    }
    tracer.start(nframe);
    rt.refreshAllocators();
    rt.newReferenceHook = (op) => tracer.newReference(blockOf(vm, op));
    return none(vm);
  });
  def('stop', [0, 0], () => {
    tracer.stop();
    rt.refreshAllocators();
    rt.newReferenceHook = null;
    return none(vm);
  });
  def('is_tracing', [0, 0], () => newBool(vm, tracer.isTracing()));
  def('clear_traces', [0, 0], () => (tracer.clearTraces(), none(vm)));
  def('get_traced_memory', [0, 0], () => tuple(tracer.getTracedMemory().map((n) => newInt(vm, n))));
  def('reset_peak', [0, 0], () => (tracer.resetPeak(), none(vm)));
  def('get_tracemalloc_memory', [0, 0], () => newInt(vm, tracer.getTracemallocMemory()));
  def('get_traceback_limit', [0, 0], () => newInt(vm, tracer.getTracebackLimit()));
  def('_get_object_traceback', [1, 1], (_s, args) => {
    const tb = tracer.isTracing() ? tracer.getTraceback(blockOf(vm, args[0]!)) : null;
    return tb === null ? none(vm) : framesTuple(tb);
  });
  def('_get_traces', [0, 0], () => {
    const list = interp.list.new(0);
    if (!tracer.isTracing()) return list;
    const snapshot = tracer.takeSnapshot();
    const shared = new Map<Traceback, number>();
    try {
      for (const t of snapshot.traces) {
        let frames = shared.get(t.traceback);
        if (frames === undefined) shared.set(t.traceback, (frames = framesTuple(t.traceback)));
        rt.incref(frames);
        const item = tuple([newInt(vm, t.domain), newInt(vm, t.size), frames, newInt(vm, t.traceback.totalNframe ?? t.traceback.length)]);
        interp.list.append(list, item);
        rt.decref(item);
      }
    } finally {
      for (const frames of shared.values()) rt.decref(frames);
    }
    return list;
  });

  // pymem's additions for the Python half: fnmatch.fnmatch, linecache.getline, pickle.dump / load.
  def('_fnmatch', [2, 2], (_s, args) => {
    const [name, pattern] = args.map((a) => stringArg(vm, '_fnmatch', a));
    return newBool(vm, fnmatchRegExp(pattern!).test(name!));
  });
  def('_format_size', [2, 2], (_s, args) => {
    const size = isInt(vm, args[0]!) ? Number(intValue(vm, args[0]!)) : floatArg(vm, '_format_size', args[0]!);
    return newStr(vm, formatSize(size, isTrue(vm, args[1]!)));
  });
  def('_getline', [2, 2], (_s, args) => {
    const filename = stringArg(vm, '_getline', args[0]!);
    const lineno = intArg(vm, '_getline', args[1]!);
    let lines = sources.get(vm)?.get(filename);
    if (lines === undefined) {
      try {
        lines = readFileSync(filename, 'utf8').split('\n');
      } catch {
        lines = [];
      }
    }
    const line = lineno >= 1 && lineno <= lines.length ? lines[lineno - 1]! : '';
    return newStr(vm, lineno >= 1 && lineno < lines.length ? `${line}\n` : line);
  });
  // Python traces (a list or tuple of (domain, size, frames, total_nframe)) as the JavaScript API's, each frames tuple read once.
  const tracesOf = (name: string, seq: number): { items: number[]; traces: Trace[] } => {
    if (!interp.list.check(seq) && !interp.tuple.check(seq)) raise(vm, 'TypeError', `${name}() traces must be a list, not ${typeName(vm, seq)}`);
    const items = interp.list.check(seq) ? interp.list.items(seq) : interp.tuple.items(seq);
    const read = new Map<number, Traceback>();
    const bad = (): never => raise(vm, 'TypeError', `${name}(): a trace must be a (domain, size, frames, total_nframe) tuple`);
    const traces = items.map((t) => {
      if (!interp.tuple.check(t) || interp.tuple.size(t) !== 4) bad();
      const [domain, size, frames, total] = interp.tuple.items(t) as [number, number, number, number];
      if (!isInt(vm, domain) || !isInt(vm, size) || !interp.tuple.check(frames) || interp.tuple.size(frames) === 0) bad();
      let tb = read.get(frames);
      if (tb === undefined) {
        const fs = interp.tuple.items(frames).map((f) => {
          if (!interp.tuple.check(f) || interp.tuple.size(f) !== 2) bad();
          const [file, line] = interp.tuple.items(f) as [number, number];
          if (!isStr(vm, file) || !isInt(vm, line)) bad();
          return new Frame(strValue(vm, file), Number(intValue(vm, line)));
        });
        const totalN = isInt(vm, total) ? Number(intValue(vm, total)) : null;
        read.set(frames, (tb = new Traceback(fs, totalN !== null && totalN > fs.length ? totalN : null)));
      }
      return new Trace(Number(intValue(vm, domain)), Number(intValue(vm, size)), tb);
    });
    return { items, traces };
  };

  def('_group_by', [3, 3], (_s, args) => {
    // Snapshot._group_by's loop; the Python side checked key_type and cumulative.
    const { traces } = tracesOf('_group_by', args[0]!);
    const keyType = stringArg(vm, '_group_by', args[1]!) as KeyType;
    if (keyType !== 'traceback' && keyType !== 'filename' && keyType !== 'lineno') raise(vm, 'ValueError', `unknown key_type: '${keyType}'`);
    if (keyType === 'traceback' && isTrue(vm, args[2]!)) raise(vm, 'ValueError', "cumulative mode cannot by used with key type 'traceback'");
    const stats = new Snapshot(traces, 1).statistics(keyType, isTrue(vm, args[2]!));
    const list = interp.list.new(0);
    for (const st of stats) {
      const item = tuple([framesTuple(st.traceback), newInt(vm, st.size), newInt(vm, st.count)]);
      interp.list.append(list, item);
      rt.decref(item);
    }
    return list;
  });
  def('_filter_traces', [2, 2], (_s, args) => {
    // Snapshot.filter_traces for Filter and DomainFilter: (inclusive, pattern, lineno, all_frames, domain) or (inclusive, domain).
    const { items, traces } = tracesOf('_filter_traces', args[0]!);
    const bad = (): never => raise(vm, 'TypeError', '_filter_traces(): filters must be a list of (inclusive, pattern, lineno, all_frames, domain) or (inclusive, domain) tuples');
    const int = (op: number): number => (isInt(vm, op) ? Number(intValue(vm, op)) : bad());
    const optInt = (op: number): number | null => (op === interp.singletons.None ? null : int(op));
    if (!interp.list.check(args[1]!)) bad();
    const filters = interp.list.items(args[1]!).map((spec): TraceFilter => {
      if (!interp.tuple.check(spec)) bad();
      const f = interp.tuple.items(spec);
      if (f.length === 2) return new DomainFilter(isTrue(vm, f[0]!), int(f[1]!));
      if (f.length !== 5) bad();
      return new Filter(isTrue(vm, f[0]!), stringArg(vm, 'Filter', f[1]!), optInt(f[2]!), isTrue(vm, f[3]!), optInt(f[4]!));
    });
    const kept = new Set(new Snapshot(traces, 1).filterTraces(filters).traces);
    const list = interp.list.new(0);
    traces.forEach((t, i) => {
      if (kept.has(t)) interp.list.append(list, items[i]!);
    });
    return list;
  });
  def('_dump', [3, 3], (_s, args) => {
    const filename = stringArg(vm, '_dump', args[0]!);
    const snapshot = new Snapshot(tracesOf('_dump', args[1]!).traces, intArg(vm, '_dump', args[2]!));
    try {
      snapshot.dump(filename);
    } catch (e) {
      raise(vm, 'OSError', `[Errno 2] ${(e as Error).message}`);
    }
    return none(vm);
  });
  def('_load', [1, 1], (_s, args) => {
    const filename = stringArg(vm, '_load', args[0]!);
    let snapshot: Snapshot;
    try {
      snapshot = Snapshot.load(filename);
    } catch (e) {
      if (e instanceof SnapshotFormatError) raise(vm, 'ValueError', e.message);
      throw e;
    }
    const list = interp.list.new(0);
    for (const t of snapshot.traces) {
      const item = tuple([newInt(vm, t.domain), newInt(vm, t.size), framesTuple(t.traceback), newInt(vm, t.traceback.totalNframe ?? t.traceback.length)]);
      interp.list.append(list, item);
      rt.decref(item);
    }
    return tuple([list, newInt(vm, snapshot.tracebackLimit)]);
  });
  vm.modules.set('_tracemalloc', module);
}

/**
 * Where 3.11's tracemalloc takes an object's block to start: at the PyGC_Head
 * of a GC object, else at the object. So an instance with a managed __dict__
 * (whose pre-header is 16 bytes more) is not found — get_object_traceback
 * answers None for it, as 3.11.7 does (3.12 subtracts the whole pre-header).
 */
function blockOf(vm: Vm, op: number): number {
  return op - (isGcType(typeOf(vm, op)) ? GC_HEAD_SIZE : 0);
}

/** The TypeError of a wrong argument count, in the words of METH_NOARGS, METH_O and Argument Clinic's _PyArg_CheckPositional. */
function checkArity(vm: Vm, name: string, n: number, [min, max]: [number, number]): void {
  if (n >= min && n <= max) return;
  if (max === 0) raise(vm, 'TypeError', `_tracemalloc.${name}() takes no arguments (${n} given)`);
  if (min === 1 && max === 1) raise(vm, 'TypeError', `_tracemalloc.${name}() takes exactly one argument (${n} given)`);
  const plural = (k: number): string => `${k} argument${k === 1 ? '' : 's'}`;
  if (min === max) raise(vm, 'TypeError', `${name} expected ${plural(min)}, got ${n}`);
  if (n < min) raise(vm, 'TypeError', `${name} expected at least ${plural(min)}, got ${n}`);
  raise(vm, 'TypeError', `${name} expected at most ${plural(max)}, got ${n}`);
}

function stringArg(vm: Vm, name: string, op: number): string {
  if (!isStr(vm, op)) raise(vm, 'TypeError', `${name}() argument must be str, not ${typeName(vm, op)}`);
  return strValue(vm, op);
}

function floatArg(vm: Vm, name: string, op: number): number {
  if (!isFloat(vm, op)) raise(vm, 'TypeError', `${name}() argument must be a number, not ${typeName(vm, op)}`);
  return vm.interp.float.value(op);
}

function intArg(vm: Vm, name: string, op: number): number {
  if (!isInt(vm, op)) raise(vm, 'TypeError', `${name}() argument must be int, not ${typeName(vm, op)}`);
  return Number(intValue(vm, op));
}
