// Properties of the tokenizer and parser (fast-check):
// - an expression tree, written out fully parenthesized and parsed back, is the same tree
//   (the unparser below is the model of what each node's source is);
// - on any input, parse() ends and either returns a Module or throws a PySyntaxError whose
//   position lies inside the source.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as ast from '../lib/frontend/ast.js';
import { parse } from '../lib/frontend/parser.js';
import { PySyntaxError } from '../lib/frontend/syntaxError.js';

type E =
  | { k: 'name'; id: string }
  | { k: 'int'; v: bigint }
  | { k: 'str'; v: string }
  | { k: 'bin'; op: string; l: E; r: E }
  | { k: 'un'; op: string; e: E }
  | { k: 'bool'; op: 'and' | 'or'; vs: E[] }
  | { k: 'cmp'; l: E; ops: string[]; rs: E[] }
  | { k: 'call'; f: E; args: E[] }
  | { k: 'attr'; e: E; a: string }
  | { k: 'sub'; e: E; i: E }
  | { k: 'list'; es: E[] }
  | { k: 'tuple'; es: E[] }
  | { k: 'ifexp'; t: E; b: E; o: E };

const BINOPS: Record<string, string> = { '+': 'Add', '-': 'Sub', '*': 'Mult', '/': 'Div', '//': 'FloorDiv', '%': 'Mod', '**': 'Pow', '<<': 'LShift', '>>': 'RShift', '|': 'BitOr', '^': 'BitXor', '&': 'BitAnd', '@': 'MatMult' };
const UNOPS: Record<string, string> = { '-': 'USub', '+': 'UAdd', '~': 'Invert', 'not ': 'Not' };
const CMPOPS: Record<string, string> = { '<': 'Lt', '>': 'Gt', '==': 'Eq', '!=': 'NotEq', '<=': 'LtE', '>=': 'GtE', in: 'In', 'not in': 'NotIn', is: 'Is', 'is not': 'IsNot' };

const ident = fc.constantFrom('a', 'b', 'x1', '_y', 'café', 'match', 'case', 'π');
const { expr } = fc.letrec<{ expr: E }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    ident.map((id): E => ({ k: 'name', id })),
    fc.bigInt({ min: 0n, max: 10n ** 30n }).map((v): E => ({ k: 'int', v })),
    fc.string({ maxLength: 6 }).map((v): E => ({ k: 'str', v })),
    fc.record({ k: fc.constant('bin' as const), op: fc.constantFrom(...Object.keys(BINOPS)), l: tie('expr'), r: tie('expr') }),
    fc.record({ k: fc.constant('un' as const), op: fc.constantFrom(...Object.keys(UNOPS)), e: tie('expr') }),
    fc.record({ k: fc.constant('bool' as const), op: fc.constantFrom('and' as const, 'or' as const), vs: fc.array(tie('expr'), { minLength: 2, maxLength: 3 }) }),
    fc
      .array(fc.tuple(fc.constantFrom(...Object.keys(CMPOPS)), tie('expr')), { minLength: 1, maxLength: 3 })
      .chain((pairs) => tie('expr').map((l): E => ({ k: 'cmp', l, ops: pairs.map((p) => p[0]), rs: pairs.map((p) => p[1]) }))),
    fc.record({ k: fc.constant('call' as const), f: tie('expr'), args: fc.array(tie('expr'), { maxLength: 3 }) }),
    fc.record({ k: fc.constant('attr' as const), e: tie('expr'), a: ident }),
    fc.record({ k: fc.constant('sub' as const), e: tie('expr'), i: tie('expr') }),
    fc.record({ k: fc.constant('list' as const), es: fc.array(tie('expr'), { maxLength: 3 }) }),
    fc.record({ k: fc.constant('tuple' as const), es: fc.array(tie('expr'), { maxLength: 3 }) }),
    fc.record({ k: fc.constant('ifexp' as const), t: tie('expr'), b: tie('expr'), o: tie('expr') }),
  ),
}));

/** Python source of `e`, every compound part in parentheses. */
function unparse(e: E): string {
  switch (e.k) {
    case 'name':
      return e.id;
    case 'int':
      return e.v.toString();
    case 'str':
      return JSON.stringify(e.v).replace(/\\u([0-9a-f]{4})/g, '\\u$1');
    case 'bin':
      return `(${unparse(e.l)} ${e.op} ${unparse(e.r)})`;
    case 'un':
      return `(${e.op}${unparse(e.e)})`;
    case 'bool':
      return `(${e.vs.map(unparse).join(` ${e.op} `)})`;
    case 'cmp':
      return `(${unparse(e.l)}${e.ops.map((op, i) => ` ${op} ${unparse(e.rs[i])}`).join('')})`;
    case 'call':
      return `(${unparse(e.f)})(${e.args.map(unparse).join(', ')})`;
    case 'attr':
      return `(${unparse(e.e)}).${e.a}`;
    case 'sub':
      return `(${unparse(e.e)})[${unparse(e.i)}]`;
    case 'list':
      return `[${e.es.map(unparse).join(', ')}]`;
    case 'tuple':
      return e.es.length === 1 ? `(${unparse(e.es[0])},)` : `(${e.es.map(unparse).join(', ')})`;
    case 'ifexp':
      return `(${unparse(e.b)} if ${unparse(e.t)} else ${unparse(e.o)})`;
  }
}

/** The ast node the model expects for `e`, without positions. */
function model(e: E): unknown {
  const load = { _type: 'Load' };
  switch (e.k) {
    case 'name':
      return { _type: 'Name', id: e.id.normalize('NFKC'), ctx: load };
    case 'int':
      return { _type: 'Constant', value: e.v, kind: null };
    case 'str':
      return { _type: 'Constant', value: e.v, kind: null };
    case 'bin':
      return { _type: 'BinOp', left: model(e.l), op: { _type: BINOPS[e.op] }, right: model(e.r) };
    case 'un':
      return { _type: 'UnaryOp', op: { _type: UNOPS[e.op] }, operand: model(e.e) };
    case 'bool':
      return { _type: 'BoolOp', op: { _type: e.op === 'and' ? 'And' : 'Or' }, values: e.vs.map(model) };
    case 'cmp':
      return { _type: 'Compare', left: model(e.l), ops: e.ops.map((o) => ({ _type: CMPOPS[o] })), comparators: e.rs.map(model) };
    case 'call':
      return { _type: 'Call', func: model(e.f), args: e.args.map(model), keywords: [] };
    case 'attr':
      return { _type: 'Attribute', value: model(e.e), attr: e.a, ctx: load };
    case 'sub':
      return { _type: 'Subscript', value: model(e.e), slice: model(e.i), ctx: load };
    case 'list':
      return { _type: 'List', elts: e.es.map(model), ctx: load };
    case 'tuple':
      return { _type: 'Tuple', elts: e.es.map(model), ctx: load };
    case 'ifexp':
      return { _type: 'IfExp', test: model(e.t), body: model(e.b), orelse: model(e.o) };
  }
}

const POSITION_KEYS = new Set(['lineno', 'col_offset', 'end_lineno', 'end_col_offset']);
function withoutPositions(n: unknown): unknown {
  if (Array.isArray(n)) return n.map(withoutPositions);
  if (n === null || typeof n !== 'object') return n;
  return Object.fromEntries(Object.entries(n).filter(([k]) => !POSITION_KEYS.has(k)).map(([k, v]) => [k, withoutPositions(v)]));
}

describe('parser properties', () => {
  it('parses an unparsed expression back to its tree', () => {
    fc.assert(
      fc.property(expr, (e) => {
        const tree = parse(unparse(e), '<prop>', 'eval');
        expect(withoutPositions(tree.body)).toEqual(model(e));
      }),
      { numRuns: 500 },
    );
  });

  it('positions of every node lie inside the source lines', () => {
    fc.assert(
      fc.property(expr, (e) => {
        const source = `y = ${unparse(e)}\n`;
        const lineBytes = Buffer.byteLength(source, 'utf8') - 1;
        const check = (n: unknown): void => {
          if (Array.isArray(n)) return n.forEach(check);
          if (n === null || typeof n !== 'object') return;
          const node = n as Partial<ast.Located>;
          if (node.lineno !== undefined) {
            expect(node.lineno).toBe(1);
            expect(node.col_offset!).toBeGreaterThanOrEqual(0);
            expect(node.end_col_offset!).toBeLessThanOrEqual(lineBytes);
            expect(node.col_offset!).toBeLessThanOrEqual(node.end_col_offset!);
          }
          Object.values(n).forEach(check);
        };
        check(parse(source));
      }),
      { numRuns: 300 },
    );
  });

  const fragments = fc.constantFrom(
    'x', '1', '0x1f', '1.5e3', '2j', '"s"', "'''t", 'f"{a}"', "f'{'", '(', ')', '[', ']', '{', '}', ':', ',', ';',
    '=', '==', '+', '-', '*', '**', '/', '//', '%', '@', '<', '>', '!', '.', '...', '->', ':=', '\\', '#c',
    'if', 'else', 'elif', 'for', 'in', 'while', 'def', 'class', 'return', 'lambda', 'yield', 'not', 'and',
    'try', 'except', 'finally', 'with', 'as', 'match', 'case', 'import', 'from', 'async', 'await', 'é', '€',
    ' ', '  ', '\t', '\n', '\n    ', '\n  ', '\r\n', '\x0c', '\x00', '\u00a0', '0777', '1_', '0b2', '"\\N{x}"',
  );

  it('ends with a tree or a PySyntaxError inside the source, on any input', () => {
    fc.assert(
      fc.property(fc.array(fragments, { maxLength: 40 }), (parts) => {
        const source = parts.join('');
        let tree: ast.Module;
        try {
          tree = parse(source, 'fuzz.py');
        } catch (err) {
          expect(err).toBeInstanceOf(PySyntaxError);
          const e = err as PySyntaxError;
          const lines = source.split(/\r\n|\r|\n/).length;
          expect(e.lineno).toBeGreaterThanOrEqual(0);
          expect(e.lineno).toBeLessThanOrEqual(lines + 1);
          expect(['SyntaxError', 'IndentationError', 'TabError']).toContain(e.kind);
          return;
        }
        expect(tree._type).toBe('Module');
      }),
      { numRuns: 2000 },
    );
  });
});
