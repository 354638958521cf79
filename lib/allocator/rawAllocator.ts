/*
 * The RAW domain's default allocator: _PyMem_RawMalloc & co. of obmalloc.c,
 * the C library's functions with CPython's zero-size rule (malloc(0) is
 * malloc(1), so NULL always means failure).
 */
import type { MemAllocator } from './domains.js';
import type { RawMemory } from './osMemory.js';

/** _PyMem_RawMalloc / _PyMem_RawCalloc / _PyMem_RawRealloc / _PyMem_RawFree over `mem`. */
export function rawAllocator(mem: RawMemory): MemAllocator {
  return {
    malloc: (size) => mem.malloc(size === 0 ? 1 : size),
    calloc: (nelem, elsize) => (nelem === 0 || elsize === 0 ? mem.calloc(1, 1) : mem.calloc(nelem, elsize)),
    realloc: (ptr, size) => (ptr === 0 ? mem.malloc(size === 0 ? 1 : size) : mem.realloc(ptr, size === 0 ? 1 : size)),
    free: (ptr) => {
      if (ptr !== 0) mem.free(ptr);
    },
  };
}
