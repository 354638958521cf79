/*
 * A disassembler printing code objects exactly as CPython 3.11.7's
 * `python3 -m dis FILE` does (Lib/dis.py: _disassemble_recursive,
 * _disassemble_bytes, Instruction._disassemble): a line-number column,
 * `>>` on jump and exception targets, offsets in bytes (CACHE units
 * counted but not shown), the argument and its meaning in parentheses, the
 * exception table, then each nested code object in co_consts order.
 */

import { EXTENDED_ARG, HAVE_ARGUMENT, Op, cmpOp, deopt, hasconst, hasfree, hasjabs, hasjrel, haslocal, hasname, hascompare, inlineCacheEntries, nbOps, opname } from './opcode.js';
import { isCode, type CodeObject } from './code.js';
import { constRepr } from './constRepr.js';
import { coLines } from './lineTable.js';
import { parseExceptionTable } from './exceptionTable.js';
import { ALL_NAME_CHARS, identifiersOf } from '../objects/types/code.js';
import { DEEPFROZEN_ONE_CHAR_NAMES } from '../objects/types/unicode.js';

const OPNAME_WIDTH = 20;
const OPARG_WIDTH = 5;
const FORMAT_VALUE_CONVERTERS = ['', 'str', 'repr', 'ascii'];
const MAKE_FUNCTION_FLAGS = ['defaults', 'kwdefaults', 'annotations', 'closure'];

/** dis.findlinestarts: offsets where a new source line starts. */
export function findLinestarts(co: CodeObject): Map<number, number> {
  const starts = new Map<number, number>();
  let last: number | null = null;
  for (const r of coLines(co)) {
    if (r.line !== null && r.line !== last) {
      last = r.line;
      starts.set(r.start, r.line);
    }
  }
  return starts;
}

/** One instruction as dis._unpack_opargs yields it (caches skipped). */
export interface DisInstruction {
  offset: number;
  op: number;
  arg: number | null;
}

/** dis._unpack_opargs. */
export function unpackOpargs(code: Uint8Array): DisInstruction[] {
  const out: DisInstruction[] = [];
  let extended = 0;
  let caches = 0;
  for (let i = 0; i < code.length; i += 2) {
    if (caches) {
      caches--;
      continue;
    }
    const op = code[i]!;
    const deop = deopt[op]!;
    caches = inlineCacheEntries[deop]!;
    let arg: number | null = null;
    if (deop >= HAVE_ARGUMENT) {
      arg = code[i + 1]! | extended;
      extended = deop === EXTENDED_ARG ? arg * 256 : 0;
    } else {
      extended = 0;
    }
    out.push({ offset: i, op, arg });
  }
  return out;
}

function isBackwardJump(op: number): boolean {
  return opname[op]!.includes('JUMP_BACKWARD');
}

function jumpTarget(ins: DisInstruction): number {
  const arg = ins.arg!;
  return hasjabs.has(ins.op) ? arg * 2 : ins.offset + 2 + (isBackwardJump(ins.op) ? -arg : arg) * 2;
}

/** Options of the disassembler. */
export interface DisOptions {
  /** The address shown for a code object (`0x7f...` in CPython); tests normalise it. */
  addressOf?: (co: CodeObject) => string;
  /** Whether interning a str constant gives back another object (what a frozenset constant's order depends on); by default as in a fresh process. */
  internReplaces?: (s: string) => boolean;
}

/**
 * internReplaces in a fresh process compiling `root`: a name of the source of
 * two characters or more (the parser interned it first), or a one-letter name
 * CPython interned at startup.
 */
function freshInternReplaces(root: CodeObject): (s: string) => boolean {
  const names = identifiersOf(root);
  return (s) => ALL_NAME_CHARS.test(s) && (names.has(s) || (s.length === 1 && DEEPFROZEN_ONE_CHAR_NAMES.includes(s)));
}

function argRepr(co: CodeObject, ins: DisInstruction, addressOf: (co: CodeObject) => string, internReplaces: (s: string) => boolean): string {
  const deop = deopt[ins.op]!;
  const arg = ins.arg!;
  if (deop === Op.LOAD_CONST) return constRepr(co.consts[arg]!, addressOf, internReplaces);
  if (hasconst.has(deop)) return '';
  if (hasname.has(deop)) {
    if (deop === Op.LOAD_GLOBAL) {
      const name = co.names[arg >> 1]!;
      return arg & 1 ? `NULL + ${name}` : name;
    }
    return co.names[arg]!;
  }
  if (hasjabs.has(deop) || hasjrel.has(deop)) return `to ${jumpTarget(ins)}`;
  if (haslocal.has(deop) || hasfree.has(deop)) return co.localsplusnames[arg]!;
  if (hascompare.has(deop)) return cmpOp[arg]!;
  if (deop === Op.FORMAT_VALUE) {
    let r = FORMAT_VALUE_CONVERTERS[arg & 3]!;
    if (arg & 4) r += r ? ', with format' : 'with format';
    return r;
  }
  if (deop === Op.MAKE_FUNCTION) return MAKE_FUNCTION_FLAGS.filter((_, i) => arg & (1 << i)).join(', ');
  if (deop === Op.BINARY_OP) return nbOps[arg]![1];
  return '';
}

/** dis.disassemble(co): one code object's listing, without its nested code objects. */
export function disassemble(co: CodeObject, options: DisOptions = {}): string {
  const addressOf = options.addressOf ?? (() => '0x0');
  const internReplaces = options.internReplaces ?? freshInternReplaces(co);
  const linestarts = findLinestarts(co);
  const exceptions = parseExceptionTable(co);
  const instructions = unpackOpargs(co.code);
  const labels = new Set<number>();
  for (const ins of instructions) {
    if (ins.arg !== null && (hasjrel.has(deopt[ins.op]!) || hasjabs.has(deopt[ins.op]!))) labels.add(jumpTarget(ins));
  }
  for (const e of exceptions) if (e.end > e.start) labels.add(e.target);
  const showLineno = linestarts.size > 0;
  let linenoWidth = 0;
  if (showLineno) {
    const maxlineno = Math.max(...linestarts.values());
    linenoWidth = maxlineno >= 1000 ? String(maxlineno).length : 3;
  }
  const maxoffset = co.code.length - 2;
  const offsetWidth = maxoffset >= 10000 ? String(maxoffset).length : 4;
  const lines: string[] = [];
  for (const ins of instructions) {
    const startsLine = linestarts.get(ins.offset);
    if (showLineno && startsLine !== undefined && ins.offset > 0) lines.push('');
    const fields: string[] = [];
    if (linenoWidth) fields.push(startsLine !== undefined ? String(startsLine).padStart(linenoWidth) : ' '.repeat(linenoWidth));
    fields.push('   ');
    fields.push(labels.has(ins.offset) ? '>>' : '  ');
    fields.push(String(ins.offset).padStart(offsetWidth));
    fields.push(opname[ins.op]!.padEnd(OPNAME_WIDTH));
    if (ins.arg !== null) {
      fields.push(String(ins.arg).padStart(OPARG_WIDTH));
      const r = argRepr(co, ins, addressOf, internReplaces);
      if (r) fields.push(`(${r})`);
    }
    lines.push(fields.join(' ').trimEnd());
  }
  if (exceptions.length) {
    lines.push('ExceptionTable:');
    for (const e of exceptions) lines.push(`  ${e.start} to ${e.end - 2} -> ${e.target} [${e.depth}]${e.lasti ? ' lasti' : ''}`);
  }
  return lines.map((l) => l + '\n').join('');
}

/** dis.dis(co): the listing of `co`, then "Disassembly of <code object ...>:" for each nested one, recursively. */
export function dis(co: CodeObject, options: DisOptions = {}): string {
  const addressOf = options.addressOf ?? (() => '0x0');
  const internReplaces = options.internReplaces ?? freshInternReplaces(co);
  let out = disassemble(co, { addressOf, internReplaces });
  for (const c of co.consts) {
    if (isCode(c)) {
      out += `\nDisassembly of ${constRepr(c, addressOf)}:\n`;
      out += dis(c, { addressOf, internReplaces });
    }
  }
  return out;
}
