/*
 * The symbol table of CPython 3.11 (Python/symtable.c): one entry per
 * module, class, function, lambda and comprehension, recording each name's
 * flags (DEF_*) and, after analysis, its scope (LOCAL, GLOBAL_EXPLICIT,
 * GLOBAL_IMPLICIT, FREE, CELL), which the compiler turns into
 * LOAD_FAST / LOAD_NAME / LOAD_GLOBAL / LOAD_DEREF / LOAD_CLASSDEREF.
 *
 * Invariants (those of symtable.c): symbols keep the order of first
 * mention; varnames lists the parameters in the order of the signature
 * (positional-only, positional, keyword-only, *args, **kwargs, or `.0` of a
 * comprehension); a class's bindings are invisible to its methods; a
 * comprehension is a nested function scope whose first iterator is
 * evaluated in the enclosing scope. SyntaxErrors are raised with symtable.c's
 * messages and the statement's location.
 */

import type * as ast from './ast.js';
import { PySyntaxError } from './syntaxError.js';

/** DEF_GLOBAL: Declared global. */
export const DEF_GLOBAL = 1;
/** DEF_LOCAL: Assigned in the block. */
export const DEF_LOCAL = 2;
/** DEF_PARAM: A parameter. */
export const DEF_PARAM = 4;
/** DEF_NONLOCAL: Declared nonlocal. */
export const DEF_NONLOCAL = 8;
/** USE: Read in the block. */
export const USE = 16;
/** DEF_FREE: A free variable of the block. */
export const DEF_FREE = 32;
/** DEF_FREE_CLASS: Free in a class method, bound in the class. */
export const DEF_FREE_CLASS = 64;
/** DEF_IMPORT: Bound by an import. */
export const DEF_IMPORT = 128;
/** DEF_ANNOT: Annotated. */
export const DEF_ANNOT = 256;
/** DEF_COMP_ITER: A comprehension's iteration variable. */
export const DEF_COMP_ITER = 512;
const DEF_BOUND = DEF_LOCAL | DEF_PARAM | DEF_IMPORT;
const SCOPE_OFFSET = 11;
const SCOPE_MASK = DEF_GLOBAL | DEF_LOCAL | DEF_PARAM | DEF_NONLOCAL;

/** Scopes (symtable.h), in bits 11+ of a symbol's flags after analysis: local, global by declaration, global by absence, free, cell. */
export const LOCAL = 1;
export const GLOBAL_EXPLICIT = 2;
export const GLOBAL_IMPLICIT = 3;
export const FREE = 4;
export const CELL = 5;

/** _Py_block_ty: the kind of a scope (comprehensions and lambdas are functions). */
export type BlockType = 'function' | 'class' | 'module';
/** ste_comprehension: which comprehension a function scope is, or null. */
export type ComprehensionType = 'list' | 'set' | 'dict' | 'generator' | null;

type Loc = { lineno: number; col_offset: number; end_lineno: number; end_col_offset: number };

/** One scope: symtable.c's PySTEntryObject. */
export class SymtableEntry {
  /** Flags of each name, scope in the high bits after analysis. */
  readonly symbols = new Map<string, number>();
  /** Parameters, in signature order. */
  readonly varnames: string[] = [];
  readonly children: SymtableEntry[] = [];
  /** Locations of global/nonlocal directives, for error messages. */
  readonly directives = new Map<string, Loc>();
  nested = false;
  generator = false;
  coroutine = false;
  comprehension: ComprehensionType = null;
  varargs = false;
  varkeywords = false;
  returnsValue = false;
  childFree = false;
  free = false;
  needsClassClosure = false;
  compIterTarget = false;
  compIterExpr = 0;

  constructor(
    readonly name: string,
    readonly type: BlockType,
    readonly node: object,
    readonly loc: Loc,
  ) {}

  /** _PyST_GetSymbol. */
  getSymbol(name: string): number {
    return this.symbols.get(name) ?? 0;
  }

  /** _PyST_GetScope. */
  getScope(name: string): number {
    return (this.getSymbol(name) >> SCOPE_OFFSET) & SCOPE_MASK;
  }
}

/** The table of one compilation: every entry, found by its AST node. */
export interface Symtable {
  top: SymtableEntry;
  lookup(node: object): SymtableEntry;
}

/** _Py_Mangle: `__x` inside class `C` is `_C__x`. */
export function mangle(privateName: string | null, name: string): string {
  if (privateName === null || !name.startsWith('__')) return name;
  if (name.endsWith('__') || name.includes('.')) return name;
  const stripped = privateName.replace(/^_+/, '');
  if (stripped === '') return name;
  return `_${stripped}${name}`;
}

const GLOBAL_PARAM = "name '%U' is parameter and global";
const NONLOCAL_PARAM = "name '%U' is parameter and nonlocal";
const GLOBAL_AFTER_ASSIGN = "name '%U' is assigned to before global declaration";
const NONLOCAL_AFTER_ASSIGN = "name '%U' is assigned to before nonlocal declaration";
const GLOBAL_AFTER_USE = "name '%U' is used prior to global declaration";
const NONLOCAL_AFTER_USE = "name '%U' is used prior to nonlocal declaration";
const GLOBAL_ANNOT = "annotated name '%U' can't be global";
const NONLOCAL_ANNOT = "annotated name '%U' can't be nonlocal";

/** Builds and analyses the symbol table of a module (_PySymtable_Build). */
export function buildSymtable(mod: ast.ModNode, filename: string, sourceLines: string[], futureAnnotations = false): Symtable {
  return new SymtableBuilder(filename, sourceLines, futureAnnotations).build(mod);
}

class SymtableBuilder {
  private readonly entries = new Map<object, SymtableEntry>();
  private readonly stack: SymtableEntry[] = [];
  private cur!: SymtableEntry;
  private top!: SymtableEntry;
  private privateName: string | null = null;

  constructor(
    private readonly filename: string,
    private readonly sourceLines: string[],
    /** Under `from __future__ import annotations` annotations are text: their names bind and use nothing here. */
    private readonly futureAnnotations: boolean,
  ) {}

  build(mod: ast.ModNode): Symtable {
    this.enterBlock('top', 'module', mod, { lineno: 0, col_offset: 0, end_lineno: 0, end_col_offset: 0 });
    this.top = this.cur;
    switch (mod._type) {
      case 'Module':
      case 'Interactive':
        mod.body.forEach((s) => this.visitStmt(s));
        break;
      case 'Expression':
        this.visitExpr(mod.body);
        break;
      default:
        throw new Error('FunctionType is not compiled');
    }
    this.exitBlock();
    this.analyze();
    const entries = this.entries;
    return {
      top: this.top,
      lookup(node: object): SymtableEntry {
        const e = entries.get(node);
        if (!e) throw new Error('no symbol table entry for node');
        return e;
      },
    };
  }

  error(msg: string, loc: Loc): never {
    const text = this.sourceLines[loc.lineno - 1] ?? null;
    throw new PySyntaxError(msg, 'SyntaxError', this.filename, loc.lineno, loc.col_offset + 1, loc.end_lineno, loc.end_col_offset + 1, text);
  }

  /** symtable_enter_block. */
  private enterBlock(name: string, type: BlockType, node: object, loc: Loc): void {
    const prev = this.stack.length ? this.cur : null;
    const ste = new SymtableEntry(name, type, node, loc);
    if (prev && (prev.nested || prev.type === 'function')) ste.nested = true;
    this.entries.set(node, ste);
    if (prev) prev.children.push(ste);
    this.stack.push(ste);
    this.cur = ste;
  }

  /** symtable_exit_block. */
  private exitBlock(): void {
    this.stack.pop();
    if (this.stack.length) this.cur = this.stack[this.stack.length - 1]!;
  }

  /** symtable_add_def_helper. */
  private addDefHelper(name: string, flag: number, ste: SymtableEntry, loc: Loc): void {
    const mangled = mangle(this.privateName, name);
    let val = ste.symbols.get(mangled);
    if (val !== undefined) {
      if (flag & DEF_PARAM && val & DEF_PARAM) {
        this.error(`duplicate argument '${name}' in function definition`, loc);
      }
      val |= flag;
    } else {
      val = flag;
    }
    if (ste.compIterTarget) {
      if (val & (DEF_GLOBAL | DEF_NONLOCAL)) {
        this.error(`comprehension inner loop cannot rebind assignment expression target '${name}'`, loc);
      }
      val |= DEF_COMP_ITER;
    }
    ste.symbols.set(mangled, val);
    if (flag & DEF_PARAM) {
      ste.varnames.push(mangled);
    } else if (flag & DEF_GLOBAL) {
      this.top.symbols.set(mangled, flag | (this.top.symbols.get(mangled) ?? 0));
    }
  }

  private addDef(name: string, flag: number, loc: Loc): void {
    this.addDefHelper(name, flag, this.cur, loc);
  }

  private recordDirective(name: string, loc: Loc): void {
    const mangled = mangle(this.privateName, name);
    if (!this.cur.directives.has(mangled)) this.cur.directives.set(mangled, loc);
  }

  private visitStmt(s: ast.Stmt): void {
    switch (s._type) {
      case 'FunctionDef':
      case 'AsyncFunctionDef':
        this.addDef(s.name, DEF_LOCAL, s);
        this.visitExprs(s.args.defaults);
        s.args.kw_defaults.forEach((d) => d && this.visitExpr(d));
        this.visitAnnotations(s.args, s.returns);
        this.visitExprs(s.decorator_list);
        this.enterBlock(s.name, 'function', s, s);
        if (s._type === 'AsyncFunctionDef') this.cur.coroutine = true;
        this.visitArguments(s.args);
        s.body.forEach((b) => this.visitStmt(b));
        this.exitBlock();
        break;
      case 'ClassDef': {
        this.addDef(s.name, DEF_LOCAL, s);
        this.visitExprs(s.bases);
        s.keywords.forEach((k) => this.visitExpr(k.value));
        this.visitExprs(s.decorator_list);
        this.enterBlock(s.name, 'class', s, s);
        const saved = this.privateName;
        this.privateName = s.name;
        s.body.forEach((b) => this.visitStmt(b));
        this.privateName = saved;
        this.exitBlock();
        break;
      }
      case 'Return':
        if (s.value) {
          this.visitExpr(s.value);
          this.cur.returnsValue = true;
        }
        break;
      case 'Delete':
        this.visitExprs(s.targets);
        break;
      case 'Assign':
        this.visitExprs(s.targets);
        this.visitExpr(s.value);
        break;
      case 'AnnAssign':
        if (s.target._type === 'Name') {
          const name = s.target.id;
          const cur = this.cur.getSymbol(mangle(this.privateName, name));
          if (cur & (DEF_GLOBAL | DEF_NONLOCAL) && this.cur.symbols !== this.top.symbols && s.simple) {
            this.error((cur & DEF_GLOBAL ? GLOBAL_ANNOT : NONLOCAL_ANNOT).replace('%U', name), s);
          }
          if (s.simple) this.addDef(name, DEF_ANNOT | DEF_LOCAL, s);
          else if (s.value) this.addDef(name, DEF_LOCAL, s);
        } else {
          this.visitExpr(s.target);
        }
        if (!this.futureAnnotations) this.visitExpr(s.annotation);
        if (s.value) this.visitExpr(s.value);
        break;
      case 'AugAssign':
        this.visitExpr(s.target);
        this.visitExpr(s.value);
        break;
      case 'For':
      case 'AsyncFor':
        this.visitExpr(s.target);
        this.visitExpr(s.iter);
        s.body.forEach((b) => this.visitStmt(b));
        s.orelse.forEach((b) => this.visitStmt(b));
        break;
      case 'While':
      case 'If':
        this.visitExpr(s.test);
        s.body.forEach((b) => this.visitStmt(b));
        s.orelse.forEach((b) => this.visitStmt(b));
        break;
      case 'Match':
        this.visitExpr(s.subject);
        for (const c of s.cases) {
          this.visitPattern(c.pattern);
          if (c.guard) this.visitExpr(c.guard);
          c.body.forEach((b) => this.visitStmt(b));
        }
        break;
      case 'Raise':
        if (s.exc) {
          this.visitExpr(s.exc);
          if (s.cause) this.visitExpr(s.cause);
        }
        break;
      case 'Try':
      case 'TryStar':
        s.body.forEach((b) => this.visitStmt(b));
        s.orelse.forEach((b) => this.visitStmt(b));
        for (const h of s.handlers) {
          if (h.type) this.visitExpr(h.type);
          if (h.name) this.addDef(h.name, DEF_LOCAL, h);
          h.body.forEach((b) => this.visitStmt(b));
        }
        s.finalbody.forEach((b) => this.visitStmt(b));
        break;
      case 'Assert':
        this.visitExpr(s.test);
        if (s.msg) this.visitExpr(s.msg);
        break;
      case 'Import':
      case 'ImportFrom':
        for (const a of s.names) this.visitAlias(a);
        break;
      case 'Global':
      case 'Nonlocal': {
        const isGlobal = s._type === 'Global';
        for (const name of s.names) {
          const cur = this.cur.getSymbol(mangle(this.privateName, name));
          if (cur & (DEF_PARAM | DEF_LOCAL | USE | DEF_ANNOT)) {
            let msg: string;
            if (cur & DEF_PARAM) msg = isGlobal ? GLOBAL_PARAM : NONLOCAL_PARAM;
            else if (cur & USE) msg = isGlobal ? GLOBAL_AFTER_USE : NONLOCAL_AFTER_USE;
            else if (cur & DEF_ANNOT) msg = isGlobal ? GLOBAL_ANNOT : NONLOCAL_ANNOT;
            else msg = isGlobal ? GLOBAL_AFTER_ASSIGN : NONLOCAL_AFTER_ASSIGN;
            this.error(msg.replace('%U', name), s);
          }
          this.addDef(name, isGlobal ? DEF_GLOBAL : DEF_NONLOCAL, s);
          this.recordDirective(name, s);
        }
        break;
      }
      case 'Expr':
        this.visitExpr(s.value);
        break;
      case 'With':
      case 'AsyncWith':
        for (const item of s.items) {
          this.visitExpr(item.context_expr);
          if (item.optional_vars) this.visitExpr(item.optional_vars);
        }
        s.body.forEach((b) => this.visitStmt(b));
        break;
      case 'Pass':
      case 'Break':
      case 'Continue':
        break;
    }
  }

  private visitPattern(p: ast.Pattern): void {
    switch (p._type) {
      case 'MatchValue': this.visitExpr(p.value); break;
      case 'MatchSingleton': break;
      case 'MatchSequence': p.patterns.forEach((q) => this.visitPattern(q)); break;
      case 'MatchStar': if (p.name) this.addDef(p.name, DEF_LOCAL, p); break;
      case 'MatchMapping':
        this.visitExprs(p.keys);
        p.patterns.forEach((q) => this.visitPattern(q));
        if (p.rest) this.addDef(p.rest, DEF_LOCAL, p);
        break;
      case 'MatchClass':
        this.visitExpr(p.cls);
        p.patterns.forEach((q) => this.visitPattern(q));
        p.kwd_patterns.forEach((q) => this.visitPattern(q));
        break;
      case 'MatchAs':
        if (p.pattern) this.visitPattern(p.pattern);
        if (p.name) this.addDef(p.name, DEF_LOCAL, p);
        break;
      case 'MatchOr': p.patterns.forEach((q) => this.visitPattern(q)); break;
    }
  }

  /** symtable_visit_alias. */
  private visitAlias(a: ast.Alias): void {
    const storeName = a.asname ?? a.name.split('.')[0]!;
    if (a.name === '*') {
      if (this.cur.type !== 'module') this.error('import * only allowed at module level', a);
      return;
    }
    this.addDef(storeName, DEF_IMPORT, a);
  }

  private visitExprs(es: (ast.Expr | null)[]): void {
    for (const e of es) if (e) this.visitExpr(e);
  }

  /** symtable_visit_annotations: annotations are evaluated in the enclosing scope. */
  private visitAnnotations(args: ast.Arguments, returns: ast.Expr | null): void {
    if (this.futureAnnotations) return;
    for (const a of [...args.posonlyargs, ...args.args, ...args.kwonlyargs]) if (a.annotation) this.visitExpr(a.annotation);
    if (args.vararg?.annotation) this.visitExpr(args.vararg.annotation);
    if (args.kwarg?.annotation) this.visitExpr(args.kwarg.annotation);
    if (returns) this.visitExpr(returns);
  }

  /** symtable_visit_arguments. */
  private visitArguments(args: ast.Arguments): void {
    for (const a of [...args.posonlyargs, ...args.args, ...args.kwonlyargs]) this.addDef(a.arg, DEF_PARAM, a);
    if (args.vararg) {
      this.addDef(args.vararg.arg, DEF_PARAM, args.vararg);
      this.cur.varargs = true;
    }
    if (args.kwarg) {
      this.addDef(args.kwarg.arg, DEF_PARAM, args.kwarg);
      this.cur.varkeywords = true;
    }
  }

  /** symtable_raise_if_comprehension_block. */
  private raiseIfComprehension(e: ast.Expr): void {
    const kind = this.cur.comprehension;
    if (kind === null) return;
    const what = { list: "'yield' inside list comprehension", set: "'yield' inside set comprehension", dict: "'yield' inside dict comprehension", generator: "'yield' inside generator expression" }[kind];
    this.error(what, e);
  }

  private visitExpr(e: ast.Expr): void {
    switch (e._type) {
      case 'NamedExpr':
        if (this.cur.compIterExpr > 0) this.error('assignment expression cannot be used in a comprehension iterable expression', e);
        if (this.cur.comprehension && e.target._type === 'Name') this.extendNamedexprScope(e.target);
        this.visitExpr(e.value);
        this.visitExpr(e.target);
        break;
      case 'BoolOp': this.visitExprs(e.values); break;
      case 'BinOp': this.visitExpr(e.left); this.visitExpr(e.right); break;
      case 'UnaryOp': this.visitExpr(e.operand); break;
      case 'Lambda':
        this.visitExprs(e.args.defaults);
        e.args.kw_defaults.forEach((d) => d && this.visitExpr(d));
        this.enterBlock('lambda', 'function', e, e);
        this.visitArguments(e.args);
        this.visitExpr(e.body);
        this.exitBlock();
        break;
      case 'IfExp': this.visitExpr(e.test); this.visitExpr(e.body); this.visitExpr(e.orelse); break;
      case 'Dict':
        e.keys.forEach((k) => k && this.visitExpr(k));
        this.visitExprs(e.values);
        break;
      case 'Set': this.visitExprs(e.elts); break;
      case 'GeneratorExp': this.handleComprehension(e, 'genexpr', e.generators, e.elt, null); break;
      case 'ListComp': this.handleComprehension(e, 'listcomp', e.generators, e.elt, null); break;
      case 'SetComp': this.handleComprehension(e, 'setcomp', e.generators, e.elt, null); break;
      case 'DictComp': this.handleComprehension(e, 'dictcomp', e.generators, e.key, e.value); break;
      case 'Yield':
        this.raiseIfComprehension(e);
        if (e.value) this.visitExpr(e.value);
        this.cur.generator = true;
        break;
      case 'YieldFrom':
        this.raiseIfComprehension(e);
        this.visitExpr(e.value);
        this.cur.generator = true;
        break;
      case 'Await':
        this.visitExpr(e.value);
        this.cur.coroutine = true;
        break;
      case 'Compare': this.visitExpr(e.left); this.visitExprs(e.comparators); break;
      case 'Call':
        this.visitExpr(e.func);
        this.visitExprs(e.args);
        e.keywords.forEach((k) => this.visitExpr(k.value));
        break;
      case 'FormattedValue':
        this.visitExpr(e.value);
        if (e.format_spec) this.visitExpr(e.format_spec);
        break;
      case 'JoinedStr': this.visitExprs(e.values); break;
      case 'Constant': break;
      case 'Attribute': this.visitExpr(e.value); break;
      case 'Subscript': this.visitExpr(e.value); this.visitExpr(e.slice); break;
      case 'Starred': this.visitExpr(e.value); break;
      case 'Slice':
        if (e.lower) this.visitExpr(e.lower);
        if (e.upper) this.visitExpr(e.upper);
        if (e.step) this.visitExpr(e.step);
        break;
      case 'Name':
        this.addDef(e.id, e.ctx._type === 'Load' ? USE : DEF_LOCAL, e);
        if (e.ctx._type === 'Load' && this.cur.type === 'function' && e.id === 'super') {
          this.addDef('__class__', USE, e);
        }
        break;
      case 'List':
      case 'Tuple':
        this.visitExprs(e.elts);
        break;
    }
  }

  /** symtable_extend_namedexpr_scope: `(x := ...)` in a comprehension binds in the enclosing function. */
  private extendNamedexprScope(target: ast.Name): void {
    const name = target.id;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const ste = this.stack[i]!;
      if (ste.comprehension) {
        if (ste.getSymbol(name) & DEF_COMP_ITER) {
          this.error(`assignment expression cannot rebind comprehension iteration variable '${name}'`, target);
        }
        continue;
      }
      if (ste.type === 'function') {
        this.addDef(name, ste.getSymbol(name) & DEF_GLOBAL ? DEF_GLOBAL : DEF_NONLOCAL, target);
        this.recordDirective(name, target);
        this.addDefHelper(name, DEF_LOCAL, ste, target);
        return;
      }
      if (ste.type === 'module') {
        this.addDef(name, DEF_GLOBAL, target);
        this.recordDirective(name, target);
        this.addDefHelper(name, DEF_GLOBAL, ste, target);
        return;
      }
      this.error('assignment expression within a comprehension cannot be used in a class body', target);
    }
  }

  /** symtable_handle_comprehension. */
  private handleComprehension(e: ast.Expr, scopeName: string, generators: ast.Comprehension[], elt: ast.Expr, value: ast.Expr | null): void {
    const isGenerator = e._type === 'GeneratorExp';
    const outermost = generators[0]!;
    this.cur.compIterExpr++;
    this.visitExpr(outermost.iter);
    this.cur.compIterExpr--;
    this.enterBlock(scopeName, 'function', e, e);
    this.cur.comprehension = { ListComp: 'list', SetComp: 'set', DictComp: 'dict' }[e._type as string] as ComprehensionType ?? 'generator';
    if (outermost.is_async) this.cur.coroutine = true;
    this.addDef('.0', DEF_PARAM, e);
    this.cur.compIterTarget = true;
    this.visitExpr(outermost.target);
    this.cur.compIterTarget = false;
    this.visitExprs(outermost.ifs);
    for (const gen of generators.slice(1)) {
      this.cur.compIterTarget = true;
      this.visitExpr(gen.target);
      this.cur.compIterTarget = false;
      this.cur.compIterExpr++;
      this.visitExpr(gen.iter);
      this.cur.compIterExpr--;
      this.visitExprs(gen.ifs);
      if (gen.is_async) this.cur.coroutine = true;
    }
    if (value) this.visitExpr(value);
    this.visitExpr(elt);
    this.cur.generator = isGenerator;
    const isAsync = this.cur.coroutine && !isGenerator;
    this.exitBlock();
    if (isAsync) this.cur.coroutine = true;
  }

  // ---- analysis (symtable.c: symtable_analyze and its helpers) ----

  private analyze(): void {
    this.analyzeBlock(this.top, null, new Set(), new Set());
  }

  /** error_at_directive: the location of the global/nonlocal statement naming `name`. */
  private errorAtDirective(ste: SymtableEntry, name: string, msg: string): never {
    this.error(msg, ste.directives.get(name) ?? ste.loc);
  }

  /** analyze_name. */
  private analyzeName(ste: SymtableEntry, scopes: Map<string, number>, name: string, flags: number, bound: Set<string> | null, local: Set<string>, free: Set<string>, global: Set<string>): void {
    if (flags & DEF_GLOBAL) {
      if (flags & DEF_NONLOCAL) this.errorAtDirective(ste, name, `name '${name}' is nonlocal and global`);
      scopes.set(name, GLOBAL_EXPLICIT);
      global.add(name);
      bound?.delete(name);
      return;
    }
    if (flags & DEF_NONLOCAL) {
      if (!bound) this.errorAtDirective(ste, name, 'nonlocal declaration not allowed at module level');
      if (!bound.has(name)) this.errorAtDirective(ste, name, `no binding for nonlocal '${name}' found`);
      scopes.set(name, FREE);
      ste.free = true;
      free.add(name);
      return;
    }
    if (flags & DEF_BOUND) {
      scopes.set(name, LOCAL);
      local.add(name);
      global.delete(name);
      return;
    }
    if (bound && bound.has(name)) {
      scopes.set(name, FREE);
      ste.free = true;
      free.add(name);
      return;
    }
    if (global.has(name)) {
      scopes.set(name, GLOBAL_IMPLICIT);
      return;
    }
    if (ste.nested) ste.free = true;
    scopes.set(name, GLOBAL_IMPLICIT);
  }

  /** analyze_block. */
  private analyzeBlock(ste: SymtableEntry, bound: Set<string> | null, free: Set<string>, global: Set<string>): void {
    const local = new Set<string>();
    const scopes = new Map<string, number>();
    const newglobal = new Set<string>();
    const newfree = new Set<string>();
    const newbound = new Set<string>();
    if (ste.type === 'class') {
      for (const n of global) newglobal.add(n);
      if (bound) for (const n of bound) newbound.add(n);
    }
    for (const [name, flags] of ste.symbols) {
      this.analyzeName(ste, scopes, name, flags, bound, local, free, global);
    }
    if (ste.type !== 'class') {
      if (ste.type === 'function') for (const n of local) newbound.add(n);
      if (bound) for (const n of bound) newbound.add(n);
      for (const n of global) newglobal.add(n);
    } else {
      newbound.add('__class__');
    }
    const allfree = new Set<string>();
    for (const child of ste.children) {
      const tempBound = new Set(newbound);
      const tempFree = new Set<string>();
      const tempGlobal = new Set(newglobal);
      this.analyzeBlock(child, tempBound, tempFree, tempGlobal);
      for (const n of tempFree) allfree.add(n);
      if (child.free || child.childFree) ste.childFree = true;
    }
    for (const n of allfree) newfree.add(n);
    if (ste.type === 'function') {
      for (const [name, scope] of scopes) {
        if (scope === LOCAL && newfree.has(name)) {
          scopes.set(name, CELL);
          newfree.delete(name);
        }
      }
    } else if (ste.type === 'class' && newfree.has('__class__')) {
      newfree.delete('__class__');
      ste.needsClassClosure = true;
    }
    this.updateSymbols(ste, scopes, bound, newfree, ste.type === 'class');
    for (const n of newfree) free.add(n);
  }

  /** update_symbols. */
  private updateSymbols(ste: SymtableEntry, scopes: Map<string, number>, bound: Set<string> | null, free: Set<string>, classflag: boolean): void {
    for (const [name, flags] of ste.symbols) {
      ste.symbols.set(name, flags | ((scopes.get(name) ?? 0) << SCOPE_OFFSET));
    }
    for (const name of free) {
      const v = ste.symbols.get(name);
      if (v !== undefined) {
        if (classflag && v & (DEF_BOUND | DEF_GLOBAL)) ste.symbols.set(name, v | DEF_FREE_CLASS);
        continue;
      }
      if (bound && !bound.has(name)) continue;
      ste.symbols.set(name, FREE << SCOPE_OFFSET);
    }
  }
}
