/*
 * set and frozenset (Objects/setobject.c, CPython 3.11): open addressing
 * with runs of linear probes, the first table inside the object.
 *
 * PySetObject, after its PyGC_Head (tp_alloc = PyType_GenericAlloc: zeroed
 * and tracked at once):
 *
 * PySetObject, 200 bytes:
 *     0  16   PyObject    ob_base        the object header
 *    16  8    Py_ssize_t  fill           active + dummy entries
 *    24  8    Py_ssize_t  used           active entries
 *    32  8    Py_ssize_t  mask           table slots - 1
 *    40  8    setentry *  table          &smalltable, or a PyMem_Malloc block of (mask + 1) entries
 *    48  8    Py_hash_t   hash           frozenset: its hash once computed; -1 until then (and for sets)
 *    56  8    Py_ssize_t  finger         where set.pop starts looking
 *    64  128  setentry    smalltable[8]  the first table
 *   192  8    PyObject *  weakreflist    head of the weakrefs to it (tp_weaklistoffset)
 *
 * setentry: unused = {NULL, 0}; dummy (a deleted entry) = {the static dummy
 * object, -1}; active = {key, its hash}.
 *
 * setentry, 16 bytes:
 *   0  8  PyObject *  key   NULL (unused), the dummy (deleted) or an owned key
 *   8  8  Py_hash_t   hash  the key's hash (-1 for the dummy)
 *
 * Invariants: used <= fill <= mask; an add that brings fill*5 up to
 * mask*3 resizes (set_table_resize to used*4, or used*2 past 50000 items),
 * so a failing search always meets an unused entry; a table other than
 * smalltable is a PyMem_Malloc block of exactly (mask + 1) * 16 bytes; the
 * set holds one reference to each active key; the dummy is static and
 * never counted; sets are tracked from birth to death (3.11 never untracks them).
 * Keys compare through interp.eq, which runs no Python code, so CPython's
 * "table changed during comparison" restarts cannot happen here.
 */
import { fillBytes } from '../../allocator/access.js';
import { InvalidArgumentError, describe } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, type ObjectValidationContext, PyObject, PYOBJECT_SIZE } from '../layout.js';
import { RefcountError, type Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';
import { KeyError } from './dict.js';

/** PySet_MINSIZE: entries of the smalltable. */
export const PySet_MINSIZE = 8;
/** LINEAR_PROBES: entries tried one after the other before the next perturbed jump. */
export const LINEAR_PROBES = 9;
const PERTURB_SHIFT = 5;

/** setentry. */
export const setentry = declareObjectStruct({
  name: 'setentry',
  fields: [
    { name: 'key', type: 'ptr', ctype: 'PyObject *', unchecked: true, meaning: 'NULL (unused), the dummy (deleted) or an owned key' },
    { name: 'hash', type: 'i64', ctype: 'Py_hash_t', meaning: "the key's hash (-1 for the dummy)" },
  ],
});
/** PySetObject. */
export const PySetObject = declareObjectStruct({
  name: 'PySetObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'fill', type: 'i64', meaning: 'active + dummy entries' },
    { name: 'used', type: 'i64', meaning: 'active entries' },
    { name: 'mask', type: 'i64', meaning: 'table slots - 1' },
    { name: 'table', type: 'ptr', ctype: 'setentry *', meaning: '&smalltable, or a PyMem_Malloc block of (mask + 1) entries' },
    { name: 'hash', type: 'i64', ctype: 'Py_hash_t', meaning: 'frozenset: its hash once computed; -1 until then (and for sets)' },
    { name: 'finger', type: 'i64', meaning: 'where set.pop starts looking' },
    { name: 'smalltable', type: setentry, count: PySet_MINSIZE, meaning: 'the first table' },
    { name: 'weakreflist', type: 'ptr', ctype: 'PyObject *', meaning: 'head of the weakrefs to it (tp_weaklistoffset)' },
  ],
  check: (so, ctx: ObjectValidationContext, fail) => {
    const fill = soFill.get(so);
    const used = soUsed.get(so);
    const mask = soMask.get(so);
    if (!(used >= 0 && used <= fill && fill <= mask)) fail('fill', `used ${used} <= fill ${fill} <= mask ${mask} does not hold`);
    if (mask + 1 < PySet_MINSIZE || ((mask + 1) & mask) !== 0) fail('mask', `${mask} + 1 is not a power of two >= ${PySet_MINSIZE}`);
    const table = soTable.get(so);
    if (mask === PySet_MINSIZE - 1 && table !== so + SO_SMALLTABLE) fail('table', `${table} is not the smalltable of a ${mask + 1}-slot set`);
    let active = 0;
    let dummies = 0;
    for (let i = 0; i <= mask && table !== 0 && i < 1 << 20; i++) {
      const key = entryKey.get(table + i * SIZEOF_SETENTRY);
      if (key === 0) continue;
      if (entryHash.get(table + i * SIZEOF_SETENTRY) === -1 && ctx.rt.isStatic(key)) dummies++;
      else if (ctx.isPointer(key)) active++;
      else fail(`table[${i}].key`, `${key} is neither NULL, the dummy nor a pointer`);
    }
    if (active !== used) fail('used', `${used}, but the table holds ${active} keys`);
    if (active + dummies !== fill) fail('fill', `${fill}, but the table holds ${active} keys and ${dummies} dummies`);
  },
});
const entryKey = setentry.field('key');
const entryHash = setentry.field('hash');
const soFill = PySetObject.field('fill');
const soUsed = PySetObject.field('used');
const soMask = PySetObject.field('mask');
const soTable = PySetObject.field('table');
const soHash = PySetObject.words('hash');
const soHashValue = PySetObject.field('hash');
const soFinger = PySetObject.field('finger');
const soWeakreflist = PySetObject.field('weakreflist');
/** offsetof(PySetObject, smalltable). */
export const SO_SMALLTABLE = PySetObject.offsets.smalltable;
/** sizeof(PySetObject). */
export const SIZEOF_PYSETOBJECT = PySetObject.size;
/** sizeof(setentry). */
export const SIZEOF_SETENTRY = setentry.size;

const U64 = (x: bigint): bigint => BigInt.asUintN(64, x);

/** _shuffle_bits of frozenset_hash. */
function shuffleBits(h: bigint): bigint {
  return U64(((h ^ 89869747n) ^ (h << 16n)) * 3644798167n);
}

/** (size_t)hash >> 32: the high word of a hash's two's complement. */
function hashHigh(hash: number): number {
  return Math.floor(hash / 4294967296) >>> 0;
}

/** What a set or frozenset can be built or updated from: a set, frozenset or dict, or an array (an iterator's items). */
export type SetIterable = number | readonly number[];

/** The set and frozenset types, the dummy key, and their C API. */
export class SetModule {
  /** PySet_Type. */
  readonly type: PyTypeObject;
  /** PyFrozenSet_Type. */
  readonly frozensetType: PyTypeObject;
  /** _PySet_Dummy: the static key of deleted entries. */
  readonly dummy: number;
  /** _PySet_NextEntry's out-parameters: the key (borrowed) and hash of the entry `nextEntry` returned. */
  iterKey = 0;
  iterHash = 0;
  private readonly rt: Runtime;
  // The smalltable's entries while it is rebuilt in place (set_table_resize's small_copy).
  private readonly smallCopyKeys = new Array<number>(PySet_MINSIZE).fill(0);
  private readonly smallCopyHashes = new Array<number>(PySet_MINSIZE).fill(0);

  constructor(readonly interp: Interpreter) {
    const rt = (this.rt = interp.rt);
    const slots = {
      basicsize: SIZEOF_PYSETOBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
      weaklistoffset: soWeakreflist.offset,
      layout: PySetObject,
      dealloc: (_r: Runtime, op: number) => this.setDealloc(op),
      traverse: (_r: Runtime, op: number, visit: Visit) => this.setTraverse(op, visit),
      clear: (_r: Runtime, op: number) => this.setClearInternal(op),
      sizeof: (_r: Runtime, op: number) => this.sizeOf(op),
      eq: (_r: Runtime, a: number, b: number) => this.check(b) && this.setEq(a, b),
      toJS: (r: Runtime, op: number) => new Set(this.items(op).map((k) => r.typeOf(k).toJS?.(r, k))),
    };
    this.type = rt.registerType({ name: 'set', ...slots });
    this.frozensetType = rt.registerType({ name: 'frozenset', ...slots, hash: (_r, op) => Number(this.hash64(op)), hash64: (_r, op) => this.hash64(op) });
    const dummyType = rt.registerType({
      name: '<dummy key> type',
      basicsize: PYOBJECT_SIZE,
      itemsize: 0,
      flags: 0,
      // dummy_dealloc: Py_FatalError("deallocating <dummy key>").
      dealloc: () => {
        throw new RefcountError('deallocating <dummy key>');
      },
    });
    this.dummy = rt.staticObject(dummyType, PYOBJECT_SIZE);
  }

  // --- checks ------------------------------------------------------------------------------------

  /** PyAnySet_Check: a set or a frozenset. */
  check(op: number): boolean {
    const t = this.kind(this.rt.typeOf(op));
    return t === this.type || t === this.frozensetType;
  }

  /** PyFrozenSet_Check: a frozenset, or an instance of a class deriving from frozenset. */
  checkFrozen(op: number): boolean {
    return this.kind(this.rt.typeOf(op)) === this.frozensetType;
  }

  /** The built-in type t derives from (a class's solid base), else t. */
  private kind(t: PyTypeObject): PyTypeObject {
    return t === this.type || t === this.frozensetType ? t : (this.interp.instance.builtinBase(t) ?? t);
  }

  private checkSet(op: number, fn: string): void {
    if (typeof op !== 'number' || op === 0 || !Number.isInteger(op) || !this.check(op)) {
      throw new InvalidArgumentError(`${fn}: expected a set or frozenset, got ${op === 0 ? 'NULL' : this.describeObject(op)}`);
    }
  }

  /** Refuses anything but a live object of this runtime (before the set is changed or a reference taken). */
  private checkKey(key: number, fn: string): void {
    if (typeof key !== 'number' || key === 0 || !Number.isInteger(key)) {
      throw new InvalidArgumentError(`${fn}: the key must be an object, got ${key === 0 ? 'NULL' : describe(key)}`);
    }
    this.rt.typeOf(key);
  }

  private describeObject(op: number): string {
    if (typeof op !== 'number' || !Number.isInteger(op)) return String(op);
    const t = this.rt.typeOrNull(op);
    return t ? `a ${t.name} object` : `${op} (not an object)`;
  }

  // --- creation ----------------------------------------------------------------------------------

  /**
   * PySet_New(iterable) / set(iterable) (make_new_set): a new, tracked set,
   * filled by set_update_internal. New reference.
   */
  new(iterable?: SetIterable): number {
    return this.makeNewSet(this.type, iterable);
  }

  /**
   * frozenset(iterable) (make_new_frozenset): an exact frozenset is
   * returned as it is (a new reference to it); anything else builds a new
   * frozenset as make_new_set does. New reference.
   */
  newFrozen(iterable?: SetIterable): number {
    if (typeof iterable === 'number' && iterable !== 0 && Number.isInteger(iterable) && this.rt.typeOf(iterable) === this.frozensetType) {
      this.rt.incref(iterable);
      return iterable;
    }
    return this.makeNewSet(this.frozensetType, iterable);
  }

  // --- items -------------------------------------------------------------------------------------

  /** PySet_Add: adds key (increfed when stored). A frozenset only while its creator holds the sole reference. */
  add(so: number, key: number): void {
    this.checkSet(so, 'PySet_Add');
    if (this.checkFrozen(so) && this.rt.refcnt(so) !== 1) {
      throw new InvalidArgumentError('PySet_Add: a frozenset can only be filled while it is being built (refcount 1)');
    }
    this.checkKey(key, 'PySet_Add');
    this.setAddEntry(so, key, this.interp.hash(key));
  }

  /** PySet_Contains. Throws UnhashableError. */
  contains(so: number, key: number): boolean {
    this.checkSet(so, 'PySet_Contains');
    this.checkKey(key, 'PySet_Contains');
    const hash = this.interp.hash(key);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    return entryKey.get(tb + t0 + this.setLookkey(so, key, hash) * SIZEOF_SETENTRY) !== 0;
  }

  /** PySet_Discard (set_discard_key): removes key if present; whether it was. */
  discard(so: number, key: number): boolean {
    this.checkSet(so, 'PySet_Discard');
    if (this.checkFrozen(so)) throw new InvalidArgumentError('PySet_Discard: a frozenset cannot change');
    this.checkKey(key, 'PySet_Discard');
    return this.setDiscardEntry(so, key, this.interp.hash(key));
  }

  /** set.remove(key): discard, or KeyError when absent. */
  remove(so: number, key: number): void {
    if (!this.discard(so, key)) throw new KeyError(`KeyError: ${this.describeObject(key)}`);
  }

  /** set.pop() (set_pop): removes and returns an arbitrary key, searching from the finger. New reference; KeyError when empty. */
  pop(so: number): number {
    this.checkSet(so, 'set.pop');
    if (this.checkFrozen(so)) throw new InvalidArgumentError('set.pop: a frozenset cannot change');
    if (soUsed.get(so) === 0) throw new KeyError('pop from an empty set');
    const mask = soMask.get(so);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    let i = soFinger.get(so) & mask;
    for (;;) {
      const k = entryKey.get(tb + t0 + i * SIZEOF_SETENTRY);
      if (k !== 0 && k !== this.dummy) break;
      i = i + 1 > mask ? 0 : i + 1;
    }
    const e = t0 + i * SIZEOF_SETENTRY;
    const key = entryKey.get(tb + e);
    entryKey.set(tb + e, this.dummy);
    entryHash.set(tb + e, -1);
    soUsed.set(so, soUsed.get(so) - 1);
    soFinger.set(so, i + 1);
    return key;
  }

  /** PySet_Size. */
  size(so: number): number {
    this.checkSet(so, 'PySet_Size');
    return soUsed.get(so);
  }

  /** PySet_Clear (set_clear_internal). */
  clear(so: number): void {
    this.checkSet(so, 'PySet_Clear');
    this.setClearInternal(so);
  }

  /** _PySet_Update / set.update(iterable) (set_update_internal). */
  update(so: number, iterable: SetIterable): void {
    this.checkSet(so, '_PySet_Update');
    if (this.checkFrozen(so)) throw new InvalidArgumentError('_PySet_Update: a frozenset cannot change');
    this.setUpdateInternal(so, iterable);
  }

  /**
   * _PySet_NextEntry: the active entry at or after position pos (0 to
   * start). Returns the position to pass next, or 0 at the end; the entry's
   * key and hash are left in iterKey and iterHash.
   */
  nextEntry(so: number, pos: number): number {
    const mask = soMask.get(so);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    let i = pos;
    while (i <= mask) {
      const k = entryKey.get(tb + t0 + i * SIZEOF_SETENTRY);
      if (k !== 0 && k !== this.dummy) break;
      i++;
    }
    if (i > mask) return 0;
    this.iterKey = entryKey.get(tb + t0 + i * SIZEOF_SETENTRY);
    this.iterHash = entryHash.get(tb + t0 + i * SIZEOF_SETENTRY);
    return i + 1;
  }

  /** The keys, in table order (borrowed references). */
  items(so: number): number[] {
    this.checkSet(so, 'set items');
    const out: number[] = [];
    for (let pos = this.nextEntry(so, 0); pos !== 0; pos = this.nextEntry(so, pos)) out.push(this.iterKey);
    return out;
  }

  /** set_sizeof: the object, plus the table when it is not the smalltable. */
  sizeOf(so: number): number {
    let res = this.rt.typeOf(so).basicsize;
    if (soTable.get(so) !== so + SO_SMALLTABLE) res += (soMask.get(so) + 1) * SIZEOF_SETENTRY;
    return res;
  }

  /**
   * frozenset_hash as the exact 64-bit Py_hash_t (cached in the hash field):
   * xor of every entry's shuffled hash (unused and dummy ones corrected
   * for), mixed with the size. The tp_hash slot returns it as a number,
   * exact only within ±2^53 (the slot's type), so the hashes of str, tuple
   * and frozenset keys are taken here exactly rather than from the entries.
   */
  hash64(so: number): bigint {
    const cached = this.cachedHash(so);
    if (cached !== -1n) return cached;
    const mask = soMask.get(so);
    const fill = soFill.get(so);
    const used = soUsed.get(so);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    let hash = 0n;
    for (let i = 0; i <= mask; i++) {
      const key = entryKey.get(tb + t0 + i * SIZEOF_SETENTRY);
      const h = key === 0 || key === this.dummy ? BigInt(entryHash.get(tb + t0 + i * SIZEOF_SETENTRY)) : this.interp.hash64(key);
      hash ^= shuffleBits(U64(h));
    }
    // Remove the effect of an odd number of NULL entries, then of dummies.
    if ((mask + 1 - fill) & 1) hash ^= shuffleBits(0n);
    if ((fill - used) & 1) hash ^= shuffleBits(U64(-1n));
    // Factor in the number of active entries, then disperse nested patterns.
    hash ^= U64((BigInt(used) + 1n) * 1927868237n);
    hash ^= (hash >> 11n) ^ (hash >> 25n);
    hash = U64(hash * 69069n + 907133923n);
    if (hash === U64(-1n)) hash = 590923713n;
    soHash.lo.set(so, Number(hash & 0xffffffffn));
    soHash.hi.set(so, Number(hash >> 32n));
    return BigInt.asIntN(64, hash);
  }

  /** Every broken invariant of the set, as sentences (empty when consistent). For tests. */
  violations(so: number): string[] {
    const out: string[] = [];
    if (!this.check(so)) return [`${so} is not a set or frozenset`];
    const fill = soFill.get(so);
    const used = soUsed.get(so);
    const mask = soMask.get(so);
    const table = soTable.get(so);
    if ((mask + 1) & mask || mask < PySet_MINSIZE - 1) out.push(`mask ${mask} is not a power of 2 minus 1, at least 7`);
    if (!(used <= fill && fill <= mask)) out.push(`not used ${used} <= fill ${fill} <= mask ${mask}`);
    if (fill * 5 >= mask * 3) out.push(`fill ${fill} reaches 3/5 of mask ${mask}`);
    if ((table === so + SO_SMALLTABLE) !== (mask === PySet_MINSIZE - 1)) out.push(`table ${table} with mask ${mask}`);
    if (table !== so + SO_SMALLTABLE && this.rt.heap.usableSize(table) < (mask + 1) * SIZEOF_SETENTRY) out.push('table block too small');
    if (!this.rt.gc.isTracked(so)) out.push('a set must be tracked');
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    let active = 0;
    let dummies = 0;
    for (let i = 0; i <= mask; i++) {
      const e = t0 + i * SIZEOF_SETENTRY;
      const key = entryKey.get(tb + e);
      const hash = entryHash.get(tb + e);
      if (key === 0) {
        if (hash !== 0) out.push(`entry ${i}: no key but hash ${hash}`);
      } else if (key === this.dummy) {
        dummies++;
        if (hash !== -1) out.push(`entry ${i}: dummy with hash ${hash}`);
      } else {
        active++;
        if (this.interp.hash(key) !== hash) out.push(`entry ${i}: stored hash is not the key's hash`);
        if (this.setLookkey(so, key, hash) !== i) out.push(`entry ${i} is not where a lookup finds its key`);
      }
    }
    if (active !== used) out.push(`used ${used} but ${active} active entries`);
    if (active + dummies !== fill) out.push(`fill ${fill} but ${active + dummies} active and dummy entries`);
    return out;
  }

  // --- internals ---------------------------------------------------------------------------------

  /**
   * The base pointer for typed access to so's table: so itself while the
   * table is its smalltable (entries from offset SO_SMALLTABLE), else the
   * table's block (entries from 0). tableStart gives that offset.
   */
  private tableBase(so: number): number {
    const table = soTable.get(so);
    return table === so + SO_SMALLTABLE ? so : table;
  }

  /** Offset of entry 0 from tableBase(so). */
  private tableStart(so: number, base: number): number {
    return base === so ? SO_SMALLTABLE : 0;
  }

  private cachedHash(so: number): bigint {
    const lo = soHash.lo.get(so);
    const hi = soHash.hi.get(so);
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  }

  /** make_new_set's empty set on a new set object (of set, frozenset or a class deriving from one): zeroed, the smalltable its table. */
  initEmpty(so: number): void {
    fillBytes(so + soFill.offset, SIZEOF_PYSETOBJECT - soFill.offset, 0);
    soMask.set(so, PySet_MINSIZE - 1);
    soTable.set(so, so + SO_SMALLTABLE);
    soHashValue.set(so, -1);
  }

  /** set_update_internal(so, iterable) for a set or frozenset being made (a class's instance): the items added. */
  fill(so: number, iterable: SetIterable): void {
    this.checkSet(so, 'set_update_internal');
    this.checkIterable(iterable, `${this.rt.typeOf(so).name}()`);
    this.setUpdateInternal(so, iterable);
  }

  /** make_new_set: tp_alloc (zeroed, tracked), an empty smalltable, then set_update_internal. */
  private makeNewSet(type: PyTypeObject, iterable: SetIterable | undefined): number {
    if (iterable !== undefined) this.checkIterable(iterable, `${type.name}()`);
    const so = this.rt.gcNew(type);
    this.initEmpty(so);
    this.rt.gcTrack(so);
    if (iterable !== undefined) {
      try {
        this.setUpdateInternal(so, iterable);
      } catch (e) {
        this.rt.decref(so);
        throw e;
      }
    }
    return so;
  }

  /** Refuses what cannot be iterated, and unhashable keys of an array, before anything changes. */
  private checkIterable(iterable: SetIterable, fn: string): void {
    if (typeof iterable === 'number') {
      if (iterable === 0 || !Number.isInteger(iterable) || !(this.check(iterable) || this.rt.typeOf(iterable) === this.interp.dict.type)) {
        throw new InvalidArgumentError(`${fn}: expected a set, a frozenset, a dict or an array of keys, got ${this.describeObject(iterable)}`);
      }
      return;
    }
    if (!Array.isArray(iterable)) throw new InvalidArgumentError(`${fn}: expected a set, a frozenset, a dict or an array of keys`);
    for (const k of iterable) {
      this.checkKey(k, fn);
      this.interp.hash(k);
    }
  }

  /**
   * set_update_internal: another set is merged (set_merge); a dict's keys
   * go in with their stored hashes after one resize for all of them; an
   * array is an iterator whose keys are added one by one (set_add_key).
   */
  private setUpdateInternal(so: number, other: SetIterable): void {
    this.checkIterable(other, 'set update');
    if (typeof other !== 'number') {
      for (const k of other) this.setAddEntry(so, k, this.interp.hash(k));
      return;
    }
    if (this.check(other)) {
      this.setMerge(so, other);
      return;
    }
    const dict = this.interp.dict;
    const dictsize = dict.size(other);
    if ((soFill.get(so) + dictsize) * 5 >= soMask.get(so) * 3) {
      this.setTableResize(so, (soUsed.get(so) + dictsize) * 2);
    }
    for (let pos = dict.next(other, 0); pos !== 0; pos = dict.next(other, pos)) this.setAddEntry(so, dict.iterKey, dict.iterHash);
  }

  /**
   * set_add_entry: probes runs of LINEAR_PROBES entries, remembering the
   * last dummy passed; an equal key ends it unchanged; else the key (increfed)
   * takes that dummy, or the unused entry (fill grows, and the table
   * resizes when fill*5 reaches mask*3).
   */
  private setAddEntry(so: number, key: number, hash: number): void {
    const mask = soMask.get(so);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    let pLo = hash >>> 0;
    let pHi = hashHigh(hash);
    let i = pLo & mask;
    let freeslot = -1;
    for (;;) {
      let probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
      let j = i;
      do {
        const e = t0 + j * SIZEOF_SETENTRY;
        const ehash = entryHash.get(tb + e);
        const startkey = entryKey.get(tb + e);
        if (ehash === 0 && startkey === 0) {
          this.rt.incref(key);
          soUsed.set(so, soUsed.get(so) + 1);
          if (freeslot !== -1) {
            // found_unused_or_dummy: reuse the last dummy on the probe.
            entryKey.set(tb + t0 + freeslot * SIZEOF_SETENTRY, key);
            entryHash.set(tb + t0 + freeslot * SIZEOF_SETENTRY, hash);
            return;
          }
          // found_unused.
          const fill = soFill.get(so) + 1;
          soFill.set(so, fill);
          entryKey.set(tb + e, key);
          entryHash.set(tb + e, hash);
          if (fill * 5 < mask * 3) return;
          const used = soUsed.get(so);
          this.setTableResize(so, used > 50000 ? used * 2 : used * 4);
          return;
        }
        if (ehash === hash) {
          if (startkey === key || this.interp.eq(startkey, key)) return;
        } else if (ehash === -1) {
          freeslot = j;
        }
        j++;
      } while (probes-- > 0);
      pLo = ((pLo >>> PERTURB_SHIFT) | (pHi << (32 - PERTURB_SHIFT))) >>> 0;
      pHi >>>= PERTURB_SHIFT;
      i = (i * 5 + 1 + pLo) & mask;
    }
  }

  /** set_lookkey: the index of the entry holding key, or of the unused entry that ends its probe. */
  private setLookkey(so: number, key: number, hash: number): number {
    const mask = soMask.get(so);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    let pLo = hash >>> 0;
    let pHi = hashHigh(hash);
    let i = pLo & mask;
    for (;;) {
      let probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
      let j = i;
      do {
        const e = t0 + j * SIZEOF_SETENTRY;
        const ehash = entryHash.get(tb + e);
        const startkey = entryKey.get(tb + e);
        if (ehash === 0 && startkey === 0) return j;
        if (ehash === hash && (startkey === key || this.interp.eq(startkey, key))) return j;
        j++;
      } while (probes-- > 0);
      pLo = ((pLo >>> PERTURB_SHIFT) | (pHi << (32 - PERTURB_SHIFT))) >>> 0;
      pHi >>>= PERTURB_SHIFT;
      i = (i * 5 + 1 + pLo) & mask;
    }
  }

  /** set_discard_entry: an active entry for key becomes a dummy; the set's reference to the key is dropped. */
  private setDiscardEntry(so: number, key: number, hash: number): boolean {
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    const e = t0 + this.setLookkey(so, key, hash) * SIZEOF_SETENTRY;
    const oldKey = entryKey.get(tb + e);
    if (oldKey === 0) return false;
    entryKey.set(tb + e, this.dummy);
    entryHash.set(tb + e, -1);
    soUsed.set(so, soUsed.get(so) - 1);
    this.rt.decref(oldKey);
    return true;
  }

  /** set_insert_clean: key into a table without dummies or an equal key (the first unused entry of its probe). */
  private setInsertClean(tb: number, t0: number, mask: number, key: number, hash: number): void {
    let pLo = hash >>> 0;
    let pHi = hashHigh(hash);
    let i = pLo & mask;
    for (;;) {
      if (entryKey.get(tb + t0 + i * SIZEOF_SETENTRY) === 0) break;
      if (i + LINEAR_PROBES <= mask) {
        let j = 1;
        for (; j <= LINEAR_PROBES; j++) if (entryKey.get(tb + t0 + (i + j) * SIZEOF_SETENTRY) === 0) break;
        if (j <= LINEAR_PROBES) {
          i += j;
          break;
        }
      }
      pLo = ((pLo >>> PERTURB_SHIFT) | (pHi << (32 - PERTURB_SHIFT))) >>> 0;
      pHi >>>= PERTURB_SHIFT;
      i = (i * 5 + 1 + pLo) & mask;
    }
    entryKey.set(tb + t0 + i * SIZEOF_SETENTRY, key);
    entryHash.set(tb + t0 + i * SIZEOF_SETENTRY, hash);
  }

  /**
   * set_table_resize: a table of the smallest power of 2 above minused
   * (at least 8): the smalltable, or a new PyMem_Malloc block; the active
   * entries move over (dummies dropped), then an old malloc'd table is freed.
   */
  private setTableResize(so: number, minused: number): void {
    let newsize = PySet_MINSIZE;
    while (newsize <= minused) newsize *= 2;
    const oldMask = soMask.get(so);
    const oldTable = soTable.get(so);
    const oldIsMalloced = oldTable !== so + SO_SMALLTABLE;
    const fill = soFill.get(so);
    const used = soUsed.get(so);
    let newTable: number;
    let fromSmallCopy = false;
    if (newsize === PySet_MINSIZE) {
      newTable = so + SO_SMALLTABLE;
      if (!oldIsMalloced) {
        // No dummies: nothing to do. Else rebuild the smalltable in place from a copy.
        if (fill === used) return;
        this.copySmalltable(so);
        fromSmallCopy = true;
      }
    } else {
      newTable = this.rt.memMalloc(newsize * SIZEOF_SETENTRY);
    }
    const nb = newTable === so + SO_SMALLTABLE ? so : newTable;
    const n0 = this.tableStart(so, nb);
    fillBytes(nb + n0, newsize * SIZEOF_SETENTRY, 0);
    soMask.set(so, newsize - 1);
    soTable.set(so, newTable);
    const newMask = newsize - 1;
    if (fill !== used) soFill.set(so, used);
    if (fromSmallCopy) {
      for (let i = 0; i < PySet_MINSIZE; i++) {
        const key = this.smallCopyKeys[i]!;
        if (key !== 0 && key !== this.dummy) this.setInsertClean(nb, n0, newMask, key, this.smallCopyHashes[i]!);
      }
      return;
    }
    const ob = oldIsMalloced ? oldTable : so;
    const o0 = this.tableStart(so, ob);
    for (let i = 0; i <= oldMask; i++) {
      const key = entryKey.get(ob + o0 + i * SIZEOF_SETENTRY);
      if (key !== 0 && key !== this.dummy) this.setInsertClean(nb, n0, newMask, key, entryHash.get(ob + o0 + i * SIZEOF_SETENTRY));
    }
    if (oldIsMalloced) this.rt.memFree(oldTable);
  }

  /** small_copy: the smalltable's entries saved before it is rebuilt in place. */
  private copySmalltable(so: number): void {
    for (let i = 0; i < PySet_MINSIZE; i++) {
      this.smallCopyKeys[i] = entryKey.get(so + SO_SMALLTABLE + i * SIZEOF_SETENTRY);
      this.smallCopyHashes[i] = entryHash.get(so + SO_SMALLTABLE + i * SIZEOF_SETENTRY);
    }
  }

  /**
   * set_merge: one resize up front if the other set's items could bring
   * fill*5 to mask*3; an empty target of the same size without dummies on
   * either side copies the entries slot for slot, an empty one inserts them
   * clean, anything else adds them one by one.
   */
  private setMerge(so: number, other: number): void {
    const otherUsed = soUsed.get(other);
    if (other === so || otherUsed === 0) return;
    if ((soFill.get(so) + otherUsed) * 5 >= soMask.get(so) * 3) {
      this.setTableResize(so, (soUsed.get(so) + otherUsed) * 2);
    }
    const mask = soMask.get(so);
    const otherMask = soMask.get(other);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    const ob = this.tableBase(other);
    const o0 = this.tableStart(other, ob);
    if (soFill.get(so) === 0 && mask === otherMask && soFill.get(other) === otherUsed) {
      for (let i = 0; i <= otherMask; i++) {
        const key = entryKey.get(ob + o0 + i * SIZEOF_SETENTRY);
        if (key !== 0) {
          this.rt.incref(key);
          entryKey.set(tb + t0 + i * SIZEOF_SETENTRY, key);
          entryHash.set(tb + t0 + i * SIZEOF_SETENTRY, entryHash.get(ob + o0 + i * SIZEOF_SETENTRY));
        }
      }
      soFill.set(so, soFill.get(other));
      soUsed.set(so, otherUsed);
      return;
    }
    if (soFill.get(so) === 0) {
      soFill.set(so, otherUsed);
      soUsed.set(so, otherUsed);
      for (let i = 0; i <= otherMask; i++) {
        const key = entryKey.get(ob + o0 + i * SIZEOF_SETENTRY);
        if (key !== 0 && key !== this.dummy) {
          this.rt.incref(key);
          this.setInsertClean(tb, t0, mask, key, entryHash.get(ob + o0 + i * SIZEOF_SETENTRY));
        }
      }
      return;
    }
    for (let i = 0; i <= otherMask; i++) {
      const key = entryKey.get(ob + o0 + i * SIZEOF_SETENTRY);
      if (key !== 0 && key !== this.dummy) this.setAddEntry(so, key, entryHash.get(ob + o0 + i * SIZEOF_SETENTRY));
    }
  }

  /**
   * set_clear_internal (also tp_clear): the set is made empty on its
   * smalltable first (set_empty_to_minsize), then the old entries' keys are
   * dropped and a malloc'd table freed.
   */
  private setClearInternal(so: number): void {
    const table = soTable.get(so);
    const fill = soFill.get(so);
    let used = soUsed.get(so);
    const malloced = table !== so + SO_SMALLTABLE;
    if (!malloced && fill === 0) return;
    // small_copy: the keys of a smalltable, saved before it is emptied.
    const smallCopy: number[] = [];
    if (!malloced) for (let i = 0; i < PySet_MINSIZE; i++) smallCopy.push(entryKey.get(so + SO_SMALLTABLE + i * SIZEOF_SETENTRY));
    // set_empty_to_minsize.
    fillBytes(so + SO_SMALLTABLE, PySet_MINSIZE * SIZEOF_SETENTRY, 0);
    soFill.set(so, 0);
    soUsed.set(so, 0);
    soMask.set(so, PySet_MINSIZE - 1);
    soTable.set(so, so + SO_SMALLTABLE);
    soHashValue.set(so, -1);
    if (malloced) {
      for (let i = 0; used > 0; i++) {
        const key = entryKey.get(table + i * SIZEOF_SETENTRY);
        if (key !== 0 && key !== this.dummy) {
          used--;
          this.rt.decref(key);
        }
      }
      this.rt.memFree(table);
      return;
    }
    for (let i = 0; used > 0; i++) {
      const key = smallCopy[i]!;
      if (key !== 0 && key !== this.dummy) {
        used--;
        this.rt.decref(key);
      }
    }
  }

  /** set_richcompare(Py_EQ): same size, equal cached hashes if both known, and every key of a in b. */
  private setEq(a: number, b: number): boolean {
    if (soUsed.get(a) !== soUsed.get(b)) return false;
    const ha = this.cachedHash(a);
    const hb = this.cachedHash(b);
    if (ha !== -1n && hb !== -1n && ha !== hb) return false;
    for (let pos = this.nextEntry(a, 0); pos !== 0; pos = this.nextEntry(a, pos)) {
      const key = this.iterKey;
      const tb = this.tableBase(b);
      const t0 = this.tableStart(b, tb);
      if (entryKey.get(tb + t0 + this.setLookkey(b, key, this.iterHash) * SIZEOF_SETENTRY) === 0) return false;
    }
    return true;
  }

  /** set_dealloc: untrack, clear weak references, drop the keys, free a malloc'd table, PyObject_GC_Del (inside the trashcan). */
  private setDealloc(so: number): void {
    this.rt.gcUntrack(so);
    if (this.rt.trashcanBegin(so)) return;
    if (soWeakreflist.get(so) !== 0) this.interp.weakref.clearWeakrefs(so);
    let used = soUsed.get(so);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    for (let i = 0; used > 0; i++) {
      const key = entryKey.get(tb + t0 + i * SIZEOF_SETENTRY);
      if (key !== 0 && key !== this.dummy) {
        used--;
        this.rt.decref(key);
      }
    }
    if (tb !== so) this.rt.memFree(tb);
    this.rt.gcDel(so);
    this.rt.trashcanEnd();
  }

  /** set_traverse: each active key. */
  private setTraverse(so: number, visit: Visit): number {
    for (let pos = this.nextEntry(so, 0); pos !== 0; pos = this.nextEntry(so, pos)) {
      const r = visit(this.iterKey);
      if (r !== 0) return r;
    }
    return 0;
  }
}
