/*
 * set and frozenset (Objects/setobject.c, CPython 3.11): open addressing
 * with runs of linear probes, the first table inside the object.
 *
 *   PySetObject: 200 bytes after its PyGC_Head (tp_alloc = PyType_GenericAlloc:
 *   zeroed and tracked at once)
 *      0  ob_refcnt
 *      8  ob_type      set or frozenset
 *     16  fill         Py_ssize_t  active + dummy entries
 *     24  used         Py_ssize_t  active entries
 *     32  mask         Py_ssize_t  table slots - 1
 *     40  table        setentry*   &smalltable, or a PyMem_Malloc block of (mask + 1) entries
 *     48  hash         Py_hash_t   frozenset: its hash once computed; -1 until then (and for sets)
 *     56  finger       Py_ssize_t  where set.pop starts looking
 *     64  smalltable   setentry[PySet_MINSIZE = 8]
 *    192  weakreflist  PyObject*
 *
 *   setentry {key, hash}, 16 bytes: unused = {NULL, 0}; dummy (a deleted
 *   entry) = {the static dummy object, -1}; active = {key, its hash}.
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
import type { Memory } from '../../allocator/memory.js';
import { InvalidArgumentError } from '../../errors.js';
import type { Interpreter } from '../interpreter.js';
import { PYOBJECT_SIZE } from '../layout.js';
import { RefcountError, type Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';
import { KeyError } from './dict.js';

/** PySet_MINSIZE: entries of the smalltable. */
export const PySet_MINSIZE = 8;
/** LINEAR_PROBES: entries tried one after the other before the next perturbed jump. */
export const LINEAR_PROBES = 9;
const PERTURB_SHIFT = 5;

/** Offsets in PySetObject. */
export const SO_FILL = 16;
export const SO_USED = 24;
export const SO_MASK = 32;
export const SO_TABLE = 40;
export const SO_HASH = 48;
export const SO_FINGER = 56;
export const SO_SMALLTABLE = 64;
export const SO_WEAKREFLIST = 192;
/** sizeof(PySetObject). */
export const SIZEOF_PYSETOBJECT = 200;
/** sizeof(setentry), and the offset of its hash. */
export const SIZEOF_SETENTRY = 16;
const ENTRY_HASH = 8;

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
  private readonly mem: Memory;
  // The smalltable's entries while it is rebuilt in place (set_table_resize's small_copy).
  private readonly smallCopyKeys = new Array<number>(PySet_MINSIZE).fill(0);
  private readonly smallCopyHashes = new Array<number>(PySet_MINSIZE).fill(0);

  constructor(readonly interp: Interpreter) {
    const rt = (this.rt = interp.rt);
    this.mem = rt.mem;
    const slots = {
      basicsize: SIZEOF_PYSETOBJECT,
      itemsize: 0,
      flags: Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
      weaklistoffset: SO_WEAKREFLIST,
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

  private checkKey(key: number, fn: string): void {
    if (typeof key !== 'number' || key === 0 || !Number.isInteger(key)) {
      throw new InvalidArgumentError(`${fn}: the key must be an object, got ${key === 0 ? 'NULL' : String(key)}`);
    }
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
    this.setAddEntry(so, key, this.interp.hash(key));
  }

  /** PySet_Contains. Throws UnhashableError. */
  contains(so: number, key: number): boolean {
    this.checkSet(so, 'PySet_Contains');
    this.checkKey(key, 'PySet_Contains');
    const hash = this.interp.hash(key);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    return this.mem.f64At(tb, t0 + this.setLookkey(so, key, hash) * SIZEOF_SETENTRY) !== 0;
  }

  /** PySet_Discard (set_discard_key): removes key if present; whether it was. */
  discard(so: number, key: number): boolean {
    this.checkSet(so, 'PySet_Discard');
    if (this.rt.typeOf(so) !== this.type) throw new InvalidArgumentError('PySet_Discard: a frozenset cannot change');
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
    if (this.rt.typeOf(so) !== this.type) throw new InvalidArgumentError('set.pop: a frozenset cannot change');
    const mem = this.mem;
    if (mem.i64At(so, SO_USED) === 0) throw new KeyError('pop from an empty set');
    const mask = mem.i64At(so, SO_MASK);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    let i = mem.i64At(so, SO_FINGER) & mask;
    for (;;) {
      const k = mem.f64At(tb, t0 + i * SIZEOF_SETENTRY);
      if (k !== 0 && k !== this.dummy) break;
      i = i + 1 > mask ? 0 : i + 1;
    }
    const e = t0 + i * SIZEOF_SETENTRY;
    const key = mem.f64At(tb, e);
    mem.setF64(tb, e, this.dummy);
    mem.setI64(tb, e + ENTRY_HASH, -1);
    mem.setI64(so, SO_USED, mem.i64At(so, SO_USED) - 1);
    mem.setI64(so, SO_FINGER, i + 1);
    return key;
  }

  /** PySet_Size. */
  size(so: number): number {
    this.checkSet(so, 'PySet_Size');
    return this.mem.i64At(so, SO_USED);
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
    const mem = this.mem;
    const mask = mem.i64At(so, SO_MASK);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    let i = pos;
    while (i <= mask) {
      const k = mem.f64At(tb, t0 + i * SIZEOF_SETENTRY);
      if (k !== 0 && k !== this.dummy) break;
      i++;
    }
    if (i > mask) return 0;
    this.iterKey = mem.f64At(tb, t0 + i * SIZEOF_SETENTRY);
    this.iterHash = mem.i64At(tb, t0 + i * SIZEOF_SETENTRY + ENTRY_HASH);
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
    const mem = this.mem;
    let res = this.rt.typeOf(so).basicsize;
    if (mem.f64At(so, SO_TABLE) !== so + SO_SMALLTABLE) res += (mem.i64At(so, SO_MASK) + 1) * SIZEOF_SETENTRY;
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
    const mem = this.mem;
    const cached = this.cachedHash(so);
    if (cached !== -1n) return cached;
    const mask = mem.i64At(so, SO_MASK);
    const fill = mem.i64At(so, SO_FILL);
    const used = mem.i64At(so, SO_USED);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    let hash = 0n;
    for (let i = 0; i <= mask; i++) {
      const key = mem.f64At(tb, t0 + i * SIZEOF_SETENTRY);
      const h = key === 0 || key === this.dummy ? BigInt(mem.i64At(tb, t0 + i * SIZEOF_SETENTRY + ENTRY_HASH)) : this.interp.hash64(key);
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
    mem.setU32(so, SO_HASH, Number(hash & 0xffffffffn));
    mem.setU32(so, SO_HASH + 4, Number(hash >> 32n));
    return BigInt.asIntN(64, hash);
  }

  /** Every broken invariant of the set, as sentences (empty when consistent). For tests. */
  violations(so: number): string[] {
    const out: string[] = [];
    const mem = this.mem;
    if (!this.check(so)) return [`${so} is not a set or frozenset`];
    const fill = mem.i64At(so, SO_FILL);
    const used = mem.i64At(so, SO_USED);
    const mask = mem.i64At(so, SO_MASK);
    const table = mem.f64At(so, SO_TABLE);
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
      const key = mem.f64At(tb, e);
      const hash = mem.i64At(tb, e + ENTRY_HASH);
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
    const table = this.mem.f64At(so, SO_TABLE);
    return table === so + SO_SMALLTABLE ? so : table;
  }

  /** Offset of entry 0 from tableBase(so). */
  private tableStart(so: number, base: number): number {
    return base === so ? SO_SMALLTABLE : 0;
  }

  private cachedHash(so: number): bigint {
    const lo = this.mem.u32At(so, SO_HASH);
    const hi = this.mem.u32At(so, SO_HASH + 4);
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  }

  /** make_new_set: tp_alloc (zeroed, tracked), an empty smalltable, then set_update_internal. */
  private makeNewSet(type: PyTypeObject, iterable: SetIterable | undefined): number {
    if (iterable !== undefined) this.checkIterable(iterable, `${type.name}()`);
    const mem = this.mem;
    const so = this.rt.gcNew(type);
    mem.fill(so, SO_FILL, SIZEOF_PYSETOBJECT - SO_FILL, 0);
    this.rt.gcTrack(so);
    mem.setI64(so, SO_MASK, PySet_MINSIZE - 1);
    mem.setF64(so, SO_TABLE, so + SO_SMALLTABLE);
    mem.setI64(so, SO_HASH, -1);
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
    const mem = this.mem;
    const dict = this.interp.dict;
    const dictsize = dict.size(other);
    if ((mem.i64At(so, SO_FILL) + dictsize) * 5 >= mem.i64At(so, SO_MASK) * 3) {
      this.setTableResize(so, (mem.i64At(so, SO_USED) + dictsize) * 2);
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
    const mem = this.mem;
    const mask = mem.i64At(so, SO_MASK);
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
        const ehash = mem.i64At(tb, e + ENTRY_HASH);
        const startkey = mem.f64At(tb, e);
        if (ehash === 0 && startkey === 0) {
          this.rt.incref(key);
          mem.setI64(so, SO_USED, mem.i64At(so, SO_USED) + 1);
          if (freeslot !== -1) {
            // found_unused_or_dummy: reuse the last dummy on the probe.
            mem.setF64(tb, t0 + freeslot * SIZEOF_SETENTRY, key);
            mem.setI64(tb, t0 + freeslot * SIZEOF_SETENTRY + ENTRY_HASH, hash);
            return;
          }
          // found_unused.
          const fill = mem.i64At(so, SO_FILL) + 1;
          mem.setI64(so, SO_FILL, fill);
          mem.setF64(tb, e, key);
          mem.setI64(tb, e + ENTRY_HASH, hash);
          if (fill * 5 < mask * 3) return;
          const used = mem.i64At(so, SO_USED);
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
    const mem = this.mem;
    const mask = mem.i64At(so, SO_MASK);
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
        const ehash = mem.i64At(tb, e + ENTRY_HASH);
        const startkey = mem.f64At(tb, e);
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
    const mem = this.mem;
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    const e = t0 + this.setLookkey(so, key, hash) * SIZEOF_SETENTRY;
    const oldKey = mem.f64At(tb, e);
    if (oldKey === 0) return false;
    mem.setF64(tb, e, this.dummy);
    mem.setI64(tb, e + ENTRY_HASH, -1);
    mem.setI64(so, SO_USED, mem.i64At(so, SO_USED) - 1);
    this.rt.decref(oldKey);
    return true;
  }

  /** set_insert_clean: key into a table without dummies or an equal key (the first unused entry of its probe). */
  private setInsertClean(tb: number, t0: number, mask: number, key: number, hash: number): void {
    const mem = this.mem;
    let pLo = hash >>> 0;
    let pHi = hashHigh(hash);
    let i = pLo & mask;
    for (;;) {
      if (mem.f64At(tb, t0 + i * SIZEOF_SETENTRY) === 0) break;
      if (i + LINEAR_PROBES <= mask) {
        let j = 1;
        for (; j <= LINEAR_PROBES; j++) if (mem.f64At(tb, t0 + (i + j) * SIZEOF_SETENTRY) === 0) break;
        if (j <= LINEAR_PROBES) {
          i += j;
          break;
        }
      }
      pLo = ((pLo >>> PERTURB_SHIFT) | (pHi << (32 - PERTURB_SHIFT))) >>> 0;
      pHi >>>= PERTURB_SHIFT;
      i = (i * 5 + 1 + pLo) & mask;
    }
    mem.setF64(tb, t0 + i * SIZEOF_SETENTRY, key);
    mem.setI64(tb, t0 + i * SIZEOF_SETENTRY + ENTRY_HASH, hash);
  }

  /**
   * set_table_resize: a table of the smallest power of 2 above minused
   * (at least 8): the smalltable, or a new PyMem_Malloc block; the active
   * entries move over (dummies dropped), then an old malloc'd table is freed.
   */
  private setTableResize(so: number, minused: number): void {
    const mem = this.mem;
    let newsize = PySet_MINSIZE;
    while (newsize <= minused) newsize *= 2;
    const oldMask = mem.i64At(so, SO_MASK);
    const oldTable = mem.f64At(so, SO_TABLE);
    const oldIsMalloced = oldTable !== so + SO_SMALLTABLE;
    const fill = mem.i64At(so, SO_FILL);
    const used = mem.i64At(so, SO_USED);
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
    mem.fill(nb, n0, newsize * SIZEOF_SETENTRY, 0);
    mem.setI64(so, SO_MASK, newsize - 1);
    mem.setF64(so, SO_TABLE, newTable);
    const newMask = newsize - 1;
    if (fill !== used) mem.setI64(so, SO_FILL, used);
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
      const key = mem.f64At(ob, o0 + i * SIZEOF_SETENTRY);
      if (key !== 0 && key !== this.dummy) this.setInsertClean(nb, n0, newMask, key, mem.i64At(ob, o0 + i * SIZEOF_SETENTRY + ENTRY_HASH));
    }
    if (oldIsMalloced) this.rt.memFree(oldTable);
  }

  /** small_copy: the smalltable's entries saved before it is rebuilt in place. */
  private copySmalltable(so: number): void {
    for (let i = 0; i < PySet_MINSIZE; i++) {
      this.smallCopyKeys[i] = this.mem.f64At(so, SO_SMALLTABLE + i * SIZEOF_SETENTRY);
      this.smallCopyHashes[i] = this.mem.i64At(so, SO_SMALLTABLE + i * SIZEOF_SETENTRY + ENTRY_HASH);
    }
  }

  /**
   * set_merge: one resize up front if the other set's items could bring
   * fill*5 to mask*3; an empty target of the same size without dummies on
   * either side copies the entries slot for slot, an empty one inserts them
   * clean, anything else adds them one by one.
   */
  private setMerge(so: number, other: number): void {
    const mem = this.mem;
    const otherUsed = mem.i64At(other, SO_USED);
    if (other === so || otherUsed === 0) return;
    if ((mem.i64At(so, SO_FILL) + otherUsed) * 5 >= mem.i64At(so, SO_MASK) * 3) {
      this.setTableResize(so, (mem.i64At(so, SO_USED) + otherUsed) * 2);
    }
    const mask = mem.i64At(so, SO_MASK);
    const otherMask = mem.i64At(other, SO_MASK);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    const ob = this.tableBase(other);
    const o0 = this.tableStart(other, ob);
    if (mem.i64At(so, SO_FILL) === 0 && mask === otherMask && mem.i64At(other, SO_FILL) === otherUsed) {
      for (let i = 0; i <= otherMask; i++) {
        const key = mem.f64At(ob, o0 + i * SIZEOF_SETENTRY);
        if (key !== 0) {
          this.rt.incref(key);
          mem.setF64(tb, t0 + i * SIZEOF_SETENTRY, key);
          mem.setI64(tb, t0 + i * SIZEOF_SETENTRY + ENTRY_HASH, mem.i64At(ob, o0 + i * SIZEOF_SETENTRY + ENTRY_HASH));
        }
      }
      mem.setI64(so, SO_FILL, mem.i64At(other, SO_FILL));
      mem.setI64(so, SO_USED, otherUsed);
      return;
    }
    if (mem.i64At(so, SO_FILL) === 0) {
      mem.setI64(so, SO_FILL, otherUsed);
      mem.setI64(so, SO_USED, otherUsed);
      for (let i = 0; i <= otherMask; i++) {
        const key = mem.f64At(ob, o0 + i * SIZEOF_SETENTRY);
        if (key !== 0 && key !== this.dummy) {
          this.rt.incref(key);
          this.setInsertClean(tb, t0, mask, key, mem.i64At(ob, o0 + i * SIZEOF_SETENTRY + ENTRY_HASH));
        }
      }
      return;
    }
    for (let i = 0; i <= otherMask; i++) {
      const key = mem.f64At(ob, o0 + i * SIZEOF_SETENTRY);
      if (key !== 0 && key !== this.dummy) this.setAddEntry(so, key, mem.i64At(ob, o0 + i * SIZEOF_SETENTRY + ENTRY_HASH));
    }
  }

  /**
   * set_clear_internal (also tp_clear): the set is made empty on its
   * smalltable first (set_empty_to_minsize), then the old entries' keys are
   * dropped and a malloc'd table freed.
   */
  private setClearInternal(so: number): void {
    const mem = this.mem;
    const table = mem.f64At(so, SO_TABLE);
    const fill = mem.i64At(so, SO_FILL);
    let used = mem.i64At(so, SO_USED);
    const malloced = table !== so + SO_SMALLTABLE;
    if (!malloced && fill === 0) return;
    // small_copy: the keys of a smalltable, saved before it is emptied.
    const smallCopy: number[] = [];
    if (!malloced) for (let i = 0; i < PySet_MINSIZE; i++) smallCopy.push(mem.f64At(so, SO_SMALLTABLE + i * SIZEOF_SETENTRY));
    // set_empty_to_minsize.
    mem.fill(so, SO_SMALLTABLE, PySet_MINSIZE * SIZEOF_SETENTRY, 0);
    mem.setI64(so, SO_FILL, 0);
    mem.setI64(so, SO_USED, 0);
    mem.setI64(so, SO_MASK, PySet_MINSIZE - 1);
    mem.setF64(so, SO_TABLE, so + SO_SMALLTABLE);
    mem.setI64(so, SO_HASH, -1);
    if (malloced) {
      for (let i = 0; used > 0; i++) {
        const key = mem.f64At(table, i * SIZEOF_SETENTRY);
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
    const mem = this.mem;
    if (mem.i64At(a, SO_USED) !== mem.i64At(b, SO_USED)) return false;
    const ha = this.cachedHash(a);
    const hb = this.cachedHash(b);
    if (ha !== -1n && hb !== -1n && ha !== hb) return false;
    for (let pos = this.nextEntry(a, 0); pos !== 0; pos = this.nextEntry(a, pos)) {
      const key = this.iterKey;
      const tb = this.tableBase(b);
      const t0 = this.tableStart(b, tb);
      if (mem.f64At(tb, t0 + this.setLookkey(b, key, this.iterHash) * SIZEOF_SETENTRY) === 0) return false;
    }
    return true;
  }

  /** set_dealloc: untrack, clear weak references, drop the keys, free a malloc'd table, PyObject_GC_Del (inside the trashcan). */
  private setDealloc(so: number): void {
    const mem = this.mem;
    this.rt.gcUntrack(so);
    if (this.rt.trashcanBegin(so)) return;
    if (mem.f64At(so, SO_WEAKREFLIST) !== 0) this.interp.weakref.clearWeakrefs(so);
    let used = mem.i64At(so, SO_USED);
    const tb = this.tableBase(so);
    const t0 = this.tableStart(so, tb);
    for (let i = 0; used > 0; i++) {
      const key = mem.f64At(tb, t0 + i * SIZEOF_SETENTRY);
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
