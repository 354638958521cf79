/*
 * Reading co_linetable, 3.11's location table (Objects/locations.md), as
 * code.co_lines(), code.co_positions() and PyCode_Addr2Line do: the
 * evaluation loop needs it for tracebacks and line events, dis for its line
 * column.
 *
 * Format: a sequence of entries, each covering 1-8 code units. First byte
 * 0x80 | code << 3 | (units - 1); then by code:
 *   0-9    short form: same line, column code*8 + (b >> 4), end column + (b & 15)
 *   10-12  one-line form: line += code - 10, column byte, end column byte
 *   13     no column: line += svarint
 *   14     long form: line += svarint, end line = line + varint,
 *          column = varint - 1, end column = varint - 1
 *   15     no location
 * varints are 6-bit chunks, least significant first, bit 6 = more follows;
 * svarint is a varint of (v << 1) or (-v << 1 | 1).
 */

import type { CodeObject } from './code.js';

/** A location: lines 1-based, columns 0-based in UTF-8 bytes; null where the table has none. */
export interface Position {
  lineno: number | null;
  endLineno: number | null;
  col: number | null;
  endCol: number | null;
}

/** One entry of the table: code units [start, end) as byte offsets, and their location. */
export interface LocationEntry extends Position {
  start: number;
  end: number;
}

/** Decodes every entry of co_linetable (the data behind co_positions and co_lines). */
export function locationEntries(co: CodeObject): LocationEntry[] {
  const t = co.linetable;
  const out: LocationEntry[] = [];
  let p = 0;
  let line = co.firstlineno;
  let unit = 0;
  const varint = (): number => {
    let b = t[p++]!;
    let v = b & 63;
    let shift = 0;
    while (b & 64) {
      b = t[p++]!;
      shift += 6;
      v |= (b & 63) << shift;
    }
    return v;
  };
  const svarint = (): number => {
    const v = varint();
    return v & 1 ? -(v >> 1) : v >> 1;
  };
  while (p < t.length) {
    const first = t[p++]!;
    const code = (first >> 3) & 15;
    const length = (first & 7) + 1;
    let pos: Position;
    if (code === 15) {
      pos = { lineno: null, endLineno: null, col: null, endCol: null };
    } else if (code === 14) {
      line += svarint();
      const endLineno = line + varint();
      const col = varint() - 1;
      const endCol = varint() - 1;
      pos = { lineno: line, endLineno, col: col < 0 ? null : col, endCol: endCol < 0 ? null : endCol };
    } else if (code === 13) {
      line += svarint();
      pos = { lineno: line, endLineno: line, col: null, endCol: null };
    } else if (code >= 10) {
      line += code - 10;
      const col = t[p++]!;
      const endCol = t[p++]!;
      pos = { lineno: line, endLineno: line, col, endCol };
    } else {
      const b = t[p++]!;
      const col = code * 8 + (b >> 4);
      pos = { lineno: line, endLineno: line, col, endCol: col + (b & 15) };
    }
    out.push({ start: unit * 2, end: (unit + length) * 2, ...pos });
    unit += length;
  }
  return out;
}

/** code.co_positions(): the location of each code unit, caches included. */
export function coPositions(co: CodeObject): Position[] {
  const out: Position[] = [];
  for (const e of locationEntries(co)) {
    const { lineno, endLineno, col, endCol } = e;
    for (let u = e.start; u < e.end; u += 2) out.push({ lineno, endLineno, col, endCol });
  }
  return out;
}

/** One range of code.co_lines(): bytes [start, end) on `line` (null: no line). */
export interface LineRange {
  start: number;
  end: number;
  line: number | null;
}

/** code.co_lines(): one range per table entry, as 3.11's lineiter_next yields them. */
export function coLines(co: CodeObject): LineRange[] {
  return locationEntries(co).map((e) => ({ start: e.start, end: e.end, line: e.lineno }));
}

/** PyCode_Addr2Line: the line of the instruction at byte offset `offset` (-1 when it has none). */
export function addr2line(co: CodeObject, offset: number): number {
  if (offset < 0) return co.firstlineno;
  for (const e of locationEntries(co)) {
    if (offset >= e.start && offset < e.end) return e.lineno ?? -1;
  }
  return -1;
}
