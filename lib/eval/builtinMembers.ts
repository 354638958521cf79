/*
 * The attributes built-in objects expose through their tp_members and
 * tp_getset (CPython 3.11): a class's __name__, __qualname__, __module__,
 * __mro__, __bases__, __base__, __dict__ (a mappingproxy) and __doc__
 * (type_getsets, type_members in Objects/typeobject.c); a function's
 * __closure__, __defaults__, __kwdefaults__, __code__, __globals__ ...
 * (func_getsetlist, func_memberlist in Objects/funcobject.c); a code
 * object's co_* members (code_memberlist, code_getsetlist in
 * Objects/codeobject.c); a cell's cell_contents; a generator's and a
 * coroutine's names and gi_/cr_ members (Objects/genobject.c); and type's methods mro()
 * and __subclasses__().
 *
 * Invariants: every getter returns a new reference, or 0 when the object
 * has no such attribute (then the caller goes on with its lookup); the
 * subclasses of a class are found from the MRO table, in the order the
 * classes were made (tp_subclasses is not kept).
 */
import { cellvars, freevars, varnames } from '../frontend/code.js';
import type { CMethod } from '../objects/types/cfunction.js';
import { FRAME_EXECUTING, FRAME_SUSPENDED } from '../objects/types/generator.js';
import { id, newInt, newRef, newStr, none, raise, typeOf } from './abstract.js';
import type { Vm } from './vm.js';

/** type_getsets / type_members of a class object: new reference, or 0 when key is none of them. */
export function typeMember(vm: Vm, cls: number, key: string): number {
  const { interp } = vm;
  const t = vm.typeobj.typeOfObject(cls)!;
  switch (key) {
    // type_name / type_qualname: a static type's tp_name after its module's dot.
    case '__name__':
      return newStr(vm, vm.typeobj.qualname(cls) !== 0 ? t.name : t.name.slice(t.name.lastIndexOf('.') + 1));
    case '__qualname__': {
      const q = vm.typeobj.qualname(cls);
      return q !== 0 ? newRef(vm, q) : newStr(vm, t.name.slice(t.name.lastIndexOf('.') + 1));
    }
    case '__mro__':
      return newRef(vm, vm.typeobj.mro(cls));
    case '__bases__':
      return newRef(vm, vm.typeobj.bases(cls));
    case '__base__': {
      const b = vm.typeobj.base(cls);
      return b === 0 ? none(vm) : newRef(vm, b);
    }
    case '__dict__':
      return vm.descr.newMappingProxy(vm.typeobj.dict(cls));
    case '__module__': {
      // type_module: a class's __module__ entry, 'builtins' for a built-in type.
      const m = interp.dict.getItem(vm.typeobj.dict(cls), id(vm, '__module__'));
      return m !== 0 ? newRef(vm, m) : newStr(vm, 'builtins');
    }
    default:
      return 0;
  }
}

/** The classes whose __bases__ hold cls, oldest first (type___subclasses__). */
function subclasses(vm: Vm, cls: number): number[] {
  const { interp } = vm;
  const out: number[] = [];
  for (const t of interp.rt.types) {
    const op = vm.typeobj.objectOf(t);
    if (op === 0 || op === cls) continue;
    const bases = vm.typeobj.bases(op);
    if (bases !== 0 && interp.tuple.items(bases).includes(cls)) out.push(op);
  }
  return out;
}

/** The methods of `type` a class answers: mro(), __subclasses__(). */
export function typeMethods(vm: Vm): Record<string, CMethod> {
  const { interp } = vm;
  const listOf = (items: readonly number[]): number => {
    const l = interp.list.new(0);
    for (const x of items) interp.list.append(l, x);
    return l;
  };
  return {
    mro: (self) => listOf(interp.tuple.items(vm.typeobj.mro(self))),
    __subclasses__: (self) => listOf(subclasses(vm, self)),
  };
}

/** func_getsetlist / func_memberlist: new reference, or 0 when key is none of them. */
export function functionMember(vm: Vm, func: number, key: string): number {
  const { interp } = vm;
  const f = interp.function.fields(func);
  const orNone = (v: number): number => (v === 0 ? none(vm) : newRef(vm, v));
  switch (key) {
    case '__name__':
      return newRef(vm, f.name);
    case '__qualname__':
      return newRef(vm, f.qualname);
    case '__doc__':
      return newRef(vm, f.doc);
    case '__code__':
      return newRef(vm, f.code);
    case '__defaults__':
      return orNone(f.defaults);
    case '__kwdefaults__':
      return orNone(f.kwdefaults);
    case '__closure__':
      return orNone(f.closure);
    case '__globals__':
      return newRef(vm, f.globals);
    case '__builtins__':
      return newRef(vm, f.builtins);
    case '__module__':
      return orNone(f.module);
    case '__dict__':
      return interp.function.dictOf(func);
    case '__annotations__':
      return newRef(vm, interp.function.annotationsDict(func));
    default:
      return 0;
  }
}

/** code_memberlist / code_getsetlist: new reference, or 0 when key is none of them. */
export function codeMember(vm: Vm, code: number, key: string): number {
  const co = vm.code.value(code);
  const names = (xs: readonly string[]): number => {
    const items = xs.map((s) => newStr(vm, s));
    const t = vm.tupleOf(items);
    for (const x of items) vm.interp.rt.decref(x);
    return t;
  };
  switch (key) {
    case 'co_name':
      return newRef(vm, vm.code.name(code));
    case 'co_qualname':
      return newRef(vm, vm.code.qualname(code));
    case 'co_filename':
      return newRef(vm, vm.code.filename(code));
    case 'co_consts':
      return newRef(vm, vm.code.consts(code));
    case 'co_names':
      return newRef(vm, vm.code.names(code));
    case 'co_varnames':
      return names(varnames(co));
    case 'co_cellvars':
      return names(cellvars(co));
    case 'co_freevars':
      return names(freevars(co));
    case 'co_argcount':
      return newInt(vm, co.argcount);
    case 'co_posonlyargcount':
      return newInt(vm, co.posonlyargcount);
    case 'co_kwonlyargcount':
      return newInt(vm, co.kwonlyargcount);
    case 'co_nlocals':
      return newInt(vm, varnames(co).length);
    case 'co_stacksize':
      return newInt(vm, co.stacksize);
    case 'co_flags':
      return newInt(vm, co.flags);
    case 'co_firstlineno':
      return newInt(vm, co.firstlineno);
    default:
      return 0;
  }
}

/** cell_contents (cell_get_contents): ValueError for an empty cell; 0 for other keys. */
export function cellMember(vm: Vm, cell: number, key: string): number {
  if (key !== 'cell_contents') return 0;
  const v = vm.interp.cell.contents(cell);
  if (v === 0) raise(vm, 'ValueError', 'Cell is empty');
  return newRef(vm, v);
}

/** gen_getsetlist / coro_getsetlist: __name__, __qualname__, gi_/cr_ code, running, suspended; new reference or 0. */
export function generatorMember(vm: Vm, gen: number, key: string): number {
  const prefix = vm.gen.isCoroutine(gen) ? 'cr_' : 'gi_';
  const state = vm.gen.state(gen);
  if (key === '__name__') return newRef(vm, vm.gen.name(gen));
  if (key === '__qualname__') return newRef(vm, vm.gen.qualname(gen));
  if (!key.startsWith(prefix)) return 0;
  switch (key.slice(3)) {
    case 'code':
      return newRef(vm, vm.gen.code(gen));
    case 'running':
      return newRef(vm, state === FRAME_EXECUTING ? vm.interp.long.True : vm.interp.long.False);
    case 'suspended':
      return newRef(vm, state === FRAME_SUSPENDED ? vm.interp.long.True : vm.interp.long.False);
    default:
      return 0;
  }
}

/** The member key of a function, code object, cell, generator or coroutine: new reference, or 0 (none, or another kind of object). */
export function memberOf(vm: Vm, op: number, key: string): number {
  const t = typeOf(vm, op);
  const { interp } = vm;
  if (t === interp.function.type) return functionMember(vm, op, key);
  if (t === vm.code.type) return codeMember(vm, op, key);
  if (t === interp.cell.type) return cellMember(vm, op, key);
  if (vm.gen.check(op)) return generatorMember(vm, op, key);
  return 0;
}
