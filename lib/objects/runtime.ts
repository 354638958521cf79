/*
 * The object runtime: one interpreter's objects over one Heap. It mirrors the
 * pieces of Objects/object.c, Objects/typeobject.c's allocation helpers and
 * Modules/gcmodule.c's object-facing API that every type needs:
 *
 *   types          the registry; ob_type holds a type's id
 *   refcounts      Py_INCREF / Py_DECREF, with immediate deallocation
 *   allocation     PyObject_Malloc (OBJ domain) and PyMem_Malloc (MEM domain),
 *                  PyObject_New / _PyObject_GC_New(Var) / PyObject_GC_Del
 *   gc tracking    PyObject_GC_Track / UnTrack over GcState's lists
 *   trashcan       Py_TRASHCAN_BEGIN / END: deallocation never nests deeper
 *                  than 50 levels; deeper objects wait on a chain threaded
 *                  through their (untracked) PyGC_Heads
 *   static objects singletons CPython keeps in static memory (None, small
 *                  ints, the empty tuple …): bump-allocated in blocks the heap
 *                  maps outside pymalloc (PyMalloc.mapStatic)
 *
 * Pointer checks (O(1), on every Py_INCREF / Py_DECREF / Py_TYPE): a
 * pointer is a positive multiple of 8 (objects are 16-aligned in blocks that
 * are 8- or 16-aligned) whose ob_type word is one of this runtime's type
 * words (typeBase + id, layout.ts); a freed object's ob_type is cleared
 * (objectDel, gcDel), so a freed, interior or foreign pointer has no type.
 *
 * Invariants: a live object has ob_refcnt >= 1 and its type's word in ob_type;
 * ob_refcnt reaching 0 runs the type's dealloc before decref returns (or
 * queues it on the trashcan chain, run before the outermost dealloc returns);
 * static objects are never deallocated.
 */
import { Domain, type MemAllocator } from '../allocator/domains.js';
import { Heap, type HeapOptions } from '../allocator/heap.js';
import { DisposedError, InvalidArgumentError, InvalidPointerError, OutOfMemoryError, PymemError, describe } from '../errors.js';
import { type GcPolicyName, gcPolicyOf } from './gcPolicy.js';
import { GcState } from './gcState.js';
import {
  PyGC_Head,
  PyManagedDictPreHeader,
  PyObject,
  asGc,
  gcNext,
  gcPrev,
  obRefcnt,
  obSize,
  obType,
  managedDict,
  managedValues,
  preHeaderOf,
  roundUpPtr,
  type ObjectValidationContext,
} from './layout.js';
import * as layout from './layout.js';
import { byteAtOr, heapViews } from '../allocator/access.js';
import { regionInfo } from '../allocator/region.js';
import * as pointer from '../allocator/pointer.js';
import {
  Py_TPFLAGS_HAVE_GC,
  Py_TPFLAGS_MANAGED_DICT,
  type PyTypeObject,
  type TypeSlots,
  type Visit,
  isGcType,
  preHeaderBytes,
} from './type.js';

// V8 loads an imported binding from its module cell, with a TDZ check, at every use; a module's
// own top-level consts it folds into the optimized code. So the hot paths' constants are local copies.
const { GC_HEAD_SIZE, GC_NEXT_F64, GC_PREV_F64, MANAGED_DICT_F64, MANAGED_VALUES_F64, OB_REFCNT_U32, OB_SIZE_U32, OB_TYPE_F64 } = layout;
const { SMALL_LIMIT } = pointer;

/** log2 of the bytes mapped at a time for static objects (staticAlloc maps at least this, aligned to its size). */
const STATIC_CHUNK_SHIFT = 16;
/** Bytes mapped at a time for static objects. */
const STATIC_CHUNK = 2 ** STATIC_CHUNK_SHIFT;

/** _PyTrash_UNWIND_LEVEL: deallocation nesting depth before objects are queued. */
// UNWIND_LEVEL and the like: local consts, as an exported const is a module cell V8 loads at every use.
const UNWIND_LEVEL = 50;
export const TRASH_UNWIND_LEVEL = UNWIND_LEVEL;

/** A reference-count error: a decref below zero, or an object used after it was deallocated. */
export class RefcountError extends PymemError {}


/** What sys.unraisablehook receives (UnraisableHookArgs), kept in Runtime.unraisable. */
export interface Unraisable {
  /** exc_value: what was thrown. */
  readonly error: unknown;
  /** err_msg; null for the default "Exception ignored in". */
  readonly errMsg: string | null;
  /** object: the pointer of the object it happened in (it may have been freed since). */
  readonly object: number;
  /** repr(object) at the time. */
  readonly objectRepr: string;
}


/** `p & SMALL_POINTER_MASK` is p exactly when p is an integer multiple of 8 in [0, SMALL_LIMIT). */
const SMALL_POINTER_MASK = SMALL_LIMIT - 8;

/** Where the ob_type words of the next runtime start (each runtime its own range above 2^50). */
let nextTypeBase = 2 ** 50;
/** Type words per runtime (the most types one runtime may register). */
const TYPE_RANGE = 2 ** 16;

/**
 * The error of a failed PyObject_Malloc / PyMem_Malloc (built out of line: V8 inlines by bytecode
 * size, and a template literal in a hot function spends that budget).
 */
function allocationFailed(what: string, n: number): OutOfMemoryError {
  return new OutOfMemoryError(`${what}(${n}) failed`, n);
}

/** gc_alloc's error for a type without Py_TPFLAGS_HAVE_GC (out of line, as allocationFailed). */
function notAGcType(type: PyTypeObject): InvalidArgumentError {
  return new InvalidArgumentError(`type ${type.name} is not a GC type`);
}

/** Whether p (a positive integer) lies in mapped heap memory: a bound span, or a live raw block. */
function isMapped(p: number): boolean {
  return byteAtOr(p) >= 0;
}

/** Options of a new Runtime: those of its Heap, and the collector's schedule (gcPolicy.ts; default '3.11'). */
export interface RuntimeOptions extends HeapOptions {
  readonly gcPolicy?: GcPolicyName;
}

/** One interpreter's object space. */
export class Runtime {
  readonly heap: Heap;
  readonly gc: GcState;
  readonly types: PyTypeObject[] = [];
  /** The ob_type word of types[0]: a type's word is typeBase + its id. */
  readonly typeBase: number;
  /**
   * The heap type object of a class (0 when it has none: a built-in type, or
   * a class made without one through the C-API). Its instances hold a
   * reference to it (PyType_GenericAlloc / subtype_dealloc) and traverse it.
   */
  heapTypeObject: (t: PyTypeObject) => number = () => 0;
  /** Every error reported by writeUnraisable, oldest first (what the default sys.unraisablehook prints). */
  readonly unraisable: Unraisable[] = [];
  /**
   * The region's views (access.ts's heapViews, fixed once the region is
   * made): what the hot paths index for a small pointer (layout.ts's word
   * constants). Everything else goes through the declared accessors.
   */
  readonly u8: Uint8Array;
  readonly u32: Uint32Array;
  readonly f64: Float64Array;
  /**
   * By type id, what the hot paths need of a type without a property load on
   * it (registered types have many shapes, so `type.dealloc` is a megamorphic
   * load): tp_dealloc, tp_flags, and the bytes before the object in its block
   * (PyGC_Head and pre-header; 0 for a non-GC type).
   */
  readonly typeDealloc: ((rt: Runtime, op: number) => void)[] = [];
  /** tp_traverse, tp_clear, tp_finalize and tp_del by type id (null: none), for the collector. */
  readonly typeTraverse: (((rt: Runtime, op: number, visit: Visit) => number) | null)[] = [];
  readonly typeClear: (((rt: Runtime, op: number) => void) | null)[] = [];
  readonly typeFinalize: (((rt: Runtime, op: number) => void) | null)[] = [];
  readonly typeDel: (((rt: Runtime, op: number) => void) | null)[] = [];
  readonly typeFlags: number[] = [];
  readonly typePreBytes: number[] = [];
  /** tp_basicsize and tp_weaklistoffset by type id. */
  readonly typeBasicsize: number[] = [];
  readonly typeWeaklistoffset: number[] = [];
  private readonly staticSet = new Set<number>();
  /** One byte per 2^STATIC_CHUNK_SHIFT bytes of the region: 1 where a static block of this runtime lies (Py_DECREF's cheap pre-check of staticSet). */
  private readonly staticChunks: Uint8Array;
  /** Next free byte of the current static block, and its end. */
  private staticNext = 0;
  private staticEnd = 0;
  private obj: MemAllocator;
  private memDomain: MemAllocator;
  /** Set by dispose(): the heap is unmapped, no object is live. */
  private disposedFlag = false;
  /** tstate->trash_delete_nesting. */
  private trashDeleteNesting = 0;
  /** tstate->trash_delete_later: head of the chain of objects waiting to be deallocated (0: none). */
  private trashDeleteLater = 0;

  constructor(options: RuntimeOptions = {}) {
    const { gcPolicy, ...heapOptions } = options;
    const policy = gcPolicyOf(gcPolicy);
    this.heap = new Heap(heapOptions);
    this.u8 = heapViews.u8;
    this.u32 = heapViews.u32;
    this.f64 = heapViews.f64;
    this.staticChunks = new Uint8Array(regionInfo().bytes >>> STATIC_CHUNK_SHIFT);
    this.typeBase = nextTypeBase;
    nextTypeBase += TYPE_RANGE;
    this.obj = this.heap.getAllocator(Domain.OBJ);
    this.memDomain = this.heap.getAllocator(Domain.MEM);
    this.gc = new GcState((n) => this.staticAlloc(n), policy);
  }

  // --- types ------------------------------------------------------------------------

  /** Registers a type (PyType_Ready for a static type). */
  registerType(slots: TypeSlots): PyTypeObject {
    if (this.types.length >= TYPE_RANGE) throw new InvalidArgumentError(`a runtime registers at most ${TYPE_RANGE} types`);
    if ((slots.flags & Py_TPFLAGS_MANAGED_DICT) !== 0 && (slots.flags & Py_TPFLAGS_HAVE_GC) === 0) {
      throw new InvalidArgumentError(`type ${slots.name}: a managed __dict__ needs Py_TPFLAGS_HAVE_GC`);
    }
    const t: PyTypeObject = Object.freeze({
      weaklistoffset: 0,
      dictoffset: 0,
      ...slots,
      id: this.types.length,
    });
    this.types.push(t);
    this.typeDealloc.push(t.dealloc);
    this.typeTraverse.push(t.traverse ?? null);
    this.typeClear.push(t.clear ?? null);
    this.typeFinalize.push(t.finalize ?? null);
    this.typeDel.push(t.del ?? null);
    this.typeFlags.push(t.flags);
    this.typePreBytes.push(isGcType(t) ? preHeaderBytes(t) : 0);
    this.typeBasicsize.push(t.basicsize);
    this.typeWeaklistoffset.push(t.weaklistoffset);
    return t;
  }

  /**
   * Py_TYPE(op), or null when op is no live object of this runtime: not a
   * positive multiple of 8, or its ob_type word names none of its types
   * (an interior pointer, a freed object, another runtime's object).
   */
  typeOrNull(op: number): PyTypeObject | null {
    const id = this.typeIdOf(op);
    return id < 0 ? null : this.types[id]!;
  }

  /**
   * The id of Py_TYPE(op) (its index in `types` and the tables beside it),
   * or -1 when op is no live object of this runtime (as typeOrNull).
   */
  typeIdOf(op: number): number {
    // A small pointer: an int32 multiple of 8 (op % 8 on a double is a call to fmod, measured the top
    // cost of Py_DECREF), whose ob_type word is read from the region's view directly. Everything
    // else is outlined: V8 inlines by bytecode size, and this runs inside every Py_INCREF / Py_DECREF.
    if (typeof op === 'number' && op === (op & SMALL_POINTER_MASK) && op !== 0) return this.idOfWord(this.f64[(op >>> 3) + OB_TYPE_F64]!);
    return this.typeIdOther(op);
  }

  /** typeIdOf for anything but a nonzero small pointer: NULL, a raw block's object, or no pointer. */
  private typeIdOther(op: number): number {
    if (typeof op !== 'number' || !(op > 0) || op % 8 !== 0 || op < SMALL_LIMIT || !isMapped(op)) return -1;
    return this.idOfWord(obType.get(op));
  }

  /**
   * The id of the type whose ob_type word is w, or -1 when w (any number)
   * is none of this runtime's words. The difference is made an int32 first:
   * an array indexed by a double was measured the top cost of Py_TYPE.
   */
  private idOfWord(w: number): number {
    const d = w - this.typeBase;
    const i = d | 0;
    return i === d && i >= 0 && i < this.types.length ? i : -1;
  }

  /** tp_flags of Py_TYPE(op), 0 when op is no live object of this runtime (PyXxx_Check's test, without a load from the type). */
  flagsOf(op: number): number {
    const id = this.typeIdOf(op);
    return id < 0 ? 0 : this.typeFlags[id]!;
  }

  /** Py_TYPE(op). */
  typeOf(op: number): PyTypeObject {
    const t = this.typeOrNull(op);
    if (t === null) throw this.notAnObject(op, 'Py_TYPE');
    return t;
  }

  /** The error for a pointer typeOrNull refused: RefcountError when it is a deallocated object, else InvalidPointerError. */
  private notAnObject(op: unknown, what: string): PymemError {
    if (this.disposedFlag) return new DisposedError(`${what} of ${describe(op)}: this Python space was disposed (its heap is unmapped)`);
    if (typeof op !== 'number') return new InvalidPointerError(`${what} of ${describe(op)}: a pointer is a number`, Number.NaN);
    const why = !Number.isFinite(op)
      ? 'not a finite number'
      : !Number.isInteger(op)
        ? 'not an integer'
        : !Number.isSafeInteger(op)
          ? 'beyond 2^53, not exact'
          : op <= 0
            ? 'not positive'
            : op % 8 !== 0
              ? 'not a multiple of 8'
              : !isMapped(op)
                ? 'in no memory of this heap'
                : null;
    if (why !== null) return new InvalidPointerError(`${what} of ${describe(op)}: ${why}, so no pointer to an object (a positive multiple of 8 in this heap)`, op);
    // A freed object's ob_type is cleared; one on a free list keeps ob_refcnt 0.
    if (obType.get(op) === 0 || obRefcnt.get(op) === 0) return new RefcountError(`${what} of ${op}: the object was deallocated`);
    return new InvalidPointerError(`${what} of ${op}: not a live object of this runtime`, op);
  }

  /** The ob_type word of objects of type t. */
  typeWord(t: PyTypeObject): number {
    return this.typeBase + t.id;
  }

  // --- refcounts ----------------------------------------------------------------------

  /** Py_REFCNT(op). */
  refcnt(op: number): number {
    this.typeOf(op);
    return obRefcnt.get(op);
  }
  /** Py_SET_REFCNT(op). */
  setRefcnt(op: number, n: number): void {
    obRefcnt.set(op, n);
  }
  /**
   * Told of every object made or taken from a free list, once its type is
   * set (the _PyTraceMalloc_NewReference call of _Py_NewReference: tracemalloc
   * gives the block the current traceback); null when nothing listens.
   */
  newReferenceHook: ((op: number) => void) | null = null;
  /** _Py_NewReference for an object taken from a free list: refcount 1, the hook told. */
  newReference(op: number): void {
    if (op < SMALL_LIMIT) {
      const w = (op >>> 2) + OB_REFCNT_U32;
      this.u32[w] = 1;
      this.u32[w + 1] = 0;
    } else obRefcnt.set(op, 1);
    if (this.newReferenceHook !== null) this.newReferenceHook(op);
  }
  /** Py_INCREF(op): refuses a pointer that is no live object (and one already deallocated). */
  incref(op: number): void {
    // A small pointer whose type word is one of ours, and a low word that cannot carry: one
    // increment (exact for any high word). Everything else is outlined (see typeIdOf).
    if (typeof op === 'number' && op === (op & SMALL_POINTER_MASK) && op !== 0 && this.idOfWord(this.f64[(op >>> 3) + OB_TYPE_F64]!) >= 0) {
      const w = (op >>> 2) + OB_REFCNT_U32;
      const lo = this.u32[w]!;
      if (lo !== 0xffffffff) {
        this.u32[w] = lo + 1;
        return;
      }
    }
    this.increfOther(op);
  }
  /** Py_INCREF of an object in a raw block, a carry into the high word, or no object. */
  private increfOther(op: number): void {
    if (this.typeIdOf(op) < 0) throw this.notAnObject(op, 'Py_INCREF');
    obRefcnt.set(op, obRefcnt.get(op) + 1);
  }
  /** Py_XINCREF(op). */
  xincref(op: number): void {
    if (op !== 0) this.incref(op);
  }
  /** Py_DECREF(op): deallocates at once when the count reaches zero. */
  decref(op: number): void {
    // As incref: a small pointer of ours whose low word cannot borrow is one decrement.
    if (typeof op === 'number' && op === (op & SMALL_POINTER_MASK) && op !== 0) {
      const id = this.idOfWord(this.f64[(op >>> 3) + OB_TYPE_F64]!);
      if (id >= 0) {
        const w = (op >>> 2) + OB_REFCNT_U32;
        const lo = this.u32[w]!;
        if (lo > 1) this.u32[w] = lo - 1;
        else this.decrefLast(op, id);
        return;
      }
    }
    this.decrefOther(op);
  }
  /** Py_DECREF of an object in a raw block, or of no object. */
  private decrefOther(op: number): void {
    const id = this.typeIdOf(op);
    if (id < 0) throw this.notAnObject(op, 'Py_DECREF');
    this.decrefLast(op, id);
  }
  /** Py_DECREF once the low word is 0 or 1 (or op is in a raw block): the last reference, or a borrow from the high word. */
  private decrefLast(op: number, id: number): void {
    const w = (op >>> 2) + OB_REFCNT_U32;
    if (op < SMALL_LIMIT && this.u32[w] === 1 && this.u32[w + 1] === 0 && this.staticChunks[op >>> STATIC_CHUNK_SHIFT] === 0) {
      this.u32[w] = 0;
      this.typeDealloc[id]!(this, op);
    } else this.decrefRare(op, id);
  }
  /** decrefLast for a count other than 1, an object in a raw block or one in static memory. */
  private decrefRare(op: number, id: number): void {
    const n = obRefcnt.get(op);
    if (n > 1) {
      obRefcnt.set(op, n - 1);
      return;
    }
    if (n < 1) throw new RefcountError(`Py_DECREF of ${op}: its reference count is already ${n} (deallocated)`);
    if (this.staticSet.has(op)) {
      throw new RefcountError(`Py_DECREF would deallocate a static object (${this.types[id]!.name}): too many Py_DECREFs`);
    }
    obRefcnt.set(op, 0);
    this.typeDealloc[id]!(this, op);
  }
  /** Py_SIZE(op) (an i64). */
  sizeOf(op: number): number {
    if (op < SMALL_LIMIT) {
      const w = (op >>> 2) + OB_SIZE_U32;
      return this.u32[w]! + (this.u32[w + 1]! | 0) * 4294967296;
    }
    return obSize.get(op);
  }
  /** Py_XDECREF(op). */
  xdecref(op: number): void {
    if (op !== 0) this.decref(op);
  }

  // --- allocation -----------------------------------------------------------------------

  /** PyObject_Malloc: the OBJ domain's allocator (hooks see it); throws OutOfMemoryError on NULL. */
  objectMalloc(n: number): number {
    const p = this.obj.malloc(n);
    if (p === 0) throw allocationFailed('PyObject_Malloc', n);
    return p;
  }
  /** PyObject_Realloc. */
  objectRealloc(p: number, n: number): number {
    const q = this.obj.realloc(p, n);
    if (q === 0) throw new OutOfMemoryError(`PyObject_Realloc(${n}) failed`, n);
    return q;
  }
  /** PyObject_Free. */
  objectFree(p: number): void {
    this.obj.free(p);
  }
  /** PyObject_Free of a non-GC object: its ob_type cleared first, so the freed block reads as no object. */
  objectDel(op: number): void {
    if (op < SMALL_LIMIT) this.f64[(op >>> 3) + OB_TYPE_F64] = 0;
    else obType.set(op, 0);
    this.obj.free(op);
  }
  /** PyMem_Malloc: the MEM domain's allocator. */
  memMalloc(n: number): number {
    const p = this.memDomain.malloc(n);
    if (p === 0) throw allocationFailed('PyMem_Malloc', n);
    return p;
  }
  /** PyMem_Calloc. */
  memCalloc(nelem: number, elsize: number): number {
    const p = this.memDomain.calloc(nelem, elsize);
    if (p === 0) throw new OutOfMemoryError(`PyMem_Calloc(${nelem}, ${elsize}) failed`, nelem * elsize);
    return p;
  }
  /** PyMem_Realloc. */
  memRealloc(p: number, n: number): number {
    const q = this.memDomain.realloc(p, n);
    if (q === 0) throw new OutOfMemoryError(`PyMem_Realloc(${n}) failed`, n);
    return q;
  }
  /** PyMem_Free. */
  memFree(p: number): void {
    this.memDomain.free(p);
  }
  /** Re-reads the OBJ and MEM domains' allocators (call after Heap.setAllocator). */
  refreshAllocators(): void {
    this.obj = this.heap.getAllocator(Domain.OBJ);
    this.memDomain = this.heap.getAllocator(Domain.MEM);
  }

  /** _PyObject_Init / _PyObject_InitVar: refcount 1, type, size. */
  initObject(op: number, type: PyTypeObject, size?: number): number {
    this.initWord(op, this.typeBase + type.id);
    if (size !== undefined) obSize.set(op, size);
    return op;
  }
  /** _PyObject_InitVar by ob_type word (as initWord): refcount 1, type, ob_size = size. */
  initVarWord(op: number, word: number, size: number): number {
    if (op < SMALL_LIMIT && (size | 0) === size) {
      const w = (op >>> 2) + OB_SIZE_U32;
      this.u32[w] = size;
      this.u32[w + 1] = size >> 31;
    } else obSize.set(op, size);
    return this.initWord(op, word);
  }
  /**
   * _PyObject_Init by ob_type word (typeWord(t)): the hot paths' form, which
   * reads nothing from the type object (see typeDealloc).
   */
  initWord(op: number, word: number): number {
    if (op < SMALL_LIMIT) {
      const w = (op >>> 2) + OB_REFCNT_U32;
      this.u32[w] = 1;
      this.u32[w + 1] = 0;
      this.f64[(op >>> 3) + OB_TYPE_F64] = word;
    } else {
      obRefcnt.set(op, 1);
      obType.set(op, word);
    }
    if (this.newReferenceHook !== null) this.newReferenceHook(op);
    return op;
  }

  /** PyObject_New(type): a non-GC object of tp_basicsize bytes. */
  newObject(type: PyTypeObject): number {
    return this.initObject(this.objectMalloc(type.basicsize), type);
  }
  /** PyObject_NewVar(type, n). */
  newVarObject(type: PyTypeObject, n: number): number {
    return this.initObject(this.objectMalloc(roundUpPtr(type.basicsize + n * type.itemsize)), type, n);
  }

  /** _PyObject_GC_New / gc_alloc: a GC object (untracked) with PyGC_Head and any pre-header. */
  gcNew(type: PyTypeObject): number {
    return this.initObject(this.gcAlloc(type, type.basicsize), type);
  }
  /** _PyObject_GC_NewVar(type, n). */
  gcNewVar(type: PyTypeObject, n: number): number {
    return this.initObject(this.gcAlloc(type, roundUpPtr(type.basicsize + n * type.itemsize)), type, n);
  }
  /** _PyObject_GC_Resize(op, n): a var GC object's block resized; returns the (possibly moved) object. */
  gcResize(op: number, n: number): number {
    const type = this.typeOf(op);
    const pre = preHeaderBytes(type);
    const block = this.objectRealloc(op - pre, pre + roundUpPtr(type.basicsize + n * type.itemsize));
    const moved = block + pre;
    obSize.set(moved, n);
    return moved;
  }
  private gcAlloc(type: PyTypeObject, basicsize: number): number {
    if (!isGcType(type)) throw notAGcType(type);
    return this.gcAllocId(type.id, basicsize);
  }
  /**
   * gc_alloc for the GC type of id `id`, `basicsize` bytes of object: the
   * object's address (untracked, nothing initialised but its PyGC_Head and
   * pre-header). The hot paths' form (see typeDealloc); initWord the object.
   */
  gcAllocId(id: number, basicsize: number): number {
    const pre = this.typePreBytes[id]!;
    const op = this.objectMalloc(pre + basicsize) + pre;
    // _PyObject_GC_Link: the head starts untracked, and gen 0 counts the new container.
    if (op < SMALL_LIMIT) {
      const f = op >>> 3;
      this.f64[f + GC_NEXT_F64] = 0;
      this.f64[f + GC_PREV_F64] = 0;
      if (pre > GC_HEAD_SIZE) {
        this.f64[f + MANAGED_VALUES_F64] = 0;
        this.f64[f + MANAGED_DICT_F64] = 0;
      }
    } else this.clearPreHeader(op, pre);
    this.gc.linked();
    return op;
  }
  /** gcAllocId's clearing of the PyGC_Head and pre-header, for an object in a raw block. */
  private clearPreHeader(op: number, pre: number): void {
    gcNext.set(asGc(op), 0);
    gcPrev.set(asGc(op), 0);
    if (pre > GC_HEAD_SIZE) {
      managedValues.set(op, 0);
      managedDict.set(op, 0);
    }
  }
  /** PyObject_GC_Del(op): unlink if tracked, uncount, free the block. */
  gcDel(op: number): void {
    const id = this.typeIdOf(op);
    if (id < 0) this.typeOf(op);
    this.gc.untrackIfTracked(op);
    this.gc.deleted();
    if (op < SMALL_LIMIT) this.f64[(op >>> 3) + OB_TYPE_F64] = 0;
    else obType.set(op, 0);
    this.objectFree(op - this.typePreBytes[id]!);
  }
  /** PyObject_GC_Track. */
  gcTrack(op: number): void {
    if (this.gc.isTracked(op)) throw this.alreadyTracked(op);
    this.gc.track(op);
  }
  private alreadyTracked(op: number): PymemError {
    return new PymemError(`object ${op} (${this.typeOf(op).name}) is already tracked`);
  }
  /** PyObject_GC_UnTrack (no effect when untracked). */
  gcUntrack(op: number): void {
    this.gc.untrackIfTracked(op);
  }

  // --- trashcan -------------------------------------------------------------------------

  /**
   * Py_TRASHCAN_BEGIN(op) / _PyTrash_begin: true when op was queued instead
   * (the caller returns at once); false when the caller deallocates now and
   * must call trashcanEnd() afterwards. op must be untracked.
   */
  trashcanBegin(op: number): boolean {
    if (this.trashDeleteNesting >= UNWIND_LEVEL) return this.trashDeposit(op);
    ++this.trashDeleteNesting;
    return false;
  }

  /** _PyTrash_thread_deposit_object: thread op through its PyGC_Head's prev word, keeping its flag bits. Returns true. */
  private trashDeposit(op: number): boolean {
    const g = asGc(op);
    gcPrev.set(g, this.trashDeleteLater + (gcPrev.get(g) & 3));
    this.trashDeleteLater = op;
    return true;
  }

  /** Py_TRASHCAN_END / _PyTrash_end: at the outermost level, run the queued deallocations. */
  trashcanEnd(): void {
    --this.trashDeleteNesting;
    if (this.trashDeleteLater !== 0 && this.trashDeleteNesting <= 0) this.trashDestroyChain();
  }

  /** _PyTrash_thread_destroy_chain. */
  private trashDestroyChain(): void {
    while (this.trashDeleteLater !== 0) {
      const op = this.trashDeleteLater;
      const g = asGc(op);
      const w = gcPrev.get(g);
      this.trashDeleteLater = w - (w & 3);
      gcPrev.set(g, w & 3);
      ++this.trashDeleteNesting;
      this.typeOf(op).dealloc(this, op);
      --this.trashDeleteNesting;
    }
  }

  /**
   * PyErr_WriteUnraisable / _PyErr_WriteUnraisableMsg: records an error that
   * cannot propagate (a weakref callback's, a finalizer's, a gc callback's).
   */
  writeUnraisable(error: unknown, object: number, objectRepr: string, errMsg: string | null = null): void {
    this.unraisable.push({ error, errMsg, object, objectRepr });
  }

  // --- static objects ---------------------------------------------------------------------

  /**
   * Zeroed, 16-aligned memory for an object CPython keeps in static memory
   * (never freed until dispose): bump-allocated from blocks the heap maps
   * outside pymalloc, in the small-pointer space, so access is as fast as to
   * any pymalloc block.
   */
  staticAlloc(n: number): number {
    const size = Math.ceil(n / 16) * 16;
    if (this.staticNext + size > this.staticEnd) {
      const chunk = Math.max(STATIC_CHUNK, 2 ** Math.ceil(Math.log2(size)));
      const base = this.heap.pymalloc.mapStatic(chunk);
      if (base === 0) throw new OutOfMemoryError(`static allocation of ${n} bytes failed`, n);
      this.staticNext = base;
      this.staticEnd = base + chunk;
      this.staticChunks.fill(1, base >>> STATIC_CHUNK_SHIFT, (base + chunk) >>> STATIC_CHUNK_SHIFT);
    }
    const p = this.staticNext;
    this.staticNext += size;
    return p;
  }

  /** A static object of `type` (refcount 1, never deallocated), with room for `size` bytes. */
  staticObject(type: PyTypeObject, size: number, obSize?: number): number {
    const pre = isGcType(type) ? preHeaderBytes(type) : 0;
    const op = this.staticAlloc(pre + size) + pre;
    this.staticSet.add(op);
    return this.initObject(op, type, obSize);
  }

  /** Whether op is a static object (a singleton outside pymalloc). */
  isStatic(op: number): boolean {
    return this.staticSet.has(op);
  }

  /**
   * The problems found in the object at op, each naming its struct and field
   * (empty: none): the object header, the type's declared layout, the
   * PyGC_Head of a GC object and the pre-header of a managed-dict instance.
   * For tests and property runs (it touches every field).
   */
  validateObject(op: number): string[] {
    const type = this.typeOrNull(op);
    if (type === null) return [`PyObject.ob_type: ${describe(op)} is no live object of this runtime`];
    const ctx: ObjectValidationContext = { rt: this, isPointer: isMapped };
    const out = (type.layout ?? PyObject).validate(op, ctx);
    if (type.validate !== undefined) out.push(...type.validate(this, op, ctx));
    if (isGcType(type)) out.push(...PyGC_Head.validate(asGc(op), ctx));
    if ((type.flags & Py_TPFLAGS_MANAGED_DICT) !== 0) out.push(...PyManagedDictPreHeader.validate(preHeaderOf(op), ctx));
    return out;
  }

  /** Whether dispose() has run. */
  get disposed(): boolean {
    return this.disposedFlag;
  }
  /** Throws DisposedError once dispose() has run (for entry points that walk the heap: the collector's). */
  checkNotDisposed(what: string): void {
    if (this.disposedFlag) throw new DisposedError(`${what}: this Python space was disposed (its heap is unmapped)`);
  }

  /** Unmaps the heap (its arenas and static blocks). */
  dispose(): void {
    this.disposedFlag = true;
    this.heap.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
