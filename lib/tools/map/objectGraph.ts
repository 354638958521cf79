/*
 * A running program's objects as a learner draws them (the view Python Tutor
 * gives): its names — __main__'s globals, each running function's locals —
 * pointing at objects, each object with its type, value (for ints, floats,
 * strs …), refcount and size, and arrows to the objects it refers to
 * (labelled [i] for list and tuple items, [key] for dict values, .name for
 * an instance's attributes, read from its slots and values array); beside
 * each, the block it lives in (arena, pool, slot), to join the picture to the
 * arena map. And the shortest path from a name to any object
 * (referrerPaths), for the pins report.
 *
 * Arrows are what tp_traverse visits, read without running any Python code
 * (values are shown only for ints, floats, strs, bools and None, whose repr
 * is pure), so drawing changes nothing in the heap. Functions, classes,
 * modules and code objects are drawn but not entered (their insides are the
 * interpreter's, not the program's data). Only programRoots needs the
 * evaluation loop's state (a Vm); the rest works on any object space.
 *
 * Invariants: nodes are in breadth-first order from the roots (in root
 * order); every edge's target is a node unless the graph was cut at maxNodes
 * (then `truncated`); an object's block is null when it is not in an arena
 * (a raw block, or a static object such as a small int).
 */
import type { Interpreter } from '../../objects/interpreter.js';
import { floatRepr } from '../../objects/text/floatRepr.js';
import { intToString } from '../../objects/text/intText.js';
import { strRepr } from '../../objects/text/strRepr.js';
import { itemArray, managedDict, managedValues, obSize, pointerSlot } from '../../objects/layout.js';
import { Py_TPFLAGS_MANAGED_DICT, preHeaderBytes } from '../../objects/type.js';
import { SIZEOF_UNICODE_ENTRY, dkNentries, entriesOffset, uKey } from '../../objects/types/dictKeys.js';
import { localsplus } from '../../objects/types/frame.js';
import { CO_FAST_CELL, CO_FAST_FREE } from '../../frontend/code.js';
import { currentFrames } from '../../eval/ceval.js';
import type { Vm } from '../../eval/vm.js';

/** Where an object's block is. */
export interface BlockPlace {
  /** The arena's creation number. */
  arena: number;
  /** The pool's index in the arena. */
  pool: number;
  /** The block's index in the pool. */
  slot: number;
  blockSize: number;
}

/** One object of the drawing. */
export interface ObjectNode {
  /** Its pointer. */
  id: number;
  type: string;
  /** The repr of an int, float, str, bool or None, cut to 40 characters. */
  value?: string;
  refcnt: number;
  /** sys.getsizeof. */
  size: number;
  block: BlockPlace | null;
  /** Arrows: [label, target id]; the label is "[0]", "['key']" or "". */
  edges: Array<[string, number]>;
  /** Arrows left out (beyond maxEdges). */
  more: number;
}

/** A name bound to an object: a global, or a local of a running function. */
export interface RootName {
  /** "globals", or the function's name. */
  scope: string;
  name: string;
  id: number;
}

/** The drawing. */
export interface ObjectGraph {
  roots: RootName[];
  nodes: ObjectNode[];
  /** Whether objects were left out (more than maxNodes reachable). */
  truncated: boolean;
}

/** Limits of a drawing. */
export interface GraphOptions {
  /** At most this many objects (default 80). */
  maxNodes?: number;
  /** At most this many arrows an object (default 12). */
  maxEdges?: number;
}

/** Types drawn as one box without entering them. */
const OPAQUE = new Set(['function', 'module', 'type', 'code', 'builtin_function_or_method', 'method', 'frame', 'cell', 'classmethod', 'staticmethod', 'property']);

/** The program's names: __main__'s globals (not its dunder names), then each running function's locals, innermost last. */
export function programRoots(vm: Vm): RootName[] {
  const { interp } = vm;
  const roots: RootName[] = [];
  const main = vm.modules.get('__main__');
  if (main !== undefined) {
    for (const [k, v] of interp.dict.items(vm.module.dict(main))) {
      if (!interp.str.checkExact(k)) continue;
      const name = interp.str.toString(k);
      if (name.startsWith('__') && name.endsWith('__')) continue;
      roots.push({ scope: 'globals', name, id: v });
    }
  }
  for (const { f, info } of currentFrames(vm)) {
    if (info.co.name === '<module>') continue;
    info.co.localsplusnames.forEach((name, i) => {
      // A cell or free variable's slot holds its cell (once MAKE_CELL ran): the name is bound to the contents.
      const slot = localsplus.get(f, i);
      const isCell = (info.co.localspluskinds[i]! & (CO_FAST_CELL | CO_FAST_FREE)) !== 0 && slot !== 0 && interp.cell.check(slot);
      const v = isCell ? interp.cell.contents(slot) : slot;
      if (v !== 0) roots.push({ scope: info.co.name, name, id: v });
    });
  }
  return roots;
}

/** The objects an object refers to, with labels (what its tp_traverse visits). */
export function referents(interp: Interpreter, op: number): Array<[string, number]> {
  const rt = interp.rt;
  const t = rt.typeOf(op);
  if (OPAQUE.has(t.name) || t.traverse === undefined) return [];
  if (interp.list.check(op)) return interp.list.items(op).map((v, i): [string, number] => [`[${i}]`, v]);
  if (t === interp.tuple.type) return interp.tuple.items(op).map((v, i): [string, number] => [`[${i}]`, v]);
  if (interp.dict.check(op)) {
    const out: Array<[string, number]> = [];
    for (const [k, v] of interp.dict.items(op)) {
      const key = scalarRepr(interp, k);
      out.push([`[${key ?? interp.rt.typeOf(k).name}]`, v]);
      if (key === undefined) out.push(['(key)', k]);
    }
    return out;
  }
  const out: Array<[string, number]> = [];
  t.traverse(rt, op, (v) => {
    out.push(['', v]);
    return 0;
  });
  // An instance's arrows by attribute name, when they are exactly what its traverse visits.
  const named = interp.instance.check(op) ? instanceAttributes(interp, op) : [];
  return named.length === out.length && named.every(([, v], i) => v === out[i]![1]) ? named : out;
}

/** An instance's attributes in subtype_traverse's order: its slots, its values array, its dict, then its heap type. */
function instanceAttributes(interp: Interpreter, op: number): Array<[string, number]> {
  const t = interp.rt.typeOf(op);
  const out: Array<[string, number]> = [];
  for (const m of interp.instance.members(t)) {
    const v = pointerSlot.get(op, m.offset);
    if (v !== 0) out.push([`.${m.name}`, v]);
  }
  const keys = interp.instance.cachedKeys(t);
  if ((t.flags & Py_TPFLAGS_MANAGED_DICT) === 0 || keys === 0) return out;
  const values = managedValues.get(op);
  if (values !== 0) {
    const entries = keys + entriesOffset(keys);
    for (let i = 0; i < dkNentries.get(keys); i++) {
      const v = itemArray.get(values, i);
      if (v !== 0) out.push([`.${interp.str.toString(uKey.get(entries + i * SIZEOF_UNICODE_ENTRY))}`, v]);
    }
  }
  const dict = managedDict.get(op);
  if (dict !== 0) out.push(['.__dict__', dict]);
  const type = interp.rt.heapTypeObject(t);
  if (type !== 0) out.push(['(type)', type]);
  return out;
}

/** The repr of an int, float, str, bool or None (cut to 40 characters), else undefined. */
export function scalarRepr(interp: Interpreter, op: number): string | undefined {
  let r: string;
  const t = interp.rt.typeOf(op);
  if (op === interp.singletons.None) r = 'None';
  else if (op === interp.long.True) r = 'True';
  else if (op === interp.long.False) r = 'False';
  else if (t === interp.long.type) {
    // ob_size digits of 30 bits: past 40 of them (1200 bits, about 10**361) the value is named by its size, not printed.
    const digits = Math.abs(obSize.get(op));
    r = digits > 40 ? `<int of ${digits} 30-bit digits>` : intToString(interp.long.toBigInt(op));
  } else if (t === interp.float.type) r = floatRepr(interp.float.value(op));
  else if (interp.str.checkExact(op)) {
    // A long str is read only as far as it is shown (readChar allocates nothing).
    const n = interp.str.length(op);
    if (n > 40) return `${strRepr(String.fromCodePoint(...Array.from({ length: 24 }, (_, i) => interp.str.readChar(op, i)))).slice(0, -1)}… (${n} characters)`;
    r = strRepr(interp.str.toString(op));
  } else return undefined;
  return r.length > 40 ? `${r.slice(0, 39)}…` : r;
}

/** The arena, pool and slot of op's block, or null (not a pymalloc block). */
export function blockPlace(interp: Interpreter, op: number): BlockPlace | null {
  const heap = interp.rt.heap;
  const pm = heap.pymalloc;
  const start = op - preHeaderBytes(interp.rt.typeOf(op));
  const at = pm.arenaOf(start);
  if (at === null) return null;
  const { poolSize, poolOverhead } = heap.profile;
  const pool = Math.floor((at.offset - at.arena.firstPool) / poolSize);
  const poolOff = at.arena.firstPool + pool * poolSize;
  const blockSize = pm.index2size(pm.sizeClassOf(start));
  return { arena: at.arena.ordinal, pool, slot: Math.floor((at.offset - poolOff - poolOverhead) / blockSize), blockSize };
}

/** The drawing of the program's objects reachable from `roots` (breadth first, cut at maxNodes). */
export function objectGraph(interp: Interpreter, roots: RootName[], options: GraphOptions = {}): ObjectGraph {
  const maxNodes = options.maxNodes ?? 80;
  const maxEdges = options.maxEdges ?? 12;
  const nodes: ObjectNode[] = [];
  const seen = new Set<number>();
  const queue: number[] = [];
  let truncated = false;
  const enqueue = (op: number): void => {
    if (seen.has(op) || interp.rt.typeOrNull(op) === null) return;
    if (seen.size >= maxNodes) {
      truncated = true;
      return;
    }
    seen.add(op);
    queue.push(op);
  };
  roots.forEach((r) => enqueue(r.id));
  for (let i = 0; i < queue.length; i++) {
    const op = queue[i]!;
    const all = referents(interp, op);
    const edges = all.slice(0, maxEdges);
    edges.forEach(([, v]) => enqueue(v));
    const value = scalarRepr(interp, op);
    nodes.push({
      id: op,
      type: interp.rt.typeOf(op).name,
      ...(value === undefined ? {} : { value }),
      refcnt: interp.rt.refcnt(op),
      size: interp.getsizeof(op),
      block: blockPlace(interp, op),
      edges,
      more: all.length - edges.length,
    });
  }
  return { roots, nodes, truncated };
}

/** One step of a path from a name: the label of the arrow taken and the object it reached. */
export interface PathStep {
  label: string;
  id: number;
}

/** A path from a root to an object. */
export interface ReferrerPath {
  root: RootName;
  /** The arrows from the root's object to the target (empty when the root names the target). */
  steps: PathStep[];
}

/**
 * For each of `targets`, the shortest path from one of `roots` (breadth first
 * over every object reachable from them, entering everything but code);
 * targets reached from no root are absent from the map.
 */
export function referrerPaths(interp: Interpreter, roots: RootName[], targets: Iterable<number>): Map<number, ReferrerPath> {
  const want = new Set(targets);
  const found = new Map<number, ReferrerPath>();
  const parent = new Map<number, { from: number; label: string } | { root: RootName }>();
  const queue: number[] = [];
  for (const r of roots) {
    if (parent.has(r.id)) continue;
    parent.set(r.id, { root: r });
    queue.push(r.id);
  }
  const rt = interp.rt;
  const pathTo = (op: number): ReferrerPath => {
    const steps: PathStep[] = [];
    let p = parent.get(op)!;
    let cur = op;
    while (!('root' in p)) {
      steps.push({ label: p.label, id: cur });
      cur = p.from;
      p = parent.get(cur)!;
    }
    return { root: p.root, steps: steps.reverse() };
  };
  for (let i = 0; i < queue.length && found.size < want.size; i++) {
    const op = queue[i]!;
    if (want.has(op)) found.set(op, pathTo(op));
    const t = rt.typeOf(op);
    if (t.name === 'code' || t.traverse === undefined) continue;
    const next: Array<[string, number]> = OPAQUE.has(t.name) ? [] : referents(interp, op);
    if (OPAQUE.has(t.name)) {
      t.traverse(rt, op, (v) => {
        next.push([`(${t.name})`, v]);
        return 0;
      });
    }
    for (const [label, v] of next) {
      if (parent.has(v) || rt.typeOrNull(v) === null) continue;
      parent.set(v, { from: op, label });
      queue.push(v);
    }
  }
  return found;
}

/** A path as an expression a learner can read: `data['a'][3]`, `sys.argv[0]`, `x[0] (in f)`, or with the types of unlabelled steps: `node → Node`. */
export function formatPath(interp: Interpreter, path: ReferrerPath): string {
  let s = path.root.name;
  let attribute = false;
  for (const step of path.steps) {
    // A module's globals read as attributes: sys → its dict → ['argv'] is sys.argv.
    if (step.label === '(module)') attribute = true;
    else if (attribute && /^\['.*'\]$/.test(step.label)) s += `.${step.label.slice(2, -2)}`;
    else s += step.label.startsWith('[') || step.label.startsWith('.') ? step.label : ` → ${step.label === '' ? '' : `${step.label} `}${interp.rt.typeOf(step.id).name}`;
    if (step.label !== '(module)') attribute = false;
  }
  return path.root.scope === 'globals' || path.root.scope === 'modules' || path.root.scope === 'handles' ? s : `${s} (in ${path.root.scope})`;
}
