/*
 * Stack depths. stackEffect (compile.c's stack_effect) equals
 * opcode.stack_effect of CPython 3.11.7 for every opcode, oparg 0..19 and
 * both jump directions (recorded in stack_effect.json). Property: random
 * expressions compile, and an independent walk over each finished code
 * object's bytecode (every path, from offset 0 and from each exception
 * handler) never takes the stack below empty or above co_stacksize, and
 * reaches every instruction with one depth.
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackEffect } from '../lib/frontend/assemble.js';
import { compile } from '../lib/frontend/compile.js';
import { CO_GENERATOR, type CodeObject } from '../lib/frontend/code.js';
import { unpackOpargs } from '../lib/frontend/dis.js';
import { parseExceptionTable } from '../lib/frontend/exceptionTable.js';
import { Op, opmap, hasjrel, opname } from '../lib/frontend/opcode.js';
import { compilerFixtures, walkCode } from './63-compiler-support.js';

type Row = [number | null, number | null, number | null];
const recorded = JSON.parse(readFileSync(join(compilerFixtures, 'stack_effect.json'), 'utf8')) as Record<string, Row[]>;

describe('stackEffect', () => {
  it('equals opcode.stack_effect for every opcode, oparg and jump direction', () => {
    const wrong: string[] = [];
    for (const [name, rows] of Object.entries(recorded)) {
      for (const [arg, plain, jump] of rows) {
        if (plain === null) continue;
        const op = opmap[name]!;
        const got = [stackEffect(op, arg ?? 0, false), stackEffect(op, arg ?? 0, true)];
        if (got[0] !== plain || got[1] !== jump) wrong.push(`${name}(${arg}): ${got} != ${plain},${jump}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

const unconditional = new Set<number>([Op.JUMP_FORWARD, Op.JUMP_BACKWARD, Op.JUMP_BACKWARD_NO_INTERRUPT, Op.RETURN_VALUE, Op.RAISE_VARARGS, Op.RERAISE]);

/** The model: depth at each instruction over every path; throws on an underflow, overflow or disagreement. */
function checkDepths(co: CodeObject): void {
  const instrs = unpackOpargs(co.code).filter((i) => i.op !== Op.EXTENDED_ARG);
  const index = new Map(instrs.map((ins, k) => [ins.offset, k]));
  const depthAt = new Map<number, number>();
  const work: [number, number][] = [[0, co.flags & CO_GENERATOR ? 1 : 0]];
  for (const e of parseExceptionTable(co)) work.push([index.get(e.target)!, e.depth + 1 + (e.lasti ? 1 : 0)]);
  while (work.length) {
    const [k, depth] = work.pop()!;
    const ins = instrs[k]!;
    const seen = depthAt.get(k);
    if (seen !== undefined) {
      if (seen !== depth) throw new Error(`${co.name}@${ins.offset}: depth ${depth} and ${seen}`);
      continue;
    }
    if (depth < 0 || depth > co.stacksize) throw new Error(`${co.name}@${ins.offset}: depth ${depth} outside 0..${co.stacksize}`);
    depthAt.set(k, depth);
    const after = depth + stackEffect(ins.op, ins.arg ?? 0, false);
    if (after < 0 || after > co.stacksize) throw new Error(`${co.name}@${ins.offset} ${opname[ins.op]}: depth ${after}`);
    if (hasjrel.has(ins.op)) {
      const backward = opname[ins.op]!.includes('BACKWARD');
      const target = ins.offset + 2 + (backward ? -ins.arg! : ins.arg!) * 2;
      work.push([index.get(target)!, depth + stackEffect(ins.op, ins.arg!, true)]);
    }
    if (!unconditional.has(ins.op) && k + 1 < instrs.length) work.push([k + 1, after]);
  }
}

const name = fc.constantFrom('a', 'b', 'x', 'y', 'f', 'g');
const atom = fc.oneof(name, fc.integer({ min: -1000, max: 100000 }).map(String), fc.constantFrom('None', 'True', '1.5', "'s'", '()', '[]', '{}'));

const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '//', '%', '**', '<<', '>>', '&', '|', '^', '@'), tie('e')).map(([l, o, r]) => `(${l} ${o} ${r})`),
    fc.tuple(tie('e'), fc.constantFrom('<', '<=', '==', '!=', 'is', 'is not', 'in', 'not in'), tie('e'), fc.option(tie('e'))).map(([l, o, r, s]) => (s === null ? `(${l} ${o} ${r})` : `(${l} ${o} ${r} < ${s})`)),
    fc.tuple(tie('e'), fc.constantFrom('and', 'or'), tie('e')).map(([l, o, r]) => `(${l} ${o} ${r})`),
    fc.tuple(fc.constantFrom('-', '+', '~', 'not '), tie('e')).map(([o, v]) => `(${o}${v})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([a, b, c]) => `(${a} if ${b} else ${c})`),
    fc.tuple(name, fc.array(tie('e'), { maxLength: 3 }), fc.option(tie('e'))).map(([f, args, kw]) => `${f}(${[...args, ...(kw === null ? [] : [`k=${kw}`])].join(', ')})`),
    fc.tuple(tie('e'), fc.array(tie('e'), { maxLength: 2 })).map(([o, args]) => `(${o}).m(${args.join(', ')})`),
    fc.tuple(tie('e'), tie('e')).map(([v, i]) => `${v}[${i}]`),
    fc.tuple(tie('e'), fc.option(tie('e')), fc.option(tie('e'))).map(([v, lo, hi]) => `${v}[${lo ?? ''}:${hi ?? ''}]`),
    fc.array(tie('e'), { maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`),
    fc.array(tie('e'), { maxLength: 4 }).map((xs) => `(${xs.join(', ')}${xs.length === 1 ? ',' : ''})`),
    fc.array(fc.tuple(tie('e'), tie('e')), { maxLength: 3 }).map((kv) => `{${kv.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
    fc.tuple(tie('e'), tie('e')).map(([v, it]) => `[${v} for a in ${it}]`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([v, it, c]) => `{${v} for b in ${it} if ${c}}`),
    fc.tuple(tie('e'), tie('e')).map(([v, it]) => `list(${v} for x in ${it})`),
    tie('e').map((b) => `(lambda a, b=1: ${b})`),
    fc.tuple(name, name, fc.nat(99)).map(([a, b, n]) => `f"{${a}!r:>{${b}}} {${a} + ${n}}"`),
  ),
})).e;

describe('stack depth property', () => {
  it('random expressions compile, and no path takes the stack below empty or above co_stacksize', () => {
    fc.assert(
      fc.property(expr, fc.constantFrom('module', 'function'), (e, where) => {
        const source = where === 'module' ? `r = ${e}\n` : `def h(a, b):\n    return ${e}\n`;
        for (const co of walkCode(compile(source, 'prop.py', 'exec'))) checkDepths(co);
      }),
      { numRuns: 400 },
    );
  });
});
