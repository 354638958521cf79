/*
 * The compiler of CPython 3.11 (Python/compile.c): AST → one flow graph of
 * pseudo instructions per code unit (module, class body, function, lambda,
 * comprehension), then assemble.ts makes each a code object.
 *
 * Invariants, as in compile.c:
 *   - every instruction takes the unit's current location (SET_LOC on each
 *     statement and expression, restored after an expression; UNSET_LOC
 *     marks artificial code with lineno -1);
 *   - a jump or scope exit is the last instruction of its block (addOp
 *     starts a new block after one, where compile.c has NEXT_BLOCK);
 *   - constants go through _PyCode_ConstantKey (constKey.ts), so equal
 *     constants share one slot of co_consts; names, varnames, cellvars and
 *     freevars are numbered in order of first use (cells and free variables
 *     sorted, as dictbytype sorts them);
 *   - the fblock stack mirrors compile.c's, so break/continue/return unwind
 *     with exactly its instructions.
 * What is not compiled -- the future feature `barry_as_FLUFL`, and
 * annotations unparse.ts does not write under `from __future__ import
 * annotations` -- raises CompilerNotImplementedError naming it and file:line.
 */

import type * as ast from './ast.js';
import { Ellipsis } from './ast.js';
import { CompilerNotImplementedError } from './compileErrors.js';
import { Op } from './opcode.js';
import { CO_FUTURE_ANNOTATIONS, isCode, type CodeConst, type CodeObject } from './code.js';
import { constKey, setItemKey } from './constKey.js';
import { astOptimize } from './astOpt.js';
import {
  buildSymtable, mangle, type Symtable, type SymtableEntry,
  CELL, FREE, LOCAL, GLOBAL_EXPLICIT, GLOBAL_IMPLICIT, DEF_FREE_CLASS, DEF_IMPORT,
} from './symtable.js';
import { PySyntaxError, type PySyntaxWarning } from './syntaxError.js';
import {
  FlowGraph, type Block, type Loc, NO_LOC, isJump, isScopeExit,
  SETUP_FINALLY, SETUP_CLEANUP, SETUP_WITH, POP_BLOCK, JUMP, JUMP_NO_INTERRUPT, POP_JUMP_IF_FALSE, POP_JUMP_IF_TRUE, POP_JUMP_IF_NONE, POP_JUMP_IF_NOT_NONE,
} from './flowgraph.js';
import { assemble } from './assemble.js';
import { constRepr, strRepr } from './constRepr.js';
import { parse } from './parser.js';
import { futureParse, type FutureFeatures } from './future.js';
import { annotationText } from './unparse.js';

export { CompilerNotImplementedError, CompilerRecursionError } from './compileErrors.js';

/** compile.c's COMPILER_SCOPE_*: what a code unit compiles. */
export type ScopeType = 'module' | 'class' | 'function' | 'asyncFunction' | 'lambda' | 'comprehension';

type FBlockType = 'WHILE_LOOP' | 'FOR_LOOP' | 'TRY_EXCEPT' | 'FINALLY_TRY' | 'FINALLY_END' | 'WITH' | 'ASYNC_WITH' | 'HANDLER_CLEANUP' | 'POP_VALUE' | 'EXCEPTION_HANDLER' | 'EXCEPTION_GROUP_HANDLER' | 'ASYNC_COMPREHENSION_GENERATOR';

interface FBlock {
  type: FBlockType;
  block: Block | null;
  exit: Block | null;
  /** FINALLY_TRY: the finally body; WITH: the statement; HANDLER_CLEANUP: the bound name. */
  datum: ast.Stmt[] | ast.Stmt | string | null;
}

/** A numbered set, in order of insertion (compile.c's dicts name → index). */
class IndexMap {
  readonly map = new Map<string, number>();
  add(name: string): number {
    let i = this.map.get(name);
    if (i === undefined) {
      i = this.map.size;
      this.map.set(name, i);
    }
    return i;
  }
  get size(): number {
    return this.map.size;
  }
  keys(): string[] {
    return [...this.map.keys()];
  }
}

/** compile.c's struct compiler_unit. */
export class CompilerUnit {
  readonly graph = new FlowGraph();
  curblock: Block;
  readonly consts: CodeConst[] = [];
  private readonly constIndex = new Map<string, number>();
  readonly names = new IndexMap();
  readonly varnames = new IndexMap();
  readonly cellvars = new IndexMap();
  readonly freevars = new IndexMap();
  argcount = 0;
  posonlyargcount = 0;
  kwonlyargcount = 0;
  loc: Loc;
  qualname = '';
  privateName: string | null = null;
  /** The CO_FUTURE_* bits of the compilation, in every code object's flags. */
  futureFlags = 0;
  readonly fblocks: FBlock[] = [];

  constructor(
    readonly ste: SymtableEntry,
    readonly name: string,
    readonly scopeType: ScopeType,
    public firstlineno: number,
    /** merge_consts_recursive over the compilation's c_const_cache: the one value of each key. */
    readonly mergeConst: (value: CodeConst) => CodeConst = (v) => v,
  ) {
    this.curblock = this.graph.newBlock();
    this.loc = { lineno: firstlineno, endLineno: firstlineno, col: 0, endCol: 0 };
    for (const v of ste.varnames) this.varnames.add(v);
    const sortedOf = (pred: (flags: number, scope: number) => boolean): string[] =>
      [...ste.symbols.keys()].filter((k) => pred(ste.getSymbol(k), ste.getScope(k))).sort(compareCodepoints);
    for (const n of sortedOf((_, scope) => scope === CELL)) this.cellvars.add(n);
    if (ste.needsClassClosure) this.cellvars.add('__class__');
    for (const n of sortedOf((flags, scope) => scope === FREE || (flags & DEF_FREE_CLASS) !== 0)) this.freevars.add(n);
  }

  /** compiler_add_const: the slot of `value`, shared with every equal constant. */
  addConst(value: CodeConst): number {
    const key = constKey(value);
    let i = this.constIndex.get(key);
    if (i === undefined) {
      i = this.consts.length;
      this.consts.push(this.mergeConst(value));
      this.constIndex.set(key, i);
    }
    return i;
  }
}

function compareCodepoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const STACK_USE_GUIDELINE = 30;

const binopArg: Record<string, number> = {
  Add: 0, BitAnd: 1, FloorDiv: 2, LShift: 3, MatMult: 4, Mult: 5, Mod: 6, BitOr: 7, Pow: 8, RShift: 9, Sub: 10, Div: 11, BitXor: 12,
};
const INPLACE = 13;

const compareOps: Record<string, [number, number]> = {
  Lt: [Op.COMPARE_OP, 0], LtE: [Op.COMPARE_OP, 1], Eq: [Op.COMPARE_OP, 2], NotEq: [Op.COMPARE_OP, 3], Gt: [Op.COMPARE_OP, 4], GtE: [Op.COMPARE_OP, 5],
  Is: [Op.IS_OP, 0], IsNot: [Op.IS_OP, 1], In: [Op.CONTAINS_OP, 0], NotIn: [Op.CONTAINS_OP, 1],
};

const unaryOps: Record<string, number> = { Invert: Op.UNARY_INVERT, Not: Op.UNARY_NOT, UAdd: Op.UNARY_POSITIVE, USub: Op.UNARY_NEGATIVE };

function locOf(n: ast.Located): Loc {
  return { lineno: n.lineno, endLineno: n.end_lineno, col: n.col_offset, endCol: n.end_col_offset };
}

/** _PyAST_GetDocString. */
function getDocString(body: ast.Stmt[]): string | null {
  const first = body[0];
  if (first && first._type === 'Expr' && first.value._type === 'Constant' && typeof first.value.value === 'string') return first.value.value;
  return null;
}

/** find_ann: does the body hold an annotated assignment (outside nested scopes)? */
function findAnn(stmts: ast.Stmt[]): boolean {
  for (const s of stmts) {
    switch (s._type) {
      case 'AnnAssign': return true;
      case 'For': case 'AsyncFor': case 'While': case 'If':
        if (findAnn(s.body) || findAnn(s.orelse)) return true;
        break;
      case 'With': case 'AsyncWith':
        if (findAnn(s.body)) return true;
        break;
      case 'Try': case 'TryStar':
        if (findAnn(s.body) || findAnn(s.orelse) || findAnn(s.finalbody)) return true;
        if (s.handlers.some((h) => findAnn(h.body))) return true;
        break;
      case 'Match':
        if (s.cases.some((c) => findAnn(c.body))) return true;
        break;
    }
  }
  return false;
}

type Mode = 'exec' | 'eval' | 'single';

type ComprehensionType = 'genexpr' | 'listcomp' | 'setcomp' | 'dictcomp';

/** compile.c's pattern_context: names captured so far, items above the subject, the fail_pop blocks. */
interface PatternContext {
  stores: string[];
  allowIrrefutable: boolean;
  /** failPop[n] pops n items, then falls into failPop[n - 1] ... failPop[0]. */
  failPop: Block[];
  onTop: number;
}

/** WILDCARD_CHECK: `_`. */
function isWildcard(p: ast.Pattern): boolean {
  return p._type === 'MatchAs' && p.pattern === null && p.name === null;
}

/** A warning the compiler issues (compiler_warn), for the caller to show as the warnings module would. */
export interface CompileWarning {
  /** SyntaxWarning (the tokenizer's and the compiler's) or DeprecationWarning (the string parser's invalid escapes). */
  readonly category: 'SyntaxWarning' | 'DeprecationWarning';
  readonly message: string;
  readonly filename: string;
  readonly lineno: number;
}

/** Where a compilation's warnings go. */
export type WarningSink = (w: CompileWarning) => void;

/** Expressions check_caller warns about calling. */
const CALLER_LITERALS = new Set(['Constant', 'Tuple', 'List', 'ListComp', 'Dict', 'DictComp', 'Set', 'SetComp', 'GeneratorExp', 'JoinedStr', 'FormattedValue']);
/** Non-constant expressions check_subscripter warns about subscripting. */
const SUBSCRIPTER_LITERALS = new Set(['Set', 'SetComp', 'GeneratorExp', 'Lambda']);
/** Non-constant expressions check_index warns about indexing with a non-integer. */
const INDEXED_LITERALS = new Set(['Tuple', 'List', 'ListComp', 'JoinedStr', 'FormattedValue']);

/** infer_type: the tp_name of what an expression certainly evaluates to, or null when that is not known. */
function inferType(e: ast.Expr): string | null {
  switch (e._type) {
    case 'Tuple':
      return 'tuple';
    case 'List':
    case 'ListComp':
      return 'list';
    case 'Dict':
    case 'DictComp':
      return 'dict';
    case 'Set':
    case 'SetComp':
      return 'set';
    case 'GeneratorExp':
      return 'generator';
    case 'Lambda':
      return 'function';
    case 'JoinedStr':
    case 'FormattedValue':
      return 'str';
    case 'Constant':
      return constantTypeName(e.value);
    default:
      return null;
  }
}

/** Py_TYPE(value)->tp_name of a constant. */
function constantTypeName(v: ast.ConstantValue): string {
  if (v === null) return 'NoneType';
  if (v === Ellipsis) return 'ellipsis';
  if (Array.isArray(v)) return 'tuple';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'str';
    default:
      return v.kind;
  }
}

/** compile.c's struct compiler: the stack of units and the symbol table. */
class Compiler {
  u!: CompilerUnit;
  private readonly stack: CompilerUnit[] = [];
  private interactive = false;
  /** c_const_cache: the first constant of each key, shared by every code object of the compilation. */
  private readonly constCache = new Map<string, CodeConst>();
  /**
   * merge_consts_recursive: the cached constant equal to value (the first
   * one added), a tuple's or frozenset's items merged first, so equal
   * constants of different code objects are one value (one object at run time).
   */
  private readonly mergeConst = (value: CodeConst): CodeConst => {
    if (isCode(value)) return value;
    const key = constKey(value);
    const cached = this.constCache.get(key);
    if (cached !== undefined) return cached;
    let merged = value;
    // A tuple's items are replaced in place (PyTuple_SET_ITEM), so the tuple stays the one the AST holds.
    if (Array.isArray(value)) value.forEach((x, i) => (value[i] = this.mergeConst(x)));
    else if (typeof value === 'object' && value !== null && value.kind === 'frozenset') merged = { ...value, items: value.items.map(this.mergeConst) };
    this.constCache.set(key, merged);
    return merged;
  };

  constructor(
    private readonly st: Symtable,
    private readonly future: FutureFeatures,
    private readonly filename: string,
    private readonly sourceLines: string[],
    private readonly onWarning: WarningSink,
  ) {}

  // ---- errors ----

  /** compiler_warn: a SyntaxWarning at the current line (PyErr_WarnExplicitObject). */
  warn(message: string): void {
    this.onWarning({ category: 'SyntaxWarning', message, filename: this.filename, lineno: this.u.loc.lineno });
  }

  /** check_compare: `is` / `is not` with a literal operand (a constant other than None, True, False, ...). */
  checkCompare(e: ast.Compare): void {
    const isArg = (x: ast.Expr): boolean =>
      x._type !== 'Constant' || x.value === null || typeof x.value === 'boolean' || x.value === Ellipsis;
    let left = isArg(e.left);
    for (let i = 0; i < e.ops.length; i++) {
      const op = e.ops[i]!._type;
      const right = isArg(e.comparators[i]!);
      if ((op === 'Is' || op === 'IsNot') && (!right || !left)) {
        this.warn(op === 'Is' ? '"is" with a literal. Did you mean "=="?' : '"is not" with a literal. Did you mean "!="?');
        return;
      }
      left = right;
    }
  }

  /** check_caller: calling a display, a literal or a comprehension. */
  checkCaller(func: ast.Expr): void {
    if (CALLER_LITERALS.has(func._type)) this.warn(`'${inferType(func)}' object is not callable; perhaps you missed a comma?`);
  }

  /** check_subscripter and check_index, for a subscript that loads. */
  checkSubscript(e: ast.Subscript): void {
    const v = e.value;
    if (v._type === 'Constant' ? [null, Ellipsis].includes(v.value as null) || ['int', 'bool', 'float', 'complex', 'frozenset'].includes(inferType(v)!) : SUBSCRIPTER_LITERALS.has(v._type)) {
      this.warn(`'${inferType(v)}' object is not subscriptable; perhaps you missed a comma?`);
      return;
    }
    const index = inferType(e.slice);
    if (index === null || index === 'int' || index === 'bool' || e.slice._type === 'Slice') return;
    if (v._type === 'Constant' ? ['str', 'bytes', 'tuple'].includes(inferType(v)!) : INDEXED_LITERALS.has(v._type)) {
      this.warn(`${inferType(v)} indices must be integers or slices, not ${index}; perhaps you missed a comma?`);
    }
  }

  /** compiler_error: a SyntaxError at the current location. */
  error(msg: string): never {
    const { lineno, col, endLineno, endCol } = this.u.loc;
    throw new PySyntaxError(msg, 'SyntaxError', this.filename, lineno, col + 1, endLineno, endCol + 1, this.sourceLines[lineno - 1] ?? null);
  }

  // ---- emitting ----

  /** compiler_addop / compiler_addop_i: one instruction at the current location. */
  addOp(op: number, arg = 0, loc: Loc = this.u.loc): void {
    let b = this.u.curblock;
    const last = b.instrs[b.instrs.length - 1];
    if (last && (isJump(last) || isScopeExit(last.op))) {
      const nb = this.u.graph.newBlock();
      b.next = nb;
      this.u.curblock = nb;
      b = nb;
    }
    b.instrs.push({ op, arg, target: null, loc, except: null });
    if (op === Op.RETURN_VALUE) b.returns = true;
  }

  addOpNoLine(op: number, arg = 0): void {
    this.addOp(op, arg, NO_LOC);
  }

  /** compiler_addop_j. */
  addJump(op: number, target: Block, loc: Loc = this.u.loc): void {
    this.addOp(op, 0, loc);
    const b = this.u.curblock;
    b.instrs[b.instrs.length - 1]!.target = target;
  }

  addJumpNoLine(op: number, target: Block): void {
    this.addJump(op, target, NO_LOC);
  }

  loadConst(value: CodeConst): void {
    this.addOp(Op.LOAD_CONST, this.u.addConst(value));
  }

  /** compiler_addop_name: a mangled name in co_names. */
  addOpName(op: number, name: string): void {
    this.addOp(op, this.u.names.add(mangle(this.u.privateName, name)));
  }

  newBlock(): Block {
    return this.u.graph.newBlock();
  }

  /** compiler_use_next_block. */
  useNextBlock(b: Block): void {
    this.u.curblock.next = b;
    this.u.curblock = b;
  }

  /** NEXT_BLOCK. */
  nextBlock(): void {
    this.useNextBlock(this.newBlock());
  }

  setLoc(n: ast.Located): void {
    this.u.loc = locOf(n);
  }

  unsetLoc(): void {
    this.u.loc = NO_LOC;
  }

  // ---- scopes ----

  /** compiler_enter_scope. */
  enterScope(name: string, scopeType: ScopeType, node: object, lineno: number): void {
    const ste = this.st.lookup(node);
    const u = new CompilerUnit(ste, name, scopeType, lineno, this.mergeConst);
    if (this.future.features.has('annotations')) u.futureFlags = CO_FUTURE_ANNOTATIONS;
    if (this.u) {
      u.privateName = this.u.privateName;
      this.stack.push(this.u);
    }
    this.u = u;
    if (scopeType === 'module') {
      u.qualname = name;
      u.loc = { ...u.loc, lineno: 0 };
    } else {
      this.setQualname();
    }
    this.addOp(Op.RESUME, 0);
    if (scopeType === 'module') u.loc = { ...u.loc, lineno: -1 };
  }

  /** compiler_exit_scope. */
  exitScope(): void {
    this.u = this.stack.pop()!;
  }

  /** compiler_set_qualname. */
  private setQualname(): void {
    const u = this.u;
    let base: string | null = null;
    if (this.stack.length > 1) {
      const parent = this.stack[this.stack.length - 1]!;
      let forceGlobal = false;
      if (u.scopeType === 'function' || u.scopeType === 'asyncFunction' || u.scopeType === 'class') {
        const scope = parent.ste.getScope(mangle(parent.privateName, u.name));
        if (scope === GLOBAL_EXPLICIT) forceGlobal = true;
      }
      if (!forceGlobal) {
        base = parent.scopeType === 'function' || parent.scopeType === 'asyncFunction' || parent.scopeType === 'lambda' ? `${parent.qualname}.<locals>` : parent.qualname;
      }
    }
    u.qualname = base !== null ? `${base}.${u.name}` : u.name;
  }

  assembleUnit(addNone: boolean): CodeObject {
    if (!this.u.curblock.returns) {
      this.unsetLoc();
      if (addNone) this.loadConst(null);
      this.addOp(Op.RETURN_VALUE);
    }
    return assemble(this.u, this.filename);
  }

  // ---- module ----

  /** compiler_mod. */
  compileMod(mod: ast.ModNode): CodeObject {
    this.enterScope('<module>', 'module', mod, 1);
    let addNone = true;
    if (mod._type === 'Module') {
      this.body(mod.body);
    } else if (mod._type === 'Interactive') {
      if (findAnn(mod.body)) this.addOp(Op.SETUP_ANNOTATIONS);
      this.interactive = true;
      mod.body.forEach((s) => this.visitStmt(s));
    } else if (mod._type === 'Expression') {
      this.visitExpr(mod.body);
      addNone = false;
    }
    return this.assembleUnit(addNone);
  }

  /** compiler_body: docstring, annotations, statements. */
  body(stmts: ast.Stmt[]): void {
    let i = 0;
    if (this.u.scopeType === 'module' && stmts.length) this.setLoc(stmts[0]!);
    if (findAnn(stmts)) this.addOp(Op.SETUP_ANNOTATIONS);
    if (!stmts.length) return;
    const doc = getDocString(stmts);
    if (doc !== null) {
      i = 1;
      this.visitExpr((stmts[0] as ast.ExprStmt).value);
      this.unsetLoc();
      this.nameop('__doc__', 'Store');
    }
    for (; i < stmts.length; i++) this.visitStmt(stmts[i]!);
  }

  // ---- names ----

  /** compiler_nameop. */
  nameop(name: string, ctx: 'Load' | 'Store' | 'Del'): void {
    if (ctx === 'Store' && name === '__debug__') this.error('cannot assign to __debug__');
    if (ctx === 'Del' && name === '__debug__') this.error('cannot delete __debug__');
    const mangled = mangle(this.u.privateName, name);
    const ste = this.u.ste;
    const scope = ste.getScope(mangled);
    let optype: 'fast' | 'global' | 'deref' | 'name' = 'name';
    let dict: IndexMap = this.u.names;
    switch (scope) {
      case FREE: dict = this.u.freevars; optype = 'deref'; break;
      case CELL: dict = this.u.cellvars; optype = 'deref'; break;
      case LOCAL: if (ste.type === 'function') optype = 'fast'; break;
      case GLOBAL_IMPLICIT: if (ste.type === 'function') optype = 'global'; break;
      case GLOBAL_EXPLICIT: optype = 'global'; break;
    }
    const ops = {
      deref: [ste.type === 'class' ? Op.LOAD_CLASSDEREF : Op.LOAD_DEREF, Op.STORE_DEREF, Op.DELETE_DEREF],
      fast: [Op.LOAD_FAST, Op.STORE_FAST, Op.DELETE_FAST],
      global: [Op.LOAD_GLOBAL, Op.STORE_GLOBAL, Op.DELETE_GLOBAL],
      name: [Op.LOAD_NAME, Op.STORE_NAME, Op.DELETE_NAME],
    }[optype];
    const op = ops[ctx === 'Load' ? 0 : ctx === 'Store' ? 1 : 2]!;
    if (optype === 'fast') {
      this.addOp(op, this.u.varnames.add(mangled));
      return;
    }
    let arg = optype === 'deref' ? dict.add(mangled) + (dict === this.u.freevars ? this.u.cellvars.size : 0) : dict.add(mangled);
    if (op === Op.LOAD_GLOBAL) arg <<= 1;
    this.addOp(op, arg);
  }

  // ---- statements ----

  visitStmt(s: ast.Stmt): void {
    this.setLoc(s);
    switch (s._type) {
      case 'FunctionDef':
      case 'AsyncFunctionDef':
        return this.functionDef(s);
      case 'ClassDef': return this.classDef(s);
      case 'Return': return this.return_(s);
      case 'Delete':
        s.targets.forEach((t) => this.visitExpr(t));
        return;
      case 'Assign': {
        this.visitExpr(s.value);
        const n = s.targets.length;
        s.targets.forEach((t, i) => {
          if (i < n - 1) this.addOp(Op.COPY, 1);
          this.visitExpr(t);
        });
        return;
      }
      case 'AugAssign': return this.augassign(s);
      case 'AnnAssign': return this.annassign(s);
      case 'For': return this.for_(s);
      case 'While': return this.while_(s);
      case 'If': return this.if_(s);
      case 'Raise': {
        let n = 0;
        if (s.exc) {
          this.visitExpr(s.exc);
          n++;
          if (s.cause) {
            this.visitExpr(s.cause);
            n++;
          }
        }
        this.addOp(Op.RAISE_VARARGS, n);
        this.nextBlock();
        return;
      }
      case 'Try':
        if (s.finalbody.length) return this.tryFinally(s);
        return this.tryExcept(s);
      case 'Assert': return this.assert_(s);
      case 'Import': return this.import_(s);
      case 'ImportFrom': return this.fromImport(s);
      case 'Global':
      case 'Nonlocal':
        return;
      case 'Expr': return this.stmtExpr(s.value);
      case 'Pass':
        this.addOp(Op.NOP);
        return;
      case 'Break': return this.break_();
      case 'Continue': return this.continue_();
      case 'With': return this.with_(s, 0);
      case 'AsyncFor': return this.asyncFor(s);
      case 'AsyncWith': return this.asyncWith(s, 0);
      case 'Match': return this.match(s);
      case 'TryStar':
        if (s.finalbody.length) return this.tryFinally(s);
        return this.tryStarExcept(s);
    }
  }

  /** compiler_visit_stmt_expr. */
  private stmtExpr(value: ast.Expr): void {
    if (this.interactive && this.stack.length <= 1) {
      this.visitExpr(value);
      this.addOp(Op.PRINT_EXPR);
      return;
    }
    if (value._type === 'Constant') {
      this.addOp(Op.NOP);
      return;
    }
    this.visitExpr(value);
    this.unsetLoc();
    this.addOp(Op.POP_TOP);
  }

  /** compiler_return. */
  private return_(s: ast.Return): void {
    const value = s.value;
    const preserveTos = value !== null && value._type !== 'Constant';
    if (this.u.ste.type !== 'function') this.error("'return' outside function");
    if (value !== null && this.u.ste.coroutine && this.u.ste.generator) this.error("'return' with value in async generator");
    if (preserveTos) {
      this.visitExpr(value);
    } else if (value !== null) {
      this.setLoc(value);
      this.addOp(Op.NOP);
    }
    if (value === null || value.lineno !== s.lineno) {
      this.setLoc(s);
      this.addOp(Op.NOP);
    }
    this.unwindFblockStack(preserveTos, false);
    if (value === null) this.loadConst(null);
    else if (!preserveTos) this.loadConst((value as ast.Constant).value as CodeConst);
    this.addOp(Op.RETURN_VALUE);
  }

  /** compiler_break. */
  private break_(): void {
    this.addOp(Op.NOP);
    const loop = this.unwindFblockStack(false, true);
    if (!loop) this.error("'break' outside loop");
    this.unwindFblock(loop, false);
    this.addJump(JUMP, loop.exit!);
    this.nextBlock();
  }

  /** compiler_continue. */
  private continue_(): void {
    this.addOp(Op.NOP);
    const loop = this.unwindFblockStack(false, true);
    if (!loop) this.error("'continue' not properly in loop");
    this.addJump(JUMP, loop.block!);
    this.nextBlock();
  }

  pushFblock(type: FBlockType, block: Block | null, exit: Block | null, datum: FBlock['datum']): void {
    if (this.u.fblocks.length >= 20) this.error('too many statically nested blocks');
    this.u.fblocks.push({ type, block, exit, datum });
  }

  popFblock(): void {
    this.u.fblocks.pop();
  }

  /** compiler_unwind_fblock. */
  private unwindFblock(info: FBlock, preserveTos: boolean): void {
    switch (info.type) {
      case 'WHILE_LOOP':
      case 'EXCEPTION_HANDLER':
      case 'EXCEPTION_GROUP_HANDLER':
      case 'ASYNC_COMPREHENSION_GENERATOR':
        return;
      case 'FOR_LOOP':
        if (preserveTos) this.addOp(Op.SWAP, 2);
        this.addOp(Op.POP_TOP);
        return;
      case 'TRY_EXCEPT':
        this.addOp(POP_BLOCK);
        return;
      case 'FINALLY_TRY':
        this.addOp(POP_BLOCK);
        if (preserveTos) this.pushFblock('POP_VALUE', null, null, null);
        (info.datum as ast.Stmt[]).forEach((s) => this.visitStmt(s));
        if (preserveTos) this.popFblock();
        this.unsetLoc();
        return;
      case 'FINALLY_END':
        if (preserveTos) this.addOp(Op.SWAP, 2);
        this.addOp(Op.POP_TOP);
        if (preserveTos) this.addOp(Op.SWAP, 2);
        this.addOp(POP_BLOCK);
        this.addOp(Op.POP_EXCEPT);
        return;
      case 'WITH':
      case 'ASYNC_WITH':
        this.setLoc(info.datum as ast.Stmt);
        this.addOp(POP_BLOCK);
        if (preserveTos) this.addOp(Op.SWAP, 2);
        this.callExitWithNones();
        if (info.type === 'ASYNC_WITH') this.awaitValue(2);
        this.addOp(Op.POP_TOP);
        this.unsetLoc();
        return;
      case 'HANDLER_CLEANUP':
        if (info.datum) this.addOp(POP_BLOCK);
        if (preserveTos) this.addOp(Op.SWAP, 2);
        this.addOp(POP_BLOCK);
        this.addOp(Op.POP_EXCEPT);
        if (info.datum) {
          this.loadConst(null);
          this.nameop(info.datum as string, 'Store');
          this.nameop(info.datum as string, 'Del');
        }
        return;
      case 'POP_VALUE':
        if (preserveTos) this.addOp(Op.SWAP, 2);
        this.addOp(Op.POP_TOP);
        return;
    }
  }

  /** compiler_unwind_fblock_stack: returns the innermost loop when `toLoop` and one is found. */
  private unwindFblockStack(preserveTos: boolean, toLoop: boolean): FBlock | null {
    const fblocks = this.u.fblocks;
    if (!fblocks.length) return null;
    const top = fblocks[fblocks.length - 1]!;
    if (top.type === 'EXCEPTION_GROUP_HANDLER') this.error("'break', 'continue' and 'return' cannot appear in an except* block");
    if (toLoop && (top.type === 'WHILE_LOOP' || top.type === 'FOR_LOOP')) return top;
    fblocks.pop();
    this.unwindFblock(top, preserveTos);
    const loop = this.unwindFblockStack(preserveTos, toLoop);
    fblocks.push(top);
    return loop;
  }

  /** compiler_call_exit_with_nones. */
  private callExitWithNones(): void {
    this.loadConst(null);
    this.loadConst(null);
    this.loadConst(null);
    this.addOp(Op.PRECALL, 2);
    this.addOp(Op.CALL, 2);
  }

  /** compiler_if. */
  private if_(s: ast.If): void {
    const end = this.newBlock();
    const next = s.orelse.length ? this.newBlock() : end;
    this.jumpIf(s.test, next, false);
    s.body.forEach((b) => this.visitStmt(b));
    if (s.orelse.length) {
      this.addJumpNoLine(JUMP, end);
      this.useNextBlock(next);
      s.orelse.forEach((b) => this.visitStmt(b));
    }
    this.useNextBlock(end);
  }

  /** compiler_for. */
  private for_(s: ast.For): void {
    const start = this.newBlock();
    const body = this.newBlock();
    const cleanup = this.newBlock();
    const end = this.newBlock();
    this.pushFblock('FOR_LOOP', start, end, null);
    this.visitExpr(s.iter);
    this.addOp(Op.GET_ITER);
    this.useNextBlock(start);
    this.addJump(Op.FOR_ITER, cleanup);
    this.useNextBlock(body);
    this.visitExpr(s.target);
    s.body.forEach((b) => this.visitStmt(b));
    this.unsetLoc();
    this.addJump(JUMP, start);
    this.useNextBlock(cleanup);
    this.popFblock();
    s.orelse.forEach((b) => this.visitStmt(b));
    this.useNextBlock(end);
  }

  /** compiler_while. */
  private while_(s: ast.While): void {
    const loop = this.newBlock();
    const body = this.newBlock();
    const anchor = this.newBlock();
    const end = this.newBlock();
    this.useNextBlock(loop);
    this.pushFblock('WHILE_LOOP', loop, end, null);
    this.jumpIf(s.test, anchor, false);
    this.useNextBlock(body);
    s.body.forEach((b) => this.visitStmt(b));
    this.setLoc(s);
    this.jumpIf(s.test, body, true);
    this.popFblock();
    this.useNextBlock(anchor);
    s.orelse.forEach((b) => this.visitStmt(b));
    this.useNextBlock(end);
  }

  /** compiler_jump_if: jump to `next` when `e` is `cond` (a comparison's jumps carry its location, and leave it set). */
  jumpIf(e: ast.Expr, next: Block, cond: boolean): void {
    switch (e._type) {
      case 'UnaryOp':
        if (e.op._type === 'Not') return this.jumpIf(e.operand, next, !cond);
        break;
      case 'BoolOp': {
        const s = e.values;
        const n = s.length - 1;
        const cond2 = e.op._type === 'Or';
        let next2 = next;
        if (cond2 !== cond) next2 = this.newBlock();
        for (let i = 0; i < n; i++) this.jumpIf(s[i]!, next2, cond2);
        this.jumpIf(s[n]!, next, cond);
        if (next2 !== next) this.useNextBlock(next2);
        return;
      }
      case 'IfExp': {
        const end = this.newBlock();
        const next2 = this.newBlock();
        this.jumpIf(e.test, next2, false);
        this.jumpIf(e.body, next, cond);
        this.addJumpNoLine(JUMP, end);
        this.useNextBlock(next2);
        this.jumpIf(e.orelse, next, cond);
        this.useNextBlock(end);
        return;
      }
      case 'Compare': {
        this.setLoc(e);
        const n = e.ops.length - 1;
        if (n > 0) {
          this.checkCompare(e);
          const cleanup = this.newBlock();
          this.visitExpr(e.left);
          for (let i = 0; i < n; i++) {
            this.visitExpr(e.comparators[i]!);
            this.addOp(Op.SWAP, 2);
            this.addOp(Op.COPY, 2);
            this.addCompare(e.ops[i]!);
            this.addJump(POP_JUMP_IF_FALSE, cleanup);
            this.nextBlock();
          }
          this.visitExpr(e.comparators[n]!);
          this.addCompare(e.ops[n]!);
          this.addJump(cond ? POP_JUMP_IF_TRUE : POP_JUMP_IF_FALSE, next);
          this.nextBlock();
          const end = this.newBlock();
          this.addJumpNoLine(JUMP, end);
          this.useNextBlock(cleanup);
          this.addOp(Op.POP_TOP);
          if (!cond) this.addJumpNoLine(JUMP, next);
          this.useNextBlock(end);
          return;
        }
        break;
      }
    }
    this.visitExpr(e);
    this.addJump(cond ? POP_JUMP_IF_TRUE : POP_JUMP_IF_FALSE, next);
    this.nextBlock();
  }

  private addCompare(op: ast.CmpOp): void {
    const [opcode, arg] = compareOps[op._type]!;
    this.addOp(opcode, arg);
  }

  /** compiler_try_finally and compiler_try_star_finally. */
  private tryFinally(s: ast.Try | ast.TryStar): void {
    const body = this.newBlock();
    const end = this.newBlock();
    const exit = this.newBlock();
    const cleanup = this.newBlock();
    this.addJump(SETUP_FINALLY, end);
    this.useNextBlock(body);
    this.pushFblock('FINALLY_TRY', body, end, s.finalbody);
    if (s.handlers.length) {
      if (s._type === 'Try') this.tryExcept(s);
      else this.tryStarExcept(s);
    } else {
      s.body.forEach((b) => this.visitStmt(b));
    }
    this.addOpNoLine(POP_BLOCK);
    this.popFblock();
    s.finalbody.forEach((b) => this.visitStmt(b));
    this.addJumpNoLine(JUMP, exit);
    this.useNextBlock(end);
    this.unsetLoc();
    this.addJump(SETUP_CLEANUP, cleanup);
    this.addOp(Op.PUSH_EXC_INFO);
    this.pushFblock('FINALLY_END', end, null, null);
    s.finalbody.forEach((b) => this.visitStmt(b));
    this.popFblock();
    this.addOp(Op.RERAISE, 0);
    this.useNextBlock(cleanup);
    this.popExceptAndReraise();
    this.useNextBlock(exit);
  }

  private popExceptAndReraise(): void {
    this.addOp(Op.COPY, 3);
    this.addOp(Op.POP_EXCEPT);
    this.addOp(Op.RERAISE, 1);
  }

  /** compiler_try_except. */
  private tryExcept(s: ast.Try): void {
    const body = this.newBlock();
    let except = this.newBlock();
    const end = this.newBlock();
    const cleanup = this.newBlock();
    this.addJump(SETUP_FINALLY, except);
    this.useNextBlock(body);
    this.pushFblock('TRY_EXCEPT', body, null, null);
    s.body.forEach((b) => this.visitStmt(b));
    this.popFblock();
    this.addOpNoLine(POP_BLOCK);
    s.orelse.forEach((b) => this.visitStmt(b));
    this.addJumpNoLine(JUMP, end);
    const n = s.handlers.length;
    this.useNextBlock(except);
    this.unsetLoc();
    this.addJump(SETUP_CLEANUP, cleanup);
    this.addOp(Op.PUSH_EXC_INFO);
    this.pushFblock('EXCEPTION_HANDLER', null, null, null);
    for (let i = 0; i < n; i++) {
      const handler = s.handlers[i]!;
      this.setLoc(handler);
      if (!handler.type && i < n - 1) this.error("default 'except:' must be last");
      except = this.newBlock();
      if (handler.type) {
        this.visitExpr(handler.type);
        this.addOp(Op.CHECK_EXC_MATCH);
        this.addJump(POP_JUMP_IF_FALSE, except);
        this.nextBlock();
      }
      if (handler.name) {
        const cleanupEnd = this.newBlock();
        const cleanupBody = this.newBlock();
        this.nameop(handler.name, 'Store');
        this.addJump(SETUP_CLEANUP, cleanupEnd);
        this.useNextBlock(cleanupBody);
        this.pushFblock('HANDLER_CLEANUP', cleanupBody, null, handler.name);
        handler.body.forEach((b) => this.visitStmt(b));
        this.popFblock();
        this.unsetLoc();
        this.addOp(POP_BLOCK);
        this.addOp(POP_BLOCK);
        this.addOp(Op.POP_EXCEPT);
        this.loadConst(null);
        this.nameop(handler.name, 'Store');
        this.nameop(handler.name, 'Del');
        this.addJump(JUMP, end);
        this.useNextBlock(cleanupEnd);
        this.unsetLoc();
        this.loadConst(null);
        this.nameop(handler.name, 'Store');
        this.nameop(handler.name, 'Del');
        this.addOp(Op.RERAISE, 1);
      } else {
        const cleanupBody = this.newBlock();
        this.addOp(Op.POP_TOP);
        this.useNextBlock(cleanupBody);
        this.pushFblock('HANDLER_CLEANUP', cleanupBody, null, null);
        handler.body.forEach((b) => this.visitStmt(b));
        this.popFblock();
        this.unsetLoc();
        this.addOp(POP_BLOCK);
        this.addOp(Op.POP_EXCEPT);
        this.addJump(JUMP, end);
      }
      this.useNextBlock(except);
    }
    this.unsetLoc();
    this.popFblock();
    this.addOp(Op.RERAISE, 0);
    this.useNextBlock(cleanup);
    this.popExceptAndReraise();
    this.useNextBlock(end);
  }

  /** compiler_try_star_except: except* handlers split an exception group. */
  private tryStarExcept(s: ast.TryStar): void {
    const body = this.newBlock();
    let except = this.newBlock();
    const orelse = this.newBlock();
    const end = this.newBlock();
    const cleanup = this.newBlock();
    const reraiseStar = this.newBlock();
    this.addJump(SETUP_FINALLY, except);
    this.useNextBlock(body);
    this.pushFblock('TRY_EXCEPT', body, null, null);
    s.body.forEach((b) => this.visitStmt(b));
    this.popFblock();
    this.addOpNoLine(POP_BLOCK);
    this.addJumpNoLine(JUMP, orelse);
    const n = s.handlers.length;
    this.useNextBlock(except);
    this.unsetLoc();
    this.addJump(SETUP_CLEANUP, cleanup);
    this.addOp(Op.PUSH_EXC_INFO);
    this.pushFblock('EXCEPTION_GROUP_HANDLER', null, null, null);
    for (let i = 0; i < n; i++) {
      const handler = s.handlers[i]!;
      this.setLoc(handler);
      except = this.newBlock();
      const exceptWithError = this.newBlock();
      const noMatch = this.newBlock();
      if (i === 0) {
        this.addOp(Op.COPY, 1);
        this.addOp(Op.BUILD_LIST, 0);
        this.addOp(Op.SWAP, 2);
      }
      if (handler.type) {
        this.visitExpr(handler.type);
        this.addOp(Op.CHECK_EG_MATCH);
        this.addOp(Op.COPY, 1);
        this.addJump(POP_JUMP_IF_NONE, noMatch);
        this.nextBlock();
      }
      const cleanupEnd = this.newBlock();
      const cleanupBody = this.newBlock();
      if (handler.name) this.nameop(handler.name, 'Store');
      else this.addOp(Op.POP_TOP);
      this.addJump(SETUP_CLEANUP, cleanupEnd);
      this.useNextBlock(cleanupBody);
      this.pushFblock('HANDLER_CLEANUP', cleanupBody, null, handler.name);
      handler.body.forEach((b) => this.visitStmt(b));
      this.popFblock();
      this.unsetLoc();
      this.addOp(POP_BLOCK);
      if (handler.name) {
        this.loadConst(null);
        this.nameop(handler.name, 'Store');
        this.nameop(handler.name, 'Del');
      }
      this.addJump(JUMP, except);
      this.useNextBlock(cleanupEnd);
      this.unsetLoc();
      if (handler.name) {
        this.loadConst(null);
        this.nameop(handler.name, 'Store');
        this.nameop(handler.name, 'Del');
      }
      this.addOp(Op.LIST_APPEND, 3);
      this.addOp(Op.POP_TOP);
      this.addJump(JUMP, exceptWithError);
      this.useNextBlock(except);
      this.addOp(Op.NOP);
      this.addJump(JUMP, exceptWithError);
      this.useNextBlock(noMatch);
      this.addOp(Op.POP_TOP);
      this.useNextBlock(exceptWithError);
      if (i === n - 1) {
        this.addOp(Op.LIST_APPEND, 1);
        this.addJump(JUMP, reraiseStar);
      }
    }
    this.unsetLoc();
    this.popFblock();
    const reraise = this.newBlock();
    this.useNextBlock(reraiseStar);
    this.addOp(Op.PREP_RERAISE_STAR);
    this.addOp(Op.COPY, 1);
    this.addJump(POP_JUMP_IF_NOT_NONE, reraise);
    this.addOp(Op.POP_TOP);
    this.addOp(POP_BLOCK);
    this.addOp(Op.POP_EXCEPT);
    this.addJump(JUMP, end);
    this.useNextBlock(reraise);
    this.addOp(POP_BLOCK);
    this.addOp(Op.SWAP, 2);
    this.addOp(Op.POP_EXCEPT);
    this.addOp(Op.RERAISE, 0);
    this.useNextBlock(cleanup);
    this.popExceptAndReraise();
    this.useNextBlock(orelse);
    s.orelse.forEach((b) => this.visitStmt(b));
    this.useNextBlock(end);
  }

  /** compiler_with. */
  private with_(s: ast.With, pos: number): void {
    const item = s.items[pos]!;
    const block = this.newBlock();
    const final = this.newBlock();
    const exit = this.newBlock();
    const cleanup = this.newBlock();
    this.visitExpr(item.context_expr);
    this.addOp(Op.BEFORE_WITH);
    this.addJump(SETUP_WITH, final);
    this.useNextBlock(block);
    this.pushFblock('WITH', block, final, s);
    if (item.optional_vars) this.visitExpr(item.optional_vars);
    else this.addOp(Op.POP_TOP);
    pos++;
    if (pos === s.items.length) s.body.forEach((b) => this.visitStmt(b));
    else this.with_(s, pos);
    this.unsetLoc();
    this.addOp(POP_BLOCK);
    this.popFblock();
    this.setLoc(s);
    this.callExitWithNones();
    this.addOp(Op.POP_TOP);
    this.addJump(JUMP, exit);
    this.useNextBlock(final);
    this.addJump(SETUP_CLEANUP, cleanup);
    this.addOp(Op.PUSH_EXC_INFO);
    this.addOp(Op.WITH_EXCEPT_START);
    this.withExceptFinish(cleanup);
    this.useNextBlock(exit);
  }

  /** compiler_async_for. */
  private asyncFor(s: ast.AsyncFor): void {
    if (this.u.scopeType !== 'asyncFunction') this.error("'async for' outside async function");
    const start = this.newBlock();
    const except = this.newBlock();
    const end = this.newBlock();
    this.visitExpr(s.iter);
    this.addOp(Op.GET_AITER);
    this.useNextBlock(start);
    this.pushFblock('FOR_LOOP', start, end, null);
    this.addJump(SETUP_FINALLY, except);
    this.addOp(Op.GET_ANEXT);
    this.loadConst(null);
    this.addYieldFrom(true);
    this.addOp(POP_BLOCK);
    this.visitExpr(s.target);
    s.body.forEach((b) => this.visitStmt(b));
    this.unsetLoc();
    this.addJump(JUMP, start);
    this.popFblock();
    this.useNextBlock(except);
    this.setLoc(s.iter);
    this.addOp(Op.END_ASYNC_FOR);
    s.orelse.forEach((b) => this.visitStmt(b));
    this.useNextBlock(end);
  }

  /** compiler_async_with. */
  private asyncWith(s: ast.AsyncWith, pos: number): void {
    if (this.u.scopeType !== 'asyncFunction') this.error("'async with' outside async function");
    const item = s.items[pos]!;
    const block = this.newBlock();
    const final = this.newBlock();
    const exit = this.newBlock();
    const cleanup = this.newBlock();
    this.visitExpr(item.context_expr);
    this.addOp(Op.BEFORE_ASYNC_WITH);
    this.awaitValue(1);
    this.addJump(SETUP_WITH, final);
    this.useNextBlock(block);
    this.pushFblock('ASYNC_WITH', block, final, s);
    if (item.optional_vars) this.visitExpr(item.optional_vars);
    else this.addOp(Op.POP_TOP);
    pos++;
    if (pos === s.items.length) s.body.forEach((b) => this.visitStmt(b));
    else this.asyncWith(s, pos);
    this.popFblock();
    this.addOp(POP_BLOCK);
    this.setLoc(s);
    this.callExitWithNones();
    this.awaitValue(2);
    this.addOp(Op.POP_TOP);
    this.addJump(JUMP, exit);
    this.useNextBlock(final);
    this.addJump(SETUP_CLEANUP, cleanup);
    this.addOp(Op.PUSH_EXC_INFO);
    this.addOp(Op.WITH_EXCEPT_START);
    this.awaitValue(2);
    this.withExceptFinish(cleanup);
    this.useNextBlock(exit);
  }

  /** compiler_with_except_finish. */
  private withExceptFinish(cleanup: Block): void {
    this.unsetLoc();
    const exit = this.newBlock();
    this.addJump(POP_JUMP_IF_TRUE, exit);
    this.nextBlock();
    this.addOp(Op.RERAISE, 2);
    this.useNextBlock(cleanup);
    this.popExceptAndReraise();
    this.useNextBlock(exit);
    this.addOp(Op.POP_TOP);
    this.addOp(POP_BLOCK);
    this.addOp(Op.POP_EXCEPT);
    this.addOp(Op.POP_TOP);
    this.addOp(Op.POP_TOP);
  }

  /** compiler_assert. */
  private assert_(s: ast.Assert): void {
    if (s.test._type === 'Tuple' && s.test.elts.length > 0) this.warn('assertion is always true, perhaps remove parentheses?');
    const end = this.newBlock();
    this.jumpIf(s.test, end, true);
    this.addOp(Op.LOAD_ASSERTION_ERROR);
    if (s.msg) {
      this.visitExpr(s.msg);
      this.addOp(Op.PRECALL, 0);
      this.addOp(Op.CALL, 0);
    }
    this.addOp(Op.RAISE_VARARGS, 1);
    this.useNextBlock(end);
  }

  /** compiler_import. */
  private import_(s: ast.Import): void {
    for (const alias of s.names) {
      this.loadConst(0n);
      this.loadConst(null);
      this.addOpName(Op.IMPORT_NAME, alias.name);
      if (alias.asname) {
        this.importAs(alias.name, alias.asname);
      } else {
        const dot = alias.name.indexOf('.');
        this.nameop(dot >= 0 ? alias.name.slice(0, dot) : alias.name, 'Store');
      }
    }
  }

  /** compiler_import_as. */
  private importAs(name: string, asname: string): void {
    const parts = name.split('.');
    if (parts.length > 1) {
      for (let i = 1; i < parts.length; i++) {
        this.addOp(Op.IMPORT_FROM, this.u.names.add(parts[i]!));
        if (i === parts.length - 1) break;
        this.addOp(Op.SWAP, 2);
        this.addOp(Op.POP_TOP);
      }
      this.nameop(asname, 'Store');
      this.addOp(Op.POP_TOP);
      return;
    }
    this.nameop(asname, 'Store');
  }

  /** compiler_from_import. */
  private fromImport(s: ast.ImportFrom): void {
    this.loadConst(BigInt(s.level));
    const names = s.names.map((a) => a.name);
    if (s.module === '__future__' && s.lineno > this.future.lineno) this.error('from __future__ imports must occur at the beginning of the file');
    this.loadConst(names);
    this.addOpName(Op.IMPORT_NAME, s.module ?? '');
    for (let i = 0; i < s.names.length; i++) {
      const alias = s.names[i]!;
      if (i === 0 && alias.name.startsWith('*')) {
        this.addOp(Op.IMPORT_STAR);
        return;
      }
      this.addOpName(Op.IMPORT_FROM, alias.name);
      this.nameop(alias.asname ?? alias.name, 'Store');
    }
    this.addOp(Op.POP_TOP);
  }

  /** compiler_augassign. */
  private augassign(s: ast.AugAssign): void {
    const e = s.target;
    const saved = this.u.loc;
    this.setLoc(e);
    switch (e._type) {
      case 'Attribute': {
        this.visitExpr(e.value);
        this.addOp(Op.COPY, 1);
        this.updateStartLocationToMatchAttr(e);
        this.addOpName(Op.LOAD_ATTR, e.attr);
        break;
      }
      case 'Subscript':
        this.visitExpr(e.value);
        this.visitExpr(e.slice);
        this.addOp(Op.COPY, 2);
        this.addOp(Op.COPY, 2);
        this.addOp(Op.BINARY_SUBSCR);
        break;
      case 'Name':
        this.nameop(e.id, 'Load');
        break;
      default:
        this.error('illegal expression for augmented assignment');
    }
    this.u.loc = saved;
    this.visitExpr(s.value);
    this.addOp(Op.BINARY_OP, binopArg[s.op._type]! + INPLACE);
    this.setLoc(e);
    switch (e._type) {
      case 'Attribute':
        this.updateStartLocationToMatchAttr(e);
        this.addOp(Op.SWAP, 2);
        this.addOpName(Op.STORE_ATTR, e.attr);
        break;
      case 'Subscript':
        this.addOp(Op.SWAP, 3);
        this.addOp(Op.SWAP, 2);
        this.addOp(Op.STORE_SUBSCR);
        break;
      case 'Name':
        this.nameop(e.id, 'Store');
        break;
    }
  }

  /** compiler_annassign. */
  private annassign(s: ast.AnnAssign): void {
    const targ = s.target;
    if (s.value) {
      this.visitExpr(s.value);
      this.visitExpr(targ);
    }
    const moduleOrClass = this.u.scopeType === 'module' || this.u.scopeType === 'class';
    if (targ._type === 'Name') {
      if (s.simple && moduleOrClass) {
        if (this.future.features.has('annotations')) this.loadConst(annotationText(s.annotation, this.filename));
        else this.visitExpr(s.annotation);
        this.addOpName(Op.LOAD_NAME, '__annotations__');
        this.loadConst(mangle(this.u.privateName, targ.id));
        this.addOp(Op.STORE_SUBSCR);
      }
    } else if (targ._type === 'Attribute') {
      if (!s.value) this.checkAnnExpr(targ.value);
    } else if (targ._type === 'Subscript') {
      if (!s.value) {
        this.checkAnnExpr(targ.value);
        this.checkAnnSubscr(targ.slice);
      }
    }
    if (!s.simple && moduleOrClass && !this.future.features.has('annotations')) this.checkAnnExpr(s.annotation);
  }

  private checkAnnExpr(e: ast.Expr): void {
    this.visitExpr(e);
    this.addOp(Op.POP_TOP);
  }

  private checkAnnSubscr(e: ast.Expr): void {
    if (e._type === 'Slice') {
      if (e.lower) this.checkAnnExpr(e.lower);
      if (e.upper) this.checkAnnExpr(e.upper);
      if (e.step) this.checkAnnExpr(e.step);
    } else if (e._type === 'Tuple') {
      e.elts.forEach((x) => this.checkAnnSubscr(x));
    } else {
      this.checkAnnExpr(e);
    }
  }

  // ---- pattern matching (compile.c: compiler_match and compiler_pattern_*) ----

  /** compiler_match / compiler_match_inner. */
  private match(s: ast.Match): void {
    this.visitExpr(s.subject);
    const end = this.newBlock();
    const cases = s.cases.length;
    const last = s.cases[cases - 1]!;
    const hasDefault = isWildcard(last.pattern) && cases > 1 ? 1 : 0;
    const pc: PatternContext = { stores: [], allowIrrefutable: false, failPop: [], onTop: 0 };
    for (let i = 0; i < cases - hasDefault; i++) {
      const m = s.cases[i]!;
      this.setLoc(m.pattern);
      if (i !== cases - hasDefault - 1) this.addOp(Op.COPY, 1);
      pc.stores = [];
      pc.allowIrrefutable = m.guard !== null || i === cases - 1;
      pc.failPop = [];
      pc.onTop = 0;
      this.pattern(m.pattern, pc);
      for (const name of pc.stores) this.nameop(name, 'Store');
      if (m.guard) {
        this.ensureFailPop(pc, 0);
        this.jumpIf(m.guard, pc.failPop[0]!, false);
      }
      if (i !== cases - hasDefault - 1) this.addOp(Op.POP_TOP);
      m.body.forEach((b) => this.visitStmt(b));
      this.unsetLoc();
      this.addJump(JUMP, end);
      this.setLoc(m.pattern);
      this.emitAndResetFailPop(pc);
    }
    if (hasDefault) {
      this.setLoc(last.pattern);
      this.addOp(cases === 1 ? Op.POP_TOP : Op.NOP);
      if (last.guard) this.jumpIf(last.guard, end, false);
      last.body.forEach((b) => this.visitStmt(b));
      this.unsetLoc();
    }
    this.useNextBlock(end);
  }

  /** ensure_fail_pop: blocks popping 0..n items on failure. */
  private ensureFailPop(pc: PatternContext, n: number): void {
    while (pc.failPop.length < n + 1) pc.failPop.push(this.newBlock());
  }

  /** jump_to_fail_pop: on failure, pop what is on top and the captures so far. */
  private jumpToFailPop(pc: PatternContext, op: number): void {
    const pops = pc.onTop + pc.stores.length;
    this.ensureFailPop(pc, pops);
    this.addJump(op, pc.failPop[pops]!);
    this.nextBlock();
  }

  /** emit_and_reset_fail_pop. */
  private emitAndResetFailPop(pc: PatternContext): void {
    if (!pc.failPop.length) {
      this.nextBlock();
      return;
    }
    for (let size = pc.failPop.length - 1; size > 0; size--) {
      this.useNextBlock(pc.failPop[size]!);
      this.addOp(Op.POP_TOP);
    }
    this.useNextBlock(pc.failPop[0]!);
    pc.failPop = [];
  }

  /** pattern_helper_rotate: 3.10's ROT_N as SWAPs. */
  private patternRotate(count: number): void {
    while (count > 1) this.addOp(Op.SWAP, count--);
  }

  /** pattern_helper_store_name. */
  private patternStoreName(n: string | null, pc: PatternContext): void {
    if (n === null) {
      this.addOp(Op.POP_TOP);
      return;
    }
    if (n === '__debug__') this.error('cannot assign to __debug__');
    if (pc.stores.includes(n)) this.error(`multiple assignments to name ${strRepr(n)} in pattern`);
    this.patternRotate(pc.onTop + pc.stores.length + 1);
    pc.stores.push(n);
  }

  /** compiler_pattern_subpattern: a sub-pattern may be irrefutable. */
  private patternSubpattern(p: ast.Pattern, pc: PatternContext): void {
    const allow = pc.allowIrrefutable;
    pc.allowIrrefutable = true;
    this.pattern(p, pc);
    pc.allowIrrefutable = allow;
  }

  /** compiler_pattern. */
  private pattern(p: ast.Pattern, pc: PatternContext): void {
    this.setLoc(p);
    switch (p._type) {
      case 'MatchValue': {
        if (p.value._type !== 'Constant' && p.value._type !== 'Attribute') this.error('patterns may only match literals and attribute lookups');
        this.visitExpr(p.value);
        this.addCompare({ _type: 'Eq' });
        this.jumpToFailPop(pc, POP_JUMP_IF_FALSE);
        return;
      }
      case 'MatchSingleton':
        this.loadConst(p.value as CodeConst);
        this.addCompare({ _type: 'Is' });
        this.jumpToFailPop(pc, POP_JUMP_IF_FALSE);
        return;
      case 'MatchSequence': return this.patternSequence(p, pc);
      case 'MatchMapping': return this.patternMapping(p, pc);
      case 'MatchClass': return this.patternClass(p, pc);
      case 'MatchStar': return this.patternStoreName(p.name, pc);
      case 'MatchAs':
        if (p.pattern === null) {
          if (!pc.allowIrrefutable) {
            if (p.name) this.error(`name capture ${strRepr(p.name)} makes remaining patterns unreachable`);
            this.error('wildcard makes remaining patterns unreachable');
          }
          return this.patternStoreName(p.name, pc);
        }
        pc.onTop++;
        this.addOp(Op.COPY, 1);
        this.pattern(p.pattern, pc);
        pc.onTop--;
        this.patternStoreName(p.name, pc);
        return;
      case 'MatchOr': return this.patternOr(p, pc);
    }
  }

  /** compiler_pattern_sequence. */
  private patternSequence(p: ast.MatchSequence, pc: PatternContext): void {
    const patterns = p.patterns;
    const size = patterns.length;
    let star = -1;
    let onlyWildcard = true;
    let starWildcard = false;
    patterns.forEach((q, i) => {
      if (q._type === 'MatchStar') {
        if (star >= 0) this.error('multiple starred names in sequence pattern');
        starWildcard = q.name === null;
        onlyWildcard &&= starWildcard;
        star = i;
        return;
      }
      onlyWildcard &&= isWildcard(q);
    });
    pc.onTop++;
    this.addOp(Op.MATCH_SEQUENCE);
    this.jumpToFailPop(pc, POP_JUMP_IF_FALSE);
    if (star < 0) {
      this.addOp(Op.GET_LEN);
      this.loadConst(BigInt(size));
      this.addCompare({ _type: 'Eq' });
      this.jumpToFailPop(pc, POP_JUMP_IF_FALSE);
    } else if (size - 1 > 0) {
      this.addOp(Op.GET_LEN);
      this.loadConst(BigInt(size - 1));
      this.addCompare({ _type: 'GtE' });
      this.jumpToFailPop(pc, POP_JUMP_IF_FALSE);
    }
    // Whatever comes next consumes the subject:
    pc.onTop--;
    if (onlyWildcard) {
      this.addOp(Op.POP_TOP);
    } else if (starWildcard) {
      pc.onTop++;
      patterns.forEach((q, i) => {
        if (isWildcard(q) || i === star) return;
        this.addOp(Op.COPY, 1);
        if (i < star) {
          this.loadConst(BigInt(i));
        } else {
          this.addOp(Op.GET_LEN);
          this.loadConst(BigInt(size - i));
          this.addOp(Op.BINARY_OP, binopArg['Sub']!);
        }
        this.addOp(Op.BINARY_SUBSCR);
        this.patternSubpattern(q, pc);
      });
      pc.onTop--;
      this.addOp(Op.POP_TOP);
    } else {
      let seenStar = false;
      patterns.forEach((q, i) => {
        if (q._type === 'MatchStar' && !seenStar) {
          if (i >= 1 << 8) this.error('too many expressions in star-unpacking sequence pattern');
          this.addOp(Op.UNPACK_EX, i + ((size - i - 1) << 8));
          seenStar = true;
        }
      });
      if (!seenStar) this.addOp(Op.UNPACK_SEQUENCE, size);
      pc.onTop += size;
      for (const q of patterns) {
        pc.onTop--;
        this.patternSubpattern(q, pc);
      }
    }
  }

  /** compiler_pattern_mapping. */
  private patternMapping(p: ast.MatchMapping, pc: PatternContext): void {
    const keys = p.keys;
    let size = keys.length;
    const starTarget = p.rest;
    pc.onTop++;
    this.addOp(Op.MATCH_MAPPING);
    this.jumpToFailPop(pc, POP_JUMP_IF_FALSE);
    if (!size && !starTarget) {
      pc.onTop--;
      this.addOp(Op.POP_TOP);
      return;
    }
    if (size) {
      this.addOp(Op.GET_LEN);
      this.loadConst(BigInt(size));
      this.addCompare({ _type: 'GtE' });
      this.jumpToFailPop(pc, POP_JUMP_IF_FALSE);
    }
    const seen = new Set<string>();
    for (const key of keys) {
      if (key._type === 'Constant') {
        const k = setItemKey(key.value as CodeConst);
        if (seen.has(k)) this.error(`mapping pattern checks duplicate key (${constRepr(key.value as CodeConst)})`);
        seen.add(k);
      } else if (key._type !== 'Attribute') {
        this.error('mapping pattern keys may only match literals and attribute lookups');
      }
      this.visitExpr(key);
    }
    this.addOp(Op.BUILD_TUPLE, size);
    this.addOp(Op.MATCH_KEYS);
    pc.onTop += 2;
    this.addOp(Op.COPY, 1);
    this.loadConst(null);
    this.addOp(Op.IS_OP, 1);
    this.jumpToFailPop(pc, POP_JUMP_IF_FALSE);
    this.addOp(Op.UNPACK_SEQUENCE, size);
    pc.onTop += size - 1;
    for (const q of p.patterns) {
      pc.onTop--;
      this.patternSubpattern(q, pc);
    }
    pc.onTop -= 2;
    if (starTarget) {
      this.addOp(Op.BUILD_MAP, 0);
      this.addOp(Op.SWAP, 3);
      this.addOp(Op.DICT_UPDATE, 2);
      this.addOp(Op.UNPACK_SEQUENCE, size);
      while (size) {
        this.addOp(Op.COPY, 1 + size--);
        this.addOp(Op.SWAP, 2);
        this.addOp(Op.DELETE_SUBSCR);
      }
      this.patternStoreName(starTarget, pc);
    } else {
      this.addOp(Op.POP_TOP);
      this.addOp(Op.POP_TOP);
    }
  }

  /** compiler_pattern_class. */
  private patternClass(p: ast.MatchClass, pc: PatternContext): void {
    const nargs = p.patterns.length;
    const nattrs = p.kwd_attrs.length;
    if (nattrs) {
      p.kwd_attrs.forEach((attr, i) => {
        this.setLoc(p.kwd_patterns[i]!);
        if (attr === '__debug__') this.error('cannot assign to __debug__');
        for (let j = i + 1; j < nattrs; j++) {
          if (p.kwd_attrs[j] === attr) {
            this.setLoc(p.kwd_patterns[j]!);
            this.error(`attribute name repeated in class pattern: ${attr}`);
          }
        }
      });
      this.setLoc(p);
    }
    this.visitExpr(p.cls);
    this.loadConst([...p.kwd_attrs]);
    this.addOp(Op.MATCH_CLASS, nargs);
    this.addOp(Op.COPY, 1);
    this.loadConst(null);
    this.addOp(Op.IS_OP, 1);
    pc.onTop++;
    this.jumpToFailPop(pc, POP_JUMP_IF_FALSE);
    this.addOp(Op.UNPACK_SEQUENCE, nargs + nattrs);
    pc.onTop += nargs + nattrs - 1;
    for (let i = 0; i < nargs + nattrs; i++) {
      pc.onTop--;
      const q = i < nargs ? p.patterns[i]! : p.kwd_patterns[i - nargs]!;
      if (isWildcard(q)) {
        this.addOp(Op.POP_TOP);
        continue;
      }
      this.patternSubpattern(q, pc);
    }
  }

  /** compiler_pattern_or. */
  private patternOr(p: ast.MatchOr, pc: PatternContext): void {
    const end = this.newBlock();
    const size = p.patterns.length;
    const old = { ...pc };
    let control: string[] | null = null;
    for (let i = 0; i < size; i++) {
      const alt = p.patterns[i]!;
      this.setLoc(alt);
      pc.stores = [];
      pc.allowIrrefutable = i === size - 1 && old.allowIrrefutable;
      pc.failPop = [];
      pc.onTop = 0;
      this.addOp(Op.COPY, 1);
      this.pattern(alt, pc);
      const nstores = pc.stores.length;
      if (i === 0) {
        control = pc.stores;
      } else if (nstores !== control!.length) {
        this.error('alternative patterns bind different names');
      } else if (nstores) {
        for (let icontrol = nstores - 1; icontrol >= 0; icontrol--) {
          const name = control![icontrol]!;
          const istores = pc.stores.indexOf(name);
          if (istores < 0) this.error('alternative patterns bind different names');
          if (icontrol !== istores) {
            let rotations = istores + 1;
            const rotated = pc.stores.splice(0, rotations);
            pc.stores.splice(icontrol - istores, 0, ...rotated);
            while (rotations--) this.patternRotate(icontrol + 1);
          }
        }
      }
      this.addJump(JUMP, end);
      this.emitAndResetFailPop(pc);
    }
    pc.stores = old.stores;
    pc.allowIrrefutable = old.allowIrrefutable;
    pc.failPop = old.failPop;
    pc.onTop = old.onTop;
    this.addOp(Op.POP_TOP);
    this.jumpToFailPop(pc, JUMP);
    this.useNextBlock(end);
    const nstores = control!.length;
    const nrots = nstores + 1 + pc.onTop + pc.stores.length;
    for (let i = 0; i < nstores; i++) {
      this.patternRotate(nrots);
      const name = control![i]!;
      if (pc.stores.includes(name)) this.error(`multiple assignments to name ${strRepr(name)} in pattern`);
      pc.stores.push(name);
    }
    this.addOp(Op.POP_TOP);
  }

  // ---- functions and classes ----

  /** compiler_default_arguments: returns the MAKE_FUNCTION flags for defaults. */
  private defaultArguments(args: ast.Arguments): number {
    let flags = 0;
    if (args.defaults.length) {
      args.defaults.forEach((d) => this.visitExpr(d));
      this.addOp(Op.BUILD_TUPLE, args.defaults.length);
      flags |= 0x01;
    }
    const keys: string[] = [];
    args.kwonlyargs.forEach((a, i) => {
      const d = (args.kw_defaults as (ast.Expr | null)[])[i];
      if (d) {
        keys.push(mangle(this.u.privateName, a.arg));
        this.visitExpr(d);
      }
    });
    if (keys.length) {
      this.loadConst(keys);
      this.addOp(Op.BUILD_CONST_KEY_MAP, keys.length);
      flags |= 0x02;
    }
    return flags;
  }

  /** compiler_visit_annotations: the annotations tuple; true when one was pushed. */
  private visitAnnotations(args: ast.Arguments, returns: ast.Expr | null): boolean {
    let len = 0;
    const one = (id: string, annotation: ast.Expr | null): void => {
      if (!annotation) return;
      this.loadConst(mangle(this.u.privateName, id));
      if (this.future.features.has('annotations')) {
        this.loadConst(annotationText(annotation, this.filename));
      } else if (annotation._type === 'Starred') {
        this.visitExpr(annotation.value);
        this.addOp(Op.UNPACK_SEQUENCE, 1);
      } else {
        this.visitExpr(annotation);
      }
      len += 2;
    };
    args.args.forEach((a) => one(a.arg, a.annotation));
    args.posonlyargs.forEach((a) => one(a.arg, a.annotation));
    if (args.vararg) one(args.vararg.arg, args.vararg.annotation);
    args.kwonlyargs.forEach((a) => one(a.arg, a.annotation));
    if (args.kwarg) one(args.kwarg.arg, args.kwarg.annotation);
    one('return', returns);
    if (len) {
      this.addOp(Op.BUILD_TUPLE, len);
      return true;
    }
    return false;
  }

  /** compiler_function. */
  private functionDef(s: ast.FunctionDef | ast.AsyncFunctionDef): void {
    s.decorator_list.forEach((d) => this.visitExpr(d));
    const firstlineno = s.decorator_list.length ? s.decorator_list[0]!.lineno : s.lineno;
    let funcflags = this.defaultArguments(s.args);
    if (this.visitAnnotations(s.args, s.returns)) funcflags |= 0x04;
    this.enterScope(s.name, s._type === 'AsyncFunctionDef' ? 'asyncFunction' : 'function', s, firstlineno);
    const doc = getDocString(s.body);
    this.u.addConst(doc);
    this.u.argcount = s.args.args.length;
    this.u.posonlyargcount = s.args.posonlyargs.length;
    this.u.kwonlyargcount = s.args.kwonlyargs.length;
    for (let i = doc !== null ? 1 : 0; i < s.body.length; i++) this.visitStmt(s.body[i]!);
    const co = this.assembleUnit(true);
    this.exitScope();
    this.makeClosure(co, funcflags);
    this.applyDecorators(s.decorator_list);
    this.nameop(s.name, 'Store');
  }

  /** compiler_apply_decorators: innermost first, each call at its decorator's location. */
  private applyDecorators(decos: ast.Expr[]): void {
    const saved = this.u.loc;
    for (let i = decos.length - 1; i >= 0; i--) {
      this.setLoc(decos[i]!);
      this.addOp(Op.PRECALL, 0);
      this.addOp(Op.CALL, 0);
    }
    this.u.loc = saved;
  }

  /** update_start_location_to_match_attr: a multi-line `a\n.b` starts where `b` is. */
  private updateStartLocationToMatchAttr(attr: ast.Attribute): void {
    const l = this.u.loc;
    if (l.lineno === attr.end_lineno) return;
    const len = [...attr.attr].length;
    let col = l.col;
    let endCol = l.endCol;
    if (len <= attr.end_col_offset) {
      col = attr.end_col_offset - len;
    } else {
      col = -1;
      endCol = -1;
    }
    const lineno = attr.end_lineno;
    const endLineno = Math.max(lineno, l.endLineno);
    if (lineno === endLineno) endCol = Math.max(col, endCol);
    this.u.loc = { lineno, endLineno, col, endCol };
  }

  /** compiler_make_closure. */
  private makeClosure(co: CodeObject, flags: number): void {
    const nfree = co.localspluskinds.filter((k) => k & 0x80).length;
    if (nfree) {
      for (let i = co.localsplusnames.length - nfree; i < co.localsplusnames.length; i++) {
        const name = co.localsplusnames[i]!;
        const isCell = (this.u.scopeType === 'class' && name === '__class__') || this.u.ste.getScope(name) === CELL;
        const arg = isCell ? this.u.cellvars.map.get(name) : this.u.freevars.map.get(name);
        if (arg === undefined) throw new Error(`compiler_make_closure: lookup ${name} failed`);
        this.addOp(Op.LOAD_CLOSURE, isCell ? arg : arg + this.u.cellvars.size);
      }
      flags |= 0x08;
      this.addOp(Op.BUILD_TUPLE, nfree);
    }
    this.loadConst(co);
    this.addOp(Op.MAKE_FUNCTION, flags);
  }

  /** compiler_class. */
  private classDef(s: ast.ClassDef): void {
    s.decorator_list.forEach((d) => this.visitExpr(d));
    const firstlineno = s.decorator_list.length ? s.decorator_list[0]!.lineno : s.lineno;
    this.enterScope(s.name, 'class', s, firstlineno);
    this.u.privateName = s.name;
    this.nameop('__name__', 'Load');
    this.nameop('__module__', 'Store');
    this.loadConst(this.u.qualname);
    this.nameop('__qualname__', 'Store');
    this.body(s.body);
    this.unsetLoc();
    if (this.u.ste.needsClassClosure) {
      this.addOp(Op.LOAD_CLOSURE, this.u.cellvars.map.get('__class__')!);
      this.addOp(Op.COPY, 1);
      this.nameop('__classcell__', 'Store');
    } else {
      this.loadConst(null);
    }
    this.addOp(Op.RETURN_VALUE);
    const co = this.assembleUnit(true);
    this.exitScope();
    this.addOp(Op.PUSH_NULL);
    this.addOp(Op.LOAD_BUILD_CLASS);
    this.makeClosure(co, 0);
    this.loadConst(s.name);
    this.callHelper(2, s.bases, s.keywords);
    this.applyDecorators(s.decorator_list);
    this.nameop(s.name, 'Store');
  }

  /** compiler_lambda. */
  private lambda(e: ast.Lambda): void {
    const funcflags = this.defaultArguments(e.args);
    this.enterScope('<lambda>', 'lambda', e, e.lineno);
    this.u.addConst(null);
    this.u.argcount = e.args.args.length;
    this.u.posonlyargcount = e.args.posonlyargs.length;
    this.u.kwonlyargcount = e.args.kwonlyargs.length;
    this.visitExpr(e.body);
    let co: CodeObject;
    if (this.u.ste.generator) {
      co = this.assembleUnit(false);
    } else {
      this.addOp(Op.RETURN_VALUE);
      co = this.assembleUnit(true);
    }
    this.exitScope();
    this.makeClosure(co, funcflags);
  }

  // ---- calls ----

  /** maybe_optimize_method_call: `o.m(args)` as LOAD_METHOD + PRECALL + CALL. */
  private maybeOptimizeMethodCall(e: ast.Call): boolean {
    const meth = e.func;
    if (meth._type !== 'Attribute' || meth.ctx._type !== 'Load') return false;
    if (meth.value._type === 'Name' && this.st.top.getSymbol(meth.value.id) & DEF_IMPORT) return false;
    const argsl = e.args.length;
    const kwdsl = e.keywords.length;
    if (argsl + kwdsl + (kwdsl !== 0 ? 1 : 0) >= STACK_USE_GUIDELINE) return false;
    if (e.args.some((a) => a._type === 'Starred')) return false;
    if (e.keywords.some((k) => k.arg === null)) return false;
    this.visitExpr(meth.value);
    this.setLoc(meth);
    this.updateStartLocationToMatchAttr(meth);
    this.addOpName(Op.LOAD_METHOD, meth.attr);
    e.args.forEach((a) => this.visitExpr(a));
    if (kwdsl) {
      e.keywords.forEach((k) => this.visitExpr(k.value));
      this.callSimpleKwHelper(e.keywords);
    }
    this.setLoc(e);
    this.updateStartLocationToMatchAttr(meth);
    this.addOp(Op.PRECALL, argsl + kwdsl);
    this.addOp(Op.CALL, argsl + kwdsl);
    return true;
  }

  /** compiler_call. */
  private call(e: ast.Call): void {
    if (this.maybeOptimizeMethodCall(e)) return;
    this.checkCaller(e.func);
    this.setLoc(e.func);
    this.addOp(Op.PUSH_NULL);
    this.setLoc(e);
    this.visitExpr(e.func);
    this.callHelper(0, e.args, e.keywords);
  }

  /** compiler_call_simple_kw_helper. */
  private callSimpleKwHelper(keywords: ast.Keyword[]): void {
    this.addOp(Op.KW_NAMES, this.u.addConst(keywords.map((k) => k.arg!)));
  }

  /** validate_keywords. */
  private validateKeywords(keywords: ast.Keyword[]): void {
    for (let i = 0; i < keywords.length; i++) {
      const key = keywords[i]!.arg;
      if (key === null) continue;
      for (let j = i + 1; j < keywords.length; j++) {
        if (keywords[j]!.arg === key) {
          this.setLoc(keywords[j]!);
          this.error(`keyword argument repeated: ${key}`);
        }
      }
    }
  }

  /** compiler_call_helper. */
  private callHelper(n: number, args: ast.Expr[], keywords: ast.Keyword[]): void {
    this.validateKeywords(keywords);
    const nelts = args.length;
    const nkwelts = keywords.length;
    const simple = nelts + nkwelts * 2 <= STACK_USE_GUIDELINE && !args.some((a) => a._type === 'Starred') && !keywords.some((k) => k.arg === null);
    if (simple) {
      args.forEach((a) => this.visitExpr(a));
      if (nkwelts) {
        keywords.forEach((k) => this.visitExpr(k.value));
        this.callSimpleKwHelper(keywords);
      }
      this.addOp(Op.PRECALL, n + nelts + nkwelts);
      this.addOp(Op.CALL, n + nelts + nkwelts);
      return;
    }
    if (n === 0 && nelts === 1 && args[0]!._type === 'Starred') {
      this.visitExpr((args[0] as ast.Starred).value);
    } else {
      this.starunpackHelper(args, n, Op.BUILD_LIST, Op.LIST_APPEND, Op.LIST_EXTEND, true);
    }
    if (nkwelts) {
      let haveDict = false;
      let nseen = 0;
      for (let i = 0; i < nkwelts; i++) {
        const kw = keywords[i]!;
        if (kw.arg === null) {
          if (nseen) {
            this.subkwargs(keywords, i - nseen, i);
            if (haveDict) this.addOp(Op.DICT_MERGE, 1);
            haveDict = true;
            nseen = 0;
          }
          if (!haveDict) {
            this.addOp(Op.BUILD_MAP, 0);
            haveDict = true;
          }
          this.visitExpr(kw.value);
          this.addOp(Op.DICT_MERGE, 1);
        } else {
          nseen++;
        }
      }
      if (nseen) {
        this.subkwargs(keywords, nkwelts - nseen, nkwelts);
        if (haveDict) this.addOp(Op.DICT_MERGE, 1);
      }
    }
    this.addOp(Op.CALL_FUNCTION_EX, nkwelts > 0 ? 1 : 0);
  }

  /** compiler_subkwargs. */
  private subkwargs(keywords: ast.Keyword[], begin: number, end: number): void {
    const n = end - begin;
    const big = n * 2 > STACK_USE_GUIDELINE;
    if (n > 1 && !big) {
      for (let i = begin; i < end; i++) this.visitExpr(keywords[i]!.value);
      this.loadConst(keywords.slice(begin, end).map((k) => k.arg!));
      this.addOp(Op.BUILD_CONST_KEY_MAP, n);
      return;
    }
    if (big) this.addOpNoLine(Op.BUILD_MAP, 0);
    for (let i = begin; i < end; i++) {
      this.loadConst(keywords[i]!.arg!);
      this.visitExpr(keywords[i]!.value);
      if (big) this.addOpNoLine(Op.MAP_ADD, 1);
    }
    if (!big) this.addOp(Op.BUILD_MAP, n);
  }

  // ---- displays ----

  /** starunpack_helper. */
  private starunpackHelper(elts: ast.Expr[], pushed: number, build: number, add: number, extend: number, tuple: boolean): void {
    const n = elts.length;
    if (n > 2 && elts.every((e) => e._type === 'Constant')) {
      const folded = elts.map((e) => (e as ast.Constant).value as CodeConst);
      if (tuple && !pushed) {
        this.loadConst(folded);
      } else {
        this.addOp(build, pushed);
        this.loadConst(add === Op.SET_ADD ? { kind: 'frozenset', items: dedupeSet(folded) } : folded);
        this.addOp(extend, 1);
        if (tuple) this.addOp(Op.LIST_TO_TUPLE);
      }
      return;
    }
    const big = n + pushed > STACK_USE_GUIDELINE;
    const seenStar = elts.some((e) => e._type === 'Starred');
    if (!seenStar && !big) {
      elts.forEach((e) => this.visitExpr(e));
      this.addOp(tuple ? Op.BUILD_TUPLE : build, n + pushed);
      return;
    }
    let built = false;
    if (big) {
      this.addOp(build, pushed);
      built = true;
    }
    elts.forEach((e, i) => {
      if (e._type === 'Starred') {
        if (!built) {
          this.addOp(build, i + pushed);
          built = true;
        }
        this.visitExpr(e.value);
        this.addOp(extend, 1);
      } else {
        this.visitExpr(e);
        if (built) this.addOp(add, 1);
      }
    });
    if (tuple) this.addOp(Op.LIST_TO_TUPLE);
  }

  /** unpack_helper. */
  private unpackHelper(elts: ast.Expr[]): void {
    const n = elts.length;
    let seenStar = false;
    elts.forEach((e, i) => {
      if (e._type === 'Starred' && !seenStar) {
        if (i >= 1 << 8 || n - i - 1 >= 0x7fffffff >> 8) this.error('too many expressions in star-unpacking assignment');
        this.addOp(Op.UNPACK_EX, i + ((n - i - 1) << 8));
        seenStar = true;
      } else if (e._type === 'Starred') {
        this.error('multiple starred expressions in assignment');
      }
    });
    if (!seenStar) this.addOp(Op.UNPACK_SEQUENCE, n);
  }

  /** assignment_helper. */
  private assignmentHelper(elts: ast.Expr[]): void {
    this.unpackHelper(elts);
    for (const e of elts) this.visitExpr(e._type === 'Starred' ? e.value : e);
  }

  /** compiler_subdict. */
  private subdict(e: ast.Dict, begin: number, end: number): void {
    const n = end - begin;
    const big = n * 2 > STACK_USE_GUIDELINE;
    const keys = e.keys as (ast.Expr | null)[];
    if (n > 1 && !big && keys.slice(begin, end).every((k) => k !== null && k._type === 'Constant')) {
      for (let i = begin; i < end; i++) this.visitExpr(e.values[i]!);
      this.loadConst(keys.slice(begin, end).map((k) => (k as ast.Constant).value as CodeConst));
      this.addOp(Op.BUILD_CONST_KEY_MAP, n);
      return;
    }
    if (big) this.addOp(Op.BUILD_MAP, 0);
    for (let i = begin; i < end; i++) {
      this.visitExpr(keys[i]!);
      this.visitExpr(e.values[i]!);
      if (big) this.addOp(Op.MAP_ADD, 1);
    }
    if (!big) this.addOp(Op.BUILD_MAP, n);
  }

  /** compiler_dict. */
  private dict(e: ast.Dict): void {
    const n = e.values.length;
    const keys = e.keys as (ast.Expr | null)[];
    let haveDict = false;
    let elements = 0;
    for (let i = 0; i < n; i++) {
      if (keys[i] === null) {
        if (elements) {
          this.subdict(e, i - elements, i);
          if (haveDict) this.addOp(Op.DICT_UPDATE, 1);
          haveDict = true;
          elements = 0;
        }
        if (!haveDict) {
          this.addOp(Op.BUILD_MAP, 0);
          haveDict = true;
        }
        this.visitExpr(e.values[i]!);
        this.addOp(Op.DICT_UPDATE, 1);
      } else if (elements * 2 > STACK_USE_GUIDELINE) {
        this.subdict(e, i - elements, i + 1);
        if (haveDict) this.addOp(Op.DICT_UPDATE, 1);
        haveDict = true;
        elements = 0;
      } else {
        elements++;
      }
    }
    if (elements) {
      this.subdict(e, n - elements, n);
      if (haveDict) this.addOp(Op.DICT_UPDATE, 1);
      haveDict = true;
    }
    if (!haveDict) this.addOp(Op.BUILD_MAP, 0);
  }

  /** compiler_compare. */
  private compare(e: ast.Compare): void {
    this.checkCompare(e);
    this.visitExpr(e.left);
    const n = e.ops.length - 1;
    if (n === 0) {
      this.visitExpr(e.comparators[0]!);
      this.addCompare(e.ops[0]!);
      return;
    }
    const cleanup = this.newBlock();
    for (let i = 0; i < n; i++) {
      this.visitExpr(e.comparators[i]!);
      this.addOp(Op.SWAP, 2);
      this.addOp(Op.COPY, 2);
      this.addCompare(e.ops[i]!);
      this.addJump(Op.JUMP_IF_FALSE_OR_POP, cleanup);
      this.nextBlock();
    }
    this.visitExpr(e.comparators[n]!);
    this.addCompare(e.ops[n]!);
    const end = this.newBlock();
    this.addJumpNoLine(JUMP, end);
    this.useNextBlock(cleanup);
    this.addOp(Op.SWAP, 2);
    this.addOp(Op.POP_TOP);
    this.useNextBlock(end);
  }

  /** compiler_boolop. */
  private boolop(e: ast.BoolOp): void {
    const jumpi = e.op._type === 'And' ? Op.JUMP_IF_FALSE_OR_POP : Op.JUMP_IF_TRUE_OR_POP;
    const end = this.newBlock();
    const n = e.values.length - 1;
    for (let i = 0; i < n; i++) {
      this.visitExpr(e.values[i]!);
      this.addJump(jumpi, end);
      this.useNextBlock(this.newBlock());
    }
    this.visitExpr(e.values[n]!);
    this.useNextBlock(end);
  }

  // ---- comprehensions ----

  /** compiler_comprehension. */
  private comprehension(e: ast.Expr, type: ComprehensionType, generators: ast.Comprehension[], elt: ast.Expr, val: ast.Expr | null): void {
    const outermost = generators[0]!;
    const outerScope = this.u.scopeType;
    this.enterScope(`<${type}>`, 'comprehension', e, e.lineno);
    this.setLoc(e as ast.Located & ast.Expr);
    const isAsyncGenerator = this.u.ste.coroutine;
    if (isAsyncGenerator && type !== 'genexpr' && outerScope !== 'asyncFunction' && outerScope !== 'comprehension') {
      this.error('asynchronous comprehension outside of an asynchronous function');
    }
    if (type !== 'genexpr') this.addOp(type === 'listcomp' ? Op.BUILD_LIST : type === 'setcomp' ? Op.BUILD_SET : Op.BUILD_MAP, 0);
    this.comprehensionGenerator(generators, 0, 0, elt, val, type);
    if (type !== 'genexpr') this.addOp(Op.RETURN_VALUE);
    const co = this.assembleUnit(true);
    this.exitScope();
    this.makeClosure(co, 0);
    this.visitExpr(outermost.iter);
    this.addOp(outermost.is_async ? Op.GET_AITER : Op.GET_ITER);
    this.addOp(Op.PRECALL, 0);
    this.addOp(Op.CALL, 0);
    if (isAsyncGenerator && type !== 'genexpr') this.awaitValue(0);
  }

  /** compiler_comprehension_generator. */
  private comprehensionGenerator(generators: ast.Comprehension[], genIndex: number, depth: number, elt: ast.Expr, val: ast.Expr | null, type: ComprehensionType): void {
    if (generators[genIndex]!.is_async) this.asyncComprehensionGenerator(generators, genIndex, depth, elt, val, type);
    else this.syncComprehensionGenerator(generators, genIndex, depth, elt, val, type);
  }

  /** The innermost part of a comprehension: yield, append or add the element. */
  private comprehensionElement(type: ComprehensionType, elt: ast.Expr, val: ast.Expr | null, depth: number): void {
    this.visitExpr(elt);
    switch (type) {
      case 'genexpr':
        this.addYield();
        this.addOp(Op.POP_TOP);
        break;
      case 'listcomp':
        this.addOp(Op.LIST_APPEND, depth + 1);
        break;
      case 'setcomp':
        this.addOp(Op.SET_ADD, depth + 1);
        break;
      case 'dictcomp':
        this.visitExpr(val!);
        this.addOp(Op.MAP_ADD, depth + 1);
        break;
    }
  }

  /** compiler_sync_comprehension_generator. */
  private syncComprehensionGenerator(generators: ast.Comprehension[], genIndex: number, depth: number, elt: ast.Expr, val: ast.Expr | null, type: ComprehensionType): void {
    let start: Block | null = this.newBlock();
    const ifCleanup = this.newBlock();
    const anchor = this.newBlock();
    const gen = generators[genIndex]!;
    if (genIndex === 0) {
      this.u.argcount = 1;
      this.addOp(Op.LOAD_FAST, 0);
    } else {
      const elts = gen.iter._type === 'List' || gen.iter._type === 'Tuple' ? gen.iter.elts : null;
      if (elts && elts.length === 1 && elts[0]!._type !== 'Starred') {
        this.visitExpr(elts[0]!);
        start = null;
      }
      if (start) {
        this.visitExpr(gen.iter);
        this.addOp(Op.GET_ITER);
      }
    }
    if (start) {
      depth++;
      this.useNextBlock(start);
      this.addJump(Op.FOR_ITER, anchor);
      this.nextBlock();
    }
    this.visitExpr(gen.target);
    for (const cond of gen.ifs) {
      this.jumpIf(cond, ifCleanup, false);
      this.nextBlock();
    }
    if (++genIndex < generators.length) this.comprehensionGenerator(generators, genIndex, depth, elt, val, type);
    if (genIndex >= generators.length) this.comprehensionElement(type, elt, val, depth);
    this.useNextBlock(ifCleanup);
    if (start) {
      this.addJump(JUMP, start);
      this.useNextBlock(anchor);
    }
  }

  /** compiler_async_comprehension_generator. */
  private asyncComprehensionGenerator(generators: ast.Comprehension[], genIndex: number, depth: number, elt: ast.Expr, val: ast.Expr | null, type: ComprehensionType): void {
    const start = this.newBlock();
    const except = this.newBlock();
    const ifCleanup = this.newBlock();
    const gen = generators[genIndex]!;
    if (genIndex === 0) {
      this.u.argcount = 1;
      this.addOp(Op.LOAD_FAST, 0);
    } else {
      this.visitExpr(gen.iter);
      this.addOp(Op.GET_AITER);
    }
    this.useNextBlock(start);
    this.pushFblock('ASYNC_COMPREHENSION_GENERATOR', start, null, null);
    this.addJump(SETUP_FINALLY, except);
    this.addOp(Op.GET_ANEXT);
    this.loadConst(null);
    this.addYieldFrom(true);
    this.addOp(POP_BLOCK);
    this.visitExpr(gen.target);
    for (const cond of gen.ifs) {
      this.jumpIf(cond, ifCleanup, false);
      this.nextBlock();
    }
    depth++;
    if (++genIndex < generators.length) this.comprehensionGenerator(generators, genIndex, depth, elt, val, type);
    if (genIndex >= generators.length) this.comprehensionElement(type, elt, val, depth);
    this.useNextBlock(ifCleanup);
    this.addJump(JUMP, start);
    this.popFblock();
    this.useNextBlock(except);
    this.addOp(Op.END_ASYNC_FOR);
  }

  // ---- expressions ----

  /** compiler_visit_expr: the expression's location for its own instructions only. */
  visitExpr(e: ast.Expr): void {
    const saved = this.u.loc;
    if (e.lineno >= 0) this.setLoc(e);
    else this.u.loc = { lineno: -1, endLineno: -1, col: -1, endCol: -1 };
    this.visitExpr1(e);
    this.u.loc = saved;
  }

  private visitExpr1(e: ast.Expr): void {
    switch (e._type) {
      case 'NamedExpr':
        this.visitExpr(e.value);
        this.addOp(Op.COPY, 1);
        this.visitExpr(e.target);
        return;
      case 'BoolOp': return this.boolop(e);
      case 'BinOp':
        this.visitExpr(e.left);
        this.visitExpr(e.right);
        this.addOp(Op.BINARY_OP, binopArg[e.op._type]!);
        return;
      case 'UnaryOp':
        this.visitExpr(e.operand);
        this.addOp(unaryOps[e.op._type]!);
        return;
      case 'Lambda': return this.lambda(e);
      case 'IfExp': {
        const end = this.newBlock();
        const next = this.newBlock();
        this.jumpIf(e.test, next, false);
        this.visitExpr(e.body);
        this.addJumpNoLine(JUMP, end);
        this.useNextBlock(next);
        this.visitExpr(e.orelse);
        this.useNextBlock(end);
        return;
      }
      case 'Dict': return this.dict(e);
      case 'Set': return this.starunpackHelper(e.elts, 0, Op.BUILD_SET, Op.SET_ADD, Op.SET_UPDATE, false);
      case 'GeneratorExp': return this.comprehension(e, 'genexpr', e.generators, e.elt, null);
      case 'ListComp': return this.comprehension(e, 'listcomp', e.generators, e.elt, null);
      case 'SetComp': return this.comprehension(e, 'setcomp', e.generators, e.elt, null);
      case 'DictComp': return this.comprehension(e, 'dictcomp', e.generators, e.key, e.value);
      case 'Yield':
        if (this.u.ste.type !== 'function') this.error("'yield' outside function");
        if (e.value) this.visitExpr(e.value);
        else this.loadConst(null);
        this.addYield();
        return;
      case 'YieldFrom':
        if (this.u.ste.type !== 'function') this.error("'yield' outside function");
        if (this.u.scopeType === 'asyncFunction') this.error("'yield from' inside async function");
        this.visitExpr(e.value);
        this.addOp(Op.GET_YIELD_FROM_ITER);
        this.loadConst(null);
        this.addYieldFrom(false);
        return;
      case 'Await':
        if (this.u.ste.type !== 'function') this.error("'await' outside function");
        if (this.u.scopeType !== 'asyncFunction' && this.u.scopeType !== 'comprehension') this.error("'await' outside async function");
        this.visitExpr(e.value);
        this.awaitValue(0);
        return;
      case 'Compare': return this.compare(e);
      case 'Call': return this.call(e);
      case 'Constant':
        this.loadConst(e.value as CodeConst);
        return;
      case 'JoinedStr': return this.joinedStr(e);
      case 'FormattedValue': return this.formattedValue(e);
      case 'Attribute': {
        this.visitExpr(e.value);
        this.updateStartLocationToMatchAttr(e);
        if (e.ctx._type === 'Del') {
          this.addOpName(Op.DELETE_ATTR, e.attr);
          return;
        }
        this.addOpName(e.ctx._type === 'Load' ? Op.LOAD_ATTR : Op.STORE_ATTR, e.attr);
        return;
      }
      case 'Subscript':
        if (e.ctx._type === 'Load') this.checkSubscript(e);
        this.visitExpr(e.value);
        this.visitExpr(e.slice);
        this.addOp(e.ctx._type === 'Load' ? Op.BINARY_SUBSCR : e.ctx._type === 'Store' ? Op.STORE_SUBSCR : Op.DELETE_SUBSCR);
        return;
      case 'Starred':
        if (e.ctx._type === 'Store') this.error('starred assignment target must be in a list or tuple');
        this.error("can't use starred expression here");
        return;
      case 'Slice': {
        let n = 2;
        if (e.lower) this.visitExpr(e.lower);
        else this.loadConst(null);
        if (e.upper) this.visitExpr(e.upper);
        else this.loadConst(null);
        if (e.step) {
          n++;
          this.visitExpr(e.step);
        }
        this.addOp(Op.BUILD_SLICE, n);
        return;
      }
      case 'Name': return this.nameop(e.id, e.ctx._type);
      case 'List':
        if (e.ctx._type === 'Store') return this.assignmentHelper(e.elts);
        if (e.ctx._type === 'Load') return this.starunpackHelper(e.elts, 0, Op.BUILD_LIST, Op.LIST_APPEND, Op.LIST_EXTEND, false);
        e.elts.forEach((x) => this.visitExpr(x));
        return;
      case 'Tuple':
        if (e.ctx._type === 'Store') return this.assignmentHelper(e.elts);
        if (e.ctx._type === 'Load') return this.starunpackHelper(e.elts, 0, Op.BUILD_LIST, Op.LIST_APPEND, Op.LIST_EXTEND, true);
        e.elts.forEach((x) => this.visitExpr(x));
        return;
    }
  }

  /** addop_yield: an async generator wraps what it yields. */
  private addYield(): void {
    if (this.u.ste.generator && this.u.ste.coroutine) this.addOp(Op.ASYNC_GEN_WRAP);
    this.addOp(Op.YIELD_VALUE);
    this.addOp(Op.RESUME, 1);
  }

  /** GET_AWAITABLE where; LOAD_CONST None; ADD_YIELD_FROM(await). */
  private awaitValue(where: number): void {
    this.addOp(Op.GET_AWAITABLE, where);
    this.loadConst(null);
    this.addYieldFrom(true);
  }

  /** compiler_add_yield_from. */
  private addYieldFrom(isAwait: boolean): void {
    const start = this.newBlock();
    const resume = this.newBlock();
    const exit = this.newBlock();
    this.useNextBlock(start);
    this.addJump(Op.SEND, exit);
    this.useNextBlock(resume);
    this.addOp(Op.YIELD_VALUE);
    this.addOp(Op.RESUME, isAwait ? 3 : 2);
    this.addJump(JUMP_NO_INTERRUPT, start);
    this.useNextBlock(exit);
  }

  /** compiler_joined_str. */
  private joinedStr(e: ast.JoinedStr): void {
    const n = e.values.length;
    if (n > STACK_USE_GUIDELINE) {
      this.loadConst('');
      this.addOpName(Op.LOAD_METHOD, 'join');
      this.addOp(Op.BUILD_LIST, 0);
      for (const v of e.values) {
        this.visitExpr(v);
        this.addOp(Op.LIST_APPEND, 1);
      }
      this.addOp(Op.PRECALL, 1);
      this.addOp(Op.CALL, 1);
      return;
    }
    e.values.forEach((v) => this.visitExpr(v));
    if (n !== 1) this.addOp(Op.BUILD_STRING, n);
  }

  /** compiler_formatted_value. */
  private formattedValue(e: ast.FormattedValue): void {
    this.visitExpr(e.value);
    const conv: Record<number, number> = { 115: 1, 114: 2, 97: 3, [-1]: 0 };
    let oparg = conv[e.conversion];
    if (oparg === undefined) throw new Error(`Unrecognized conversion character ${e.conversion}`);
    if (e.format_spec) {
      this.visitExpr(e.format_spec);
      oparg |= 4;
    }
    this.addOp(Op.FORMAT_VALUE, oparg);
  }
}

/** The elements of a frozenset made from `values`: the first of equal ones. */
function dedupeSet(values: CodeConst[]): CodeConst[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = setItemKey(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Compiles a parsed tree as compile.c's compiler setup does: future
 * statements, the AST optimizer (which folds the tree in place), the symbol
 * table, code generation and assembly.
 */
export function compileAst(mod: ast.ModNode, filename: string, source: string, onWarning: WarningSink = () => {}): CodeObject {
  const lines = source.split(/\r?\n/);
  const future = futureParse(mod, filename, lines);
  if (future.features.has('barry_as_FLUFL')) {
    throw new CompilerNotImplementedError('from __future__ import barry_as_FLUFL', filename, future.lineno);
  }
  const futureAnnotations = future.features.has('annotations');
  astOptimize(mod, filename, futureAnnotations);
  const st = buildSymtable(mod, filename, lines, futureAnnotations);
  return new Compiler(st, future, filename, lines, onWarning).compileMod(mod);
}

/**
 * parse(), then the warnings the parser met (the tokenizer's SyntaxWarnings,
 * the string parser's DeprecationWarnings) given to `onWarning` in the order
 * met, as CPython issues them while parsing, before the compiler's.
 */
export function parseWithWarnings(source: string, filename: string, mode: Mode, onWarning: WarningSink = () => {}): ast.ModNode {
  const warnings: PySyntaxWarning[] = [];
  try {
    return parse(source, filename, mode, warnings);
  } finally {
    for (const w of warnings) onWarning({ category: w.category, message: w.msg, filename: w.filename, lineno: w.lineno });
  }
}

/** Python's compile(source, filename, mode) for exec / eval / single: parse, then compileAst; every warning to onWarning. */
export function compile(source: string, filename: string, mode: Mode, onWarning?: WarningSink): CodeObject {
  return compileAst(parseWithWarnings(source, filename, mode, onWarning), filename, source, onWarning);
}
