/*
 * The memory-related functions of Python's `sys` module over an
 * Interpreter: getsizeof, getrefcount, intern and _debugmallocstats (the
 * allocator's section followed by the free-list lines, in the order
 * _PyObject_DebugTypeStats prints them: dict, float, list, tuple).
 */
import { debugAllocatorStats } from '../allocator/stats.js';
import type { Interpreter } from './interpreter.js';
import { SIZEOF_VOID_P } from './layout.js';

/** sizeof(PyDictObject), sizeof(PyListObject), sizeof(PyTupleObject) (one item) on 64-bit. */
const SIZEOF_DICT = 48;
const SIZEOF_LIST = 40;
const SIZEOF_TUPLE1 = 32;

/** sys.getsizeof(op). */
export function getsizeof(interp: Interpreter, op: number): number {
  return interp.getsizeof(op);
}

/** sys.getrefcount(op): ob_refcnt plus the reference held by the call's argument. */
export function getrefcount(interp: Interpreter, op: number): number {
  return interp.getrefcount(op);
}

/** sys.intern(s): the interned string equal to s, as a new reference. */
export function intern(interp: Interpreter, s: number): number {
  return interp.str.sysIntern(s);
}

/** _PyObject_DebugTypeStats: the free-list lines after the allocator section. */
export function debugTypeStats(interp: Interpreter): string {
  let out = debugAllocatorStats('free PyDictObject', interp.dict.freeListSize(), SIZEOF_DICT);
  out += interp.float.debugMallocStats();
  out += debugAllocatorStats('free PyListObject', interp.list.freeListSize(), SIZEOF_LIST);
  interp.tuple.freeListSizes().forEach((n, i) => {
    out += debugAllocatorStats(`free ${i + 1}-sized PyTupleObject`, n, SIZEOF_TUPLE1 + i * SIZEOF_VOID_P);
  });
  return out;
}

/** sys._debugmallocstats() as text: the allocator section, a blank line, the free lists. */
export function debugmallocstats(interp: Interpreter): string {
  return `${interp.rt.heap.formatDebugMallocStats()}\n${debugTypeStats(interp)}`;
}
