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
 * A stored hash is the key's exact 64-bit Py_hash_t, and every probe starts
 * from its exact words (hash & mask, then the perturbed jumps over all 64
 * bits), so a set iterates in CPython's order whatever the hash's size.
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
import { UNICODE_HASH } from './unicode.js';

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
const entryHashWords = setentry.words('hash');
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

// A key's exact Py_hash_t as (size_t) words, set by SetModule.hashWords.
let kLo = 0;
let kHi = 0;

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
  private readonly smallCopyLo = new Array<number>(PySet_MINSIZE).fill(0);
  private readonly smallCopyHi = new Array<number>(PySet_MINSIZE).fill(0);

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
    const t = this.rt.typeOf(op);
    return t === this.type || t === this.frozensetType;
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
    if (this.rt.typeOf(so) !== this.type && this.rt.refcnt(so) !== 1) {
      throw new InvalidArgumentError('PySet_Add: a frozenset can only be filled while it is being built (refcount 1)');
    }
    this.checkKey(key, 'PySet_Add');
    this.hashWords(key, this.interp.hash(key));
    this.setAddEntry(so, key, kLo, kHi);
  }

  /** PySet_Contains. Throws UnhashableError. */
  contains(so: number, key: number): boolean {
    this.checkSet(so, 'PySet_Contains');
    this.checkKey(key, 'PySet_Contains');
    this.hashWords(key, this.interp.hash(key));
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    return entryKey.get(tb + t0 + this.setLookkey(so, key, kLo, kHi) * SIZEOF_SETENTRY) !== 0;
  }

  /** PySet_Discard (set_discard_key): removes key if present; whether it was. */
  discard(so: number, key: number): boolean {
    this.checkSet(so, 'PySet_Discard');
    if (this.rt.typeOf(so) !== this.type) throw new InvalidArgumentError('PySet_Discard: a frozenset cannot change');
    this.checkKey(key, 'PySet_Discard');
    this.hashWords(key, this.interp.hash(key));
    return this.setDiscardEntry(so, key, kLo, kHi);
  }

  /** set.remove(key): discard, or KeyError when absent. */
  remove(so: number, key: number): void {
    if (!this.discard(so, key)) throw new KeyError(`KeyError: ${this.describeObject(key)}`);
  }

  /** set.pop() (set_pop): removes and returns an arbitrary key, searching from the finger. New reference; KeyError when empty. */
  pop(so: number): number {
    this.checkSet(so, 'set.pop');
    if (this.rt.typeOf(so) !== this.type) throw new InvalidArgumentError('set.pop: a frozenset cannot change');
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
    if (this.rt.typeOf(so) !== this.type) throw new InvalidArgumentError('_PySet_Update: a frozenset cannot change');
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
        this.hashWords(key, this.interp.hash(key));
        if (kLo !== entryHashWords.lo.get(tb + e) || kHi !== entryHashWords.hi.get(tb + e)) out.push(`entry ${i}: stored hash is not the key's hash`);
        else if (this.setLookkey(so, key, kLo, kHi) !== i) out.push(`entry ${i} is not where a lookup finds its key`);
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

  /** make_new_set: tp_alloc (zeroed, tracked), an empty smalltable, then set_update_internal. */
  private makeNewSet(type: PyTypeObject, iterable: SetIterable | undefined): number {
    if (iterable !== undefined) this.checkIterable(iterable, `${type.name}()`);
    const so = this.rt.gcNew(type);
    fillBytes(so + soFill.offset, SIZEOF_PYSETOBJECT - soFill.offset, 0);
    this.rt.gcTrack(so);
    soMask.set(so, PySet_MINSIZE - 1);
    soTable.set(so, so + SO_SMALLTABLE);
    soHashValue.set(so, -1);
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
      for (const k of other) {
        this.hashWords(k, this.interp.hash(k));
        this.setAddEntry(so, k, kLo, kHi);
      }
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
    for (let pos = dict.next(other, 0); pos !== 0; pos = dict.next(other, pos)) {
      this.hashWords(dict.iterKey, dict.iterHash);
      this.setAddEntry(so, dict.iterKey, kLo, kHi);
    }
  }

  /**
   * set_add_entry: probes runs of LINEAR_PROBES entries, remembering the
   * last dummy passed; an equal key ends it unchanged; else the key (increfed)
   * takes that dummy, or the unused entry (fill grows, and the table
   * resizes when fill*5 reaches mask*3).
   */
  private setAddEntry(so: number, key: number, lo: number, hi: number): void {
    const mask = soMask.get(so);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    let pLo = lo;
    let pHi = hi;
    let i = pLo & mask;
    let freeslot = -1;
    for (;;) {
      let probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
      let j = i;
      do {
        const e = tb + t0 + j * SIZEOF_SETENTRY;
        const eLo = entryHashWords.lo.get(e);
        const eHi = entryHashWords.hi.get(e);
        const startkey = entryKey.get(e);
        if (startkey === 0 && eLo === 0 && eHi === 0) {
          this.rt.incref(key);
          soUsed.set(so, soUsed.get(so) + 1);
          if (freeslot !== -1) {
            // found_unused_or_dummy: reuse the last dummy on the probe.
            this.storeEntry(tb + t0 + freeslot * SIZEOF_SETENTRY, key, lo, hi);
            return;
          }
          // found_unused.
          const fill = soFill.get(so) + 1;
          soFill.set(so, fill);
          this.storeEntry(e, key, lo, hi);
          if (fill * 5 < mask * 3) return;
          const used = soUsed.get(so);
          this.setTableResize(so, used > 50000 ? used * 2 : used * 4);
          return;
        }
        if (eLo === lo && eHi === hi) {
          if (startkey === key || this.interp.eq(startkey, key)) return;
        } else if (eLo === 0xffffffff && eHi === 0xffffffff) {
          freeslot = j;
        }
        j++;
      } while (probes-- > 0);
      pLo = ((pLo >>> PERTURB_SHIFT) | (pHi << (32 - PERTURB_SHIFT))) >>> 0;
      pHi >>>= PERTURB_SHIFT;
      i = (i * 5 + 1 + pLo) & mask;
    }
  }

  /**
   * PyObject_Hash(key) exactly, as (size_t) words in kLo and kHi, given the
   * key's hash as a number: that number when it is exact (below 2**53 in
   * magnitude), else a str's hash field, else the type's exact hash64.
   */
  private hashWords(key: number, hash: number): void {
    if (hash <= Number.MAX_SAFE_INTEGER && hash >= -Number.MAX_SAFE_INTEGER) {
      kLo = hash >>> 0;
      kHi = hashHigh(hash);
    } else if (this.rt.typeOf(key) === this.interp.str.type) {
      kLo = UNICODE_HASH.lo.get(key);
      kHi = UNICODE_HASH.hi.get(key);
    } else {
      const h = BigInt.asUintN(64, this.interp.hash64(key));
      kLo = Number(h & 0xffffffffn);
      kHi = Number(h >> 32n);
    }
  }

  /** An entry's key and exact hash words. */
  private storeEntry(e: number, key: number, lo: number, hi: number): void {
    entryKey.set(e, key);
    entryHashWords.lo.set(e, lo);
    entryHashWords.hi.set(e, hi);
  }

  /** set_lookkey: the index of the entry holding key, or of the unused entry that ends its probe. */
  private setLookkey(so: number, key: number, lo: number, hi: number): number {
    const mask = soMask.get(so);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    let pLo = lo;
    let pHi = hi;
    let i = pLo & mask;
    for (;;) {
      let probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
      let j = i;
      do {
        const e = tb + t0 + j * SIZEOF_SETENTRY;
        const eLo = entryHashWords.lo.get(e);
        const eHi = entryHashWords.hi.get(e);
        const startkey = entryKey.get(e);
        if (startkey === 0 && eLo === 0 && eHi === 0) return j;
        if (eLo === lo && eHi === hi && (startkey === key || this.interp.eq(startkey, key))) return j;
        j++;
      } while (probes-- > 0);
      pLo = ((pLo >>> PERTURB_SHIFT) | (pHi << (32 - PERTURB_SHIFT))) >>> 0;
      pHi >>>= PERTURB_SHIFT;
      i = (i * 5 + 1 + pLo) & mask;
    }
  }

  /** set_discard_entry: an active entry for key becomes a dummy; the set's reference to the key is dropped. */
  private setDiscardEntry(so: number, key: number, lo: number, hi: number): boolean {
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    const e = t0 + this.setLookkey(so, key, lo, hi) * SIZEOF_SETENTRY;
    const oldKey = entryKey.get(tb + e);
    if (oldKey === 0) return false;
    entryKey.set(tb + e, this.dummy);
    entryHash.set(tb + e, -1);
    soUsed.set(so, soUsed.get(so) - 1);
    this.rt.decref(oldKey);
    return true;
  }

  /** set_insert_clean: key into a table without dummies or an equal key (the first unused entry of its probe). */
  private setInsertClean(tb: number, t0: number, mask: number, key: number, lo: number, hi: number): void {
    let pLo = lo;
    let pHi = hi;
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
    this.storeEntry(tb + t0 + i * SIZEOF_SETENTRY, key, lo, hi);
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
        if (key !== 0 && key !== this.dummy) this.setInsertClean(nb, n0, newMask, key, this.smallCopyLo[i]!, this.smallCopyHi[i]!);
      }
      return;
    }
    const ob = oldIsMalloced ? oldTable : so;
    const o0 = this.tableStart(so, ob);
    for (let i = 0; i <= oldMask; i++) {
      const key = entryKey.get(ob + o0 + i * SIZEOF_SETENTRY);
      const e = ob + o0 + i * SIZEOF_SETENTRY;
      if (key !== 0 && key !== this.dummy) this.setInsertClean(nb, n0, newMask, key, entryHashWords.lo.get(e), entryHashWords.hi.get(e));
    }
    if (oldIsMalloced) this.rt.memFree(oldTable);
  }

  /** small_copy: the smalltable's entries saved before it is rebuilt in place. */
  private copySmalltable(so: number): void {
    for (let i = 0; i < PySet_MINSIZE; i++) {
      this.smallCopyKeys[i] = entryKey.get(so + SO_SMALLTABLE + i * SIZEOF_SETENTRY);
      this.smallCopyLo[i] = entryHashWords.lo.get(so + SO_SMALLTABLE + i * SIZEOF_SETENTRY);
      this.smallCopyHi[i] = entryHashWords.hi.get(so + SO_SMALLTABLE + i * SIZEOF_SETENTRY);
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
          const e = ob + o0 + i * SIZEOF_SETENTRY;
          this.storeEntry(tb + t0 + i * SIZEOF_SETENTRY, key, entryHashWords.lo.get(e), entryHashWords.hi.get(e));
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
          const e = ob + o0 + i * SIZEOF_SETENTRY;
          this.setInsertClean(tb, t0, mask, key, entryHashWords.lo.get(e), entryHashWords.hi.get(e));
        }
      }
      return;
    }
    for (let i = 0; i <= otherMask; i++) {
      const key = entryKey.get(ob + o0 + i * SIZEOF_SETENTRY);
      const e = ob + o0 + i * SIZEOF_SETENTRY;
      if (key !== 0 && key !== this.dummy) this.setAddEntry(so, key, entryHashWords.lo.get(e), entryHashWords.hi.get(e));
    }
  }

  // --- set algebra (set_union, set_intersection, set_difference, set_symmetric_difference, ...) --------

  /** set.copy / frozenset.copy (frozenset_copy: an exact frozenset is itself). New reference. */
  copy(so: number): number {
    this.checkSet(so, 'set.copy');
    if (this.rt.typeOf(so) === this.frozensetType) {
      this.rt.incref(so);
      return so;
    }
    return this.setCopy(so);
  }

  /** set_union: a copy of so updated with each other in turn (so itself skipped). New reference. */
  union(so: number, others: readonly SetIterable[]): number {
    this.checkOperands(so, others, 'set.union');
    const result = this.setCopy(so);
    return this.filling(result, () => {
      for (const other of others) if (other !== so) this.setUpdateInternal(result, other);
    });
  }

  /** set_intersection_multi: so intersected with each other in turn (a copy of so for none). New reference. */
  intersection(so: number, others: readonly SetIterable[]): number {
    this.checkOperands(so, others, 'set.intersection');
    if (others.length === 0) return this.setCopy(so);
    this.rt.incref(so);
    let result = so;
    try {
      for (const other of others) {
        const next = this.setIntersection(result, other);
        this.rt.decref(result);
        result = next;
      }
    } catch (e) {
      this.rt.decref(result);
      throw e;
    }
    return result;
  }

  /** set_intersection_update_multi: so's body swapped with that of its intersection with the others. */
  intersectionUpdate(so: number, others: readonly SetIterable[]): void {
    this.checkMutable(so, others, 'set.intersection_update');
    const tmp = this.intersection(so, others);
    this.setSwapBodies(so, tmp);
    this.rt.decref(tmp);
  }

  /** set_difference_multi: so's keys in none of the others (a copy of so for none). New reference. */
  difference(so: number, others: readonly SetIterable[]): number {
    this.checkOperands(so, others, 'set.difference');
    if (others.length === 0) return this.setCopy(so);
    const result = this.setDifference(so, others[0]!);
    return this.filling(result, () => {
      for (let i = 1; i < others.length; i++) this.setDifferenceUpdateInternal(result, others[i]!);
    });
  }

  /** set_difference_update: each other's keys discarded from so. */
  differenceUpdate(so: number, others: readonly SetIterable[]): void {
    this.checkMutable(so, others, 'set.difference_update');
    for (const other of others) this.setDifferenceUpdateInternal(so, other);
  }

  /** set_symmetric_difference: a new set of other's keys, then updated symmetrically with so. New reference. */
  symmetricDifference(so: number, other: SetIterable): number {
    this.checkOperands(so, [other], 'set.symmetric_difference');
    const result = this.makeNewSet(this.baseType(so), other);
    return this.filling(result, () => this.setSymmetricDifferenceUpdate(result, so));
  }

  /** set_symmetric_difference_update. */
  symmetricDifferenceUpdate(so: number, other: SetIterable): void {
    this.checkMutable(so, [other], 'set.symmetric_difference_update');
    this.setSymmetricDifferenceUpdate(so, other);
  }

  /** set_issubset: every key of so is in other (made a set first unless it is one). */
  isSubset(so: number, other: SetIterable): boolean {
    this.checkOperands(so, [other], 'set.issubset');
    if (typeof other === 'number' && this.check(other)) return this.setIssubset(so, other);
    const tmp = this.makeNewSet(this.type, other);
    try {
      return this.setIssubset(so, tmp);
    } finally {
      this.rt.decref(tmp);
    }
  }

  /** set_issuperset: every key of other is in so. */
  isSuperset(so: number, other: SetIterable): boolean {
    this.checkOperands(so, [other], 'set.issuperset');
    if (typeof other === 'number' && this.check(other)) return this.setIssubset(other, so);
    let all = true;
    this.eachKey(other, (key, lo, hi) => {
      if (all && !this.containsEntry(so, key, lo, hi)) all = false;
    });
    return all;
  }

  /** set_isdisjoint: no key of the smaller (or of other, not a set) is in the other. */
  isDisjoint(so: number, other: SetIterable): boolean {
    this.checkOperands(so, [other], 'set.isdisjoint');
    if (other === so) return soUsed.get(so) === 0;
    let a = so;
    let b = other;
    if (typeof other === 'number' && this.check(other) && soUsed.get(other) > soUsed.get(so)) {
      a = other;
      b = so;
    }
    let none = true;
    this.eachKey(b, (key, lo, hi) => {
      if (none && this.containsEntry(a, key, lo, hi)) none = false;
    });
    return none;
  }

  private checkOperands(so: number, others: readonly SetIterable[], fn: string): void {
    this.checkSet(so, fn);
    for (const other of others) this.checkIterable(other, fn);
  }

  private checkMutable(so: number, others: readonly SetIterable[], fn: string): void {
    this.checkOperands(so, others, fn);
    if (this.rt.typeOf(so) !== this.type) throw new InvalidArgumentError(`${fn}: a frozenset cannot change`);
  }

  /** The type make_new_set_basetype gives a result of so: frozenset for a frozenset, else set. */
  private baseType(so: number): PyTypeObject {
    return this.rt.typeOf(so) === this.frozensetType ? this.frozensetType : this.type;
  }

  /** set_copy: a new set of so's base type, filled by set_merge. New reference. */
  private setCopy(so: number): number {
    return this.makeNewSet(this.baseType(so), so);
  }

  /** Runs fill on a new result; the result is released if it throws. */
  private filling(result: number, fill: () => void): number {
    try {
      fill();
    } catch (e) {
      this.rt.decref(result);
      throw e;
    }
    return result;
  }

  /** Each key of a set (table order, stored hash), a dict (its order, stored hash) or an array (hashed). */
  private eachKey(other: SetIterable, f: (key: number, lo: number, hi: number) => void): void {
    if (typeof other !== 'number') {
      for (const k of other) {
        this.hashWords(k, this.interp.hash(k));
        f(k, kLo, kHi);
      }
    } else if (this.check(other)) {
      const table = soTable.get(other);
      const mask = soMask.get(other);
      for (let i = 0; i <= mask; i++) {
        const e = table + i * SIZEOF_SETENTRY;
        const key = entryKey.get(e);
        if (key !== 0 && key !== this.dummy) f(key, entryHashWords.lo.get(e), entryHashWords.hi.get(e));
      }
    } else {
      const dict = this.interp.dict;
      for (let pos = dict.next(other, 0); pos !== 0; pos = dict.next(other, pos)) {
        this.hashWords(dict.iterKey, dict.iterHash);
        f(dict.iterKey, kLo, kHi);
      }
    }
  }

  /** set_contains_entry. */
  private containsEntry(so: number, key: number, lo: number, hi: number): boolean {
    return entryKey.get(soTable.get(so) + this.setLookkey(so, key, lo, hi) * SIZEOF_SETENTRY) !== 0;
  }

  /**
   * set_intersection: a set's keys are taken from the smaller of the two and
   * looked up in the larger; any other iterable's keys are looked up in so.
   */
  private setIntersection(so: number, other: SetIterable): number {
    if (other === so) return this.setCopy(so);
    const result = this.makeNewSet(this.baseType(so), undefined);
    let a = so;
    let b = other;
    if (typeof other === 'number' && this.check(other) && soUsed.get(other) > soUsed.get(so)) {
      a = other;
      b = so;
    }
    return this.filling(result, () =>
      this.eachKey(b, (key, lo, hi) => {
        if (this.containsEntry(a, key, lo, hi)) this.setAddEntry(result, key, lo, hi);
      }),
    );
  }

  /**
   * set_difference: so's keys not in other, taken from so in table order
   * (set_copy_and_difference when other is not a set or dict, or when so is
   * more than four times larger).
   */
  private setDifference(so: number, other: SetIterable): number {
    const isSet = typeof other === 'number' && this.check(other);
    const isDict = typeof other === 'number' && !isSet;
    if (!isSet && !isDict) return this.setCopyAndDifference(so, other);
    const otherSize = isSet ? soUsed.get(other) : this.interp.dict.size(other as number);
    if (soUsed.get(so) >> 2 > otherSize) return this.setCopyAndDifference(so, other);
    const result = this.makeNewSet(this.baseType(so), undefined);
    return this.filling(result, () =>
      this.eachKey(so, (key, lo, hi) => {
        const found = isSet ? this.containsEntry(other as number, key, lo, hi) : this.interp.dict.contains(other as number, key);
        if (!found) this.setAddEntry(result, key, lo, hi);
      }),
    );
  }

  /** set_copy_and_difference. */
  private setCopyAndDifference(so: number, other: SetIterable): number {
    const result = this.setCopy(so);
    return this.filling(result, () => this.setDifferenceUpdateInternal(result, other));
  }

  /**
   * set_difference_update_internal: other's keys discarded from so; then,
   * when more than a quarter of the table is dummies, a resize drops them.
   */
  private setDifferenceUpdateInternal(so: number, other: SetIterable): void {
    if (other === so) {
      this.setClearInternal(so);
      return;
    }
    this.eachKey(other, (key, lo, hi) => {
      this.setDiscardEntry(so, key, lo, hi);
    });
    const used = soUsed.get(so);
    if (soFill.get(so) - used <= Math.floor(soMask.get(so) / 4)) return;
    this.setTableResize(so, used > 50000 ? used * 2 : used * 4);
  }

  /**
   * set_symmetric_difference_update: each key of other (a dict's or set's as
   * they are, another iterable's made a set first) is discarded from so, or
   * added when it was not there.
   */
  private setSymmetricDifferenceUpdate(so: number, other: SetIterable): void {
    if (other === so) {
      this.setClearInternal(so);
      return;
    }
    const temp = typeof other === 'number' ? 0 : this.makeNewSet(this.baseType(so), other);
    try {
      this.eachKey(temp === 0 ? other : temp, (key, lo, hi) => {
        this.rt.incref(key);
        if (!this.setDiscardEntry(so, key, lo, hi)) this.setAddEntry(so, key, lo, hi);
        this.rt.decref(key);
      });
    } finally {
      if (temp !== 0) this.rt.decref(temp);
    }
  }

  /** set_issubset of two sets: no larger than other, and every key of so in it. */
  private setIssubset(so: number, other: number): boolean {
    if (soUsed.get(so) > soUsed.get(other)) return false;
    let all = true;
    this.eachKey(so, (key, lo, hi) => {
      if (all && !this.containsEntry(other, key, lo, hi)) all = false;
    });
    return all;
  }

  /**
   * set_swap_bodies: fill, used, mask and table trade places (a smalltable
   * stays in its object, its entries swapped); the hashes too between two
   * frozensets, else both become -1.
   */
  private setSwapBodies(a: number, b: number): void {
    for (const f of [soFill, soUsed, soMask]) {
      const t = f.get(a);
      f.set(a, f.get(b));
      f.set(b, t);
    }
    const ta = soTable.get(a);
    const tb = soTable.get(b);
    const aSmall = ta === a + SO_SMALLTABLE;
    const bSmall = tb === b + SO_SMALLTABLE;
    soTable.set(a, bSmall ? a + SO_SMALLTABLE : tb);
    soTable.set(b, aSmall ? b + SO_SMALLTABLE : ta);
    if (aSmall || bSmall) {
      for (let i = 0; i < PySet_MINSIZE; i++) {
        const ea = a + SO_SMALLTABLE + i * SIZEOF_SETENTRY;
        const eb = b + SO_SMALLTABLE + i * SIZEOF_SETENTRY;
        const key = entryKey.get(ea);
        const lo = entryHashWords.lo.get(ea);
        const hi = entryHashWords.hi.get(ea);
        this.storeEntry(ea, entryKey.get(eb), entryHashWords.lo.get(eb), entryHashWords.hi.get(eb));
        this.storeEntry(eb, key, lo, hi);
      }
    }
    if (this.rt.typeOf(a) === this.frozensetType && this.rt.typeOf(b) === this.frozensetType) {
      for (const w of [soHash.lo, soHash.hi]) {
        const h = w.get(a);
        w.set(a, w.get(b));
        w.set(b, h);
      }
    } else {
      soHashValue.set(a, -1);
      soHashValue.set(b, -1);
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
    const ab = this.tableBase(a);
    const a0 = this.tableStart(a, ab);
    for (let pos = this.nextEntry(a, 0); pos !== 0; pos = this.nextEntry(a, pos)) {
      const e = ab + a0 + (pos - 1) * SIZEOF_SETENTRY;
      const tb = this.tableBase(b);
      const t0 = this.tableStart(b, tb);
      if (entryKey.get(tb + t0 + this.setLookkey(b, this.iterKey, entryHashWords.lo.get(e), entryHashWords.hi.get(e)) * SIZEOF_SETENTRY) === 0) return false;
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
