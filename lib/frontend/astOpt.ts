/*
 * The AST optimizer of CPython 3.11 (Python/ast_opt.c): constant folding in
 * place, bottom-up, before the symbol table and the compiler see the tree.
 *
 * What it folds, exactly as 3.11 does:
 *   - unary and binary operators on constants (fold_unaryop, fold_binop),
 *     within ast_opt.c's limits: ints of at most MAX_INT_SIZE bits from `*`,
 *     `**` and `<<`, sequences of at most MAX_COLLECTION_SIZE items and
 *     strings of MAX_STR_SIZE characters from `*`; an operation that raises
 *     is left as it is;
 *   - `not (a is b)` and friends to the inverted comparison;
 *   - tuples of constants (fold_tuple), subscripts of constants (fold_subscr);
 *   - `for x in [..]`/`{..}` and `in [..]`/`in {..}` to a tuple / frozenset
 *     (fold_iter);
 *   - `'%s' % (a,)` with only %s/%r/%a units to an f-string (optimize_format);
 *   - `__debug__` to True.
 * Invariant: the tree keeps its shape except that folded nodes become
 * Constant nodes with the folded node's location; operator nodes (shared by
 * the parser) are never mutated, only replaced.
 */

import type * as ast from './ast.js';
import type { CodeConst } from './code.js';
import { binaryOp, bitLength, unaryOp } from './constOps.js';
import { setItemKey } from './constKey.js';
import { CompilerRecursionError, MAX_EXPRESSION_DEPTH } from './compileErrors.js';

const MAX_INT_SIZE = 128;
const MAX_COLLECTION_SIZE = 256;
const MAX_STR_SIZE = 4096;
const MAX_TOTAL_ITEMS = 1024;

type AnyNode = { _type: string; [field: string]: unknown };

/**
 * Folds the constants of a module, expression or interactive tree in place;
 * returns it. A tree with expressions nested deeper than CPython compiles is
 * refused first, unchanged (CompilerRecursionError). With
 * `futureAnnotations` annotations are left as written.
 */
export function astOptimize<T extends ast.ModNode>(mod: T, filename = '<unknown>', futureAnnotations = false): T {
  checkExpressionDepth(mod as unknown as AnyNode, filename);
  return foldNode(mod as unknown as AnyNode, futureAnnotations) as unknown as T;
}

/** An annotation field: under `from __future__ import annotations` kept as written, unfolded (astfold_arg, astfold_stmt). */
function isAnnotationField(node: AnyNode, key: string): boolean {
  if (key === 'annotation') return node._type === 'arg' || node._type === 'AnnAssign';
  return key === 'returns' && (node._type === 'FunctionDef' || node._type === 'AsyncFunctionDef');
}

const exprTypes = new Set(['BoolOp', 'NamedExpr', 'BinOp', 'UnaryOp', 'Lambda', 'IfExp', 'Dict', 'Set', 'ListComp', 'SetComp', 'DictComp',
  'GeneratorExp', 'Await', 'Yield', 'YieldFrom', 'Compare', 'Call', 'FormattedValue', 'JoinedStr', 'Constant', 'Attribute', 'Subscript',
  'Starred', 'Name', 'List', 'Tuple', 'Slice']);

/**
 * The recursion limit of astfold_expr, checked without recursing (so that no
 * later stage meets a tree deeper than its JavaScript stack allows): throws
 * CompilerRecursionError when expressions nest more than MAX_EXPRESSION_DEPTH.
 */
function checkExpressionDepth(root: AnyNode, filename: string): void {
  const stack: [AnyNode, number][] = [[root, 0]];
  while (stack.length) {
    const [node, outer] = stack.pop()!;
    const depth = exprTypes.has(node._type) ? outer + 1 : outer;
    if (depth > MAX_EXPRESSION_DEPTH) throw new CompilerRecursionError(filename, node['lineno'] as number);
    for (const child of Object.values(node)) {
      if (Array.isArray(child)) {
        for (const c of child) if (c !== null && typeof c === 'object' && '_type' in c) stack.push([c as AnyNode, depth]);
      } else if (child !== null && typeof child === 'object' && '_type' in (child as object)) {
        stack.push([child as AnyNode, depth]);
      }
    }
  }
}

/** Replaces `node`'s content by a Constant of `value` (make_const), keeping its location. */
function makeConst(node: AnyNode, value: CodeConst): AnyNode {
  for (const key of Object.keys(node)) {
    if (key !== 'lineno' && key !== 'col_offset' && key !== 'end_lineno' && key !== 'end_col_offset') delete node[key];
  }
  node['_type'] = 'Constant';
  // A folded value can be a frozenset, which ast.ConstantValue does not list: the compiler reads it as CodeConst.
  node['value'] = value;
  node['kind'] = null;
  return node;
}

function isConst(e: unknown): e is ast.Constant {
  return (e as AnyNode | null)?._type === 'Constant';
}

function constValue(e: ast.Constant): CodeConst {
  return e.value as CodeConst;
}

function hasStarred(elts: ast.Expr[]): boolean {
  return elts.some((e) => e._type === 'Starred');
}

/** check_complexity: the items budget left after counting nested tuples and frozensets. */
function checkComplexity(obj: CodeConst, limit: number): number {
  if (Array.isArray(obj)) {
    limit -= obj.length;
    for (const item of obj) {
      if (limit < 0) break;
      limit = checkComplexity(item, limit);
    }
  } else if (obj !== null && typeof obj === 'object' && obj.kind === 'frozenset') {
    limit -= obj.items.length;
    for (const item of obj.items) {
      if (limit < 0) break;
      limit = checkComplexity(item, limit);
    }
  }
  return limit;
}

function isInt(v: CodeConst): v is bigint | boolean {
  return typeof v === 'bigint' || typeof v === 'boolean';
}

function intOf(v: bigint | boolean): bigint {
  return typeof v === 'boolean' ? (v ? 1n : 0n) : v;
}

function sizeOf(v: CodeConst): number | undefined {
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (v !== null && typeof v === 'object' && (v.kind === 'bytes')) return v.value.length;
  if (v !== null && typeof v === 'object' && (v.kind === 'frozenset')) return v.items.length;
  return undefined;
}

/** safe_multiply of ast_opt.c. */
function safeMultiply(v: CodeConst, w: CodeConst): CodeConst | undefined {
  if (isInt(v) && isInt(w) && intOf(v) !== 0n && intOf(w) !== 0n) {
    if (bitLength(intOf(v)) + bitLength(intOf(w)) > MAX_INT_SIZE) return undefined;
  } else if (isInt(v) && (Array.isArray(w) || (w !== null && typeof w === 'object' && w.kind === 'frozenset'))) {
    const size = sizeOf(w)!;
    if (size) {
      const n = intOf(v);
      if (n < 0n || n > BigInt(Math.floor(MAX_COLLECTION_SIZE / size))) return undefined;
      if (n && checkComplexity(w, Math.floor(MAX_TOTAL_ITEMS / Number(n))) < 0) return undefined;
    }
  } else if (isInt(v) && (typeof w === 'string' || (w !== null && typeof w === 'object' && !Array.isArray(w) && w.kind === 'bytes'))) {
    const size = sizeOf(w)!;
    if (size) {
      const n = intOf(v);
      if (n < 0n || n > BigInt(Math.floor(MAX_STR_SIZE / size))) return undefined;
    }
  } else if (isInt(w) && sizeOf(v) !== undefined) {
    return safeMultiply(w, v);
  }
  return binaryOp('Mult', v, w);
}

/** safe_power of ast_opt.c. */
function safePower(v: CodeConst, w: CodeConst): CodeConst | undefined {
  if (isInt(v) && isInt(w) && intOf(v) !== 0n && intOf(w) > 0n) {
    const wbits = intOf(w);
    if (BigInt(bitLength(intOf(v))) > BigInt(MAX_INT_SIZE) / wbits) return undefined;
  }
  return binaryOp('Pow', v, w);
}

/** safe_lshift of ast_opt.c. */
function safeLshift(v: CodeConst, w: CodeConst): CodeConst | undefined {
  if (isInt(v) && isInt(w) && intOf(v) !== 0n && intOf(w) !== 0n) {
    const wbits = intOf(w);
    if (wbits < 0n) return undefined;
    if (wbits > BigInt(MAX_INT_SIZE) || BigInt(bitLength(intOf(v))) > BigInt(MAX_INT_SIZE) - wbits) return undefined;
  }
  return binaryOp('LShift', v, w);
}

/** safe_mod of ast_opt.c: never folds str/bytes formatting. */
function safeMod(v: CodeConst, w: CodeConst): CodeConst | undefined {
  if (typeof v === 'string' || (v !== null && typeof v === 'object' && !Array.isArray(v) && v.kind === 'bytes')) return undefined;
  return binaryOp('Mod', v, w);
}

/** parse_literal of ast_opt.c: the text up to the next lone '%', '%%' made '%'. */
function parseLiteral(fmt: string[], pos: { at: number }): ast.Constant | null {
  const start = pos.at;
  let p = start;
  while (p < fmt.length) {
    if (fmt[p] !== '%') p++;
    else if (p + 1 < fmt.length && fmt[p + 1] === '%') p += 2;
    else break;
  }
  pos.at = p;
  if (p === start) return null;
  const text = fmt.slice(start, p).join('').replaceAll('%%', '%');
  return { _type: 'Constant', value: text, kind: null, lineno: -1, col_offset: -1, end_lineno: -1, end_col_offset: -1 };
}

const MAXDIGITS = 3;

/** simple_format_arg_parse + parse_format of ast_opt.c. */
function parseFormat(fmt: string[], pos: { at: number }, arg: ast.Expr): ast.FormattedValue | null {
  let p = pos.at;
  let ch = '';
  const next = (): boolean => {
    if (p >= fmt.length) return false;
    ch = fmt[p++]!;
    return true;
  };
  let ljust = false;
  for (;;) {
    if (!next()) return null;
    if (ch === '-') ljust = true;
    else if (ch === '+' || ch === ' ' || ch === '#' || ch === '0') continue;
    else break;
  }
  let width = -1;
  let prec = -1;
  if (ch >= '0' && ch <= '9') {
    width = 0;
    let digits = 0;
    while (ch >= '0' && ch <= '9') {
      width = width * 10 + Number(ch);
      if (!next()) return null;
      if (++digits >= MAXDIGITS) return null;
    }
  }
  if (ch === '.') {
    if (!next()) return null;
    prec = 0;
    let digits = 0;
    while (ch >= '0' && ch <= '9') {
      prec = prec * 10 + Number(ch);
      if (!next()) return null;
      if (++digits >= MAXDIGITS) return null;
    }
  }
  pos.at = p;
  if (ch !== 's' && ch !== 'r' && ch !== 'a') return null;
  let spec = '';
  if (!ljust && width > 0) spec += '>';
  if (width >= 0) spec += String(width);
  if (prec >= 0) spec += `.${prec}`;
  const formatSpec: ast.Constant | null = spec
    ? { _type: 'Constant', value: spec, kind: null, lineno: -1, col_offset: -1, end_lineno: -1, end_col_offset: -1 }
    : null;
  return {
    _type: 'FormattedValue',
    value: arg,
    conversion: ch.charCodeAt(0),
    format_spec: formatSpec,
    lineno: arg.lineno,
    col_offset: arg.col_offset,
    end_lineno: arg.end_lineno,
    end_col_offset: arg.end_col_offset,
  };
}

/** optimize_format of ast_opt.c: `'..%s..' % (a, b)` as a JoinedStr, when every unit is simple. */
function optimizeFormat(node: AnyNode, fmtText: string, elts: ast.Expr[]): AnyNode {
  const fmt = [...fmtText];
  const pos = { at: 0 };
  let cnt = 0;
  const seq: ast.Expr[] = [];
  for (;;) {
    const lit = parseLiteral(fmt, pos);
    if (lit) seq.push(lit);
    if (pos.at >= fmt.length) break;
    if (cnt >= elts.length) return node;
    pos.at++;
    const expr = parseFormat(fmt, pos, elts[cnt]!);
    cnt++;
    if (!expr) return node;
    seq.push(expr);
  }
  if (cnt < elts.length) return node;
  for (const key of Object.keys(node)) {
    if (key !== 'lineno' && key !== 'col_offset' && key !== 'end_lineno' && key !== 'end_col_offset') delete node[key];
  }
  node['_type'] = 'JoinedStr';
  node['values'] = seq;
  return node;
}

/** fold_binop of ast_opt.c. */
function foldBinop(node: ast.BinOp): AnyNode {
  const n = node as unknown as AnyNode;
  const lhs = node.left;
  const rhs = node.right;
  if (!isConst(lhs)) return n;
  const lv = constValue(lhs);
  const op = node.op._type;
  if (op === 'Mod' && rhs._type === 'Tuple' && typeof lv === 'string' && !hasStarred(rhs.elts)) {
    return optimizeFormat(n, lv, rhs.elts);
  }
  if (!isConst(rhs)) return n;
  const rv = constValue(rhs);
  let value: CodeConst | undefined;
  switch (op) {
    case 'Mult': value = safeMultiply(lv, rv); break;
    case 'Pow': value = safePower(lv, rv); break;
    case 'LShift': value = safeLshift(lv, rv); break;
    case 'Mod': value = safeMod(lv, rv); break;
    case 'MatMult': value = undefined; break;
    default: value = binaryOp(op, lv, rv);
  }
  return value === undefined ? n : makeConst(n, value);
}

const invertedCompare: Record<string, string> = { Is: 'IsNot', IsNot: 'Is', In: 'NotIn', NotIn: 'In' };

/** fold_unaryop of ast_opt.c. */
function foldUnaryop(node: ast.UnaryOp): AnyNode {
  const n = node as unknown as AnyNode;
  const arg = node.operand;
  if (!isConst(arg)) {
    if (node.op._type === 'Not' && arg._type === 'Compare' && arg.ops.length === 1) {
      const inverted = invertedCompare[arg.ops[0]!._type];
      if (inverted) {
        const cmp = { ...arg, ops: [{ _type: inverted }] } as unknown as AnyNode;
        for (const key of Object.keys(n)) delete n[key];
        Object.assign(n, cmp);
      }
    }
    return n;
  }
  const value = unaryOp(node.op._type, constValue(arg));
  return value === undefined ? n : makeConst(n, value);
}

/** make_const_tuple: the values when every element is a Constant. */
function constTuple(elts: ast.Expr[]): CodeConst[] | undefined {
  if (!elts.every(isConst)) return undefined;
  return elts.map((e) => constValue(e as ast.Constant));
}

/** fold_iter of ast_opt.c: a list becomes a tuple, a constant set a frozenset. */
function foldIter(arg: ast.Expr): void {
  const n = arg as unknown as AnyNode;
  if (arg._type === 'List') {
    if (hasStarred(arg.elts)) return;
    n['_type'] = 'Tuple';
    const value = constTuple(arg.elts);
    if (value) makeConst(n, value);
  } else if (arg._type === 'Set') {
    const value = constTuple(arg.elts);
    if (value) makeConst(n, { kind: 'frozenset', items: dedupeFrozen(value) });
  }
}

/** A frozenset holds each value once (1 and 1.0 and True are one element of a set): the first stays. */
function dedupeFrozen(values: CodeConst[]): CodeConst[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = setItemKey(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** fold_subscr of ast_opt.c: `'abc'[1]`, `(1, 2)[0]` with constant index. */
function foldSubscr(node: ast.Subscript): AnyNode {
  const n = node as unknown as AnyNode;
  if (!isConst(node.value) || !isConst(node.slice)) return n;
  const v = constValue(node.value);
  const idx = constValue(node.slice);
  if (!isInt(idx)) return n;
  let i = Number(intOf(idx));
  if (typeof v === 'string') {
    const chars = [...v];
    if (i < 0) i += chars.length;
    return i >= 0 && i < chars.length ? makeConst(n, chars[i]!) : n;
  }
  if (Array.isArray(v)) {
    if (i < 0) i += v.length;
    return i >= 0 && i < v.length ? makeConst(n, v[i]!) : n;
  }
  if (v !== null && typeof v === 'object' && v.kind === 'bytes') {
    if (i < 0) i += v.value.length;
    return i >= 0 && i < v.value.length ? makeConst(n, BigInt(v.value[i]!)) : n;
  }
  return n;
}

/** _PyAST_GetDocString: the first statement is an expression of a str constant. */
function hasDocString(body: ast.Stmt[]): boolean {
  const first = body[0];
  return first !== undefined && first._type === 'Expr' && isConst(first.value) && typeof first.value.value === 'string';
}

/** astfold_body: folding must not make a docstring out of what was not one. */
function foldBody(body: ast.Stmt[], skipAnnotations: boolean): ast.Stmt[] {
  const docstring = hasDocString(body);
  const out = body.map((s) => foldNode(s as unknown as AnyNode, skipAnnotations) as unknown as ast.Stmt);
  if (!docstring && hasDocString(out)) {
    const st = out[0] as ast.ExprStmt;
    st.value = {
      _type: 'JoinedStr',
      values: [st.value],
      lineno: st.lineno,
      col_offset: st.col_offset,
      end_lineno: st.end_lineno,
      end_col_offset: st.end_col_offset,
    };
  }
  return out;
}

const bodyOwners = new Set(['Module', 'Interactive', 'FunctionDef', 'AsyncFunctionDef', 'ClassDef']);

/** astfold_expr / astfold_stmt: children first, then this node's own fold. */
function foldNode(node: AnyNode, skipAnnotations: boolean): AnyNode {
  for (const [key, child] of Object.entries(node)) {
    if (skipAnnotations && isAnnotationField(node, key)) continue;
    if (key === 'body' && bodyOwners.has(node._type)) {
      node[key] = foldBody(child as ast.Stmt[], skipAnnotations);
    } else if (Array.isArray(child)) {
      if (node._type === 'Constant' || node._type === 'MatchSingleton') continue;
      node[key] = child.map((c) => (c !== null && typeof c === 'object' && '_type' in c ? foldNode(c as AnyNode, skipAnnotations) : c));
    } else if (child !== null && typeof child === 'object' && '_type' in (child as object)) {
      node[key] = foldNode(child as AnyNode, skipAnnotations);
    }
  }
  switch (node._type) {
    case 'BinOp': return foldBinop(node as unknown as ast.BinOp);
    case 'UnaryOp': return foldUnaryop(node as unknown as ast.UnaryOp);
    case 'Tuple': {
      const t = node as unknown as ast.Tuple;
      if (t.ctx._type !== 'Load') return node;
      const value = constTuple(t.elts);
      return value ? makeConst(node, value) : node;
    }
    case 'Subscript': return foldSubscr(node as unknown as ast.Subscript);
    case 'Compare': {
      const c = node as unknown as ast.Compare;
      const last = c.ops.length - 1;
      const op = c.ops[last]!._type;
      if (op === 'In' || op === 'NotIn') foldIter(c.comparators[last]!);
      return node;
    }
    // astfold_stmt: For's iter is folded, AsyncFor's is not.
    case 'For':
      foldIter((node as unknown as ast.For).iter);
      return node;
    case 'comprehension':
      foldIter((node as unknown as ast.Comprehension).iter);
      return node;
    case 'Name': {
      const name = node as unknown as ast.Name;
      return name.ctx._type === 'Load' && name.id === '__debug__' ? makeConst(node, true) : node;
    }
    default:
      return node;
  }
}
