/*
 * The assembler of CPython 3.11 (Python/compile.c: assemble and its
 * helpers): from a unit's flow graph to a code object.
 *
 * Order of the passes, as 3.11's assemble():
 *   normalize_basic_block, extend_block → build_cellfixedoffsets →
 *   insert_prefix_instructions (COPY_FREE_VARS, MAKE_CELL, RETURN_GENERATOR)
 *   → fix_cell_offsets → optimize_cfg → duplicate_exits_without_lineno →
 *   trim_unused_consts → propagate_line_numbers → guarantee_lineno_for_exits
 *   → stackdepth → label_exception_targets → convert_exception_handlers_to_nops
 *   → clean_basic_block → normalize_jumps → assemble_jump_offsets → emit
 *   code, co_linetable, co_exceptiontable.
 *
 * co_linetable (Objects/locations.md): entries of up to 8 code units, a first
 * byte 0x80 | code << 3 | (units - 1), code 0-9 short form (same line, column
 * in one byte), 10-12 one-line form (line delta 0-2, column and end column
 * bytes), 13 no column (signed varint line delta), 14 long form (line delta,
 * end line delta, column + 1, end column + 1 as varints), 15 no location.
 * co_exceptiontable: per range of code units with one handler, varints of
 * start, length, target and depth << 1 | lasti, the start's first byte with
 * bit 7 set; 6-bit chunks, most significant first, bit 6 = more follows.
 */

import { Op, inlineCacheEntries, HAVE_ARGUMENT, EXTENDED_ARG } from './opcode.js';
import {
  type CodeObject, CO_OPTIMIZED, CO_NEWLOCALS, CO_NESTED, CO_GENERATOR, CO_COROUTINE, CO_ASYNC_GENERATOR,
  CO_VARARGS, CO_VARKEYWORDS, CO_FAST_LOCAL, CO_FAST_CELL, CO_FAST_FREE,
} from './code.js';
import {
  type Block, type Instr, type FlowGraph, NO_LOC, isJump, isBlockPush, isUnconditionalJump, isScopeExit, instrSize,
  normalizeBasicBlock, extendBlock, optimizeCfg, duplicateExitsWithoutLineno, trimUnusedConsts, propagateLineNumbers,
  guaranteeLinenoForExits, labelExceptionTargets, convertExceptionHandlersToNops, cleanBasicBlock, normalizeJumps,
  SETUP_FINALLY, SETUP_CLEANUP, SETUP_WITH, POP_BLOCK, JUMP, JUMP_NO_INTERRUPT,
  POP_JUMP_IF_FALSE, POP_JUMP_IF_TRUE, POP_JUMP_IF_NONE, POP_JUMP_IF_NOT_NONE,
} from './flowgraph.js';
import type { CompilerUnit } from './compile.js';

/** Thrown when the stack effect of an instruction is not defined (a compiler bug). */
export class InvalidStackEffectError extends Error {}

/**
 * stack_effect of compile.c 3.11 (opcode.stack_effect in Python): the change
 * of stack depth from `op` with `oparg`, on the jump path when `jump`.
 */
export function stackEffect(op: number, oparg: number, jump: boolean): number {
  switch (op) {
    case Op.NOP: case Op.EXTENDED_ARG: case Op.RESUME: case Op.CACHE: return 0;
    case Op.POP_TOP: return -1;
    case Op.SWAP: return 0;
    case Op.UNARY_POSITIVE: case Op.UNARY_NEGATIVE: case Op.UNARY_NOT: case Op.UNARY_INVERT: return 0;
    case Op.SET_ADD: case Op.LIST_APPEND: return -1;
    case Op.MAP_ADD: return -2;
    case Op.BINARY_SUBSCR: return -1;
    case Op.STORE_SUBSCR: return -3;
    case Op.DELETE_SUBSCR: return -2;
    case Op.GET_ITER: return 0;
    case Op.PRINT_EXPR: return -1;
    case Op.LOAD_BUILD_CLASS: return 1;
    case Op.RETURN_VALUE: return -1;
    case Op.IMPORT_STAR: return -1;
    case Op.SETUP_ANNOTATIONS: return 0;
    case Op.ASYNC_GEN_WRAP: case Op.YIELD_VALUE: return 0;
    case Op.POP_EXCEPT: return -1;
    case Op.STORE_NAME: return -1;
    case Op.DELETE_NAME: return 0;
    case Op.UNPACK_SEQUENCE: return oparg - 1;
    case Op.UNPACK_EX: return (oparg & 0xff) + (oparg >> 8);
    case Op.FOR_ITER: return jump ? -1 : 1;
    case Op.SEND: return jump ? -1 : 0;
    case Op.STORE_ATTR: return -2;
    case Op.DELETE_ATTR: return -1;
    case Op.STORE_GLOBAL: return -1;
    case Op.DELETE_GLOBAL: return 0;
    case Op.LOAD_CONST: return 1;
    case Op.LOAD_NAME: return 1;
    case Op.BUILD_TUPLE: case Op.BUILD_LIST: case Op.BUILD_SET: case Op.BUILD_STRING: return 1 - oparg;
    case Op.BUILD_MAP: return 1 - 2 * oparg;
    case Op.BUILD_CONST_KEY_MAP: return -oparg;
    case Op.LOAD_ATTR: return 0;
    case Op.COMPARE_OP: case Op.IS_OP: case Op.CONTAINS_OP: return -1;
    case Op.CHECK_EXC_MATCH: return 0;
    case Op.CHECK_EG_MATCH: return 0;
    case Op.IMPORT_NAME: return -1;
    case Op.IMPORT_FROM: return 1;
    case Op.JUMP_FORWARD: case Op.JUMP_BACKWARD: case JUMP: case Op.JUMP_BACKWARD_NO_INTERRUPT: case JUMP_NO_INTERRUPT: return 0;
    case Op.JUMP_IF_TRUE_OR_POP: case Op.JUMP_IF_FALSE_OR_POP: return jump ? 0 : -1;
    case POP_JUMP_IF_NONE: case POP_JUMP_IF_NOT_NONE: case POP_JUMP_IF_FALSE: case POP_JUMP_IF_TRUE:
    case Op.POP_JUMP_FORWARD_IF_FALSE: case Op.POP_JUMP_FORWARD_IF_TRUE: case Op.POP_JUMP_FORWARD_IF_NONE: case Op.POP_JUMP_FORWARD_IF_NOT_NONE:
    case Op.POP_JUMP_BACKWARD_IF_FALSE: case Op.POP_JUMP_BACKWARD_IF_TRUE: case Op.POP_JUMP_BACKWARD_IF_NONE: case Op.POP_JUMP_BACKWARD_IF_NOT_NONE:
      return -1;
    case Op.LOAD_GLOBAL: return (oparg & 1) + 1;
    case SETUP_FINALLY: return jump ? 1 : 0;
    case SETUP_CLEANUP: return jump ? 2 : 0;
    case SETUP_WITH: return jump ? 1 : 0;
    case POP_BLOCK: return 0;
    case Op.PREP_RERAISE_STAR: return -1;
    case Op.RERAISE: return -1;
    case Op.PUSH_EXC_INFO: return 1;
    case Op.WITH_EXCEPT_START: return 1;
    case Op.LOAD_FAST: return 1;
    case Op.STORE_FAST: return -1;
    case Op.DELETE_FAST: return 0;
    case Op.RETURN_GENERATOR: return 0;
    case Op.RAISE_VARARGS: return -oparg;
    case Op.KW_NAMES: return 0;
    case Op.CALL: return -1;
    case Op.PRECALL: return -oparg;
    case Op.CALL_FUNCTION_EX: return -2 - (oparg & 1);
    case Op.MAKE_FUNCTION: return -((oparg & 1) !== 0 ? 1 : 0) - ((oparg & 2) !== 0 ? 1 : 0) - ((oparg & 4) !== 0 ? 1 : 0) - ((oparg & 8) !== 0 ? 1 : 0);
    case Op.BUILD_SLICE: return oparg === 3 ? -2 : -1;
    case Op.MAKE_CELL: case Op.COPY_FREE_VARS: return 0;
    case Op.LOAD_CLOSURE: return 1;
    case Op.LOAD_DEREF: case Op.LOAD_CLASSDEREF: return 1;
    case Op.STORE_DEREF: return -1;
    case Op.DELETE_DEREF: return 0;
    case Op.GET_AWAITABLE: return 0;
    case Op.BEFORE_ASYNC_WITH: case Op.BEFORE_WITH: return 1;
    case Op.GET_AITER: return 0;
    case Op.GET_ANEXT: return 1;
    case Op.GET_YIELD_FROM_ITER: return 0;
    case Op.END_ASYNC_FOR: return -2;
    case Op.FORMAT_VALUE: return (oparg & 4) === 4 ? -1 : 0;
    case Op.LOAD_METHOD: return 1;
    case Op.LOAD_ASSERTION_ERROR: return 1;
    case Op.LIST_TO_TUPLE: return 0;
    case Op.LIST_EXTEND: case Op.SET_UPDATE: case Op.DICT_MERGE: case Op.DICT_UPDATE: return -1;
    case Op.COPY: case Op.PUSH_NULL: return 1;
    case Op.BINARY_OP: return -1;
    case Op.MATCH_CLASS: return -2;
    case Op.GET_LEN: case Op.MATCH_MAPPING: case Op.MATCH_SEQUENCE: case Op.MATCH_KEYS: return 1;
  }
  throw new InvalidStackEffectError(`no stack effect for opcode ${op}`);
}

/** stackdepth: the deepest stack over every path; throws if a path would go below empty. */
export function stackdepth(g: FlowGraph, startDepth: number): number {
  for (const b of g.blocks) b.startdepth = -1;
  const stack: Block[] = [];
  let maxdepth = 0;
  const push = (b: Block, depth: number): void => {
    if (depth < 0) throw new InvalidStackEffectError('stack depth below zero');
    if (b.startdepth < 0) {
      b.startdepth = depth;
      stack.push(b);
    }
  };
  push(g.entry, startDepth);
  while (stack.length) {
    const b = stack.pop()!;
    let depth = b.startdepth;
    let next = b.next;
    for (const i of b.instrs) {
      const newDepth = depth + stackEffect(i.op, i.arg, false);
      if (newDepth < 0) throw new InvalidStackEffectError('stack depth below zero');
      if (newDepth > maxdepth) maxdepth = newDepth;
      if (isJump(i) || isBlockPush(i)) {
        const targetDepth = depth + stackEffect(i.op, i.arg, true);
        if (targetDepth > maxdepth) maxdepth = targetDepth;
        push(i.target!, targetDepth);
      }
      depth = newDepth;
      if (isUnconditionalJump(i.op) || isScopeExit(i.op)) {
        next = null;
        break;
      }
    }
    if (next) push(next, depth);
  }
  return maxdepth;
}

/** compute_code_flags. */
function computeCodeFlags(u: CompilerUnit): number {
  const ste = u.ste;
  let flags = 0;
  if (ste.type === 'function') {
    flags |= CO_NEWLOCALS | CO_OPTIMIZED;
    if (ste.nested) flags |= CO_NESTED;
    if (ste.generator && !ste.coroutine) flags |= CO_GENERATOR;
    if (!ste.generator && ste.coroutine) flags |= CO_COROUTINE;
    if (ste.generator && ste.coroutine) flags |= CO_ASYNC_GENERATOR;
    if (ste.varargs) flags |= CO_VARARGS;
    if (ste.varkeywords) flags |= CO_VARKEYWORDS;
  }
  return flags | u.futureFlags;
}

/** build_cellfixedoffsets: where each cell/free index lands in localsplus. */
function buildCellFixedOffsets(u: CompilerUnit): number[] {
  const nlocals = u.varnames.size;
  const fixed: number[] = [];
  for (let i = 0; i < u.cellvars.size + u.freevars.size; i++) fixed.push(nlocals + i);
  for (const [name, cellindex] of u.cellvars.map) {
    const varindex = u.varnames.map.get(name);
    if (varindex !== undefined) fixed[cellindex] = varindex;
  }
  return fixed;
}

function artificial(op: number, arg: number): Instr {
  return { op, arg, target: null, loc: NO_LOC, except: null };
}

/** insert_prefix_instructions. */
function insertPrefixInstructions(u: CompilerUnit, entry: Block, fixed: number[], flags: number): void {
  if (flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR)) {
    entry.instrs.unshift(
      { op: Op.RETURN_GENERATOR, arg: 0, target: null, loc: { lineno: u.firstlineno, endLineno: u.firstlineno, col: -1, endCol: -1 }, except: null },
      artificial(Op.POP_TOP, 0),
    );
  }
  const ncellvars = u.cellvars.size;
  if (ncellvars) {
    const sorted = new Array<number>(ncellvars + u.varnames.size).fill(0);
    for (let i = 0; i < ncellvars; i++) sorted[fixed[i]!] = i + 1;
    const cells: Instr[] = [];
    for (let i = 0; cells.length < ncellvars; i++) {
      const oldindex = sorted[i]! - 1;
      if (oldindex === -1) continue;
      cells.push(artificial(Op.MAKE_CELL, oldindex));
    }
    entry.instrs.unshift(...cells);
  }
  if (u.freevars.size) entry.instrs.unshift(artificial(Op.COPY_FREE_VARS, u.freevars.size));
}

const derefOps = new Set<number>([Op.MAKE_CELL, Op.LOAD_CLOSURE, Op.LOAD_DEREF, Op.STORE_DEREF, Op.DELETE_DEREF, Op.LOAD_CLASSDEREF]);

/** fix_cell_offsets: cell opargs become localsplus indexes (cells that are arguments use the argument's slot). */
function fixCellOffsets(u: CompilerUnit, g: FlowGraph, fixed: number[]): void {
  const nlocals = u.varnames.size;
  let numdropped = 0;
  for (let i = 0; i < fixed.length; i++) {
    if (fixed[i] === i + nlocals) fixed[i]! -= numdropped;
    else numdropped++;
  }
  for (const b of g.layout()) {
    for (const i of b.instrs) if (derefOps.has(i.op)) i.arg = fixed[i.arg]!;
  }
}

/** assemble_jump_offsets: jump opargs in code units, relative to the next instruction. */
function assembleJumpOffsets(g: FlowGraph): void {
  for (;;) {
    let total = 0;
    for (const b of g.layout()) {
      b.offset = total;
      for (const i of b.instrs) total += instrSize(i);
    }
    let again = false;
    for (const b of g.layout()) {
      let bsize = b.offset;
      for (const i of b.instrs) {
        const isize = instrSize(i);
        bsize += isize;
        if (isJump(i)) {
          const t = i.target!.offset;
          i.arg = t < bsize ? bsize - t : t - bsize;
          if (instrSize(i) !== isize) again = true;
        }
      }
    }
    if (!again) return;
  }
}

/** write_instr: EXTENDED_ARG prefixes, the instruction, its zeroed caches. */
function writeInstr(out: number[], i: Instr): void {
  const arg = i.op >= HAVE_ARGUMENT ? i.arg : 0;
  if (arg >= 1 << 24) out.push(EXTENDED_ARG, (arg >> 24) & 0xff);
  if (arg >= 1 << 16) out.push(EXTENDED_ARG, (arg >> 16) & 0xff);
  if (arg >= 1 << 8) out.push(EXTENDED_ARG, (arg >> 8) & 0xff);
  out.push(i.op, arg & 0xff);
  for (let c = 0; c < inlineCacheEntries[i.op]!; c++) out.push(Op.CACHE, 0);
}

class LineTableWriter {
  readonly bytes: number[] = [];
  lineno: number;

  constructor(firstlineno: number) {
    this.lineno = firstlineno;
  }

  private varint(v: number): void {
    while (v >= 64) {
      this.bytes.push(0x40 | (v & 0x3f));
      v >>>= 6;
    }
    this.bytes.push(v);
  }

  private svarint(v: number): void {
    this.varint(v < 0 ? ((-v) << 1) | 1 : v << 1);
  }

  private first(code: number, length: number): void {
    this.bytes.push(0x80 | (code << 3) | (length - 1));
  }

  /** write_location_info_entry. */
  entry(i: Instr, isize: number): void {
    const loc = i.loc;
    if (loc.lineno < 0) {
      this.first(15, isize);
      return;
    }
    const lineDelta = loc.lineno - this.lineno;
    const column = loc.col;
    const endColumn = loc.endCol;
    if (column < 0 || endColumn < 0) {
      if (loc.endLineno === loc.lineno || loc.endLineno === -1) {
        this.first(13, isize);
        this.svarint(lineDelta);
        this.lineno = loc.lineno;
        return;
      }
    } else if (loc.endLineno === loc.lineno) {
      if (lineDelta === 0 && column < 80 && endColumn - column < 16 && endColumn >= column) {
        this.first(column >> 3, isize);
        this.bytes.push(((column & 7) << 4) | (endColumn - column));
        return;
      }
      if (lineDelta >= 0 && lineDelta < 3 && column < 128 && endColumn < 128) {
        this.first(10 + lineDelta, isize);
        this.bytes.push(column, endColumn);
        this.lineno = loc.lineno;
        return;
      }
    }
    this.first(14, isize);
    this.svarint(lineDelta);
    this.varint(loc.endLineno - loc.lineno);
    this.varint(column + 1);
    this.varint(endColumn + 1);
    this.lineno = loc.lineno;
  }
}

function exceptionItem(out: number[], value: number, msb: number): void {
  if (value >= 1 << 24) {
    out.push((value >> 24) | 0x40 | msb);
    msb = 0;
  }
  if (value >= 1 << 18) {
    out.push(((value >> 18) & 0x3f) | 0x40 | msb);
    msb = 0;
  }
  if (value >= 1 << 12) {
    out.push(((value >> 12) & 0x3f) | 0x40 | msb);
    msb = 0;
  }
  if (value >= 1 << 6) {
    out.push(((value >> 6) & 0x3f) | 0x40 | msb);
    msb = 0;
  }
  out.push((value & 0x3f) | msb);
}

/** assemble_exception_table. */
function assembleExceptionTable(g: FlowGraph): number[] {
  const out: number[] = [];
  let handler: Block | null = null;
  let start = -1;
  let ioffset = 0;
  const emit = (end: number): void => {
    const h = handler!;
    let depth = h.startdepth - 1;
    if (h.preserveLasti) depth -= 1;
    exceptionItem(out, start, 0x80);
    exceptionItem(out, end - start, 0);
    exceptionItem(out, h.offset, 0);
    exceptionItem(out, (depth << 1) | (h.preserveLasti ? 1 : 0), 0);
  };
  for (const b of g.layout()) {
    ioffset = b.offset;
    for (const i of b.instrs) {
      if (i.except !== handler) {
        if (handler) emit(ioffset);
        start = ioffset;
        handler = i.except;
      }
      ioffset += instrSize(i);
    }
  }
  if (handler) emit(ioffset);
  return out;
}

/** assemble(): the code object of a compiled unit. */
export function assemble(u: CompilerUnit, filename: string): CodeObject {
  const g = u.graph;
  for (const b of g.listOrder()) normalizeBasicBlock(b);
  for (const b of g.listOrder()) extendBlock(b);
  const fixed = buildCellFixedOffsets(u);
  const entry = g.entry;
  const flags = computeCodeFlags(u);
  insertPrefixInstructions(u, entry, fixed, flags);
  fixCellOffsets(u, g, fixed);
  const consts = [...u.consts];
  optimizeCfg(g, consts);
  duplicateExitsWithoutLineno(g);
  trimUnusedConsts(g, consts);
  // The constants folding made go through the compilation's cache too (merge_const_one).
  for (let i = 0; i < consts.length; i++) consts[i] = u.mergeConst(consts[i]!);
  propagateLineNumbers(g);
  guaranteeLinenoForExits(g, u.firstlineno);
  const maxdepth = stackdepth(g, u.ste.generator || u.ste.coroutine ? 1 : 0);
  labelExceptionTargets(g);
  convertExceptionHandlersToNops(g);
  for (const b of g.layout()) cleanBasicBlock(b);
  normalizeJumps(g);
  assembleJumpOffsets(g);

  const code: number[] = [];
  const lines = new LineTableWriter(u.firstlineno);
  for (const b of g.layout()) {
    for (const i of b.instrs) {
      writeInstr(code, i);
      let isize = instrSize(i);
      while (isize > 8) {
        lines.entry(i, 8);
        isize -= 8;
      }
      lines.entry(i, isize);
    }
  }
  const exceptiontable = assembleExceptionTable(g);

  const localsplusnames: string[] = [];
  const kinds: number[] = [];
  for (const name of u.varnames.keys()) {
    localsplusnames.push(name);
    kinds.push(CO_FAST_LOCAL | (u.cellvars.map.has(name) ? CO_FAST_CELL : 0));
  }
  for (const name of u.cellvars.keys()) {
    if (u.varnames.map.has(name)) continue;
    localsplusnames.push(name);
    kinds.push(CO_FAST_CELL);
  }
  for (const name of u.freevars.keys()) {
    localsplusnames.push(name);
    kinds.push(CO_FAST_FREE);
  }
  return {
    kind: 'code',
    argcount: u.posonlyargcount + u.argcount,
    posonlyargcount: u.posonlyargcount,
    kwonlyargcount: u.kwonlyargcount,
    stacksize: maxdepth,
    flags,
    firstlineno: u.firstlineno,
    code: Uint8Array.from(code),
    consts,
    names: u.names.keys(),
    localsplusnames,
    localspluskinds: Uint8Array.from(kinds),
    filename,
    name: u.name,
    qualname: u.qualname,
    linetable: Uint8Array.from(lines.bytes),
    exceptiontable: Uint8Array.from(exceptiontable),
  };
}
