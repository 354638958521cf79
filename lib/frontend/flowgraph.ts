/*
 * The control-flow graph the compiler emits into, and the passes CPython
 * 3.11 runs over it before assembly (Python/compile.c, from
 * normalize_basic_block to convert_exception_handlers_to_nops).
 *
 * A Block is CPython's basicblock: `instrs` run in order; only the last may
 * jump or leave the scope; `next` is the layout order (b_next); blocks are
 * also kept in creation order (b_list, walked newest first as CPython does).
 * Instructions carry pseudo opcodes (>= 256 here, negative in compile.c)
 * until normalizeJumps and convertExceptionHandlersToNops replace them.
 * A location with lineno -1 is "no location" (artificial instruction).
 */

import { Op, hasjrel, inlineCacheEntries, HAVE_ARGUMENT } from './opcode.js';
import { type CodeConst } from './code.js';
import { constKey } from './constKey.js';
import { isTrue } from './constOps.js';

/** Pseudo instructions of compile.c 3.11 (negative there). */
export const SETUP_FINALLY = 256;
export const SETUP_CLEANUP = 257;
export const SETUP_WITH = 258;
export const POP_BLOCK = 259;
export const JUMP = 260;
export const JUMP_NO_INTERRUPT = 261;
export const POP_JUMP_IF_FALSE = 262;
export const POP_JUMP_IF_TRUE = 263;
export const POP_JUMP_IF_NONE = 264;
export const POP_JUMP_IF_NOT_NONE = 265;

/** A source span; lineno -1 means none. */
export interface Loc {
  lineno: number;
  endLineno: number;
  col: number;
  endCol: number;
}

/** The location of an artificial instruction (UNSET_LOC). */
export const NO_LOC: Loc = Object.freeze({ lineno: -1, endLineno: -1, col: -1, endCol: -1 });

/** compile.c's struct instr. */
export interface Instr {
  op: number;
  arg: number;
  target: Block | null;
  loc: Loc;
  /** Handler in force at this instruction (label_exception_targets). */
  except: Block | null;
}

/** compile.c's basicblock. */
export class Block {
  instrs: Instr[] = [];
  next: Block | null = null;
  exit = false;
  nofallthrough = false;
  returns = false;
  predecessors = 0;
  visited = false;
  startdepth = -1;
  preserveLasti = false;
  offset = 0;
  exceptStack: (Block | null)[] | null = null;
}

/** is_jump: the instruction's target is a jump destination (not a handler). */
export function isJump(i: Instr): boolean {
  return i.op === JUMP || i.op === JUMP_NO_INTERRUPT || i.op === POP_JUMP_IF_FALSE || i.op === POP_JUMP_IF_TRUE ||
    i.op === POP_JUMP_IF_NONE || i.op === POP_JUMP_IF_NOT_NONE || (i.op < 256 && hasjrel.has(i.op));
}

/** is_block_push. */
export function isBlockPush(i: Instr): boolean {
  return i.op === SETUP_FINALLY || i.op === SETUP_CLEANUP || i.op === SETUP_WITH;
}

/** IS_SCOPE_EXIT_OPCODE. */
export function isScopeExit(op: number): boolean {
  return op === Op.RETURN_VALUE || op === Op.RAISE_VARARGS || op === Op.RERAISE;
}

/** An unconditional jump: control never falls through. */
export function isUnconditionalJump(op: number): boolean {
  return op === JUMP || op === JUMP_NO_INTERRUPT || op === Op.JUMP_FORWARD || op === Op.JUMP_BACKWARD || op === Op.JUMP_BACKWARD_NO_INTERRUPT;
}

function copyLoc(from: Instr, to: Instr): void {
  to.loc = from.loc;
}

/** The graph of one code unit: its blocks in creation order and its entry. */
export class FlowGraph {
  /** Creation order (CPython's u_blocks list reversed). */
  readonly blocks: Block[] = [];

  newBlock(): Block {
    const b = new Block();
    this.blocks.push(b);
    return b;
  }

  get entry(): Block {
    return this.blocks[0]!;
  }

  /** b_list order: newest first. */
  *listOrder(): Iterable<Block> {
    for (let i = this.blocks.length - 1; i >= 0; i--) yield this.blocks[i]!;
  }

  *layout(): Iterable<Block> {
    for (let b: Block | null = this.entry; b; b = b.next) yield b;
  }
}

/** normalize_basic_block: marks exits and no-fallthrough blocks, skips empty jump targets. */
export function normalizeBasicBlock(bb: Block): void {
  for (const i of bb.instrs) {
    if (isJump(i)) {
      while (i.target!.instrs.length === 0) i.target = i.target!.next!;
    }
    if (isScopeExit(i.op)) {
      bb.exit = true;
      bb.nofallthrough = true;
    } else if (i.op === JUMP || i.op === JUMP_NO_INTERRUPT) {
      bb.nofallthrough = true;
    }
  }
}

const MAX_COPY_SIZE = 4;

/** extend_block: an unconditional jump to a small exit block without line numbers (an implicit `return None`) becomes a copy of it. */
export function extendBlock(bb: Block): void {
  const last = bb.instrs[bb.instrs.length - 1];
  if (!last) return;
  if (last.op !== JUMP && last.op !== Op.JUMP_FORWARD && last.op !== Op.JUMP_BACKWARD) return;
  const target = last.target!;
  if (isExitWithoutLineno(target) && target.instrs.length <= MAX_COPY_SIZE) {
    last.op = Op.NOP;
    last.target = null;
    for (const i of target.instrs) bb.instrs.push({ ...i });
    bb.exit = true;
  }
}

/** clean_basic_block: removes NOPs where no line event is lost. */
export function cleanBasicBlock(bb: Block): void {
  const out: Instr[] = [];
  let prevLineno = -1;
  const n = bb.instrs.length;
  for (let src = 0; src < n; src++) {
    const ins = bb.instrs[src]!;
    const lineno = ins.loc.lineno;
    if (ins.op === Op.NOP) {
      if (lineno < 0) continue;
      if (prevLineno === lineno) continue;
      if (src < n - 1) {
        const next = bb.instrs[src + 1]!;
        const nextLineno = next.loc.lineno;
        if (nextLineno === lineno) continue;
        if (nextLineno < 0) {
          copyLoc(ins, next);
          continue;
        }
      } else {
        let next: Block | null = bb.next;
        while (next && next.instrs.length === 0) next = next.next;
        if (next && lineno === next.instrs[0]!.loc.lineno) continue;
      }
    }
    out.push(ins);
    prevLineno = lineno;
  }
  bb.instrs = out;
}

/** jump_thread: retarget `inst` to where `target` jumps, if they share a line. */
function jumpThread(inst: Instr, target: Instr, op: number): number {
  if (inst.loc.lineno === target.loc.lineno && inst.target !== target.target) {
    inst.target = target.target;
    inst.op = op;
    return 1;
  }
  return 0;
}

/** Adds `value` to `consts` unless an equal constant (by _PyCode_ConstantKey) is there; returns its index. */
function constIndex(consts: CodeConst[], value: CodeConst): number {
  const key = constKey(value);
  const found = consts.findIndex((c) => constKey(c) === key);
  if (found >= 0) return found;
  consts.push(value);
  return consts.length - 1;
}

/** fold_tuple_on_constants: `LOAD_CONST a; LOAD_CONST b; BUILD_TUPLE 2` → `LOAD_CONST (a, b)`. */
function foldTupleOnConstants(instrs: Instr[], at: number, n: number, consts: CodeConst[]): void {
  for (let i = at - n; i < at; i++) if (instrs[i]!.op !== Op.LOAD_CONST) return;
  const tuple: CodeConst[] = [];
  for (let i = at - n; i < at; i++) tuple.push(consts[instrs[i]!.arg]!);
  const index = constIndex(consts, tuple);
  for (let i = at - n; i < at; i++) instrs[i]!.op = Op.NOP;
  instrs[at]!.op = Op.LOAD_CONST;
  instrs[at]!.arg = index;
}

const VISITED = -1;

/** swaptimize: a run of SWAPs rewritten as the fewest SWAPs with the same effect. */
function swaptimize(instrs: Instr[], ix: number): number {
  let depth = instrs[ix]!.arg;
  let len = 0;
  let more = false;
  const limit = instrs.length - ix;
  while (++len < limit) {
    const op = instrs[ix + len]!.op;
    if (op === Op.SWAP) {
      depth = Math.max(depth, instrs[ix + len]!.arg);
      more = true;
    } else if (op !== Op.NOP) {
      break;
    }
  }
  if (!more) return ix;
  const stack: number[] = [];
  for (let i = 0; i < depth; i++) stack.push(i);
  for (let i = 0; i < len; i++) {
    const ins = instrs[ix + i]!;
    if (ins.op === Op.SWAP) {
      const top = stack[0]!;
      stack[0] = stack[ins.arg - 1]!;
      stack[ins.arg - 1] = top;
    }
  }
  let current = len - 1;
  for (let i = 0; i < depth; i++) {
    if (stack[i] === VISITED || stack[i] === i) continue;
    let j = i;
    for (;;) {
      if (j) {
        const ins = instrs[ix + current--]!;
        ins.op = Op.SWAP;
        ins.arg = j + 1;
      }
      if (stack[j] === VISITED) break;
      const nextJ = stack[j]!;
      stack[j] = VISITED;
      j = nextJ;
    }
  }
  while (current >= 0) instrs[ix + current--]!.op = Op.NOP;
  return ix + len - 1;
}

function swappable(op: number): boolean {
  return op === Op.STORE_FAST || op === Op.POP_TOP;
}

/** STORES_TO: the local an instruction stores to, or -1. */
function storesTo(i: Instr): number {
  return i.op === Op.STORE_FAST ? i.arg : -1;
}

/** next_swappable_instruction. */
function nextSwappable(instrs: Instr[], i: number, lineno: number): number {
  while (++i < instrs.length) {
    const ins = instrs[i]!;
    if (lineno >= 0 && ins.loc.lineno !== lineno) return -1;
    if (ins.op === Op.NOP) continue;
    if (swappable(ins.op)) return i;
    return -1;
  }
  return -1;
}

/** apply_static_swaps: `SWAP 2; STORE_FAST a; STORE_FAST b` → `STORE_FAST b; STORE_FAST a`. */
function applyStaticSwaps(instrs: Instr[], i: number): void {
  for (; i >= 0; i--) {
    const swap = instrs[i]!;
    if (swap.op !== Op.SWAP) {
      if (swap.op === Op.NOP || swappable(swap.op)) continue;
      return;
    }
    const j = nextSwappable(instrs, i, -1);
    if (j < 0) return;
    let k = j;
    const lineno = instrs[j]!.loc.lineno;
    for (let count = swap.arg - 1; count > 0; count--) {
      k = nextSwappable(instrs, k, lineno);
      if (k < 0) return;
    }
    // Not safe when the two store to one local, or something between them stores to either.
    const storeJ = storesTo(instrs[j]!);
    const storeK = storesTo(instrs[k]!);
    if (storeJ >= 0 || storeK >= 0) {
      if (storeJ === storeK) return;
      for (let idx = j + 1; idx < k; idx++) {
        const storeIdx = storesTo(instrs[idx]!);
        if (storeIdx >= 0 && (storeIdx === storeJ || storeIdx === storeK)) return;
      }
    }
    swap.op = Op.NOP;
    const temp = instrs[j]!;
    instrs[j] = instrs[k]!;
    instrs[k] = temp;
  }
}

/** optimize_basic_block: the peephole optimizer of 3.11. */
export function optimizeBasicBlock(bb: Block, consts: CodeConst[]): void {
  const instrs = bb.instrs;
  const nop: Instr = { op: Op.NOP, arg: 0, target: null, loc: NO_LOC, except: null };
  for (let i = 0; i < instrs.length; i++) {
    const inst = instrs[i]!;
    const oparg = inst.arg;
    const nextop = i + 1 < instrs.length ? instrs[i + 1]!.op : 0;
    let target: Instr;
    if (isJump(inst) || isBlockPush(inst)) {
      while (inst.target!.instrs.length === 0) inst.target = inst.target!.next!;
      target = inst.target!.instrs[0]!;
    } else {
      target = nop;
    }
    switch (inst.op) {
      case Op.LOAD_CONST: {
        switch (nextop) {
          case POP_JUMP_IF_FALSE:
          case POP_JUMP_IF_TRUE: {
            const truth = isTrue(consts[oparg]!);
            inst.op = Op.NOP;
            const jumpIfTrue = nextop === POP_JUMP_IF_TRUE;
            if (truth === jumpIfTrue) {
              instrs[i + 1]!.op = JUMP;
              bb.nofallthrough = true;
            } else {
              instrs[i + 1]!.op = Op.NOP;
            }
            break;
          }
          case Op.JUMP_IF_FALSE_OR_POP:
          case Op.JUMP_IF_TRUE_OR_POP: {
            const truth = isTrue(consts[oparg]!);
            const jumpIfTrue = nextop === Op.JUMP_IF_TRUE_OR_POP;
            if (truth === jumpIfTrue) {
              instrs[i + 1]!.op = JUMP;
              bb.nofallthrough = true;
            } else {
              inst.op = Op.NOP;
              instrs[i + 1]!.op = Op.NOP;
            }
            break;
          }
          case Op.IS_OP: {
            const jumpOp = i + 2 < instrs.length ? instrs[i + 2]!.op : 0;
            if (consts[oparg] === null && (jumpOp === POP_JUMP_IF_FALSE || jumpOp === POP_JUMP_IF_TRUE)) {
              const nextarg = instrs[i + 1]!.arg;
              inst.op = Op.NOP;
              instrs[i + 1]!.op = Op.NOP;
              instrs[i + 2]!.op = (nextarg ^ (jumpOp === POP_JUMP_IF_FALSE ? 1 : 0)) ? POP_JUMP_IF_NOT_NONE : POP_JUMP_IF_NONE;
            }
            break;
          }
        }
        break;
      }
      case Op.BUILD_TUPLE:
        if (nextop === Op.UNPACK_SEQUENCE && oparg === instrs[i + 1]!.arg) {
          if (oparg === 1) {
            inst.op = Op.NOP;
            instrs[i + 1]!.op = Op.NOP;
            continue;
          }
          if (oparg === 2 || oparg === 3) {
            inst.op = Op.NOP;
            instrs[i + 1]!.op = Op.SWAP;
            continue;
          }
        }
        if (i >= oparg) foldTupleOnConstants(instrs, i, oparg, consts);
        break;
      case Op.JUMP_IF_FALSE_OR_POP:
        switch (target.op) {
          case POP_JUMP_IF_FALSE:
            i -= jumpThread(inst, target, POP_JUMP_IF_FALSE);
            break;
          case JUMP:
          case Op.JUMP_IF_FALSE_OR_POP:
            i -= jumpThread(inst, target, Op.JUMP_IF_FALSE_OR_POP);
            break;
          case Op.JUMP_IF_TRUE_OR_POP:
          case POP_JUMP_IF_TRUE:
            if (inst.loc.lineno === target.loc.lineno) {
              inst.op = POP_JUMP_IF_FALSE;
              inst.target = inst.target!.next;
              --i;
            }
            break;
        }
        break;
      case Op.JUMP_IF_TRUE_OR_POP:
        switch (target.op) {
          case POP_JUMP_IF_TRUE:
            i -= jumpThread(inst, target, POP_JUMP_IF_TRUE);
            break;
          case JUMP:
          case Op.JUMP_IF_TRUE_OR_POP:
            i -= jumpThread(inst, target, Op.JUMP_IF_TRUE_OR_POP);
            break;
          case Op.JUMP_IF_FALSE_OR_POP:
          case POP_JUMP_IF_FALSE:
            if (inst.loc.lineno === target.loc.lineno) {
              inst.op = POP_JUMP_IF_TRUE;
              inst.target = inst.target!.next;
              --i;
            }
            break;
        }
        break;
      case POP_JUMP_IF_NOT_NONE:
      case POP_JUMP_IF_NONE:
      case POP_JUMP_IF_FALSE:
      case POP_JUMP_IF_TRUE:
      case JUMP:
        if (target.op === JUMP) i -= jumpThread(inst, target, inst.op);
        break;
      case Op.SWAP:
        if (oparg === 1) {
          inst.op = Op.NOP;
          break;
        }
        i = swaptimize(instrs, i);
        applyStaticSwaps(instrs, i);
        break;
      case Op.PUSH_NULL:
        if (nextop === Op.LOAD_GLOBAL && (instrs[i + 1]!.arg & 1) === 0) {
          inst.op = Op.NOP;
          inst.arg = 0;
          instrs[i + 1]!.arg |= 1;
        }
        break;
    }
  }
}

/** mark_reachable: counts each block's predecessors from the entry. */
function markReachable(g: FlowGraph): void {
  for (const b of g.blocks) b.predecessors = 0;
  const stack: Block[] = [g.entry];
  g.entry.predecessors = 1;
  while (stack.length) {
    const b = stack.pop()!;
    if (b.next && !b.nofallthrough) {
      if (b.next.predecessors === 0) stack.push(b.next);
      b.next.predecessors++;
    }
    for (const i of b.instrs) {
      if (isJump(i) || isBlockPush(i)) {
        const target = i.target!;
        if (target.predecessors === 0) stack.push(target);
        target.predecessors++;
      }
    }
  }
}

/** eliminate_empty_basic_blocks. */
function eliminateEmptyBasicBlocks(entry: Block): void {
  for (let b: Block | null = entry; b; b = b.next) {
    let next: Block | null = b.next;
    if (next) {
      while (next.instrs.length === 0 && next.next) next = next.next;
      b.next = next;
    }
  }
  for (let b: Block | null = entry; b; b = b.next) {
    for (const i of b.instrs) {
      if (isJump(i) || isBlockPush(i)) {
        let target = i.target!;
        while (target.instrs.length === 0) target = target.next!;
        i.target = target;
      }
    }
  }
}

/** optimize_cfg of 3.11. */
export function optimizeCfg(g: FlowGraph, consts: CodeConst[]): void {
  for (const b of g.layout()) {
    optimizeBasicBlock(b, consts);
    cleanBasicBlock(b);
  }
  for (const b of g.listOrder()) extendBlock(b);
  markReachable(g);
  for (const b of g.layout()) if (b.predecessors === 0) b.instrs = [];
  eliminateEmptyBasicBlocks(g.entry);
  for (const b of g.layout()) cleanBasicBlock(b);
  let maybeEmpty = false;
  for (const b of g.layout()) {
    const last = b.instrs[b.instrs.length - 1];
    if (last && (last.op === JUMP || last.op === JUMP_NO_INTERRUPT) && last.target === b.next) {
      b.nofallthrough = false;
      last.op = Op.NOP;
      last.target = null;
      maybeEmpty = true;
    }
  }
  if (maybeEmpty) eliminateEmptyBasicBlocks(g.entry);
}

function isExitWithoutLineno(b: Block): boolean {
  return b.exit && b.instrs.every((i) => i.loc.lineno < 0);
}

/** duplicate_exits_without_lineno: an exit block without a line, jumped to from several places, is copied per jump. */
export function duplicateExitsWithoutLineno(g: FlowGraph): void {
  const blocks = [...g.listOrder()];
  for (const b of blocks) {
    const last = b.instrs[b.instrs.length - 1];
    if (last && isJump(last)) {
      const target = last.target!;
      if (isExitWithoutLineno(target) && target.predecessors > 1) {
        const copy = g.newBlock();
        copy.instrs = target.instrs.map((i) => ({ ...i }));
        copy.exit = target.exit;
        copy.nofallthrough = target.nofallthrough;
        copy.instrs[0]!.loc = last.loc;
        last.target = copy;
        target.predecessors--;
        copy.predecessors = 1;
        copy.next = target.next;
        target.next = copy;
      }
    }
  }
  for (const b of g.listOrder()) {
    while (b.next && b.next.instrs.length === 0) b.next = b.next.next;
  }
  for (const b of g.listOrder()) {
    if (!b.nofallthrough && b.next && b.instrs.length > 0 && isExitWithoutLineno(b.next)) {
      b.next.instrs[0]!.loc = b.instrs[b.instrs.length - 1]!.loc;
    }
  }
}

/** trim_unused_consts: drops trailing constants no instruction loads (the first one always stays). */
export function trimUnusedConsts(g: FlowGraph, consts: CodeConst[]): void {
  let max = 0;
  for (const b of g.layout()) {
    for (const i of b.instrs) if ((i.op === Op.LOAD_CONST || i.op === Op.KW_NAMES) && i.arg > max) max = i.arg;
  }
  if (max + 1 < consts.length) consts.length = max + 1;
}

/** propagate_line_numbers: artificial instructions take the location before them. */
export function propagateLineNumbers(g: FlowGraph): void {
  for (const b of g.layout()) {
    if (b.instrs.length === 0) continue;
    let prev: Loc = NO_LOC;
    for (const i of b.instrs) {
      if (i.loc.lineno < 0) i.loc = prev;
      else prev = i.loc;
    }
    if (!b.nofallthrough && b.next!.predecessors === 1) {
      if (b.next!.instrs[0]!.loc.lineno < 0) b.next!.instrs[0]!.loc = prev;
    }
    const last = b.instrs[b.instrs.length - 1]!;
    if (isJump(last)) {
      const target = last.target!;
      if (target.predecessors === 1 && target.instrs[0]!.loc.lineno < 0) target.instrs[0]!.loc = prev;
    }
  }
}

/** guarantee_lineno_for_exits: a return without a line gets the line before it. */
export function guaranteeLinenoForExits(g: FlowGraph, firstlineno: number): void {
  let lineno = firstlineno;
  for (const b of g.layout()) {
    const last = b.instrs[b.instrs.length - 1];
    if (!last) continue;
    if (last.loc.lineno < 0) {
      if (last.op === Op.RETURN_VALUE) {
        for (const i of b.instrs) i.loc = { ...i.loc, lineno };
      }
    } else {
      lineno = last.loc.lineno;
    }
  }
}

/** label_exception_targets: the handler in force at each instruction, and YIELD_VALUE's depth. */
export function labelExceptionTargets(g: FlowGraph): void {
  for (const b of g.layout()) b.visited = false;
  const todo: Block[] = [g.entry];
  g.entry.visited = true;
  g.entry.exceptStack = [null];
  while (todo.length) {
    const b = todo.pop()!;
    let stack: (Block | null)[] | null = b.exceptStack!;
    b.exceptStack = null;
    let handler = stack[stack.length - 1]!;
    for (const i of b.instrs) {
      if (isBlockPush(i)) {
        const t = i.target!;
        if (!t.visited) {
          t.exceptStack = [...stack!];
          todo.push(t);
          t.visited = true;
        }
        if (i.op === SETUP_WITH || i.op === SETUP_CLEANUP) t.preserveLasti = true;
        stack!.push(t);
        handler = t;
      } else if (i.op === POP_BLOCK) {
        stack!.pop();
        handler = stack![stack!.length - 1]!;
      } else if (isJump(i)) {
        i.except = handler;
        const t = i.target!;
        if (!t.visited) {
          if (!b.nofallthrough) {
            t.exceptStack = [...stack!];
          } else {
            t.exceptStack = stack;
            stack = null;
          }
          todo.push(t);
          t.visited = true;
        }
      } else {
        if (i.op === Op.YIELD_VALUE) i.arg = stack!.length - 1;
        i.except = handler;
      }
    }
    if (!b.nofallthrough && b.next && !b.next.visited) {
      b.next.exceptStack = stack;
      todo.push(b.next);
      b.next.visited = true;
    }
  }
}

/** convert_exception_handlers_to_nops. */
export function convertExceptionHandlersToNops(g: FlowGraph): void {
  for (const b of g.layout()) {
    for (const i of b.instrs) {
      if (isBlockPush(i) || i.op === POP_BLOCK) {
        i.op = Op.NOP;
        i.target = null;
      }
    }
  }
}

/** normalize_jumps: pseudo jumps become the forward or backward opcode of 3.11. */
export function normalizeJumps(g: FlowGraph): void {
  for (const b of g.layout()) b.visited = false;
  for (const b of g.layout()) {
    b.visited = true;
    const last = b.instrs[b.instrs.length - 1];
    if (!last || !isJump(last)) continue;
    const forward = !last.target!.visited;
    switch (last.op) {
      case JUMP: last.op = forward ? Op.JUMP_FORWARD : Op.JUMP_BACKWARD; break;
      case JUMP_NO_INTERRUPT: last.op = forward ? Op.JUMP_FORWARD : Op.JUMP_BACKWARD_NO_INTERRUPT; break;
      case POP_JUMP_IF_NOT_NONE: last.op = forward ? Op.POP_JUMP_FORWARD_IF_NOT_NONE : Op.POP_JUMP_BACKWARD_IF_NOT_NONE; break;
      case POP_JUMP_IF_NONE: last.op = forward ? Op.POP_JUMP_FORWARD_IF_NONE : Op.POP_JUMP_BACKWARD_IF_NONE; break;
      case POP_JUMP_IF_FALSE: last.op = forward ? Op.POP_JUMP_FORWARD_IF_FALSE : Op.POP_JUMP_BACKWARD_IF_FALSE; break;
      case POP_JUMP_IF_TRUE: last.op = forward ? Op.POP_JUMP_FORWARD_IF_TRUE : Op.POP_JUMP_BACKWARD_IF_TRUE; break;
    }
  }
}

/** instr_size: code units of an instruction with its EXTENDED_ARGs and caches. */
export function instrSize(i: Instr): number {
  const arg = i.op >= HAVE_ARGUMENT ? i.arg : 0;
  const ext = arg >= 1 << 24 ? 4 : arg >= 1 << 16 ? 3 : arg >= 1 << 8 ? 2 : 1;
  return ext + inlineCacheEntries[i.op]!;
}
