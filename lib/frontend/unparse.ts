/*
 * Annotations as source text, as CPython 3.11 keeps them under
 * `from __future__ import annotations` (Python/ast_unparse.c:
 * _PyAST_ExprAsUnicode, append_ast_expr and its helpers): operators
 * parenthesised by precedence exactly as ast_unparse.c does, constants by
 * repr (inf written 1e309). Expression kinds annotations hardly use
 * (lambdas, comprehensions, f-strings, dict and set displays, await, yield,
 * walrus) are refused with CompilerNotImplementedError rather than written
 * differently from CPython.
 */

import type * as ast from './ast.js';
import type { CodeConst } from './code.js';
import { constRepr } from './constRepr.js';
import { CompilerNotImplementedError } from './compileErrors.js';

const PR_TUPLE = 0;
const PR_TEST = 1;
const PR_OR = 2;
const PR_AND = 3;
const PR_NOT = 4;
const PR_CMP = 5;
const PR_BOR = 6;
const PR_BXOR = 7;
const PR_BAND = 8;
const PR_SHIFT = 9;
const PR_ARITH = 10;
const PR_TERM = 11;
const PR_FACTOR = 12;
const PR_POWER = 13;
const PR_ATOM = 15;

const binops: Record<string, [string, number]> = {
  Add: [' + ', PR_ARITH], Sub: [' - ', PR_ARITH], Mult: [' * ', PR_TERM], MatMult: [' @ ', PR_TERM], Div: [' / ', PR_TERM],
  Mod: [' % ', PR_TERM], LShift: [' << ', PR_SHIFT], RShift: [' >> ', PR_SHIFT], BitOr: [' | ', PR_BOR], BitXor: [' ^ ', PR_BXOR],
  BitAnd: [' & ', PR_BAND], FloorDiv: [' // ', PR_TERM], Pow: [' ** ', PR_POWER],
};
const unaryops: Record<string, [string, number]> = { Invert: ['~', PR_FACTOR], Not: ['not ', PR_NOT], UAdd: ['+', PR_FACTOR], USub: ['-', PR_FACTOR] };
const cmpops: Record<string, string> = { Eq: ' == ', NotEq: ' != ', Lt: ' < ', LtE: ' <= ', Gt: ' > ', GtE: ' >= ', Is: ' is ', IsNot: ' is not ', In: ' in ', NotIn: ' not in ' };

/** append_repr: floats and complex numbers write inf as 1e309. */
function constantText(c: ast.Constant): string {
  const v = c.value as CodeConst;
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && v.kind === 'ellipsis') return '...';
  let r = constRepr(v);
  if (typeof v === 'number' || (v !== null && typeof v === 'object' && !Array.isArray(v) && v.kind === 'complex')) r = r.replaceAll('inf', '1e309');
  return (c.kind === 'u' ? 'u' : '') + r;
}

function paren(open: boolean, s: string): string {
  return open ? `(${s})` : s;
}

/** append_ast_expr. */
function expr(e: ast.Expr, level: number, filename: string): string {
  const sub = (x: ast.Expr, l: number): string => expr(x, l, filename);
  switch (e._type) {
    case 'BoolOp': {
      const pr = e.op._type === 'And' ? PR_AND : PR_OR;
      return paren(level > pr, e.values.map((v) => sub(v, pr + 1)).join(e.op._type === 'And' ? ' and ' : ' or '));
    }
    case 'BinOp': {
      const [op, pr] = binops[e.op._type]!;
      const rassoc = e.op._type === 'Pow' ? 1 : 0;
      return paren(level > pr, sub(e.left, pr + rassoc) + op + sub(e.right, pr + 1 - rassoc));
    }
    case 'UnaryOp': {
      const [op, pr] = unaryops[e.op._type]!;
      return paren(level > pr, op + sub(e.operand, pr));
    }
    case 'IfExp':
      return paren(level > PR_TEST, `${sub(e.body, PR_TEST + 1)} if ${sub(e.test, PR_TEST + 1)} else ${sub(e.orelse, PR_TEST)}`);
    case 'Compare':
      return paren(level > PR_CMP, sub(e.left, PR_CMP + 1) + e.ops.map((op, i) => cmpops[op._type]! + sub(e.comparators[i]!, PR_CMP + 1)).join(''));
    case 'Call': {
      const args = [
        ...e.args.map((a) => sub(a, PR_TEST)),
        ...e.keywords.map((k) => (k.arg === null ? '**' : `${k.arg}=`) + sub(k.value, PR_TEST)),
      ];
      if (e.args.length === 1 && e.keywords.length === 0 && e.args[0]!._type === 'GeneratorExp') break;
      return `${sub(e.func, PR_ATOM)}(${args.join(', ')})`;
    }
    case 'Constant': return constantText(e);
    case 'Attribute': {
      const v = e.value;
      const period = v._type === 'Constant' && typeof v.value === 'bigint' ? ' .' : '.';
      return sub(v, PR_ATOM) + period + e.attr;
    }
    case 'Subscript': return `${sub(e.value, PR_ATOM)}[${sub(e.slice, PR_TUPLE)}]`;
    case 'Starred': return `*${sub(e.value, PR_BOR)}`;
    case 'Name': return e.id;
    case 'List': return `[${e.elts.map((x) => sub(x, PR_TEST)).join(', ')}]`;
    case 'Tuple':
      if (!e.elts.length) return '()';
      return paren(level > PR_TUPLE, e.elts.map((x) => sub(x, PR_TEST)).join(', ') + (e.elts.length === 1 ? ',' : ''));
    case 'Slice':
      return (e.lower ? sub(e.lower, PR_TEST) : '') + ':' + (e.upper ? sub(e.upper, PR_TEST) : '') + (e.step ? ':' + sub(e.step, PR_TEST) : '');
  }
  throw new CompilerNotImplementedError(`an annotation with ${e._type} under from __future__ import annotations`, filename, e.lineno);
}

/** _PyAST_ExprAsUnicode: the text CPython stores for an annotation. */
export function annotationText(e: ast.Expr, filename: string): string {
  return expr(e, PR_TEST, filename);
}
