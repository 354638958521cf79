/*
 * sys.displayhook and sys.__displayhook__ (Python/sysmodule.c
 * sys_displayhook), what PRINT_EXPR calls in code compiled in 'single' mode
 * (the interactive loop): None prints nothing and leaves `_` alone;
 * anything else sets builtins._ to None, writes repr(value) and a newline to
 * sys.stdout, then sets builtins._ to the value.
 *
 * Invariants: `_` lives in the builtins module's dict, as in CPython, so a
 * global `_` of __main__ hides it without being overwritten.
 */
import { callObject, getAttr, id, newRef, newStr, raise, repr } from './abstract.js';
import type { Vm } from './vm.js';

/** Installs sys.displayhook and sys.__displayhook__ (the same function) in the sys module. */
export function installDisplayhook(vm: Vm): void {
  const { interp } = vm;
  const rt = interp.rt;
  const sys = vm.modules.get('sys')!;
  const sdict = vm.module.dict(sys);
  const None = interp.singletons.None;
  const ml = vm.cfunc.define({
    name: 'displayhook',
    meth: (_self, args) => {
      if (args.length !== 1) raise(vm, 'TypeError', `displayhook() takes exactly one argument (${args.length} given)`);
      const v = args[0]!;
      if (v === None) return newRef(vm, None);
      const underscore = id(vm, '_');
      interp.dict.setItem(vm.builtins, underscore, None);
      const stdout = interp.dict.getItem(sdict, id(vm, 'stdout'));
      if (stdout === 0) raise(vm, 'RuntimeError', 'lost sys.stdout');
      writeTo(vm, stdout, `${repr(vm, v)}\n`);
      interp.dict.setItem(vm.builtins, underscore, v);
      return newRef(vm, None);
    },
  });
  const hook = vm.cfunc.newFunction(ml, sys, 0);
  interp.dict.setItem(sdict, id(vm, 'displayhook'), hook);
  interp.dict.setItem(sdict, id(vm, '__displayhook__'), hook);
  rt.decref(hook);
}

/** sys.stdout.write(text) through the stream's own write. */
function writeTo(vm: Vm, stream: number, text: string): void {
  const rt = vm.interp.rt;
  const write = getAttr(vm, stream, id(vm, 'write'));
  const s = newStr(vm, text);
  try {
    rt.decref(callObject(vm, write, [s], 0));
  } finally {
    rt.decref(s);
    rt.decref(write);
  }
}

/**
 * PRINT_EXPR: sys.displayhook(value) (borrowed value); a RuntimeError
 * "lost sys.displayhook" when sys has none.
 */
export function printExpr(vm: Vm, value: number): void {
  const hook = vm.interp.dict.getItem(vm.module.dict(vm.modules.get('sys')!), id(vm, 'displayhook'));
  if (hook === 0) raise(vm, 'RuntimeError', 'lost sys.displayhook');
  vm.interp.rt.decref(callObject(vm, hook, [value], 0));
}
