// Python functions and closure cells as CPython 3.11 lays them out
// (lib/objects/types/function.ts, cell.ts): a function is 136 bytes + the
// PyGC_Head (sys.getsizeof 152), a cell 24 + 16 (40), both tracked from
// birth. The references a function takes and gives back, func_builtins
// from globals or the interpreter, weakrefs to functions, func_traverse's
// order and func_clear's effect (both checked against CPython 3.11.7:
// gc.get_referents, and tp_clear called through ctypes), the closure cycle
// of `def outer(): def inner(): return inner; return inner` built as
// CPython builds it and collected (3 objects), and the allocator back at
// its baseline once everything is dropped.
import { afterEach, describe, expect, it } from 'vitest';
import { gcListViolations, installGc } from '../lib/gc/index.js';
import { InvalidArgumentError } from '../lib/errors.js';
import { Interpreter } from '../lib/objects/interpreter.js';
import { isGcType } from '../lib/objects/type.js';
import { PyCellObject } from '../lib/objects/types/cell.js';
import { PyFunctionObject } from '../lib/objects/types/function.js';
import { hashPointer } from '../lib/objects/types/singletons.js';
import { footprint } from './support/footprint.js';

const MEMORIES = ['fake', 'native'] as const;

let open: Interpreter[] = [];
afterEach(() => {
  for (const i of open) {
    expect(gcListViolations(i.rt)).toEqual([]);
    i.dispose();
  }
  open = [];
});

function fresh(memory: 'fake' | 'native' = 'fake'): Interpreter {
  const interp = new Interpreter({ memory });
  open.push(interp);
  return interp;
}

/** [getsizeof, __sizeof__, gc.is_tracked]. */
function sizes(interp: Interpreter, op: number): [number, number, boolean] {
  return [interp.getsizeof(op), interp.sizeofObject(op), isGcType(interp.rt.typeOf(op)) && interp.rt.gc.isTracked(op)];
}

/** A module namespace: {'__name__': name}. New reference. */
function moduleGlobals(interp: Interpreter, name = '__main__'): number {
  const { str, dict, rt } = interp;
  const key = str.internFromString('__name__');
  const value = str.fromString(name);
  const d = dict.fromItems([key], [value]);
  rt.decref(key);
  rt.decref(value);
  return d;
}

/**
 * `def outer(): def inner(): return inner; return inner` then `f = outer()`,
 * as CPython 3.11 runs outer's body: MAKE_CELL inner (an empty cell),
 * LOAD_CLOSURE + BUILD_TUPLE 1, MAKE_FUNCTION 0x08, STORE_DEREF inner,
 * LOAD_DEREF inner, RETURN_VALUE, then the frame lets go of its cell.
 * Returns the new reference f holds.
 */
function callOuter(interp: Interpreter, globals: number): number {
  const { cell, tuple, function: func, str, rt } = interp;
  const c = cell.new();
  const closure = tuple.pack([c]);
  const name = str.internFromString('inner');
  const qualname = str.fromString('outer.<locals>.inner');
  const inner = func.newFunction({ name, qualname, globals, closure });
  // The code object's co_name and co_qualname, and the stack's closure tuple.
  for (const o of [name, qualname, closure]) rt.decref(o);
  cell.set(c, inner); // STORE_DEREF: the cell takes the stack's reference
  rt.decref(inner);
  const result = cell.get(c); // LOAD_DEREF
  rt.decref(c); // the frame is cleared
  return result;
}

describe.each(MEMORIES)('function and cell objects (%s memory)', (memory) => {
  it('a function is 152 bytes (136 + PyGC_Head), a cell 40 (24 + 16), both tracked; a 1-cell closure tuple 48', () => {
    const interp = fresh(memory);
    const { str, cell, tuple, function: func, rt } = interp;
    const g = moduleGlobals(interp);
    const name = str.internFromString('f');
    const f = func.newFunction({ name, globals: g });
    const c = cell.new(f);
    const t = tuple.pack([c]);
    expect(sizes(interp, f)).toEqual([152, 136, true]);
    expect(sizes(interp, c)).toEqual([40, 24, true]);
    expect(sizes(interp, t)).toEqual([48, 32, true]);
    expect(rt.typeOf(f).name).toBe('function');
    expect(rt.typeOf(c).name).toBe('cell');
    // The blocks: 16 + 136 and 16 + 24 bytes, rounded up to the profile's alignment.
    const align = rt.heap.profile.alignment;
    expect(rt.heap.usableSize(f - 16)).toBe(Math.ceil(152 / align) * align);
    expect(rt.heap.usableSize(c - 16)).toBe(Math.ceil(40 / align) * align);
    for (const o of [t, c, f, name, g]) rt.decref(o);
  });

  it('newFunction takes a reference to each field and func_dealloc gives them all back', () => {
    const interp = fresh(memory);
    const { str, dict, tuple, cell, long, function: func, singletons, rt } = interp;
    const g = moduleGlobals(interp, 'mod');
    const builtins = dict.new();
    const bkey = str.internFromString('__builtins__');
    dict.setItem(g, bkey, builtins);
    const name = str.internFromString('g');
    const qualname = str.fromString('C.g');
    const one = long.fromNumber(1);
    const defaults = tuple.pack([one]);
    const kwdefaults = dict.new();
    const c = cell.new(one);
    const closure = tuple.pack([c]);
    const code = interp.object.new(); // a stand-in for the code object
    const doc = str.fromString('the doc');
    const nameKey = str.internFromString('__name__');
    const module = dict.getItem(g, nameKey);
    rt.decref(nameKey);
    const owned = [g, builtins, name, qualname, defaults, kwdefaults, closure, code, doc, module];
    const before = owned.map((o) => rt.refcnt(o));
    const noneBefore = rt.refcnt(singletons.None);

    const f = func.newFunction({ name, qualname, globals: g, code, doc, defaults, kwdefaults, closure });
    expect(rt.refcnt(f)).toBe(1);
    expect(owned.map((o) => rt.refcnt(o))).toEqual(before.map((n) => n + 1));
    expect(rt.refcnt(singletons.None)).toBe(noneBefore);
    const fields = func.fields(f);
    expect(fields).toEqual({
      globals: g,
      builtins,
      name,
      qualname,
      code,
      defaults,
      kwdefaults,
      closure,
      doc,
      dict: 0,
      weakreflist: 0,
      module,
      annotations: 0,
    });
    expect(str.toString(fields.module)).toBe('mod');
    expect(PyFunctionObject.field('func_version').get(f)).toBe(0);
    expect(interp.hash(f)).toBe(hashPointer(f));

    rt.decref(f);
    expect(owned.map((o) => rt.refcnt(o))).toEqual(before);
    for (const o of [...owned.filter((o) => o !== module), bkey, one, c]) rt.decref(o);
  });

  it('defaults: func_builtins is the interpreter builtins dict, func_module NULL without __name__, doc None, qualname the name', () => {
    const interp = fresh(memory);
    const { str, dict, function: func, singletons, rt } = interp;
    const g = dict.new();
    const name = str.internFromString('<lambda>');
    const f = func.newFunction({ name, globals: g });
    const fields = func.fields(f);
    expect(fields.builtins).toBe(func.builtins());
    expect(dict.check(fields.builtins)).toBe(true);
    expect(fields.module).toBe(0);
    expect(fields.doc).toBe(singletons.None);
    expect(fields.qualname).toBe(name);
    expect([fields.code, fields.defaults, fields.kwdefaults, fields.closure]).toEqual([0, 0, 0, 0]);
    // The builtins dict is one for the interpreter.
    const f2 = func.newFunction({ name, globals: g });
    expect(func.fields(f2).builtins).toBe(fields.builtins);
    expect(rt.refcnt(fields.builtins)).toBe(3);
    for (const o of [f, f2, name, g]) rt.decref(o);
    expect(rt.refcnt(func.builtins())).toBe(1);
  });

  it('cells: PyCell_New, Get, Set and an empty cell; refcounts', () => {
    const interp = fresh(memory);
    const { cell, list, rt } = interp;
    const l = list.new(0);
    const empty = cell.new();
    expect(cell.contents(empty)).toBe(0);
    expect(cell.get(empty)).toBe(0);
    const c = cell.new(l);
    expect(rt.refcnt(l)).toBe(2);
    const got = cell.get(c);
    expect(got).toBe(l);
    expect(rt.refcnt(l)).toBe(3);
    rt.decref(got);
    cell.set(empty, l);
    expect(rt.refcnt(l)).toBe(3);
    cell.set(c, 0);
    expect(PyCellObject.field('ob_ref').get(c)).toBe(0);
    expect(rt.refcnt(l)).toBe(2);
    rt.decref(empty);
    expect(rt.refcnt(l)).toBe(1);
    rt.decref(c);
    rt.decref(l);
    expect(() => cell.get(l)).toThrow(InvalidArgumentError);
    const unhashable = cell.new();
    expect(() => interp.hash(unhashable)).toThrow(/unhashable type: 'cell'/);
    rt.decref(unhashable);
  });

  it('func_traverse visits code, globals, builtins, module, defaults, kwdefaults, doc, name, dict, closure, qualname (CPython 3.11.7 order)', () => {
    const interp = fresh(memory);
    const { str, tuple, dict, cell, long, function: func, rt } = interp;
    const gc = installGc(interp);
    const g = moduleGlobals(interp, 'mod');
    const name = str.internFromString('g');
    const qualname = str.fromString('outer.<locals>.g');
    const one = long.fromNumber(1);
    const defaults = tuple.pack([one]);
    const kwdefaults = dict.new();
    const c = cell.new(one);
    const closure = tuple.pack([c]);
    const code = interp.object.new();
    const doc = str.fromString('doc');
    const f = func.newFunction({ name, qualname, globals: g, code, doc, defaults, kwdefaults, closure });
    const d = func.dictOf(f);
    const fl = func.fields(f);
    expect(gc.getReferents(f)).toEqual([code, g, fl.builtins, fl.module, defaults, kwdefaults, doc, name, d, closure, qualname]);
    expect(gc.getReferents(c)).toEqual([one]);
    // f.__dict__ is made once and kept.
    const d2 = func.dictOf(f);
    expect(d2).toBe(d);
    expect(rt.refcnt(d)).toBe(3);
    for (const o of [d, d2, f, g, name, qualname, one, defaults, kwdefaults, c, closure, code, doc]) rt.decref(o);
  });

  it('func_clear (tp_clear) keeps func_code, sets name and qualname to the empty string, clears the rest (as 3.11.7)', () => {
    const interp = fresh(memory);
    const { str, tuple, long, function: func, rt } = interp;
    const g = moduleGlobals(interp);
    const name = str.internFromString('f');
    const code = interp.object.new();
    const one = long.fromNumber(1);
    const defaults = tuple.pack([one]);
    const f = func.newFunction({ name, globals: g, code, defaults });
    rt.decref(func.dictOf(f));
    rt.typeOf(f).clear!(rt, f);
    const fl = func.fields(f);
    expect(fl).toMatchObject({ globals: 0, builtins: 0, module: 0, defaults: 0, doc: 0, dict: 0, closure: 0, code });
    expect([fl.name, fl.qualname]).toEqual([str.empty, str.empty]);
    expect(rt.refcnt(defaults)).toBe(1);
    expect(rt.refcnt(code)).toBe(2);
    rt.decref(f);
    expect(rt.refcnt(code)).toBe(1);
    for (const o of [g, name, code, one, defaults]) rt.decref(o);
  });

  it('functions are weakly referenceable: the ref dies with the function and its callback runs', () => {
    const interp = fresh(memory);
    const { str, weakref, function: func, singletons, rt } = interp;
    const g = moduleGlobals(interp);
    const name = str.internFromString('f');
    const f = func.newFunction({ name, globals: g });
    const ran: number[] = [];
    const basic = weakref.newRef(f);
    const withCb = weakref.newRef(f, (r) => ran.push(r));
    expect(PyFunctionObject.field('func_weakreflist').get(f)).toBe(basic);
    expect(weakref.get(basic)).toBe(f);
    rt.decref(f);
    expect(weakref.get(basic)).toBe(singletons.None);
    expect(ran).toEqual([withCb]);
    for (const o of [basic, withCb, name, g]) rt.decref(o);
  });

  it('rejects what MAKE_FUNCTION could not be given', () => {
    const interp = fresh(memory);
    const { str, dict, list, tuple, function: func, rt } = interp;
    const g = dict.new();
    const name = str.internFromString('f');
    const l = list.new(0);
    const notCells = tuple.pack([l]);
    expect(() => func.newFunction({ name: l, globals: g })).toThrow(/name must be a str/);
    expect(() => func.newFunction({ name, globals: l })).toThrow(/globals must be a dict/);
    expect(() => func.newFunction({ name, globals: g, defaults: l })).toThrow(/defaults must be a tuple/);
    expect(() => func.newFunction({ name, globals: g, kwdefaults: l })).toThrow(/kwdefaults must be a dict/);
    expect(() => func.newFunction({ name, globals: g, closure: notCells })).toThrow(/closure expected cell, found a list object/);
    expect(() => func.fields(l)).toThrow(InvalidArgumentError);
    expect([rt.refcnt(g), rt.refcnt(l)]).toEqual([1, 2]);
    for (const o of [notCells, l, name, g]) rt.decref(o);
  });

  it('the closure cycle of outer/inner: refcounts, then collect() finds function, tuple and cell (3), then 0', () => {
    const interp = fresh(memory);
    const { cell, tuple, function: func, rt } = interp;
    const gc = installGc(interp);
    gc.collect();
    gc.disable();
    const g = moduleGlobals(interp);
    const f = callOuter(interp, g);
    const { closure } = func.fields(f);
    const c = tuple.getItem(closure, 0);
    // f is held by `f` and by the cell; the tuple by f, the cell by the tuple (CPython: 2, 1, 1 + the script's own).
    expect([rt.refcnt(f), rt.refcnt(closure), rt.refcnt(c)]).toEqual([2, 1, 1]);
    expect(cell.contents(c)).toBe(f);
    expect(gc.isTracked(f)).toBe(true);
    expect(gc.isTracked(c)).toBe(true);
    rt.decref(f); // del f
    expect(rt.refcnt(f)).toBe(1);
    expect(gc.collect()).toBe(3);
    expect(gc.collect()).toBe(0);
    gc.enable();
    rt.decref(g);
  });

  it('f.__dict__ holding f: function and dict are garbage (CPython 3.11.7: 2, then 0)', () => {
    const interp = fresh(memory);
    const { str, dict, function: func, rt } = interp;
    const gc = installGc(interp);
    gc.collect();
    gc.disable();
    const g = moduleGlobals(interp);
    const name = str.internFromString('f');
    const me = str.internFromString('me');
    // def f(): pass; f.me = f; del f
    const f = func.newFunction({ name, globals: g });
    const d = func.dictOf(f);
    dict.setItem(d, me, f);
    expect(gc.isTracked(d)).toBe(true);
    rt.decref(d);
    rt.decref(f);
    expect([gc.collect(), gc.collect()]).toEqual([2, 0]);
    gc.enable();
    for (const o of [name, me, g]) rt.decref(o);
  });

  it('everything dropped: the allocator is back at its baseline (after the builtins dict and identifiers exist)', () => {
    const interp = fresh(memory);
    const { str, tuple, long, function: func, rt } = interp;
    const g = moduleGlobals(interp);
    const warm = str.internFromString('warm');
    rt.decref(func.newFunction({ name: warm, globals: g }));
    rt.decref(warm);
    const gc = installGc(interp);
    const before = footprint(interp);
    for (let i = 0; i < 50; i++) {
      const name = str.fromString(`f${i}`);
      const one = long.fromNumber(i);
      const defaults = tuple.pack([one]);
      const f = func.newFunction({ name, globals: g, defaults });
      const inner = callOuter(interp, g);
      for (const o of [name, one, defaults, f, inner]) rt.decref(o);
    }
    gc.collect();
    interp.tuple.clearFreeList();
    expect(footprint(interp)).toBe(before);
    expect([rt.refcnt(g), rt.refcnt(func.builtins())]).toEqual([1, 1]);
    rt.decref(g);
  });
});
