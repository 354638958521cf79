/*
 * The abstract syntax tree of Python 3.11, as CPython's Parser/Python.asdl
 * declares it and Python's `ast` module shows it.
 *
 * Every node is a plain object whose `_type` is the name of its `ast` class
 * ('Module', 'FunctionDef', 'BinOp', 'Add', 'Name', 'Load', 'comprehension',
 * 'arguments', ...), so each ASDL sum (stmt, expr, operator, ...) is a
 * TypeScript discriminated union on `_type`. Fields carry the ASDL names, in
 * the order of the class's `_fields`:
 *   - `x*` is an array (empty when there is none);
 *   - `x?` is `null` when absent, as `ast` gives None (the one exception is
 *     ImportFrom.level, which the parser always sets, so it is a number);
 *   - two lists hold nulls, as `ast` gives them: Dict.keys (None for a
 *     `**mapping` entry) and arguments.kw_defaults (None for no default);
 *   - `identifier` and `string` are JS strings, `int` is a JS number.
 * Nodes with ASDL attributes extend {@link Located}: `lineno` and
 * `end_lineno` are 1-based lines, `col_offset` and `end_col_offset` are
 * 0-based offsets in UTF-8 bytes of the line, exactly as CPython stores them.
 *
 * Constant values ({@link ConstantValue}) keep Python's types apart:
 *   None → null          bool → boolean        int → bigint
 *   float → number       str → string          bytes → PyBytes
 *   complex → PyComplex (a pure imaginary literal `2j` is {real: 0, imag: 2})
 *   Ellipsis → the exported {@link Ellipsis} object (compare with ===)
 *   tuple → ConstantValue[] (only made by constant folding, never by the parser)
 * so an int and a float never mix up (`1` is 1n, `1.0` is 1). Constant.kind
 * is 'u' for a literal written u'...', otherwise null.
 *
 * TypeScript names: a sum is named for its ASDL type in PascalCase (Stmt,
 * Expr, ExprContext, Pattern, ...), a constructor for its class, except where
 * the two collide: the ASDL `mod` is ModNode, the operator `Mod` is ModOp,
 * the statement `Expr` is ExprStmt, and boolop / unaryop / cmpop are
 * BoolOperator / UnaryOperator / CmpOp (BoolOp and UnaryOp are expressions).
 *
 * Operator and context nodes (Add, Load, ...) hold no data; the parser may
 * share one object between many nodes, so no stage may mutate them.
 */

/** The location attributes of stmt, expr, excepthandler, arg, keyword, alias and pattern nodes. */
export interface Located {
  /** First line of the node, 1-based. */
  lineno: number;
  /** Offset of its first byte in that line, 0-based, in UTF-8 bytes. */
  col_offset: number;
  /** Last line of the node, 1-based. */
  end_lineno: number;
  /** Offset just past its last byte in the last line, in UTF-8 bytes. */
  end_col_offset: number;
}

/** A `bytes` constant. */
export interface PyBytes {
  kind: 'bytes';
  value: Uint8Array;
}

/** A `complex` constant. */
export interface PyComplex {
  kind: 'complex';
  real: number;
  imag: number;
}

/** The type of the one {@link Ellipsis} object. */
export interface PyEllipsis {
  readonly kind: 'ellipsis';
}

/** Python's `...`: a unique object, compare with `===`. */
export const Ellipsis: PyEllipsis = Object.freeze({ kind: 'ellipsis' as const });

/** The value of a Constant (and of MatchSingleton); see the opening comment for the mapping. */
export type ConstantValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | PyBytes
  | PyComplex
  | PyEllipsis
  | ConstantValue[];

// ---- mod ----

/** `Module(stmt* body, type_ignore* type_ignores)` */
export interface Module {
  _type: 'Module';
  body: Stmt[];
  type_ignores: TypeIgnore[];
}
/** `Interactive(stmt* body)` */
export interface Interactive {
  _type: 'Interactive';
  body: Stmt[];
}
/** `Expression(expr body)` */
export interface Expression {
  _type: 'Expression';
  body: Expr;
}
/** `FunctionType(expr* argtypes, expr returns)` */
export interface FunctionType {
  _type: 'FunctionType';
  argtypes: Expr[];
  returns: Expr;
}
/** ASDL `mod`. */
export type ModNode = Module | Interactive | Expression | FunctionType;

// ---- stmt ----

/** `FunctionDef(identifier name, arguments args, stmt* body, expr* decorator_list, expr? returns, string? type_comment)` */
export interface FunctionDef extends Located {
  _type: 'FunctionDef';
  name: string;
  args: Arguments;
  body: Stmt[];
  decorator_list: Expr[];
  returns: Expr | null;
  type_comment: string | null;
}
/** `AsyncFunctionDef(identifier name, arguments args, stmt* body, expr* decorator_list, expr? returns, string? type_comment)` */
export interface AsyncFunctionDef extends Located {
  _type: 'AsyncFunctionDef';
  name: string;
  args: Arguments;
  body: Stmt[];
  decorator_list: Expr[];
  returns: Expr | null;
  type_comment: string | null;
}
/** `ClassDef(identifier name, expr* bases, keyword* keywords, stmt* body, expr* decorator_list)` */
export interface ClassDef extends Located {
  _type: 'ClassDef';
  name: string;
  bases: Expr[];
  keywords: Keyword[];
  body: Stmt[];
  decorator_list: Expr[];
}
/** `Return(expr? value)` */
export interface Return extends Located {
  _type: 'Return';
  value: Expr | null;
}
/** `Delete(expr* targets)` */
export interface Delete extends Located {
  _type: 'Delete';
  targets: Expr[];
}
/** `Assign(expr* targets, expr value, string? type_comment)` */
export interface Assign extends Located {
  _type: 'Assign';
  targets: Expr[];
  value: Expr;
  type_comment: string | null;
}
/** `AugAssign(expr target, operator op, expr value)` */
export interface AugAssign extends Located {
  _type: 'AugAssign';
  target: Expr;
  op: Operator;
  value: Expr;
}
/** `AnnAssign(expr target, expr annotation, expr? value, int simple)` */
export interface AnnAssign extends Located {
  _type: 'AnnAssign';
  target: Expr;
  annotation: Expr;
  value: Expr | null;
  simple: number;
}
/** `For(expr target, expr iter, stmt* body, stmt* orelse, string? type_comment)` */
export interface For extends Located {
  _type: 'For';
  target: Expr;
  iter: Expr;
  body: Stmt[];
  orelse: Stmt[];
  type_comment: string | null;
}
/** `AsyncFor(expr target, expr iter, stmt* body, stmt* orelse, string? type_comment)` */
export interface AsyncFor extends Located {
  _type: 'AsyncFor';
  target: Expr;
  iter: Expr;
  body: Stmt[];
  orelse: Stmt[];
  type_comment: string | null;
}
/** `While(expr test, stmt* body, stmt* orelse)` */
export interface While extends Located {
  _type: 'While';
  test: Expr;
  body: Stmt[];
  orelse: Stmt[];
}
/** `If(expr test, stmt* body, stmt* orelse)` */
export interface If extends Located {
  _type: 'If';
  test: Expr;
  body: Stmt[];
  orelse: Stmt[];
}
/** `With(withitem* items, stmt* body, string? type_comment)` */
export interface With extends Located {
  _type: 'With';
  items: WithItem[];
  body: Stmt[];
  type_comment: string | null;
}
/** `AsyncWith(withitem* items, stmt* body, string? type_comment)` */
export interface AsyncWith extends Located {
  _type: 'AsyncWith';
  items: WithItem[];
  body: Stmt[];
  type_comment: string | null;
}
/** `Match(expr subject, match_case* cases)` */
export interface Match extends Located {
  _type: 'Match';
  subject: Expr;
  cases: MatchCase[];
}
/** `Raise(expr? exc, expr? cause)` */
export interface Raise extends Located {
  _type: 'Raise';
  exc: Expr | null;
  cause: Expr | null;
}
/** `Try(stmt* body, excepthandler* handlers, stmt* orelse, stmt* finalbody)` */
export interface Try extends Located {
  _type: 'Try';
  body: Stmt[];
  handlers: ExceptHandler[];
  orelse: Stmt[];
  finalbody: Stmt[];
}
/** `TryStar(stmt* body, excepthandler* handlers, stmt* orelse, stmt* finalbody)` */
export interface TryStar extends Located {
  _type: 'TryStar';
  body: Stmt[];
  handlers: ExceptHandler[];
  orelse: Stmt[];
  finalbody: Stmt[];
}
/** `Assert(expr test, expr? msg)` */
export interface Assert extends Located {
  _type: 'Assert';
  test: Expr;
  msg: Expr | null;
}
/** `Import(alias* names)` */
export interface Import extends Located {
  _type: 'Import';
  names: Alias[];
}
/** `ImportFrom(identifier? module, alias* names, int? level)` */
export interface ImportFrom extends Located {
  _type: 'ImportFrom';
  module: string | null;
  names: Alias[];
  level: number;
}
/** `Global(identifier* names)` */
export interface Global extends Located {
  _type: 'Global';
  names: string[];
}
/** `Nonlocal(identifier* names)` */
export interface Nonlocal extends Located {
  _type: 'Nonlocal';
  names: string[];
}
/** `Expr(expr value)` */
export interface ExprStmt extends Located {
  _type: 'Expr';
  value: Expr;
}
/** `Pass` */
export interface Pass extends Located {
  _type: 'Pass';
}
/** `Break` */
export interface Break extends Located {
  _type: 'Break';
}
/** `Continue` */
export interface Continue extends Located {
  _type: 'Continue';
}
/** ASDL `stmt`. */
export type Stmt = FunctionDef | AsyncFunctionDef | ClassDef | Return | Delete | Assign | AugAssign | AnnAssign | For | AsyncFor | While | If | With | AsyncWith | Match | Raise | Try | TryStar | Assert | Import | ImportFrom | Global | Nonlocal | ExprStmt | Pass | Break | Continue;

// ---- expr ----

/** `BoolOp(boolop op, expr* values)` */
export interface BoolOp extends Located {
  _type: 'BoolOp';
  op: BoolOperator;
  values: Expr[];
}
/** `NamedExpr(expr target, expr value)` */
export interface NamedExpr extends Located {
  _type: 'NamedExpr';
  target: Expr;
  value: Expr;
}
/** `BinOp(expr left, operator op, expr right)` */
export interface BinOp extends Located {
  _type: 'BinOp';
  left: Expr;
  op: Operator;
  right: Expr;
}
/** `UnaryOp(unaryop op, expr operand)` */
export interface UnaryOp extends Located {
  _type: 'UnaryOp';
  op: UnaryOperator;
  operand: Expr;
}
/** `Lambda(arguments args, expr body)` */
export interface Lambda extends Located {
  _type: 'Lambda';
  args: Arguments;
  body: Expr;
}
/** `IfExp(expr test, expr body, expr orelse)` */
export interface IfExp extends Located {
  _type: 'IfExp';
  test: Expr;
  body: Expr;
  orelse: Expr;
}
/** `Dict(expr* keys, expr* values)` */
export interface Dict extends Located {
  _type: 'Dict';
  /** null for a `**mapping` entry. */
  keys: (Expr | null)[];
  values: Expr[];
}
/** `Set(expr* elts)` */
export interface Set extends Located {
  _type: 'Set';
  elts: Expr[];
}
/** `ListComp(expr elt, comprehension* generators)` */
export interface ListComp extends Located {
  _type: 'ListComp';
  elt: Expr;
  generators: Comprehension[];
}
/** `SetComp(expr elt, comprehension* generators)` */
export interface SetComp extends Located {
  _type: 'SetComp';
  elt: Expr;
  generators: Comprehension[];
}
/** `DictComp(expr key, expr value, comprehension* generators)` */
export interface DictComp extends Located {
  _type: 'DictComp';
  key: Expr;
  value: Expr;
  generators: Comprehension[];
}
/** `GeneratorExp(expr elt, comprehension* generators)` */
export interface GeneratorExp extends Located {
  _type: 'GeneratorExp';
  elt: Expr;
  generators: Comprehension[];
}
/** `Await(expr value)` */
export interface Await extends Located {
  _type: 'Await';
  value: Expr;
}
/** `Yield(expr? value)` */
export interface Yield extends Located {
  _type: 'Yield';
  value: Expr | null;
}
/** `YieldFrom(expr value)` */
export interface YieldFrom extends Located {
  _type: 'YieldFrom';
  value: Expr;
}
/** `Compare(expr left, cmpop* ops, expr* comparators)` */
export interface Compare extends Located {
  _type: 'Compare';
  left: Expr;
  ops: CmpOp[];
  comparators: Expr[];
}
/** `Call(expr func, expr* args, keyword* keywords)` */
export interface Call extends Located {
  _type: 'Call';
  func: Expr;
  args: Expr[];
  keywords: Keyword[];
}
/** `FormattedValue(expr value, int conversion, expr? format_spec)` */
export interface FormattedValue extends Located {
  _type: 'FormattedValue';
  value: Expr;
  conversion: number;
  format_spec: Expr | null;
}
/** `JoinedStr(expr* values)` */
export interface JoinedStr extends Located {
  _type: 'JoinedStr';
  values: Expr[];
}
/** `Constant(constant value, string? kind)` */
export interface Constant extends Located {
  _type: 'Constant';
  value: ConstantValue;
  kind: 'u' | null;
}
/** `Attribute(expr value, identifier attr, expr_context ctx)` */
export interface Attribute extends Located {
  _type: 'Attribute';
  value: Expr;
  attr: string;
  ctx: ExprContext;
}
/** `Subscript(expr value, expr slice, expr_context ctx)` */
export interface Subscript extends Located {
  _type: 'Subscript';
  value: Expr;
  slice: Expr;
  ctx: ExprContext;
}
/** `Starred(expr value, expr_context ctx)` */
export interface Starred extends Located {
  _type: 'Starred';
  value: Expr;
  ctx: ExprContext;
}
/** `Name(identifier id, expr_context ctx)` */
export interface Name extends Located {
  _type: 'Name';
  id: string;
  ctx: ExprContext;
}
/** `List(expr* elts, expr_context ctx)` */
export interface List extends Located {
  _type: 'List';
  elts: Expr[];
  ctx: ExprContext;
}
/** `Tuple(expr* elts, expr_context ctx)` */
export interface Tuple extends Located {
  _type: 'Tuple';
  elts: Expr[];
  ctx: ExprContext;
}
/** `Slice(expr? lower, expr? upper, expr? step)` */
export interface Slice extends Located {
  _type: 'Slice';
  lower: Expr | null;
  upper: Expr | null;
  step: Expr | null;
}
/** ASDL `expr`. */
export type Expr = BoolOp | NamedExpr | BinOp | UnaryOp | Lambda | IfExp | Dict | Set | ListComp | SetComp | DictComp | GeneratorExp | Await | Yield | YieldFrom | Compare | Call | FormattedValue | JoinedStr | Constant | Attribute | Subscript | Starred | Name | List | Tuple | Slice;

// ---- expr_context ----

/** `Load` */
export interface Load { _type: 'Load' }
/** `Store` */
export interface Store { _type: 'Store' }
/** `Del` */
export interface Del { _type: 'Del' }
/** ASDL `expr_context`. */
export type ExprContext = Load | Store | Del;

// ---- boolop ----

/** `And` */
export interface And { _type: 'And' }
/** `Or` */
export interface Or { _type: 'Or' }
/** ASDL `boolop`. */
export type BoolOperator = And | Or;

// ---- operator ----

/** `Add` */
export interface Add { _type: 'Add' }
/** `Sub` */
export interface Sub { _type: 'Sub' }
/** `Mult` */
export interface Mult { _type: 'Mult' }
/** `MatMult` */
export interface MatMult { _type: 'MatMult' }
/** `Div` */
export interface Div { _type: 'Div' }
/** `Mod` */
export interface ModOp { _type: 'Mod' }
/** `Pow` */
export interface Pow { _type: 'Pow' }
/** `LShift` */
export interface LShift { _type: 'LShift' }
/** `RShift` */
export interface RShift { _type: 'RShift' }
/** `BitOr` */
export interface BitOr { _type: 'BitOr' }
/** `BitXor` */
export interface BitXor { _type: 'BitXor' }
/** `BitAnd` */
export interface BitAnd { _type: 'BitAnd' }
/** `FloorDiv` */
export interface FloorDiv { _type: 'FloorDiv' }
/** ASDL `operator`. */
export type Operator = Add | Sub | Mult | MatMult | Div | ModOp | Pow | LShift | RShift | BitOr | BitXor | BitAnd | FloorDiv;

// ---- unaryop ----

/** `Invert` */
export interface Invert { _type: 'Invert' }
/** `Not` */
export interface Not { _type: 'Not' }
/** `UAdd` */
export interface UAdd { _type: 'UAdd' }
/** `USub` */
export interface USub { _type: 'USub' }
/** ASDL `unaryop`. */
export type UnaryOperator = Invert | Not | UAdd | USub;

// ---- cmpop ----

/** `Eq` */
export interface Eq { _type: 'Eq' }
/** `NotEq` */
export interface NotEq { _type: 'NotEq' }
/** `Lt` */
export interface Lt { _type: 'Lt' }
/** `LtE` */
export interface LtE { _type: 'LtE' }
/** `Gt` */
export interface Gt { _type: 'Gt' }
/** `GtE` */
export interface GtE { _type: 'GtE' }
/** `Is` */
export interface Is { _type: 'Is' }
/** `IsNot` */
export interface IsNot { _type: 'IsNot' }
/** `In` */
export interface In { _type: 'In' }
/** `NotIn` */
export interface NotIn { _type: 'NotIn' }
/** ASDL `cmpop`. */
export type CmpOp = Eq | NotEq | Lt | LtE | Gt | GtE | Is | IsNot | In | NotIn;

// ---- excepthandler ----

/** `ExceptHandler(expr? type, identifier? name, stmt* body)` */
export interface ExceptHandler extends Located {
  _type: 'ExceptHandler';
  type: Expr | null;
  name: string | null;
  body: Stmt[];
}

// ---- pattern ----

/** `MatchValue(expr value)` */
export interface MatchValue extends Located {
  _type: 'MatchValue';
  value: Expr;
}
/** `MatchSingleton(constant value)` */
export interface MatchSingleton extends Located {
  _type: 'MatchSingleton';
  value: ConstantValue;
}
/** `MatchSequence(pattern* patterns)` */
export interface MatchSequence extends Located {
  _type: 'MatchSequence';
  patterns: Pattern[];
}
/** `MatchMapping(expr* keys, pattern* patterns, identifier? rest)` */
export interface MatchMapping extends Located {
  _type: 'MatchMapping';
  keys: Expr[];
  patterns: Pattern[];
  rest: string | null;
}
/** `MatchClass(expr cls, pattern* patterns, identifier* kwd_attrs, pattern* kwd_patterns)` */
export interface MatchClass extends Located {
  _type: 'MatchClass';
  cls: Expr;
  patterns: Pattern[];
  kwd_attrs: string[];
  kwd_patterns: Pattern[];
}
/** `MatchStar(identifier? name)` */
export interface MatchStar extends Located {
  _type: 'MatchStar';
  name: string | null;
}
/** `MatchAs(pattern? pattern, identifier? name)` */
export interface MatchAs extends Located {
  _type: 'MatchAs';
  pattern: Pattern | null;
  name: string | null;
}
/** `MatchOr(pattern* patterns)` */
export interface MatchOr extends Located {
  _type: 'MatchOr';
  patterns: Pattern[];
}
/** ASDL `pattern`. */
export type Pattern = MatchValue | MatchSingleton | MatchSequence | MatchMapping | MatchClass | MatchStar | MatchAs | MatchOr;

// ---- type_ignore ----

/** `TypeIgnore(int lineno, string tag)` */
export interface TypeIgnore {
  _type: 'TypeIgnore';
  lineno: number;
  tag: string;
}

// ---- comprehension ----

/** `comprehension(expr target, expr iter, expr* ifs, int is_async)` */
export interface Comprehension {
  _type: 'comprehension';
  target: Expr;
  iter: Expr;
  ifs: Expr[];
  is_async: number;
}

// ---- arguments ----

/** `arguments(arg* posonlyargs, arg* args, arg? vararg, arg* kwonlyargs, expr* kw_defaults, arg? kwarg, expr* defaults)` */
export interface Arguments {
  _type: 'arguments';
  posonlyargs: Arg[];
  args: Arg[];
  vararg: Arg | null;
  kwonlyargs: Arg[];
  /** null for a keyword-only parameter without a default. */
  kw_defaults: (Expr | null)[];
  kwarg: Arg | null;
  defaults: Expr[];
}

// ---- arg ----

/** `arg(identifier arg, expr? annotation, string? type_comment)` */
export interface Arg extends Located {
  _type: 'arg';
  arg: string;
  annotation: Expr | null;
  type_comment: string | null;
}

// ---- keyword ----

/** `keyword(identifier? arg, expr value)` */
export interface Keyword extends Located {
  _type: 'keyword';
  arg: string | null;
  value: Expr;
}

// ---- alias ----

/** `alias(identifier name, identifier? asname)` */
export interface Alias extends Located {
  _type: 'alias';
  name: string;
  asname: string | null;
}

// ---- withitem ----

/** `withitem(expr context_expr, expr? optional_vars)` */
export interface WithItem {
  _type: 'withitem';
  context_expr: Expr;
  optional_vars: Expr | null;
}

// ---- match_case ----

/** `match_case(pattern pattern, expr? guard, stmt* body)` */
export interface MatchCase {
  _type: 'match_case';
  pattern: Pattern;
  guard: Expr | null;
  body: Stmt[];
}

/** Any node of the tree. */
export type Node =
  | ModNode
  | Stmt
  | Expr
  | ExprContext
  | BoolOperator
  | Operator
  | UnaryOperator
  | CmpOp
  | Comprehension
  | ExceptHandler
  | Arguments
  | Arg
  | Keyword
  | Alias
  | WithItem
  | MatchCase
  | Pattern
  | TypeIgnore;
