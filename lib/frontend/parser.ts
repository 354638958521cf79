/*
 * Python 3.11's parser: tokens to the AST of ast.ts, as CPython's PEG parser
 * (Parser/parser.c, generated from Grammar/python.gram, with the actions of
 * Parser/action_helpers.c) builds it. Methods carry the grammar's rule names
 * in camelCase. Most rules are predictive here; where the PEG parser would
 * backtrack (a parenthesized `with`, the soft keyword `match`, an operator or
 * trailer with nothing valid after it) they do too, with `mark`/`reset` and
 * `optional`, so a rule stops at the same token as CPython's. Every token
 * is fetched on demand and kept, so each position is tokenized once.
 *
 * Positions: a node spans from the first token of its rule to the last
 * token consumed that is not NEWLINE/INDENT/DEDENT (pegen's EXTRA), so
 * `(a) + b` starts at the parenthesis while its `a` does not.
 *
 * Source nested deeper than CPython's parser stack takes is refused with
 * ParserStackOverflowError (CPython: MemoryError).
 *
 * Errors follow _PyPegen_run_parser: a first pass without error rules; if it
 * fails, a second pass from the start with the `invalid_*` checks on
 * (`errorPass`), which raise CPython's specific messages; failing that,
 * "invalid syntax" at the last token the first pass fetched. Any error from
 * the parser gives way to a tokenizer error later in the file
 * (_PyPegen_tokenize_full_source_to_check_for_errors).
 */

import * as ast from './ast.js';
import { concatenateStrings, type StringParserHost } from './stringParser.js';
import { ParserStackOverflowError, PySyntaxError, type PySyntaxWarning, type SyntaxErrorKind } from './syntaxError.js';
import { Tokenizer, type Token } from './tokenizer.js';

/** Nesting the parser refuses, calibrated on CPython 3.11 (see Parser.enter). */
const MAXSTACK = 5968;

/** Raised inside the parser when a rule cannot match; never leaves this module. */
class ParseFail {}
const FAIL = new ParseFail();

type Loc = Pick<ast.Located, 'lineno' | 'col_offset' | 'end_lineno' | 'end_col_offset'>;

const LOAD: ast.Load = { _type: 'Load' };
const STORE: ast.Store = { _type: 'Store' };
const DEL: ast.Del = { _type: 'Del' };

/** Grammar keywords (Lib/keyword.py kwlist). */
const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue',
  'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in',
  'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);

const AUGASSIGN: Record<string, ast.Operator['_type']> = {
  '+=': 'Add', '-=': 'Sub', '*=': 'Mult', '@=': 'MatMult', '/=': 'Div', '%=': 'Mod', '&=': 'BitAnd',
  '|=': 'BitOr', '^=': 'BitXor', '<<=': 'LShift', '>>=': 'RShift', '**=': 'Pow', '//=': 'FloorDiv',
};

const OPERATORS: Record<string, ast.Operator> = {};
for (const name of ['Add', 'Sub', 'Mult', 'MatMult', 'Div', 'Mod', 'Pow', 'LShift', 'RShift', 'BitOr', 'BitXor', 'BitAnd', 'FloorDiv'] as const) {
  OPERATORS[name] = { _type: name } as ast.Operator;
}

const COMPARE_OPS: Record<string, ast.CmpOp['_type']> = {
  '==': 'Eq', '!=': 'NotEq', '<': 'Lt', '<=': 'LtE', '>': 'Gt', '>=': 'GtE',
};

/** Which kind of target a check is for (pegen's TARGETS_TYPE). */
type TargetsType = 'star' | 'del' | 'for';

/** The modes of compile() / ast.parse(). */
export type ParseMode = 'exec' | 'eval' | 'single';

/**
 * Parses Python 3.11 source into the AST `ast.parse(source, filename, mode)`
 * gives. Throws PySyntaxError (with kind SyntaxError, IndentationError or
 * TabError) with CPython's message and position on bad input. SyntaxWarnings
 * met on the way are appended to `warnings` (see formatSyntaxWarning).
 */
export function parse(source: string, filename?: string, mode?: 'exec', warnings?: PySyntaxWarning[]): ast.Module;
export function parse(source: string, filename: string, mode: 'eval', warnings?: PySyntaxWarning[]): ast.Expression;
export function parse(source: string, filename: string, mode: 'single', warnings?: PySyntaxWarning[]): ast.Interactive;
export function parse(source: string, filename?: string, mode?: ParseMode, warnings?: PySyntaxWarning[]): ast.Module | ast.Expression | ast.Interactive;
export function parse(source: string, filename = '<unknown>', mode: ParseMode = 'exec', warnings: PySyntaxWarning[] = []): ast.Module | ast.Expression | ast.Interactive {
  try {
    return runParser(new Tokenizer(source, filename, mode === 'exec', 1, 0, warnings), filename, mode, warnings);
  } catch (e) {
    // Nesting that exhausts the JavaScript stack before the level count does is refused the same way.
    if (e instanceof RangeError && /call stack/.test(e.message)) throw new ParserStackOverflowError(filename);
    throw e;
  }
}

/** _PyPegen_run_parser: the two passes and the choice of error. */
function runParser(tok: Tokenizer, filename: string, mode: ParseMode | 'fstring', warnings: PySyntaxWarning[]): any {
  const first = new Parser(tok, filename, mode, false, warnings);
  try {
    return first.run();
  } catch (e) {
    if (!(e instanceof ParseFail) && !(e instanceof PySyntaxError && first.fromParser(e))) throw e;
    if (e instanceof PySyntaxError) throw first.checkRestOfSource(e);
  }
  const lastToken = first.lastFetched();
  // reset_parser_state_for_error_pass: the second pass reads the tokens the first one fetched.
  const second = first.errorPassParser();
  try {
    second.run();
  } catch (e) {
    if (e instanceof PySyntaxError) {
      if (!second.fromParser(e)) throw e;
      throw first.checkRestOfSource(e);
    }
    if (!(e instanceof ParseFail)) throw e;
  }
  // _PyPegen_set_syntax_error: an unexpected INDENT/DEDENT is reported as it is; only the
  // generic "invalid syntax" gives way to a tokenizer error further on.
  if (lastToken.type === 'INDENT' || lastToken.type === 'DEDENT') throw first.genericError(lastToken);
  throw first.checkRestOfSource(first.genericError(lastToken));
}

/** The STRING tokens a DeprecationWarning was issued for (both passes of a parse share tokens). */
const warnedTokens = new WeakSet<Token>();

class Parser implements StringParserHost {
  private tokens: Token[] = [];
  private pos = 0;
  private readonly raised = new WeakSet<PySyntaxError>();
  readonly buf: Uint8Array;

  constructor(
    private readonly tok: Tokenizer,
    private readonly filename: string,
    private readonly mode: ParseMode | 'fstring',
    /** The second pass: the invalid_* rules are on. */
    private readonly errorPass: boolean,
    private readonly warnings: PySyntaxWarning[],
  ) {
    this.buf = tok.buf;
  }

  /** A parser for the second pass over the same tokens and tokenizer. */
  errorPassParser(): Parser {
    const p = new Parser(this.tok, this.filename, this.mode, true, this.warnings);
    p.tokens = this.tokens;
    p.parsingStarted = this.parsingStarted;
    return p;
  }

  run(): ast.Module | ast.Expression | ast.Interactive | ast.Expr {
    switch (this.mode) {
      case 'exec':
        return this.fileRule();
      case 'eval':
        return this.evalRule();
      case 'single':
        return this.interactiveRule();
      case 'fstring':
        return this.starExpressions();
    }
  }

  // ---- tokens ----------------------------------------------------------

  private fill(): void {
    let t = this.tok.next();
    if (this.mode === 'single') {
      if (t.type === 'ENDMARKER' && this.parsingStarted) {
        // pegen.c _PyPegen_fill_token: an interactive statement ends with an implied NEWLINE and DEDENTs.
        this.parsingStarted = false;
        t = { ...t, type: 'NEWLINE' };
        this.tok.implyDedents();
      } else {
        this.parsingStarted = true;
      }
    }
    this.tokens.push(t);
  }
  private parsingStarted = false;

  private peek(): Token {
    if (this.pos === this.tokens.length) this.fill();
    return this.tokens[this.pos];
  }

  private peekAt(k: number): Token {
    while (this.pos + k >= this.tokens.length) this.fill();
    return this.tokens[this.pos + k];
  }

  private advance(): Token {
    const t = this.peek();
    this.pos++;
    return t;
  }

  private mark(): number {
    return this.pos;
  }

  private reset(m: number): void {
    this.pos = m;
  }

  /** The current token is the operator `s`. */
  private at(s: string): boolean {
    const t = this.peek();
    return t.string === s && t.type !== 'NAME' && t.type !== 'STRING' && t.type !== 'NUMBER';
  }

  private atKw(s: string): boolean {
    const t = this.peek();
    return t.type === 'NAME' && t.string === s;
  }

  private eat(s: string): Token | null {
    return this.at(s) ? this.advance() : null;
  }

  private eatKw(s: string): Token | null {
    return this.atKw(s) ? this.advance() : null;
  }

  private expect(s: string): Token {
    if (this.at(s)) return this.advance();
    throw FAIL;
  }

  private expectKw(s: string): Token {
    if (this.atKw(s)) return this.advance();
    throw FAIL;
  }

  private atType(type: Token['type']): boolean {
    return this.peek().type === type;
  }

  /** pegen _PyPegen_expect_forced_token (`&&'x'`): "expected 'x'" at once, in either pass. */
  private expectForced(s: string): Token {
    if (this.at(s)) return this.advance();
    this.raiseErrorAt(this.peek(), `expected '${s}'`);
  }

  private expectType(type: Token['type']): Token {
    if (this.peek().type === type) return this.advance();
    throw FAIL;
  }

  /** A NAME that is not a keyword. */
  private atName(): boolean {
    const t = this.peek();
    return t.type === 'NAME' && !KEYWORDS.has(t.string);
  }

  private nameToken(): Token {
    if (this.atName()) return this.advance();
    throw FAIL;
  }

  /** _PyPegen_new_identifier: non-ASCII names are NFKC-normalized. */
  private identifier(t: Token): string {
    const s = t.string;
    // eslint-disable-next-line no-control-regex
    return /^[\x00-\x7f]*$/.test(s) ? s : s.normalize('NFKC');
  }

  /** EXTRA: from `start` to the last consumed token that is not NEWLINE, INDENT or DEDENT. */
  private loc(start: Token): Loc {
    let m = this.pos - 1;
    let t = this.tokens[m];
    while (m > 0 && (t.type === 'NEWLINE' || t.type === 'INDENT' || t.type === 'DEDENT' || t.type === 'ENDMARKER')) t = this.tokens[--m];
    return { lineno: start.lineno, col_offset: start.col, end_lineno: t.endLineno, end_col_offset: t.endCol };
  }

  lastFetched(): Token {
    return this.tokens[this.tokens.length - 1];
  }

  // ---- errors ----------------------------------------------------------

  fromParser(e: PySyntaxError): boolean {
    return this.raised.has(e);
  }

  private lineText(lineno: number): string | null {
    return this.tok.lineText(lineno);
  }

  /** _PyPegen_raise_error_known_location with 0-based byte columns (end -1 for none). */
  private errorAt(kind: SyntaxErrorKind, msg: string, lineno: number, col: number, endLineno: number, endCol: number): PySyntaxError {
    return this.errorAtOffsets(kind, msg, lineno, col + 1, endLineno, endCol < 0 ? endCol : endCol + 1);
  }

  /** _PyPegen_raise_error_known_location with 1-based offsets as given. */
  private errorAtOffsets(kind: SyntaxErrorKind, msgIn: string, lineno: number, offsetIn: number, endLineno: number, endOffsetIn: number): PySyntaxError {
    let msg = msgIn;
    let offset = offsetIn;
    let endOffset = endOffsetIn;
    if (this.mode === 'fstring') {
      // An f-string expression's errors say so, in the columns of its own text.
      msg = `f-string: ${msg}`;
      offset -= this.tok.startColShift;
      endOffset -= this.tok.startColShift;
    }
    const e = new PySyntaxError(msg, kind, this.filename, lineno, offset, endLineno, endOffset, this.lineText(lineno));
    this.raised.add(e);
    return e;
  }

  /** RAISE_SYNTAX_ERROR: at the last token fetched (pegen _PyPegen_raise_error without a mark). */
  raiseError(msg: string, kind: SyntaxErrorKind = 'SyntaxError'): never {
    const t = this.lastFetched();
    const col = t.col === -1 ? t.curCol - 1 : t.col;
    throw this.errorAt(kind, msg, t.lineno, col, t.endLineno, t.endCol);
  }

  /** RAISE_SYNTAX_ERROR_KNOWN_LOCATION at a token. */
  raiseErrorAt(t: Token, msg: string): never {
    throw this.errorAt('SyntaxError', msg, t.lineno, t.col, t.endLineno, t.endCol);
  }

  /** RAISE_SYNTAX_ERROR_KNOWN_LOCATION / _RANGE at nodes. */
  private raiseAtNode(a: Loc, msg: string, b: Loc = a): never {
    throw this.errorAt('SyntaxError', msg, a.lineno, a.col_offset, b.end_lineno, b.end_col_offset);
  }

  /** _PyPegen_set_syntax_error's generic cases, at the last token of the first pass. */
  genericError(t: Token): PySyntaxError {
    if (t.type === 'INDENT' || t.type === 'DEDENT') {
      const e = new PySyntaxError(t.type === 'INDENT' ? 'unexpected indent' : 'unexpected unindent', 'IndentationError', this.filename, t.lineno, t.curCol, t.lineno, -1, this.lineText(t.lineno));
      this.raised.add(e);
      return e;
    }
    // RAISE_SYNTAX_ERROR_KNOWN_LOCATION: a token without columns (ENDMARKER) gives 0 and 0.
    return this.errorAtOffsets('SyntaxError', 'invalid syntax', t.lineno, t.col + 1, t.endLineno, t.endCol + 1);
  }

  /** _PyPegen_tokenize_full_source_to_check_for_errors: a tokenizer error further on wins. */
  checkRestOfSource(err: PySyntaxError): PySyntaxError {
    if (this.mode === 'fstring') return err;
    const errLine = this.lastFetched().lineno;
    try {
      for (;;) if (this.tok.next().type === 'ENDMARKER') break;
    } catch (e) {
      if (!(e instanceof PySyntaxError)) throw e;
      if (this.tok.errorWasRaised) return e;
      if (this.tok.level > 0 && this.tok.atEofInBrackets && errLine > this.tok.parenstack[this.tok.level - 1].lineno) return e;
    }
    return err;
  }

  // ---- start rules -----------------------------------------------------

  /** file: [statements] ENDMARKER */
  private fileRule(): ast.Module {
    const body = this.statements();
    this.expectType('ENDMARKER');
    return { _type: 'Module', body, type_ignores: [] };
  }

  /** eval: expressions NEWLINE* ENDMARKER */
  private evalRule(): ast.Expression {
    const body = this.expressions();
    while (this.atType('NEWLINE')) this.advance();
    this.expectType('ENDMARKER');
    return { _type: 'Expression', body };
  }

  /** interactive: statement_newline */
  private interactiveRule(): ast.Interactive {
    const t = this.peek();
    if (t.type === 'NEWLINE') {
      this.advance();
      return { _type: 'Interactive', body: [{ _type: 'Pass', ...this.loc(t) }] };
    }
    // ENDMARKER: _PyPegen_interactive_exit, no statement.
    if (t.type === 'ENDMARKER') throw FAIL;
    if (this.atCompoundStmt()) {
      const s = this.compoundStmt();
      this.expectType('NEWLINE');
      return { _type: 'Interactive', body: [s] };
    }
    return { _type: 'Interactive', body: this.simpleStmts() };
  }

  // ---- statements --------------------------------------------------------

  /** statements: statement+ */
  private statements(): ast.Stmt[] {
    const body: ast.Stmt[] = [];
    while (!this.atType('ENDMARKER') && !this.atType('DEDENT')) {
      if (this.atType('INDENT')) throw FAIL;
      for (const s of this.statement()) body.push(s);
    }
    return body;
  }

  /** statement: compound_stmt | simple_stmts */
  private statement(): ast.Stmt[] {
    if (this.atCompoundStmt()) return [this.compoundStmt()];
    if (this.atKw('match')) {
      const m = this.matchStmt();
      if (m !== null) return [m];
    }
    return this.simpleStmts();
  }

  private atCompoundStmt(): boolean {
    const t = this.peek();
    if (t.type === 'NAME') {
      switch (t.string) {
        case 'def':
        case 'if':
        case 'class':
        case 'with':
        case 'for':
        case 'try':
        case 'while':
          return true;
        case 'async': {
          const n = this.peekAt(1);
          return n.type === 'NAME' && (n.string === 'def' || n.string === 'with' || n.string === 'for');
        }
      }
      return false;
    }
    return t.string === '@' && t.type === 'AT';
  }

  /** compound_stmt */
  private compoundStmt(): ast.Stmt {
    const t = this.peek();
    switch (t.string) {
      case '@':
        return this.decorated();
      case 'def':
        return this.functionDefRaw([], null);
      case 'class':
        return this.classDefRaw([]);
      case 'if':
        return this.ifStmt();
      case 'with':
        return this.withStmt(null);
      case 'for':
        return this.forStmt(null);
      case 'try':
        return this.tryStmt();
      case 'while':
        return this.whileStmt();
      default: {
        const asyncTok = this.advance();
        const n = this.peek().string;
        if (n === 'def') return this.functionDefRaw([], asyncTok);
        if (n === 'with') return this.withStmt(asyncTok);
        return this.forStmt(asyncTok);
      }
    }
  }

  /** simple_stmts: simple_stmt !';' NEWLINE | ';'.simple_stmt+ [';'] NEWLINE */
  private simpleStmts(): ast.Stmt[] {
    const out = [this.simpleStmt()];
    while (this.eat(';')) {
      if (this.atType('NEWLINE')) break;
      out.push(this.simpleStmt());
    }
    this.expectType('NEWLINE');
    return out;
  }

  /** simple_stmt */
  private simpleStmt(): ast.Stmt {
    const t = this.peek();
    if (t.type === 'NAME') {
      switch (t.string) {
        case 'return':
          return this.returnStmt();
        case 'import':
          return this.importName();
        case 'from':
          return this.importFrom();
        case 'raise':
          return this.raiseStmt();
        case 'pass':
          this.advance();
          return { _type: 'Pass', ...this.loc(t) };
        case 'del':
          return this.delStmt();
        case 'assert':
          return this.assertStmt();
        case 'break':
          this.advance();
          return { _type: 'Break', ...this.loc(t) };
        case 'continue':
          this.advance();
          return { _type: 'Continue', ...this.loc(t) };
        case 'global':
        case 'nonlocal': {
          this.advance();
          const names = [this.identifier(this.nameToken())];
          while (this.eat(',')) names.push(this.identifier(this.nameToken()));
          return { _type: t.string === 'global' ? 'Global' : 'Nonlocal', names, ...this.loc(t) };
        }
      }
    }
    return this.assignment();
  }

  /**
   * assignment | star_expressions: an expression, then what follows it
   * decides: ':' an annotation, '=' a chain of targets, an augmented
   * operator, or nothing (an expression statement).
   */
  private assignment(): ast.Stmt {
    const start = this.peek();
    const m = this.mark();
    if (!this.errorPass) return this.assignmentRaw(start);
    try {
      const s = this.assignmentRaw(start);
      // An expression statement is where `assignment` failed: invalid_assignment is tried before it.
      if (s._type !== 'Expr') return s;
    } catch (e) {
      if (!(e instanceof ParseFail)) throw e;
    }
    this.reset(m);
    this.invalidAssignment(start);
    this.reset(m);
    const value = this.starExpressions();
    return { _type: 'Expr', value, ...this.loc(start) };
  }

  /** The valid alternatives of assignment, then star_expressions; FAIL on an invalid target. */
  private assignmentRaw(start: Token): ast.Stmt {
    const first = this.atKw('yield') ? this.yieldExpr() : this.starExpressions();
    const next = this.peek();
    if (next.type === 'COLON') {
      let simple = 0;
      let target: ast.Expr;
      if (first._type === 'Name') {
        simple = start.type === 'LPAR' ? 0 : 1;
        target = this.setContext(first, STORE);
      } else if (first._type === 'Attribute' || first._type === 'Subscript') {
        target = this.setContext(first, STORE);
      } else {
        throw FAIL;
      }
      this.advance();
      const annotation = this.expression();
      const value = this.at('=') ? this.optional(() => (this.advance(), this.annotatedRhs())) : null;
      return { _type: 'AnnAssign', target, annotation, value, simple, ...this.loc(start) };
    }
    if (next.type === 'EQUAL') {
      const targets: ast.Expr[] = [first];
      let value: ast.Expr = first;
      while (this.eat('=')) {
        value = this.atKw('yield') ? this.yieldExpr() : this.starExpressions();
        targets.push(value);
      }
      targets.pop();
      for (const t of targets) if (invalidTarget(t, 'star') !== null) throw FAIL;
      const stored = targets.map((e) => this.setContext(e, STORE));
      return { _type: 'Assign', targets: stored, value, type_comment: null, ...this.loc(start) };
    }
    const aug = AUGASSIGN[next.string];
    if (aug !== undefined && next.type !== 'NAME' && next.type !== 'STRING') {
      if (first._type !== 'Name' && first._type !== 'Attribute' && first._type !== 'Subscript') throw FAIL;
      this.advance();
      const value = this.atKw('yield') ? this.yieldExpr() : this.starExpressions();
      return { _type: 'AugAssign', target: this.setContext(first, STORE), op: OPERATORS[aug], value, ...this.loc(start) };
    }
    return { _type: 'Expr', value: first, ...this.loc(start) };
  }

  /** invalid_assignment, its alternatives in the grammar's order; returns when none matches. */
  private invalidAssignment(start: Token): void {
    const m = this.mark();
    const attempt = (f: () => void) => {
      try {
        f();
      } catch (e) {
        if (!(e instanceof ParseFail)) throw e;
      }
      this.reset(m);
    };
    // a=invalid_ann_assign_target ':' expression
    if (start.type === 'LPAR' || start.type === 'LSQB') {
      attempt(() => {
        const a = this.atom();
        if ((a._type === 'Tuple' || a._type === 'List') && this.eat(':')) {
          this.expression();
          this.raiseAtNode(a, `only single target (not ${a._type === 'Tuple' ? 'tuple' : 'list'}) can be annotated`);
        }
      });
    }
    // a=star_named_expression ',' star_named_expressions* ':' expression
    attempt(() => {
      const a = this.starNamedExpression();
      if (!this.eat(',')) return;
      while (this.atExpressionStart()) {
        this.starNamedExpression();
        if (!this.eat(',')) break;
      }
      if (this.eat(':')) {
        this.expression();
        this.raiseAtNode(a, 'only single target (not tuple) can be annotated');
      }
    });
    // a=expression ':' expression
    attempt(() => {
      const a = this.expression();
      if (this.eat(':')) {
        this.expression();
        this.raiseAtNode(a, 'illegal target for annotation');
      }
    });
    // (star_targets '=')* a=star_expressions '='  |  (star_targets '=')* a=yield_expr '='
    attempt(() => {
      for (;;) {
        if (this.atKw('yield')) {
          const y = this.yieldExpr();
          if (this.at('=')) this.raiseAtNode(y, 'assignment to yield expression not possible');
          return;
        }
        const e = this.starExpressions();
        if (!this.at('=')) return;
        const bad = invalidTarget(e, 'star');
        if (bad !== null) this.raiseAtNode(bad, `cannot assign to ${exprName(bad)}`);
        this.advance();
      }
    });
    // a=star_expressions augassign (yield_expr | star_expressions)
    attempt(() => {
      const a = this.starExpressions();
      const t = this.peek();
      if (AUGASSIGN[t.string] !== undefined && t.type !== 'NAME' && t.type !== 'STRING') {
        this.advance();
        this.annotatedRhs();
        this.raiseAtNode(a, `'${exprName(a)}' is an illegal expression for augmented assignment`);
      }
    });
  }

  /** annotated_rhs: yield_expr | star_expressions */
  private annotatedRhs(): ast.Expr {
    return this.atKw('yield') ? this.yieldExpr() : this.starExpressions();
  }

  /** _PyPegen_set_expr_context: a copy of the target with ctx set. */
  private setContext(e: ast.Expr, ctx: ast.ExprContext): ast.Expr {
    switch (e._type) {
      case 'Name':
      case 'Attribute':
      case 'Subscript':
        return { ...e, ctx };
      case 'Starred':
        return { ...e, value: this.setContext(e.value, ctx), ctx };
      case 'Tuple':
      case 'List':
        return { ...e, elts: e.elts.map((x) => this.setContext(x, ctx)), ctx } as ast.Expr;
      default:
        return e;
    }
  }

  /** return_stmt: 'return' [star_expressions] */
  private returnStmt(): ast.Return {
    const start = this.advance();
    const value = this.atStatementEnd() ? null : this.starExpressions();
    return { _type: 'Return', value, ...this.loc(start) };
  }

  private atStatementEnd(): boolean {
    const t = this.peek();
    return t.type === 'NEWLINE' || t.type === 'SEMI' || t.type === 'ENDMARKER';
  }

  /** raise_stmt: 'raise' expression ['from' expression] | 'raise' */
  private raiseStmt(): ast.Raise {
    const start = this.advance();
    if (this.atStatementEnd()) return { _type: 'Raise', exc: null, cause: null, ...this.loc(start) };
    const exc = this.expression();
    const cause = this.eatKw('from') ? this.expression() : null;
    return { _type: 'Raise', exc, cause, ...this.loc(start) };
  }

  /** del_stmt: 'del' del_targets &(';' | NEWLINE) | invalid_del_stmt */
  private delStmt(): ast.Delete {
    const start = this.advance();
    const afterDel = this.mark();
    try {
      const targets: ast.Expr[] = [];
      do {
        if (targets.length > 0 && this.atStatementEnd()) break;
        targets.push(this.delTarget());
      } while (this.eat(','));
      if (!this.atStatementEnd()) throw FAIL;
      return { _type: 'Delete', targets, ...this.loc(start) };
    } catch (e) {
      if (!(e instanceof ParseFail) || !this.errorPass) throw e;
    }
    this.reset(afterDel);
    const e = this.withoutErrorPass(() => this.starExpressions());
    const bad = invalidTarget(e, 'del');
    if (bad !== null) this.raiseAtNode(bad, `cannot delete ${exprName(bad)}`);
    throw FAIL;
  }

  /** del_target, checked: a Name, Attribute, Subscript or a tuple/list of them. */
  private delTarget(): ast.Expr {
    const e = this.targetExpr();
    if (invalidTarget(e, 'del') !== null) throw FAIL;
    return this.setContext(e, DEL);
  }

  /** assert_stmt: 'assert' expression [',' expression] */
  private assertStmt(): ast.Assert {
    const start = this.advance();
    const test = this.expression();
    const msg = this.eat(',') ? this.expression() : null;
    return { _type: 'Assert', test, msg, ...this.loc(start) };
  }

  /** import_name: 'import' dotted_as_names */
  private importName(): ast.Import {
    const start = this.advance();
    const names: ast.Alias[] = [];
    do {
      const a = this.peek();
      const name = this.dottedName();
      const asname = this.eatKw('as') ? this.identifier(this.nameToken()) : null;
      names.push({ _type: 'alias', name, asname, ...this.loc(a) });
    } while (this.eat(','));
    return { _type: 'Import', names, ...this.loc(start) };
  }

  /** dotted_name: dotted_name '.' NAME | NAME */
  private dottedName(): string {
    let name = this.identifier(this.nameToken());
    while (this.at('.')) {
      this.advance();
      name += '.' + this.identifier(this.nameToken());
    }
    return name;
  }

  /** import_from */
  private importFrom(): ast.ImportFrom {
    const start = this.advance();
    let level = 0;
    for (;;) {
      if (this.eat('.')) level += 1;
      else if (this.eat('...')) level += 3;
      else break;
    }
    const module = level > 0 && this.atKw('import') ? null : this.dottedName();
    this.expectKw('import');
    const names: ast.Alias[] = [];
    if (this.at('*')) {
      const s = this.advance();
      names.push({ _type: 'alias', name: '*', asname: null, ...this.loc(s) });
    } else {
      const paren = this.eat('(');
      do {
        if (paren && this.at(')')) break;
        if (!paren && names.length > 0 && this.atType('NEWLINE')) {
          // invalid_import_from_targets
          if (this.errorPass) {
            this.advance();
            this.raiseError('trailing comma not allowed without surrounding parentheses');
          }
          throw FAIL;
        }
        const a = this.peek();
        const name = this.identifier(this.nameToken());
        const asname = this.eatKw('as') ? this.identifier(this.nameToken()) : null;
        names.push({ _type: 'alias', name, asname, ...this.loc(a) });
      } while (this.eat(','));
      if (paren) this.expect(')');
    }
    return { _type: 'ImportFrom', module, names, level, ...this.loc(start) };
  }

  /** block: NEWLINE INDENT statements DEDENT | simple_stmts, with invalid_block's IndentationError. */
  private block(what: string, header: Token): ast.Stmt[] {
    if (this.atType('NEWLINE')) {
      this.advance();
      if (!this.atType('INDENT')) {
        if (this.errorPass) {
          this.peek();
          this.raiseError(what === '' ? 'expected an indented block' : `expected an indented block after ${what} on line ${header.lineno}`, 'IndentationError');
        }
        throw FAIL;
      }
      this.advance();
      const body = this.statements();
      this.expectType('DEDENT');
      return body;
    }
    return this.simpleStmts();
  }

  /** The ':' of a compound statement header; invalid_*_stmt's "expected ':'" when the line ends there. */
  private expectColon(): void {
    if (this.eat(':')) return;
    if (this.errorPass && this.atType('NEWLINE')) {
      this.advance();
      this.raiseError("expected ':'");
    }
    throw FAIL;
  }

  /** decorators: ('@' f=named_expression NEWLINE)+ then a class or function definition. */
  private decorated(): ast.Stmt {
    const decorators: ast.Expr[] = [];
    while (this.eat('@')) {
      decorators.push(this.namedExpression());
      this.expectType('NEWLINE');
    }
    if (this.atKw('class')) return this.classDefRaw(decorators);
    if (this.atKw('def')) return this.functionDefRaw(decorators, null);
    if (this.atKw('async') && this.peekAt(1).string === 'def') return this.functionDefRaw(decorators, this.advance());
    throw FAIL;
  }

  /** class_def_raw: 'class' NAME ['(' [arguments] ')'] ':' block */
  private classDefRaw(decorators: ast.Expr[]): ast.ClassDef {
    const start = this.advance();
    const name = this.identifier(this.nameToken());
    let bases: ast.Expr[] = [];
    let keywords: ast.Keyword[] = [];
    if (this.eat('(')) {
      if (!this.at(')')) ({ args: bases, keywords } = this.arguments(null));
      this.expect(')');
    }
    this.expectColon();
    const body = this.block('class definition', start);
    return { _type: 'ClassDef', name, bases, keywords, body, decorator_list: decorators, ...this.loc(start) };
  }

  /** function_def_raw: ['async'] 'def' NAME '(' [params] ')' ['->' expression] ':' block */
  private functionDefRaw(decorators: ast.Expr[], asyncTok: Token | null): ast.FunctionDef | ast.AsyncFunctionDef {
    const defTok = this.advance();
    const start = asyncTok ?? defTok;
    const name = this.identifier(this.nameToken());
    this.expectForced('(');
    const args = this.params(')', true);
    this.expect(')');
    const returns = this.eat('->') ? this.expression() : null;
    this.expectForced(':');
    const body = this.block('function definition', defTok);
    return {
      _type: asyncTok ? 'AsyncFunctionDef' : 'FunctionDef',
      name,
      args,
      body,
      decorator_list: decorators,
      returns,
      type_comment: null,
      ...this.loc(start),
    } as ast.FunctionDef | ast.AsyncFunctionDef;
  }

  /**
   * params / lambda_params: the parameter list up to `close`, with
   * annotations when `annotations` (def) and not (lambda). Mirrors
   * parameters / star_etc and their invalid_parameters checks.
   */
  private params(close: string, annotations: boolean): ast.Arguments {
    const posonlyargs: ast.Arg[] = [];
    let args: ast.Arg[] = [];
    const defaults: ast.Expr[] = [];
    let vararg: ast.Arg | null = null;
    const kwonlyargs: ast.Arg[] = [];
    const kwDefaults: (ast.Expr | null)[] = [];
    let kwarg: ast.Arg | null = null;
    let state: 'pos' | 'kwonly' | 'done' = 'pos';
    let sawSlash = false;
    let sawDefault = false;
    const errorPass = this.errorPass;
    const param = (starAnnotation: boolean): ast.Arg => {
      const t = this.nameToken();
      const annotation = annotations && this.eat(':') ? (starAnnotation && this.at('*') ? this.starExpression() : this.expression()) : null;
      return { _type: 'arg', arg: this.identifier(t), annotation, type_comment: null, ...this.loc(t) };
    };
    /** invalid_default: '=' &(')'|',') */
    const defaultValue = (): ast.Expr | null => {
      const eq = this.eat('=');
      if (eq === null) return null;
      if (errorPass && (this.at(close) || this.at(','))) this.raiseErrorAt(eq, 'expected default value expression');
      return this.expression();
    };
    while (!this.at(close)) {
      if (state === 'done') throw FAIL;
      if (this.at('/')) {
        const slash = this.advance();
        if (sawSlash || state !== 'pos' || args.length === 0) {
          if (errorPass) {
            if (state !== 'pos') this.raiseErrorAt(slash, '/ must be ahead of *');
            if (sawSlash) this.raiseErrorAt(slash, '/ may appear only once');
            if (this.at(',')) this.raiseErrorAt(slash, 'at least one argument must precede /');
          }
          throw FAIL;
        }
        sawSlash = true;
        posonlyargs.push(...args);
        args = [];
      } else if (this.at('*')) {
        const star = this.advance();
        if (state !== 'pos') {
          if (errorPass && (this.atName() || this.at(','))) this.raiseErrorAt(star, '* argument may appear only once');
          throw FAIL;
        }
        state = 'kwonly';
        if (this.at(close) || (this.at(',') && (this.peekAt(1).string === close || this.peekAt(1).string === '**') && this.peekAt(1).type !== 'NAME')) {
          // invalid_star_etc / invalid_lambda_star_etc
          if (errorPass) {
            if (annotations) this.raiseErrorAt(star, 'named arguments must follow bare *');
            if (this.eat(',')) this.advance();
            else this.advance();
            this.raiseError('named arguments must follow bare *');
          }
          throw FAIL;
        }
        if (!this.at(',')) {
          vararg = param(true);
          if (errorPass && this.at('=')) this.raiseErrorAt(this.peek(), 'var-positional argument cannot have default value');
        }
      } else if (this.at('**')) {
        this.advance();
        kwarg = param(false);
        state = 'done';
        if (errorPass && this.at('=')) this.raiseErrorAt(this.peek(), 'var-keyword argument cannot have default value');
        if (this.eat(',') && !this.at(close)) {
          if (errorPass && (this.atName() || this.at('*') || this.at('**') || this.at('/'))) {
            this.raiseErrorAt(this.peek(), 'arguments cannot follow var-keyword argument');
          }
          throw FAIL;
        }
        continue;
      } else if (this.at('(') && errorPass && state === 'pos' && !sawDefault) {
        // invalid_parameters / invalid_lambda_parameters: '(' params ')'
        const open = this.advance();
        do this.nameToken();
        while (this.eat(',') && !this.at(')'));
        const closeParen = this.expect(')');
        this.raiseAtNode(
          { lineno: open.lineno, col_offset: open.col, end_lineno: open.endLineno, end_col_offset: open.endCol },
          annotations ? 'Function parameters cannot be parenthesized' : 'Lambda expression parameters cannot be parenthesized',
          { lineno: closeParen.lineno, col_offset: closeParen.col, end_lineno: closeParen.endLineno, end_col_offset: closeParen.endCol },
        );
      } else {
        const p = param(false);
        const dflt = defaultValue();
        if (state === 'pos') {
          args.push(p);
          if (dflt !== null) {
            defaults.push(dflt);
            sawDefault = true;
          } else if (sawDefault) {
            if (errorPass) this.raiseAtNode(p, 'non-default argument follows default argument');
            throw FAIL;
          }
        } else {
          kwonlyargs.push(p);
          kwDefaults.push(dflt);
        }
      }
      if (!this.eat(',')) break;
    }
    return { _type: 'arguments', posonlyargs, args, vararg, kwonlyargs, kw_defaults: kwDefaults, kwarg, defaults };
  }

  /** if_stmt / elif_stmt */
  private ifStmt(): ast.If {
    const start = this.advance();
    const what = start.string === 'if' ? "'if' statement" : "'elif' statement";
    const test = this.namedExpression();
    this.expectColon();
    const body = this.block(what, start);
    let orelse: ast.Stmt[] = [];
    if (this.atKw('elif')) {
      orelse = [this.ifStmt()];
    } else if (this.atKw('else')) {
      orelse = this.elseBlock();
    }
    return { _type: 'If', test, body, orelse, ...this.loc(start) };
  }

  /** else_block: 'else' ':' block */
  private elseBlock(): ast.Stmt[] {
    const t = this.advance();
    this.expectForced(':');
    return this.block("'else' statement", t);
  }

  /** while_stmt */
  private whileStmt(): ast.While {
    const start = this.advance();
    const test = this.namedExpression();
    this.expectColon();
    const body = this.block("'while' statement", start);
    const orelse = this.atKw('else') ? this.elseBlock() : [];
    return { _type: 'While', test, body, orelse, ...this.loc(start) };
  }

  /** for_stmt: ['async'] 'for' star_targets 'in' star_expressions ':' block [else_block] */
  private forStmt(asyncTok: Token | null): ast.For | ast.AsyncFor {
    const forTok = this.advance();
    const start = asyncTok ?? forTok;
    const target = this.starTargets();
    if (!this.atKw('in')) {
      if (this.errorPass) {
        this.reset(this.tokens.indexOf(forTok) + 1);
        const e = this.starExpressions();
        const bad = invalidTarget(e, 'for');
        if (bad !== null) this.raiseAtNode(bad, `cannot assign to ${exprName(bad)}`);
      }
      throw FAIL;
    }
    this.advance();
    const iter = this.starExpressions();
    this.expectColon();
    const body = this.block("'for' statement", forTok);
    const orelse = this.atKw('else') ? this.elseBlock() : [];
    return { _type: asyncTok ? 'AsyncFor' : 'For', target, iter, body, orelse, type_comment: null, ...this.loc(start) } as ast.For;
  }

  /** star_targets: a target or a tuple of them, made of '*'? bitwise_or pieces and then checked. */
  private starTargets(): ast.Expr {
    const start = this.peek();
    const first = this.starTargetExpr();
    if (!this.at(',')) return this.toTargetFor(first);
    const elts = [first];
    while (this.eat(',')) {
      if (this.atKw('in') || this.at('=') || this.at(')') || this.at(':')) break;
      elts.push(this.starTargetExpr());
    }
    return this.toTargetFor({ _type: 'Tuple', elts, ctx: LOAD, ...this.loc(start) });
  }

  private starTargetExpr(): ast.Expr {
    const t = this.peek();
    if (this.eat('*')) {
      const value = this.targetExpr();
      return { _type: 'Starred', value, ctx: LOAD, ...this.loc(t) };
    }
    return this.targetExpr();
  }

  /**
   * A target is parsed as bitwise_or and checked after; it begins with an
   * atom (t_primary), so a unary operator, 'not', 'lambda' or 'await' fails
   * at once, as star_target does, without reading on.
   */
  private targetExpr(): ast.Expr {
    const t = this.peek();
    if (t.type === 'PLUS' || t.type === 'MINUS' || t.type === 'TILDE') throw FAIL;
    if (t.type === 'NAME' && (t.string === 'not' || t.string === 'lambda' || t.string === 'await')) throw FAIL;
    return this.bitwiseOr();
  }

  private toTargetFor(e: ast.Expr): ast.Expr {
    const bad = invalidTarget(e, 'for');
    if (bad !== null) {
      if (this.errorPass) this.raiseAtNode(bad, `cannot assign to ${exprName(bad)}`);
      throw FAIL;
    }
    return this.setContext(e, STORE);
  }

  /** with_stmt: the parenthesized form first, then the plain one (PEG order). */
  private withStmt(asyncTok: Token | null): ast.With | ast.AsyncWith {
    const withTok = this.advance();
    const start = asyncTok ?? withTok;
    let items: ast.WithItem[] | null = null;
    if (this.at('(')) {
      const m = this.mark();
      try {
        this.advance();
        const list = [this.withItem()];
        while (this.eat(',')) {
          if (this.at(')')) break;
          list.push(this.withItem());
        }
        this.expect(')');
        if (!this.at(':')) throw FAIL;
        items = list;
      } catch (e) {
        if (!(e instanceof ParseFail)) throw e;
        this.reset(m);
      }
    }
    if (items === null) {
      items = [this.withItem()];
      while (this.eat(',')) items.push(this.withItem());
    }
    this.expectColon();
    const body = this.block("'with' statement", withTok);
    return { _type: asyncTok ? 'AsyncWith' : 'With', items, body, type_comment: null, ...this.loc(start) } as ast.With;
  }

  /** with_item: expression 'as' star_target &(',' | ')' | ':') | expression */
  private withItem(): ast.WithItem {
    const contextExpr = this.expression();
    let optionalVars: ast.Expr | null = null;
    if (this.eatKw('as')) {
      optionalVars = this.toTargetFor(this.starTargetExpr());
      // invalid_with_stmt: a header that ends the line is "expected ':'" (raised by the caller).
      if (!this.at(',') && !this.at(')') && !this.at(':') && !(this.errorPass && this.atType('NEWLINE'))) throw FAIL;
    }
    return { _type: 'withitem', context_expr: contextExpr, optional_vars: optionalVars };
  }

  /** try_stmt: try/except, try/except*, try/finally */
  private tryStmt(): ast.Try | ast.TryStar {
    const start = this.advance();
    this.expectForced(':');
    const body = this.block("'try' statement", start);
    const handlers: ast.ExceptHandler[] = [];
    let star: boolean | null = null;
    while (this.atKw('except')) {
      const t = this.advance();
      const starTok = this.eat('*');
      const isStar = starTok !== null;
      if (star !== null && star !== isStar) {
        if (this.errorPass) {
          if (starTok !== null) this.raiseAtNode(tokLoc(t), "cannot have both 'except' and 'except*' on the same 'try'", tokLoc(starTok));
          this.raiseErrorAt(t, "cannot have both 'except' and 'except*' on the same 'try'");
        }
        throw FAIL;
      }
      if (isStar && this.errorPass && (this.at(':') || this.atType('NEWLINE'))) {
        this.advance();
        this.raiseError('expected one or more exception types');
      }
      star = isStar;
      let type: ast.Expr | null = null;
      let name: string | null = null;
      if (!this.at(':') || isStar) {
        const et = this.peek();
        type = this.expression();
        if (this.at(',')) {
          if (this.errorPass) {
            while (this.eat(',')) this.expression();
            const endLoc = this.loc(et);
            this.raiseAtNode(type, 'multiple exception types must be parenthesized', endLoc);
          }
          throw FAIL;
        }
        if (this.eatKw('as')) name = this.identifier(this.nameToken());
      }
      this.expectColon();
      const hbody = this.block(isStar ? "'except*' statement" : "'except' statement", t);
      handlers.push({ _type: 'ExceptHandler', type, name, body: hbody, ...this.loc(t) });
    }
    const orelse = handlers.length > 0 && this.atKw('else') ? this.elseBlock() : [];
    let finalbody: ast.Stmt[] = [];
    if (this.atKw('finally')) {
      const f = this.advance();
      this.expectForced(':');
      finalbody = this.block("'finally' statement", f);
    }
    if (handlers.length === 0 && finalbody.length === 0) {
      if (this.errorPass) {
        this.peek();
        this.raiseError("expected 'except' or 'finally' block");
      }
      throw FAIL;
    }
    return { _type: star ? 'TryStar' : 'Try', body, handlers, orelse, finalbody, ...this.loc(start) } as ast.Try;
  }

  // ---- match -------------------------------------------------------------

  /** match_stmt: "match" subject_expr ':' NEWLINE INDENT case_block+ DEDENT; null when it is no match statement. */
  private matchStmt(): ast.Match | null {
    const m = this.mark();
    const start = this.advance();
    let subject: ast.Expr;
    try {
      subject = this.subjectExpr();
      if (!this.at(':')) {
        if (this.errorPass && this.atType('NEWLINE')) {
          this.advance();
          this.raiseError("expected ':'");
        }
        throw FAIL;
      }
    } catch (e) {
      if (!(e instanceof ParseFail)) throw e;
      this.reset(m);
      return null;
    }
    this.advance();
    this.expectType('NEWLINE');
    if (!this.atType('INDENT')) {
      if (this.errorPass) {
        this.peek();
        this.raiseError(`expected an indented block after 'match' statement on line ${start.lineno}`, 'IndentationError');
      }
      throw FAIL;
    }
    this.advance();
    const cases: ast.MatchCase[] = [];
    do cases.push(this.caseBlock());
    while (!this.atType('DEDENT'));
    this.advance();
    return { _type: 'Match', subject, cases, ...this.loc(start) };
  }

  /** subject_expr: star_named_expression ',' star_named_expressions? | named_expression */
  private subjectExpr(): ast.Expr {
    const start = this.peek();
    const first = this.starNamedExpression();
    if (!this.at(',')) return first;
    const elts = [first];
    while (this.eat(',')) {
      if (this.at(':')) break;
      elts.push(this.starNamedExpression());
    }
    return { _type: 'Tuple', elts, ctx: LOAD, ...this.loc(start) };
  }

  /** case_block: "case" patterns guard? ':' block */
  private caseBlock(): ast.MatchCase {
    const t = this.peek();
    if (t.type !== 'NAME' || t.string !== 'case') throw FAIL;
    this.advance();
    const pattern = this.patterns();
    const guard = this.eatKw('if') ? this.namedExpression() : null;
    this.expectColon();
    const body = this.block("'case' statement", t);
    return { _type: 'match_case', pattern, guard, body };
  }

  /** patterns: open_sequence_pattern | pattern */
  private patterns(): ast.Pattern {
    const start = this.peek();
    const first = this.maybeStarPattern();
    if (!this.at(',')) {
      if (first._type === 'MatchStar') return { _type: 'MatchSequence', patterns: [first], ...this.loc(start) };
      return first;
    }
    const patterns = [first];
    while (this.eat(',')) {
      if (this.at(':') || this.atKw('if')) break;
      patterns.push(this.maybeStarPattern());
    }
    return { _type: 'MatchSequence', patterns, ...this.loc(start) };
  }

  /** maybe_star_pattern: star_pattern | pattern */
  private maybeStarPattern(): ast.Pattern {
    const t = this.peek();
    if (this.eat('*')) {
      const n = this.nameToken();
      const name = n.string === '_' ? null : this.identifier(n);
      return { _type: 'MatchStar', name, ...this.loc(t) };
    }
    return this.pattern();
  }

  /** pattern: as_pattern | or_pattern */
  private pattern(): ast.Pattern {
    const start = this.peek();
    const p = this.orPattern();
    if (this.eatKw('as')) {
      const n = this.nameToken();
      if (n.string === '_') {
        if (this.errorPass) this.raiseErrorAt(n, "cannot use '_' as a target");
        throw FAIL;
      }
      return { _type: 'MatchAs', pattern: p, name: this.identifier(n), ...this.loc(start) };
    }
    return p;
  }

  /** or_pattern: '|'.closed_pattern+ */
  private orPattern(): ast.Pattern {
    const start = this.peek();
    const first = this.closedPattern();
    if (!this.at('|')) return first;
    const patterns = [first];
    while (this.eat('|')) patterns.push(this.closedPattern());
    return { _type: 'MatchOr', patterns, ...this.loc(start) };
  }

  /** closed_pattern: literal | capture | wildcard | value | group | sequence | mapping | class */
  private closedPattern(): ast.Pattern {
    const t = this.peek();
    if (t.type === 'NUMBER' || t.type === 'STRING' || t.string === '-') {
      const value = this.signedOrComplexNumberOrString();
      return { _type: 'MatchValue', value, ...this.loc(t) };
    }
    if (t.type === 'NAME' && (t.string === 'None' || t.string === 'True' || t.string === 'False')) {
      this.advance();
      return { _type: 'MatchSingleton', value: t.string === 'None' ? null : t.string === 'True', ...this.loc(t) };
    }
    if (this.at('(') || this.at('[')) {
      const open = this.advance();
      const close = open.string === '(' ? ')' : ']';
      if (this.eat(close)) return { _type: 'MatchSequence', patterns: [], ...this.loc(open) };
      const first = this.maybeStarPattern();
      if (open.string === '(' && this.eat(')')) {
        if (first._type === 'MatchStar') return { _type: 'MatchSequence', patterns: [first], ...this.loc(open) };
        return first;
      }
      const patterns = [first];
      while (this.eat(',')) {
        if (this.at(close)) break;
        patterns.push(this.maybeStarPattern());
      }
      this.expect(close);
      return { _type: 'MatchSequence', patterns, ...this.loc(open) };
    }
    if (this.at('{')) return this.mappingPattern();
    if (this.atName()) {
      const n = this.advance();
      if (!this.at('.') && !this.at('(')) {
        if (n.string === '_') return { _type: 'MatchAs', pattern: null, name: null, ...this.loc(n) };
        return { _type: 'MatchAs', pattern: null, name: this.identifier(n), ...this.loc(n) };
      }
      let value: ast.Expr = { _type: 'Name', id: this.identifier(n), ctx: LOAD, ...this.loc(n) };
      while (this.eat('.')) {
        const a = this.nameToken();
        value = { _type: 'Attribute', value, attr: this.identifier(a), ctx: LOAD, ...this.loc(n) };
      }
      if (!this.at('(')) {
        if (value._type === 'Name') throw FAIL;
        return { _type: 'MatchValue', value, ...this.loc(n) };
      }
      return this.classPattern(n, value);
    }
    throw FAIL;
  }

  /** signed_number / complex_number / strings of literal_pattern. */
  private signedOrComplexNumberOrString(): ast.Expr {
    const t = this.peek();
    if (t.type === 'STRING') return this.strings();
    let left: ast.Expr;
    if (this.eat('-')) {
      const n = this.expectType('NUMBER');
      left = { _type: 'UnaryOp', op: { _type: 'USub' }, operand: this.number(n), ...this.loc(t) };
    } else {
      left = this.number(this.expectType('NUMBER'));
    }
    if (this.at('+') || this.at('-')) {
      const op = this.advance();
      const right = this.number(this.expectType('NUMBER'));
      return { _type: 'BinOp', left, op: OPERATORS[op.string === '+' ? 'Add' : 'Sub'], right, ...this.loc(t) };
    }
    return left;
  }

  /** mapping_pattern: '{' ... '}' */
  private mappingPattern(): ast.MatchMapping {
    const open = this.advance();
    const keys: ast.Expr[] = [];
    const patterns: ast.Pattern[] = [];
    let rest: string | null = null;
    while (!this.at('}')) {
      if (this.eat('**')) {
        rest = this.identifier(this.nameToken());
        this.eat(',');
        break;
      }
      const k = this.peek();
      let key: ast.Expr;
      if (k.type === 'NAME' && (k.string === 'None' || k.string === 'True' || k.string === 'False')) {
        this.advance();
        key = { _type: 'Constant', value: k.string === 'None' ? null : k.string === 'True', kind: null, ...this.loc(k) };
      } else if (this.atName()) {
        const n = this.advance();
        key = { _type: 'Name', id: this.identifier(n), ctx: LOAD, ...this.loc(n) };
        while (this.eat('.')) key = { _type: 'Attribute', value: key, attr: this.identifier(this.nameToken()), ctx: LOAD, ...this.loc(n) };
        if (key._type === 'Name') throw FAIL;
      } else {
        key = this.signedOrComplexNumberOrString();
      }
      this.expect(':');
      keys.push(key);
      patterns.push(this.pattern());
      if (!this.eat(',')) break;
    }
    this.expect('}');
    return { _type: 'MatchMapping', keys, patterns, rest, ...this.loc(open) };
  }

  /** class_pattern: name_or_attr '(' [pattern_arguments ','?] ')' */
  private classPattern(start: Token, cls: ast.Expr): ast.MatchClass {
    this.expect('(');
    const patterns: ast.Pattern[] = [];
    const kwdAttrs: string[] = [];
    const kwdPatterns: ast.Pattern[] = [];
    while (!this.at(')')) {
      if (this.atName() && this.peekAt(1).type === 'EQUAL') {
        kwdAttrs.push(this.identifier(this.advance()));
        this.advance();
        kwdPatterns.push(this.pattern());
      } else {
        if (kwdAttrs.length > 0) {
          if (this.errorPass) {
            const p = this.pattern();
            this.raiseAtNode(p, 'positional patterns follow keyword patterns');
          }
          throw FAIL;
        }
        patterns.push(this.pattern());
      }
      if (!this.eat(',')) break;
    }
    this.expect(')');
    return { _type: 'MatchClass', cls, patterns, kwd_attrs: kwdAttrs, kwd_patterns: kwdPatterns, ...this.loc(start) };
  }

  // ---- expressions -------------------------------------------------------

  /** expressions: expression (',' expression)* [','] */
  private expressions(): ast.Expr {
    const start = this.peek();
    const first = this.expression();
    if (!this.at(',')) return first;
    const elts = [first];
    while (this.eat(',')) {
      if (!this.atExpressionStart()) break;
      elts.push(this.expression());
    }
    return { _type: 'Tuple', elts, ctx: LOAD, ...this.loc(start) };
  }

  /** star_expressions: star_expression (',' star_expression)* [','] */
  private starExpressions(): ast.Expr {
    const start = this.peek();
    const first = this.starExpression();
    if (!this.at(',')) return first;
    const elts = [first];
    while (this.eat(',')) {
      if (!this.atExpressionStart()) break;
      elts.push(this.starExpression());
    }
    return { _type: 'Tuple', elts, ctx: LOAD, ...this.loc(start) };
  }

  /** Whether the current token can start an expression (ends a trailing-comma list otherwise). */
  private atExpressionStart(): boolean {
    const t = this.peek();
    switch (t.type) {
      case 'NAME':
        return !KEYWORDS.has(t.string) || t.string === 'not' || t.string === 'lambda' || t.string === 'await' ||
          t.string === 'None' || t.string === 'True' || t.string === 'False';
      case 'NUMBER':
      case 'STRING':
      case 'LPAR':
      case 'LSQB':
      case 'LBRACE':
      case 'MINUS':
      case 'PLUS':
      case 'TILDE':
      case 'STAR':
      case 'ELLIPSIS':
        return true;
      default:
        return false;
    }
  }

  /** star_expression: '*' bitwise_or | expression */
  private starExpression(): ast.Expr {
    const t = this.peek();
    if (t.type === 'STAR') {
      this.advance();
      const value = this.bitwiseOr();
      return { _type: 'Starred', value, ctx: LOAD, ...this.loc(t) };
    }
    return this.expression();
  }

  /** star_named_expression: '*' bitwise_or | named_expression */
  private starNamedExpression(): ast.Expr {
    const t = this.peek();
    if (t.type === 'STAR') {
      this.advance();
      const value = this.bitwiseOr();
      return { _type: 'Starred', value, ctx: LOAD, ...this.loc(t) };
    }
    return this.namedExpression();
  }

  /** named_expression / assignment_expression: NAME ':=' ~ expression | expression !':=' */
  private namedExpression(checkInvalid = true): ast.Expr {
    const t = this.peek();
    if (t.type === 'NAME' && !KEYWORDS.has(t.string) && this.peekAt(1).type === 'COLONEQUAL') {
      this.advance();
      this.advance();
      const value = this.expression();
      const target: ast.Name = { _type: 'Name', id: this.identifier(t), ctx: STORE, ...this.loc(t) };
      target.end_lineno = t.endLineno;
      target.end_col_offset = t.endCol;
      return { _type: 'NamedExpr', target, value, ...this.loc(t) };
    }
    const e = this.expression();
    if (this.at(':=')) {
      // invalid_named_expression: a=expression ':=' expression
      if (this.errorPass && this.optional(() => (this.advance(), this.expression())) !== null) {
        this.raiseAtNode(e, `cannot use assignment expressions with ${exprName(e)}`);
      }
      throw FAIL;
    }
    if (this.errorPass && checkInvalid && this.at('=')) this.invalidNamedExpression(t, e);
    return e;
  }

  /** invalid_named_expression's '=' cases, at a '=' after `e` (which began at `start`). */
  private invalidNamedExpression(start: Token, e: ast.Expr): void {
    if (!isBitwiseOrLevel(e, start)) return;
    const m = this.mark();
    this.advance();
    let b: ast.Expr;
    try {
      b = this.withoutErrorPass(() => this.bitwiseOr());
    } catch (x) {
      if (!(x instanceof ParseFail)) throw x;
      this.reset(m);
      return;
    }
    if (this.at('=') || this.at(':=')) {
      this.reset(m);
      return;
    }
    // a=NAME '=' b=bitwise_or !('='|':=')
    if (e._type === 'Name' && start.type === 'NAME') this.raiseAtNode(e, "invalid syntax. Maybe you meant '==' or ':=' instead of '='?", b);
    // !(list|tuple|genexp|'True'|'None'|'False') a=bitwise_or b='=' bitwise_or !('='|':=')
    if (!this.startsWithDisplay(start)) this.raiseAtNode(e, `cannot assign to ${exprName(e)} here. Maybe you meant '==' instead of '='?`);
    this.reset(m);
  }

  /** The negative lookahead !(list|tuple|genexp|'True'|'None'|'False') at token `start`. */
  private startsWithDisplay(start: Token): boolean {
    if (start.type === 'NAME') return start.string === 'True' || start.string === 'None' || start.string === 'False';
    if (start.type !== 'LPAR' && start.type !== 'LSQB') return false;
    const m = this.mark();
    this.reset(this.tokens.indexOf(start));
    try {
      const a = this.withoutErrorPass(() => this.atom());
      return a._type === 'List' || a._type === 'Tuple' || a._type === 'GeneratorExp';
    } catch (x) {
      if (!(x instanceof ParseFail)) throw x;
      return false;
    } finally {
      this.reset(m);
    }
  }

  /** expression: disjunction 'if' disjunction 'else' expression | disjunction | lambdef */
  private expression(): ast.Expr {
    this.enter();
    try {
      return this.expressionRule();
    } finally {
      this.level--;
    }
  }

  /**
   * pegen's p->level against MAXSTACK (6000): nesting deeper than CPython's
   * parser takes is refused as it refuses it (with MemoryError). Counted
   * where expressions nest: expression, unary operators and `not`, so that
   * `x = ----...1` stops where CPython's does (5967 signs).
   */
  private enter(): void {
    if (++this.level > MAXSTACK) {
      this.level = 0;
      throw new ParserStackOverflowError(this.filename);
    }
  }
  private level = 0;

  private expressionRule(): ast.Expr {
    const t = this.peek();
    if (t.type === 'NAME' && t.string === 'lambda') return this.lambdef();
    if (this.errorPass) {
      this.invalidExpression();
      this.invalidLegacyExpression();
    }
    const body = this.disjunction();
    if (this.atKw('if')) {
      const m = this.mark();
      const ifexp = this.optional((): ast.Expr => {
        this.advance();
        const test = this.disjunction();
        if (!this.atKw('else')) {
          if (this.errorPass && !this.at(':')) this.raiseAtNode(body, "expected 'else' after 'if' expression", test);
          throw FAIL;
        }
        this.advance();
        const orelse = this.expression();
        return { _type: 'IfExp', test, body, orelse, ...this.loc(t) };
      });
      if (ifexp !== null) return ifexp;
      this.reset(m);
    }
    return body;
  }

  /**
   * invalid_expression and invalid_legacy_expression (error pass only): two
   * expressions in a row inside brackets ("Perhaps you forgot a comma?").
   */
  private invalidExpression(): void {
    const key = this.pos * 2;
    if (this.invalidChecked.has(key)) return;
    this.invalidChecked.add(key);
    const t = this.peek();
    // !(NAME STRING | SOFT_KEYWORD): the second token is looked at only after a NAME.
    if (t.type === 'NAME' && !KEYWORDS.has(t.string) && (t.string === 'match' || t.string === 'case' || t.string === '_' || this.peekAt(1).type === 'STRING')) return;
    const m = this.mark();
    try {
      const a = this.disjunctionNoInvalid();
      if (!this.atExpressionStart() || this.at('*')) {
        this.reset(m);
        return;
      }
      const b = this.withoutErrorPass(() => this.expression());
      if (a._type === 'Name' && (a.id === 'print' || a.id === 'exec')) {
        this.reset(m);
        return;
      }
      if (this.tokens[this.pos - 1].level > 0) {
        this.raiseAtNode(a, 'invalid syntax. Perhaps you forgot a comma?', b);
      }
    } catch (e) {
      if (!(e instanceof ParseFail)) throw e;
    }
    this.reset(m);
  }


  /** invalid_legacy_expression: a=NAME !'(' b=star_expressions, for print and exec. */
  private invalidLegacyExpression(): void {
    const t = this.peek();
    if (t.type !== 'NAME' || KEYWORDS.has(t.string) || this.peekAt(1).type === 'LPAR') return;
    // Memoized per position, as pegen's memo keeps the second pass linear.
    const key = this.pos * 2 + 1;
    if (this.invalidChecked.has(key)) return;
    this.invalidChecked.add(key);
    const m = this.mark();
    this.advance();
    try {
      // b=star_expressions is parsed for any name (its errors and tokens count), then checked for print/exec.
      const b = this.starExpressions();
      if (t.string === 'print' || t.string === 'exec') {
        this.raiseAtNode(tokLoc(t), `Missing parentheses in call to '${t.string}'. Did you mean ${t.string}(...)?`, b);
      }
    } catch (e) {
      if (!(e instanceof ParseFail)) throw e;
    }
    this.reset(m);
  }

  /** Positions (times two, plus which rule) where an invalid_* rule has been tried. */
  private readonly invalidChecked = new Set<number>();

  private disjunctionNoInvalid(): ast.Expr {
    return this.withoutErrorPass(() => this.disjunction());
  }

  /** A PEG optional part: the result of `f`, or null (position unchanged) when it does not match. */
  private optional<T>(f: () => T): T | null {
    const m = this.mark();
    try {
      return f();
    } catch (e) {
      if (!(e instanceof ParseFail)) throw e;
      this.reset(m);
      return null;
    }
  }

  private withoutErrorPass<T>(f: () => T): T {
    const self = this as unknown as { errorPass: boolean };
    const saved = self.errorPass;
    self.errorPass = false;
    try {
      return f();
    } finally {
      self.errorPass = saved;
    }
  }

  /** disjunction: conjunction ('or' conjunction)+ | conjunction */
  private disjunction(): ast.Expr {
    const start = this.peek();
    const first = this.conjunction();
    if (!this.atKw('or')) return first;
    const values = [first];
    while (this.atKw('or')) {
      const v = this.optional(() => (this.advance(), this.conjunction()));
      if (v === null) break;
      values.push(v);
    }
    if (values.length === 1) return first;
    return { _type: 'BoolOp', op: { _type: 'Or' }, values, ...this.loc(start) };
  }

  /** conjunction: inversion ('and' inversion)+ | inversion */
  private conjunction(): ast.Expr {
    const start = this.peek();
    const first = this.inversion();
    if (!this.atKw('and')) return first;
    const values = [first];
    while (this.atKw('and')) {
      const v = this.optional(() => (this.advance(), this.inversion()));
      if (v === null) break;
      values.push(v);
    }
    if (values.length === 1) return first;
    return { _type: 'BoolOp', op: { _type: 'And' }, values, ...this.loc(start) };
  }

  /** inversion: 'not' inversion | comparison */
  private inversion(): ast.Expr {
    const t = this.peek();
    if (t.type === 'NAME' && t.string === 'not') {
      this.advance();
      this.enter();
      let operand: ast.Expr;
      try {
        operand = this.inversion();
      } finally {
        this.level--;
      }
      return { _type: 'UnaryOp', op: { _type: 'Not' }, operand, ...this.loc(t) };
    }
    return this.comparison();
  }

  /** comparison: bitwise_or compare_op_bitwise_or_pair+ | bitwise_or */
  private comparison(): ast.Expr {
    const start = this.peek();
    const left = this.bitwiseOr();
    const ops: ast.CmpOp[] = [];
    const comparators: ast.Expr[] = [];
    for (;;) {
      const t = this.peek();
      const m = this.mark();
      let op: ast.CmpOp['_type'] | undefined;
      if (t.type === 'NAME') {
        if (t.string === 'in') {
          this.advance();
          op = 'In';
        } else if (t.string === 'not' && this.peekAt(1).type === 'NAME' && this.peekAt(1).string === 'in') {
          this.advance();
          this.advance();
          op = 'NotIn';
        } else if (t.string === 'is') {
          this.advance();
          op = this.eatKw('not') ? 'IsNot' : 'Is';
        }
      } else if (t.type !== 'STRING' && t.type !== 'NUMBER') {
        op = COMPARE_OPS[t.string];
        if (op !== undefined) this.advance();
      }
      if (op === undefined) break;
      const right = this.optional(() => this.bitwiseOr());
      if (right === null) {
        this.reset(m);
        break;
      }
      ops.push({ _type: op } as ast.CmpOp);
      comparators.push(right);
    }
    if (ops.length === 0) return left;
    return { _type: 'Compare', left, ops, comparators, ...this.loc(start) };
  }

  /** The left-associative binary levels: bitwise_or, bitwise_xor, bitwise_and, shift_expr, sum, term. */
  private binary(level: number): ast.Expr {
    const start = this.peek();
    let left = level === 5 ? this.factor() : this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.type === 'NAME' || t.type === 'STRING' || t.type === 'NUMBER') return left;
      const op = BINARY_LEVELS[level][t.string];
      if (op === undefined) return left;
      const m = this.mark();
      this.advance();
      const right = this.optional(() => (level === 5 ? this.factor() : this.binary(level + 1)));
      if (right === null) {
        this.reset(m);
        return left;
      }
      left = { _type: 'BinOp', left, op: OPERATORS[op], right, ...this.loc(start) };
    }
  }

  /** bitwise_or */
  private bitwiseOr(): ast.Expr {
    return this.binary(0);
  }

  /** factor: '+' factor | '-' factor | '~' factor | power */
  private factor(): ast.Expr {
    const t = this.peek();
    if (t.type === 'PLUS' || t.type === 'MINUS' || t.type === 'TILDE') {
      this.advance();
      this.enter();
      let operand: ast.Expr;
      try {
        operand = this.factor();
      } finally {
        this.level--;
      }
      const op = t.type === 'PLUS' ? 'UAdd' : t.type === 'MINUS' ? 'USub' : 'Invert';
      return { _type: 'UnaryOp', op: { _type: op }, operand, ...this.loc(t) };
    }
    return this.power();
  }

  /** power: await_primary '**' factor | await_primary */
  private power(): ast.Expr {
    const start = this.peek();
    const left = this.awaitPrimary();
    if (this.at('**')) {
      const m = this.mark();
      this.advance();
      const right = this.optional(() => this.factor());
      if (right !== null) return { _type: 'BinOp', left, op: OPERATORS.Pow, right, ...this.loc(start) };
      this.reset(m);
    }
    return left;
  }

  /** await_primary: AWAIT primary | primary */
  private awaitPrimary(): ast.Expr {
    const t = this.peek();
    if (t.type === 'NAME' && t.string === 'await') {
      this.advance();
      const value = this.primary();
      return { _type: 'Await', value, ...this.loc(t) };
    }
    return this.primary();
  }

  /** primary: primary '.' NAME | primary genexp | primary '(' [arguments] ')' | primary '[' slices ']' | atom */
  private primary(): ast.Expr {
    const start = this.peek();
    let e = this.atom();
    for (;;) {
      const t = this.peek();
      const m = this.mark();
      let next: ast.Expr | null;
      if (t.type === 'DOT') {
        const value = e;
        next = this.optional(() => {
          this.advance();
          const name = this.nameToken();
          return { _type: 'Attribute', value, attr: this.identifier(name), ctx: LOAD, ...this.loc(start) };
        });
      } else if (t.type === 'LPAR') {
        const func = e;
        next = this.optional(() => {
          this.advance();
          let args: ast.Expr[] = [];
          let keywords: ast.Keyword[] = [];
          if (!this.at(')')) ({ args, keywords } = this.arguments(t));
          this.expect(')');
          return { _type: 'Call', func, args, keywords, ...this.loc(start) };
        });
      } else if (t.type === 'LSQB') {
        const value = e;
        next = this.optional(() => {
          this.advance();
          const slice = this.slices();
          this.expect(']');
          return { _type: 'Subscript', value, slice, ctx: LOAD, ...this.loc(start) };
        });
      } else {
        return e;
      }
      if (next === null) {
        this.reset(m);
        return e;
      }
      e = next;
    }
  }

  /** slices: slice !',' | ','.(slice | starred_expression)+ [','] */
  private slices(): ast.Expr {
    const start = this.peek();
    const first = this.sliceItem();
    if (!this.at(',') && first._type !== 'Starred') return first;
    const elts = [first];
    while (this.eat(',')) {
      if (this.at(']')) break;
      elts.push(this.sliceItem());
    }
    return { _type: 'Tuple', elts, ctx: LOAD, ...this.loc(start) };
  }

  /** slice: [expression] ':' [expression] [':' [expression]] | named_expression; or starred_expression */
  private sliceItem(): ast.Expr {
    const start = this.peek();
    if (start.type === 'STAR') {
      this.advance();
      const value = this.expression();
      return { _type: 'Starred', value, ctx: LOAD, ...this.loc(start) };
    }
    let lower: ast.Expr | null = null;
    if (!this.at(':')) {
      lower = this.namedExpression();
      if (!this.at(':')) return lower;
      if (lower._type === 'NamedExpr' && start.type !== 'LPAR') throw FAIL;
    }
    this.advance();
    const upper = this.at(':') || this.at(',') || this.at(']') ? null : this.expression();
    let step: ast.Expr | null = null;
    if (this.eat(':')) step = this.at(',') || this.at(']') ? null : this.expression();
    return { _type: 'Slice', lower, upper, step, ...this.loc(start) };
  }

  /** atom */
  private atom(): ast.Expr {
    const t = this.peek();
    switch (t.type) {
      case 'NAME':
        switch (t.string) {
          case 'True':
          case 'False':
          case 'None':
            this.advance();
            return { _type: 'Constant', value: t.string === 'None' ? null : t.string === 'True', kind: null, ...this.loc(t) };
        }
        if (KEYWORDS.has(t.string)) throw FAIL;
        this.advance();
        return { _type: 'Name', id: this.identifier(t), ctx: LOAD, ...this.loc(t) };
      case 'NUMBER':
        this.advance();
        return this.number(t);
      case 'STRING':
        return this.strings();
      case 'LPAR':
        return this.parenAtom();
      case 'LSQB':
        return this.listAtom();
      case 'LBRACE':
        return this.braceAtom();
      case 'ELLIPSIS':
        this.advance();
        return { _type: 'Constant', value: ast.Ellipsis, kind: null, ...this.loc(t) };
      default:
        throw FAIL;
    }
  }

  /** NUMBER: parsenumber in action_helpers.c. */
  private number(t: Token): ast.Constant {
    return { _type: 'Constant', value: parseNumber(t.string), kind: null, ...this.loc(t) };
  }

  /** strings: STRING+ */
  private strings(): ast.Expr {
    const toks: Token[] = [];
    while (this.atType('STRING')) toks.push(this.advance());
    this.peek();
    return concatenateStrings(this, toks);
  }

  /** tuple | group | genexp */
  private parenAtom(): ast.Expr {
    const open = this.advance();
    if (this.eat(')')) return { _type: 'Tuple', elts: [], ctx: LOAD, ...this.loc(open) };
    if (this.atKw('yield')) {
      const y = this.yieldExpr();
      this.expect(')');
      return y;
    }
    if (this.errorPass && this.at('**')) {
      // invalid_group: '(' a='**' expression ')'
      const star = this.advance();
      this.expression();
      if (this.at(')')) this.raiseErrorAt(star, 'cannot use double starred expression here');
      throw FAIL;
    }
    const first = this.starNamedExpression();
    if (this.atFor()) {
      if (first._type === 'Starred') this.invalidComprehensionStarred(first);
      const generators = this.forIfClauses();
      this.expect(')');
      return { _type: 'GeneratorExp', elt: first, generators, ...this.loc(open) };
    }
    if (this.eat(')')) {
      if (first._type === 'Starred') {
        if (this.errorPass) this.raiseAtNode(first, 'cannot use starred expression here');
        throw FAIL;
      }
      return first;
    }
    if (!this.at(',')) throw FAIL;
    const elts = [first];
    while (this.eat(',')) {
      if (this.at(')')) break;
      elts.push(this.starNamedExpression());
    }
    this.expect(')');
    return { _type: 'Tuple', elts, ctx: LOAD, ...this.loc(open) };
  }

  /** list | listcomp */
  private listAtom(): ast.Expr {
    const open = this.advance();
    if (this.eat(']')) return { _type: 'List', elts: [], ctx: LOAD, ...this.loc(open) };
    const first = this.starNamedExpression();
    if (this.atFor()) {
      if (first._type === 'Starred') this.invalidComprehensionStarred(first);
      const generators = this.forIfClauses();
      this.expect(']');
      return { _type: 'ListComp', elt: first, generators, ...this.loc(open) };
    }
    const elts = [first];
    while (this.at(',')) {
      const comma = this.advance();
      if (this.at(']')) {
        this.invalidComprehensionTarget(first, tokLoc(comma));
        break;
      }
      this.invalidComprehensionTarget(first, tokLoc(comma));
      elts.push(this.starNamedExpression());
    }
    this.invalidComprehensionTarget(first, elts[elts.length - 1], elts.length > 1);
    this.expect(']');
    return { _type: 'List', elts, ctx: LOAD, ...this.loc(open) };
  }

  /** dict | set | dictcomp | setcomp */
  private braceAtom(): ast.Expr {
    const open = this.advance();
    if (this.eat('}')) return { _type: 'Dict', keys: [], values: [], ...this.loc(open) };
    let firstKey: ast.Expr | null;
    let firstValue: ast.Expr;
    if (this.at('**')) {
      const star = this.advance();
      firstKey = null;
      firstValue = this.bitwiseOr();
      // invalid_dict_comprehension: '{' a='**' bitwise_or for_if_clauses '}'
      if (this.errorPass && this.atFor()) {
        this.withoutErrorPass(() => this.forIfClauses());
        if (this.at('}')) this.raiseErrorAt(star, 'dict unpacking cannot be used in dict comprehension');
        throw FAIL;
      }
    } else {
      const keyStart = this.peek();
      const e = this.starNamedExpression();
      if (!this.at(':')) {
        if (this.atFor()) {
          if (e._type === 'Starred') this.invalidComprehensionStarred(e);
          const generators = this.forIfClauses();
          this.expect('}');
          return { _type: 'SetComp', elt: e, generators, ...this.loc(open) };
        }
        const elts = [e];
        while (this.at(',')) {
          const comma = this.advance();
          this.invalidComprehensionTarget(e, tokLoc(comma));
          if (this.at('}')) break;
          elts.push(this.starNamedExpression());
        }
        this.invalidComprehensionTarget(e, elts[elts.length - 1], elts.length > 1);
        this.expect('}');
        return { _type: 'Set', elts, ...this.loc(open) };
      }
      if (e._type === 'Starred' || (e._type === 'NamedExpr' && keyStart.type !== 'LPAR')) throw FAIL;
      const colon = this.advance();
      if (this.errorPass) this.invalidKvpairValue(colon);
      firstKey = e;
      firstValue = this.expression();
      if (firstKey !== null && (this.atKw('for') || (this.atKw('async') && this.peekAt(1).string === 'for'))) {
        const generators = this.forIfClauses();
        this.expect('}');
        return { _type: 'DictComp', key: firstKey, value: firstValue, generators, ...this.loc(open) };
      }
    }
    const keys: (ast.Expr | null)[] = [firstKey];
    const values = [firstValue];
    while (this.eat(',')) {
      if (this.at('}')) break;
      if (this.eat('**')) {
        keys.push(null);
        values.push(this.bitwiseOr());
      } else {
        const key = this.expression();
        keys.push(key);
        if (this.errorPass && !this.at(':')) {
          // invalid_kvpair: a=expression !(':')
          throw this.errorAtOffsets('SyntaxError', "':' expected after dictionary key", key.lineno, key.end_col_offset, key.end_lineno, 0);
        }
        const colon = this.expect(':');
        if (this.errorPass) this.invalidKvpairValue(colon);
        values.push(this.expression());
      }
    }
    this.expect('}');
    return { _type: 'Dict', keys, values, ...this.loc(open) };
  }

  private atFor(): boolean {
    return this.atKw('for') || (this.atKw('async') && this.peekAt(1).string === 'for');
  }

  /** invalid_comprehension: ('[' | '(' | '{') a=starred_expression for_if_clauses */
  private invalidComprehensionStarred(a: ast.Expr): never {
    if (this.errorPass) {
      this.withoutErrorPass(() => this.forIfClauses());
      this.raiseAtNode(a, 'iterable unpacking cannot be used in comprehension');
    }
    throw FAIL;
  }

  /** invalid_comprehension: ('[' | '{') a=star_named_expression ',' [star_named_expressions] for_if_clauses */
  private invalidComprehensionTarget(a: ast.Expr, b: Loc, check = true): void {
    if (!this.errorPass || !check || !this.atFor()) return;
    const m = this.mark();
    try {
      this.withoutErrorPass(() => this.forIfClauses());
    } catch (e) {
      if (!(e instanceof ParseFail)) throw e;
      this.reset(m);
      return;
    }
    this.raiseAtNode(a, 'did you forget parentheses around the comprehension target?', b);
  }

  /** invalid_double_starred_kvpairs / invalid_kvpair after a key's ':'. */
  private invalidKvpairValue(colon: Token): void {
    if (this.at('}') || this.at(',')) this.raiseErrorAt(colon, "expression expected after dictionary key and ':'");
    if (this.at('*')) {
      const star = this.advance();
      this.withoutErrorPass(() => this.bitwiseOr());
      // RAISE_SYNTAX_ERROR_STARTING_FROM: to where the tokenizer stands.
      const last = this.lastFetched();
      throw this.errorAt('SyntaxError', 'cannot use a starred expression in a dictionary value', star.lineno, star.col, last.endLineno, last.endCol - 1);
    }
  }

  /** for_if_clauses: (['async'] 'for' star_targets 'in' ~ disjunction ('if' disjunction)*)+ */
  private forIfClauses(): ast.Comprehension[] {
    const out: ast.Comprehension[] = [];
    while (this.atKw('for') || (this.atKw('async') && this.peekAt(1).string === 'for')) {
      const isAsync = this.eatKw('async') ? 1 : 0;
      const forTok = this.advance();
      const target = this.starTargets();
      if (!this.atKw('in')) {
        if (this.errorPass) {
          this.reset(this.tokens.indexOf(forTok) + 1);
          const e = this.starExpressions();
          const bad = invalidTarget(e, 'for');
          if (bad !== null) this.raiseAtNode(bad, `cannot assign to ${exprName(bad)}`);
        }
        throw FAIL;
      }
      this.advance();
      const iter = this.disjunction();
      const ifs: ast.Expr[] = [];
      while (this.eatKw('if')) ifs.push(this.disjunction());
      out.push({ _type: 'comprehension', target, iter, ifs, is_async: isAsync });
    }
    return out;
  }

  /** yield_expr: 'yield' 'from' expression | 'yield' [star_expressions] */
  private yieldExpr(): ast.Expr {
    const t = this.advance();
    if (this.eatKw('from')) {
      const value = this.expression();
      return { _type: 'YieldFrom', value, ...this.loc(t) };
    }
    const value = this.atExpressionStart() ? this.starExpressions() : null;
    return { _type: 'Yield', value, ...this.loc(t) };
  }

  /** lambdef: 'lambda' [lambda_params] ':' expression */
  private lambdef(): ast.Lambda {
    const t = this.advance();
    const args = this.params(':', false);
    this.expect(':');
    const body = this.expression();
    return { _type: 'Lambda', args, body, ...this.loc(t) };
  }

  /**
   * arguments / args / kwargs of a call (or a class's bases); `open` is the
   * call's '(' so that a lone generator argument takes the call's parentheses.
   */
  private arguments(open: Token | null): { args: ast.Expr[]; keywords: ast.Keyword[] } {
    const args: ast.Expr[] = [];
    const keywords: ast.Keyword[] = [];
    let sawKeyword = false;
    let sawDoubleStar = false;
    for (;;) {
      const t = this.peek();
      if (t.type === 'STAR') {
        this.advance();
        const value = this.expression();
        const s: ast.Starred = { _type: 'Starred', value, ctx: LOAD, ...this.loc(t) };
        if (sawDoubleStar) {
          if (this.errorPass) this.raiseErrorAt(t, 'iterable argument unpacking follows keyword argument unpacking');
          throw FAIL;
        }
        // _PyPegen_collect_call_seqs: a starred argument among the keywords still goes to args.
        args.push(s);
      } else if (t.type === 'DOUBLESTAR') {
        this.advance();
        const value = this.expression();
        keywords.push({ _type: 'keyword', arg: null, value, ...this.loc(t) });
        sawDoubleStar = true;
      } else if (t.type === 'NAME' && !KEYWORDS.has(t.string) && this.peekAt(1).type === 'EQUAL') {
        this.advance();
        const eq = this.advance();
        const value = this.expression();
        if (this.errorPass && (this.atKw('for') || (this.atKw('async') && this.peekAt(1).string === 'for'))) {
          this.raiseAtNode(tokLoc(t), "invalid syntax. Maybe you meant '==' or ':=' instead of '='?", tokLoc(eq));
        }
        keywords.push({ _type: 'keyword', arg: this.identifier(t), value, ...this.loc(t) });
        sawKeyword = true;
      } else {
        if (this.errorPass && t.type === 'NAME' && ['True', 'False', 'None'].includes(t.string) && this.peekAt(1).type === 'EQUAL') {
          const eq = this.peekAt(1);
          this.raiseAtNode({ lineno: t.lineno, col_offset: t.col, end_lineno: eq.endLineno, end_col_offset: eq.endCol }, `cannot assign to ${t.string}`);
        }
        const e = this.namedExpression(false);
        if (this.atFor()) {
          // Only a call has `primary genexp`; a class's bases stop at the 'for' in the first pass.
          if (open === null && !this.errorPass) throw FAIL;
          const generators = this.forIfClauses();
          const g: ast.GeneratorExp = { _type: 'GeneratorExp', elt: e, generators, ...this.loc(t) };
          if (args.length === 0 && keywords.length === 0 && this.at(')')) {
            // primary genexp: a call's lone generator argument takes the call's parentheses (a class's bases cannot).
            if (open === null) throw FAIL;
            args.push({ ...g, ...this.locThrough(open) });
            return { args, keywords };
          }
          if (this.errorPass) this.raiseAtNode(g, 'Generator expression must be parenthesized');
          throw FAIL;
        }
        if (this.errorPass && this.at('=')) {
          const eq = this.peek();
          this.raiseAtNode(
            { lineno: t.lineno, col_offset: t.col, end_lineno: eq.endLineno, end_col_offset: eq.endCol },
            'expression cannot contain assignment, perhaps you meant "=="?',
          );
        }
        if (sawDoubleStar || sawKeyword) {
          if (this.errorPass) {
            // invalid_arguments: a=args ',' args, then _PyPegen_arguments_parsing_error at the last token fetched.
            this.withoutErrorPass(() => {
              try {
                while (this.eat(',') && !this.at(')')) this.expression();
              } catch (x) {
                if (!(x instanceof ParseFail)) throw x;
              }
            });
            this.peek();
            this.raiseError(sawDoubleStar ? 'positional argument follows keyword argument unpacking' : 'positional argument follows keyword argument');
          }
          throw FAIL;
        }
        args.push(e);
      }
      if (!this.eat(',')) break;
      if (this.at(')')) break;
    }
    return { args, keywords };
  }

  /** The location from `open` through the ')' that comes next (a call's generator argument). */
  private locThrough(open: Token): Loc {
    const close = this.peek();
    return { lineno: open.lineno, col_offset: open.col, end_lineno: close.endLineno, end_col_offset: close.endCol };
  }

  // ---- StringParserHost -----------------------------------------------

  /** warn_invalid_escape_sequence: once per token, however often backtracking parses it. */
  warnAt(t: Token, msg: string): void {
    if (warnedTokens.has(t)) return;
    warnedTokens.add(t);
    this.warnings.push({ category: 'DeprecationWarning', msg, filename: this.filename, lineno: t.lineno });
  }

  /** fstring_compile_expr: a sub-parser over "(" + expr + ")" in 'fstring' mode. */
  parseFstringExpr(text: Uint8Array, lineno: number, colShift: number): ast.Expr {
    return runParser(new Tokenizer(text, this.filename, true, lineno, colShift, this.warnings), this.filename, 'fstring', this.warnings) as ast.Expr;
  }
}

/** Whether `e`, begun at token `start`, is what bitwise_or parses (or a parenthesized group). */
function isBitwiseOrLevel(e: ast.Expr, start: Token): boolean {
  if (start.type === 'LPAR' && (e.lineno !== start.lineno || e.col_offset !== start.col)) return true;
  switch (e._type) {
    case 'Compare':
    case 'BoolOp':
    case 'IfExp':
    case 'Lambda':
    case 'NamedExpr':
    case 'Starred':
    case 'Yield':
    case 'YieldFrom':
      return false;
    case 'UnaryOp':
      return e.op._type !== 'Not';
    default:
      return true;
  }
}

/** A token's location as a node's. */
function tokLoc(t: Token): Loc {
  return { lineno: t.lineno, col_offset: t.col, end_lineno: t.endLineno, end_col_offset: t.endCol };
}

const BINARY_LEVELS: Record<string, ast.Operator['_type']>[] = [
  { '|': 'BitOr' },
  { '^': 'BitXor' },
  { '&': 'BitAnd' },
  { '<<': 'LShift', '>>': 'RShift' },
  { '+': 'Add', '-': 'Sub' },
  { '*': 'Mult', '/': 'Div', '//': 'FloorDiv', '%': 'Mod', '@': 'MatMult' },
];

/** action_helpers.c parsenumber: int as bigint, float as number, imaginary as complex. */
function parseNumber(text: string): ast.ConstantValue {
  const s = text.indexOf('_') >= 0 ? text.replace(/_/g, '') : text;
  const last = s.charCodeAt(s.length - 1) | 0x20;
  if (last === 0x6a) return { kind: 'complex', real: 0, imag: Number(s.slice(0, -1)) };
  if (s.length > 1 && s[0] === '0') {
    const p = s.charCodeAt(1) | 0x20;
    if (p === 0x78 || p === 0x6f || p === 0x62) return BigInt(s[0] + String.fromCharCode(p) + s.slice(2));
  }
  if (/[.eE]/.test(s)) return Number(s);
  return BigInt(s);
}

/** _PyPegen_get_expr_name: how error messages name an expression. */
function exprName(e: ast.Expr): string {
  switch (e._type) {
    case 'Attribute':
      return 'attribute';
    case 'Subscript':
      return 'subscript';
    case 'Starred':
      return 'starred';
    case 'Name':
      return 'name';
    case 'List':
      return 'list';
    case 'Tuple':
      return 'tuple';
    case 'Lambda':
      return 'lambda';
    case 'Call':
      return 'function call';
    case 'BoolOp':
    case 'BinOp':
    case 'UnaryOp':
      return 'expression';
    case 'GeneratorExp':
      return 'generator expression';
    case 'Yield':
    case 'YieldFrom':
      return 'yield expression';
    case 'Await':
      return 'await expression';
    case 'ListComp':
      return 'list comprehension';
    case 'SetComp':
      return 'set comprehension';
    case 'DictComp':
      return 'dict comprehension';
    case 'Dict':
      return 'dict literal';
    case 'Set':
      return 'set display';
    case 'JoinedStr':
    case 'FormattedValue':
      return 'f-string expression';
    case 'Constant': {
      const v = e.value;
      if (v === null) return 'None';
      if (v === false) return 'False';
      if (v === true) return 'True';
      if (v === ast.Ellipsis) return 'ellipsis';
      return 'literal';
    }
    case 'Compare':
      return 'comparison';
    case 'IfExp':
      return 'conditional expression';
    case 'NamedExpr':
      return 'named expression';
    default:
      return 'expression';
  }
}

/** _PyPegen_get_invalid_target: the first part of `e` that cannot be a target, or null. */
function invalidTarget(e: ast.Expr, type: TargetsType): ast.Expr | null {
  switch (e._type) {
    case 'List':
    case 'Tuple':
      for (const x of e.elts) {
        const bad = invalidTarget(x, type);
        if (bad !== null) return bad;
      }
      return null;
    case 'Starred':
      if (type === 'del') return e;
      return invalidTarget(e.value, type);
    case 'Compare':
      if (type === 'for') {
        if (e.ops[0]._type === 'In') return invalidTarget(e.left, type);
        return null;
      }
      return e;
    case 'Name':
    case 'Subscript':
    case 'Attribute':
      return null;
    default:
      return e;
  }
}
