/*
 * The RAW domain's default allocator: _PyMem_RawMalloc & co. of obmalloc.c,
 * the C library's functions with CPython's zero-size rule (malloc(0) is
 * malloc(1), so NULL always means failure).
 */
import { DisposedError } from '../errors.js';
import type { MemAllocator } from './domains.js';
import type { RawMemory } from './osMemory.js';

/**
 * _PyMem_RawMalloc / _PyMem_RawCalloc / _PyMem_RawRealloc / _PyMem_RawFree
 * over `mem`; once `disposed()` says so, every call is a DisposedError.
 */
export function rawAllocator(mem: RawMemory, disposed: () => boolean): MemAllocator {
  const open = (): void => {
    if (disposed()) throw new DisposedError('this heap was disposed: its raw blocks are freed');
  };
  return {
    malloc: (size) => (open(), mem.malloc(size === 0 ? 1 : size)),
    calloc: (nelem, elsize) => (open(), nelem === 0 || elsize === 0 ? mem.calloc(1, 1) : mem.calloc(nelem, elsize)),
    realloc: (ptr, size) => (open(), ptr === 0 ? mem.malloc(size === 0 ? 1 : size) : mem.realloc(ptr, size === 0 ? 1 : size)),
    free: (ptr) => {
      open();
      if (ptr !== 0) mem.free(ptr);
    },
  };
}
