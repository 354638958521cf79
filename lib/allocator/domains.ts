/*
 * Allocator domains, as PEP 445 / Include/cpython/pymem.h define them.
 *
 *   RAW  PyMem_RawMalloc & co.   default: the C library (RawMemory)
 *   MEM  PyMem_Malloc & co.      default: pymalloc
 *   OBJ  PyObject_Malloc & co.   default: pymalloc
 *
 * Each domain holds one MemAllocator (CPython's PyMemAllocatorEx; the ctx
 * pointer is the closure). getAllocator/setAllocator swap it, so a hook is a
 * MemAllocator that calls the one it replaced, exactly as with
 * PyMem_GetAllocator / PyMem_SetAllocator; pymalloc's own fall-back to the raw
 * allocator goes through the RAW domain's current allocator, so RAW hooks see
 * it as in CPython. Functions return 0 for NULL.
 */

/** The three allocator domains (PyMemAllocatorDomain). */
export enum Domain {
  RAW = 0,
  MEM = 1,
  OBJ = 2,
}

/** PyMemAllocatorEx: the four functions of one allocator; 0 is NULL. */
export interface MemAllocator {
  malloc(size: number): number;
  calloc(nelem: number, elsize: number): number;
  realloc(ptr: number, size: number): number;
  free(ptr: number): void;
}

/** Checks that `d` is a Domain value. */
export function isDomain(d: unknown): d is Domain {
  return d === Domain.RAW || d === Domain.MEM || d === Domain.OBJ;
}
