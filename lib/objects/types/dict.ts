/*
 * dict (Objects/dictobject.c, CPython 3.11): the compact, ordered dict over
 * the keys objects of dictKeys.ts; the instances' side of shared keys (their
 * values arrays) is sharedKeys.ts's.
 *
 * PyDictObject, after its PyGC_Head (PyObject_GC_New):
 *
 * PyDictObject, 48 bytes:
 *    0  16  PyObject            ob_base         the object header
 *   16  8   Py_ssize_t          ma_used         live items
 *   24  8   uint64_t            ma_version_tag  ++_pydict_global_version on each change
 *   32  8   PyDictKeysObject *  ma_keys         never NULL (Py_EMPTY_KEYS when empty)
 *   40  8   PyDictValues *      ma_values       NULL: combined table; else split (past its prefix)
 *
 * Invariants:
 *   - ma_used is the number of non-NULL values; dk_usable + dk_nentries <=
 *     USABLE_FRACTION(2**dk_log2_size); each entry index < dk_nentries whose
 *     key is set sits in exactly one slot; a deleted entry of a combined
 *     table has key and value NULL and its slot holds DKIX_DUMMY;
 *   - Py_EMPTY_KEYS is static and shared by every empty dict (dk_refcnt
 *     counts them, plus one of its own); combined keys have dk_refcnt 1;
 *     split keys belong to a class (CACHED_KEYS) and to each split dict;
 *     every live values array of split keys K holds at least
 *     K.dk_nentries + K.dk_usable slots;
 *   - a dict starts untracked and is tracked once it holds a key or value
 *     that may be tracked (MAINTAIN_TRACKING); the gc layer untracks it
 *     again through maybeUntrack;
 *   - free lists: at most 80 dead dicts (blocks kept, untracked, refcnt 0)
 *     and 80 keys objects, these only of log2 size 3 and a unicode kind;
 *   - tables stay below 2**31 slots (one that large needs tens of GiB), so
 *     slot arithmetic is 32-bit and indices are 1, 2 or 4 bytes;
 *   - hashes are numbers: integral doubles in the signed 64-bit range (the
 *     slots' type), stored as i64; probing uses their two's-complement bits.
 * Keys and values are compared with interp.eq, which runs no Python code, so
 * the "dict mutated during lookup" restarts of CPython cannot happen here.
 */
import { copyBytes, fillBytes, viewBytes } from '../../allocator/access.js';
import { InvalidArgumentError, describe } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';
import { byteAt, declareObjectStruct, itemArray, obType, PyObject, roundUpPtr, SIZEOF_VOID_P } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { unicodeGetHash } from './unicode.js';
import * as layout from '../layout.js';
import * as pointer from '../../allocator/pointer.js';
import {
  addToInsertionOrder,
  calculateLog2Keysize,
  deleteIndexFromValues,
  DICT_KEYS_GENERAL,
  DICT_KEYS_SPLIT,
  DICT_KEYS_UNICODE,
  DK_INDICES,
  PyDictKeyEntry,
  PyDictKeysObject,
  PyDictUnicodeEntry,
  DKIX_DUMMY,
  DKIX_EMPTY,
  dkKind,
  dkLog2IndexBytes,
  dkLog2Size,
  dkNentries,
  dkPad,
  dkRefcnt,
  dkUsable,
  dkVersion,
  entriesOffset,
  estimateLog2Keysize,
  getIndex,
  gHash,
  gKey,
  gValue,
  keysSize,
  PyDict_LOG_MINSIZE,
  PyDict_MINSIZE,
  setIndex,
  SIZEOF_KEY_ENTRY,
  SIZEOF_PYDICTKEYSOBJECT,
  SIZEOF_UNICODE_ENTRY,
  uKey,
  usableFraction,
  uValue,
  VALUES_ORDER,
  VALUES_PREFIX_SIZE,
  VALUES_USED,
} from './dictKeys.js';
import {
  Py_TPFLAGS_BASETYPE,
  Py_TPFLAGS_DICT_SUBCLASS,
  Py_TPFLAGS_HAVE_GC,
  type PyTypeObject,
  type Visit,
} from '../type.js';

/** A key that is not in the dict (or set): Python's KeyError. */
export class KeyError extends InvalidArgumentError {}

/** PyDict_MAXFREELIST: dead dicts, and keys objects, kept for reuse. */
// MAXFREELIST and the like: local consts, as an exported const is a module cell V8 loads at every use.
const MAXFREELIST = 80;
export const PyDict_MAXFREELIST = MAXFREELIST;
const PERTURB_SHIFT = 5;
/** dict_new_presized's log2_max_presize. */
const LOG2_MAX_PRESIZE = 17;

/** PyDictObject. */
export const PyDictObject = declareObjectStruct({
  name: 'PyDictObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'ma_used', type: 'i64', meaning: 'live items' },
    { name: 'ma_version_tag', type: 'i64', ctype: 'uint64_t', meaning: '++_pydict_global_version on each change' },
    { name: 'ma_keys', type: 'ptr', ctype: 'PyDictKeysObject *', meaning: 'never NULL (Py_EMPTY_KEYS when empty)' },
    { name: 'ma_values', type: 'ptr', ctype: 'PyDictValues *', unchecked: true, meaning: 'NULL: combined table; else split (past its prefix)' },
  ],
});
const maUsed = PyDictObject.field('ma_used');
const maVersionTag = PyDictObject.field('ma_version_tag');
const maKeys = PyDictObject.field('ma_keys');
const maValues = PyDictObject.field('ma_values');
// Word offsets from the object's of the fields the hot paths index directly (small pointers; as
// layout.ts's word constants), and of the keys object's header fields.
const MA_USED_U32 = PyDictObject.offsets.ma_used >>> 2;
const MA_VERSION_U32 = PyDictObject.offsets.ma_version_tag >>> 2;
const MA_KEYS_F64 = PyDictObject.offsets.ma_keys >>> 3;
const MA_VALUES_F64 = PyDictObject.offsets.ma_values >>> 3;
const DK_REFCNT_U32 = PyDictKeysObject.offsets.dk_refcnt >>> 2;
const DK_USABLE_U32 = PyDictKeysObject.offsets.dk_usable >>> 2;
const DK_NENTRIES_U32 = PyDictKeysObject.offsets.dk_nentries >>> 2;
const DK_VERSION_U32 = PyDictKeysObject.offsets.dk_version >>> 2;
const DK_LOG2_SIZE = PyDictKeysObject.offsets.dk_log2_size;
const DK_LOG2_INDEX_BYTES = PyDictKeysObject.offsets.dk_log2_index_bytes;
const DK_KIND = PyDictKeysObject.offsets.dk_kind;
const DK_PAD = PyDictKeysObject.offsets.dk_pad;
/** me_key and me_value of both entry kinds, as f64 word offsets from the entry's. */
const G_KEY_F64 = PyDictKeyEntry.offsets.me_key >>> 3;
const G_VALUE_F64 = PyDictKeyEntry.offsets.me_value >>> 3;
const U_KEY_F64 = PyDictUnicodeEntry.offsets.me_key >>> 3;
const U_VALUE_F64 = PyDictUnicodeEntry.offsets.me_value >>> 3;
const { SMALL_LIMIT } = pointer;
const { OB_TYPE_F64 } = layout;

/** An i64 field's two u32 words at word w, for a value v with (v | 0) === v (V8 inlines this whole: it is that small). */
function storeSmallI64(u: Uint32Array, w: number, v: number): void {
  u[w] = v;
  u[w + 1] = v >> 31;
}
/** sizeof(PyDictObject). */
export const SIZEOF_PYDICTOBJECT = PyDictObject.size;
/** (size_t)hash >> 32: the high word of a hash's two's complement. */
function hashHigh(hash: number): number {
  return Math.floor(hash / 4294967296) >>> 0;
}

/** A dict's fields, read back for tests, reports and instance.ts. */
export interface DictLayout {
  used: number;
  keys: number;
  values: number;
  keysRefcnt: number;
  log2Size: number;
  log2IndexBytes: number;
  kind: number;
  usable: number;
  nentries: number;
}

/** The error for a key or value that is no object. */
function notAnObject(op: unknown, fn: string, what: string): InvalidArgumentError {
  return new InvalidArgumentError(`${fn}: ${what} must be an object, got ${op === 0 ? 'NULL' : describe(op)}`);
}

/** The dict type, Py_EMPTY_KEYS, the free lists, and the C API of dicts and shared keys. */
export class DictModule {
  /** PyDict_Type. */
  readonly type: PyTypeObject;
  /** Py_EMPTY_KEYS: the static keys object of every empty dict. */
  readonly emptyKeys: number;
  /** _PyDict_Next's out-parameters: the key, value and hash of the entry `next` returned. */
  iterKey = 0;
  iterValue = 0;
  iterHash = 0;
  private readonly rt: Runtime;
  private readonly strTypeWord: number;
  private readonly strType: PyTypeObject;
  private readonly tupleType: PyTypeObject;
  /** The dict type's id and ob_type word (what the hot paths use instead of loads from the type object). */
  private readonly typeId: number;
  private readonly typeWord: number;
  /** state->free_list. */
  private readonly freeList: number[] = [];
  /** state->keys_free_list. */
  private readonly keysFreeList: number[] = [];
  /** _pydict_global_version. */
  private globalVersion = 0;
  /** _Py_dict_lookup's *value_addr: the value of the entry found (0: none). */
  private lookupValue = 0;

  constructor(readonly interp: Interpreter) {
    const rt = (this.rt = interp.rt);
    this.strTypeWord = this.rt.typeWord(interp.str.type);
    this.strType = interp.str.type;
    this.tupleType = interp.tuple.type;
    this.type = rt.registerType({
      name: 'dict',
      basicsize: SIZEOF_PYDICTOBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_DICT_SUBCLASS,
      layout: PyDictObject,
      validate: (_rt, op) => this.violations(op).map((v) => `PyDictObject: ${v}`),
      dealloc: (_rt, op) => this.dictDealloc(op),
      traverse: (_rt, op, visit) => this.dictTraverse(op, visit),
      clear: (_rt, op) => this.clear(op),
      sizeof: (_rt, op) => this.sizeOf(op),
      eq: (_rt, a, b) => this.check(b) && this.dictEqual(a, b),
      toJS: (r, op) => {
        const m = new Map<unknown, unknown>();
        for (let pos = this.next(op, 0); pos !== 0; pos = this.next(op, pos)) {
          const k = this.iterKey;
          const v = this.iterValue;
          m.set(r.typeOf(k).toJS?.(r, k), r.typeOf(v).toJS?.(r, v));
        }
        return m;
      },
    });
    this.typeId = this.type.id;
    this.typeWord = rt.typeWord(this.type);
    // empty_keys_struct: refcnt 1, log2 size 0, unicode kind, version 1, 8 empty slots.
    const k = (this.emptyKeys = rt.staticAlloc(DK_INDICES + PyDict_MINSIZE));
    dkRefcnt.set(k, 1);
    dkKind.set(k, DICT_KEYS_UNICODE);
    dkVersion.set(k, 1);
    fillBytes(k + DK_INDICES, PyDict_MINSIZE, 0xff);
  }

  // --- checks -------------------------------------------------------------------------------

  /** PyDict_Check. */
  check(op: number): boolean {
    return (this.rt.flagsOf(op) & Py_TPFLAGS_DICT_SUBCLASS) !== 0;
  }

  /**
   * PyObject_Hash(key) as dict.c takes it: an exact str's cached hash read
   * from its hash field (`unicode_get_hash`, one type check), else through
   * the type.
   */
  private hashKey(key: number): number {
    if (this.rt.typeIdOf(key) === this.strType.id) {
      const h = unicodeGetHash(key);
      if (h !== null) return h;
    }
    return this.interp.hash(key);
  }

  /** PyUnicode_CheckExact. */
  isExactStr(op: number): boolean {
    return (op < SMALL_LIMIT ? this.rt.f64[(op >>> 3) + OB_TYPE_F64]! : obType.get(op)) === this.strTypeWord;
  }

  /** _PyObject_GC_MAY_BE_TRACKED: a GC object other than an untracked tuple. */
  mayBeTracked(op: number): boolean {
    const rt = this.rt;
    const id = rt.typeIdOf(op);
    if (id < 0) rt.typeOf(op);
    if ((rt.typeFlags[id]! & Py_TPFLAGS_HAVE_GC) === 0) return false;
    if (id === this.tupleType.id) return rt.gc.isTracked(op);
    return true;
  }

  // The checks build their errors out of line (V8 inlines by bytecode size; see list.ts).
  private checkDict(op: number, fn: string): void {
    if (typeof op !== 'number' || op === 0 || !this.check(op)) throw this.notADict(op, fn);
  }
  private notADict(op: number, fn: string): InvalidArgumentError {
    return new InvalidArgumentError(`${fn}: expected a dict, got ${op === 0 ? 'NULL' : this.describeObject(op)}`);
  }

  /** Refuses anything but a live object of this runtime (before the dict is changed or a reference taken). */
  checkObject(op: number, fn: string, what: string): void {
    if (typeof op !== 'number' || op === 0 || this.rt.typeIdOf(op) < 0) this.refuseObject(op, fn, what);
  }
  /** checkObject's refusal (out of line): the error for op. */
  private refuseObject(op: number, fn: string, what: string): void {
    if (typeof op !== 'number' || op === 0 || !Number.isInteger(op)) throw notAnObject(op, fn, what);
    this.rt.typeOf(op);
  }

  describeObject(op: number): string {
    if (typeof op !== 'number' || !Number.isInteger(op)) return String(op);
    const t = this.rt.typeOrNull(op);
    return t ? `a ${t.name} object` : `${op} (not an object)`;
  }

  // --- creation -------------------------------------------------------------------------------

  /** PyDict_New: an empty, untracked dict on Py_EMPTY_KEYS (from the free list when it has one). New reference. */
  new(): number {
    this.keysIncref(this.emptyKeys);
    return this.newDict(this.emptyKeys, 0, 0, false);
  }

  /**
   * dict() as called from Python (dict_vectorcall -> dict_new, then
   * dict_update_arg): a fresh block from tp_alloc (_PyType_AllocNoTrack, not
   * the free list), filled from a dict (PyDict_Merge) or from [key, value]
   * pairs (PyDict_MergeFromSeq2). New reference.
   */
  call(arg?: number | ReadonlyArray<readonly [number, number]>): number {
    if (typeof arg === 'number') this.checkDict(arg, 'dict()');
    const mp = this.dictNew();
    try {
      if (typeof arg === 'number') this.dictMerge(mp, arg, true);
      else if (arg !== undefined) for (const [k, v] of arg) this.setItem(mp, k, v);
    } catch (e) {
      this.rt.decref(mp);
      throw e;
    }
    return mp;
  }

  /** _PyDict_NewPresized(minused): room for minused items without a resize (general keys). New reference. */
  newPresized(minused: number): number {
    if (!Number.isInteger(minused) || minused < 0) {
      throw new InvalidArgumentError(`_PyDict_NewPresized: minused must be a non-negative integer, got ${String(minused)}`);
    }
    return this.dictNewPresized(minused, false);
  }

  /**
   * _PyDict_FromItems: what BUILD_MAP n and BUILD_CONST_KEY_MAP n build —
   * a dict presized for n items (unicode keys if every key is an exact str),
   * then PyDict_SetItem of each pair in order (each key and value increfed).
   * New reference.
   */
  fromItems(keys: readonly number[], values: readonly number[]): number {
    if (keys.length !== values.length) {
      throw new InvalidArgumentError(`_PyDict_FromItems: ${keys.length} keys but ${values.length} values`);
    }
    let unicode = true;
    for (let i = 0; i < keys.length; i++) {
      this.checkObject(keys[i]!, '_PyDict_FromItems', 'a key');
      this.checkObject(values[i]!, '_PyDict_FromItems', 'a value');
      if (unicode && !this.isExactStr(keys[i]!)) unicode = false;
    }
    const mp = this.dictNewPresized(keys.length, unicode);
    try {
      for (let i = 0; i < keys.length; i++) this.setItemChecked(mp, keys[i]!, values[i]!);
    } catch (e) {
      // An unhashable key: the half-built dict goes (each key hashed once, as CPython does).
      this.rt.decref(mp);
      throw e;
    }
    return mp;
  }

  /**
   * dict.fromkeys(iterable, value=None) (_PyDict_FromKeys): a new dict from
   * dict() mapping each key to value. An exact dict or set/frozenset source
   * gets one resize up front (estimate_log2_keysize of its size) and its
   * stored hashes; an array is an iterator, inserted key by key. New reference.
   */
  fromKeys(iterable: number | readonly number[], value: number = this.interp.singletons.None): number {
    this.checkObject(value, 'dict.fromkeys', 'the value');
    const set = this.interp.set;
    if (typeof iterable === 'number') {
      this.checkObject(iterable, 'dict.fromkeys', 'the iterable');
      const t = this.rt.typeOrNull(iterable);
      if (t !== this.type && t !== set.type && t !== set.frozensetType) {
        throw new InvalidArgumentError(`dict.fromkeys: expected a dict, a set, a frozenset or an array of keys, got ${this.describeObject(iterable)}`);
      }
    } else {
      for (const k of iterable) this.checkObject(k, 'dict.fromkeys', 'a key');
      for (const k of iterable) this.interp.hash(k);
    }
    const d = this.dictNew();
    if (typeof iterable !== 'number') {
      for (const k of iterable) this.setItem(d, k, value);
    } else if (this.rt.typeOf(iterable) === this.type) {
      const unicode = dkKind.get(this.keysOf(iterable)) !== DICT_KEYS_GENERAL;
      this.dictresize(d, estimateLog2Keysize(this.size(iterable)), unicode);
      for (let pos = this.next(iterable, 0); pos !== 0; pos = this.next(iterable, pos)) {
        this.rt.incref(this.iterKey);
        this.rt.incref(value);
        this.insertdict(d, this.iterKey, this.iterHash, value);
      }
    } else {
      this.dictresize(d, estimateLog2Keysize(set.size(iterable)), false);
      for (let pos = set.nextEntry(iterable, 0); pos !== 0; pos = set.nextEntry(iterable, pos)) {
        this.rt.incref(set.iterKey);
        this.rt.incref(value);
        this.insertdict(d, set.iterKey, set.iterHash, value);
      }
    }
    return d;
  }

  /** PyDict_Copy: a new dict with the same items (split tables stay split). New reference. */
  copy(op: number): number {
    this.checkDict(op, 'PyDict_Copy');
    if (maUsed.get(op) === 0) return this.new();
    const keys = this.keysOf(op);
    const values = maValues.get(op);
    if (values !== 0) {
      const size = this.sharedKeysUsableSize(keys);
      const newValues = this.newValues(size);
      let splitCopy: number;
      try {
        splitCopy = this.rt.gcNew(this.type);
      } catch (e) {
        this.freeValues(newValues);
        throw e;
      }
      // The order bytes (the prefix but its size byte) and the values.
      const prefix = byteAt.get(newValues, VALUES_PREFIX_SIZE);
      copyBytes(newValues - prefix, values - prefix, prefix - 1);
      maValues.set(splitCopy, newValues);
      maKeys.set(splitCopy, keys);
      maUsed.set(splitCopy, maUsed.get(op));
      maVersionTag.set(splitCopy, this.nextVersion());
      this.keysIncref(keys);
      for (let i = 0; i < size; i++) {
        const v = itemArray.get(values, i);
        this.rt.xincref(v);
        itemArray.set(newValues, i, v);
      }
      if (this.rt.gc.isTracked(op)) this.rt.gcTrack(splitCopy);
      return splitCopy;
    }
    if (maUsed.get(op) >= Math.floor((dkNentries.get(keys) * 2) / 3)) {
      // Fast copy: a combined table with at most 1/3 of its entries deleted.
      const newKeys = this.cloneCombinedDictKeys(op);
      const copy = this.newDict(newKeys, 0, 0, false);
      maUsed.set(copy, maUsed.get(op));
      if (this.rt.gc.isTracked(op)) this.rt.gcTrack(copy);
      return copy;
    }
    const copy = this.new();
    this.dictMerge(copy, op, true);
    return copy;
  }

  // --- items ------------------------------------------------------------------------------------

  /** PyDict_SetItem: d[key] = value; increfs both (the dict owns them). Throws UnhashableError. */
  setItem(op: number, key: number, value: number): void {
    this.checkDict(op, 'PyDict_SetItem');
    this.checkObject(key, 'PyDict_SetItem', 'the key');
    this.checkObject(value, 'PyDict_SetItem', 'the value');
    this.setItemChecked(op, key, value);
  }

  /** PyDict_SetItem once op, key and value are known to be a dict and live objects (fromItems has checked them). */
  private setItemChecked(op: number, key: number, value: number): void {
    const hash = this.hashKey(key);
    this.rt.incref(key);
    this.rt.incref(value);
    this.setItemTake2(op, key, hash, value);
  }

  /** PyDict_GetItemWithError: the value for key (borrowed) or 0. Throws UnhashableError. */
  getItem(op: number, key: number): number {
    this.checkDict(op, 'PyDict_GetItem');
    this.checkObject(key, 'PyDict_GetItem', 'the key');
    this.dictLookup(op, key, this.hashKey(key));
    return this.lookupValue;
  }

  /** PyDict_Contains: whether key is in the dict. Throws UnhashableError. */
  contains(op: number, key: number): boolean {
    return this.getItem(op, key) !== 0;
  }

  /** PyDict_DelItem: del d[key]; drops the dict's references. Throws KeyError when absent. */
  delItem(op: number, key: number): void {
    this.checkDict(op, 'PyDict_DelItem');
    this.checkObject(key, 'PyDict_DelItem', 'the key');
    if (!this.delItemKnownHash(op, key, this.hashKey(key))) throw new KeyError(`KeyError: ${this.describeObject(key)}`);
  }

  /**
   * dict.pop(key[, default]) (_PyDict_Pop_KnownHash): removes key and
   * returns its value as a new reference; when absent, a new reference to
   * `deflt`, or KeyError without one.
   */
  pop(op: number, key: number, deflt = 0): number {
    this.checkDict(op, 'dict.pop');
    this.checkObject(key, 'dict.pop', 'the key');
    const hash = this.hashKey(key);
    const ix = maUsed.get(op) === 0 ? DKIX_EMPTY : this.dictLookup(op, key, hash);
    const oldValue = this.lookupValue;
    if (ix === DKIX_EMPTY || oldValue === 0) {
      if (deflt === 0) throw new KeyError(`KeyError: ${this.describeObject(key)}`);
      this.rt.incref(deflt);
      return deflt;
    }
    this.rt.incref(oldValue);
    this.delitemCommon(op, hash, ix, oldValue);
    return oldValue;
  }

  /** PyDict_Size. */
  size(op: number): number {
    this.checkDict(op, 'PyDict_Size');
    return maUsed.get(op);
  }

  /**
   * PyDict_Clear (and tp_clear): the dict goes back to Py_EMPTY_KEYS first,
   * then the old keys and values release their references.
   */
  clear(op: number): void {
    this.checkDict(op, 'PyDict_Clear');
    const oldKeys = this.keysOf(op);
    const oldValues = maValues.get(op);
    if (oldKeys === this.emptyKeys) return;
    this.keysIncref(this.emptyKeys);
    maKeys.set(op, this.emptyKeys);
    maValues.set(op, 0);
    maUsed.set(op, 0);
    maVersionTag.set(op, this.nextVersion());
    if (oldValues !== 0) {
      const n = dkNentries.get(oldKeys);
      for (let i = 0; i < n; i++) {
        const v = itemArray.get(oldValues, i);
        if (v !== 0) {
          itemArray.set(oldValues, i, 0);
          this.rt.decref(v);
        }
      }
      this.freeValues(oldValues);
    }
    this.keysDecref(oldKeys);
  }

  /** PyDict_Update(a, b): b's items into a, b's values winning (dict_merge, override 1). */
  update(a: number, b: number): void {
    this.merge(a, b, true);
  }

  /** PyDict_Merge(a, b, override): b's items into a; existing keys of a are kept unless override. */
  merge(a: number, b: number, override: boolean): void {
    this.checkDict(a, 'PyDict_Merge');
    this.checkDict(b, 'PyDict_Merge');
    this.dictMerge(a, b, override);
  }

  /**
   * _PyDict_Next: the entry at or after position pos (0 to start). Returns
   * the position to pass next, or 0 when there are no more entries; the
   * entry's key, value (borrowed) and hash are left in iterKey, iterValue,
   * iterHash. Split tables go in insertion order.
   */
  next(op: number, pos: number): number {
    if (!this.check(op)) throw new InvalidArgumentError(`PyDict_Next: expected a dict, got ${this.rt.typeOrNull(op)?.name ?? describe(op)}`);
    const keys = this.keysOf(op);
    const values = maValues.get(op);
    let i = pos;
    if (values !== 0) {
      if (i < 0 || i >= maUsed.get(op)) return 0;
      const index = byteAt.get(values, VALUES_ORDER - i);
      const key = uKey.get(keys + entriesOffset(keys) + index * SIZEOF_UNICODE_ENTRY);
      this.iterKey = key;
      this.iterValue = itemArray.get(values, index);
      this.iterHash = this.interp.hash(key);
      return i + 1;
    }
    const n = dkNentries.get(keys);
    if (i < 0 || i >= n) return 0;
    const off = entriesOffset(keys);
    if (dkKind.get(keys) !== DICT_KEYS_GENERAL) {
      while (i < n && uValue.get(keys + off + i * SIZEOF_UNICODE_ENTRY) === 0) i++;
      if (i >= n) return 0;
      const key = uKey.get(keys + off + i * SIZEOF_UNICODE_ENTRY);
      this.iterKey = key;
      this.iterValue = uValue.get(keys + off + i * SIZEOF_UNICODE_ENTRY);
      this.iterHash = this.interp.hash(key);
    } else {
      while (i < n && gValue.get(keys + off + i * SIZEOF_KEY_ENTRY) === 0) i++;
      if (i >= n) return 0;
      this.iterHash = gHash.get(keys + off + i * SIZEOF_KEY_ENTRY);
      this.iterKey = gKey.get(keys + off + i * SIZEOF_KEY_ENTRY);
      this.iterValue = gValue.get(keys + off + i * SIZEOF_KEY_ENTRY);
    }
    return i + 1;
  }

  /** dict.keys(), in order (borrowed references). */
  keys(op: number): number[] {
    this.checkDict(op, 'dict.keys');
    const out: number[] = [];
    for (let pos = this.next(op, 0); pos !== 0; pos = this.next(op, pos)) out.push(this.iterKey);
    return out;
  }

  /** dict.values(), in order (borrowed references). */
  values(op: number): number[] {
    this.checkDict(op, 'dict.values');
    const out: number[] = [];
    for (let pos = this.next(op, 0); pos !== 0; pos = this.next(op, pos)) out.push(this.iterValue);
    return out;
  }

  /** dict.items(), in order (borrowed references). */
  items(op: number): Array<[number, number]> {
    this.checkDict(op, 'dict.items');
    const out: Array<[number, number]> = [];
    for (let pos = this.next(op, 0); pos !== 0; pos = this.next(op, pos)) out.push([this.iterKey, this.iterValue]);
    return out;
  }

  /**
   * _PyDict_MaybeUntrack: untracks an exact, tracked dict none of whose
   * values (nor, for general keys, keys) may be tracked. The gc layer calls
   * it on each dict it examines.
   */
  maybeUntrack(op: number): void {
    const rt = this.rt;
    if (rt.typeOf(op) !== this.type || !rt.gc.isTracked(op)) return;
    const keys = this.keysOf(op);
    const values = maValues.get(op);
    const n = dkNentries.get(keys);
    const off = entriesOffset(keys);
    if (values !== 0) {
      for (let i = 0; i < n; i++) {
        const v = itemArray.get(values, i);
        if (v !== 0 && this.mayBeTracked(v)) return;
      }
    } else if (dkKind.get(keys) !== DICT_KEYS_GENERAL) {
      for (let i = 0; i < n; i++) {
        const v = uValue.get(keys + off + i * SIZEOF_UNICODE_ENTRY);
        if (v !== 0 && this.mayBeTracked(v)) return;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const e = keys + off + i * SIZEOF_KEY_ENTRY;
        const v = gValue.get(e);
        if (v !== 0 && (this.mayBeTracked(v) || this.mayBeTracked(gKey.get(e)))) return;
      }
    }
    rt.gcUntrack(op);
  }

  /** _PyDict_SizeOf: the object, a split table's values, and the keys unless shared. */
  sizeOf(op: number): number {
    const keys = this.keysOf(op);
    let res = this.rt.typeOf(op).basicsize;
    if (maValues.get(op) !== 0) res += this.sharedKeysUsableSize(keys) * SIZEOF_VOID_P;
    if (dkRefcnt.get(keys) === 1) res += keysSize(keys);
    return res;
  }

  /** The dict's fields (for tests and reports). */
  layout(op: number): DictLayout {
    this.checkDict(op, 'dict layout');
    const keys = this.keysOf(op);
    return {
      used: maUsed.get(op),
      keys,
      values: maValues.get(op),
      keysRefcnt: dkRefcnt.get(keys),
      log2Size: dkLog2Size.get(keys),
      log2IndexBytes: dkLog2IndexBytes.get(keys),
      kind: dkKind.get(keys),
      usable: dkUsable.get(keys),
      nentries: dkNentries.get(keys),
    };
  }

  /** Dead dicts on the free list (what sys._debugmallocstats prints as "free PyDictObject"). */
  freeListSize(): number {
    return this.freeList.length;
  }

  /** Keys objects on the keys free list. */
  keysFreeListSize(): number {
    return this.keysFreeList.length;
  }

  /** _PyDict_ClearFreeList: frees the dead dicts (PyObject_GC_Del) and keys objects (PyObject_Free). */
  clearFreeList(): void {
    while (this.freeList.length > 0) this.rt.gcDel(this.freeList.pop()!);
    while (this.keysFreeList.length > 0) this.rt.objectFree(this.keysFreeList.pop()!);
  }

  /**
   * _PyDict_CheckConsistency(op, check_content=1): every broken invariant
   * of the dict, as sentences (empty when consistent). For tests: it walks
   * every slot and entry and hashes every key.
   */
  violations(op: number): string[] {
    const out: string[] = [];
    if (this.rt.typeOf(op) !== this.type) return [`${op} is not a dict`];
    if (this.rt.refcnt(op) < 1) out.push('ob_refcnt < 1');
    const keys = this.keysOf(op);
    const values = maValues.get(op);
    const used = maUsed.get(op);
    const log2 = dkLog2Size.get(keys);
    const size = (1 << log2);
    const kind = dkKind.get(keys);
    const usable = dkUsable.get(keys);
    const nentries = dkNentries.get(keys);
    const refcnt = dkRefcnt.get(keys);
    if (keys === this.emptyKeys) {
      if (values !== 0 || used !== 0) out.push('Py_EMPTY_KEYS with values or items');
      return out;
    }
    if (log2 < PyDict_LOG_MINSIZE) out.push(`dk_log2_size ${log2} < ${PyDict_LOG_MINSIZE}`);
    const log2Bytes = log2 < 8 ? log2 : log2 < 16 ? log2 + 1 : log2 + 2;
    if (dkLog2IndexBytes.get(keys) !== log2Bytes) out.push(`dk_log2_index_bytes is not ${log2Bytes}`);
    if (usable < 0 || nentries < 0 || usable + nentries > usableFraction(size)) {
      out.push(`dk_usable ${usable} + dk_nentries ${nentries} exceed USABLE_FRACTION(${size})`);
    }
    if (refcnt < 1) out.push(`dk_refcnt ${refcnt} < 1`);
    if ((values !== 0) !== (kind === DICT_KEYS_SPLIT)) out.push(`ma_values ${values} with dk_kind ${kind}`);
    if (values === 0 && refcnt !== 1) out.push(`combined keys with dk_refcnt ${refcnt}`);
    const off = entriesOffset(keys);
    const es = kind === DICT_KEYS_GENERAL ? SIZEOF_KEY_ENTRY : SIZEOF_UNICODE_ENTRY;
    // Slots: each index in range, each entry with a key in exactly one slot.
    const seen = new Set<number>();
    for (let i = 0; i < size; i++) {
      const ix = getIndex(keys, log2, i);
      if (ix < DKIX_DUMMY || ix >= nentries) out.push(`slot ${i} holds ${ix}`);
      else if (ix >= 0) {
        if (seen.has(ix)) out.push(`entry ${ix} in two slots`);
        seen.add(ix);
      }
    }
    let live = 0;
    let withKey = 0;
    for (let i = 0; i < nentries; i++) {
      const e = keys + off + i * es;
      const key = (kind === DICT_KEYS_GENERAL ? gKey : uKey).get(e);
      const value = values !== 0 ? itemArray.get(values, i) : (kind === DICT_KEYS_GENERAL ? gValue : uValue).get(e);
      if (key === 0) {
        if (value !== 0) out.push(`entry ${i} has a value but no key`);
        continue;
      }
      withKey++;
      if (value !== 0) live++;
      const hash = this.hashKey(key);
      if (kind === DICT_KEYS_GENERAL && gHash.get(e) !== hash) out.push(`entry ${i}: me_hash is not the key's hash`);
      if (kind !== DICT_KEYS_GENERAL && !this.isExactStr(key)) out.push(`entry ${i}: a unicode table with a key that is not an exact str`);
      if (this.lookdictIndex(keys, hash, i) < 0) out.push(`entry ${i} is not reachable from its hash`);
      if (!this.rt.gc.isTracked(op) && value !== 0 && (this.mayBeTracked(value) || (kind === DICT_KEYS_GENERAL && this.mayBeTracked(key)))) {
        out.push(`entry ${i} may be tracked but the dict is not`);
      }
    }
    if (seen.size !== withKey) out.push(`${seen.size} slots hold entries but ${withKey} entries have keys`);
    if (values === 0) {
      if (live !== used) out.push(`ma_used ${used} but ${live} live entries`);
    } else {
      const prefix = byteAt.get(values, VALUES_PREFIX_SIZE);
      const n = byteAt.get(values, VALUES_USED);
      if (n !== used) out.push(`values: ${n} in the insertion order but ma_used ${used}`);
      if (prefix < roundUpPtr(n + 2)) out.push(`values: prefix ${prefix} too small for ${n} items`);
      const order = new Set<number>();
      for (let i = 0; i < n; i++) {
        const ix = byteAt.get(values, VALUES_ORDER - i);
        if (ix >= nentries || order.has(ix)) out.push(`values: order[${i}] = ${ix}`);
        order.add(ix);
      }
      for (let i = 0; i < nentries; i++) {
        if ((itemArray.get(values, i) !== 0) !== order.has(i)) out.push(`values[${i}] set but not in the order, or the reverse`);
      }
    }
    return out;
  }

  // --- shared keys (the class's side; sharedKeys.ts holds the instances' side) ---------------------

  /** dictkeys_incref. */
  keysIncref(keys: number): void {
    const u = this.rt.u32;
    const w = (keys >>> 2) + DK_REFCNT_U32;
    if (keys < SMALL_LIMIT && u[w]! < 0x7fffffff && u[w + 1] === 0) u[w] = u[w]! + 1;
    else dkRefcnt.set(keys, dkRefcnt.get(keys) + 1);
  }

  /** dictkeys_decref: the last reference frees the keys object (free_keys_object). */
  keysDecref(keys: number): void {
    const u = this.rt.u32;
    const w = (keys >>> 2) + DK_REFCNT_U32;
    let n: number;
    if (keys < SMALL_LIMIT && u[w]! > 0 && u[w + 1] === 0) u[w] = n = u[w]! - 1;
    else dkRefcnt.set(keys, (n = dkRefcnt.get(keys) - 1));
    if (n === 0) this.freeKeysObject(keys);
  }

  /** shared_keys_usable_size: the values slots an instance made now gets. */
  sharedKeysUsableSize(keys: number): number {
    return dkNentries.get(keys) + dkUsable.get(keys);
  }

  // --- keys objects and values arrays ------------------------------------------------------------------

  private keysOf(op: number): number {
    return op < SMALL_LIMIT ? this.rt.f64[(op >>> 3) + MA_KEYS_F64]! : maKeys.get(op);
  }



  /** new_keys_object: from the keys free list (log2 size 3, unicode) or PyObject_Malloc. */
  newKeysObject(log2Size: number, unicode: boolean): number {
    const entrySize = unicode ? SIZEOF_UNICODE_ENTRY : SIZEOF_KEY_ENTRY;
    const usable = usableFraction((1 << log2Size));
    const log2Bytes = log2Size < 8 ? log2Size : log2Size < 16 ? log2Size + 1 : log2Size + 2;
    const dk =
      log2Size === PyDict_LOG_MINSIZE && unicode && this.keysFreeList.length > 0
        ? this.keysFreeList.pop()!
        : this.rt.objectMalloc(SIZEOF_PYDICTKEYSOBJECT + (1 << log2Bytes) + entrySize * usable);
    if (dk < SMALL_LIMIT) {
      const u = this.rt.u32;
      const w = dk >>> 2;
      storeSmallI64(u, w + DK_REFCNT_U32, 1);
      storeSmallI64(u, w + DK_NENTRIES_U32, 0);
      storeSmallI64(u, w + DK_USABLE_U32, usable);
      u[w + DK_VERSION_U32] = 0;
      const b = this.rt.u8;
      b[dk + DK_LOG2_SIZE] = log2Size;
      b[dk + DK_LOG2_INDEX_BYTES] = log2Bytes;
      b[dk + DK_KIND] = unicode ? DICT_KEYS_UNICODE : DICT_KEYS_GENERAL;
      b[dk + DK_PAD] = 0;
    } else {
      dkRefcnt.set(dk, 1);
      dkNentries.set(dk, 0);
      dkUsable.set(dk, usable);
      dkVersion.set(dk, 0);
      dkLog2Size.set(dk, log2Size);
      dkLog2IndexBytes.set(dk, log2Bytes);
      dkKind.set(dk, unicode ? DICT_KEYS_UNICODE : DICT_KEYS_GENERAL);
      dkPad.set(dk, 0);
    }
    fillBytes(dk + DK_INDICES, (1 << log2Bytes), 0xff);
    fillBytes(dk + DK_INDICES + (1 << log2Bytes), entrySize * usable, 0);
    return dk;
  }

  /** free_keys_object: drops the entries' references, then the keys free list or PyObject_Free. */
  freeKeysObject(keys: number): void {
    const general = dkKind.get(keys) === DICT_KEYS_GENERAL;
    const es = general ? SIZEOF_KEY_ENTRY : SIZEOF_UNICODE_ENTRY;
    const key = general ? gKey : uKey;
    const value = general ? gValue : uValue;
    const e0 = keys + entriesOffset(keys);
    const n = dkNentries.get(keys);
    const rt = this.rt;
    if (keys < SMALL_LIMIT) {
      const f = rt.f64;
      const step = es >>> 3;
      const k0 = (e0 >>> 3) + (general ? G_KEY_F64 : U_KEY_F64);
      const v0 = (e0 >>> 3) + (general ? G_VALUE_F64 : U_VALUE_F64);
      for (let i = 0; i < n; i++) {
        rt.xdecref(f[k0 + i * step]!);
        rt.xdecref(f[v0 + i * step]!);
      }
    } else {
      for (let i = 0; i < n; i++) {
        rt.xdecref(key.get(e0 + i * es));
        rt.xdecref(value.get(e0 + i * es));
      }
    }
    if (dkLog2Size.get(keys) === PyDict_LOG_MINSIZE && this.keysFreeList.length < MAXFREELIST && !general) {
      this.keysFreeList.push(keys);
      return;
    }
    this.rt.objectFree(keys);
  }

  /** new_values: PyMem_Malloc of the order prefix and `size` value slots; returns the values pointer. */
  newValues(size: number): number {
    const prefixSize = roundUpPtr(size + 2);
    const block = this.rt.memMalloc(prefixSize + size * SIZEOF_VOID_P);
    byteAt.set(block, prefixSize + VALUES_PREFIX_SIZE, prefixSize);
    return block + prefixSize;
  }

  /** free_values. */
  freeValues(values: number): void {
    this.rt.memFree(values - byteAt.get(values, VALUES_PREFIX_SIZE));
  }



  // --- slots ------------------------------------------------------------------------------------------



  // Every probe below is CPython's: i = hash & mask, then perturb >>= 5;
  // i = (i*5 + perturb + 1) & mask, with perturb the hash as a size_t held
  // in two 32-bit words (pLo, pHi).

  /** lookdict_index: the slot that holds entry `index`. */
  private lookdictIndex(keys: number, hash: number, index: number): number {
    const log2 = dkLog2Size.get(keys);
    const mask = (1 << log2) - 1;
    let pLo = hash >>> 0;
    let pHi = hashHigh(hash);
    let i = pLo & mask;
    for (;;) {
      const ix = getIndex(keys, log2, i);
      if (ix === index) return i;
      if (ix === DKIX_EMPTY) return DKIX_EMPTY;
      pLo = ((pLo >>> PERTURB_SHIFT) | (pHi << (32 - PERTURB_SHIFT))) >>> 0;
      pHi >>>= PERTURB_SHIFT;
      i = (i * 5 + pLo + 1) & mask;
    }
  }

  /**
   * unicodekeys_lookup_unicode and unicodekeys_lookup_generic (one probe;
   * both compare by identity, then by the str's cached hash and equality).
   */
  unicodekeysLookup(keys: number, key: number, hash: number): number {
    const log2 = dkLog2Size.get(keys);
    const mask = (1 << log2) - 1;
    const off = entriesOffset(keys);
    let pLo = hash >>> 0;
    let pHi = hashHigh(hash);
    let i = pLo & mask;
    for (;;) {
      const ix = getIndex(keys, log2, i);
      if (ix >= 0) {
        const startkey = uKey.get(keys + off + ix * SIZEOF_UNICODE_ENTRY);
        if (startkey === key) return ix;
        if (this.hashKey(startkey) === hash && this.interp.eq(startkey, key)) return ix;
      } else if (ix === DKIX_EMPTY) {
        return DKIX_EMPTY;
      }
      pLo = ((pLo >>> PERTURB_SHIFT) | (pHi << (32 - PERTURB_SHIFT))) >>> 0;
      pHi >>>= PERTURB_SHIFT;
      i = (i * 5 + pLo + 1) & mask;
    }
  }

  /** dictkeys_generic_lookup: identity, then me_hash and equality. */
  private genericLookup(keys: number, key: number, hash: number): number {
    const log2 = dkLog2Size.get(keys);
    const mask = (1 << log2) - 1;
    const off = entriesOffset(keys);
    let pLo = hash >>> 0;
    let pHi = hashHigh(hash);
    let i = pLo & mask;
    for (;;) {
      const ix = getIndex(keys, log2, i);
      if (ix >= 0) {
        const e = keys + off + ix * SIZEOF_KEY_ENTRY;
        const startkey = gKey.get(e);
        if (startkey === key) return ix;
        if (gHash.get(e) === hash && this.interp.eq(startkey, key)) return ix;
      } else if (ix === DKIX_EMPTY) {
        return DKIX_EMPTY;
      }
      pLo = ((pLo >>> PERTURB_SHIFT) | (pHi << (32 - PERTURB_SHIFT))) >>> 0;
      pHi >>>= PERTURB_SHIFT;
      i = (i * 5 + pLo + 1) & mask;
    }
  }

  /** _Py_dict_lookup: the entry index of key or DKIX_EMPTY; its value (0 if none) goes to lookupValue. */
  private dictLookup(mp: number, key: number, hash: number): number {
    const keys = this.keysOf(mp);
    const kind = dkKind.get(keys);
    let ix: number;
    if (kind !== DICT_KEYS_GENERAL) {
      ix = this.unicodekeysLookup(keys, key, hash);
      this.lookupValue =
        ix < 0
          ? 0
          : kind === DICT_KEYS_SPLIT
            ? itemArray.get(maValues.get(mp), ix)
            : uValue.get(keys + entriesOffset(keys) + ix * SIZEOF_UNICODE_ENTRY);
    } else {
      ix = this.genericLookup(keys, key, hash);
      this.lookupValue = ix < 0 ? 0 : gValue.get(keys + entriesOffset(keys) + ix * SIZEOF_KEY_ENTRY);
    }
    return ix;
  }

  /** find_empty_slot: the first slot on key's probe that holds no entry (empty or dummy). */
  private findEmptySlot(keys: number, hash: number): number {
    const log2 = dkLog2Size.get(keys);
    const mask = (1 << log2) - 1;
    let pLo = hash >>> 0;
    let pHi = hashHigh(hash);
    let i = pLo & mask;
    while (getIndex(keys, log2, i) >= 0) {
      pLo = ((pLo >>> PERTURB_SHIFT) | (pHi << (32 - PERTURB_SHIFT))) >>> 0;
      pHi >>>= PERTURB_SHIFT;
      i = (i * 5 + pLo + 1) & mask;
    }
    return i;
  }

  /** build_indices_generic and build_indices_unicode: slots for entries 0..n-1 of a fresh table. */
  private buildIndices(keys: number, n: number): void {
    const log2 = dkLog2Size.get(keys);
    const mask = (1 << log2) - 1;
    const general = dkKind.get(keys) === DICT_KEYS_GENERAL;
    const off = entriesOffset(keys);
    for (let ix = 0; ix < n; ix++) {
      const hash = general ? gHash.get(keys + off + ix * SIZEOF_KEY_ENTRY) : this.interp.hash(uKey.get(keys + off + ix * SIZEOF_UNICODE_ENTRY));
      let pLo = hash >>> 0;
      let pHi = hashHigh(hash);
      let i = pLo & mask;
      while (getIndex(keys, log2, i) !== DKIX_EMPTY) {
        pLo = ((pLo >>> PERTURB_SHIFT) | (pHi << (32 - PERTURB_SHIFT))) >>> 0;
        pHi >>>= PERTURB_SHIFT;
        i = (i * 5 + pLo + 1) & mask;
      }
      setIndex(keys, log2, i, ix);
    }
  }

  // --- dicts ------------------------------------------------------------------------------------------

  private nextVersion(): number {
    return ++this.globalVersion;
  }

  /**
   * new_dict: a dict (from the free list, else PyObject_GC_New) over keys
   * (whose reference it takes) and values. Untracked.
   */
  newDict(keys: number, values: number, used: number, freeValuesOnFailure: boolean): number {
    const rt = this.rt;
    let mp: number;
    if (this.freeList.length > 0) {
      mp = this.freeList.pop()!;
      rt.newReference(mp);
    } else {
      try {
        mp = rt.initWord(rt.gcAllocId(this.typeId, SIZEOF_PYDICTOBJECT), this.typeWord);
      } catch (e) {
        this.keysDecref(keys);
        if (freeValuesOnFailure) this.freeValues(values);
        throw e;
      }
    }
    const version = this.nextVersion();
    if (mp < SMALL_LIMIT && (used | 0) === used && (version | 0) === version) {
      const f = mp >>> 3;
      rt.f64[f + MA_KEYS_F64] = keys;
      rt.f64[f + MA_VALUES_F64] = values;
      storeSmallI64(rt.u32, (mp >>> 2) + MA_USED_U32, used);
      storeSmallI64(rt.u32, (mp >>> 2) + MA_VERSION_U32, version);
    } else {
      maKeys.set(mp, keys);
      maValues.set(mp, values);
      maUsed.set(mp, used);
      maVersionTag.set(mp, version);
    }
    return mp;
  }

  /** dict_new (tp_new of dict, tp_alloc = _PyType_AllocNoTrack): an untracked empty dict in a fresh block. */
  private dictNew(): number {
    const d = this.rt.gcNew(this.type);
    maUsed.set(d, 0);
    maVersionTag.set(d, this.nextVersion());
    this.keysIncref(this.emptyKeys);
    maKeys.set(d, this.emptyKeys);
    maValues.set(d, 0);
    return d;
  }

  /** dict_new_presized. */
  private dictNewPresized(minused: number, unicode: boolean): number {
    if (minused <= usableFraction(PyDict_MINSIZE)) return this.new();
    const log2 = minused > usableFraction((1 << LOG2_MAX_PRESIZE)) ? LOG2_MAX_PRESIZE : estimateLog2Keysize(minused);
    return this.newDict(this.newKeysObject(log2, unicode), 0, 0, false);
  }

  /** MAINTAIN_TRACKING: track mp once it holds a key or value that may be tracked. */
  private maintainTracking(mp: number, key: number, value: number): void {
    if (!this.rt.gc.isTracked(mp) && (this.mayBeTracked(key) || this.mayBeTracked(value))) this.rt.gcTrack(mp);
  }

  /** _PyDict_SetItem_Take2 (with the hash known): steals key and value. */
  private setItemTake2(mp: number, key: number, hash: number, value: number): void {
    if (this.keysOf(mp) === this.emptyKeys) this.insertToEmptydict(mp, key, hash, value);
    else this.insertdict(mp, key, hash, value);
  }

  /** insert_to_emptydict: the first item of a dict on Py_EMPTY_KEYS; steals key and value. */
  private insertToEmptydict(mp: number, key: number, hash: number, value: number): void {
    const unicode = this.isExactStr(key);
    let newKeys: number;
    try {
      newKeys = this.newKeysObject(PyDict_LOG_MINSIZE, unicode);
    } catch (e) {
      this.rt.decref(key);
      this.rt.decref(value);
      throw e;
    }
    this.keysDecref(this.emptyKeys);
    maKeys.set(mp, newKeys);
    maValues.set(mp, 0);
    this.maintainTracking(mp, key, value);
    setIndex(newKeys, PyDict_LOG_MINSIZE, (hash >>> 0) & (PyDict_MINSIZE - 1), 0);
    const e = newKeys + entriesOffset(newKeys);
    if (unicode) {
      uKey.set(e, key);
      uValue.set(e, value);
    } else {
      gHash.set(e, hash);
      gKey.set(e, key);
      gValue.set(e, value);
    }
    const version = this.nextVersion();
    const rt = this.rt;
    const used = rt.u32[(mp >>> 2) + MA_USED_U32]!;
    if (mp < SMALL_LIMIT && newKeys < SMALL_LIMIT && used < 0x7fffffff && rt.u32[(mp >>> 2) + MA_USED_U32 + 1] === 0 && (version | 0) === version) {
      // A fresh dict and keys object: ma_used small, dk_usable and dk_nentries those newKeysObject wrote.
      const u = rt.u32;
      storeSmallI64(u, (mp >>> 2) + MA_USED_U32, used + 1);
      storeSmallI64(u, (mp >>> 2) + MA_VERSION_U32, version);
      const w = newKeys >>> 2;
      storeSmallI64(u, w + DK_USABLE_U32, u[w + DK_USABLE_U32]! - 1);
      storeSmallI64(u, w + DK_NENTRIES_U32, u[w + DK_NENTRIES_U32]! + 1);
    } else {
      maUsed.set(mp, maUsed.get(mp) + 1);
      maVersionTag.set(mp, version);
      dkUsable.set(newKeys, dkUsable.get(newKeys) - 1);
      dkNentries.set(newKeys, dkNentries.get(newKeys) + 1);
    }
  }

  /**
   * insertdict: d[key] = value on a dict with a real keys object; steals key
   * and value. A non-str key turns unicode keys general first; a new key
   * when dk_usable is 0 resizes (insertion_resize); a split table appends
   * new str keys to the shared keys while they have room.
   */
  private insertdict(mp: number, key: number, hash: number, value: number): void {
    try {
      if (dkKind.get(this.keysOf(mp)) !== DICT_KEYS_GENERAL && !this.isExactStr(key)) this.insertionResize(mp, false);
    } catch (e) {
      this.rt.decref(value);
      this.rt.decref(key);
      throw e;
    }
    const ix = this.dictLookup(mp, key, hash);
    const oldValue = this.lookupValue;
    this.maintainTracking(mp, key, value);
    if (ix === DKIX_EMPTY) {
      let keys = this.keysOf(mp);
      dkVersion.set(keys, 0);
      if (dkUsable.get(keys) <= 0) {
        try {
          this.insertionResize(mp, true);
        } catch (e) {
          this.rt.decref(value);
          this.rt.decref(key);
          throw e;
        }
        keys = this.keysOf(mp);
      }
      const nentries = dkNentries.get(keys);
      setIndex(keys, dkLog2Size.get(keys), this.findEmptySlot(keys, hash), nentries);
      const off = entriesOffset(keys);
      if (dkKind.get(keys) !== DICT_KEYS_GENERAL) {
        const values = maValues.get(mp);
        uKey.set(keys + off + nentries * SIZEOF_UNICODE_ENTRY, key);
        if (values !== 0) {
          addToInsertionOrder(values, nentries);
          itemArray.set(values, nentries, value);
        } else {
          uValue.set(keys + off + nentries * SIZEOF_UNICODE_ENTRY, value);
        }
      } else {
        const e = keys + off + nentries * SIZEOF_KEY_ENTRY;
        gKey.set(e, key);
        gHash.set(e, hash);
        gValue.set(e, value);
      }
      maUsed.set(mp, maUsed.get(mp) + 1);
      maVersionTag.set(mp, this.nextVersion());
      dkUsable.set(keys, dkUsable.get(keys) - 1);
      dkNentries.set(keys, nentries + 1);
      return;
    }
    if (oldValue !== value) {
      const values = maValues.get(mp);
      if (values !== 0) {
        itemArray.set(values, ix, value);
        if (oldValue === 0) {
          addToInsertionOrder(values, ix);
          maUsed.set(mp, maUsed.get(mp) + 1);
        }
      } else {
        const keys = this.keysOf(mp);
        const general = dkKind.get(keys) === DICT_KEYS_GENERAL;
        if (general) gValue.set(keys + entriesOffset(keys) + ix * SIZEOF_KEY_ENTRY, value);
        else uValue.set(keys + entriesOffset(keys) + ix * SIZEOF_UNICODE_ENTRY, value);
      }
      maVersionTag.set(mp, this.nextVersion());
    }
    this.rt.xdecref(oldValue);
    this.rt.decref(key);
  }

  /** insertion_resize: dictresize to calculate_log2_keysize(GROWTH_RATE) where GROWTH_RATE = ma_used * 3. */
  private insertionResize(mp: number, unicode: boolean): void {
    this.dictresize(mp, calculateLog2Keysize(maUsed.get(mp) * 3), unicode);
  }

  /**
   * dictresize: moves the live items, in order, to a new combined table of
   * 2**log2NewSize slots (unicode unless the old keys or `unicode` say
   * general). A split table's keys are increfed and its values moved; a
   * combined table's entries move as they are and its old keys object goes
   * to the keys free list or PyObject_Free without touching the references.
   */
  private dictresize(mp: number, log2NewSize: number, unicode: boolean): void {
    const oldKeys = this.keysOf(mp);
    const oldValues = maValues.get(mp);
    if (dkKind.get(oldKeys) === DICT_KEYS_GENERAL) unicode = false;
    const newKeys = this.newKeysObject(log2NewSize, unicode);
    maKeys.set(mp, newKeys);
    const numentries = maUsed.get(mp);
    const oldOff = entriesOffset(oldKeys);
    const newOff = entriesOffset(newKeys);
    if (oldValues !== 0) {
      // Split -> combined: the keys are increfed, the values move.
      for (let i = 0; i < numentries; i++) {
        const index = byteAt.get(oldValues, VALUES_ORDER - i);
        const key = uKey.get(oldKeys + oldOff + index * SIZEOF_UNICODE_ENTRY);
        const value = itemArray.get(oldValues, index);
        this.rt.incref(key);
        if (unicode) {
          uKey.set(newKeys + newOff + i * SIZEOF_UNICODE_ENTRY, key);
          uValue.set(newKeys + newOff + i * SIZEOF_UNICODE_ENTRY, value);
        } else {
          gKey.set(newKeys + newOff + i * SIZEOF_KEY_ENTRY, key);
          gHash.set(newKeys + newOff + i * SIZEOF_KEY_ENTRY, this.interp.hash(key));
          gValue.set(newKeys + newOff + i * SIZEOF_KEY_ENTRY, value);
        }
      }
      this.buildIndices(newKeys, numentries);
      this.keysDecref(oldKeys);
      maValues.set(mp, 0);
      this.freeValues(oldValues);
    } else {
      const oldGeneral = dkKind.get(oldKeys) === DICT_KEYS_GENERAL;
      const oldEs = oldGeneral ? SIZEOF_KEY_ENTRY : SIZEOF_UNICODE_ENTRY;
      if (oldGeneral || unicode) {
        // generic -> generic, combined unicode -> combined unicode: entries copied as they are.
        if (dkNentries.get(oldKeys) === numentries) {
          viewBytes(newKeys + newOff, numentries * oldEs).set(viewBytes(oldKeys + oldOff, numentries * oldEs));
        } else {
          let ep = 0;
          for (let i = 0; i < numentries; i++, ep++) {
            while ((oldGeneral ? gValue : uValue).get(oldKeys + oldOff + ep * oldEs) === 0) ep++;
            viewBytes(newKeys + newOff + i * oldEs, oldEs).set(viewBytes(oldKeys + oldOff + ep * oldEs, oldEs));
          }
        }
      } else {
        // combined unicode -> generic: each key's hash goes into me_hash.
        let ep = 0;
        for (let i = 0; i < numentries; i++, ep++) {
          while (uValue.get(oldKeys + oldOff + ep * SIZEOF_UNICODE_ENTRY) === 0) ep++;
          const key = uKey.get(oldKeys + oldOff + ep * SIZEOF_UNICODE_ENTRY);
          gKey.set(newKeys + newOff + i * SIZEOF_KEY_ENTRY, key);
          gHash.set(newKeys + newOff + i * SIZEOF_KEY_ENTRY, this.interp.hash(key));
          gValue.set(newKeys + newOff + i * SIZEOF_KEY_ENTRY, uValue.get(oldKeys + oldOff + ep * SIZEOF_UNICODE_ENTRY));
        }
      }
      this.buildIndices(newKeys, numentries);
      // Not free_keys_object: the references moved with the entries.
      if (oldKeys === this.emptyKeys) {
        dkRefcnt.set(oldKeys, dkRefcnt.get(oldKeys) - 1);
      } else if (dkLog2Size.get(oldKeys) === PyDict_LOG_MINSIZE && !oldGeneral && this.keysFreeList.length < MAXFREELIST) {
        this.keysFreeList.push(oldKeys);
      } else {
        this.rt.objectFree(oldKeys);
      }
    }
    dkUsable.set(newKeys, dkUsable.get(newKeys) - numentries);
    dkNentries.set(newKeys, numentries);
  }

  /** clone_combined_dict_keys: a PyObject_Malloc copy of a combined keys object, each live key and value increfed. */
  private cloneCombinedDictKeys(orig: number): number {
    const oldKeys = this.keysOf(orig);
    const size = keysSize(oldKeys);
    const keys = this.rt.objectMalloc(size);
    viewBytes(keys, size).set(viewBytes(oldKeys, size));
    const general = dkKind.get(keys) === DICT_KEYS_GENERAL;
    const es = general ? SIZEOF_KEY_ENTRY : SIZEOF_UNICODE_ENTRY;
    const keyField = general ? gKey : uKey;
    const valueField = general ? gValue : uValue;
    const e0 = keys + entriesOffset(keys);
    const n = dkNentries.get(keys);
    for (let i = 0; i < n; i++) {
      const value = valueField.get(e0 + i * es);
      if (value !== 0) {
        this.rt.incref(value);
        this.rt.incref(keyField.get(e0 + i * es));
      }
    }
    return keys;
  }

  /** dict_merge(a, b, override 0 or 1) for a dict b. */
  private dictMerge(mp: number, other: number, override: boolean): void {
    if (other === mp || maUsed.get(other) === 0) return;
    const otherUsed = maUsed.get(other);
    if (maUsed.get(mp) === 0) {
      override = true;
      const okeys = this.keysOf(other);
      // A clean, combined, just-allocated `other` is cloned.
      if (
        maValues.get(other) === 0 &&
        otherUsed === dkNentries.get(okeys) &&
        (dkLog2Size.get(okeys) === PyDict_LOG_MINSIZE || usableFraction((1 << dkLog2Size.get(okeys)) / 2) < otherUsed)
      ) {
        const keys = this.cloneCombinedDictKeys(other);
        this.keysDecref(this.keysOf(mp));
        maKeys.set(mp, keys);
        const values = maValues.get(mp);
        if (values !== 0) {
          this.freeValues(values);
          maValues.set(mp, 0);
        }
        maUsed.set(mp, otherUsed);
        maVersionTag.set(mp, this.nextVersion());
        if (this.rt.gc.isTracked(other) && !this.rt.gc.isTracked(mp)) this.rt.gcTrack(mp);
        return;
      }
    }
    // One big resize up front rather than several as the items go in.
    if (usableFraction(1 << dkLog2Size.get(this.keysOf(mp))) < otherUsed) {
      const unicode = dkKind.get(this.keysOf(other)) !== DICT_KEYS_GENERAL;
      this.dictresize(mp, estimateLog2Keysize(maUsed.get(mp) + otherUsed), unicode);
    }
    for (let pos = this.next(other, 0); pos !== 0; pos = this.next(other, pos)) {
      const key = this.iterKey;
      const value = this.iterValue;
      const hash = this.iterHash;
      if (!override) {
        this.dictLookup(mp, key, hash);
        if (this.lookupValue !== 0) continue;
      }
      this.rt.incref(key);
      this.rt.incref(value);
      this.insertdict(mp, key, hash, value);
    }
  }

  /** _PyDict_DelItem_KnownHash without the KeyError: false when key is absent. */
  delItemKnownHash(mp: number, key: number, hash: number): boolean {
    const ix = this.dictLookup(mp, key, hash);
    const oldValue = this.lookupValue;
    if (ix === DKIX_EMPTY || oldValue === 0) return false;
    this.delitemCommon(mp, hash, ix, oldValue);
    return true;
  }

  /**
   * delitem_common: a split table loses the value and its place in the
   * insertion order; a combined one turns the slot into DKIX_DUMMY and
   * clears the entry. Then the key and value references are dropped.
   */
  private delitemCommon(mp: number, hash: number, ix: number, oldValue: number): void {
    const keys = this.keysOf(mp);
    const hashpos = this.lookdictIndex(keys, hash, ix);
    maUsed.set(mp, maUsed.get(mp) - 1);
    maVersionTag.set(mp, this.nextVersion());
    const values = maValues.get(mp);
    if (values !== 0) {
      itemArray.set(values, ix, 0);
      deleteIndexFromValues(values, ix);
    } else {
      dkVersion.set(keys, 0);
      setIndex(keys, dkLog2Size.get(keys), hashpos, DKIX_DUMMY);
      const off = entriesOffset(keys);
      let oldKey: number;
      if (dkKind.get(keys) !== DICT_KEYS_GENERAL) {
        const e = keys + off + ix * SIZEOF_UNICODE_ENTRY;
        oldKey = uKey.get(e);
        uKey.set(e, 0);
        uValue.set(e, 0);
      } else {
        const e = keys + off + ix * SIZEOF_KEY_ENTRY;
        oldKey = gKey.get(e);
        gKey.set(e, 0);
        gValue.set(e, 0);
        gHash.set(e, 0);
      }
      this.rt.decref(oldKey);
    }
    this.rt.decref(oldValue);
  }

  /**
   * insert_into_dictkeys: the entry index of a str name in shared keys,
   * appending it (a new reference) while dk_usable allows; DKIX_EMPTY when full.
   */
  insertIntoDictkeys(keys: number, name: number): number {
    const hash = this.hashKey(name);
    let ix = this.unicodekeysLookup(keys, name, hash);
    if (ix === DKIX_EMPTY) {
      if (dkUsable.get(keys) <= 0) return DKIX_EMPTY;
      this.rt.incref(name);
      dkVersion.set(keys, 0);
      const hashpos = this.findEmptySlot(keys, hash);
      ix = dkNentries.get(keys);
      setIndex(keys, dkLog2Size.get(keys), hashpos, ix);
      uKey.set(keys + entriesOffset(keys) + ix * SIZEOF_UNICODE_ENTRY, name);
      dkUsable.set(keys, dkUsable.get(keys) - 1);
      dkNentries.set(keys, ix + 1);
    }
    return ix;
  }

  /** dict_equal: same size, and each key of a maps to an equal value in b. */
  private dictEqual(a: number, b: number): boolean {
    if (maUsed.get(a) !== maUsed.get(b)) return false;
    for (let pos = this.next(a, 0); pos !== 0; pos = this.next(a, pos)) {
      const aval = this.iterValue;
      const key = this.iterKey;
      this.dictLookup(b, key, this.iterHash);
      const bval = this.lookupValue;
      if (bval === 0 || !this.interp.eq(aval, bval)) return false;
    }
    return true;
  }

  /** dict_dealloc: untrack, drop the values and keys, then the free list or PyObject_GC_Del (inside the trashcan). */
  private dictDealloc(mp: number): void {
    const values = mp < SMALL_LIMIT ? this.rt.f64[(mp >>> 3) + MA_VALUES_F64]! : maValues.get(mp);
    const keys = this.keysOf(mp);
    this.rt.gcUntrack(mp);
    if (this.rt.trashcanBegin(mp)) return;
    if (values !== 0) {
      const n = dkNentries.get(keys);
      for (let i = 0; i < n; i++) this.rt.xdecref(itemArray.get(values, i));
      this.freeValues(values);
    }
    this.keysDecref(keys);
    if (this.freeList.length < MAXFREELIST && this.rt.typeIdOf(mp) === this.typeId) this.freeList.push(mp);
    else this.rt.gcDel(mp);
    this.rt.trashcanEnd();
  }

  /** dict_traverse: the values (and, for general keys, the keys) of the live entries. */
  private dictTraverse(mp: number, visit: Visit): number {
    const keys = this.keysOf(mp);
    const n = dkNentries.get(keys);
    const off = entriesOffset(keys);
    const values = maValues.get(mp);
    let r = 0;
    if (dkKind.get(keys) !== DICT_KEYS_GENERAL) {
      for (let i = 0; i < n && r === 0; i++) {
        const v = values !== 0 ? itemArray.get(values, i) : uValue.get(keys + off + i * SIZEOF_UNICODE_ENTRY);
        if (v !== 0) r = visit(v);
      }
    } else {
      for (let i = 0; i < n && r === 0; i++) {
        const e = keys + off + i * SIZEOF_KEY_ENTRY;
        const v = gValue.get(e);
        if (v !== 0) {
          r = visit(v);
          if (r === 0) r = visit(gKey.get(e));
        }
      }
    }
    return r;
  }
}
