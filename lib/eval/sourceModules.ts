/*
 * Modules of `pymem run` written in Python (lib/eval/pylib/NAME.py, shipped
 * with the package): on the first `import NAME` the source is compiled by
 * pymem's front end and run in a fresh module's dict (__name__ NAME,
 * __file__ the .py's path), as importlib's SourceFileLoader runs a module of
 * the standard library; the module then sits in vm.modules and sys.modules.
 * Tracebacks and tracemalloc name its frames by that path, and quote its
 * lines.
 *
 * Invariants: a module is in vm.modules before its code runs (a circular
 * import finds it, as in CPython) and is taken out again if its code raises.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../frontend/compile.js';
import { packageRoot } from '../packageRoot.js';
import { id, newStr } from './abstract.js';
import { evalCode } from './ceval.js';
import { sources } from './traceback.js';
import type { Vm } from './vm.js';

/** The modules written in Python that pymem ships. */
const SOURCE_MODULES = new Set(['tracemalloc']);

/** The path of a shipped Python module's source. */
export function sourceModulePath(name: string): string {
  return join(packageRoot(), 'lib', 'eval', 'pylib', `${name}.py`);
}

/**
 * Imports the shipped Python module `name`: a new reference to the module,
 * or 0 when pymem ships none of that name. What its code raises propagates.
 */
export function importSourceModule(vm: Vm, name: string): number {
  if (!SOURCE_MODULES.has(name)) return 0;
  const path = sourceModulePath(name);
  if (!existsSync(path)) return 0;
  const { interp } = vm;
  const rt = interp.rt;
  const source = readFileSync(path, 'utf8');
  const co = compile(source, path, 'exec');
  sources.get(vm)?.set(path, source.split('\n'));
  const nameStr = newStr(vm, name);
  const module = vm.module.new(nameStr);
  rt.decref(nameStr);
  const globals = vm.module.dict(module);
  interp.dict.setItem(globals, id(vm, '__builtins__'), vm.modules.get('builtins')!);
  const file = newStr(vm, path);
  interp.dict.setItem(globals, id(vm, '__file__'), file);
  rt.decref(file);
  const sysModules = sysModulesDict(vm);
  vm.modules.set(name, module);
  if (sysModules !== 0) interp.dict.setItem(sysModules, id(vm, name), module);
  const code = vm.code.fromValue(co);
  try {
    rt.decref(evalCode(vm, code, globals, globals));
  } catch (e) {
    vm.modules.delete(name);
    if (sysModules !== 0) interp.dict.delItem(sysModules, id(vm, name));
    rt.decref(module);
    throw e;
  } finally {
    rt.decref(code);
  }
  rt.incref(module);
  return module;
}

/** sys.modules (borrowed), 0 when there is no sys module. */
function sysModulesDict(vm: Vm): number {
  const sys = vm.modules.get('sys');
  if (sys === undefined) return 0;
  return vm.interp.dict.getItem(vm.module.dict(sys), id(vm, 'modules'));
}
