/*
 * The debug allocator: CPython's debug hooks on the allocator domains
 * (PYTHONMALLOC=debug, PyMem_SetupDebugHooks in Objects/obmalloc.c), as a
 * decorator over any domain's MemAllocator. Each block asks the allocator
 * below for 3 * S more bytes (S = sizeof(size_t) = 8) and is laid out as in
 * 64-bit CPython 3.11 (no serial number: PYMEM_DEBUG_SERIALNO is off by
 * default there):
 *
 *   q = what the allocator below returned     p = q + 2*S, what the caller gets
 *
 *   q[0 : S]        nbytes requested, big-endian size_t
 *   q[S]            API id: 'r' (RAW), 'm' (MEM), 'o' (OBJ)
 *   q[S+1 : 2*S]    S-1 copies of FORBIDDENBYTE 0xFD   (catches under-writes)
 *   p[0 : n]        the data: CLEANBYTE 0xCD on malloc, 0 on calloc
 *   p[n : n+S]      S copies of FORBIDDENBYTE 0xFD     (catches over-writes)
 *
 * free and realloc first check the block (_PyMem_DebugCheckAddress: the API
 * id, then the leading pad, then the trailing pad) and fill what they
 * release with DEADBYTE 0xDD, so freeing a block twice or through the wrong
 * domain is a bad ID. Where CPython calls Py_FatalError with the dump of
 * _PyObject_DebugDumpAddress on stderr, pymem throws MemoryCorruptionError
 * carrying the same dump, before anything is freed.
 *
 * Invariants: every live block of a debug domain has a valid header and
 * trailer; the data of a block is exactly the caller's nbytes.
 */
import { InvalidPointerError, MemoryCorruptionError } from '../errors.js';
import { byteAtOr, fillBytes, storeU8, viewBytes } from './access.js';
import { Domain, type MemAllocator } from './domains.js';

/** sizeof(size_t). */
const SST = 8;
/** PYMEM_DEBUG_EXTRA_BYTES: 3 * SST without PYMEM_DEBUG_SERIALNO. */
export const PYMEM_DEBUG_EXTRA_BYTES = 3 * SST;
/** PYMEM_CLEANBYTE: fresh memory. */
export const PYMEM_CLEANBYTE = 0xcd;
/** PYMEM_DEADBYTE: released memory. */
export const PYMEM_DEADBYTE = 0xdd;
/** PYMEM_FORBIDDENBYTE: the pads around the data. */
export const PYMEM_FORBIDDENBYTE = 0xfd;
/** PY_SSIZE_T_MAX, as far as a double is exact. */
const PY_SSIZE_T_MAX = Number.MAX_SAFE_INTEGER;
/** ERASED_SIZE of _PyMem_DebugRawRealloc. */
const ERASED_SIZE = 64;

/** What the debug hooks ask of the heap they decorate. */
export interface DebugEnv {
  /** The real address of a pointer, for the dumps. */
  address(p: number): number;
  /**
   * The usable size of the live block of the allocator below at q, or -1 when
   * none starts there (beyond CPython, which trusts the header: a stale or
   * foreign pointer is refused before its header is believed).
   */
  blockBelow(q: number): number;
}

/** The API id of each domain (debug_alloc_api_t.api_id). */
export const API_ID: Readonly<Record<Domain, string>> = { [Domain.RAW]: 'r', [Domain.MEM]: 'm', [Domain.OBJ]: 'o' };

/** read_size_t: the big-endian size_t at q. */
function readSizeT(q: number): number {
  let n = 0;
  for (let i = 0; i < SST; i++) n = n * 256 + Math.max(byteAtOr(q + i), 0);
  return n;
}

/** write_size_t. */
function writeSizeT(q: number, n: number): void {
  for (let i = SST - 1; i >= 0; i--) {
    storeU8(q + i, n % 256);
    n = Math.floor(n / 256);
  }
}

const hex2 = (b: number): string => (b < 0 ? '??' : b.toString(16).padStart(2, '0'));
const ptrText = (address: number): string => `0x${address.toString(16)}`;

/**
 * _PyObject_DebugDumpAddress(p): the text CPython writes to stderr about the
 * debug block at p (`address` gives the real address printed for a pointer).
 */
export function debugDumpAddress(p: number, address: (p: number) => number): string {
  const out: string[] = [];
  const id = byteAtOr(p - SST);
  out.push(`Debug memory block at address p=${ptrText(address(p))}: API '${String.fromCharCode(Math.max(id, 0))}'\n`);
  const nbytes = readSizeT(p - 2 * SST);
  out.push(`    ${nbytes} bytes originally requested\n`);
  out.push(`    The ${SST - 1} pad bytes at p-${SST - 1} are `);
  let ok = true;
  for (let i = 1; i <= SST - 1; i++) if (byteAtOr(p - i) !== PYMEM_FORBIDDENBYTE) ok = false;
  if (ok) out.push('FORBIDDENBYTE, as expected.\n');
  else {
    out.push(`not all FORBIDDENBYTE (0x${hex2(PYMEM_FORBIDDENBYTE)}):\n`);
    for (let i = SST - 1; i >= 1; i--) {
      const b = byteAtOr(p - i);
      out.push(`        at p-${i}: 0x${hex2(b)}${b !== PYMEM_FORBIDDENBYTE ? ' *** OUCH' : ''}\n`);
    }
    out.push(
      '    Because memory is corrupted at the start, the count of bytes requested\n' +
        '       may be bogus, and checking the trailing pad bytes may segfault.\n',
    );
  }
  const tail = p + nbytes;
  out.push(`    The ${SST} pad bytes at tail=${ptrText(address(p) + nbytes)} are `);
  ok = true;
  for (let i = 0; i < SST; i++) if (byteAtOr(tail + i) !== PYMEM_FORBIDDENBYTE) ok = false;
  if (ok) out.push('FORBIDDENBYTE, as expected.\n');
  else {
    out.push(`not all FORBIDDENBYTE (0x${hex2(PYMEM_FORBIDDENBYTE)}):\n`);
    for (let i = 0; i < SST; i++) {
      const b = byteAtOr(tail + i);
      out.push(`        at tail+${i}: 0x${hex2(b)}${b !== PYMEM_FORBIDDENBYTE ? ' *** OUCH' : ''}\n`);
    }
  }
  if (nbytes > 0) {
    // Up to 8 bytes at the start and 8 at the end, counted by index (nbytes may be bogus and huge).
    let line = '    Data at p:';
    const head = Math.min(nbytes, 8);
    for (let i = 0; i < head; i++) line += ` ${hex2(byteAtOr(p + i))}`;
    if (nbytes > 8) {
      const rest = Math.min(nbytes - 8, 8);
      if (nbytes - 8 > 8) line += ' ...';
      for (let i = rest; i >= 1; i--) line += ` ${hex2(byteAtOr(tail - i))}`;
    }
    out.push(`${line}\n`);
  }
  out.push('\nEnable tracemalloc to get the memory block allocation traceback\n\n');
  return out.join('');
}

/**
 * The debug hooks over one domain's allocator (debug_alloc_api_t with the
 * _PyMem_DebugRaw* functions). `address` gives the real address of a
 * pointer, for the dumps.
 */
export function debugAllocator(inner: MemAllocator, domain: Domain, env: DebugEnv): MemAllocator {
  const api = API_ID[domain].charCodeAt(0);

  const checkAddress = (func: string, p: number): void => debugCheckAddress(func, domain, p, env);

  /** Writes the header at q and the trailer after nbytes; returns the data pointer. */
  const decorate = (q: number, nbytes: number): number => {
    writeSizeT(q, nbytes);
    storeU8(q + SST, api);
    fillBytes(q + SST + 1, SST - 1, PYMEM_FORBIDDENBYTE);
    const data = q + 2 * SST;
    fillBytes(data + nbytes, SST, PYMEM_FORBIDDENBYTE);
    return data;
  };

  /** _PyMem_DebugRawAlloc. */
  const rawAlloc = (useCalloc: boolean, nbytes: number): number => {
    if (nbytes > PY_SSIZE_T_MAX - PYMEM_DEBUG_EXTRA_BYTES) return 0;
    const total = nbytes + PYMEM_DEBUG_EXTRA_BYTES;
    const q = useCalloc ? inner.calloc(1, total) : inner.malloc(total);
    if (q === 0) return 0;
    const data = decorate(q, nbytes);
    if (nbytes > 0 && !useCalloc) fillBytes(data, nbytes, PYMEM_CLEANBYTE);
    return data;
  };

  return {
    malloc: (nbytes) => rawAlloc(false, nbytes),
    // _PyMem_DebugRawCalloc.
    calloc(nelem, elsize) {
      if (elsize !== 0 && nelem > PY_SSIZE_T_MAX / elsize) return 0;
      return rawAlloc(true, nelem * elsize);
    },
    // _PyMem_DebugRawRealloc: erase the old decorations (and the ends of the
    // data, saved) so a stale pointer to the old block reads as dead, resize,
    // decorate again, restore what was saved.
    realloc(p, nbytes) {
      if (p === 0) return rawAlloc(false, nbytes);
      checkAddress('_PyMem_DebugRawRealloc', p);
      let head = p - 2 * SST;
      const originalNbytes = readSizeT(head);
      if (nbytes > PY_SSIZE_T_MAX - PYMEM_DEBUG_EXTRA_BYTES) return 0;
      const total = nbytes + PYMEM_DEBUG_EXTRA_BYTES;
      const tail = p + originalNbytes;
      let saved: Uint8Array;
      let savedTail: Uint8Array | null = null;
      if (originalNbytes <= 2 * ERASED_SIZE) {
        saved = viewBytes(p, originalNbytes).slice();
        fillBytes(head, originalNbytes + PYMEM_DEBUG_EXTRA_BYTES, PYMEM_DEADBYTE);
      } else {
        saved = viewBytes(p, ERASED_SIZE).slice();
        fillBytes(head, ERASED_SIZE + 2 * SST, PYMEM_DEADBYTE);
        savedTail = viewBytes(tail - ERASED_SIZE, ERASED_SIZE).slice();
        fillBytes(tail - ERASED_SIZE, ERASED_SIZE + PYMEM_DEBUG_EXTRA_BYTES - 2 * SST, PYMEM_DEADBYTE);
      }
      const r = inner.realloc(head, total);
      if (r === 0) nbytes = originalNbytes;
      else head = r;
      const data = decorate(head, nbytes);
      if (savedTail === null) viewBytes(data, Math.min(nbytes, originalNbytes)).set(saved.subarray(0, Math.min(nbytes, originalNbytes)));
      else {
        const i = originalNbytes - ERASED_SIZE;
        viewBytes(data, Math.min(nbytes, ERASED_SIZE)).set(saved.subarray(0, Math.min(nbytes, ERASED_SIZE)));
        if (nbytes > i) viewBytes(data + i, Math.min(nbytes - i, ERASED_SIZE)).set(savedTail.subarray(0, Math.min(nbytes - i, ERASED_SIZE)));
      }
      if (r === 0) return 0;
      if (nbytes > originalNbytes) fillBytes(data + originalNbytes, nbytes - originalNbytes, PYMEM_CLEANBYTE);
      return data;
    },
    // _PyMem_DebugRawFree.
    free(p) {
      if (p === 0) return;
      checkAddress('_PyMem_DebugRawFree', p);
      const q = p - 2 * SST;
      fillBytes(q, readSizeT(q) + PYMEM_DEBUG_EXTRA_BYTES, PYMEM_DEADBYTE);
      inner.free(q);
    },
  };
}

/** The bytes a caller asked for of the live debug block at p (its header's nbytes). */
export function debugBlockSize(p: number): number {
  return readSizeT(p - 2 * SST);
}

/**
 * _PyMem_DebugCheckAddress(func, api, p): throws MemoryCorruptionError, with
 * the dump, when the block at p was not allocated through `domain` (or is
 * freed), or its leading or trailing pad was overwritten.
 */
export function debugCheckAddress(func: string, domain: Domain, p: number, env: DebugEnv): void {
  const below = env.blockBelow(p - 2 * SST);
  if (below < 0) throw new InvalidPointerError(`${func}: ${p} is not a live block of this heap`, p);
  const api = API_ID[domain].charCodeAt(0);
  const id = byteAtOr(p - SST);
  let reason: string | null = null;
  if (id !== api) {
    reason = `bad ID: Allocated using API '${String.fromCharCode(Math.max(id, 0))}', verified using API '${API_ID[domain]}'`;
  } else {
    // The leading pad first: if it is overwritten, nbytes may be nuts too.
    for (let i = SST - 1; i >= 1 && reason === null; i--) if (byteAtOr(p - i) !== PYMEM_FORBIDDENBYTE) reason = 'bad leading pad byte';
    const nbytes = readSizeT(p - 2 * SST);
    if (reason === null && nbytes + PYMEM_DEBUG_EXTRA_BYTES > below) {
      reason = `bad size: ${nbytes} bytes originally requested, but the block holds ${below - PYMEM_DEBUG_EXTRA_BYTES}`;
    }
    for (let i = 0; i < SST && reason === null; i++) if (byteAtOr(p + nbytes + i) !== PYMEM_FORBIDDENBYTE) reason = 'bad trailing pad byte';
  }
  if (reason !== null) throw new MemoryCorruptionError(func, reason, p, debugDumpAddress(p, (q) => env.address(q)));
}
