/*
 * Reading co_exceptiontable, 3.11's exception table (Objects/exception_handling_notes.txt):
 * the evaluation loop looks up the handler of a raising instruction here
 * (ceval.c: get_exception_handler), dis prints it.
 *
 * Format: one entry per range of code units with one handler, each four
 * varints -- start, length, target (in code units) and depth << 1 | lasti --
 * the first byte of an entry having bit 7 set; varints are 6-bit chunks,
 * most significant first, bit 6 = more follows. Entries are sorted by start
 * and do not overlap.
 */

import type { CodeObject } from './code.js';

/** One entry: instructions at byte offsets [start, end) go to `target` with the stack cut to `depth` (plus lasti when set). */
export interface ExceptionTableEntry {
  start: number;
  end: number;
  target: number;
  depth: number;
  lasti: boolean;
}

/** Every entry of co_exceptiontable, offsets in bytes (dis._parse_exception_table). */
export function parseExceptionTable(co: CodeObject): ExceptionTableEntry[] {
  const t = co.exceptiontable;
  let p = 0;
  const varint = (): number => {
    let b = t[p++]!;
    let v = b & 63;
    while (b & 64) {
      b = t[p++]!;
      v = (v << 6) | (b & 63);
    }
    return v;
  };
  const out: ExceptionTableEntry[] = [];
  while (p < t.length) {
    const start = varint() * 2;
    const length = varint() * 2;
    const target = varint() * 2;
    const dl = varint();
    out.push({ start, end: start + length, target, depth: dl >> 1, lasti: (dl & 1) === 1 });
  }
  return out;
}

/** get_exception_handler: the entry covering byte offset `offset`, or null when nothing handles it there. */
export function exceptionHandler(co: CodeObject, offset: number): ExceptionTableEntry | null {
  for (const e of parseExceptionTable(co)) {
    if (offset >= e.start && offset < e.end) return e;
  }
  return null;
}
