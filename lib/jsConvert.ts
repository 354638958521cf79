/*
 * Conversions between JavaScript values and Python objects, for python.ts
 * (Python.from, Python.toJS and the handle helpers).
 *
 * Both directions are iterative (an explicit work list, never recursion), so
 * nesting of any depth converts without "Maximum call stack size exceeded",
 * and both keep a memo of the containers met so far, so cycles convert to
 * cycles and shared containers stay shared: a list that holds itself reads
 * back as an array that holds itself, and a cyclic JavaScript array becomes
 * a list that holds itself (freed by the collector once unreachable).
 *
 * Containers are made first as empty shells and filled afterwards: toJS
 * makes an empty array, Map or Set for a list, tuple, dict or set and fills
 * it in place; fromJS makes a list of n NULL items (PyList_New(n)) or an
 * empty dict or set and fills it with PyList_SET_ITEM / PyDict_SetItem /
 * PySet_Add. Leaves (numbers, strings, bytes …) convert as the type's toJS
 * or constructor says. Invariant of fromJS: every reference it took is given
 * back when it throws (a cycle it built by then is left to the collector).
 */
import { InvalidArgumentError, PymemError, describe } from './errors.js';
import type { Interpreter } from './objects/interpreter.js';

/** What fromJS converts: JavaScript values and, through `handleRef`, handles. */
type Source = unknown;

/** A container of a JavaScript value to fill once its shell exists. */
interface FromJob {
  readonly op: number;
  readonly v: unknown[] | Map<unknown, unknown> | Set<unknown> | { [key: string]: unknown };
}

/**
 * A new reference to the Python object for v: null/undefined → None,
 * boolean → bool, integer → int (-0 → float), other number → float, bigint →
 * int, string → str, Uint8Array → bytes, array → list, Set → set, Map or
 * plain object → dict, a handle → its object (handleRef returns a new
 * reference for a handle and undefined for anything else).
 * Throws InvalidArgumentError for what has no Python value (a symbol, a
 * function, an object of a class), UnhashableError for an unhashable key.
 */
export function fromJS(interp: Interpreter, v: Source, handleRef: (v: unknown) => number | undefined): number {
  const { rt } = interp;
  const memo = new Map<object, number>();
  const jobs: FromJob[] = [];
  /** A new reference for v: a leaf converted, or a container's shell (queued to fill). */
  const shell = (x: unknown): number => {
    const h = handleRef(x);
    if (h !== undefined) return h;
    if (x === null || x === undefined) {
      rt.incref(interp.singletons.None);
      return interp.singletons.None;
    }
    switch (typeof x) {
      case 'boolean':
        return interp.long.fromBool(x);
      case 'bigint':
        return interp.long.fromBigInt(x);
      case 'number':
        return Number.isInteger(x) && !Object.is(x, -0) ? interp.long.fromNumber(x) : interp.float.fromNumber(x);
      case 'string':
        return interp.str.fromString(x);
      case 'object':
        break;
      default:
        throw new InvalidArgumentError(`no Python value for ${describe(x)}`);
    }
    if (x instanceof Uint8Array) return interp.bytes.fromBytes(x);
    const known = memo.get(x);
    if (known !== undefined) {
      rt.incref(known);
      return known;
    }
    let op: number;
    if (Array.isArray(x)) op = interp.list.new(x.length);
    else if (x instanceof Set) op = interp.set.new();
    else if (x instanceof Map || isPlainObject(x)) op = interp.dict.new();
    else throw new InvalidArgumentError(`no Python value for an object of class ${x.constructor?.name ?? '?'} (arrays, Maps, Sets and plain objects convert)`);
    memo.set(x, op);
    jobs.push({ op, v: x as FromJob['v'] });
    rt.incref(op);
    return op;
  };
  let root = 0;
  try {
    root = shell(v);
    for (let job = jobs.pop(); job !== undefined; job = jobs.pop()) fill(interp, job, shell);
  } catch (e) {
    if (root !== 0) rt.decref(root);
    for (const op of memo.values()) rt.decref(op);
    throw e;
  }
  for (const op of memo.values()) rt.decref(op);
  return root;
}

/** Fills a container shell with its items (each a new reference from shell, handed to the container). */
function fill(interp: Interpreter, job: FromJob, shell: (x: unknown) => number): void {
  const { rt } = interp;
  const { op, v } = job;
  if (Array.isArray(v)) {
    // PyList_SET_ITEM: the list of PyList_New(n) takes each reference; a NULL item left by a throw is freed as NULL.
    for (let i = 0; i < v.length; i++) interp.list.setItem(op, i, shell(v[i]));
    return;
  }
  const pairs: Iterable<readonly [unknown, unknown]> | null = v instanceof Map ? v : v instanceof Set ? null : Object.entries(v);
  if (pairs === null) {
    for (const x of v as Set<unknown>) {
      const r = shell(x);
      try {
        interp.set.add(op, r);
      } finally {
        rt.decref(r);
      }
    }
    return;
  }
  for (const [k, x] of pairs) {
    const kr = shell(k);
    try {
      const xr = shell(x);
      try {
        interp.dict.setItem(op, kr, xr);
      } finally {
        rt.decref(xr);
      }
    } finally {
      rt.decref(kr);
    }
  }
}

/** An object literal (or Object.create(null)): what converts to a dict. */
function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * The value of the object at p as JavaScript: a list or tuple as an array, a
 * dict as a Map, a set or frozenset as a Set, anything else as its type's
 * toJS says (numbers, bigints, strings, bytes …). Cycles and shared
 * containers convert to cycles and shared values.
 */
export function toJS(interp: Interpreter, p: number): unknown {
  const { rt } = interp;
  const memo = new Map<number, unknown>();
  const jobs: number[] = [];
  const shell = (op: number): unknown => {
    if (op === 0) return null;
    const known = memo.get(op);
    if (known !== undefined) return known;
    let out: unknown;
    if (interp.list.check(op) || interp.tuple.check(op)) out = [];
    else if (interp.dict.check(op)) out = new Map();
    else if (interp.set.check(op)) out = new Set();
    else {
      const t = rt.typeOf(op);
      if (t.toJS === undefined) throw new PymemError(`no JavaScript value for a ${t.name} object`);
      return t.toJS(rt, op);
    }
    memo.set(op, out);
    jobs.push(op);
    return out;
  };
  const root = shell(p);
  for (let op = jobs.pop(); op !== undefined; op = jobs.pop()) {
    const out = memo.get(op);
    if (Array.isArray(out)) {
      for (const item of interp.list.check(op) ? interp.list.items(op) : interp.tuple.items(op)) out.push(shell(item));
    } else if (out instanceof Map) {
      for (const [k, v] of interp.dict.items(op)) out.set(shell(k), shell(v));
    } else {
      for (const k of interp.set.items(op)) (out as Set<unknown>).add(shell(k));
    }
  }
  return root;
}
