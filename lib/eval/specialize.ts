/*
 * Inline caches of the name and attribute instructions (Python/specialize.c
 * and ceval.c's specialised forms, CPython 3.11): what an instruction found
 * the last time, kept with the versions that prove it still holds.
 *
 * - LOAD_GLOBAL (and LOAD_NAME where locals are the globals): the entry of
 *   the name in the globals' keys, or in the builtins' keys with the
 *   globals' keys version proving the name is not a global
 *   (LOAD_GLOBAL_MODULE, LOAD_GLOBAL_BUILTIN). A keys object's dk_version
 *   is 0 after any change of its keys and is given a fresh number here
 *   (_PyDictKeys_GetVersionForCurrentState), so an equal version means the
 *   same keys object with the same entries; the value is read from the
 *   entry each time.
 * - LOAD_ATTR of an instance attribute (LOAD_ATTR_INSTANCE_VALUE): the
 *   name's index in the class's shared keys, under the class's version tag
 *   (typeCache.ts: no class attribute of that name, no __getattribute__ of
 *   its own). Shared keys only grow, so the index stays the name's.
 * - LOAD_METHOD of a function of the class (LOAD_METHOD_WITH_VALUES,
 *   LOAD_METHOD_NO_DICT): the function (borrowed from the class's dict,
 *   alive while the tag holds), and for an instance with values the
 *   entries its shared keys had when the name was not among them.
 * - STORE_ATTR of an instance attribute (STORE_ATTR_INSTANCE_VALUE): the
 *   index, under the tag (no data descriptor, no __setattr__ of its own).
 *
 * Invariants: `a[u]` of an instruction at code unit u is 0 (not
 * specialised) or the version its entry was made under; a version is never
 * 0 when valid, so a zeroed cache never hits. A failed specialisation
 * waits `BACKOFF` executions before the next try (the adaptive counter).
 */
import type { PyTypeObject } from '../objects/type.js';
import { itemArray, managedValues } from '../objects/layout.js';
import { PyDictObject } from '../objects/types/dict.js';
import { DICT_KEYS_UNICODE, DKIX_EMPTY, SIZEOF_UNICODE_ENTRY, dkKind, dkNentries, dkVersion, entriesOffset, uValue } from '../objects/types/dictKeys.js';
import { customGetattribute, getAttr, isObjectMethod, lookupSpecial, setAttr, strValue, typeLookup } from './abstract.js';
import type { Vm } from './vm.js';

const maKeys = PyDictObject.field('ma_keys');
const maValues = PyDictObject.field('ma_values');

/** Executions a failed specialisation waits before it is tried again. */
const BACKOFF = 16;

/** next_keys_version (1 is Py_EMPTY_KEYS'). */
let nextKeysVersion = 2;

/** _PyDictKeys_GetVersionForCurrentState: keys' dk_version, a fresh one if 0 (0 when versions ran out). */
function keysVersion(keys: number): number {
  const v = dkVersion.get(keys);
  if (v !== 0 || nextKeysVersion === 0) return v;
  const fresh = nextKeysVersion;
  nextKeysVersion = (nextKeysVersion + 1) >>> 0;
  dkVersion.set(keys, fresh);
  return fresh;
}

/** The inline caches of one code object, by code unit of the instruction's first cache entry. */
export class InlineCaches {
  /** The version the entry holds under (keys version or type tag); 0: none. */
  readonly a: Float64Array;
  /** A second version (the builtins' keys) or the shared keys' entry count (-1: not checked). */
  readonly b: Float64Array;
  /** The entry: an entry address, an index in the values, or a borrowed function. */
  readonly c: Float64Array;
  /** The adaptive counter: executions left before specialising is tried again. */
  readonly backoff: Uint8Array;

  constructor(units: number) {
    this.a = new Float64Array(units);
    this.b = new Float64Array(units);
    this.c = new Float64Array(units);
    this.backoff = new Uint8Array(units);
  }

  /** Whether a failed instruction may try again now (counts the wait down). */
  mayRetry(u: number): boolean {
    const n = this.backoff[u]!;
    if (n === 0) return true;
    this.backoff[u] = n - 1;
    return false;
  }
}

// --- globals ------------------------------------------------------------------------------------

/**
 * LOAD_GLOBAL's lookup (globals, then builtins): the value (borrowed) or 0
 * when neither has the name. From the cache while both keys versions hold.
 */
export function loadGlobal(vm: Vm, c: InlineCaches, u: number, globals: number, builtins: number, name: number): number {
  const ver = c.a[u]!;
  if (ver !== 0 && dkVersion.get(maKeys.get(globals)) === ver) {
    const bver = c.b[u]!;
    if (bver === 0 || dkVersion.get(maKeys.get(builtins)) === bver) {
      const v = uValue.get(c.c[u]!);
      if (v !== 0) return v;
    }
  }
  const { dict } = vm.interp;
  let v = dict.getItem(globals, name);
  let inBuiltins = false;
  if (v === 0) {
    v = dict.getItem(builtins, name);
    inBuiltins = true;
  }
  if (v !== 0 && c.mayRetry(u)) specializeLoadGlobal(vm, c, u, globals, inBuiltins ? builtins : 0, name);
  return v;
}

/** specialize_load_global: records the name's entry in the keys of globals (builtins 0) or of builtins. */
function specializeLoadGlobal(vm: Vm, c: InlineCaches, u: number, globals: number, builtins: number, name: number): void {
  c.a[u] = 0;
  const gkeys = unicodeKeys(globals);
  const bkeys = builtins === 0 ? 0 : unicodeKeys(builtins);
  const keys = builtins === 0 ? gkeys : bkeys;
  if (gkeys === 0 || (builtins !== 0 && bkeys === 0)) return fail(c, u);
  const ix = vm.interp.dict.unicodekeysLookup(keys, name, vm.interp.hash(name));
  const gver = keysVersion(gkeys);
  const bver = builtins === 0 ? 0 : keysVersion(bkeys);
  if (ix < 0 || gver === 0 || (builtins !== 0 && bver === 0)) return fail(c, u);
  c.a[u] = gver;
  c.b[u] = bver;
  c.c[u] = keys + entriesOffset(keys) + ix * SIZEOF_UNICODE_ENTRY;
}

/** The keys of a combined dict of str keys, else 0 (a split or general table is not cached). */
function unicodeKeys(d: number): number {
  const keys = maKeys.get(d);
  return maValues.get(d) === 0 && dkKind.get(keys) === DICT_KEYS_UNICODE ? keys : 0;
}

// --- attributes ---------------------------------------------------------------------------------

/** LOAD_ATTR: owner.name (PyObject_GetAttr), an instance's own attribute from the cache. New reference. */
export function loadAttr(vm: Vm, c: InlineCaches, u: number, owner: number, name: number): number {
  const rt = vm.interp.rt;
  const tag = c.a[u]!;
  if (tag !== 0 && vm.typeCache.versionTag(rt.typeOf(owner)) === tag) {
    const values = managedValues.get(owner);
    if (values !== 0) {
      const v = itemArray.get(values, c.b[u]!);
      if (v !== 0) {
        rt.incref(v);
        return v;
      }
    }
  }
  const v = getAttr(vm, owner, name);
  if (c.mayRetry(u)) specializeLoadAttr(vm, c, u, owner, name);
  return v;
}

/** specialize_load_attr's instance-value case: the index of an attribute the instance holds in its values. */
function specializeLoadAttr(vm: Vm, c: InlineCaches, u: number, owner: number, name: number): void {
  c.a[u] = 0;
  const t = vm.interp.rt.typeOf(owner);
  const ix = instanceValueIndex(vm, t, owner, name);
  if (ix < 0 || customGetattribute(vm, t) !== 0 || !vm.typeCache.assignVersionTag(vm, t)) return fail(c, u);
  c.a[u] = vm.typeCache.versionTag(t);
  c.b[u] = ix;
}

/**
 * LOAD_METHOD's _PyObject_GetMethod: the function of owner's class to call
 * with owner first (borrowed), or 0 when owner.name is to be got as an
 * attribute (a type, module or super object, a custom __getattribute__,
 * an instance attribute of that name, anything but a function).
 */
export function loadMethod(vm: Vm, c: InlineCaches, u: number, owner: number, name: number): number {
  const tag = c.a[u]!;
  if (tag !== 0 && vm.typeCache.versionTag(vm.interp.rt.typeOf(owner)) === tag) {
    const n = c.b[u]!;
    if (n < 0) return c.c[u]!;
    if (managedValues.get(owner) !== 0 && dkNentries.get(vm.interp.instance.cachedKeys(vm.interp.rt.typeOf(owner))) === n) return c.c[u]!;
  }
  const { interp } = vm;
  const t = interp.rt.typeOf(owner);
  const meth = vm.typeobj.check(owner) || vm.module.check(owner) || vm.super.check(owner) ? 0 : typeLookup(vm, t, name);
  const mt = meth === 0 ? null : interp.rt.typeOf(meth);
  const isFunc = (mt === interp.function.type || mt === vm.cfunc.descrType) && customGetattribute(vm, t) === 0;
  if (!isFunc || (interp.instance.check(owner) && interp.instance.getAttr(owner, name) !== 0)) return 0;
  if (c.mayRetry(u)) specializeLoadMethod(vm, c, u, owner, t, name, meth);
  return meth;
}

/** specialize_load_method: the function under the class's tag, and for an instance with values its keys' size. */
function specializeLoadMethod(vm: Vm, c: InlineCaches, u: number, owner: number, t: PyTypeObject, name: number, meth: number): void {
  const { interp } = vm;
  c.a[u] = 0;
  let n = -1;
  if (interp.instance.check(owner)) {
    const keys = interp.instance.cachedKeys(t);
    if (keys !== 0) {
      // The name is not in the shared keys (no instance has it): while they keep their size it is not.
      if (managedValues.get(owner) === 0 || interp.dict.unicodekeysLookup(keys, name, interp.hash(name)) !== DKIX_EMPTY) return fail(c, u);
      n = dkNentries.get(keys);
    }
  }
  if (!vm.typeCache.assignVersionTag(vm, t)) return fail(c, u);
  c.a[u] = vm.typeCache.versionTag(t);
  c.b[u] = n;
  c.c[u] = meth;
}

/** STORE_ATTR: owner.name = value (PyObject_SetAttr; value borrowed), an instance's own attribute from the cache. */
export function storeAttr(vm: Vm, c: InlineCaches, u: number, owner: number, name: number, value: number): void {
  const tag = c.a[u]!;
  if (tag !== 0 && vm.typeCache.versionTag(vm.interp.rt.typeOf(owner)) === tag) {
    const values = managedValues.get(owner);
    if (values !== 0) {
      vm.interp.sharedKeys.storeInstanceValue(values, c.b[u]!, value);
      return;
    }
  }
  setAttr(vm, owner, name, value);
  if (c.mayRetry(u)) specializeStoreAttr(vm, c, u, owner, name);
}

/** specialize_store_attr's instance-value case: no data descriptor, no __setattr__ of the class; the name's index. */
function specializeStoreAttr(vm: Vm, c: InlineCaches, u: number, owner: number, name: number): void {
  c.a[u] = 0;
  const t = vm.interp.rt.typeOf(owner);
  const ix = instanceValueIndex(vm, t, owner, name);
  const custom = ix < 0 ? 0 : lookupSpecial(vm, owner, '__setattr__');
  if (ix < 0 || (custom !== 0 && !isObjectMethod(vm, custom, '__setattr__')) || !vm.typeCache.assignVersionTag(vm, t)) return fail(c, u);
  c.a[u] = vm.typeCache.versionTag(t);
  c.b[u] = ix;
}

/**
 * The index of name in the shared keys of owner (an instance of a class
 * with a managed dict whose attributes are still in its values), when no
 * class of t's MRO has an attribute or getset of that name; else -1.
 */
function instanceValueIndex(vm: Vm, t: PyTypeObject, owner: number, name: number): number {
  const { interp } = vm;
  if (!interp.instance.check(owner) || managedValues.get(owner) === 0 || !interp.str.checkExact(name)) return -1;
  const keys = interp.instance.cachedKeys(t);
  if (keys === 0 || typeLookup(vm, t, name) !== 0) return -1;
  const text = strValue(vm, name);
  if (text === '__class__' || text === '__dict__' || text === '__weakref__') return -1;
  for (const tid of vm.mroOf(t)) if (vm.typeGetsets.get(tid)?.has(text)) return -1;
  const ix = interp.dict.unicodekeysLookup(keys, name, interp.hash(name));
  return ix >= 0 ? ix : -1;
}

/** A failed specialisation: the instruction waits BACKOFF executions before trying again. */
function fail(c: InlineCaches, u: number): void {
  c.a[u] = 0;
  c.backoff[u] = BACKOFF;
}
