/*
 * Declared C structs: each struct pymem lays out in memory is declared once
 * (name, fields with their C type, offset and meaning) and everything else
 * comes from the declaration: the offsets, sizeof, one accessor per field over
 * the loads and stores it is given (access.ts's for objects), the layout table printed in
 * the owning module's opening comment, and a validator that walks the fields
 * of a live struct.
 *
 * Offsets follow C's rules on 64-bit Linux (LP64): each field is aligned to
 * its own alignment, the struct's size rounded up to its largest alignment. A
 * declared offset is checked against the computed one (a typo in a
 * declaration cannot shift a field silently). Negative offsets do not occur:
 * what CPython keeps before an object (PyGC_Head, the managed-dict
 * pre-header) is a struct of its own at its own address.
 *
 *   u8 u16 u32 i32   as they are                     (1, 2, 4, 4 bytes)
 *   i64              Py_ssize_t, as a double (exact below 2^53 in magnitude)
 *   f64              double
 *   ptr              a pointer (stored as f64, pointer.ts)
 *   a struct         embedded (PyObject ob_base), its fields flattened by name
 *   count            a fixed array (setentry smalltable[8])
 *   tail             the variable part after the fixed fields (ob_item[]),
 *                    its length read from the object by the declaration
 *
 * Accessors are compiled per field with the offset as a literal. bench/
 * structAccess.ts measured them, a closure factory and a hand-written load
 * within 10% of each other (on a loaded machine); generated code is kept
 * because each accessor then has V8 call feedback of its own, where closures
 * from one factory share theirs across fields of every width.
 *
 * Invariants: field names are unique within a struct (flattened embedded
 * fields included); offsets are increasing and aligned; sizeof is a multiple
 * of the struct's alignment.
 */
import { InvalidArgumentError } from './errors.js';

/** The most elements of a tail a validator walks (a corrupt length must not make it run for ever). */
export const MAX_WALK = 2 ** 24;

/** The scalar C types a field can have. */
export type Scalar = 'u8' | 'u16' | 'u32' | 'i32' | 'i64' | 'f64' | 'ptr';

const WIDTH: Record<Scalar, number> = { u8: 1, u16: 2, u32: 4, i32: 4, i64: 8, f64: 8, ptr: 8 };
const C_NAME: Record<Scalar, string> = {
  u8: 'uint8_t',
  u16: 'uint16_t',
  u32: 'uint32_t',
  i32: 'int',
  i64: 'Py_ssize_t',
  f64: 'double',
  ptr: 'pointer',
};
/**
 * The loads and stores by absolute address the accessors are built on (the
 * contract of allocator/access.ts; pool headers may bring their own). This
 * module imports none, so any layer can declare structs.
 */
export interface MemoryAccess {
  loadU8(addr: number): number;
  storeU8(addr: number, v: number): void;
  loadU16(addr: number): number;
  storeU16(addr: number, v: number): void;
  loadU32(addr: number): number;
  storeU32(addr: number, v: number): void;
  loadI32(addr: number): number;
  storeI32(addr: number, v: number): void;
  loadI64(addr: number): number;
  storeI64(addr: number, v: number): void;
  loadF64(addr: number): number;
  storeF64(addr: number, v: number): void;
  /**
   * Views that hold every address below `viewLimit` at its own index
   * (`f64[addr >> 3]`: allocator/region.ts's flat region), read at each
   * access (their properties may be replaced). With them each accessor loads
   * and stores such addresses itself and calls the functions above only for
   * the others.
   */
  readonly views?: MemoryViews;
  /** The addresses `views` holds: [0, viewLimit) (at most 2^32). */
  readonly viewLimit?: number;
}

/** The typed views of MemoryAccess.views. */
export interface MemoryViews {
  readonly u8: Uint8Array;
  readonly u32: Uint32Array;
  readonly f64: Float64Array;
}

function loadOf(m: MemoryAccess, s: Scalar): (addr: number) => number {
  return { u8: m.loadU8, u16: m.loadU16, u32: m.loadU32, i32: m.loadI32, i64: m.loadI64, f64: m.loadF64, ptr: m.loadF64 }[s];
}
function storeOf(m: MemoryAccess, s: Scalar): (addr: number, v: number) => void {
  return { u8: m.storeU8, u16: m.storeU16, u32: m.storeU32, i32: m.storeI32, i64: m.storeI64, f64: m.storeF64, ptr: m.storeF64 }[s];
}

/** What a validator may ask about the world the struct lives in (the object layer supplies it). */
export interface ValidationContext {
  /** Whether v may point at a live block or static object (v is never 0 here). */
  isPointer(v: number): boolean;
}

/** A struct-specific check: calls `fail(field, message)` for each problem it finds at p. */
export type StructCheck<C extends ValidationContext> = (p: number, ctx: C, fail: (field: string, message: string) => void) => void;

/** One field of a declaration. */
export interface FieldDecl {
  /** The C name (ob_fval). */
  readonly name: string;
  /** A scalar type, or a struct embedded by value. */
  readonly type: Scalar | StructDecl<any, any>;
  /** One line: what the field holds (and who writes it). */
  readonly meaning: string;
  /** The C offset, if the declaration states it (checked against C's rules). */
  readonly offset?: number;
  /** Elements of a fixed array (absent: one). */
  readonly count?: number;
  /** The C type to print, when more telling than the scalar's (PyTypeObject *). */
  readonly ctype?: string;
  /** A pointer field that may hold any number (not checked as a pointer): a tagged word, a free-list link. */
  readonly unchecked?: boolean;
}

/** The variable part after the fixed fields (ob_item[], ob_digit[]). */
export interface TailDecl<C extends ValidationContext> {
  readonly name: string;
  readonly type: Scalar | StructDecl<any, any>;
  readonly meaning: string;
  readonly ctype?: string;
  /** Elements present at p (for the validator); absent: the tail is not walked. */
  readonly length?: (p: number, ctx: C) => number;
  /** Pointer elements that may hold any number. */
  readonly unchecked?: boolean;
}

/** A declaration as given to declareStruct. */
export interface StructSpec<C extends ValidationContext, F extends readonly FieldDecl[]> {
  /** The C struct name. */
  readonly name: string;
  /** The memory its accessors load from and store to. */
  readonly access: MemoryAccess;
  readonly fields: F;
  readonly tail?: TailDecl<C>;
  /** Checks beyond the fields' own (list allocated >= ob_size ...). */
  readonly check?: StructCheck<C>;
  /** A declared sizeof (checked against the computed one). */
  readonly size?: number;
}

/** A field's resolved place. */
export interface FieldInfo {
  readonly name: string;
  readonly offset: number;
  /** Bytes of one element. */
  readonly width: number;
  /** Elements (1 unless a fixed array). */
  readonly count: number;
  readonly scalar: Scalar | null;
  readonly struct: StructDecl<any, any> | null;
  readonly meaning: string;
  readonly ctype: string;
  readonly unchecked: boolean;
}

/** A scalar field's accessor: the load and store of one field of the struct at p. */
export interface Field {
  readonly offset: number;
  get(p: number): number;
  set(p: number, v: number): void;
}

/** The two 32-bit words of an 8-byte field. */
export interface Words {
  readonly lo: Field;
  readonly hi: Field;
}

/** An array field's (or the tail's) accessor: element i of the array of the struct at p. */
export interface ArrayField {
  readonly offset: number;
  /** Bytes from one element to the next. */
  readonly stride: number;
  get(p: number, i: number): number;
  set(p: number, i: number, v: number): void;
  /** The address of element i. */
  at(p: number, i: number): number;
}

/** The field names of a declaration, embedded structs' flattened ones included. */
export type FieldNames<F extends readonly FieldDecl[]> = F[number]['name'] | EmbeddedNames<F[number]>;
type EmbeddedNames<D> = D extends { type: StructDecl<any, infer N> } ? N : never;

/** A declared struct. */
export class StructDecl<C extends ValidationContext = ValidationContext, N extends string = string> {
  readonly name: string;
  /** sizeof: the fixed part, padded to the alignment. */
  readonly size: number;
  /** The largest alignment of a field. */
  readonly align: number;
  /** Byte offset of every field, flattened embedded fields included. */
  readonly offsets: Readonly<Record<N, number>>;
  /** The declared fields in order (embedded structs as one entry each). */
  readonly fields: readonly FieldInfo[];
  /** The variable part, at offset `size` (its elements aligned). */
  readonly tail: (FieldInfo & { readonly length?: (p: number, ctx: C) => number }) | null;
  private readonly flat = new Map<string, FieldInfo>();
  private readonly check: StructCheck<C> | undefined;
  /** Where the accessors load and store. */
  readonly access: MemoryAccess;

  constructor(spec: StructSpec<C, readonly FieldDecl[]>) {
    this.name = spec.name;
    this.access = spec.access;
    let off = 0;
    let align = 1;
    const fields: FieldInfo[] = [];
    const offsets: Record<string, number> = {};
    for (const f of spec.fields) {
      const info = resolveField(spec.name, f, off);
      off = info.offset + info.width * info.count;
      align = Math.max(align, info.struct?.align ?? info.width);
      fields.push(info);
      this.enter(info, offsets);
      if (info.struct !== null && info.count === 1) {
        // Flattened by their own names; an embedded struct's embedded headers stay reachable through their fields.
        for (const sub of info.struct.flat.values()) {
          if (sub.struct === null || sub.count !== 1) this.enter({ ...sub, offset: info.offset + sub.offset }, offsets);
        }
      }
    }
    this.align = align;
    this.size = Math.ceil(off / align) * align;
    if (spec.size !== undefined && spec.size !== this.size) {
      throw new InvalidArgumentError(`struct ${spec.name}: declared sizeof ${spec.size}, computed ${this.size}`);
    }
    this.fields = fields;
    this.offsets = offsets as Record<N, number>;
    if (spec.tail === undefined) this.tail = null;
    else {
      const t = resolveField(spec.name, { ...spec.tail }, this.size);
      this.tail = { ...t, length: spec.tail.length };
    }
    this.check = spec.check;
  }

  private enter(info: FieldInfo, offsets: Record<string, number>): void {
    if (this.flat.has(info.name)) throw new InvalidArgumentError(`struct ${this.name}: field ${info.name} declared twice`);
    this.flat.set(info.name, info);
    offsets[info.name] = info.offset;
  }

  private scalarField(name: N): FieldInfo & { scalar: Scalar } {
    const f = this.flat.get(name);
    if (f === undefined || f.scalar === null) throw new InvalidArgumentError(`struct ${this.name} has no scalar field ${name}`);
    return f as FieldInfo & { scalar: Scalar };
  }

  /** The accessor of a scalar field (ob_fval: `{ get: (p) => loadF64(p + 16), set }`). */
  field(name: N): Field {
    const f = this.scalarField(name);
    if (f.count !== 1) throw new InvalidArgumentError(`${this.name}.${name} is an array: use array()`);
    return makeField(this.access, f.scalar, f.offset);
  }

  /**
   * An 8-byte field as its two 32-bit words, low first (little-endian): for
   * a 64-bit value a double cannot hold exactly (a Py_hash_t).
   */
  words(name: N): Words {
    const f = this.scalarField(name);
    if (f.width !== 8 || f.count !== 1) throw new InvalidArgumentError(`${this.name}.${name} is not one 8-byte field`);
    return { lo: makeField(this.access, 'u32', f.offset), hi: makeField(this.access, 'u32', f.offset + 4) };
  }

  /** The accessor of a fixed array field, or of the tail (by its name). */
  array(name: N | string): ArrayField {
    const f = this.tail !== null && this.tail.name === name ? this.tail : this.flat.get(name);
    if (f === undefined) throw new InvalidArgumentError(`struct ${this.name} has no field ${name}`);
    const stride = f.struct?.size ?? f.width;
    return makeArray(this.access, f.scalar ?? 'u8', f.offset, stride);
  }

  /**
   * The tail (or a fixed array) read as elements of another scalar type: a
   * C union of arrays (dk_indices is int8, int16 or int32 by table size).
   */
  arrayAs(name: N | string, scalar: Scalar): ArrayField {
    const f = this.tail !== null && this.tail.name === name ? this.tail : this.flat.get(name);
    if (f === undefined) throw new InvalidArgumentError(`struct ${this.name} has no field ${name}`);
    return makeArray(this.access, scalar, f.offset, WIDTH[scalar]);
  }

  /**
   * The problems found at p, each "Struct.field: what is wrong" (empty: none):
   * every pointer field 0 or a plausible pointer (embedded structs, fixed
   * arrays and the tail walked too), then the declared check.
   */
  validate(p: number, ctx: C): string[] {
    const problems: string[] = [];
    const fail = (field: string, message: string): void => {
      problems.push(`${this.name}.${field}: ${message}`);
    };
    this.walk(p, ctx, fail);
    return problems;
  }

  private walk(p: number, ctx: C, fail: (field: string, message: string) => void): void {
    for (const f of this.fields) checkField(this.access, f, p, f.count, ctx, fail);
    if (this.tail !== null && this.tail.length !== undefined) {
      const n = this.tail.length(p, ctx);
      if (!(Number.isSafeInteger(n) && n >= 0)) fail(this.tail.name, `length ${n} is no count`);
      else if (n > MAX_WALK) fail(this.tail.name, `length ${n} is past what a validator walks (${MAX_WALK})`);
      else checkField(this.access, this.tail, p, n, ctx, fail);
    }
    this.check?.(p, ctx, fail);
  }

  /** Runs this struct's field walk and check with problems reported through `fail` (for an embedding struct). */
  walkInto(p: number, ctx: C, fail: (field: string, message: string) => void): void {
    this.walk(p, ctx, fail);
  }
}

function resolveField(struct: string, f: FieldDecl, off: number): FieldInfo {
  const scalar = typeof f.type === 'string' ? f.type : null;
  const sub = typeof f.type === 'string' ? null : f.type;
  const width = scalar !== null ? WIDTH[scalar] : sub!.size;
  const align = scalar !== null ? WIDTH[scalar] : sub!.align;
  const offset = Math.ceil(off / align) * align;
  if (f.offset !== undefined && f.offset !== offset) {
    throw new InvalidArgumentError(`struct ${struct}: field ${f.name} declared at ${f.offset}, C puts it at ${offset}`);
  }
  const count = f.count ?? 1;
  const base = scalar !== null ? C_NAME[scalar] : sub!.name;
  return {
    name: f.name,
    offset,
    width,
    count,
    scalar,
    struct: sub,
    meaning: f.meaning,
    ctype: f.ctype ?? base,
    unchecked: f.unchecked ?? false,
  };
}

function checkField<C extends ValidationContext>(
  m: MemoryAccess,
  f: FieldInfo,
  p: number,
  count: number,
  ctx: C,
  fail: (field: string, message: string) => void,
): void {
  const stride = f.struct?.size ?? f.width;
  for (let i = 0; i < count; i++) {
    const at = p + f.offset + i * stride;
    const label = f.count === 1 && count === 1 ? f.name : `${f.name}[${i}]`;
    if (f.struct !== null) {
      f.struct.walkInto(at, ctx, (field, message) => fail(`${label}.${field}`, message));
    } else if (f.scalar === 'ptr' && !f.unchecked) {
      const v = m.loadF64(at);
      if (v !== 0 && !(Number.isSafeInteger(v) && v > 0 && ctx.isPointer(v))) fail(label, `${v} is neither NULL nor a pointer to a live block`);
    }
  }
}

// Each accessor is compiled on its own (new Function), its offset a literal:
// closures made by one factory share V8's feedback for the load they call,
// which goes polymorphic once fields of several widths exist and stops the
// inlining (bench/structAccess.ts measures both). With views, the load or
// store of an address below the limit is written into the accessor itself
// (one typed-array access, an i64 two u32 ones): V8 stops inlining calls
// inside big functions, and a called load was measured at ~18% of the list
// workload (bench/RESULTS.md, "Hot paths (perf)").

/** The expression loading `scalar` at address `a` (an integer below the view limit) from views V. */
function viewLoad(scalar: Scalar): string | null {
  switch (scalar) {
    case 'u8':
      return 'V.u8[a]';
    case 'u32':
      return 'V.u32[a >>> 2]';
    case 'i32':
      return '(V.u32[a >>> 2] | 0)';
    case 'i64':
      return '(V.u32[a >>> 2] + (V.u32[(a >>> 2) + 1] | 0) * 4294967296)';
    case 'f64':
    case 'ptr':
      return 'V.f64[a >>> 3]';
    case 'u16':
      return null;
  }
}

/** The statement storing v as `scalar` at address `a` (below the view limit) into views V. */
function viewStore(scalar: Scalar): string | null {
  switch (scalar) {
    case 'u8':
      return 'V.u8[a] = v;';
    case 'u32':
      return 'V.u32[a >>> 2] = v;';
    case 'i32':
      return 'V.u32[a >>> 2] = v >>> 0;';
    case 'i64':
      return 'const hi = Math.floor(v / 4294967296); const u = V.u32; u[a >>> 2] = v - hi * 4294967296; u[(a >>> 2) + 1] = hi >>> 0;';
    case 'f64':
    case 'ptr':
      return 'V.f64[a >>> 3] = v;';
    case 'u16':
      return null;
  }
}

/** The bodies of get(a) and set(a, v) for the address expression `a` already bound. */
function bodies(m: MemoryAccess, scalar: Scalar): { get: string; set: string } {
  const load = m.views !== undefined ? viewLoad(scalar) : null;
  const store = m.views !== undefined ? viewStore(scalar) : null;
  const limit = m.viewLimit ?? 0;
  return {
    get: load === null ? 'return load(a);' : `return a < ${limit} ? ${load} : load(a);`,
    set: store === null ? 'store(a, v);' : `if (a < ${limit}) { ${store} } else store(a, v);`,
  };
}

function makeField(m: MemoryAccess, scalar: Scalar, offset: number): Field {
  const b = bodies(m, scalar);
  const make = new Function(
    'load',
    'store',
    'V',
    `"use strict"; return { offset: ${offset}, ` +
      `get(p) { const a = p + ${offset}; ${b.get} }, ` +
      `set(p, v) { const a = p + ${offset}; ${b.set} } };`,
  ) as (load: (a: number) => number, store: (a: number, v: number) => void, views: MemoryViews | undefined) => Field;
  return make(loadOf(m, scalar), storeOf(m, scalar), m.views);
}

function makeArray(m: MemoryAccess, scalar: Scalar, offset: number, stride: number): ArrayField {
  const b = bodies(m, scalar);
  const make = new Function(
    'load',
    'store',
    'V',
    `"use strict"; return { offset: ${offset}, stride: ${stride}, ` +
      `get(p, i) { const a = p + ${offset} + i * ${stride}; ${b.get} }, ` +
      `set(p, i, v) { const a = p + ${offset} + i * ${stride}; ${b.set} }, ` +
      `at(p, i) { return p + ${offset} + i * ${stride}; } };`,
  ) as (load: (a: number) => number, store: (a: number, v: number) => void, views: MemoryViews | undefined) => ArrayField;
  return make(loadOf(m, scalar), storeOf(m, scalar), m.views);
}

/** Declares a struct (see the module comment). */
export function declareStruct<C extends ValidationContext, const F extends readonly FieldDecl[]>(
  spec: StructSpec<C, F>,
): StructDecl<C, FieldNames<F>> {
  return new StructDecl<C, FieldNames<F>>(spec);
}

/**
 * The layout table of a struct, as its module's opening comment carries it:
 * one row per field (an embedded struct is one row: its own table is in its
 * module), offset, bytes, C type, name and meaning.
 */
export function formatLayout(s: StructDecl<any, any>): string {
  const rows = s.fields.map((f) => {
    const bytes = (f.struct?.size ?? f.width) * f.count;
    return [String(f.offset), String(bytes), f.ctype, f.count === 1 ? f.name : `${f.name}[${f.count}]`, f.meaning];
  });
  if (s.tail !== null) rows.push([String(s.tail.offset), `${s.tail.struct?.size ?? s.tail.width}*n`, s.tail.ctype, `${s.tail.name}[]`, s.tail.meaning]);
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = [`${s.name}, ${s.size} bytes${s.tail !== null ? ' + the variable part' : ''}:`];
  for (const r of rows) {
    lines.push(
      `  ${r[0]!.padStart(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]!.padEnd(widths[3]!)}  ${r[4]}`.trimEnd(),
    );
  }
  return lines.join('\n');
}
