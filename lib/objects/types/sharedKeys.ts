/*
 * Shared keys and instance values (Objects/dictobject.c, CPython 3.11): the
 * split tables behind the attributes of instances with a managed __dict__.
 * A class owns shared keys (_PyDict_NewKeysForClass, SPLIT kind); each of
 * its instances keeps its attribute values in a values array over them
 * (dictKeys.ts's PyDictValues, hung off the instance's pre-header) until a
 * __dict__ is materialised (a split dict sharing the keys) or an attribute
 * the keys cannot take makes it a combined dict.
 *
 * Invariants: the keys' entries are only ever appended (names never leave
 * shared keys); an instance's values array has a slot for every entry the
 * keys had when it was made plus their dk_usable; at most one of an
 * instance's values and dict is set (layout.ts's pre-header).
 */
import { fillBytes } from '../../allocator/access.js';
import { InvalidArgumentError } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';
import { byteAt, itemArray, managedDict, managedValues, pointerSlot, SIZEOF_VOID_P } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_MANAGED_DICT, type Visit } from '../type.js';
import type { DictModule } from './dict.js';
import * as layout from '../layout.js';
import * as pointer from '../../allocator/pointer.js';
import {
  DICT_KEYS_SPLIT,
  DKIX_EMPTY,
  PyDictKeysObject,
  VALUES_PREFIX_SIZE,
  VALUES_USED,
  addToInsertionOrder,
  deleteIndexFromValues,
  dkKind,
  dkNentries,
  dkUsable,
} from './dictKeys.js';

// V8 loads an imported binding from its module cell, with a TDZ check, at every use; a module's
// own top-level consts it folds into the optimized code. So the hot paths' constants are local copies.
const { MANAGED_VALUES_F64 } = layout;
const { SMALL_LIMIT } = pointer;
/** dk_usable and dk_nentries as u32 word offsets from the keys object's (low words of i64s). */
const DK_USABLE_U32 = PyDictKeysObject.offsets.dk_usable >>> 2;
const DK_NENTRIES_U32 = PyDictKeysObject.offsets.dk_nentries >>> 2;
const PREFIX_SIZE = VALUES_PREFIX_SIZE;
const USED = VALUES_USED;

/** SHARED_KEYS_MAX_SIZE: attributes a class's shared keys can hold. */
export const SHARED_KEYS_MAX_SIZE = 30;
/** NEXT_LOG2_SHARED_KEYS_MAX_SIZE: log2 size of a class's shared keys. */
export const NEXT_LOG2_SHARED_KEYS_MAX_SIZE = 6;

/** The instances' side of shared keys: their values arrays and the dicts made from them. */
export class SharedKeysModule {
  private readonly rt: Runtime;
  private readonly dict: DictModule;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.dict = interp.dict;
  }

  /**
   * _PyDict_NewKeysForClass: a class's shared keys (CACHED_KEYS, ht_cached_keys):
   * log2 size 6, SPLIT kind, dk_usable 30 (one more than can be used, as
   * each new instance takes one off first). The class owns the reference;
   * release it with keysDecref.
   */
  newKeysForClass(): number {
    const keys = this.dict.newKeysObject(NEXT_LOG2_SHARED_KEYS_MAX_SIZE, true);
    dkUsable.set(keys, SHARED_KEYS_MAX_SIZE);
    dkKind.set(keys, DICT_KEYS_SPLIT);
    return keys;
  }

  /**
   * init_inline_values (_PyObject_InitializeDict of a managed-dict type): a
   * new instance's values array of shared_keys_usable_size(keys) NULL slots,
   * stored in its pre-header (_PyObject_ValuesPointer). Takes one off the
   * keys' dk_usable while more than one is left, so each later instance
   * gets a smaller array.
   */
  initInlineValues(obj: number, keys: number): void {
    const rt = this.rt;
    const u = rt.u32;
    const w = keys >>> 2;
    // Shared keys hold at most SHARED_KEYS_MAX_SIZE entries: dk_usable and dk_nentries are small (high words 0).
    if (keys < SMALL_LIMIT && obj < SMALL_LIMIT && u[w + DK_USABLE_U32 + 1] === 0 && u[w + DK_NENTRIES_U32 + 1] === 0) {
      const usable = u[w + DK_USABLE_U32]!;
      if (usable > 1) u[w + DK_USABLE_U32] = usable - 1;
      const size = u[w + DK_NENTRIES_U32]! + u[w + DK_USABLE_U32]!;
      // new_values: the prefix (size + 2 rounded up to 8 bytes) before the value slots.
      const prefixSize = (size + 2 + 7) & ~7;
      const values = rt.memMalloc(prefixSize + size * SIZEOF_VOID_P) + prefixSize;
      if (values < SMALL_LIMIT) {
        const b = rt.u8;
        b[values + PREFIX_SIZE] = prefixSize;
        b[values + USED] = 0;
      } else {
        byteAt.set(values, PREFIX_SIZE, prefixSize);
        byteAt.set(values, USED, 0);
      }
      fillBytes(values, size * SIZEOF_VOID_P, 0);
      rt.f64[(obj >>> 3) + MANAGED_VALUES_F64] = values;
      return;
    }
    const usable = dkUsable.get(keys);
    if (usable > 1) dkUsable.set(keys, usable - 1);
    const size = this.dict.sharedKeysUsableSize(keys);
    const values = this.dict.newValues(size);
    byteAt.set(values, VALUES_USED, 0);
    fillBytes(values, size * SIZEOF_VOID_P, 0);
    managedValues.set(obj, values);
  }

  /**
   * _PyObject_StoreInstanceAttribute: obj.name = value (value 0: del
   * obj.name) on an instance whose attributes still live in `values`. A new
   * str name is added to the shared keys while they have room; otherwise
   * the dict is materialised (make_dict_from_instance_attributes), stored
   * in obj's pre-header in place of the values, and the store goes to it.
   * Increfs value. Returns false when deleting an attribute that is not
   * there (the caller raises AttributeError).
   */
  storeInstanceAttribute(obj: number, keys: number, values: number, name: number, value: number): boolean {
    this.dict.checkObject(name, '_PyObject_StoreInstanceAttribute', 'the name');
    const ix = this.dict.isExactStr(name) ? this.dict.insertIntoDictkeys(keys, name) : DKIX_EMPTY;
    if (ix === DKIX_EMPTY) {
      const dict = this.makeDictFromInstanceAttributes(keys, values);
      managedValues.set(obj, 0);
      managedDict.set(obj, dict);
      if (value === 0) return this.dict.delItemKnownHash(dict, name, this.interp.hash(name));
      this.dict.setItem(dict, name, value);
      return true;
    }
    return this.storeInstanceValue(values, ix, value);
  }

  /**
   * The store of _PyObject_StoreInstanceAttribute once the name's entry
   * index ix in the shared keys is known (what STORE_ATTR_INSTANCE_VALUE
   * keeps): values[ix] = value (increfed; 0: deleted), the insertion order
   * kept. False when deleting a value that is not there.
   */
  storeInstanceValue(values: number, ix: number, value: number): boolean {
    const oldValue = itemArray.get(values, ix);
    this.rt.xincref(value);
    itemArray.set(values, ix, value);
    if (oldValue === 0) {
      if (value === 0) return false;
      addToInsertionOrder(values, ix);
    } else {
      if (value === 0) deleteIndexFromValues(values, ix);
      this.rt.decref(oldValue);
    }
    return true;
  }

  /** _PyObject_GetInstanceAttribute: obj.name from its values array, as a new reference, or 0. */
  getInstanceAttribute(keys: number, values: number, name: number): number {
    if (!this.dict.isExactStr(name)) throw new InvalidArgumentError(`attribute name must be a str, got ${this.dict.describeObject(name)}`);
    const ix = this.dict.unicodekeysLookup(keys, name, this.interp.hash(name));
    if (ix === DKIX_EMPTY) return 0;
    const value = itemArray.get(values, ix);
    this.rt.xincref(value);
    return value;
  }

  /**
   * make_dict_from_instance_attributes (_PyObject_MakeDictFromInstanceAttributes):
   * a split dict over the class's keys (increfed) that takes over `values`;
   * tracked if a value may be. The caller clears the instance's values
   * pointer and stores the dict. New reference.
   */
  makeDictFromInstanceAttributes(keys: number, values: number): number {
    this.dict.keysIncref(keys);
    let used = 0;
    let track = 0;
    const size = this.dict.sharedKeysUsableSize(keys);
    for (let i = 0; i < size; i++) {
      const v = itemArray.get(values, i);
      if (v !== 0) {
        used++;
        if (this.dict.mayBeTracked(v)) track++;
      }
    }
    const res = this.dict.newDict(keys, values, used, false);
    if (track) this.rt.gcTrack(res);
    return res;
  }

  /**
   * PyObject_GenericGetDict: obj.__dict__ as a new reference. Managed dict:
   * materialised from the values (then NULL) on first request, else a new
   * empty dict if there is none. A tp_dictoffset slot: filled on first
   * request with a split dict over `keys` (when non-zero) or an empty dict.
   */
  genericGetDict(obj: number, keys: number): number {
    const tp = this.rt.typeOf(obj);
    let dict: number;
    if ((tp.flags & Py_TPFLAGS_MANAGED_DICT) !== 0) {
      const values = managedValues.get(obj);
      dict = managedDict.get(obj);
      if (values !== 0) {
        dict = this.makeDictFromInstanceAttributes(keys, values);
        managedDict.set(obj, dict);
        managedValues.set(obj, 0);
      } else if (dict === 0) {
        // A heap type's cached keys give a split dict (no values yet: a class deriving from a built-in type).
        dict = keys !== 0 ? this.newSplitDict(keys) : this.dict.new();
        managedDict.set(obj, dict);
      }
    } else {
      if (tp.dictoffset === 0) throw new InvalidArgumentError(`'${tp.name}' objects have no __dict__`);
      dict = pointerSlot.get(obj, tp.dictoffset);
      if (dict === 0) {
        dict = keys !== 0 ? this.newSplitDict(keys) : this.dict.new();
        pointerSlot.set(obj, tp.dictoffset, dict);
      }
    }
    this.rt.incref(dict);
    return dict;
  }

  /**
   * new_dict_with_shared_keys after dictkeys_incref (_PyObject_InitializeDict /
   * _PyObjectDict_SetItem for a tp_dictoffset slot): an empty split dict
   * over `keys`, with a values array of shared_keys_usable_size(keys) NULLs. New reference.
   */
  newSplitDict(keys: number): number {
    this.dict.keysIncref(keys);
    const size = this.dict.sharedKeysUsableSize(keys);
    let values: number;
    try {
      values = this.dict.newValues(size);
    } catch (e) {
      this.dict.keysDecref(keys);
      throw e;
    }
    byteAt.set(values, VALUES_USED, 0);
    fillBytes(values, size * SIZEOF_VOID_P, 0);
    return this.dict.newDict(keys, values, 0, true);
  }

  /** _PyObject_VisitInstanceAttributes: visits each value still in obj's values array. */
  visitInstanceAttributes(obj: number, keys: number, visit: Visit): number {
    const values = managedValues.get(obj);
    if (values === 0) return 0;
    const n = dkNentries.get(keys);
    for (let i = 0; i < n; i++) {
      const v = itemArray.get(values, i);
      if (v !== 0) {
        const r = visit(v);
        if (r !== 0) return r;
      }
    }
    return 0;
  }

  /** _PyObject_ClearInstanceAttributes: Py_CLEAR of each value in obj's values array (the array stays). */
  clearInstanceAttributes(obj: number, keys: number): void {
    const values = managedValues.get(obj);
    if (values === 0) return;
    const n = dkNentries.get(keys);
    for (let i = 0; i < n; i++) {
      const v = itemArray.get(values, i);
      if (v !== 0) {
        itemArray.set(values, i, 0);
        this.rt.decref(v);
      }
    }
  }

  /** _PyObject_FreeInstanceAttributes: drops each value and frees obj's values array (the pointer is left as is). */
  freeInstanceAttributes(obj: number, keys: number): void {
    const rt = this.rt;
    const values = obj < SMALL_LIMIT ? rt.f64[(obj >>> 3) + MANAGED_VALUES_F64]! : managedValues.get(obj);
    if (values === 0) return;
    const n = dkNentries.get(keys);
    if (values < SMALL_LIMIT) {
      const f = rt.f64;
      const base = values >>> 3;
      for (let i = 0; i < n; i++) rt.xdecref(f[base + i]!);
      rt.memFree(values - rt.u8[values + PREFIX_SIZE]!);
    } else {
      for (let i = 0; i < n; i++) rt.xdecref(itemArray.get(values, i));
      this.dict.freeValues(values);
    }
  }
}
