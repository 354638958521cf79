/*
 * type objects (Objects/typeobject.c, CPython 3.11) as heap objects: every
 * registered type (type.ts's PyTypeObject, the slots as JavaScript) gets an
 * object a program can hold — `type(x)`, `int`, a class a `class` statement
 * makes — with its tp_dict, tp_bases and tp_mro real objects.
 *
 * A built-in type is a static object (PyTypeObject, 408 bytes, outside
 * pymalloc like CPython's static types); a class is a heap type
 * (PyHeapTypeObject, 904 bytes, after its PyGC_Head, tracked).
 *
 * PyHeapTypeObject, 904 bytes:
 *     0  408  PyTypeObject        ht_type              the type
 *   408  32   PyAsyncMethods      as_async[4]          0
 *   440  288  PyNumberMethods     as_number[36]        0
 *   728  24   PyMappingMethods    as_mapping[3]        0
 *   752  80   PySequenceMethods   as_sequence[10]      0
 *   832  16   PyBufferProcs       as_buffer[2]         0
 *   848  8    PyObject *          ht_name              __name__, a str; owned
 *   856  8    PyObject *          ht_slots             __slots__ as a tuple, or NULL; owned
 *   864  8    PyObject *          ht_qualname          __qualname__, a str; owned
 *   872  8    PyDictKeysObject *  ht_cached_keys       the shared keys of instance dicts (not an object)
 *   880  8    PyObject *          ht_module            NULL
 *   888  8    char *              _ht_tpname           0
 *   896  8    PyObject *          _spec_cache_getitem  NULL
 *
 * PyTypeObject, 408 bytes:
 *     0  24  PyVarObject   ob_base               the header (ob_size: members of a heap type)
 *    24  8   const char *  tp_name               0 (the name is the registered type's)
 *    32  8   Py_ssize_t    tp_basicsize          as registered
 *    40  8   Py_ssize_t    tp_itemsize           as registered
 *    48  8   void *        tp_dealloc            0: a JavaScript slot
 *    56  8   void *        tp_vectorcall_offset  0: a JavaScript slot
 *    64  8   void *        tp_getattr            0: a JavaScript slot
 *    72  8   void *        tp_setattr            0: a JavaScript slot
 *    80  8   void *        tp_as_async           0: a JavaScript slot
 *    88  8   void *        tp_repr               0: a JavaScript slot
 *    96  8   void *        tp_as_number          0: a JavaScript slot
 *   104  8   void *        tp_as_sequence        0: a JavaScript slot
 *   112  8   void *        tp_as_mapping         0: a JavaScript slot
 *   120  8   void *        tp_hash               0: a JavaScript slot
 *   128  8   void *        tp_call               0: a JavaScript slot
 *   136  8   void *        tp_str                0: a JavaScript slot
 *   144  8   void *        tp_getattro           0: a JavaScript slot
 *   152  8   void *        tp_setattro           0: a JavaScript slot
 *   160  8   void *        tp_as_buffer          0: a JavaScript slot
 *   168  8   Py_ssize_t    tp_flags              Py_TPFLAGS_*
 *   176  8   const char *  tp_doc                0
 *   184  8   void *        tp_traverse           0: a JavaScript slot
 *   192  8   void *        tp_clear              0: a JavaScript slot
 *   200  8   void *        tp_richcompare        0: a JavaScript slot
 *   208  8   Py_ssize_t    tp_weaklistoffset     as registered
 *   216  8   void *        tp_iter               0: a JavaScript slot
 *   224  8   void *        tp_iternext           0: a JavaScript slot
 *   232  8   void *        tp_methods            0: a JavaScript slot
 *   240  8   void *        tp_members            0: a JavaScript slot
 *   248  8   void *        tp_getset             0: a JavaScript slot
 *   256  8   PyObject *    tp_base               the first base; owned by a heap type
 *   264  8   PyObject *    tp_dict               the type's namespace, a dict; owned
 *   272  8   void *        tp_descr_get          0
 *   280  8   void *        tp_descr_set          0
 *   288  8   Py_ssize_t    tp_dictoffset         as registered
 *   296  8   void *        tp_init               0: a JavaScript slot
 *   304  8   void *        tp_alloc              0: a JavaScript slot
 *   312  8   void *        tp_new                0: a JavaScript slot
 *   320  8   void *        tp_free               0: a JavaScript slot
 *   328  8   void *        tp_is_gc              0: a JavaScript slot
 *   336  8   PyObject *    tp_bases              a tuple of type objects; owned
 *   344  8   PyObject *    tp_mro                a tuple of type objects; owned
 *   352  8   PyObject *    tp_cache              NULL
 *   360  8   PyObject *    tp_subclasses         NULL (subclasses are not tracked)
 *   368  8   PyObject *    tp_weaklist           weakrefs to the type; not owned
 *   376  8   void *        tp_del                0
 *   384  4   unsigned int  tp_version_tag        0
 *   392  8   void *        tp_finalize           0
 *   400  8   void *        tp_vectorcall         0
 *
 * Invariants: the object of a registered type is made once and lives until
 * the runtime is disposed (classes are never freed, as in instance.ts);
 * ob_type of a type object is `type`.
 */
import { fillBytes } from '../../allocator/access.js';
import { InvalidArgumentError } from '../../errors.js';
import { type FieldDecl } from '../../struct.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyVarObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_HAVE_GC, Py_TPFLAGS_HEAPTYPE, type PyTypeObject, type Visit, visitFields } from '../type.js';
import { keysSize } from './dictKeys.js';
import { hashPointer } from './singletons.js';

const p = (name: string, meaning: string, ctype = 'void *'): FieldDecl => ({ name, type: 'ptr', ctype, meaning, unchecked: true });
const o = (name: string, meaning: string): FieldDecl => ({ name, type: 'ptr', ctype: 'PyObject *', meaning });
const n = (name: string, meaning: string): FieldDecl => ({ name, type: 'i64', meaning });

const TYPE_FIELDS: readonly FieldDecl[] = [
  { name: 'ob_base', type: PyVarObject, meaning: 'the header (ob_size: members of a heap type)' },
  p('tp_name', "0 (the name is the registered type's)", 'const char *'),
  n('tp_basicsize', 'as registered'),
  n('tp_itemsize', 'as registered'),
  ...['tp_dealloc', 'tp_vectorcall_offset', 'tp_getattr', 'tp_setattr', 'tp_as_async', 'tp_repr', 'tp_as_number', 'tp_as_sequence', 'tp_as_mapping', 'tp_hash', 'tp_call', 'tp_str', 'tp_getattro', 'tp_setattro', 'tp_as_buffer'].map((f) => p(f, '0: a JavaScript slot')),
  n('tp_flags', 'Py_TPFLAGS_*'),
  p('tp_doc', '0', 'const char *'),
  ...['tp_traverse', 'tp_clear', 'tp_richcompare'].map((f) => p(f, '0: a JavaScript slot')),
  n('tp_weaklistoffset', 'as registered'),
  ...['tp_iter', 'tp_iternext', 'tp_methods', 'tp_members', 'tp_getset'].map((f) => p(f, '0: a JavaScript slot')),
  o('tp_base', 'the first base; owned by a heap type'),
  o('tp_dict', "the type's namespace, a dict; owned"),
  p('tp_descr_get', '0'),
  p('tp_descr_set', '0'),
  n('tp_dictoffset', 'as registered'),
  ...['tp_init', 'tp_alloc', 'tp_new', 'tp_free', 'tp_is_gc'].map((f) => p(f, '0: a JavaScript slot')),
  o('tp_bases', 'a tuple of type objects; owned'),
  o('tp_mro', 'a tuple of type objects; owned'),
  o('tp_cache', 'NULL'),
  o('tp_subclasses', 'NULL (subclasses are not tracked)'),
  o('tp_weaklist', 'weakrefs to the type; not owned'),
  p('tp_del', '0'),
  { name: 'tp_version_tag', type: 'u32', ctype: 'unsigned int', meaning: '0' },
  p('tp_finalize', '0'),
  p('tp_vectorcall', '0'),
];

/** PyTypeObject (3.11): a built-in type's object. */
export const PyTypeObjectStruct = declareObjectStruct({ name: 'PyTypeObject', fields: TYPE_FIELDS, size: 408 });

/** PyHeapTypeObject (3.11): a class's object. */
export const PyHeapTypeObject = declareObjectStruct({
  name: 'PyHeapTypeObject',
  fields: [
    { name: 'ht_type', type: PyTypeObjectStruct, meaning: 'the type' },
    { name: 'as_async', type: 'ptr', count: 4, ctype: 'PyAsyncMethods', meaning: '0', unchecked: true },
    { name: 'as_number', type: 'ptr', count: 36, ctype: 'PyNumberMethods', meaning: '0', unchecked: true },
    { name: 'as_mapping', type: 'ptr', count: 3, ctype: 'PyMappingMethods', meaning: '0', unchecked: true },
    { name: 'as_sequence', type: 'ptr', count: 10, ctype: 'PySequenceMethods', meaning: '0', unchecked: true },
    { name: 'as_buffer', type: 'ptr', count: 2, ctype: 'PyBufferProcs', meaning: '0', unchecked: true },
    o('ht_name', '__name__, a str; owned'),
    o('ht_slots', '__slots__ as a tuple, or NULL; owned'),
    o('ht_qualname', '__qualname__, a str; owned'),
    p('ht_cached_keys', 'the shared keys of instance dicts (not an object)', 'PyDictKeysObject *'),
    o('ht_module', 'NULL'),
    p('_ht_tpname', '0', 'char *'),
    o('_spec_cache_getitem', 'NULL'),
  ],
  size: 904,
});

const tpBasicsize = PyTypeObjectStruct.field('tp_basicsize');
const tpItemsize = PyTypeObjectStruct.field('tp_itemsize');
const tpFlags = PyTypeObjectStruct.field('tp_flags');
const tpWeaklistoffset = PyTypeObjectStruct.field('tp_weaklistoffset');
const tpWeaklist = PyTypeObjectStruct.field('tp_weaklist');
const tpDictoffset = PyTypeObjectStruct.field('tp_dictoffset');
const tpBase = PyTypeObjectStruct.field('tp_base');
const tpDict = PyTypeObjectStruct.field('tp_dict');
const tpBases = PyTypeObjectStruct.field('tp_bases');
const tpMro = PyTypeObjectStruct.field('tp_mro');
const htName = PyHeapTypeObject.field('ht_name');
const htSlots = PyHeapTypeObject.field('ht_slots');
const htQualname = PyHeapTypeObject.field('ht_qualname');
const htCachedKeys = PyHeapTypeObject.field('ht_cached_keys');
const HEAP_OWNED = [tpBase, tpDict, tpBases, tpMro, htName, htSlots, htQualname];
/** What type_traverse visits, in its order (tp_cache and ht_module are NULL here). */
const TRAVERSED = [tpDict, tpMro, tpBases, tpBase];

/** Whether a registered type's object is a PyHeapTypeObject. */
function isHeapTypeObject(t: PyTypeObject | undefined): boolean {
  return t !== undefined && (t.flags & Py_TPFLAGS_HEAPTYPE) !== 0;
}

/** What a heap type object is made with (all borrowed). */
export interface HeapTypeSpec {
  readonly name: number;
  readonly qualname: number;
  readonly dict: number;
  readonly bases: number;
  readonly base: number;
  readonly slots: number;
  readonly cachedKeys: number;
}

/** Type objects: the `type` type, static objects of built-in types, heap types of classes. */
export class TypeObjectModule {
  /** PyType_Type. */
  readonly type: PyTypeObject;
  private readonly rt: Runtime;
  /** The object of each registered type, by its id (0: none yet). */
  private readonly objects: number[] = [];
  /** The registered type of each type object. */
  private readonly byObject = new Map<number, PyTypeObject>();
  /** The metaclasses defineMetatype made. */
  private readonly metatypes = new Set<PyTypeObject>();
  /** The heap type objects (classes), alive until their last reference goes. */
  private readonly heapTypes = new Set<number>();

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    this.rt.heapTypeObject = (t) => {
      const op = this.objects[t.id] ?? 0;
      return op !== 0 && this.heapTypes.has(op) ? op : 0;
    };
    this.type = this.registerTypeType('type', 0);
  }

  /** PyType_Type's slots, under a name: `type` itself, or a metaclass (heap set) that inherits them. */
  private registerTypeType(name: string, heap: number): PyTypeObject {
    return this.rt.registerType({
      name,
      basicsize: PyHeapTypeObject.size,
      itemsize: 40,
      flags: Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE | heap,
      layout: PyHeapTypeObject,
      weaklistoffset: PyTypeObjectStruct.offsets.tp_weaklist,
      dictoffset: PyTypeObjectStruct.offsets.tp_dict,
      dealloc: (_r, op) => this.typeDealloc(op),
      traverse: (_r, op, visit) => this.typeTraverse(op, visit),
      clear: (_r, op) => this.typeClear(op),
      hash: (_r, op) => hashPointer(op),
      sizeof: (_r, op) => this.typeSizeof(op),
    });
  }

  /**
   * type_new for `class M(type)`: a metaclass, whose instances (classes made
   * with metaclass=M) have type's layout and slots — type's tp_dictoffset
   * and tp_weaklistoffset are set, so M adds neither a __dict__ nor a
   * __weakref__ (basicsize 904, as type's).
   */
  defineMetatype(name: string): PyTypeObject {
    const t = this.registerTypeType(name, Py_TPFLAGS_HEAPTYPE);
    this.metatypes.add(t);
    return t;
  }

  /** type___sizeof___impl: a heap type with its cached shared keys, or sizeof(PyTypeObject). */
  private typeSizeof(op: number): number {
    if ((tpFlags.get(op) & Py_TPFLAGS_HEAPTYPE) === 0) return PyTypeObjectStruct.size;
    const keys = htCachedKeys.get(op);
    return PyHeapTypeObject.size + (keys !== 0 ? keysSize(keys) : 0);
  }

  /** PyType_Check. */
  check(op: number): boolean {
    return this.byObject.has(op);
  }

  /** The registered type of a type object (undefined: op is none). */
  typeOfObject(op: number): PyTypeObject | undefined {
    return this.byObject.get(op);
  }

  /** The object of t, or 0 when it has none yet (borrowed). */
  objectOf(t: PyTypeObject): number {
    return this.objects[t.id] ?? 0;
  }

  /** tp_dict of a type object (borrowed). */
  dict(op: number): number {
    return tpDict.get(op);
  }
  /** tp_mro (borrowed). */
  mro(op: number): number {
    return tpMro.get(op);
  }
  /** tp_bases (borrowed). */
  bases(op: number): number {
    return tpBases.get(op);
  }
  /** ht_qualname of a heap type (borrowed), 0 for a built-in type. */
  qualname(op: number): number {
    return isHeapTypeObject(this.byObject.get(op)) ? htQualname.get(op) : 0;
  }
  /** tp_base (borrowed). */
  base(op: number): number {
    return tpBase.get(op);
  }
  /** Sets tp_mro (steals mro; the type's mro is set once, by mro_internal). */
  setMro(op: number, mro: number): void {
    const old = tpMro.get(op);
    tpMro.set(op, mro);
    this.rt.xdecref(old);
  }

  /**
   * The static type object of a built-in type (PyType_Ready's part that
   * fills tp_dict, tp_base, tp_bases): dict and bases are stolen, base
   * borrowed (static types hold no reference to their base).
   */
  newStatic(t: PyTypeObject, dict: number, base: number, bases: number): number {
    const op = this.rt.staticObject(this.type, PyTypeObjectStruct.size, 0);
    fillBytes(op + 16, PyTypeObjectStruct.size - 16, 0);
    this.fill(op, t);
    tpDict.set(op, dict);
    tpBase.set(op, base);
    tpBases.set(op, bases);
    this.enter(op, t);
    return op;
  }

  /**
   * type_new_alloc / type_new_impl for a class: a tracked heap type object,
   * an instance of metatype (type, or a metaclass defineMetatype made, which
   * the object then holds a reference to). Fields borrowed (the object
   * takes its own references).
   */
  newHeap(t: PyTypeObject, spec: HeapTypeSpec, metatype: PyTypeObject = this.type): number {
    if (metatype !== this.type && !this.metatypes.has(metatype)) {
      throw new InvalidArgumentError(`newHeap: the metatype must be type or a metaclass made by defineMetatype, got '${metatype.name}'`);
    }
    const op = this.rt.gcNewVar(metatype, 0);
    fillBytes(op + 16, PyHeapTypeObject.size - 16, 0);
    this.fill(op, t);
    const set = (f: typeof tpDict, v: number): void => {
      this.rt.xincref(v);
      f.set(op, v);
    };
    set(tpDict, spec.dict);
    set(tpBase, spec.base);
    set(tpBases, spec.bases);
    set(htName, spec.name);
    set(htQualname, spec.qualname);
    set(htSlots, spec.slots);
    htCachedKeys.set(op, spec.cachedKeys);
    // PyType_GenericAlloc: an instance of a heap metatype holds a reference to it.
    if (metatype !== this.type) this.rt.incref(this.rt.heapTypeObject(metatype));
    this.rt.gcTrack(op);
    this.enter(op, t);
    this.heapTypes.add(op);
    return op;
  }

  private fill(op: number, t: PyTypeObject): void {
    tpBasicsize.set(op, t.basicsize);
    tpItemsize.set(op, t.itemsize);
    tpFlags.set(op, t.flags);
    tpWeaklistoffset.set(op, t.weaklistoffset);
    tpDictoffset.set(op, t.dictoffset);
  }

  /**
   * type_dealloc of a heap type (a static type is never freed): untracked,
   * weakrefs cleared, its references released, the class forgotten by the
   * registry, the object freed.
   */
  private typeDealloc(op: number): void {
    if (!this.heapTypes.has(op)) throw new Error('a static type object is never deallocated');
    const rt = this.rt;
    rt.gcUntrack(op);
    if (tpWeaklist.get(op) !== 0) this.interp.weakref.clearWeakrefs(op);
    const t = this.byObject.get(op)!;
    this.heapTypes.delete(op);
    this.byObject.delete(op);
    this.objects[t.id] = 0;
    for (const f of HEAP_OWNED) {
      const v = f.get(op);
      f.set(op, 0);
      rt.xdecref(v);
    }
    const meta = rt.typeOf(op);
    const metaObj = meta !== this.type ? rt.heapTypeObject(meta) : 0;
    rt.gcDel(op);
    // subtype_dealloc: a class's reference to its heap metatype goes last.
    rt.xdecref(metaObj);
  }

  /** type_clear: the namespace emptied and the MRO dropped (what breaks a class's cycles). */
  private typeClear(op: number): void {
    if (!this.heapTypes.has(op)) return;
    const dict = tpDict.get(op);
    if (dict !== 0) this.interp.dict.clear(dict);
    const mro = tpMro.get(op);
    tpMro.set(op, 0);
    this.rt.xdecref(mro);
  }

  private enter(op: number, t: PyTypeObject): void {
    this.objects[t.id] = op;
    this.byObject.set(op, t);
  }

  /** type_traverse: tp_dict, tp_cache, tp_mro, tp_bases, tp_base, ht_module of a heap type. */
  private typeTraverse(op: number, visit: Visit): number {
    // subtype_traverse of a class whose metatype is a heap type: the metatype first.
    const meta = this.rt.typeOf(op);
    if (meta !== this.type) {
      const r = visit(this.rt.heapTypeObject(meta));
      if (r !== 0) return r;
    }
    return visitFields(op, TRAVERSED, visit);
  }
}
