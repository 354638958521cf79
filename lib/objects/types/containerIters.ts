/*
 * The iterators of the built-in containers other than list and range
 * (CPython 3.11): tuple_iterator (Objects/tupleobject.c), str_ascii_iterator
 * and str_iterator (Objects/unicodeobject.c), bytes_iterator
 * (Objects/bytesobject.c), bytearray_iterator (Objects/bytearrayobject.c),
 * set_iterator (Objects/setobject.c), dict_keyiterator,
 * dict_valueiterator, dict_itemiterator and their reverse kinds
 * dict_reversekeyiterator, dict_reversevalueiterator,
 * dict_reverseitemiterator (Objects/dictobject.c: reversed(d),
 * reversed(d.keys() / values() / items()), di_pos walking back from the
 * last entry). Each walks
 * its container in place — no copy — holding one reference to it until it
 * is exhausted.
 *
 * Each after its PyGC_Head, tracked from birth:
 *
 * seqiterlike, 32 bytes:
 *    0  16  PyObject    ob_base   the object header
 *   16  8   Py_ssize_t  it_index  the next index
 *   24  8   PyObject *  it_seq    the container; owned, NULL once exhausted
 *
 * setiterobject, 48 bytes:
 *    0  16  PyObject    ob_base  the object header
 *   16  8   PyObject *  si_set   the set; owned, NULL once exhausted
 *   24  8   Py_ssize_t  si_used  its size when iteration began (-1 after a change)
 *   32  8   Py_ssize_t  si_pos   the next table slot
 *   40  8   Py_ssize_t  len      items left
 *
 * dictiterobject, 56 bytes:
 *    0  16  PyObject    ob_base    the object header
 *   16  8   PyObject *  di_dict    the dict; owned, NULL once exhausted
 *   24  8   Py_ssize_t  di_used    its size when iteration began (-1 after a change)
 *   32  8   Py_ssize_t  di_pos     the next entry position (reverse kinds: the next one back, -1 past the first)
 *   40  8   PyObject *  di_result  the (key, value) tuple reused by item iterators; owned or NULL
 *   48  8   Py_ssize_t  len        items left
 *
 * (seqiterlike stands for tupleiterobject, unicodeiterobject, striterobject
 * and bytearrayiterobject, which share that layout.)
 *
 * Invariants: an exhausted iterator holds nothing and stays exhausted; a set
 * or dict whose size changed under its iterator makes the next step raise
 * RuntimeError, once, and the iterator then stays exhausted.
 */
import { InvalidArgumentError, describe } from '../../errors.js';
import { raise } from '../text/pyException.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_TUPLE_SUBCLASS, type PyTypeObject } from '../type.js';
import { allocIter, registerIterType } from './iterContainer.js';

/** tupleiterobject, unicodeiterobject, striterobject, bytearrayiterobject. */
export const seqiterlike = declareObjectStruct({
  name: 'seqiterlike',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'it_index', type: 'i64', meaning: 'the next index' },
    { name: 'it_seq', type: 'ptr', ctype: 'PyObject *', meaning: 'the container; owned, NULL once exhausted' },
  ],
});
/** setiterobject. */
export const setiterobject = declareObjectStruct({
  name: 'setiterobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'si_set', type: 'ptr', ctype: 'PyObject *', meaning: 'the set; owned, NULL once exhausted' },
    { name: 'si_used', type: 'i64', meaning: 'its size when iteration began (-1 after a change)' },
    { name: 'si_pos', type: 'i64', meaning: 'the next table slot' },
    { name: 'len', type: 'i64', meaning: 'items left' },
  ],
});
/** dictiterobject. */
export const dictiterobject = declareObjectStruct({
  name: 'dictiterobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'di_dict', type: 'ptr', ctype: 'PyObject *', meaning: 'the dict; owned, NULL once exhausted' },
    { name: 'di_used', type: 'i64', meaning: 'its size when iteration began (-1 after a change)' },
    { name: 'di_pos', type: 'i64', meaning: 'the next entry position (reverse kinds: the next one back, -1 past the first)' },
    { name: 'di_result', type: 'ptr', ctype: 'PyObject *', meaning: 'the (key, value) tuple reused by item iterators; owned or NULL' },
    { name: 'len', type: 'i64', meaning: 'items left' },
  ],
});
const itIndex = seqiterlike.field('it_index');
const itSeq = seqiterlike.field('it_seq');
const siSet = setiterobject.field('si_set');
const siUsed = setiterobject.field('si_used');
const siPos = setiterobject.field('si_pos');
const siLen = setiterobject.field('len');
const diDict = dictiterobject.field('di_dict');
const diUsed = dictiterobject.field('di_used');
const diPos = dictiterobject.field('di_pos');
const diResult = dictiterobject.field('di_result');
const diLen = dictiterobject.field('len');

/** Which part of each entry a dict iterator yields. */
export type DictIterKind = 'keys' | 'values' | 'items';

/** The container iterator types, their constructors and their next(). */
export class ContainerItersModule {
  /** PyTupleIter_Type. */
  readonly tupleIterType: PyTypeObject;
  /** _PyUnicodeASCIIIter_Type. */
  readonly strAsciiIterType: PyTypeObject;
  /** PyUnicodeIter_Type. */
  readonly strIterType: PyTypeObject;
  /** PyBytesIter_Type. */
  readonly bytesIterType: PyTypeObject;
  /** PyByteArrayIter_Type. */
  readonly bytearrayIterType: PyTypeObject;
  /** PySetIter_Type. */
  readonly setIterType: PyTypeObject;
  /** PyDictIterKey_Type, PyDictIterValue_Type, PyDictIterItem_Type. */
  readonly dictIterTypes: Readonly<Record<DictIterKind, PyTypeObject>>;
  /** PyDictRevIterKey_Type, PyDictRevIterValue_Type, PyDictRevIterItem_Type. */
  readonly dictRevIterTypes: Readonly<Record<DictIterKind, PyTypeObject>>;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    const rt = (this.rt = interp.rt);
    const seq = (name: string): PyTypeObject => registerIterType(rt, { name, layout: seqiterlike, owned: [itSeq] });
    this.tupleIterType = seq('tuple_iterator');
    this.strAsciiIterType = seq('str_ascii_iterator');
    this.strIterType = seq('str_iterator');
    this.bytesIterType = seq('bytes_iterator');
    this.bytearrayIterType = seq('bytearray_iterator');
    this.setIterType = registerIterType(rt, { name: 'set_iterator', layout: setiterobject, owned: [siSet] });
    const dict = (name: string): PyTypeObject => registerIterType(rt, { name, layout: dictiterobject, owned: [diDict, diResult] });
    this.dictIterTypes = { keys: dict('dict_keyiterator'), values: dict('dict_valueiterator'), items: dict('dict_itemiterator') };
    this.dictRevIterTypes = { keys: dict('dict_reversekeyiterator'), values: dict('dict_reversevalueiterator'), items: dict('dict_reverseitemiterator') };
  }

  /** The iterator types of this module with their next(), for the evaluation loop's dispatch. */
  nexts(): Array<[PyTypeObject, (it: number) => number]> {
    return [
      [this.tupleIterType, (it) => this.tupleiterNext(it)],
      [this.strAsciiIterType, (it) => this.unicodeiterNext(it)],
      [this.strIterType, (it) => this.unicodeiterNext(it)],
      [this.bytesIterType, (it) => this.bytesiterNext(it)],
      [this.bytearrayIterType, (it) => this.bytesiterNext(it)],
      [this.setIterType, (it) => this.setiterIternext(it)],
      [this.dictIterTypes.keys, (it) => this.dictiterNext(it, 'keys')],
      [this.dictIterTypes.values, (it) => this.dictiterNext(it, 'values')],
      [this.dictIterTypes.items, (it) => this.dictiterNext(it, 'items')],
      [this.dictRevIterTypes.keys, (it) => this.dictreviterIternext(it, 'keys')],
      [this.dictRevIterTypes.values, (it) => this.dictreviterIternext(it, 'values')],
      [this.dictRevIterTypes.items, (it) => this.dictreviterIternext(it, 'items')],
    ];
  }

  /**
   * iter(o) for a tuple, str, bytes or bytearray (tuple_iter, unicode_iter —
   * str_ascii_iterator for an ASCII string —, bytes_iter, bytearray_iter).
   * o borrowed. New reference.
   */
  seqIter(o: number): number {
    const { interp } = this;
    const t0 = this.rt.typeOrNull(o);
    const t = this.kind(t0);
    // tuple_iter takes any PyTuple_Check object (a struct sequence too).
    const tuple = t === interp.tuple.type || (t0 !== null && (t0.flags & Py_TPFLAGS_TUPLE_SUBCLASS) !== 0);
    if (!tuple && t !== interp.bytes.type && t !== interp.bytearray.type && t !== interp.str.type) {
      throw new InvalidArgumentError(`seqIter: expected a tuple, str, bytes or bytearray, got ${describe(o)}`);
    }
    const type =
      tuple
        ? this.tupleIterType
        : t === interp.bytes.type
          ? this.bytesIterType
          : t === interp.bytearray.type
            ? this.bytearrayIterType
            : interp.str.maxCharValue(o) < 0x80
              ? this.strAsciiIterType
              : this.strIterType;
    const it = allocIter(this.rt, type);
    this.rt.incref(o);
    itSeq.set(it, o);
    return it;
  }

  /** set_iter: an iterator over the set's table. New reference. */
  setIter(so: number): number {
    const t = this.kind(this.rt.typeOrNull(so));
    if (t !== this.interp.set.type && t !== this.interp.set.frozensetType) throw new InvalidArgumentError(`set_iter: expected a set or frozenset, got ${describe(so)}`);
    const it = allocIter(this.rt, this.setIterType);
    this.rt.incref(so);
    siSet.set(it, so);
    const used = this.interp.set.size(so);
    siUsed.set(it, used);
    siLen.set(it, used);
    return it;
  }

  /**
   * dictiter_new: an iterator over the dict's entries in order — or with
   * reverse set from the last back (di_pos at the last entry) — an item
   * iterator with its result tuple (None, None). New reference.
   */
  dictIter(d: number, kind: DictIterKind, reverse = false): number {
    const rt = this.rt;
    if (this.kind(rt.typeOrNull(d)) !== this.interp.dict.type) throw new InvalidArgumentError(`dictiter_new: expected a dict, got ${describe(d)}`);
    const it = allocIter(rt, (reverse ? this.dictRevIterTypes : this.dictIterTypes)[kind]);
    rt.incref(d);
    diDict.set(it, d);
    if (reverse) diPos.set(it, this.interp.dict.lastPosition(d));
    const used = this.interp.dict.size(d);
    diUsed.set(it, used);
    diLen.set(it, used);
    if (kind === 'items') {
      const None = this.interp.singletons.None;
      diResult.set(it, this.interp.tuple.pack([None, None]));
    }
    return it;
  }

  /** __length_hint__ of any of this module's iterators: the items left, 0 once exhausted. */
  lengthHint(it: number): number {
    const { interp } = this;
    const t = this.rt.typeOf(it);
    if (t === this.setIterType) {
      const so = siSet.get(it);
      return so !== 0 && siUsed.get(it) === interp.set.size(so) ? siLen.get(it) : 0;
    }
    if (Object.values(this.dictIterTypes).includes(t) || Object.values(this.dictRevIterTypes).includes(t)) {
      const d = diDict.get(it);
      return d !== 0 && diUsed.get(it) === interp.dict.size(d) ? diLen.get(it) : 0;
    }
    const seq = itSeq.get(it);
    if (seq === 0) return 0;
    return Math.max(0, this.seqLength(seq) - itIndex.get(it));
  }

  /** The built-in type t derives from when t is a class deriving from one (its instances iterate as the base's), else t. */
  private kind(t: PyTypeObject | null): PyTypeObject | null {
    return t === null ? null : (this.interp.instance.builtinBase(t) ?? t);
  }

  private seqLength(seq: number): number {
    const { interp } = this;
    const t0 = this.rt.typeOf(seq);
    const t = this.kind(t0);
    if (t === interp.tuple.type || (t0.flags & Py_TPFLAGS_TUPLE_SUBCLASS) !== 0) return interp.tuple.size(seq);
    if (t === interp.bytes.type) return interp.bytes.size(seq);
    if (t === interp.bytearray.type) return interp.bytearray.size(seq);
    return interp.str.length(seq);
  }

  /** Lets go of an exhausted sequence iterator's container. */
  private exhaust(it: number, seq: number): number {
    itSeq.set(it, 0);
    this.rt.decref(seq);
    return 0;
  }

  /** tupleiter_next. */
  private tupleiterNext(it: number): number {
    const seq = itSeq.get(it);
    if (seq === 0) return 0;
    const i = itIndex.get(it);
    if (i < this.interp.tuple.size(seq)) {
      itIndex.set(it, i + 1);
      const item = this.interp.tuple.getItem(seq, i);
      this.rt.incref(item);
      return item;
    }
    return this.exhaust(it, seq);
  }

  /** unicodeiter_next / unicode_ascii_iter_next: the character as a one-character str (a latin-1 singleton when it is one). */
  private unicodeiterNext(it: number): number {
    const seq = itSeq.get(it);
    if (seq === 0) return 0;
    const i = itIndex.get(it);
    const str = this.interp.str;
    if (i < str.length(seq)) {
      itIndex.set(it, i + 1);
      return str.fromOrdinal(str.readChar(seq, i));
    }
    return this.exhaust(it, seq);
  }

  /** striter_next / bytearrayiter_next: the byte as an int (a bytearray's size read each time: it may change). */
  private bytesiterNext(it: number): number {
    const seq = itSeq.get(it);
    if (seq === 0) return 0;
    const i = itIndex.get(it);
    const { interp } = this;
    const data = this.kind(this.rt.typeOf(seq)) === interp.bytes.type ? interp.bytes.data(seq) : interp.bytearray.data(seq);
    if (i < data.length) {
      itIndex.set(it, i + 1);
      return interp.long.fromNumber(data[i]!);
    }
    return this.exhaust(it, seq);
  }

  /** setiter_iternext: the next active entry's key; RuntimeError if the set's size changed. */
  private setiterIternext(it: number): number {
    const so = siSet.get(it);
    if (so === 0) return 0;
    const set = this.interp.set;
    if (siUsed.get(it) !== set.size(so)) {
      siUsed.set(it, -1);
      raise('RuntimeError', 'Set changed size during iteration');
    }
    const next = set.nextEntry(so, siPos.get(it));
    if (next === 0) {
      siSet.set(it, 0);
      this.rt.decref(so);
      return 0;
    }
    siPos.set(it, next);
    siLen.set(it, siLen.get(it) - 1);
    this.rt.incref(set.iterKey);
    return set.iterKey;
  }

  /**
   * dictiter_iternextkey / value / item: the next entry's part;
   * RuntimeError if the dict's size changed, or if it still has entries
   * after as many as it held (its keys changed). An item iterator reuses
   * its result tuple while it holds the only reference (retracked if the
   * collector untracked it).
   */
  private dictiterNext(it: number, kind: DictIterKind): number {
    const d = diDict.get(it);
    if (d === 0) return 0;
    const { interp } = this;
    const rt = this.rt;
    if (diUsed.get(it) !== interp.dict.size(d)) {
      diUsed.set(it, -1);
      raise('RuntimeError', 'dictionary changed size during iteration');
    }
    const next = interp.dict.next(d, diPos.get(it));
    if (next === 0) {
      diDict.set(it, 0);
      rt.decref(d);
      return 0;
    }
    if (diLen.get(it) === 0) {
      diDict.set(it, 0);
      rt.decref(d);
      raise('RuntimeError', 'dictionary keys changed during iteration');
    }
    diPos.set(it, next);
    return this.dictiterResult(it, kind);
  }

  /** dictreviter_iternext: the entry before the last one given; RuntimeError if the dict's size changed. */
  private dictreviterIternext(it: number, kind: DictIterKind): number {
    const d = diDict.get(it);
    if (d === 0) return 0;
    const { interp } = this;
    if (diUsed.get(it) !== interp.dict.size(d)) {
      diUsed.set(it, -1);
      raise('RuntimeError', 'dictionary changed size during iteration');
    }
    const i = interp.dict.prev(d, diPos.get(it));
    if (i < 0) {
      diDict.set(it, 0);
      this.rt.decref(d);
      return 0;
    }
    diPos.set(it, i - 1);
    return this.dictiterResult(it, kind);
  }

  /** The part of the entry the dict left in iterKey / iterValue an iterator of `kind` gives (len counted down). New reference. */
  private dictiterResult(it: number, kind: DictIterKind): number {
    const { interp } = this;
    const rt = this.rt;
    diLen.set(it, diLen.get(it) - 1);
    const key = interp.dict.iterKey;
    const value = interp.dict.iterValue;
    if (kind !== 'values') rt.incref(key);
    if (kind !== 'keys') rt.incref(value);
    if (kind === 'keys') return key;
    if (kind === 'values') return value;
    const result = diResult.get(it);
    const t = rt.refcnt(result) === 1 ? result : interp.tuple.new(2);
    interp.tuple.setItem(t, 0, key);
    interp.tuple.setItem(t, 1, value);
    if (t === result) {
      rt.incref(result);
      if (!rt.gc.isTracked(result)) rt.gcTrack(result);
    }
    return t;
  }
}
